/*
 * pd_rfc2047.h - RFC 2047 encoded-words: tokenize, decode, encode
 *
 * PURPOSE	Our own codec for unstructured header values (Subject),
 *		because GMime 3.2.13 drops text when it decodes adjacent
 *		B-encoded words whose first word carries '=' padding
 *		(jstedfast/gmime#133, engineering guide 4.3).  It turns a raw
 *		value into atoms and segments that know their raw bytes and
 *		their decoded UTF-8 text, so a caller can change one part of
 *		a subject and keep every other byte as it was.  It does not
 *		parse structured headers (addresses, parameters).
 * DESIGN	Tokenizing splits the raw value into whitespace runs, encoded
 *		words and raw text words.  It is lenient the way real clients
 *		are: encoded-words need not be surrounded by whitespace when
 *		they parse completely, the encoding letter and the charset
 *		may be in any case, an RFC 2231 language suffix ("*en") is
 *		ignored, base64 without padding is accepted.  Encoded-words
 *		never contain whitespace; such a thing is text.
 *		Decoding groups the encoded-words separated only by
 *		whitespace into runs of the same charset, concatenates the
 *		decoded bytes of a run and converts them once (RFC 2047 6.2;
 *		this also repairs characters split across words), and drops
 *		the whitespace between encoded-words.  A run that does not
 *		convert is retried word by word; a word that still fails (bad
 *		base64, unknown charset) stays literal text and the result is
 *		marked lossy.  Raw 8-bit text is kept when the whole value is
 *		valid UTF-8 and otherwise decoded with the charset that
 *		pd_charset_guess() picks.  Folding (CR, LF) is removed from
 *		the decoded text (a bare line break, which is no fold, still
 *		reads as one space); leading whitespace is not part of it.
 *		Encoding cuts UTF-8 text into encoded-words of at most
 *		PD_RFC2047_WORD_MAX characters at character boundaries, and
 *		converts every word on its own from the initial shift state,
 *		so stateful charsets (ISO-2022-JP) give self-contained words.
 * LIMITS	Raw values up to PD_RFC2047_RAW_MAX bytes, charset names up
 *		to PD_RFC2047_CHARSET_MAX characters (longer ones are text).
 * OWNERSHIP	struct pd_rfc2047_text is caller storage; parse fills it and
 *		pd_rfc2047_text_free() releases what it holds.  Encoded output
 *		is appended to the caller's pd_buf.  pd_rfc2047_decode()
 *		returns a string the caller pd_free()s.
 * ERRORS	PD_EINVAL for oversized input, NUL bytes, invalid UTF-8 to
 *		encode, a charset iconv does not know, a character the
 *		charset cannot hold, or a full output buffer.  Never logs.
 * THREADS	Reentrant; no shared state (each call opens its own iconv).
 * SEE ALSO	pd_charset.h, pd_subject.h; RFC 2047 sections 2, 5, 6.2;
 *		RFC 2231 section 5; engineering guide 4.3, 4.4, 7.4.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_RFC2047_H
#define PD_RFC2047_H

#include <stdbool.h>
#include <stddef.h>

#include "pd_buf.h"

#define PD_RFC2047_RAW_MAX	(64 * 1024)	/* raw value bytes */
#define PD_RFC2047_TEXT_MAX	(256 * 1024)	/* decoded UTF-8 bytes */
#define PD_RFC2047_CHARSET_MAX	40		/* charset name chars */
#define PD_RFC2047_WORD_MAX	75		/* RFC 2047 section 2 */

enum pd_rfc2047_kind {
	PD_RFC2047_SPACE = 1,	/* SP, TAB, CR, LF run (folding included) */
	PD_RFC2047_TEXT,	/* raw text, or an encoded-word kept literal */
	PD_RFC2047_WORD,	/* encoded-word (atoms) or run of them (segs) */
};

