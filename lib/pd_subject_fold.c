/*
 * pd_subject_fold.c - fold a header value and check it is safe to send
 *
 * PURPOSE	pd_subject_fold() and pd_subject_value_safe(); see
 *		pd_subject.h.  The check is the last line of defence against
 *		header injection: whatever the rewriting did, a value that
 *		could end the header or start a new one never leaves lib/.
 * DESIGN	Folding is greedy: a fold ("\n" before the whitespace) goes
 *		at the last whitespace that keeps the line within
 *		PD_SUBJECT_LINE_SOFT characters, counting "Subject:" on the
 *		first line.  Existing folds are kept.  A word longer than a
 *		line is not broken (that would change the text); the value
 *		check then refuses it if it passes PD_SUBJECT_LINE_HARD.
 *		Whitespace at the end is never folded: a line of nothing but
 *		whitespace is not allowed (RFC 5322 3.2.2).  Lengths are
 *		counted in octets, which folds raw UTF-8 a little early.
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "pd_err.h"
#include "pd_subject.h"

/* is_wsp - whitespace, folding included */
static bool
is_wsp(int c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* run_end - end of the run starting at i whose bytes are (not) wsp */
static size_t
run_end(const char *s, size_t len, size_t i, bool wsp)
{
	while (i < len && is_wsp((unsigned char)s[i]) == wsp)
		i++;
	return i;
}

/* pd_subject_fold - fold value[0..len) into out (appended) */
int
pd_subject_fold(const char *value, size_t len, struct pd_buf *out)
{
	size_t col = PD_SUBJECT_FIELD_LEN;
	bool content = false;		/* a word on the current line */
	size_t i = 0;
	size_t j, k;
	const char *nl;
	int rc = PD_OK;

	while (i < len && rc == PD_OK) {
		j = run_end(value, len, i, true);	/* whitespace i..j */
		k = run_end(value, len, j, false);	/* word j..k */
		nl = memchr(value + i, '\n', j - i);
		if (nl != NULL) {
			col = (size_t)(value + j - nl) - 1;
		} else if (content && k > j &&
		    col + (k - i) > PD_SUBJECT_LINE_SOFT) {
			rc = pd_buf_addc(out, '\n');
			col = 0;
		}
		if (rc == PD_OK)
			rc = pd_buf_add(out, value + i, k - i);
		col += nl != NULL ? k - j : k - i;
		content = content || k > j;
		i = k;
	}
	return rc;
}

/* line_has_text - something other than SP/TAB before the next LF */
static bool
line_has_text(const char *v, size_t len, size_t i)
{
	for (; i < len && v[i] != '\n'; i++)
		if (v[i] != ' ' && v[i] != '\t')
			return true;
	return false;
}

/* pd_subject_value_safe - the header-injection invariant */
bool
pd_subject_value_safe(const char *value, size_t len)
{
	size_t col = PD_SUBJECT_FIELD_LEN;
	size_t i;

	for (i = 0; i < len; i++) {
		if (value[i] == '\0' || value[i] == '\r')
			return false;
		if (value[i] != '\n') {
			if (++col > PD_SUBJECT_LINE_HARD)
				return false;
			continue;
		}
		if (i + 1 >= len || (value[i + 1] != ' ' &&
		    value[i + 1] != '\t') || !line_has_text(value, len, i + 1))
			return false;
		col = 0;
	}
	return true;
}
