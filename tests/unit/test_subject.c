/*
 * test_subject.c - unit tests for pd_subject: reply prefixes, rewriting,
 * display text, folding and the header-injection check; idempotence of
 * every case; the shared corpus (../shared/corpus) when it is there
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "pd_err.h"
#include "pd_key.h"
#include "pd_mem.h"
#include "pd_subject.h"
#include "pd_tag.h"
#include "../harness/tap.h"

static char tag[PD_TAG_MAX];

static const struct {
	const char *text;
	size_t len;
} prefix_cases[] = {
	{ "Re: x", 4 }, { "RE: x", 4 }, { "Re[2]: x", 7 }, { "RE[3]: x", 7 },
	{ "Re(2): x", 7 }, { "Re^2: x", 6 }, { "Fwd: x", 5 }, { "Fw: x", 4 },
	{ "FW: x", 4 }, { "Fwd[2]: x", 8 }, { "AW: x", 4 }, { "WG: x", 4 },
	{ "SV: x", 4 }, { "VS: x", 4 }, { "Vs: x", 4 }, { "Odp: x", 5 },
	{ "PD: x", 4 }, { "Antw: x", 6 }, { "Doorst: x", 8 }, { "Tr: x", 4 },
	{ "TR: x", 4 }, { "RIF: x", 5 }, { "R: x", 3 }, { "I: x", 3 },
	{ "Rif: x", 5 }, { "Enc: x", 5 }, { "ENC: x", 5 }, { "Res: x", 5 },
	{ "RES: x", 5 }, { "Ynt: x", 5 }, { "İlt: x", 6 }, { "Re : x", 5 },
	{ "Ответ: x", 12 }, { "Отв: x", 8 }, { "ОТВ: x", 8 },
	{ "Пересл: x", 14 }, { "Переслать: x", 20 }, { "回复: x", 8 },
	{ "回覆: x", 8 }, { "转发: x", 8 }, { "轉寄: x", 8 }, { "答复: x", 8 },
	{ "返信: x", 8 }, { "転送: x", 8 }, { "Fw： x", 6 }, { "ΑΠ: x", 6 },
	{ "ΣΧΕΤ: x", 10 }, { "ΠΡΘ: x", 8 }, { "תגובה: x", 12 },
	{ "השב: x", 8 }, { "Vá: x", 5 }, { "Továbbítás: x", 15 },
	{ "VL: x", 4 }, { "VB: x", 4 }, { "Sv: x", 4 }, { "Aw: x", 4 },
	{ "Wg: x", 4 }, { "RV: x", 4 }, { "ответ: x", 12 }, { "απ: x", 6 },
	{ "Re: Re: Fwd: x", 13 }, { "Re: AW: WG: RE[2]: x", 19 },
	{ "回复：你好", 9 }, { "Re:x", 3 }, { "  Re:  x", 7 }, { "Re:", 3 },
	/* not prefixes */
	{ "Reading list", 0 }, { "Regarding: x", 0 }, { "Fwdx: y", 0 },
	{ "Response: z", 0 }, { "PD:x", 0 }, { "I:x", 0 }, { "Re x", 0 },
	{ "Re[x]: y", 0 }, { ": x", 0 }, { "Are: x", 0 }, { "x Re: y", 0 },
	{ "[PD-1-AAAA] Re: x", 0 }, { "[list] Re: x", 0 }, { "Re[2] x", 0 },
	{ "Ответить: x", 0 }, { "回复你好：x", 0 }, { "  x", 2 },
	{ "Re: Fwd:x", 8 },
};

/* check_prefixes - the prefix table */
static void
check_prefixes(void)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(prefix_cases); i++) {
		const char *t = prefix_cases[i].text;
		char name[80];

		snprintf(name, sizeof(name), "prefix: \"%s\"", t);
		is_int((long long)pd_subject_prefix_len(t, strlen(t)),
		    (long long)prefix_cases[i].len, name);
	}
}

