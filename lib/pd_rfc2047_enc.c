/*
 * pd_rfc2047_enc.c - RFC 2047 encoded-words: encode
 *
 * PURPOSE	pd_rfc2047_encode(); see pd_rfc2047.h.
 * DESIGN	A word is grown one UTF-8 character at a time and the whole
 *		candidate is converted again from the initial shift state,
 *		with the converter's closing sequence flushed, until the next
 *		character would make the word longer than 75 characters.  So
 *		a word never splits a character, and for stateful charsets
 *		(ISO-2022-JP) every word starts and ends in ASCII state as
 *		RFC 1468 wants.  Re-converting costs O(w^2) for a word of w
 *		characters; w is below 75, so the whole is linear in the text.
 *		One iconv descriptor serves the whole call.
 *		Q encoding writes letters, digits and a few safe punctuation
 *		characters as themselves, space as '_', and everything else
 *		(including CR, LF, '=', '?', '_') as =XX, so decoded control
 *		characters can never come out raw.
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <glib.h>

#include "pd_err.h"
#include "pd_rfc2047.h"

#define CONV_MAX	1024		/* converted bytes of one word, ample */

static const char b64_digits[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* q_plain - byte written as itself in Q encoding */
static bool
q_plain(int c)
{
	return g_ascii_isalnum(c) || (c != 0 && strchr("!*+-/.,:;[]#%&'@",
	    c) != NULL);
}

/* enc_len - length of the payload for n converted bytes */
static size_t
enc_len(int encoding, const unsigned char *b, size_t n)
{
	size_t len = 0;
	size_t i;

	if (encoding == 'B')
		return (n + 2) / 3 * 4;
	for (i = 0; i < n; i++)
		len += q_plain(b[i]) || b[i] == ' ' ? 1 : 3;
	return len;
}

/* put_payload - append the B or Q payload of b[0..n) */
static int
put_payload(struct pd_buf *out, int encoding, const unsigned char *b,
    size_t n)
{
	char q[4];
	size_t i;
	int rc = PD_OK;

	for (i = 0; encoding == 'B' && i < n && rc == PD_OK; i += 3) {
		unsigned v = (unsigned)b[i] << 16 |
		    (i + 1 < n ? (unsigned)b[i + 1] << 8 : 0) |
		    (i + 2 < n ? b[i + 2] : 0);

		q[0] = b64_digits[v >> 18 & 63];
		q[1] = b64_digits[v >> 12 & 63];
		q[2] = i + 1 < n ? b64_digits[v >> 6 & 63] : '=';
		q[3] = i + 2 < n ? b64_digits[v & 63] : '=';
		rc = pd_buf_add(out, q, 4);
	}
	for (i = 0; encoding == 'Q' && i < n && rc == PD_OK; i++) {
		if (q_plain(b[i]))
			rc = pd_buf_addc(out, (char)b[i]);
		else if (b[i] == ' ')
			rc = pd_buf_addc(out, '_');
		else
			rc = pd_buf_printf(out, "=%02X", b[i]);
	}
	return rc;
}

/*
 * conv - convert in[0..n) from the initial shift state, closing sequence
 * included, into out (CONV_MAX bytes); *olen gets the length.  PD_OK, or
 * PD_EINVAL when a character does not exist in the charset.
 */
static int
conv(GIConv cd, const char *in, size_t n, unsigned char *out, size_t *olen)
{
	gchar *ip = (gchar *)in;
	gchar *op = (gchar *)out;
	gsize il = n;
	gsize ol = CONV_MAX;

	g_iconv(cd, NULL, NULL, NULL, NULL);
	if (g_iconv(cd, &ip, &il, &op, &ol) == (gsize)-1 ||
	    g_iconv(cd, NULL, NULL, &op, &ol) == (gsize)-1)
		return PD_EINVAL;
	*olen = CONV_MAX - ol;
	return PD_OK;
}

/* stateful - charsets whose words must be B-encoded and self-contained */
static bool
stateful(const char *charset)
{
	return g_ascii_strncasecmp(charset, "ISO-2022", 8) == 0 ||
	    g_ascii_strncasecmp(charset, "UTF-7", 5) == 0;
}

/*
 * choose - 'B' or 'Q', whichever is shorter for the text as a whole (B on
 * a tie or when the text is too long to try in one go).
 */
static int
choose(GIConv cd, const char *utf8, size_t len, const char *charset)
{
	unsigned char buf[CONV_MAX];
	size_t n;
	size_t q;

	if (stateful(charset) || len > CONV_MAX / 4 ||
	    conv(cd, utf8, len, buf, &n) != PD_OK)
		return 'B';
	q = enc_len('Q', buf, n);
	return q < enc_len('B', buf, n) ? 'Q' : 'B';
}

/*
 * one_word - find the longest prefix of utf8[0..len) that fits one word,
 * and append that word to out with the encoding letter as given (B, b, Q
 * or q); *used gets its length in bytes.
 */
static int
one_word(GIConv cd, const char *utf8, size_t len, const char *charset,
    int letter, struct pd_buf *out, size_t *used)
{
	int encoding = g_ascii_toupper(letter);
	unsigned char buf[CONV_MAX];
	unsigned char best[CONV_MAX];
	size_t overhead = strlen(charset) + 7;	/* =?cs?X?...?= */
	size_t nbest = 0;
	size_t end = 0;
	size_t n;

	*used = 0;
	while (end < len) {
		end = (size_t)(g_utf8_next_char(utf8 + end) - utf8);
		if (end > len || conv(cd, utf8, end, buf, &n) != PD_OK)
			return PD_EINVAL;
		if (overhead + enc_len(encoding, buf, n) > PD_RFC2047_WORD_MAX)
			break;
		memcpy(best, buf, n);
		nbest = n;
		*used = end;
	}
	if (*used == 0)
		return PD_EINVAL;	/* not even one character fits */
	if (pd_buf_printf(out, "=?%s?%c?", charset, letter) != PD_OK ||
	    put_payload(out, encoding, best, nbest) != PD_OK)
		return PD_EINVAL;
	return pd_buf_adds(out, "?=");
}

/* pd_rfc2047_encode - text to encoded-words separated by spaces */
int
pd_rfc2047_encode(const char *utf8, size_t len, const char *charset,
    int encoding, struct pd_buf *out)
{
	GIConv cd;
	size_t done = 0;
	size_t used = 0;
	int rc = PD_OK;

	if (!pd_rfc2047_charset_ok(charset, strlen(charset)) ||
	    !g_utf8_validate(utf8, (gssize)len, NULL) ||
	    memchr(utf8, '\0', len) != NULL)
		return PD_EINVAL;
	cd = g_iconv_open(charset, "UTF-8");
	if (cd == (GIConv)-1)
		return PD_EINVAL;
	if (g_ascii_toupper(encoding) != 'B' && (stateful(charset) ||
	    g_ascii_toupper(encoding) != 'Q'))
		encoding = choose(cd, utf8, len, charset);
	while (done < len && rc == PD_OK) {
		if (done > 0)
			rc = pd_buf_addc(out, ' ');
		if (rc == PD_OK)
			rc = one_word(cd, utf8 + done, len - done, charset,
			    encoding, out, &used);
		done += used;
	}
	g_iconv_close(cd);
	return rc;
}
