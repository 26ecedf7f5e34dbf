/*
 * fuzz_prefix.c - libFuzzer target: reply and forward prefixes
 *
 * FEEDS	The input as a decoded subject (any bytes, meant as UTF-8)
 *		to pd_subject_prefix_len() (lib/pd_subject_prefix.c), and as
 *		a raw Subject value to pd_subject_display() and
 *		pd_subject_rewrite(), the two callers that depend on it.
 * CHECKS	- the prefix length n is at most the input's length, and in
 *		  valid UTF-8 it ends between characters;
 *		- the prefixes are taken greedily: the text after them
 *		  starts with no further prefix, and the first n bytes alone
 *		  are n bytes of prefix;
 *		- a display text (the ticket's title) starts with no prefix;
 *		- in a rewritten subject, decoded, our tag starts exactly
 *		  where the prefixes end.
 * SEE ALSO	lib/pd_subject.h, tests/unit/test_subject.c, scripts/fuzz.sh.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "pd_err.h"
#include "pd_key.h"
#include "pd_mem.h"
#include "pd_rfc2047.h"
#include "pd_subject.h"
#include "pd_tag.h"
#include "fuzz.h"

#define PREFIX		"PD"

static char tag[PD_TAG_MAX];

/* LLVMFuzzerInitialize - our tag, once */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned char raw[PD_KEY_BYTES];
	struct pd_key *key;

	(void)argc;
	(void)argv;
	fuzz_pin_iconv();
	memset(raw, 0x11, sizeof(raw));
	key = pd_key_from_bytes(raw);
	FUZZ_CHECK(pd_tag_format(key, PREFIX, 7, tag, sizeof(tag)) == PD_OK,
	    "our tag formats");
	pd_key_free(&key);
	return 0;
}

/* check_greedy - the prefix length of s[0..len) and what follows it */
static void
check_greedy(const char *s, size_t len)
{
	size_t n = pd_subject_prefix_len(s, len);

	FUZZ_CHECK(n <= len, "prefix inside the text");
	if (fuzz_utf8(s, len))
		FUZZ_CHECK(fuzz_utf8(s, n), "prefix ends between characters");
	FUZZ_CHECK(pd_subject_prefix_len(s + n, len - n) == 0,
	    "no prefix after the prefixes");
	FUZZ_CHECK(pd_subject_prefix_len(s, n) == n,
	    "the prefixes alone are all prefix");
}

/* check_display - the title starts with no reply prefix */
static void
check_display(const char *raw, size_t len)
{
	char *d = pd_subject_display(raw, len, PREFIX);

	if (d != NULL)
		FUZZ_CHECK(pd_subject_prefix_len(d, strlen(d)) == 0,
		    "display text without prefixes");
	pd_free(d);
}

/* check_insertion - our tag goes right after the prefixes */
static void
check_insertion(const char *raw, size_t len)
{
	struct pd_tag_match m;
	char *out = NULL;
	char *d;

	if (pd_subject_rewrite(raw, len, PREFIX, tag, &out, NULL) != PD_OK)
		return;
	d = pd_rfc2047_decode(out, strlen(out), NULL);
	FUZZ_CHECK(d != NULL, "a rewritten value decodes");
	FUZZ_CHECK(pd_tag_find(d, strlen(d), PREFIX, &m),
	    "the rewritten value has our tag");
	FUZZ_CHECK(m.start == pd_subject_prefix_len(d, strlen(d)),
	    "the tag starts where the prefixes end");
	pd_free(d);
	pd_free(out);
}

/* LLVMFuzzerTestOneInput - one subject */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);

	check_greedy(s, size);
	check_display(s, size);
	check_insertion(s, size);
	pd_free(s);
	return 0;
}