/* subst_tag - append from[0..end) to g with "@T" replaced by the tag */
static void
subst_tag(GString *g, const char *from, const char *end)
{
	while (from < end) {
		if (from + 1 < end && from[0] == '@' && from[1] == 'T') {
			g_string_append(g, tag);
			from += 2;
		} else {
			g_string_append_c(g, *from++);
		}
	}
}

/*
 * subst - s with "@T" replaced by the tag, and "@K{...}" / "@W{...}" by
 * the base64 of the KOI8-R / windows-1251 form of the text in braces
 * (which may contain "@T"); the caller g_free()s the result
 */
static char *
subst(const char *s)
{
	GString *g = g_string_new(NULL);

	for (;;) {
		const char *k = strstr(s, "@K{");
		const char *w = strstr(s, "@W{");
		const char *at = k == NULL || (w != NULL && w < k) ? w : k;

		const char *end;
		GString *in;
		gsize n = 0;
		gchar *c;
		gchar *b;

		if (at == NULL)
			break;
		end = strchr(at, '}');
		in = g_string_new(NULL);
		subst_tag(g, s, at);
		subst_tag(in, at + 3, end);
		c = g_convert(in->str, -1, at[1] == 'K' ? "KOI8-R" :
		    "windows-1251", "UTF-8", NULL, &n, NULL);
		b = g_base64_encode((guchar *)c, n);
		g_string_append(g, b);
		g_free(b);
		g_free(c);
		g_string_free(in, TRUE);
		s = end + 1;
	}
	subst_tag(g, s, s + strlen(s));
	return g_string_free(g, FALSE);
}

/* "返信：こんにちは" */
#define JA_RE	"=?ISO-2022-JP?B?GyRCSlY/LiEnJDMkcyRLJEEkTxsoQg==?="

