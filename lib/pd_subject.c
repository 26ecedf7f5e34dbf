/*
 * pd_subject.c - put the ticket tag into a Subject header, keep the rest
 *
 * PURPOSE	pd_subject_rewrite() and pd_subject_display(); see
 *		pd_subject.h for the contract and the overall design.  The
 *		tags are deleted and the insertion point found in
 *		pd_subject_edit.c; this file renders the new value and checks
 *		it.
 * DESIGN	Names used below: D is the decoded text of the raw value, D'
 *		is D with our tags deleted, p is the insertion point in D'
 *		(pd_subject_impl.h).  Each segment has its range in D' and a
 *		flag telling whether any of its text was deleted.
 *		Rendering walks the segments once.  Whitespace segments are
 *		not written when met but collected into a group that is
 *		resolved when the next visible token (raw text, encoded-word,
 *		the tag) or the end is reached, because what whitespace means
 *		depends on both neighbours (RFC 2047 6.2):
 *		  - at the start of the body: dropped (the leading whitespace
 *		    of the value is written separately, exactly as received);
 *		  - between two encoded-words it is not shown: one separator
 *		    is written, and if D' does show whitespace there (a tag
 *		    between the words was deleted), that whitespace moves into
 *		    the right-hand run, which is then encoded again;
 *		  - elsewhere it is shown: the first untouched whitespace of
 *		    the group is written raw (folds kept), else the text of D'.
 *		The tag is written with whitespace before it unless the output
 *		already ends in whitespace, and one space after it unless it
 *		ends the value; a tag that ends the value replaces the
 *		whitespace before it with one space, so that rewriting the
 *		result again (which deletes that tag with the space before
 *		it) gives the same bytes.
 *		A segment that has to change is rendered from its D' text: raw
 *		text converted back to its own charset, an encoded run with
 *		pd_rfc2047_encode() in its own charset and encoding, falling
 *		back to UTF-8.  A segment whose new text equals its old text
 *		(our tag taken out and put back in the same place) keeps its
 *		raw bytes.  Whitespace copied raw never keeps a CR or a bare
 *		LF (put_ws()).
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <glib.h>

#include "pd_charset.h"
#include "pd_err.h"
#include "pd_mem.h"
#include "pd_subject_impl.h"

/* sep_before - the tag needs a space before it in D' terms */
static bool
sep_before(const struct pd_subject_rw *rw)
{
	return rw->p > 0 && !PD_SUBJECT_WSP(pd_buf_str(&rw->d2)[rw->p - 1]);
}

/* put_insertion - append [sep] tag [space] as the decoded text has them */
static int
put_insertion(const struct pd_subject_rw *rw, struct pd_buf *b)
{
	if (sep_before(rw) && pd_buf_addc(b, ' ') != PD_OK)
		return PD_EINVAL;
	if (pd_buf_adds(b, rw->tag) != PD_OK)
		return PD_EINVAL;
	return rw->p < rw->d2.len ? pd_buf_addc(b, ' ') : PD_OK;
}

/* seg_text - the new decoded text of segment k, starting at D' from */
static int
seg_text(const struct pd_subject_rw *rw, size_t k, size_t from,
    struct pd_buf *b)
{
	const char *d = pd_buf_str(&rw->d2);
	size_t end = rw->ed[k].nend;

	if (rw->mode != PD_SUBJECT_INS_INSIDE || rw->iseg != k)
		return pd_buf_add(b, d + from, end - from);
	if (pd_buf_add(b, d + from, rw->p - from) != PD_OK ||
	    put_insertion(rw, b) != PD_OK)
		return PD_EINVAL;
	return pd_buf_add(b, d + rw->p, end - rw->p);
}

/* seg_tok - what segment k (not whitespace) will write */
static enum pd_subject_tok
seg_tok(const struct pd_subject_rw *rw, size_t k)
{
	const struct pd_subject_segedit *e = &rw->ed[k];
	bool inside = rw->mode == PD_SUBJECT_INS_INSIDE && rw->iseg == k;

	if (e->nend == e->nstart && !inside &&
	    (e->changed || rw->t.segs[k].kind == PD_RFC2047_TEXT))
		return PD_SUBJECT_TOK_NONE;
	return rw->t.segs[k].kind == PD_RFC2047_WORD ? PD_SUBJECT_TOK_EW :
	    PD_SUBJECT_TOK_RAW;
}

