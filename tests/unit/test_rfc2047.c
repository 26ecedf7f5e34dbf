/*
 * test_rfc2047.c - unit tests for pd_rfc2047 and pd_charset: tokenize,
 * decode, encode, guess the charset of raw 8-bit text
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "pd_buf.h"
#include "pd_charset.h"
#include "pd_err.h"
#include "pd_mem.h"
#include "pd_rfc2047.h"
#include "../harness/tap.h"

/* KOI8-R and windows-1251 bytes of "Ответ: Привет мир, как дела?" */
#define KOI8_B	"79TXxdQ6IPDSydfF1CDNydIsIMvByyDExczBPw=="
#define RU	"Ответ: Привет мир, как дела?"

static const struct {
	const char *name;
	const char *raw;
	const char *want;
	int lossless;
} decode_cases[] = {
	{ "gmime#133: padded B word then another",
	  "=?UTF-8?B?SGVsbG8=?= =?UTF-8?B?IHdvcmxk?=", "Hello world", 1 },
	{ "gmime#133 Cyrillic (engineering guide 4.3)",
	  "=?UTF-8?B?0YI=?= =?UTF-8?B?INC/?=", "т п", 1 },
	{ "multibyte character split across words",
	  "=?UTF-8?B?0A==?= =?UTF-8?B?n9GA0LjQstC10YI=?=", "Привет", 1 },
	{ "split character, words folded",
	  " =?utf-8?B?0A==?=\n =?UTF-8?b?n9GA0LjQstC10YI=?=", "Привет", 1 },
	{ "Q with underscores", "=?ISO-8859-1?Q?a_b?=", "a b", 1 },
	{ "Q hex, lower case letters",
	  "=?iso-8859-1?q?this=20is=20some=20text?=", "this is some text", 1 },
	{ "Q latin-1 byte", "=?ISO-8859-1?Q?caf=E9?=", "café", 1 },
	{ "RFC 2047 8: word then text", "=?ISO-8859-1?Q?a?= b", "a b", 1 },
	{ "RFC 2047 8: adjacent words", "=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=",
	  "ab", 1 },
	{ "RFC 2047 8: two spaces",
	  "=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=", "ab", 1 },
	{ "RFC 2047 8: folded",
	  "=?ISO-8859-1?Q?a?=\n    =?ISO-8859-1?Q?b?=", "ab", 1 },
	{ "RFC 2047 8: different charsets",
	  "=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=", "a b", 1 },
	{ "RFC 2047 8: in parentheses", "(=?ISO-8859-1?Q?a?=)", "(a)", 1 },
	{ "text word encoded word text",
	  "this =?iso-8859-1?q?is?= some =?iso-8859-1?q?t?=\n "
	  "=?iso-8859-1?q?e?= \n =?iso-8859-1?q?x?=\n =?iso-8859-1?q?t?=",
	  "this is some text", 1 },
	{ "words glued together", "=?ISO-8859-1?Q?a?==?ISO-8859-1?Q?b?=",
	  "ab", 1 },
	{ "word glued to text",
	  "[SPAM]=?utf-8?B?VGhpcyBpcyB0aGUgb3JpZ2luYWwgc3ViamVjdA==?=",
	  "[SPAM]This is the original subject", 1 },
	{ "RFC 2231 language ignored", "=?US-ASCII*EN?Q?Keith_Moore?=",
	  "Keith Moore", 1 },
	{ "KOI8-R B", "=?KOI8-R?B?" KOI8_B "?=", RU, 1 },
	{ "koi8-r b, lower case", "=?koi8-r?b?" KOI8_B "?=", RU, 1 },
	{ "windows-1251 Q",
	  "=?windows-1251?Q?=CF=F0=E8=E2=E5=F2_=EC=E8=F0?=", "Привет мир", 1 },
	{ "ISO-2022-JP B", "=?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=",
	  "こんにちは", 1 },
	{ "ISO-2022-JP over two words (mimekit japanese.txt)",
	  "=?ISO-2022-JP?B?GyRCRnxLXDhsJWEhPCVrJUYlOSVIGyhCICh0ZXN0aW5nIEph?=\n"
	  " =?ISO-2022-JP?B?cGFuZXNlIGVtYWlscyk=?=",
	  "日本語メールテスト (testing Japanese emails)", 1 },
	{ "raw UTF-8 kept", "Ответ: hé", "Ответ: hé", 1 },
	{ "raw KOI8-R guessed", "\xf0\xd2\xc9\xd7\xc5\xd4 \xcd\xc9\xd2",
	  "Привет мир", 1 },
	{ "raw windows-1251 guessed",
	  "\xcf\xf0\xe8\xe2\xe5\xf2 \xec\xe8\xf0", "Привет мир", 1 },
	{ "raw latin-1 guessed", "Gr\xfc\xdf" "e aus K\xf6ln",
	  "Grüße aus Köln", 1 },
	{ "folding removed", "Saying\n Hello\r\n\tagain", "Saying Hello\tagain",
	  1 },
	{ "leading whitespace not part of the text", "  x", "x", 1 },
	{ "empty payload", "a =?utf-8?Q?" "?= b", "a  b", 1 },
	{ "unknown charset stays literal", "=?x-unknown?Q?abc?=",
	  "=?x-unknown?Q?abc?=", 0 },
	{ "bad base64 stays literal", "=?UTF-8?B?S?=", "=?UTF-8?B?S?=", 0 },
	{ "invalid UTF-8 payload stays literal", "=?UTF-8?Q?=CF=F0?=",
	  "=?UTF-8?Q?=CF=F0?=", 0 },
	{ "one bad word of a run", "=?UTF-8?Q?ok?= =?UTF-8?Q?=FF?=",
	  "ok =?UTF-8?Q?=FF?=", 0 },
	{ "not encoded-words",
	  "let's = try =?iso-8859-1? to break =? the parser",
	  "let's = try =?iso-8859-1? to break =? the parser", 1 },
	{ "space inside is not a word", "=?utf-8?Q?a b?=", "=?utf-8?Q?a b?=",
	  1 },
	{ "bad encoding letter", "=?utf-8?X?abc?=", "=?utf-8?X?abc?=", 1 },
	{ "decoded CR LF stays in the text", "=?UTF-8?Q?a=0D=0AB?=", "a\r\nB",
	  1 },
};