static const struct {
	const char *name;
	const char *raw;
	const char *want;		/* after subst() */
	int reencoded;
} rw_cases[] = {
	{ "plain ASCII", " hello", " @T hello", 0 },
	{ "no leading space", "hello", "@T hello", 0 },
	{ "leading whitespace kept exactly", "\t  hello", "\t  @T hello", 0 },
	{ "reply prefixes", " Re: Re: Fwd: x", " Re: Re: Fwd: @T x", 0 },
	{ "localized prefixes", " AW: WG: RE[2]: Odp: x",
	  " AW: WG: RE[2]: Odp: @T x", 0 },
	{ "prefix without space", " Re:hello", " Re: @T hello", 0 },
	{ "only a prefix", " Re:", " Re: @T", 0 },
	{ "only a prefix and a space", " Re: ", " Re: @T", 0 },
	{ "our tag moves to the front", " Re: something @T",
	  " Re: @T something", 0 },
	{ "our tag already in place", " Re: @T something",
	  " Re: @T something", 0 },
	{ "tag in the middle removed", " Re: foo [PD-7-ABCD] bar",
	  " Re: @T foo bar", 0 },
	{ "two of our tags removed", " [PD-1-AAAA] Re: x [PD-2-BBBB] y",
	  " Re: @T x y", 0 },
	{ "adjacent tags removed", " [PD-1-AAAA] [PD-2-BBBB] x", " @T x", 0 },
	{ "tag glued to a word", " Re: [PD-1-AAAA]hello", " Re: @T hello", 0 },
	{ "retyped tag removed", " re: [pd-7-abcd] x", " re: @T x", 0 },
	{ "other systems' tags kept", " Re: [#ABC-123] [JIRA-5] help",
	  " Re: @T [#ABC-123] [JIRA-5] help", 0 },
	{ "other prefix kept", " [XX-7-ABCD] x", " @T [XX-7-ABCD] x", 0 },
	{ "only our tag", " [PD-1-AAAA]", " @T", 0 },
	{ "empty subject", " ", " @T", 0 },
	{ "missing subject", "", "@T", 0 },
	{ "raw UTF-8", " Ответ: Привет", " Ответ: @T Привет", 0 },
	{ "raw windows-1251 bytes kept",
	  " Re: \xcf\xf0\xe8\xe2\xe5\xf2 \xec\xe8\xf0",
	  " Re: @T \xcf\xf0\xe8\xe2\xe5\xf2 \xec\xe8\xf0", 0 },
	{ "raw KOI8-R with our tag inside",
	  " \xf0\xd2\xc9\xd7\xc5\xd4 [PD-1-AAAA] \xcd\xc9\xd2",
	  " @T \xf0\xd2\xc9\xd7\xc5\xd4 \xcd\xc9\xd2", 0 },
	/*
	 * the deletion joins "abc" and windows-1251 "при" into one word,
	 * which a fresh guess reads as ISO-8859-1 "abcïðè": the raw text
	 * is written in UTF-8 (fuzz_subject, regress/display-text-kept)
	 */
	{ "raw windows-1251 joined by a deletion becomes UTF-8",
	  " abc[PD-7-ABCD]\xef\xf0\xe8", " @T abcпри", 1 },
	{ "raw KOI8-R prefix glued to text",
	  " \xef\xd4\xd7\xc5\xd4:\xf0\xd2\xc9\xd7\xc5\xd4",
	  " \xef\xd4\xd7\xc5\xd4: @T \xf0\xd2\xc9\xd7\xc5\xd4", 0 },
	{ "encoded-words kept byte for byte",
	  " =?utf-8?q?caf=C3=A9?= =?UTF-8?B?SGVsbG8=?=",
	  " @T =?utf-8?q?caf=C3=A9?= =?UTF-8?B?SGVsbG8=?=", 0 },
	{ "gmime#133 words kept",
	  " Re: =?UTF-8?B?SGVsbG8=?= =?UTF-8?B?IHdvcmxk?=",
	  " Re: @T =?UTF-8?B?SGVsbG8=?= =?UTF-8?B?IHdvcmxk?=", 0 },
	{ "tag inside an encoded word", " =?UTF-8?B?W1BELTEtQUFBQV0gaGVsbG8=?=",
	  " @T =?UTF-8?B?aGVsbG8=?=", 1 },
	{ "KOI8-R tag removed, charset kept",
	  " =?KOI8-R?B?@K{[PD-7-ABCD] Привет}?=", " @T =?KOI8-R?B?@K{Привет}?=",
	  1 },
	{ "Ответ: inside a KOI8-R word",
	  " =?KOI8-R?B?@K{Ответ: Привет мир}?=",
	  " =?KOI8-R?B?@K{Ответ: @T Привет мир}?=", 1 },
	{ "Ответ: inside a windows-1251 word, lower-case b kept",
	  " =?windows-1251?b?@W{Ответ: Привет}?=",
	  " =?windows-1251?b?@W{Ответ: @T Привет}?=", 1 },
	{ "our tag in place inside a word: raw bytes kept",
	  " =?koi8-r?b?@K{Re: @T Договор}?=",
	  " =?koi8-r?b?@K{Re: @T Договор}?=", 0 },
	{ "prefix word, then a word in another charset",
	  " =?KOI8-R?B?@K{Ответ:}?= =?windows-1251?B?@W{Привет}?=",
	  " =?KOI8-R?B?@K{Ответ:}?= @T =?windows-1251?B?@W{Привет}?=", 0 },
	{ "tag between encoded-words: the space moves into the next word",
	  " =?ISO-8859-1?Q?foo?= [PD-1-AAAA] =?KOI8-R?Q?bar?=",
	  " @T =?ISO-8859-1?Q?foo?= =?KOI8-R?Q?_bar?=", 1 },
	{ "tag in a word between raw text",
	  " Re: =?utf-8?q?[PD-9-ZZZZ]_caf=C3=A9?= x",
	  " Re: @T =?utf-8?q?caf=C3=A9?= x", 1 },
	{ "ISO-2022-JP word kept, tag before it",
	  " Re: TEST\n \n\t=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=",
	  " Re: @T TEST\n \t=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=", 0 },
	{ "返信： inside an ISO-2022-JP word", " " JA_RE,
	  " =?ISO-2022-JP?B?GyRCSlY/LiEnGyhCIFtQRC00Mi1LWVBIXSAbJEIkMyRzJEsk"
	  "QSRPGyhC?=", 1 },
	{ "character split across words, tag inserted inside",
	  " =?UTF-8?B?0J7RgtCy0LXRgjog0A==?= =?UTF-8?B?n9GA0LjQstC10YI=?=",
	  " =?UTF-8?B?0J7RgtCy0LXRgjogW1BELTQyLUtZUEhdINCf0YDQuNCy0LXRgg==?=",
	  1 },
	{ "injection: decoded CR LF stays encoded",
	  " =?UTF-8?Q?x=0D=0ABcc:_evil@example.com?=",
	  " @T =?UTF-8?Q?x=0D=0ABcc:_evil@example.com?=", 0 },
	{ "injection: re-encoded word keeps CR LF encoded",
	  " =?UTF-8?Q?[PD-1-AAAA]_x=0D=0ABcc:_y?=",
	  " @T =?UTF-8?Q?x=0D=0ABcc:_y?=", 1 },
	{ "injection: raw CR LF becomes a fold", " foo\r\nBcc: x",
	  " @T foo\n Bcc: x", 0 },
	{ "injection: trailing LF is no fold", " foo\n", " @T foo ", 0 },
	{ "undecodable word kept literally", " =?x-unknown?Q?abc?=",
	  " @T =?x-unknown?Q?abc?=", 0 },
	{ "existing fold kept",
	  " Re: a subject that was folded by the sending client\n somewhere",
	  " Re: @T a subject that was folded by the sending client\n somewhere",
	  0 },
};