/*
 * put_ws - raw whitespace r[0..n) without CR and with at most one LF,
 * which is followed by SP/TAB: a fold stays a fold, a bare CR or LF
 * becomes a fold or a space, never a line end
 */
static int
put_ws(struct pd_subject_rw *rw, const char *r, size_t n)
{
	size_t before = rw->out.len;
	size_t i;

	if (memchr(r, '\n', n) != NULL && pd_buf_addc(&rw->out, '\n'))
		return PD_EINVAL;
	for (i = 0; i < n; i++)
		if (PD_SUBJECT_WSP((unsigned char)r[i]) &&
		    pd_buf_addc(&rw->out, r[i]) != PD_OK)
			return PD_EINVAL;
	if (rw->out.len == before || (rw->out.len == before + 1 &&
	    rw->out.data[before] == '\n'))
		return pd_buf_addc(&rw->out, ' ');	/* keep a separator */
	return PD_OK;
}

/* put_space_raw - the raw whitespace of segment k, made safe */
static int
put_space_raw(struct pd_subject_rw *rw, size_t k)
{
	const struct pd_rfc2047_seg *sg = &rw->t.segs[k];

	return put_ws(rw, rw->raw + sg->rstart, sg->rend - sg->rstart);
}

/* group_add - remember whitespace segment k for the pending group */
static void
group_add(struct pd_subject_rw *rw, size_t k)
{
	if (rw->gfirst == PD_SUBJECT_NO_SEG)
		rw->gfirst = k;
	rw->glast = k;
}

/*
 * group_flush - resolve the pending whitespace before a token of kind
 * next (PD_SUBJECT_TOK_NONE: the end).  *absorb (may be NULL unless next
 * is PD_SUBJECT_TOK_EW) is set to the D' start of shown whitespace that
 * the next encoded run has to carry.
 */
static int
group_flush(struct pd_subject_rw *rw, enum pd_subject_tok next,
    size_t *absorb)
{
	size_t first = rw->gfirst, k;
	size_t ds, de;

	if (first == PD_SUBJECT_NO_SEG)
		return PD_OK;
	rw->gfirst = PD_SUBJECT_NO_SEG;
	ds = rw->ed[first].nstart;
	de = rw->ed[rw->glast].nend;
	if (rw->last == PD_SUBJECT_TOK_NONE)
		return PD_OK;
	if (rw->last == PD_SUBJECT_TOK_EW && next == PD_SUBJECT_TOK_EW) {
		if (de > ds)
			*absorb = ds;
		for (k = first; k <= rw->glast; k++)
			if (rw->t.segs[k].kind == PD_RFC2047_SPACE &&
			    !rw->ed[k].changed)
				return put_space_raw(rw, k);
		return pd_buf_addc(&rw->out, ' ');
	}
	if (de == ds)
		return PD_OK;
	for (k = first; k <= rw->glast; k++)
		if (rw->t.segs[k].kind == PD_RFC2047_SPACE &&
		    !rw->ed[k].changed && rw->ed[k].nend > rw->ed[k].nstart)
			return put_space_raw(rw, k);
	return pd_buf_add(&rw->out, pd_buf_str(&rw->d2) + ds, de - ds);
}

/* put_tag - the ASCII tag between segments (or at the end) */
static int
put_tag(struct pd_subject_rw *rw, bool more)
{
	if (rw->out.len > rw->body &&
	    !PD_SUBJECT_WSP((unsigned char)rw->out.data[rw->out.len - 1]) &&
	    pd_buf_addc(&rw->out, ' ') != PD_OK)
		return PD_EINVAL;
	rw->last = PD_SUBJECT_TOK_RAW;
	if (pd_buf_adds(&rw->out, rw->tag) != PD_OK)
		return PD_EINVAL;
	return more ? pd_buf_addc(&rw->out, ' ') : PD_OK;
}

/*
 * put_raw - the segment's raw bytes; the whitespace inside a run of
 * encoded-words (which is not shown) goes through put_ws()
 */
static int
put_raw(struct pd_subject_rw *rw, size_t k)
{
	const struct pd_rfc2047_seg *sg = &rw->t.segs[k];
	const struct pd_rfc2047_atom *a = rw->t.atoms.v;
	size_t i;
	int rc = PD_OK;

	for (i = sg->first; i <= sg->last && rc == PD_OK; i++)
		rc = a[i].kind == PD_RFC2047_SPACE ?
		    put_ws(rw, rw->raw + a[i].start, a[i].len) :
		    pd_buf_add(&rw->out, rw->raw + a[i].start, a[i].len);
	return rc;
}

