/*
 * pd_subject_prefix.c - reply and forward prefixes of a decoded subject
 *
 * PURPOSE	pd_subject_prefix_len(); see pd_subject.h.  Only the prefixes
 *		mail clients write are recognised; list tags ("[list]") and
 *		other systems' ticket tags are ordinary text.
 * DESIGN	A prefix is a run of letters that is in the table below
 *		(compared letter by letter after g_unichar_tolower(), so
 *		"RE", "Re", "ΑΠ", "ОТВЕТ" and "İlt" match), an
 *		optional counter ("[2]", "(2)", "^2"), optional spaces
 *		("Re :"), and a colon (ASCII or the full-width U+FF1A of CJK
 *		clients).  Entries marked STRICT must be followed by
 *		whitespace or the end, because they are short enough to start
 *		ordinary text ("I: ..." in Italian is a forward, "I:x" is not;
 *		"PD: " is a Polish forward, "PD:x" is not).  Prefixes repeat
 *		and mix ("Re: AW: Fwd[2]: ").  The scan reads each character
 *		a bounded number of times.
 * THREADS	Reentrant; the table is constant.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <glib.h>

#include "pd_subject.h"

#define WORD_MAX	16		/* letters of the longest entry */
#define COUNTER_MAX	5		/* digits in "[12345]" */
#define STRICT		0x1

static const struct prefix {
	const char	*word;		/* lower case, UTF-8 */
	unsigned	 flags;
} prefixes[] = {
	{ "re", 0 },			/* Latin "in re": English and most */
	{ "fwd", 0 },
	{ "fw", 0 },
	{ "aw", 0 },			/* German Antwort */
	{ "wg", 0 },			/* German weitergeleitet */
	{ "sv", 0 },			/* Scandinavian svar */
	{ "vs", 0 },			/* Finnish vastaus */
	{ "vl", 0 },			/* Finnish välitetty */
	{ "vb", 0 },			/* Swedish vidarebefordrat */
	{ "odp", 0 },			/* Polish odpowiedź */
	{ "pd", STRICT },		/* Polish przekazanie dalej */
	{ "antw", 0 },			/* Dutch antwoord */
	{ "doorst", 0 },		/* Dutch doorgestuurd */
	{ "tr", 0 },			/* French transféré */
	{ "rif", 0 },			/* Italian riferimento */
	{ "r", STRICT },		/* Italian risposta */
	{ "i", STRICT },		/* Italian inoltrato */
	{ "enc", 0 },			/* Portuguese encaminhado */
	{ "res", 0 },			/* Portuguese resposta */
	{ "rv", 0 },			/* Spanish reenviado */
	{ "ynt", 0 },			/* Turkish yanıt */
	{ "ilt", 0 },			/* Turkish İlt (iletilen) */
	{ "vá", 0 },			/* Hungarian válasz */
	{ "továbbítás", 0 },		/* Hungarian */
	{ "ответ", 0 },
	{ "отв", 0 },
	{ "пересл", 0 },
	{ "переслать", 0 },
	{ "απ", 0 },			/* Greek απάντηση */
	{ "σχετ", 0 },			/* Greek σχετικά */
	{ "πρθ", 0 },			/* Greek προώθηση */
	{ "תגובה", 0 },			/* Hebrew */
	{ "השב", 0 },
	{ "回复", 0 },			/* Chinese, simplified */
	{ "回覆", 0 },			/* Chinese, traditional */
	{ "答复", 0 },
	{ "转发", 0 },
	{ "轉寄", 0 },
	{ "返信", 0 },			/* Japanese */
	{ "転送", 0 },
};

/* is_space - whitespace inside a decoded subject */
static bool
is_space(int c)
{
	return c == ' ' || c == '\t';
}

/* skip_space - first offset at or after i that is not whitespace */
static size_t
skip_space(const char *s, size_t len, size_t i)
{
	while (i < len && is_space((unsigned char)s[i]))
		i++;
	return i;
}

/* table_flags - flags of the entry equal to w[0..n), or -1 */
static int
table_flags(const gunichar *w, size_t n)
{
	size_t i;
	size_t k;

	for (i = 0; i < G_N_ELEMENTS(prefixes); i++) {
		const char *p = prefixes[i].word;

		for (k = 0; k < n && *p != '\0'; k++) {
			if (g_utf8_get_char(p) != w[k])
				break;
			p = g_utf8_next_char(p);
		}
		if (k == n && *p == '\0')
			return (int)prefixes[i].flags;
	}
	return -1;
}

/*
 * read_word - lower-cased letters at s[*i..len) into w (at most WORD_MAX);
 * returns how many, 0 when there are none or too many.
 */
static size_t
read_word(const char *s, size_t len, size_t *i, gunichar *w)
{
	size_t n = 0;

	while (*i < len) {
		gunichar c = g_utf8_get_char_validated(s + *i,
		    (gssize)(len - *i));

		if (c == (gunichar)-1 || c == (gunichar)-2 ||
		    !g_unichar_isalpha(c))
			break;
		if (n == WORD_MAX)
			return 0;
		w[n++] = g_unichar_tolower(c);
		*i = (size_t)(g_utf8_next_char(s + *i) - s);
	}
	return n;
}

/* skip_counter - past "[n]", "(n)" or "^n" at s[i], else i */
static size_t
skip_counter(const char *s, size_t len, size_t i)
{
	size_t j = i + 1;
	size_t d = 0;
	char close;

	if (i >= len || (s[i] != '[' && s[i] != '(' && s[i] != '^'))
		return i;
	close = s[i] == '[' ? ']' : s[i] == '(' ? ')' : 0;
	while (j < len && d < COUNTER_MAX && g_ascii_isdigit(s[j])) {
		j++;
		d++;
	}
	if (d == 0)
		return i;
	if (close == 0)
		return j;
	return j < len && s[j] == close ? j + 1 : i;
}

/* skip_colon - past ':' or U+FF1A at s[i], else 0 */
static size_t
skip_colon(const char *s, size_t len, size_t i)
{
	if (i < len && s[i] == ':')
		return i + 1;
	if (i + 3 <= len && memcmp(s + i, "\xef\xbc\x9a", 3) == 0)
		return i + 3;
	return 0;
}

/* match_at - end of the prefix (colon included) at s[i], or 0 */
static size_t
match_at(const char *s, size_t len, size_t i)
{
	gunichar w[WORD_MAX];
	size_t n;
	size_t j = i;
	size_t sp;
	int flags;

	n = read_word(s, len, &j, w);
	if (n == 0)
		return 0;
	flags = table_flags(w, n);
	if (flags < 0)
		return 0;
	j = skip_counter(s, len, j);
	sp = j;
	while (j < len && s[j] == ' ' && j - sp < 2)
		j++;
	j = skip_colon(s, len, j);
	if (j == 0)
		return 0;
	if ((flags & STRICT) && j < len && !is_space((unsigned char)s[j]))
		return 0;
	return j;
}

/* pd_subject_prefix_len - leading whitespace and prefixes, repeated */
size_t
pd_subject_prefix_len(const char *utf8, size_t len)
{
	size_t pos = skip_space(utf8, len, 0);
	size_t end;

	for (;;) {
		end = match_at(utf8, len, pos);
		if (end == 0)
			return pos;
		pos = skip_space(utf8, len, end);
	}
}
