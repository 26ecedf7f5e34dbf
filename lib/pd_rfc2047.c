/*
 * pd_rfc2047.c - RFC 2047 encoded-words: tokenize and decode
 *
 * PURPOSE	See pd_rfc2047.h; encoding lives in pd_rfc2047_enc.c.
 * DESIGN	Tokenizing is one left-to-right pass: a whitespace run is one
 *		atom; a non-whitespace run is searched for "=?" and split into
 *		text and the encoded-words that parse completely.  The payload
 *		of every encoded-word is decoded into one shared byte buffer
 *		in order, so the payloads of a run of words are contiguous and
 *		are converted with one g_convert() call without copying.
 *		Segments are built in two passes: the first groups atoms and
 *		converts encoded runs, the second lays out the decoded text,
 *		because whether a whitespace run is shown depends on both of
 *		its neighbours (RFC 2047 6.2).
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <glib.h>

#include "pd_charset.h"
#include "pd_err.h"
#include "pd_mem.h"
#include "pd_rfc2047.h"

/* is_wsp - whitespace that separates atoms (folding included) */
static bool
is_wsp(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * buf_truncate - cut b back to len bytes.  Only used to drop what a failed
 * decode appended; such appends never overflow the buffer's maximum (a
 * payload is never longer than its raw text), so the bytes before len are
 * intact.
 */
static void
buf_truncate(struct pd_buf *b, size_t len)
{
	b->len = len;
	if (b->data != NULL)
		b->data[len] = '\0';
}

/* atoms_push - append an atom and return it, zeroed but for kind/range */
static struct pd_rfc2047_atom *
atoms_push(struct pd_rfc2047_atoms *a, enum pd_rfc2047_kind kind,
    size_t start, size_t len)
{
	struct pd_rfc2047_atom *at;

	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 16;
		a->v = pd_xrealloc(a->v, a->cap * sizeof(*a->v));
	}
	at = &a->v[a->n++];
	memset(at, 0, sizeof(*at));
	at->kind = kind;
	at->start = start;
	at->len = len;
	return at;
}

/* b64_value - value of a base64 digit, -1 for anything else */
static int
b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * b64_decode - append the base64 payload s[0..n) to out.  '=' ends a
 * quantum; data after padding starts a new one (senders that glue padded
 * chunks together).  A quantum of one digit or a foreign character is an
 * error.
 */
static int
b64_decode(const char *s, size_t n, struct pd_buf *out)
{
	unsigned acc = 0;
	int have = 0;
	size_t i;

	for (i = 0; i <= n; i++) {
		int v = i < n ? b64_value((unsigned char)s[i]) : -2;

		if (v >= 0) {
			acc = (acc << 6) | (unsigned)v;
			if (++have == 4) {
				if (pd_buf_addc(out, (char)(acc >> 16)) ||
				    pd_buf_addc(out, (char)(acc >> 8)) ||
				    pd_buf_addc(out, (char)acc))
					return PD_EINVAL;
				acc = 0;
				have = 0;
			}
			continue;
		}
		if (v == -1 && s[i] != '=')
			return PD_EINVAL;
		if (have == 1)
			return PD_EINVAL;
		if (have >= 2 &&
		    pd_buf_addc(out, (char)(acc >> (have * 6 - 8))) != PD_OK)
			return PD_EINVAL;
		if (have == 3 && pd_buf_addc(out, (char)(acc >> 2)))
			return PD_EINVAL;
		acc = 0;
		have = 0;
	}
	return PD_OK;
}

/* hex_value - value of a hex digit, -1 for anything else */
static int
hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* q_decode - append the Q payload s[0..n) to out; a stray '=' is kept */
static int
q_decode(const char *s, size_t n, struct pd_buf *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '_') {
			c = ' ';
		} else if (c == '=' && i + 2 < n &&
		    hex_value((unsigned char)s[i + 1]) >= 0 &&
		    hex_value((unsigned char)s[i + 2]) >= 0) {
			c = hex_value((unsigned char)s[i + 1]) * 16 +
			    hex_value((unsigned char)s[i + 2]);
			i += 2;
		}
		if (pd_buf_addc(out, (char)c) != PD_OK)
			return PD_EINVAL;
	}
	return PD_OK;
}

