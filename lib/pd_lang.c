/*
 * pd_lang.c - the customer's language, guessed from their message
 *
 * PURPOSE	See pd_lang.h.
 * DESIGN	Language ranges are read as RFC 3282/RFC 9110 lists:
 *		"ru-RU, en-US;q=0.8"; only the primary subtag counts, and
 *		the first one postdesk speaks wins (q-values are not
 *		re-sorted: clients list the preferred language first).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include <glib.h>

#include "pd_lang.h"

static const char *const spoken[] = { "ru", "en", NULL };

/* lang_from_list - the first language of a header list we speak */
static const char *
lang_from_list(const char *list)
{
	const char *p = list;
	size_t n, i;

	while (p != NULL && *p != '\0') {
		p += strspn(p, " \t\r\n,");
		n = strspn(p, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
		for (i = 0; n == 2 && spoken[i] != NULL; i++)
			if (strncasecmp(p, spoken[i], 2) == 0)
				return spoken[i];
		p = strchr(p, ',');
	}
	return NULL;
}

/* lang_from_script - ru for any Cyrillic letter, en for Latin alone */
static const char *
lang_from_script(const char *text)
{
	const char *p;
	bool latin = false;

	if (text == NULL || !g_utf8_validate(text, -1, NULL))
		return NULL;
	for (p = text; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (!g_unichar_isalpha(c))
			continue;
		if (g_unichar_get_script(c) == G_UNICODE_SCRIPT_CYRILLIC)
			return "ru";
		if (g_unichar_get_script(c) == G_UNICODE_SCRIPT_LATIN)
			latin = true;
	}
	return latin ? "en" : NULL;
}

/* pd_lang_guess - see pd_lang.h */
const char *
pd_lang_guess(const char *content_language, const char *accept_language,
    const char *subject)
{
	const char *lang = lang_from_list(content_language);

	if (lang == NULL)
		lang = lang_from_list(accept_language);
	if (lang == NULL)
		lang = lang_from_script(subject);
	return lang;
}