/* rewrite_ok - rewrite raw; check safety and idempotence; return value */
static char *
rewrite_ok(const char *raw, size_t len, const char *name, int *rc,
    struct pd_subject_info *info)
{
	char *out = NULL;
	char *again = NULL;

	*rc = pd_subject_rewrite(raw, len, "PD", tag, &out, info);
	if (*rc != PD_OK)
		return NULL;
	if (!ok(pd_subject_value_safe(out, strlen(out)), "%s: value safe",
	    name))
		printf("#   value: '%s'\n", out);
	if (pd_subject_rewrite(out, strlen(out), "PD", tag, &again, NULL) ==
	    PD_OK)
		is_str(again, out, "  ... idempotent");
	else
		ok(0, "  ... idempotent (second rewrite failed)");
	pd_free(again);
	return out;
}

/* check_rewrite - the rewrite table */
static void
check_rewrite(void)
{
	struct pd_subject_info info;
	size_t i;
	int rc;

	for (i = 0; i < G_N_ELEMENTS(rw_cases); i++) {
		char *raw = subst(rw_cases[i].raw);
		char *want = subst(rw_cases[i].want);
		char name[160];
		char *out;

		snprintf(name, sizeof(name), "rewrite: %s", rw_cases[i].name);
		out = rewrite_ok(raw, strlen(raw), name, &rc, &info);
		is_str(out, want, name);
		is_int(info.reencoded, rw_cases[i].reencoded,
		    "  ... re-encoded flag");
		pd_free(out);
		g_free(raw);
		g_free(want);
	}
}