/* pd_rfc2047_charset_ok - token characters only, sane length */
bool
pd_rfc2047_charset_ok(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len > PD_RFC2047_CHARSET_MAX)
		return false;
	for (i = 0; i < len; i++) {
		int c = (unsigned char)name[i];

		if (c <= ' ' || c >= 0x7f || strchr("?=()<>@,;:\"/[]\\",
		    c) != NULL)
			return false;
	}
	return true;
}

/*
 * word_parse - if s[i..end) starts with a complete encoded-word, fill at
 * (charset without the RFC 2231 language, encoding) and return the offset
 * just past its "?="; 0 otherwise.  The payload
 * is s[*ptext, *ptext + *plen).
 */
static size_t
word_parse(const char *s, size_t i, size_t end, struct pd_rfc2047_atom *at,
    size_t *ptext, size_t *plen)
{
	size_t cs = i + 2;
	size_t p = cs;
	size_t clen;
	const char *star;
	int enc;

	while (p < end && s[p] != '?')
		p++;
	if (p + 3 >= end || s[p + 2] != '?' || p == cs)
		return 0;
	enc = s[p + 1];
	if (g_ascii_toupper(enc) != 'B' && g_ascii_toupper(enc) != 'Q')
		return 0;
	clen = p - cs;
	star = memchr(s + cs, '*', clen);
	if (star != NULL)
		clen = (size_t)(star - (s + cs));
	if (!pd_rfc2047_charset_ok(s + cs, clen))
		return 0;
	*ptext = p + 3;
	for (p = p + 3; p < end && s[p] != '?'; p++)
		if ((unsigned char)s[p] <= ' ' || (unsigned char)s[p] >= 0x7f)
			return 0;
	if (p + 1 >= end || s[p + 1] != '=')
		return 0;
	*plen = p - *ptext;
	memcpy(at->charset, s + cs, clen);
	at->charset[clen] = '\0';
	at->encoding = (char)enc;
	return p + 2;
}

/* word_add - add the encoded-word s[i..e) (or text, if it will not decode) */
static void
word_add(const char *s, size_t i, size_t e, const struct pd_rfc2047_atom *w,
    size_t text, size_t tlen, struct pd_rfc2047_atoms *a)
{
	struct pd_rfc2047_atom *at;
	size_t before = a->bytes.len;
	int rc;

	if (g_ascii_toupper(w->encoding) == 'B')
		rc = b64_decode(s + text, tlen, &a->bytes);
	else
		rc = q_decode(s + text, tlen, &a->bytes);
	if (rc != PD_OK) {
		buf_truncate(&a->bytes, before);
		a->lossy = true;
		atoms_push(a, PD_RFC2047_TEXT, i, e - i);
		return;
	}
	at = atoms_push(a, PD_RFC2047_WORD, i, e - i);
	memcpy(at->charset, w->charset, sizeof(at->charset));
	at->encoding = w->encoding;
	at->boff = before;
	at->blen = a->bytes.len - before;
}

/* text_run - split the non-whitespace run s[i..end) into text and words */
static void
text_run(const char *s, size_t i, size_t end, struct pd_rfc2047_atoms *a)
{
	struct pd_rfc2047_atom w;
	size_t from = i;
	size_t text, tlen, e;

	while (i + 1 < end) {
		if (s[i] != '=' || s[i + 1] != '?') {
			i++;
			continue;
		}
		memset(&w, 0, sizeof(w));
		e = word_parse(s, i, end, &w, &text, &tlen);
		if (e == 0) {
			i++;
			continue;
		}
		if (i > from)
			atoms_push(a, PD_RFC2047_TEXT, from, i - from);
		word_add(s, i, e, &w, text, tlen, a);
		i = from = e;
	}
	if (end > from)
		atoms_push(a, PD_RFC2047_TEXT, from, end - from);
}

