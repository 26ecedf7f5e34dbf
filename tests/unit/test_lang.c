/*
 * test_lang.c - unit tests for pd_lang_guess
 *
 * Headers first (Content-Language, then Accept-Language, the first
 * language postdesk speaks), then the subject's script, else NULL.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stddef.h>
#include <string.h>

#include "pd_lang.h"
#include "../harness/tap.h"

struct lang_case {
	const char *content, *accept, *subject, *want, *name;
};

static const struct lang_case cases[] = {
	{ NULL, NULL, "Принтер горит", "ru", "Cyrillic subject" },
	{ NULL, NULL, "Printer on fire", "en", "Latin subject" },
	{ NULL, NULL, "Re: Счёт 123 invoice", "ru", "mixed: Cyrillic wins" },
	{ NULL, NULL, "123 !!!", NULL, "no letters: queue's language" },
	{ NULL, NULL, "打印机着火了", NULL, "a script we do not speak" },
	{ NULL, NULL, NULL, NULL, "nothing at all" },
	{ "ru-RU", NULL, "Invoice 123", "ru", "Content-Language over script" },
	{ NULL, "ru-RU, en-US", "Invoice 123", "ru", "Accept-Language" },
	{ NULL, "de-DE, en-US;q=0.8", "Rechnung", "en",
	    "first spoken language of Accept-Language" },
	{ "de", "fr", "Привет", "ru", "unspoken headers: script" },
	{ " EN-gb", "ru", "Привет", "en", "case and blanks in the header" },
	{ "english", NULL, "Привет", "ru", "not a two-letter tag: ignored" },
	{ NULL, NULL, "\xff\xfe bad", NULL, "invalid UTF-8: no guess" },
};

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct lang_case *c = &cases[i];
		const char *got = pd_lang_guess(c->content, c->accept,
		    c->subject);

		ok(got == c->want || (got && c->want &&
		    strcmp(got, c->want) == 0), "%s: %s", c->name,
		    got ? got : "(queue's)");
	}
	return tap_done();
}