/* check_decode - every decode vector */
static void
check_decode(void)
{
	size_t i;

	for (i = 0; i < sizeof(decode_cases) / sizeof(decode_cases[0]); i++) {
		bool lossless = false;
		char *got = pd_rfc2047_decode(decode_cases[i].raw,
		    strlen(decode_cases[i].raw), &lossless);
		char name[160];

		snprintf(name, sizeof(name), "decode: %s",
		    decode_cases[i].name);
		is_str(got, decode_cases[i].want, name);
		is_int(lossless, decode_cases[i].lossless,
		    "  ... lossless flag");
		pd_free(got);
	}
}

/* check_tokenize - kinds and ranges of atoms */
static void
check_tokenize(void)
{
	static const char raw[] = " Re: =?UTF-8?Q?a?=\n =?x?Q?b?=c";
	struct pd_rfc2047_atoms a;
	char kinds[32];
	size_t i;

	memset(&a, 0, sizeof(a));
	is_int(pd_rfc2047_tokenize(raw, strlen(raw), &a), PD_OK, "tokenize");
	for (i = 0; i < a.n && i + 1 < sizeof(kinds); i++)
		kinds[i] = a.v[i].kind == PD_RFC2047_SPACE ? 's' :
		    a.v[i].kind == PD_RFC2047_WORD ? 'w' : 't';
	kinds[i] = '\0';
	is_str(kinds, "stswswt", "tokenize: space text space word ...");
	ok(a.n == 7 && a.v[3].start == 5 && a.v[3].len == 13 &&
	    strcmp(a.v[3].charset, "UTF-8") == 0 && a.v[3].encoding == 'Q',
	    "tokenize: word range, charset and encoding");
	ok(a.n == 7 && a.v[5].kind == PD_RFC2047_WORD && a.v[6].len == 1,
	    "tokenize: glued text after a word is its own atom");
	pd_rfc2047_atoms_free(&a);
	memset(&a, 0, sizeof(a));
	is_int(pd_rfc2047_tokenize("a\0b", 3, &a), PD_EINVAL,
	    "tokenize: NUL refused");
	pd_rfc2047_atoms_free(&a);
}