/* pd_rfc2047_tokenize - whitespace runs, encoded-words, text */
int
pd_rfc2047_tokenize(const char *raw, size_t len, struct pd_rfc2047_atoms *a)
{
	size_t i = 0;
	size_t j;

	if (len > PD_RFC2047_RAW_MAX || memchr(raw, '\0', len) != NULL)
		return PD_EINVAL;
	pd_buf_init(&a->bytes, PD_RFC2047_RAW_MAX);
	while (i < len) {
		j = i;
		if (is_wsp((unsigned char)raw[i])) {
			while (j < len && is_wsp((unsigned char)raw[j]))
				j++;
			atoms_push(a, PD_RFC2047_SPACE, i, j - i);
		} else {
			while (j < len && !is_wsp((unsigned char)raw[j]))
				j++;
			text_run(raw, i, j, a);
		}
		i = j;
	}
	return PD_OK;
}

/* pd_rfc2047_atoms_free - release the atoms (the struct is reusable) */
void
pd_rfc2047_atoms_free(struct pd_rfc2047_atoms *a)
{
	pd_xfree(&a->v);
	a->n = 0;
	a->cap = 0;
	pd_buf_free(&a->bytes);
}

/* seg_push - append a segment over atoms [first, last] */
static struct pd_rfc2047_seg *
seg_push(struct pd_rfc2047_text *t, size_t *cap, enum pd_rfc2047_kind kind,
    size_t first, size_t last)
{
	const struct pd_rfc2047_atom *a = t->atoms.v;
	struct pd_rfc2047_seg *sg;

	if (t->nsegs == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		t->segs = pd_xrealloc(t->segs, *cap * sizeof(*t->segs));
	}
	sg = &t->segs[t->nsegs++];
	memset(sg, 0, sizeof(*sg));
	sg->kind = kind;
	sg->first = first;
	sg->last = last;
	sg->rstart = a[first].start;
	sg->rend = a[last].start + a[last].len;
	return sg;
}

/* run_last - last atom of the same-charset run of words starting at i */
static size_t
run_last(const struct pd_rfc2047_atoms *a, size_t i)
{
	size_t last = i;
	size_t j = i + 1;

	while (j < a->n) {
		if (a->v[j].kind == PD_RFC2047_SPACE)
			j++;
		if (j >= a->n || a->v[j].kind != PD_RFC2047_WORD ||
		    g_ascii_strcasecmp(a->v[j].charset, a->v[i].charset) != 0)
			break;
		last = j++;
	}
	return last;
}

/*
 * run_convert - convert the payloads of atoms [first, last] (contiguous in
 * the byte buffer) to UTF-8 and append them to out; PD_OK or PD_EINVAL.
 */
static int
run_convert(const struct pd_rfc2047_atoms *a, size_t first, size_t last,
    struct pd_buf *out)
{
	const struct pd_rfc2047_atom *f = &a->v[first];
	const struct pd_rfc2047_atom *l = &a->v[last];
	gsize n = 0;
	gchar *u;
	int rc;

	u = g_convert(pd_buf_str(&a->bytes) + f->boff,
	    (gssize)(l->boff + l->blen - f->boff), "UTF-8", f->charset, NULL,
	    &n, NULL);
	if (u == NULL)
		return PD_EINVAL;
	rc = pd_buf_add(out, u, n);
	g_free(u);
	return rc;
}

/*
 * word_segs - segments for the run of encoded-words starting at atom i;
 * returns the next atom index.  When a run does not convert, its words are
 * converted one by one (up to *single, so that a long hostile run costs
 * linear time); a word that still fails becomes literal text.
 */