/*
 * new_text - the new decoded text of segment k into b; false when it is
 * the text the segment had (our tag was taken out and put back in the
 * same place), so the raw bytes can stay
 */
static bool
new_text(const struct pd_subject_rw *rw, size_t k, size_t from,
    struct pd_buf *b, int *rc)
{
	const struct pd_rfc2047_seg *sg = &rw->t.segs[k];

	*rc = seg_text(rw, k, from, b);
	return *rc != PD_OK || b->len != sg->dend - sg->dstart ||
	    memcmp(pd_buf_str(b), pd_buf_str(&rw->t.text) + sg->dstart,
	    b->len) != 0;
}

/*
 * render_text - raw text segment k: its bytes when untouched, else its
 * new text converted back to its charset; in UTF-8 when rw->raw_utf8
 */
static int
render_text(struct pd_subject_rw *rw, size_t k, size_t from)
{
	const struct pd_rfc2047_seg *sg = &rw->t.segs[k];
	struct pd_buf b;
	gchar *c;
	gsize n = 0;
	int rc = PD_OK;

	pd_buf_init(&b, PD_SUBJECT_OUT_MAX);
	if (!new_text(rw, k, from, &b, &rc) &&
	    (!rw->raw_utf8 || sg->charset[0] == '\0')) {
		rc = put_raw(rw, k);
	} else if (rc == PD_OK && (sg->charset[0] == '\0' || rw->raw_utf8)) {
		rc = pd_buf_add(&rw->out, pd_buf_str(&b), b.len);
	} else if (rc == PD_OK) {
		c = g_convert(pd_buf_str(&b), (gssize)b.len, sg->charset,
		    "UTF-8", NULL, &n, NULL);
		rc = c != NULL ? pd_buf_add(&rw->out, c, n) : PD_EINVAL;
		g_free(c);
	}
	pd_buf_free(&b);
	return rc;
}

/*
 * render_word - encoded run k: raw when its text is unchanged, else its
 * new text (from D' offset from) encoded in its own charset and encoding
 * or, failing that, in UTF-8
 */
static int
render_word(struct pd_subject_rw *rw, size_t k, size_t from)
{
	const struct pd_rfc2047_seg *sg = &rw->t.segs[k];
	struct pd_buf b, enc;
	int rc = PD_OK;

	pd_buf_init(&b, PD_SUBJECT_OUT_MAX);
	pd_buf_init(&enc, PD_SUBJECT_OUT_MAX);
	if (!new_text(rw, k, from, &b, &rc)) {
		rc = put_raw(rw, k);
		goto out;
	}
	rw->reencoded = true;
	if (rc == PD_OK && pd_rfc2047_encode(pd_buf_str(&b), b.len,
	    sg->charset, sg->encoding, &enc) != PD_OK) {
		pd_buf_reset(&enc);
		rc = pd_rfc2047_encode(pd_buf_str(&b), b.len, "UTF-8", 0,
		    &enc);
	}
	if (rc == PD_OK)
		rc = pd_buf_add(&rw->out, pd_buf_str(&enc), enc.len);
out:
	pd_buf_free(&b);
	pd_buf_free(&enc);
	return rc;
}

/* render_seg - resolve the whitespace before segment k, then write it */
static int
render_seg(struct pd_subject_rw *rw, size_t k)
{
	enum pd_subject_tok tok;
	size_t from;

	if (rw->t.segs[k].kind == PD_RFC2047_SPACE) {
		group_add(rw, k);
		return PD_OK;
	}
	tok = seg_tok(rw, k);
	if (tok == PD_SUBJECT_TOK_NONE)
		return PD_OK;
	from = rw->ed[k].nstart;
	if (group_flush(rw, tok, &from) != PD_OK)
		return PD_EINVAL;
	rw->last = tok;
	if (tok == PD_SUBJECT_TOK_EW)
		return render_word(rw, k, from);
	return render_text(rw, k, from);
}

