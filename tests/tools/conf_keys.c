/*
 * conf_keys.c - list or sanity-check the configuration key table
 *
 * PURPOSE	"conf_keys -l" prints one "section key" line per row of the
 *		key table in lib/pd_conf.c, and "conf_keys -c FILE" loads FILE
 *		and prints the error if it is invalid (exit 1), both for
 *		tests/unit/conf_doc.sh.
 *		Without arguments it runs as a TAP test of the table itself:
 *		every section is a known one, every key is lower_snake and
 *		no (section, key) pair appears twice.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "pd_conf.h"
#include "../harness/tap.h"

#define MAX_KEYS	256

struct seen {
	char	names[MAX_KEYS][80];
	size_t	n;
};

/* print_key - "section key" */
static void
print_key(const char *section, const char *key, void *arg)
{
	(void)arg;
	printf("%s %s\n", section, key);
}

/* snake - lower_snake: a-z, 0-9 and '_', starting with a letter */
static int
snake(const char *s)
{
	if (!(*s >= 'a' && *s <= 'z'))
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") ==
	    strlen(s);
}

/* check_key - one TAP line per key */
static void
check_key(const char *section, const char *key, void *arg)
{
	static const char *const known[] = { "general", "milter", "smtp",
	    "queue", "sla", "csat", "digest" };
	struct seen *seen = arg;
	char name[80];
	size_t i;
	int ok_section = 0, dup = 0;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		ok_section |= strcmp(section, known[i]) == 0;
	snprintf(name, sizeof(name), "%s %s", section, key);
	for (i = 0; i < seen->n; i++)
		dup |= strcmp(seen->names[i], name) == 0;
	if (seen->n < MAX_KEYS)
		memcpy(seen->names[seen->n++], name, sizeof(name));
	ok(ok_section && snake(key) && !dup, "[%s] %s: known section, "
	    "lower_snake, listed once", section, key);
}

int
main(int argc, char **argv)
{
	static struct seen seen;

	if (argc > 1 && strcmp(argv[1], "-l") == 0) {
		pd_conf_foreach_key(print_key, NULL);
		return 0;
	}
	if (argc > 2 && strcmp(argv[1], "-c") == 0) {
		struct pd_err err;
		struct pd_conf *conf = pd_conf_load(argv[2], &err);

		if (conf == NULL) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		pd_conf_unref(&conf);
		return 0;
	}
	pd_conf_foreach_key(check_key, &seen);
	ok(seen.n > 0, "the table has %zu keys", seen.n);
	return tap_done();
}
