/*
 * fuzz_cmd.c - libFuzzer target: agents' command lines, text and HTML
 *
 * FEEDS	The input as the text of an agent's reply to
 *		pd_cmd_parse_text(), as HTML to pd_cmd_strip_html() and
 *		pd_cmd_html_text(), and as the body of two small messages
 *		(text/plain and text/html, UTF-8, CRLF) to
 *		pd_bodyedit_commands(), which parses them with GMime.
 * CHECKS	- every command list holds at most PD_CMD_MAX commands of
 *		  known kinds whose arguments follow rule 5 of pd_cmd.h
 *		  (priority names, login characters, PREFIX-NUMBER-CODE in
 *		  upper case); why is set exactly when bad, and is UTF-8
 *		  without control characters (rule 7);
 *		- the block offset is 0 exactly when no command line was
 *		  seen; the text after the block starts no new block; the
 *		  block alone parses to the same list;
 *		- stripped HTML is the input with bytes removed only, and
 *		  equal to it when nothing was removed; the visible text
 *		  stays within its maximum;
 *		- pd_bodyedit: new header values are single lines, the first
 *		  text is UTF-8 within PD_BODYEDIT_TEXT_MAX, sealed mail is
 *		  never changed, and for UTF-8 input without CR or NUL the
 *		  plain message gives the commands pd_cmd_parse_text() does.
 * SEE ALSO	lib/pd_cmd.h, lib/pd_bodyedit.h, tests/unit/test_cmd.c,
 *		scripts/fuzz.sh.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "pd_bodyedit.h"
#include "pd_buf.h"
#include "pd_cmd.h"
#include "pd_err.h"
#include "pd_mem.h"
#include "pd_mime.h"
#include "fuzz.h"

#define VISIBLE_MAX	(64 * 1024)

/* LLVMFuzzerInitialize - GMime, once */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_pin_iconv();
	pd_mime_init();
	return 0;
}

/* span - length of the leading run of s made of bytes in set */
static size_t
span(const char *s, const char *set)
{
	return strspn(s, set);
}

#define UPPER	"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define DIGITS	"0123456789"

/* merge_ok - PREFIX-NUMBER-CODE as rule 5 of pd_cmd.h stores it */
static bool
merge_ok(const char *a)
{
	size_t p = span(a, UPPER DIGITS);
	size_t n;

	if (p < 1 || p > 16 || strchr(UPPER, a[0]) == NULL || a[p] != '-')
		return false;
	a += p + 1;
	n = span(a, DIGITS);
	if (n < 1 || n > 18 || a[n] != '-')
		return false;
	a += n + 1;
	return span(a, UPPER DIGITS) == 4 && a[4] == '\0';
}

/* arg_ok - the argument of c follows rule 5 */
static bool
arg_ok(const struct pd_cmd *c)
{
	const char *a = c->arg;
	size_t len = strlen(a);

	switch (c->kind) {
	case PD_CMD_RESOLVE:
	case PD_CMD_PENDING:
	case PD_CMD_OPEN:
	case PD_CMD_NOTE:
		return len == 0;
	case PD_CMD_PRIORITY:
		return strcmp(a, "low") == 0 || strcmp(a, "normal") == 0 ||
		    strcmp(a, "high") == 0 || strcmp(a, "urgent") == 0;
	case PD_CMD_ASSIGN:
		return len >= 1 && len <= PD_CMD_LOGIN_MAX && span(a, UPPER
		    DIGITS "abcdefghijklmnopqrstuvwxyz._@+-") == len;
	case PD_CMD_MERGE:
		return merge_ok(a);
	}
	return false;
}

/* check_list - a command list is well formed */
static void
check_list(const struct pd_cmd_list *l)
{
	size_t wlen;
	size_t i;
	int k;

	FUZZ_CHECK(l->n >= 0 && l->n <= PD_CMD_MAX, "command count");
	for (k = 0; k < l->n; k++) {
		FUZZ_CHECK(memchr(l->cmds[k].arg, '\0', PD_CMD_ARG_MAX) !=
		    NULL, "argument terminated");
		FUZZ_CHECK(arg_ok(&l->cmds[k]), "argument follows rule 5");
	}
	FUZZ_CHECK(memchr(l->why, '\0', PD_CMD_WHY_MAX) != NULL,
	    "why terminated");
	wlen = strlen(l->why);
	FUZZ_CHECK(l->bad == (wlen > 0), "why is set exactly when bad");
	FUZZ_CHECK(fuzz_utf8(l->why, wlen), "why is UTF-8");
	for (i = 0; i < wlen; i++)
		FUZZ_CHECK((unsigned char)l->why[i] >= 0x20 &&
		    l->why[i] != 0x7f, "why has no control characters");
}

