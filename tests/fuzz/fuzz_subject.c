/*
 * fuzz_subject.c - libFuzzer target: ticket tags and Subject rewriting
 *
 * FEEDS	The input as a raw Subject value, the way the milter passes
 *		it (folds as "\n" plus whitespace, any bytes): pd_tag_find()
 *		over the whole value as pd_route.c walks it, then
 *		pd_subject_rewrite() with a fixed tag "[PD-1042-....]",
 *		pd_subject_display() and pd_rfc2047_decode().
 * CHECKS	Beyond "no crash, no leak, no undefined behaviour":
 *		- every tag found lies inside the text, starts with '[' and
 *		  ends with ']', has a number of 1 to 15 digits and a code
 *		  in canonical Crockford base32; it verifies exactly when
 *		  its code equals the one pd_tag_format() makes for its
 *		  number, and that formatted tag is found again as itself;
 *		- a rewritten value is a header value we may write (no NUL
 *		  or CR, every LF a fold) and pd_subject_value_safe() agrees;
 *		  decoded, it holds exactly one tag with our prefix, ours;
 *		  rewriting it again changes nothing; its display text is
 *		  the display text of the input;
 *		- the display text is valid UTF-8 without control
 *		  characters, trimmed, without double spaces or our tag;
 *		- the decoded value is valid UTF-8.
 * SEE ALSO	lib/pd_tag.h, lib/pd_subject.h, lib/pd_rfc2047.h,
 *		tests/unit/test_subject.c (the same checks on the corpus),
 *		scripts/fuzz.sh.
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
#define NUMBER		1042

static struct pd_key *key;
static char tag[PD_TAG_MAX];

/* LLVMFuzzerInitialize - the key and our tag, once */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned char raw[PD_KEY_BYTES];

	(void)argc;
	(void)argv;
	fuzz_pin_iconv();
	memset(raw, 0x5a, sizeof(raw));
	key = pd_key_from_bytes(raw);
	FUZZ_CHECK(pd_tag_format(key, PREFIX, NUMBER, tag, sizeof(tag)) ==
	    PD_OK, "our tag formats");
	return 0;
}

/* check_match - one tag found in t[0..len) */
static void
check_match(const char *t, size_t len, const struct pd_tag_match *m)
{
	static const char canon[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	char again[PD_TAG_MAX];
	struct pd_tag_match m2;
	size_t i;
	bool same;

	FUZZ_CHECK(m->start < m->end && m->end <= len, "match inside text");
	FUZZ_CHECK(t[m->start] == '[' && t[m->end - 1] == ']',
	    "match is bracketed");
	FUZZ_CHECK(m->number >= 1 && m->number < 1000000000000000ULL,
	    "number of 1 to 15 digits");
	FUZZ_CHECK(strlen(m->code) == PD_TAG_CODE_LEN, "code length");
	for (i = 0; i < PD_TAG_CODE_LEN; i++)
		FUZZ_CHECK(strchr(canon, m->code[i]) != NULL,
		    "code is canonical base32");
	FUZZ_CHECK(pd_tag_format(key, PREFIX, m->number, again,
	    sizeof(again)) == PD_OK, "found number formats");
	FUZZ_CHECK(pd_tag_find(again, strlen(again), PREFIX, &m2) &&
	    m2.start == 0 && m2.end == strlen(again) &&
	    m2.number == m->number, "formatted tag is found as itself");
	FUZZ_CHECK(pd_tag_verify(key, PREFIX, &m2) == PD_OK,
	    "formatted tag verifies");
	same = memcmp(m->code, m2.code, PD_TAG_CODE_LEN) == 0;
	FUZZ_CHECK((pd_tag_verify(key, PREFIX, m) == PD_OK) == same,
	    "verify agrees with the formatted code");
}

/* check_tags - every tag of t[0..len), walked as pd_route.c does */
static void
check_tags(const char *t, size_t len)
{
	struct pd_tag_match m;
	size_t off;

	for (off = 0; off < len && pd_tag_find(t + off, len - off, PREFIX,
	    &m); off += m.end)
		check_match(t + off, len - off, &m);
}

/* count_tags - tags with our prefix in the decoded value; ours count 1 */
static int
count_tags(const char *value)
{
	char *d = pd_rfc2047_decode(value, strlen(value), NULL);
	struct pd_tag_match m;
	size_t pos = 0;
	int n = 0;

	FUZZ_CHECK(d != NULL, "a rewritten value decodes");
	while (pd_tag_find(d + pos, strlen(d + pos), PREFIX, &m)) {
		n += strncmp(d + pos + m.start, tag, strlen(tag)) == 0 ?
		    1 : 100;
		pos += m.end;
	}
	pd_free(d);
	return n;
}

/* check_display - the ticket title rules */
static void
check_display(const char *d)
{
	struct pd_tag_match m;
	size_t len = strlen(d);
	size_t i;

	FUZZ_CHECK(fuzz_utf8(d, len), "display is UTF-8");
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)d[i];

		FUZZ_CHECK(c >= 0x20 && c != 0x7f, "display has no controls");
		FUZZ_CHECK(c != ' ' || (i > 0 && i + 1 < len &&
		    d[i + 1] != ' '), "display trimmed, single spaces");
	}
	FUZZ_CHECK(!pd_tag_find(d, len, PREFIX, &m), "display has no tag");
}

/* check_rewrite - the rewritten value and what must hold for it */
static void
check_rewrite(const char *raw, size_t len, const char *out)
{
	char *again = NULL;
	char *d1;
	char *d2;

	FUZZ_CHECK(out != NULL, "PD_OK gives a value");
	FUZZ_CHECK(fuzz_header_safe(out, strlen(out)), "no CR/LF injection");
	FUZZ_CHECK(pd_subject_value_safe(out, strlen(out)),
	    "pd_subject_value_safe() accepts the result");
	FUZZ_CHECK(count_tags(out) == 1, "exactly our tag, once");
	FUZZ_CHECK(pd_subject_rewrite(out, strlen(out), PREFIX, tag, &again,
	    NULL) == PD_OK && strcmp(again, out) == 0,
	    "rewriting twice changes nothing");
	d1 = pd_subject_display(raw, len, PREFIX);
	d2 = pd_subject_display(out, strlen(out), PREFIX);
	FUZZ_CHECK(d1 != NULL && d2 != NULL && strcmp(d1, d2) == 0,
	    "display text kept");
	pd_free(again);
	pd_free(d1);
	pd_free(d2);
}

/* LLVMFuzzerTestOneInput - one raw Subject value */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *raw = fuzz_str(data, size);
	char *out = NULL;
	char *d;
	int rc;

	check_tags(raw, size);
	rc = pd_subject_rewrite(raw, size, PREFIX, tag, &out, NULL);
	if (rc == PD_OK)
		check_rewrite(raw, size, out);
	else
		FUZZ_CHECK(out == NULL, "an error leaves *out NULL");
	d = pd_subject_display(raw, size, PREFIX);
	if (d != NULL)
		check_display(d);
	pd_free(d);
	d = pd_rfc2047_decode(raw, size, NULL);
	if (d != NULL) {
		FUZZ_CHECK(fuzz_utf8(d, strlen(d)), "decoded text is UTF-8");
		check_tags(d, strlen(d));
	}
	pd_free(d);
	pd_free(out);
	pd_free(raw);
	return 0;
}