/* render - the unfolded new value into rw->out */
static int
render(struct pd_subject_rw *rw)
{
	size_t k = 0;
	int rc = PD_OK;

	rw->gfirst = PD_SUBJECT_NO_SEG;
	rw->last = PD_SUBJECT_TOK_NONE;
	if (rw->t.nsegs > 0 && rw->t.segs[0].kind == PD_RFC2047_SPACE) {
		rc = put_space_raw(rw, 0);
		k = 1;
	}
	rw->body = rw->out.len;
	for (; k < rw->t.nsegs && rc == PD_OK; k++) {
		if (rw->mode == PD_SUBJECT_INS_BEFORE && rw->iseg == k) {
			rc = group_flush(rw, PD_SUBJECT_TOK_RAW, NULL);
			if (rc == PD_OK)
				rc = put_tag(rw, true);
		}
		if (rc == PD_OK)
			rc = render_seg(rw, k);
	}
	if (rc == PD_OK && rw->mode == PD_SUBJECT_INS_END) {
		/* "Re:\n " and the tag become "Re: " and the tag */
		rw->gfirst = PD_SUBJECT_NO_SEG;
		rc = put_tag(rw, false);
	}
	if (rc == PD_OK)
		rc = group_flush(rw, PD_SUBJECT_TOK_NONE, NULL);
	return rc;
}

/* collapse - src with whitespace runs as one space, trimmed, into dst */
static int
collapse(const char *src, size_t len, struct pd_buf *dst)
{
	bool pending = false;
	size_t i;

	for (i = 0; i < len; i++) {
		if (src[i] == ' ' || src[i] == '\t' || src[i] == '\r' ||
		    src[i] == '\n') {
			pending = dst->len > 0;
			continue;
		}
		if ((pending && pd_buf_addc(dst, ' ') != PD_OK) ||
		    pd_buf_addc(dst, src[i]) != PD_OK)
			return PD_EINVAL;
		pending = false;
	}
	return PD_OK;
}

/*
 * self_check - decoding value as any reader would (raw 8-bit text that is
 * not UTF-8 read in the charset guessed from the value itself) must give
 * D' with the tag inserted at p (whitespace runs compared as one space);
 * PD_OK or PD_EINVAL
 */
static int
self_check(const struct pd_subject_rw *rw, const char *value, size_t len)
{
	struct pd_rfc2047_text t2;
	struct pd_buf want, a, b;
	int rc;

	if (pd_rfc2047_parse(value, len, NULL, &t2) != PD_OK)
		return PD_EINVAL;
	pd_buf_init(&want, PD_RFC2047_TEXT_MAX);
	pd_buf_init(&a, PD_RFC2047_TEXT_MAX);
	pd_buf_init(&b, PD_RFC2047_TEXT_MAX);
	rc = pd_buf_add(&want, pd_buf_str(&rw->d2), rw->p);
	if (rc == PD_OK)
		rc = put_insertion(rw, &want);
	if (rc == PD_OK)
		rc = pd_buf_add(&want, pd_buf_str(&rw->d2) + rw->p,
		    rw->d2.len - rw->p);
	if (rc == PD_OK)
		rc = collapse(pd_buf_str(&want), want.len, &a);
	if (rc == PD_OK)
		rc = collapse(pd_buf_str(&t2.text), t2.text.len, &b);
	if (rc == PD_OK && (a.len != b.len ||
	    memcmp(pd_buf_str(&a), pd_buf_str(&b), a.len) != 0))
		rc = PD_EINVAL;
	pd_buf_free(&want);
	pd_buf_free(&a);
	pd_buf_free(&b);
	pd_rfc2047_text_free(&t2);
	return rc;
}

/* tag_ok - tag is exactly one syntactic tag with this prefix */
static bool
tag_ok(const char *tag, const char *prefix)
{
	struct pd_tag_match m;
	size_t n = strnlen(tag, PD_TAG_MAX);

	return n < PD_TAG_MAX && pd_tag_prefix_valid(prefix) &&
	    pd_tag_find(tag, n, prefix, &m) && m.start == 0 && m.end == n;
}

/* trim_trailing_folds - no line of only whitespace at the end */
static void
trim_trailing_folds(struct pd_buf *b)
{
	size_t i = b->len;
	size_t o;
	size_t k;

	while (i > 0 && (b->data[i - 1] == ' ' || b->data[i - 1] == '\t' ||
	    b->data[i - 1] == '\n'))
		i--;
	for (o = k = i; k < b->len; k++)
		if (b->data[k] != '\n')
			b->data[o++] = b->data[k];
	b->len = o;
	if (b->data != NULL)
		b->data[o] = '\0';
}