/* check_errors - input the rewriter refuses, leaving the header alone */
static void
check_errors(void)
{
	char *big = g_strnfill(PD_SUBJECT_RAW_MAX + 1, 'a');
	char *word = g_strnfill(1200, 'x');
	char *out = (char *)"unchanged";
	const char *s;
	GString *nested;
	size_t i;
	int rc;

	big[0] = ' ';
	rc = pd_subject_rewrite(big, strlen(big), "PD", tag, &out, NULL);
	ok(rc == PD_EINVAL && out == NULL, "error: raw value over 16 KB");
	rc = pd_subject_rewrite(" a\0b", 4, "PD", tag, &out, NULL);
	is_int(rc, PD_EINVAL, "error: NUL byte");
	rc = pd_subject_rewrite(word, strlen(word), "PD", tag, &out, NULL);
	is_int(rc, PD_EINVAL, "error: unbreakable line over 998 octets");
	rc = pd_subject_rewrite(" x", 2, "XY", tag, &out, NULL);
	is_int(rc, PD_EINVAL, "error: tag with another prefix");
	rc = pd_subject_rewrite(" x", 2, "PD", "[PD-42-KYPH] x", &out, NULL);
	is_int(rc, PD_EINVAL, "error: tag argument with extra text");
	rc = pd_subject_rewrite(" x", 2, "PD", "[PD-42-KYP]", &out, NULL);
	is_int(rc, PD_EINVAL, "error: malformed tag argument");
	rc = pd_subject_rewrite(NULL, 3, "PD", tag, &out, NULL);
	is_int(rc, PD_EINVAL, "error: NULL with a length");
	/*
	 * Deleting the tag would join two undecodable halves of a character
	 * into a decodable run, changing the text: the self-check refuses.
	 */
	s = " =?UTF-8?B?0A==?= =?UTF-8?Q?=5BPD-1-AAAA=5D?= "
	    "=?UTF-8?B?n9GA0LjQstC10YI=?=";
	rc = pd_subject_rewrite(s, strlen(s), "PD", tag, &out, NULL);
	is_int(rc, PD_EINVAL, "error: self-check catches a changed text");
	nested = g_string_new(" x ");
	for (i = 0; i < PD_SUBJECT_TAG_ROUNDS + 1; i++)
		g_string_insert(nested, 3, "[PD-");
	for (i = 0; i < PD_SUBJECT_TAG_ROUNDS + 1; i++)
		g_string_append(nested, "1-AAAA]");
	rc = pd_subject_rewrite(nested->str, nested->len, "PD", tag, &out,
	    NULL);
	is_int(rc, PD_EINVAL, "error: tags that keep forming after deletion");
	g_string_erase(nested, 3, 4);
	g_string_truncate(nested, nested->len - 7);
	rc = pd_subject_rewrite(nested->str, nested->len, "PD", tag, &out,
	    NULL);
	ok(rc == PD_OK && out != NULL && strcmp(out + 1 + strlen(tag),
	    " x") == 0, "nested tags: %d rounds of deletion: %s",
	    PD_SUBJECT_TAG_ROUNDS, out != NULL ? out : "(error)");
	pd_free(out);
	g_string_free(nested, TRUE);
	g_free(big);
	g_free(word);
}

/* check_folding - long subjects get lines of at most 78 characters */
static void
check_folding(void)
{
	GString *g = g_string_new(" Re:");
	struct pd_subject_info info;
	char *out;
	gchar **lines;
	size_t i, longest = 0;
	int rc;

	for (i = 0; i < 40; i++)
		g_string_append(g, i % 3 ? " word" : " =?UTF-8?Q?w=C3=B6rd?=");
	out = rewrite_ok(g->str, g->len, "fold: long subject", &rc, &info);
	ok(out != NULL, "fold: long subject rewritten");
	lines = g_strsplit(out != NULL ? out : "", "\n", -1);
	for (i = 0; lines[i] != NULL; i++) {
		size_t n = strlen(lines[i]) + (i == 0 ? 8 : 0);

		longest = n > longest ? n : longest;
	}
	ok(longest <= PD_SUBJECT_LINE_SOFT && i > 3,
	    "fold: %zu lines, longest %zu characters", i, longest);
	g_strfreev(lines);
	pd_free(out);
	g_string_free(g, TRUE);

	/* A long re-encoded Cyrillic run is cut into words and folded. */
	g = g_string_new(" =?UTF-8?B?");
	{
		GString *t = g_string_new("Ответ: ");
		gchar *b;

		for (i = 0; i < 20; i++)
			g_string_append(t, "длинная тема ");
		b = g_base64_encode((guchar *)t->str, t->len);
		g_string_append(g, b);
		g_string_append(g, "?=");
		g_free(b);
		g_string_free(t, TRUE);
	}
	out = rewrite_ok(g->str, g->len, "fold: long encoded run", &rc, &info);
	ok(out != NULL && info.reencoded && strstr(out, "\n =?UTF-8?B?") &&
	    strstr(out, "?==?") == NULL, "fold: run re-encoded and folded");
	pd_free(out);
	g_string_free(g, TRUE);
}

