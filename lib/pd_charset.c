/*
 * pd_charset.c - guess the charset of undeclared 8-bit text
 *
 * PURPOSE	See pd_charset.h.
 * DESIGN	Letter classes follow the usual Russian letter
 *		frequencies (о е а и н т с р в л are a third
 *		of all letters; ъ and ё are nearly absent from real
 *		text).  The weights were chosen so that the three confusions
 *		that matter come out right on lower case, capitalised and
 *		all-capitals words: KOI8-R read as windows-1251 turns lower
 *		case into capitals and capitals into lower case, windows-1251
 *		read as KOI8-R does the same with different letters, and
 *		either read as ISO-8859-1 gives words of accented Latin
 *		letters with no ASCII letter in them.
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdbool.h>
#include <string.h>

#include <glib.h>

#include "pd_charset.h"
#include "pd_mem.h"

#define CYR_A		0x0430		/* а */
#define CYR_YA		0x044f		/* я */
#define CYR_YO		0x0451		/* ё */

/* Frequency class of а..я (index c - CYR_A). */
static const signed char cyr_weight[32] = {
	3, 2, 3, 2, 2, 3, 1, 2, 3, 1, 2, 3, 2, 3, 3, 2,	/* а..п */
	3, 3, 3, 2, 0, 1, 0, 2, 1, 0, -2, 2, 2, 0, 1, 2, /* р..я */
};

static const char *const candidates[] = {
	"windows-1251", "KOI8-R", "ISO-8859-1",
};

struct word_stat {
	long	cyr_score;	/* sum of letter weights */
	int	ascii;		/* ASCII letters */
	int	cyr;		/* Cyrillic letters */
	int	latin;		/* non-ASCII Latin letters (U+00C0..U+024F) */
	int	upper;		/* Cyrillic capitals */
	int	inner_upper;	/* Cyrillic capitals after the first letter */
};

/* letter_weight - frequency class of a lower-case Cyrillic letter */
static int
letter_weight(gunichar lc)
{
	if (lc >= CYR_A && lc <= CYR_YA)
		return cyr_weight[lc - CYR_A];
	if (lc == CYR_YO)
		return -2;
	return -1;			/* Ukrainian, Serbian, ... letters */
}

/* word_add - account one letter of the current word */
static void
word_add(struct word_stat *w, gunichar c, int index)
{
	if (c < 0x80) {
		w->ascii++;
	} else if (c >= 0x0400 && c <= 0x04ff) {
		w->cyr++;
		w->cyr_score += letter_weight(g_unichar_tolower(c));
		if (g_unichar_isupper(c)) {
			w->upper++;
			if (index > 0)
				w->inner_upper++;
		}
	} else if (c >= 0x00c0 && c <= 0x024f) {
		w->latin++;
	}
}

/* word_score - the score of a finished word */
static long
word_score(const struct word_stat *w)
{
	long s = 0;

	if (w->cyr > 0 && w->ascii > 0)
		return -4;		/* Cyrillic inside a Latin word */
	if (w->latin > 0 && w->ascii > 0 && w->cyr == 0)
		return 4;		/* "café", "Grüße" */
	if (w->latin > 0 && w->cyr == 0)
		return 1;
	if (w->cyr > 0) {
		s = w->cyr_score;
		if (w->upper != w->cyr)	/* all capitals is fine */
			s -= 4L * w->inner_upper;
	}
	return s;
}

/* symbol_score - penalty for a non-letter, non-ASCII character */
static long
symbol_score(gunichar c)
{
	if (c >= 0x80 && c <= 0x9f)
		return -5;		/* C1 controls: not text */
	if (c >= 0x2500 && c <= 0x259f)
		return -5;		/* box drawing, blocks (KOI8-R 80-BF) */
	return 0;
}

/* pd_charset_score - sum of word and symbol scores */
long
pd_charset_score(const char *utf8, size_t len)
{
	struct word_stat w = { 0 };
	const char *p = utf8;
	const char *end = utf8 + len;
	long score = 0;
	int index = 0;

	while (p < end) {
		gunichar c = g_utf8_get_char_validated(p, end - p);

		if (c == (gunichar)-2)
			break;		/* cut short by the scan limit */
		if (c == (gunichar)-1)
			return score - 100;
		p = g_utf8_next_char(p);
		if (g_unichar_isalpha(c)) {
			word_add(&w, c, index++);
			continue;
		}
		if (index > 0)
			score += word_score(&w);
		memset(&w, 0, sizeof(w));
		index = 0;
		score += symbol_score(c);
	}
	if (index > 0)
		score += word_score(&w);
	return score;
}

/* pd_charset_guess - best-scoring candidate that converts s */
const char *
pd_charset_guess(const char *s, size_t len)
{
	const char *best = candidates[G_N_ELEMENTS(candidates) - 1];
	long best_score = 0;
	bool have = false;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(candidates); i++) {
		gsize outlen = 0;
		gchar *u = g_convert(s, (gssize)len, "UTF-8", candidates[i],
		    NULL, &outlen, NULL);
		long sc;

		if (u == NULL)
			continue;
		sc = pd_charset_score(u, outlen < PD_CHARSET_SCAN_MAX * 3 ?
		    outlen : PD_CHARSET_SCAN_MAX * 3);
		g_free(u);
		if (!have || sc > best_score) {
			best = candidates[i];
			best_score = sc;
			have = true;
		}
	}
	return best;
}

/* pd_charset_valid_dup - see pd_charset.h */
char *
pd_charset_valid_dup(const char *s, size_t len)
{
	gchar *valid;
	char *copy;

	if (g_utf8_validate(s, (gssize)len, NULL))
		return pd_xmemdup(s, len);
	valid = g_utf8_make_valid(s, (gssize)len);
	copy = pd_xstrdup(valid);
	g_free(valid);
	return copy;
}