/* info_fill - what the caller may want to log */
static void
info_fill(const struct pd_subject_rw *rw, struct pd_subject_info *info)
{
	if (info == NULL)
		return;
	info->reencoded = rw->reencoded;
	info->raw8bit = rw->t.raw8bit;
	info->lossless = rw->t.lossless;
	memcpy(info->rawcharset, rw->t.rawcharset, sizeof(info->rawcharset));
}

/*
 * render_checked - render rw into folded and check the result: PD_OK, or
 * PD_EINVAL when it cannot be rendered or fails a check
 */
static int
render_checked(struct pd_subject_rw *rw, struct pd_buf *folded)
{
	int rc;

	pd_buf_reset(&rw->out);
	pd_buf_reset(folded);
	rw->reencoded = rw->raw_utf8;
	rc = render(rw);
	if (rc == PD_OK) {
		trim_trailing_folds(&rw->out);
		rc = pd_subject_fold(pd_buf_str(&rw->out), rw->out.len,
		    folded);
	}
	if (rc == PD_OK && (!pd_subject_value_safe(pd_buf_str(folded),
	    folded->len) || self_check(rw, pd_buf_str(folded),
	    folded->len) != PD_OK))
		rc = PD_EINVAL;
	return rc;
}

/* pd_subject_rewrite - see pd_subject.h */
int
pd_subject_rewrite(const char *raw, size_t rawlen, const char *tag_prefix,
    const char *tag, char **out, struct pd_subject_info *info)
{
	struct pd_subject_rw rw;
	struct pd_buf folded;
	int rc;

	*out = NULL;
	if (info != NULL)
		memset(info, 0, sizeof(*info));
	if ((raw == NULL && rawlen > 0) || !tag_ok(tag, tag_prefix))
		return PD_EINVAL;
	pd_buf_init(&folded, PD_SUBJECT_OUT_MAX);
	rc = pd_subject_rw_prepare(&rw, raw != NULL ? raw : "", rawlen,
	    tag_prefix, info);
	rw.tag = tag;
	if (rc == PD_OK) {
		rc = render_checked(&rw, &folded);
		if (rc != PD_OK && rw.t.rawcharset[0] != '\0') {
			rw.raw_utf8 = true;	/* the guess flipped */
			rc = render_checked(&rw, &folded);
		}
	}
	if (rc == PD_OK) {
		info_fill(&rw, info);
		*out = pd_buf_detach(&folded);
	}
	pd_buf_free(&folded);
	pd_subject_rw_free(&rw);
	return rc;
}

/* display_utf8 - the title, valid UTF-8 whatever the decoding left */
static char *
display_utf8(const char *text)
{
	return pd_charset_valid_dup(text, strlen(text));
}

/* pd_subject_display - decoded subject without tags and prefixes */
char *
pd_subject_display(const char *raw, size_t len, const char *tag_prefix)
{
	struct pd_subject_rw rw;
	struct pd_buf b;
	char *s = NULL;
	size_t i;

	if (raw == NULL && len > 0)
		return NULL;
	pd_buf_init(&b, PD_RFC2047_TEXT_MAX);
	if (pd_subject_rw_prepare(&rw, raw != NULL ? raw : "", len, tag_prefix,
	    NULL) == PD_OK) {
		char *d = rw.d2.data;

		for (i = rw.p; i < rw.d2.len; i++) {	/* controls: spaces */
			unsigned char c = (unsigned char)d[i];

			if (c == 0xc2 && i + 1 < rw.d2.len &&
			    (unsigned char)d[i + 1] < 0xa0) {
				d[i++] = ' ';		/* C1 control */
				d[i] = ' ';
			} else if (c < 0x20 || c == 0x7f) {
				d[i] = ' ';
			}
		}
		/*
		 * A control character before a prefix hid it from rw.p
		 * ("\x1aRe: x"); as a space it is trimmed, so take the
		 * prefixes it uncovers too.
		 */
		if (collapse(pd_buf_str(&rw.d2) + rw.p, rw.d2.len - rw.p,
		    &b) == PD_OK)
			s = display_utf8(pd_buf_str(&b) +
			    pd_subject_prefix_len(pd_buf_str(&b), b.len));
	}
	pd_buf_free(&b);
	pd_subject_rw_free(&rw);
	return s;
}