/* check_text - the plain-text rules */
static void
check_text(const char *text, size_t len, struct pd_cmd_list *l)
{
	struct pd_cmd_list again;
	size_t off = pd_cmd_parse_text(text, len, l);
	const char *rest = text + off;

	check_list(l);
	FUZZ_CHECK(off <= len, "block inside the text");
	FUZZ_CHECK((off == 0) == (l->n == 0 && !l->bad),
	    "offset 0 exactly when there is no command line");
	if (off == 0)
		return;
	/* A BOM starts a text as whitespace, but not a later line. */
	if (off < len && !(len - off >= 3 && memcmp(rest, "\xef\xbb\xbf",
	    3) == 0)) {
		FUZZ_CHECK(pd_cmd_parse_text(rest, len - off, &again) == 0,
		    "the text after the block starts no block");
	}
	FUZZ_CHECK(pd_cmd_parse_text(text, off, &again) == off,
	    "the block alone is all block");
	FUZZ_CHECK(memcmp(&again, l, sizeof(again)) == 0,
	    "the block alone gives the same commands");
}

/* subsequence - b[0..blen) is a[0..alen) with some bytes taken out */
static bool
subsequence(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i = 0;
	size_t j;

	for (j = 0; j < blen; j++) {
		while (i < alen && a[i] != b[j])
			i++;
		if (i == alen)
			return false;
		i++;
	}
	return true;
}

/* check_html - the HTML rules */
static void
check_html(const char *html, size_t len)
{
	struct pd_cmd_list l;
	struct pd_buf out;
	bool removed;

	pd_buf_init(&out, len + 64);
	removed = pd_cmd_strip_html(html, len, &l, &out);
	check_list(&l);
	FUZZ_CHECK(subsequence(html, len, out.data ? out.data : "", out.len),
	    "stripping only removes bytes");
	if (removed)
		FUZZ_CHECK(out.len < len, "something was removed");
	else
		FUZZ_CHECK(out.len == len && (len == 0 ||
		    memcmp(out.data, html, len) == 0),
		    "nothing removed: the HTML as it was");
	pd_buf_free(&out);
	pd_buf_init(&out, VISIBLE_MAX + 1);
	if (pd_cmd_html_text(html, len, VISIBLE_MAX, &out) == PD_OK)
		FUZZ_CHECK(out.len <= VISIBLE_MAX, "visible text within max");
	pd_buf_free(&out);
}

/* message - headers plus text[0..len) with every line end CRLF */
static void
message(struct pd_buf *b, const char *type, const char *text, size_t len)
{
	size_t i;

	pd_buf_adds(b, "From: agent@example.com\r\nContent-Type: ");
	pd_buf_adds(b, type);
	pd_buf_adds(b, "; charset=utf-8\r\nMIME-Version: 1.0\r\n\r\n");
	for (i = 0; i < len; i++) {
		if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r'))
			pd_buf_addc(b, '\r');
		pd_buf_addc(b, text[i]);
		if (text[i] == '\r' && (i + 1 == len || text[i + 1] != '\n'))
			pd_buf_addc(b, '\n');
	}
}

/* check_bodyedit - one message through pd_bodyedit_commands() */
static void
check_bodyedit(const char *type, const char *text, size_t len,
    const struct pd_cmd_list *plain)
{
	struct pd_err err = { 0, "" };
	struct pd_bodyedit be;
	struct pd_buf msg;
	int rc;

	pd_buf_init(&msg, 3 * len + 256);
	message(&msg, type, text, len);
	rc = pd_bodyedit_commands(msg.data, msg.len, &be, &err);
	FUZZ_CHECK(rc == PD_OK || rc == PD_EINVAL, "documented result");
	check_list(&be.cmds);
	if (be.content_type != NULL)
		FUZZ_CHECK(fuzz_one_line(be.content_type,
		    strlen(be.content_type)), "Content-Type is one line");
	if (be.content_transfer_encoding != NULL)
		FUZZ_CHECK(fuzz_one_line(be.content_transfer_encoding,
		    strlen(be.content_transfer_encoding)), "CTE is one line");
	if (be.first_text != NULL)
		FUZZ_CHECK(strlen(be.first_text) <= PD_BODYEDIT_TEXT_MAX &&
		    fuzz_utf8(be.first_text, strlen(be.first_text)),
		    "first text is UTF-8 within its maximum");
	FUZZ_CHECK(!(be.sealed && be.changed), "sealed mail never changes");
	if (plain != NULL && rc == PD_OK)
		FUZZ_CHECK(memcmp(&be.cmds, plain, sizeof(*plain)) == 0,
		    "the plain message gives pd_cmd_parse_text()'s commands");
	pd_bodyedit_free(&be);
	pd_buf_free(&msg);
}

/* LLVMFuzzerTestOneInput - one reply text */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct pd_cmd_list l;
	bool simple;

	check_text(text, size, &l);
	check_html(text, size);
	simple = fuzz_utf8(text, size) && memchr(text, '\r', size) == NULL;
	check_bodyedit("text/plain", text, size, simple ? &l : NULL);
	check_bodyedit("text/html", text, size, NULL);
	return 0;
}
