/*
 * subject_golden.c - rewrite escaped Subject values, one per line
 *
 * PURPOSE	Drives pd_subject_rewrite() for the golden test
 *		(tests/unit/subject_golden.sh): reads tests/golden/subject/
 *		cases.in (or any file in that format, or stdin) and writes
 *		one rewritten value per input line, so the output can be
 *		diffed against cases.ref.  The tag is that of ticket 42 under
 *		a fixed test key (32 bytes of 0x42), prefix "PD".
 * DESIGN	Line format, both directions: one raw value per line; "\n",
 *		"\t", "\r", "\\" and "\xNN" escape bytes; bytes that form
 *		valid UTF-8 are written as they are, every other byte >= 0x80
 *		and every control byte as "\xNN".  Lines starting with '#' are
 *		comments and are copied; a value the rewriter refuses is
 *		written as "#!error: <reason>", so the output has exactly one
 *		line per input line and can be fed back in unchanged.
 *		Usage: subject_golden [-t] [file]; -t prints the tag only.
 * OWNERSHIP	Everything is freed before exit.
 * THREADS	Single-threaded.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "pd_buf.h"
#include "pd_err.h"
#include "pd_key.h"
#include "pd_mem.h"
#include "pd_subject.h"
#include "pd_tag.h"

#define LINE_MAX_BYTES	(4 * PD_SUBJECT_OUT_MAX)

/* hexval - value of a hex digit or -1 */
static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* unescape - line[0..len) to raw bytes in out */
static int
unescape(const char *line, size_t len, struct pd_buf *out)
{
	size_t i;
	int rc = PD_OK;

	for (i = 0; i < len && rc == PD_OK; i++) {
		char c = line[i];

		if (c == '\\' && i + 1 < len) {
			c = line[++i];
			if (c == 'n')
				c = '\n';
			else if (c == 't')
				c = '\t';
			else if (c == 'r')
				c = '\r';
			else if (c == 'x' && i + 2 < len &&
			    hexval((unsigned char)line[i + 1]) >= 0 &&
			    hexval((unsigned char)line[i + 2]) >= 0) {
				c = (char)(hexval((unsigned char)line[i + 1]) *
				    16 + hexval((unsigned char)line[i + 2]));
				i += 2;
			}
		}
		rc = pd_buf_addc(out, c);
	}
	return rc;
}

/* escape - raw bytes s[0..len) to one line in out */
static int
escape(const char *s, size_t len, struct pd_buf *out)
{
	size_t i = 0;
	int rc = PD_OK;

	while (i < len && rc == PD_OK) {
		unsigned char c = (unsigned char)s[i];
		gunichar u = c >= 0x80 ? g_utf8_get_char_validated(s + i,
		    (gssize)(len - i)) : 0;

		if (c >= 0x80 && u != (gunichar)-1 && u != (gunichar)-2) {
			size_t n = (size_t)(g_utf8_next_char(s + i) - (s + i));

			rc = pd_buf_add(out, s + i, n);
			i += n;
			continue;
		}
		if (c == '\\')
			rc = pd_buf_adds(out, "\\\\");
		else if (c == '\n')
			rc = pd_buf_adds(out, "\\n");
		else if (c == '\t')
			rc = pd_buf_adds(out, "\\t");
		else if (c == '\r')
			rc = pd_buf_adds(out, "\\r");
		else if (c < 0x20 || c >= 0x7f)
			rc = pd_buf_printf(out, "\\x%02X", c);
		else
			rc = pd_buf_addc(out, (char)c);
		i++;
	}
	return rc;
}

/* one_line - rewrite one escaped value and print the result */
static void
one_line(const char *line, size_t len, const char *tag)
{
	struct pd_buf raw, esc;
	char *out = NULL;
	int rc;

	if (len > 0 && line[0] == '#') {
		printf("%.*s\n", (int)len, line);
		return;
	}
	pd_buf_init(&raw, LINE_MAX_BYTES);
	pd_buf_init(&esc, LINE_MAX_BYTES);
	rc = unescape(line, len, &raw);
	if (rc == PD_OK)
		rc = pd_subject_rewrite(pd_buf_str(&raw), raw.len, "PD", tag,
		    &out, NULL);
	if (rc == PD_OK)
		rc = escape(out, strlen(out), &esc);
	if (rc == PD_OK)
		printf("%s\n", pd_buf_str(&esc));
	else
		printf("#!error: %s\n", pd_err_str(rc));
	pd_free(out);
	pd_buf_free(&raw);
	pd_buf_free(&esc);
}

/* read_all - the whole of path ("-": stdin) into b */
static int
read_all(const char *path, struct pd_buf *b)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char chunk[8192];
	size_t n;
	int rc = PD_OK;

	if (fp == NULL)
		return PD_EINVAL;
	while (rc == PD_OK) {
		n = fread(chunk, 1, sizeof(chunk), fp);
		if (n == 0)
			break;
		rc = pd_buf_add(b, chunk, n);
	}
	if (fp != stdin)
		fclose(fp);
	return rc;
}

/* main - rewrite every line of the file (or stdin) */
int
main(int argc, char **argv)
{
	unsigned char raw[PD_KEY_BYTES];
	char tag[PD_TAG_MAX];
	struct pd_key *key;
	struct pd_buf in;
	const char *p, *end, *nl;
	int argi = 1;

	memset(raw, 0x42, sizeof(raw));
	key = pd_key_from_bytes(raw);
	if (pd_tag_format(key, "PD", 42, tag, sizeof(tag)) != PD_OK)
		return 2;
	pd_key_free(&key);
	if (argc > 1 && strcmp(argv[1], "-t") == 0) {
		printf("%s\n", tag);
		return 0;
	}
	pd_buf_init(&in, 64 * 1024 * 1024);
	if (read_all(argc > argi ? argv[argi] : "-", &in) != PD_OK) {
		fprintf(stderr, "subject_golden: cannot read %s\n",
		    argc > argi ? argv[argi] : "stdin");
		return 2;
	}
	p = pd_buf_str(&in);
	end = p + in.len;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		one_line(p, (size_t)(nl - p), tag);
		p = nl + 1;
	}
	pd_buf_free(&in);
	return 0;
}