static const struct {
	const char *name;
	const char *value;
	int safe;
} safe_cases[] = {
	{ "plain", " x", 1 },
	{ "fold", " x\n y", 1 },
	{ "tab fold", " x\n\ty", 1 },
	{ "bare LF", " x\ny", 0 },
	{ "LF then header", " x\nBcc: y", 0 },
	{ "CR", " x\r\n y", 0 },
	{ "trailing LF", " x\n", 0 },
	{ "whitespace-only line", " x\n \n y", 0 },
	{ "whitespace-only last line", " x\n  ", 0 },
};

/* check_safe - the header-injection check itself can fail */
static void
check_safe(void)
{
	char *longline = g_strnfill(PD_SUBJECT_LINE_HARD - 8, 'x');
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(safe_cases); i++)
		is_int(pd_subject_value_safe(safe_cases[i].value,
		    strlen(safe_cases[i].value)), safe_cases[i].safe,
		    safe_cases[i].name);
	ok(pd_subject_value_safe(longline, strlen(longline)),
	    "safe: 998 octets with Subject: is allowed");
	longline[0] = 'y';
	ok(!pd_subject_value_safe("\0", 1), "safe: NUL refused");
	g_free(longline);
	longline = g_strnfill(PD_SUBJECT_LINE_HARD - 7, 'x');
	ok(!pd_subject_value_safe(longline, strlen(longline)),
	    "safe: 999 octets refused");
	g_free(longline);
}

static const struct {
	const char *raw;
	const char *want;
} display_cases[] = {
	{ " Re: [PD-1-AAAA] Fwd: hello", "hello" },
	{ " [PD-1-AAAA]   Re:  AW: hello   world ", "hello world" },
	{ " =?UTF-8?Q?x=0D=0ABcc:_y?=", "x Bcc: y" },
	{ " =?KOI8-R?B?79TXxdQ6IPDSydfF1CDNydIsIMvByyDExczBPw==?=",
	  "Привет мир, как дела?" },
	{ " Re: \xcf\xf0\xe8\xe2\xe5\xf2", "Привет" },
	{ " abc[PD-7-ABCD]\xef\xf0\xe8", "abcпри" },
	{ " =?UTF-8?Q?a=C2=85b?=", "a b" },
	{ " =?UTF-8?Q?x=09=D0=9Ey?=", "x Оy" },
	{ "", "" },
	/* a control character in front hid the prefixes (fuzz_prefix) */
	{ "\n\x1aI:", "" },
	{ " \x01Re: Re: hello", "hello" },
	{ " =?UTF-8?Q?=1BAW:_x?=", "x" },
};

/*
 * check_display_bytes - raw 0xff bytes beside a broken encoded-word (a
 * crash of fuzz_subject, tests/fuzz/regress/subject/invalid-utf8-display)
 * still give a UTF-8 title
 */
static void
check_display_bytes(void)
{
	static const unsigned char raw[] = {
	    0x20, 0x74, 0x68, 0x69, 0x73, 0x20, 0x3d, 0x3f, 0x69, 0x2a, 0x6f, 0x2d,
	    0x69, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xf7, 0xff, 0xff, 0xff, 0x38, 0x35, 0x39,
	    0x2d, 0x31, 0x3f, 0x71, 0x3f, 0x69, 0x73, 0x3f, 0x3d, 0x20, 0x73, 0x6f,
	    0x6d, 0x65, 0x20, 0x3d, 0x3f, 0x69, 0x73, 0x6f, 0x73, 0x6f, 0x2d, 0x38,
	    0x38, 0x35, 0x39, 0x2d, 0x31, 0x3f, 0x71, 0x3f, 0x65, 0x3f, 0x3d, 0x20,
	    0x14, 0x0a, 0x20, 0x3d, 0x3f, 0x69, 0x73, 0x6f, 0x2d, 0x38, 0x38, 0x35,
	    0x39, 0x2d, 0x31, 0x3f, 0x71, 0x3f, 0x78, 0x3f, 0x3d, 0x0a, 0x20, 0x3d,
	    0x3f, 0x69, 0x73, 0x6f, 0x2d, 0x38, 0x38, 0x35, 0x39, 0x2d, 0x31, 0x3f,
	    0x71, 0x3f, 0x74, 0x3f, 0x3d
	};
	char *d;

	d = pd_subject_display((const char *)raw, sizeof(raw), "PD");
	ok(d != NULL && g_utf8_validate(d, -1, NULL),
	    "display: raw 0xff bytes beside a broken word give UTF-8");
	pd_free(d);
}