static size_t
word_segs(struct pd_rfc2047_text *t, size_t *cap, size_t i, size_t *single,
    struct pd_buf *wtext)
{
	const struct pd_rfc2047_atoms *a = &t->atoms;
	size_t last = i;
	size_t before = wtext->len;
	struct pd_rfc2047_seg *sg;

	if (*single == (size_t)-1 || i > *single)
		last = run_last(a, i);
	if (last > i && run_convert(a, i, last, wtext) != PD_OK) {
		buf_truncate(wtext, before);	/* cannot overflow */
		*single = last;
		last = i;
	}
	if (last == i && run_convert(a, i, i, wtext) != PD_OK) {
		buf_truncate(wtext, before);
		t->lossless = false;
		seg_push(t, cap, PD_RFC2047_TEXT, i, i);
		return i + 1;
	}
	sg = seg_push(t, cap, PD_RFC2047_WORD, i, last);
	sg->encoding = a->v[i].encoding;
	memcpy(sg->charset, a->v[i].charset, sizeof(sg->charset));
	sg->dstart = before;		/* into wtext until layout */
	sg->dend = wtext->len;
	return last + 1;
}

/*
 * raw_charset - decide how raw 8-bit text is read: "" (UTF-8) when every
 * text atom is valid UTF-8, else cs when given, else the guess over all
 * of the 8-bit text.
 */
static void
raw_charset(struct pd_rfc2047_text *t, const char *raw, const char *cs)
{
	const struct pd_rfc2047_atoms *a = &t->atoms;
	struct pd_buf all;
	bool utf8 = true;
	size_t i;

	for (i = 0; i < a->n; i++) {
		const struct pd_rfc2047_atom *at = &a->v[i];
		size_t k;

		if (at->kind != PD_RFC2047_TEXT)
			continue;
		for (k = 0; k < at->len; k++)
			if ((unsigned char)raw[at->start + k] >= 0x80)
				t->raw8bit = true;
		if (!g_utf8_validate(raw + at->start, (gssize)at->len, NULL))
			utf8 = false;
	}
	if (utf8)
		return;
	if (cs != NULL && cs[0] != '\0') {
		g_strlcpy(t->rawcharset, cs, sizeof(t->rawcharset));
		return;
	}
	pd_buf_init(&all, PD_RFC2047_RAW_MAX * 2);
	for (i = 0; i < a->n; i++)
		if (a->v[i].kind == PD_RFC2047_TEXT &&
		    (pd_buf_add(&all, raw + a->v[i].start, a->v[i].len) ||
		    pd_buf_addc(&all, ' ')))
			break;
	g_strlcpy(t->rawcharset, pd_charset_guess(pd_buf_str(&all), all.len),
	    sizeof(t->rawcharset));
	pd_buf_free(&all);
}

/* text_decode - append the decoded form of the raw text seg to t->text */
static int
text_decode(struct pd_rfc2047_text *t, struct pd_rfc2047_seg *sg,
    const char *raw)
{
	const char *p = raw + sg->rstart;
	size_t n = sg->rend - sg->rstart;
	gchar *u;
	gsize ulen = 0;
	size_t k;
	int rc;

	for (k = 0; k < n && (unsigned char)p[k] < 0x80; k++)
		continue;
	if (k == n || t->rawcharset[0] == '\0')
		return pd_buf_add(&t->text, p, n);
	memcpy(sg->charset, t->rawcharset, sizeof(sg->charset));
	u = g_convert(p, (gssize)n, "UTF-8", sg->charset, NULL, &ulen, NULL);
	if (u == NULL)
		return PD_EINVAL;	/* only a given charset can fail */
	rc = pd_buf_add(&t->text, u, ulen);
	g_free(u);
	return rc;
}

/*
 * space_decode - append a shown whitespace run without CR and LF (a bare
 * line break, which is no fold, still separates words: one space)
 */