/* words_ok - every word of enc fits 75 characters and decodes on its own */
static bool
words_ok(const char *enc)
{
	gchar **w = g_strsplit(enc, " ", -1);
	bool good = true;
	size_t i;

	for (i = 0; w[i] != NULL && good; i++) {
		bool lossless = false;
		char *d = pd_rfc2047_decode(w[i], strlen(w[i]), &lossless);

		good = strlen(w[i]) <= PD_RFC2047_WORD_MAX && lossless &&
		    strncmp(w[i], "=?", 2) == 0 && d != NULL &&
		    g_utf8_validate(d, -1, NULL);
		pd_free(d);
	}
	g_strfreev(w);
	return good;
}

static const char *const enc_texts[] = {
	"Hello world",
	RU,
	"Ответ: [PD-42-KYPH] Привет мир, как дела? Всё хорошо, спасибо! "
	"Это длинная тема письма, которая не помещается в одно слово.",
	"日本語メールテスト (testing Japanese emails) こんにちは世界",
	"café olé, ça va très bien",
	"a=b?c_d \r\nBcc: x",
};

static const char *const enc_charsets[] = {
	"UTF-8", "KOI8-R", "windows-1251", "ISO-2022-JP", "ISO-8859-1",
};

/* check_encode_roundtrip - encode then decode gives the text back */
static void
check_encode_roundtrip(void)
{
	size_t i, j;
	struct pd_buf b;

	for (i = 0; i < G_N_ELEMENTS(enc_texts); i++)
		for (j = 0; j < G_N_ELEMENTS(enc_charsets); j++) {
			const char *t = enc_texts[i];
			gchar *conv = g_convert(t, -1, enc_charsets[j],
			    "UTF-8", NULL, NULL, NULL);
			char *d;
			int rc;

			pd_buf_init(&b, 65536);
			rc = pd_rfc2047_encode(t, strlen(t), enc_charsets[j],
			    0, &b);
			if (conv == NULL) {
				is_int(rc, PD_EINVAL, "encode: text not in "
				    "charset refused");
				pd_buf_free(&b);
				continue;
			}
			g_free(conv);
			d = pd_rfc2047_decode(pd_buf_str(&b), b.len, NULL);
			ok(rc == PD_OK && d != NULL && strcmp(d, t) == 0 &&
			    words_ok(pd_buf_str(&b)) &&
			    strchr(pd_buf_str(&b), '\r') == NULL &&
			    strchr(pd_buf_str(&b), '\n') == NULL,
			    "encode: text %zu in %s round-trips: %s", i,
			    enc_charsets[j], pd_buf_str(&b));
			pd_free(d);
			pd_buf_free(&b);
		}
}