/* check_display - the ticket title */
static void
check_display(void)
{
	size_t i;
	char *big;

	for (i = 0; i < G_N_ELEMENTS(display_cases); i++) {
		char *d = pd_subject_display(display_cases[i].raw,
		    strlen(display_cases[i].raw), "PD");

		is_str(d, display_cases[i].want, "display");
		ok(d != NULL && g_utf8_validate(d, -1, NULL),
		    "  ... valid UTF-8");
		pd_free(d);
	}
	big = g_strnfill(PD_SUBJECT_RAW_MAX + 1, 'a');
	ok(pd_subject_display(big, strlen(big), "PD") == NULL,
	    "display: too long refused");
	g_free(big);
	check_display_bytes();
}

#define CORPUS_READ_MAX		(256 * 1024)
#define CORPUS_DEPTH_MAX	8
#define CORPUS_FAILS_SHOWN	5

struct corpus {
	unsigned	subjects;
	unsigned	encoded;
	unsigned	reencoded;
	unsigned	refused;
	unsigned	unsafe;
	unsigned	not_idempotent;
	unsigned	display_changed;
	unsigned	bad_tag_count;
	GString		*why;		/* first failures, for diagnostics */
	unsigned	shown;
};

/* skip - a TAP skip line */
static void
skip(const char *why)
{
	tap_count++;
	printf("ok %d # SKIP %s\n", tap_count, why);
}

/* note - remember a failure for the diagnostics */
static void
note(struct corpus *c, const char *path, const char *what)
{
	if (c->shown++ < CORPUS_FAILS_SHOWN)
		g_string_append_printf(c->why, "#   %s: %s\n", what, path);
}

/* our_tags - how many of our tags are in the decoded value */
static int
our_tags(const char *value)
{
	char *d = pd_rfc2047_decode(value, strlen(value), NULL);
	struct pd_tag_match m;
	size_t pos = 0;
	int n = 0;

	while (d != NULL && pd_tag_find(d + pos, strlen(d + pos), "PD", &m)) {
		n += strncmp(d + pos + m.start, tag, strlen(tag)) == 0 ?
		    1 : 100;
		pos += m.end;
	}
	pd_free(d);
	return n;
}

/* corpus_subject - every check on one subject value */
static void
corpus_subject(struct corpus *c, const char *path, const char *raw)
{
	struct pd_subject_info info;
	char *out = NULL, *again = NULL, *d1, *d2;

	c->subjects++;
	c->encoded += strstr(raw, "=?") != NULL;
	if (pd_subject_rewrite(raw, strlen(raw), "PD", tag, &out, &info)) {
		c->refused += strlen(raw) <= PD_SUBJECT_RAW_MAX;
		if (strlen(raw) <= PD_SUBJECT_RAW_MAX)
			note(c, path, "refused");
		return;
	}
	c->reencoded += info.reencoded;
	if (!pd_subject_value_safe(out, strlen(out)) && ++c->unsafe)
		note(c, path, "unsafe");
	if ((pd_subject_rewrite(out, strlen(out), "PD", tag, &again, NULL) ||
	    strcmp(again, out) != 0) && ++c->not_idempotent)
		note(c, path, "not idempotent");
	d1 = pd_subject_display(raw, strlen(raw), "PD");
	d2 = pd_subject_display(out, strlen(out), "PD");
	if ((d1 == NULL || d2 == NULL || strcmp(d1, d2) != 0) &&
	    ++c->display_changed)
		note(c, path, "display text changed");
	if (our_tags(out) != 1 && ++c->bad_tag_count)
		note(c, path, "not exactly one tag");
	pd_free(d1);
	pd_free(d2);
	pd_free(out);
	pd_free(again);
}

