/*
 * test_csat.c - unit tests for pd_csat: tokens, timing, comments
 *
 * Survey addresses round-trip and bind survey and grade (any change of
 * survey, grade or token fails with PD_EAUTH; other addresses are
 * PD_ENOTFOUND); case changes of the local part are accepted; the due
 * time moves into business hours and never past one working day; the
 * comment is what the customer wrote above the quote, a lone digit is a
 * grade.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "pd_conf.h"
#include "pd_csat.h"
#include "pd_key.h"
#include "pd_mem.h"
#include "../harness/tap.h"

static char dir[] = "/tmp/pdcsatXXXXXX";

static const char conf_text[] =
	"[general]\ndatabase = %s/pd.db\nkey_file = %s/pd.key\n"
	"timezone = Europe/Berlin\n"
	"[queue support]\naddress = support@example.com\n"
	"[sla standard]\nbusiness_hours = mon-fri 09:00-17:00\n"
	"[csat]\ndelay = 3h\n";

/* utc - seconds of a UTC date and time */
static int64_t
utc(int y, int mo, int d, int h, int mi)
{
	GDateTime *t = g_date_time_new_utc(y, mo, d, h, mi, 0);
	int64_t s = g_date_time_to_unix(t);

	g_date_time_unref(t);
	return s;
}

int
main(void)
{
	struct pd_err err = { 0, "" };
	unsigned char raw[PD_KEY_BYTES];
	struct pd_key *key;
	struct pd_conf *conf;
	char addr[PD_CSAT_ADDR_MAX + 1], bad[PD_CSAT_ADDR_MAX + 1];
	char path[300];
	int64_t survey = 0, due = 0, exp = 0;
	int grade = 0, digit = 0;
	char *c;
	FILE *f;
	size_t i;

	if (mkdtemp(dir) == NULL)
		return 99;
	memset(raw, 7, sizeof(raw));
	key = pd_key_from_bytes(raw);

	is_int(pd_csat_address(key, "support@example.com", 42, 5, addr,
	    sizeof(addr)), PD_OK, "address made");
	ok(strncmp(addr, "support+csat-42-5-", 18) == 0 &&
	    strlen(addr) == 18 + PD_CSAT_TOKEN_LEN + 12, "shape: %s", addr);
	is_int(pd_csat_parse(key, addr, &survey, &grade), PD_OK,
	    "it verifies");
	ok(survey == 42 && grade == 5, "survey and grade read back");
	snprintf(bad, sizeof(bad), "<%s>", addr);
	is_int(pd_csat_parse(key, bad, &survey, &grade), PD_OK,
	    "angle brackets accepted");
	for (i = 0; bad[i] != '\0'; i++)
		bad[i] = (char)g_ascii_toupper(bad[i]);
	is_int(pd_csat_parse(key, bad, &survey, &grade), PD_OK,
	    "an upper-cased local part still verifies");
	snprintf(bad, sizeof(bad), "%s", addr);
	bad[15] = '4';		/* the grade */
	is_int(pd_csat_parse(key, bad, &survey, &grade), PD_EAUTH,
	    "another grade with the same token: refused");
	snprintf(bad, sizeof(bad), "support+csat-43-5-%s", addr + 18);
	is_int(pd_csat_parse(key, bad, &survey, &grade), PD_EAUTH,
	    "another survey with the same token: refused");
	snprintf(bad, sizeof(bad), "%s", addr);
	bad[20] = bad[20] == 'a' ? 'b' : 'a';
	is_int(pd_csat_parse(key, bad, &survey, &grade), PD_EAUTH,
	    "an altered token: refused");
	is_int(pd_csat_parse(key, "support+csat-1-1-x@example.com", &survey,
	    &grade), PD_EAUTH, "a short token: refused");
	is_int(pd_csat_parse(key, "support@example.com", &survey, &grade),
	    PD_ENOTFOUND, "the plain support address is no survey address");
	is_int(pd_csat_parse(key, "support+other@example.com", &survey,
	    &grade), PD_ENOTFOUND, "another +detail is no survey address");

	snprintf(path, sizeof(path), "%s/pd.conf", dir);
	f = fopen(path, "w");
	fprintf(f, conf_text, dir, dir);
	fclose(f);
	conf = pd_conf_load(path, &err);
	ok(conf != NULL, "configuration loads %s", err.msg);
	/* Wednesday 2026-03-04 10:00 Berlin (09:00 UTC) + 3h: 13:00 */
	pd_csat_times(conf, conf->queues[0].sla, utc(2026, 3, 4, 9, 0), &due,
	    &exp);
	is_int(due, utc(2026, 3, 4, 12, 0), "in business hours: + delay");
	is_int(exp, utc(2026, 3, 5, 9, 0), "expires one working day later");
	/* Wednesday 16:00 Berlin + 3h = 19:00, closed: Thursday 09:00 */
	pd_csat_times(conf, conf->queues[0].sla, utc(2026, 3, 4, 15, 0), &due,
	    &exp);
	is_int(due, utc(2026, 3, 5, 8, 0), "after hours: the next opening");
	/* Friday 16:30 Berlin + 3h: Monday 09:00 */
	pd_csat_times(conf, conf->queues[0].sla, utc(2026, 3, 6, 15, 30),
	    &due, &exp);
	is_int(due, utc(2026, 3, 9, 8, 0), "Friday evening: Monday morning");
	ok(due <= exp, "never after the working-day limit");

	c = pd_csat_comment("Too slow.\n\nOn Mon, 2 Mar 2026, Support wrote:\n"
	    "> How did we do?\n", 5, &digit);
	ok(c && strcmp(c, "Too slow.") == 0 && digit == 0,
	    "comment above the attribution line: %s", c ? c : "(null)");
	pd_free(c);
	c = pd_csat_comment(" 4 \n> survey\n", 5, &digit);
	ok(c == NULL && digit == 4, "a lone digit is a grade");
	c = pd_csat_comment("7\n", 5, &digit);
	ok(c && digit == 0, "a digit above the grades is a comment");
	pd_free(c);
	c = pd_csat_comment("> only the quote\n", 5, &digit);
	ok(c == NULL && digit == 0, "nothing above the quote: no comment");

	pd_conf_unref(&conf);
	pd_key_free(&key);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	return tap_done() + (system(path) != 0);
}