/* check_encode_details - encoding choice, state, errors */
static void
check_encode_details(void)
{
	struct pd_buf b;
	const char *s;

	pd_buf_init(&b, 65536);
	pd_rfc2047_encode("Re: hello wörld", 16, "UTF-8", 0, &b);
	is_str(pd_buf_str(&b), "=?UTF-8?Q?Re:_hello_w=C3=B6rld?=",
	    "encode: Q chosen for mostly ASCII");
	pd_buf_reset(&b);
	pd_rfc2047_encode(RU, strlen(RU), "KOI8-R", 0, &b);
	is_str(pd_buf_str(&b), "=?KOI8-R?B?" KOI8_B "?=",
	    "encode: B chosen for Cyrillic, charset name kept");
	pd_buf_reset(&b);
	pd_rfc2047_encode("ab", 2, "utf-8", 'q', &b);
	is_str(pd_buf_str(&b), "=?utf-8?q?ab?=",
	    "encode: forced Q, letter written as given");
	pd_buf_reset(&b);
	s = "こんにちは、世界。こんにちは、世界。こんにちは、世界。";
	pd_rfc2047_encode(s, strlen(s), "ISO-2022-JP", 'Q', &b);
	s = pd_buf_str(&b);
	ok(strstr(s, "?Q?") == NULL && strchr(s, ' ') != NULL,
	    "encode: ISO-2022-JP always B, several words: %s", s);
	{
		gchar **w = g_strsplit(s, " ", -1);
		bool selfcontained = true;
		size_t i;

		for (i = 0; w[i] != NULL; i++) {
			char *d = pd_rfc2047_decode(w[i], strlen(w[i]), NULL);
			gsize n = 0;
			gchar *jis = g_convert(d, -1, "ISO-2022-JP", "UTF-8",
			    NULL, &n, NULL);

			selfcontained = selfcontained && jis != NULL &&
			    n >= 3 && memcmp(jis + n - 3, "\033(B", 3) == 0;
			g_free(jis);
			pd_free(d);
		}
		g_strfreev(w);
		ok(selfcontained, "encode: every ISO-2022-JP word ends in "
		    "ASCII state");
	}
	pd_buf_reset(&b);
	pd_rfc2047_encode("a\r\nBcc: x", 9, "UTF-8", 'Q', &b);
	is_str(pd_buf_str(&b), "=?UTF-8?Q?a=0D=0ABcc:_x?=",
	    "encode: CR LF never raw in Q");
	is_int(pd_rfc2047_encode("x", 1, "x-no-such-charset", 0, &b),
	    PD_EINVAL, "encode: unknown charset refused");
	is_int(pd_rfc2047_encode("\xff", 1, "UTF-8", 0, &b), PD_EINVAL,
	    "encode: invalid UTF-8 refused");
	is_int(pd_rfc2047_encode("x", 1, "UTF?8", 0, &b), PD_EINVAL,
	    "encode: charset with '?' refused");
	pd_buf_free(&b);
}

static const struct {
	const char *name;
	const char *utf8;
	const char *charset;
} guess_cases[] = {
	{ "KOI8-R sentence",
	  "Здравствуйте, пришлите, пожалуйста, счёт за май.", "KOI8-R" },
	{ "windows-1251 sentence",
	  "Здравствуйте, пришлите, пожалуйста, счёт за май.", "windows-1251" },
	{ "KOI8-R capitalised words", "Привет Мир Из Москвы", "KOI8-R" },
	{ "windows-1251 capitalised words", "Привет Мир Из Москвы",
	  "windows-1251" },
	{ "KOI8-R all capitals", "СРОЧНО: ОПЛАТА СЧЁТА", "KOI8-R" },
	{ "windows-1251 all capitals", "СРОЧНО: ОПЛАТА СЧЁТА",
	  "windows-1251" },
	{ "KOI8-R one word", "заказ", "KOI8-R" },
	{ "windows-1251 one word", "заказ", "windows-1251" },
	{ "latin-1 German", "Grüße aus Köln", "ISO-8859-1" },
	{ "latin-1 French", "Re: café à emporter", "ISO-8859-1" },
};

/* check_guess - the guesser tells the three charsets apart */
static void
check_guess(void)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(guess_cases); i++) {
		gsize n = 0;
		gchar *bytes = g_convert(guess_cases[i].utf8, -1,
		    guess_cases[i].charset, "UTF-8", NULL, &n, NULL);

		is_str(bytes != NULL ? pd_charset_guess(bytes, n) : "(none)",
		    guess_cases[i].charset, guess_cases[i].name);
		g_free(bytes);
	}
	ok(pd_charset_score("Привет", strlen("Привет")) >
	    pd_charset_score("рТЙЧЕФ", strlen("рТЙЧЕФ")),
	    "score: KOI8-R read as windows-1251 scores lower");
}

/* main - run every group of tests, print the TAP plan */
int
main(void)
{
	check_decode();
	check_tokenize();
	check_encode_roundtrip();
	check_encode_details();
	check_guess();
	return tap_done();
}