/*
 * corpus_file - the first Subject field of the header of a message file;
 * CRLF and CR line ends become LF, as the milter passes folds
 */
static void
corpus_file(struct corpus *c, const char *path)
{
	char *buf = pd_xmalloc(CORPUS_READ_MAX + 2);
	FILE *fp = fopen(path, "rb");
	size_t n = 0, i, o = 1, start = 0, end;

	buf[0] = '\n';
	if (fp != NULL) {
		n = fread(buf + 1, 1, CORPUS_READ_MAX, fp);
		fclose(fp);
	}
	for (i = 1; i <= n; i++)	/* line ends to LF, in place */
		if (buf[i] != '\r')
			buf[o++] = buf[i];
		else if (i == n || buf[i + 1] != '\n')
			buf[o++] = '\n';
	buf[o] = '\0';
	for (i = 0; i + 9 < o && start == 0; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i + 1] == '\n' && i > 0)
			break;		/* end of the header */
		if (g_ascii_strncasecmp(buf + i + 1, "Subject:", 8) == 0)
			start = i + 9;
	}
	for (end = start; start > 0 && end < o; end++)
		if (buf[end] == '\n' && buf[end + 1] != ' ' &&
		    buf[end + 1] != '\t')
			break;
	if (start > 0 && memchr(buf + start, '\0', end - start) == NULL) {
		buf[end] = '\0';
		corpus_subject(c, path, buf + start);
	}
	pd_free(buf);
}

/* corpus_walk - every regular file under dir */
static void
corpus_walk(struct corpus *c, const char *dir, int depth)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	if (d == NULL || depth > CORPUS_DEPTH_MAX) {
		if (d != NULL)
			g_dir_close(d);
		return;
	}
	while ((name = g_dir_read_name(d)) != NULL) {
		char *path = g_build_filename(dir, name, NULL);

		if (name[0] == '.' && name[1] != 'M')	/* maildir .My Folder */
			;
		else if (g_file_test(path, G_FILE_TEST_IS_SYMLINK))
			;
		else if (g_file_test(path, G_FILE_TEST_IS_DIR))
			corpus_walk(c, path, depth + 1);
		else if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
			corpus_file(c, path);
		g_free(path);
	}
	g_dir_close(d);
}

/* check_corpus - every Subject in ../shared/corpus */
static void
check_corpus(void)
{
	const char *top = getenv("top_srcdir");
	struct corpus c = { 0 };
	char *dir;

	dir = g_build_filename(top != NULL ? top : ".", "..", "shared",
	    "corpus", NULL);
	if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		skip("corpus: ../shared/corpus not found (top_srcdir unset?)");
		g_free(dir);
		return;
	}
	c.why = g_string_new(NULL);
	corpus_walk(&c, dir, 0);
	ok(c.subjects > 500 && c.encoded > 30, "corpus: %u subjects, %u with "
	    "encoded-words, %u re-encoded", c.subjects, c.encoded,
	    c.reencoded);
	is_int(c.refused, 0, "corpus: none refused");
	is_int(c.unsafe, 0, "corpus: every result passes the injection check");
	is_int(c.not_idempotent, 0, "corpus: rewriting twice changes nothing");
	is_int(c.display_changed, 0, "corpus: display text kept");
	is_int(c.bad_tag_count, 0, "corpus: exactly our tag, once");
	if (c.why->len > 0)
		printf("%s", c.why->str);
	g_string_free(c.why, TRUE);
	g_free(dir);
}

/* main - run every group of tests, print the TAP plan */
int
main(void)
{
	unsigned char raw[PD_KEY_BYTES];
	struct pd_key *key;

	memset(raw, 0x42, sizeof(raw));
	key = pd_key_from_bytes(raw);
	if (pd_tag_format(key, "PD", 42, tag, sizeof(tag)) != PD_OK)
		return 99;
	pd_key_free(&key);
	check_prefixes();
	check_rewrite();
	check_errors();
	check_folding();
	check_safe();
	check_display();
	check_corpus();
	return tap_done();
}