static int
space_decode(struct pd_rfc2047_text *t, const struct pd_rfc2047_seg *sg,
    const char *raw)
{
	size_t before = t->text.len;
	size_t k;

	for (k = sg->rstart; k < sg->rend; k++)
		if (raw[k] != '\r' && raw[k] != '\n' &&
		    pd_buf_addc(&t->text, raw[k]) != PD_OK)
			return PD_EINVAL;
	return t->text.len > before ? PD_OK : pd_buf_addc(&t->text, ' ');
}

/*
 * layout - second pass: the decoded text of each segment.  Whitespace is
 * not shown at the start (it separates the value from the field name) nor
 * between two encoded-words (RFC 2047 6.2).
 */
static int
layout(struct pd_rfc2047_text *t, const char *raw, const struct pd_buf *wt)
{
	size_t k;
	int rc = PD_OK;

	for (k = 0; k < t->nsegs && rc == PD_OK; k++) {
		struct pd_rfc2047_seg *sg = &t->segs[k];
		size_t start = t->text.len;

		if (sg->kind == PD_RFC2047_WORD)
			rc = pd_buf_add(&t->text, pd_buf_str(wt) + sg->dstart,
			    sg->dend - sg->dstart);
		else if (sg->kind == PD_RFC2047_TEXT)
			rc = text_decode(t, sg, raw);
		else if (k > 0 && !(k + 1 < t->nsegs &&
		    t->segs[k - 1].kind == PD_RFC2047_WORD &&
		    t->segs[k + 1].kind == PD_RFC2047_WORD))
			rc = space_decode(t, sg, raw);
		sg->dstart = start;
		sg->dend = t->text.len;
	}
	return rc;
}

/* pd_rfc2047_parse - atoms, segments and decoded text */
int
pd_rfc2047_parse(const char *raw, size_t len, const char *rawcharset,
    struct pd_rfc2047_text *t)
{
	struct pd_buf wtext;
	size_t cap = 0;
	size_t single = (size_t)-1;
	size_t i = 0;
	int rc;

	memset(t, 0, sizeof(*t));
	pd_buf_init(&t->text, PD_RFC2047_TEXT_MAX);
	pd_buf_init(&wtext, PD_RFC2047_TEXT_MAX);
	t->lossless = true;
	rc = pd_rfc2047_tokenize(raw, len, &t->atoms);
	if (rc != PD_OK)
		goto out;
	if (t->atoms.lossy)
		t->lossless = false;
	raw_charset(t, raw, rawcharset);
	while (i < t->atoms.n) {
		if (t->atoms.v[i].kind == PD_RFC2047_WORD) {
			i = word_segs(t, &cap, i, &single, &wtext);
			continue;
		}
		seg_push(t, &cap, t->atoms.v[i].kind, i, i);
		i++;
	}
	rc = layout(t, raw, &wtext);
out:
	pd_buf_free(&wtext);
	if (rc != PD_OK)
		pd_rfc2047_text_free(t);
	return rc;
}

/* pd_rfc2047_text_free - release what parse filled in */
void
pd_rfc2047_text_free(struct pd_rfc2047_text *t)
{
	pd_rfc2047_atoms_free(&t->atoms);
	pd_xfree(&t->segs);
	t->nsegs = 0;
	pd_buf_free(&t->text);
}

/* pd_rfc2047_decode - decoded UTF-8 text of a raw value */
char *
pd_rfc2047_decode(const char *raw, size_t len, bool *lossless)
{
	struct pd_rfc2047_text t;
	char *s;

	if (pd_rfc2047_parse(raw, len, NULL, &t) != PD_OK)
		return NULL;
	if (lossless != NULL)
		*lossless = t.lossless;
	s = pd_charset_valid_dup(pd_buf_str(&t.text), t.text.len);
	pd_rfc2047_text_free(&t);
	return s;
}
