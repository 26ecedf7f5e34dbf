/*
 * test_msgid.c - unit tests for pd_msgid
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "pd_err.h"
#include "pd_msgid.h"
#include "../harness/tap.h"

static const struct {
	const char *name;
	const char *in;
	const char *want;	/* NULL: no id */
} one_cases[] = {
	{ "simple", "<a@b>", "a@b" },
	{ "spaces and comment", "  <x.1@host> (comment)", "x.1@host" },
	{ "folded", "\n\t<x@y>", "x@y" },
	{ "no brackets", "a@b", NULL },
	{ "empty brackets", "<>", NULL },
	{ "no at", "<abc>", NULL },
	{ "two at", "<a@b@c>", NULL },
	{ "space inside", "<a b@c>", NULL },
	{ "control inside", "<a\001@c>", NULL },
	{ "broken then good", "<broken <good@x>", "good@x" },
	{ "unterminated", "<a@b", NULL },
	{ "empty", "", NULL },
};

int
main(void)
{
	struct pd_msgid_list list = { .n = 0 };
	char out[PD_MSGID_MAX + 1];
	char big[600];
	size_t i;

	for (i = 0; i < sizeof(one_cases) / sizeof(one_cases[0]); i++) {
		int rc = pd_msgid_parse_one(one_cases[i].in, out, sizeof(out));

		if (one_cases[i].want == NULL)
			is_int(rc, PD_EINVAL, one_cases[i].name);
		else
			is_str(rc == PD_OK ? out : NULL, one_cases[i].want,
			    one_cases[i].name);
	}
	{
		char same[32] = "<in-place@x>";

		is_str(pd_msgid_parse_one(same, same, sizeof(same)) == PD_OK ?
		    same : NULL, "in-place@x", "output may overlap the input");
	}
	memset(big, 'a', sizeof(big));
	big[0] = '<';
	big[300] = '@';
	memcpy(big + sizeof(big) - 2, ">", 2);
	is_int(pd_msgid_parse_one(big, out, sizeof(out)), PD_EINVAL,
	    "over-long id refused");

	pd_msgid_list_parse(&list, "<a@x> garbage <broken\n <b@x>\t<a@x>");
	is_int((long long)list.n, 2, "list: two ids, duplicate dropped");
	ok(list.n == 2 && strcmp(list.ids[0], "a@x") == 0 &&
	    strcmp(list.ids[1], "b@x") == 0, "list: order kept");
	pd_msgid_list_free(&list);
	for (i = 0; i < 100; i++) {
		char one[32];

		snprintf(one, sizeof(one), "<id%zu@x>", i);
		pd_msgid_list_parse(&list, one);
	}
	is_int((long long)list.n, PD_MSGID_LIST_MAX, "list capped");
	is_str(list.ids[list.n - 1], "id99@x", "newest kept");
	is_str(list.ids[0], "id36@x", "oldest dropped");
	pd_msgid_list_free(&list);

	is_int(pd_msgid_generate("example.com", out, sizeof(out)), PD_OK,
	    "generate");
	ok(strncmp(out, "pd.", 3) == 0 && strstr(out, "@example.com") != NULL,
	    "generated id %s", out);
	{
		char out2[PD_MSGID_MAX + 1];

		pd_msgid_generate("example.com", out2, sizeof(out2));
		ok(strcmp(out, out2) != 0, "two generated ids differ");
	}
	is_int(pd_msgid_generate("bad domain", out, sizeof(out)), PD_EINVAL,
	    "generate refuses a domain with a space");
	return tap_done();
}