struct pd_rfc2047_atom {
	enum pd_rfc2047_kind kind;
	size_t	start;			/* offset in the raw value */
	size_t	len;			/* raw length */
	size_t	boff;			/* WORD: decoded octets in bytes */
	size_t	blen;
	char	encoding;		/* WORD: 'B', 'Q', 'b' or 'q' */
	char	charset[PD_RFC2047_CHARSET_MAX + 1];	/* WORD, no *lang */
};

struct pd_rfc2047_atoms {
	struct pd_rfc2047_atom *v;
	size_t	n;
	size_t	cap;
	struct pd_buf bytes;		/* decoded octets of all WORD atoms */
	bool	lossy;			/* an encoded-word did not decode */
};

struct pd_rfc2047_seg {
	enum pd_rfc2047_kind kind;
	size_t	first;			/* atoms [first, last] */
	size_t	last;
	size_t	rstart;			/* raw bytes [rstart, rend) */
	size_t	rend;
	size_t	dstart;			/* decoded text [dstart, dend) */
	size_t	dend;
	char	encoding;		/* WORD: of the run's first word */
	char	charset[PD_RFC2047_CHARSET_MAX + 1];
					/* WORD: the run's charset as written;
					 * TEXT: charset of 8-bit raw text, ""
					 * when the text is ASCII or UTF-8 */
};

struct pd_rfc2047_text {
	struct pd_rfc2047_atoms atoms;
	struct pd_rfc2047_seg *segs;
	size_t	nsegs;
	struct pd_buf text;		/* decoded, unfolded UTF-8 */
	char	rawcharset[PD_RFC2047_CHARSET_MAX + 1];
					/* charset of raw 8-bit text, "" when
					 * there is none or it is UTF-8 */
	bool	raw8bit;		/* raw text has bytes >= 0x80 */
	bool	lossless;		/* every encoded-word decoded */
};

/*
 * pd_rfc2047_tokenize - split raw[0..len) into atoms (appended to a, which
 * the caller zeroes first and releases with pd_rfc2047_atoms_free()).
 * WORD atoms whose payload does not decode become TEXT and set a->lossy.
 * PD_OK, or PD_EINVAL for NUL bytes or len > PD_RFC2047_RAW_MAX.
 */
int	pd_rfc2047_tokenize(const char *raw, size_t len,
	    struct pd_rfc2047_atoms *a);
void	pd_rfc2047_atoms_free(struct pd_rfc2047_atoms *a);

/*
 * pd_rfc2047_parse - tokenize and decode raw[0..len) into t (caller
 * storage, need not be initialised).  Consecutive segments cover the raw
 * value; each segment's decoded text is t->text[dstart, dend).  Raw 8-bit
 * text that is not UTF-8 is read in rawcharset, or in the charset
 * pd_charset_guess() picks when rawcharset is NULL or "".  On error t
 * holds nothing that needs freeing.  PD_OK or PD_EINVAL.
 */
int	pd_rfc2047_parse(const char *raw, size_t len, const char *rawcharset,
	    struct pd_rfc2047_text *t);
void	pd_rfc2047_text_free(struct pd_rfc2047_text *t);

/*
 * pd_rfc2047_decode - the decoded UTF-8 text of raw[0..len) (caller frees
 * with pd_free()), NULL on PD_EINVAL; *lossless (may be NULL) tells
 * whether every encoded-word decoded.
 */
char	*pd_rfc2047_decode(const char *raw, size_t len, bool *lossless);

/*
 * pd_rfc2047_encode - append utf8[0..len) to out as encoded-words in
 * charset, separated by single spaces; encoding is 'B' or 'Q' (written in
 * the case given) or 0 (the shorter; always B for stateful ISO-2022 and
 * UTF-7 charsets).  The charset name is written as given.  PD_OK or
 * PD_EINVAL; out may hold a partial result after an error.
 */
int	pd_rfc2047_encode(const char *utf8, size_t len, const char *charset,
	    int encoding, struct pd_buf *out);

/* pd_rfc2047_charset_ok - a charset name we would write into a header */
bool	pd_rfc2047_charset_ok(const char *name, size_t len);

#endif
