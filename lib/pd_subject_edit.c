/*
 * pd_subject_edit.c - delete our tags, find where the tag goes
 *
 * PURPOSE	The first half of pd_subject_rewrite() and all of
 *		pd_subject_display()'s work: parse the raw value, delete
 *		every copy of our tag from the decoded text D (giving D'),
 *		map each segment into D', and find the insertion point.
 * DESIGN	Deletions are kept as sorted, disjoint ranges of D.  Tags are
 *		searched in D' round by round, because deleting one can join
 *		the text around it into a new one; a range found in D' is
 *		turned back into D offsets and merged with the others.  The
 *		insertion point is pd_subject_prefix_len(D'); it falls
 *		either at the start of a segment (the tag goes between
 *		segments), inside one (that segment is rendered again with
 *		the tag in it), or at the end.
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "pd_err.h"
#include "pd_mem.h"
#include "pd_subject_impl.h"

/*
 * to_d - the D offset of the character at D' offset x (the deletions are
 * sorted and disjoint)
 */
static size_t
to_d(const struct pd_subject_rw *rw, size_t x)
{
	size_t i;

	for (i = 0; i < rw->ndels && rw->dels[i].start <= x; i++)
		x += rw->dels[i].end - rw->dels[i].start;
	return x;
}

/* range_cmp - qsort order of ranges */
static int
range_cmp(const void *a, const void *b)
{
	const struct pd_subject_range *x = a;
	const struct pd_subject_range *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* add_del - record the deletion of D' range [s, e) in D terms */
static void
add_del(struct pd_subject_rw *rw, size_t s, size_t e, size_t *cap)
{
	struct pd_subject_range r;

	r.start = to_d(rw, s);
	r.end = to_d(rw, e - 1) + 1;
	if (rw->ndels + rw->nnew == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		rw->dels = pd_xrealloc(rw->dels, *cap * sizeof(*rw->dels));
	}
	rw->dels[rw->ndels + rw->nnew++] = r;
}

/* merge_dels - sort the new deletions in and join overlapping ones */
static void
merge_dels(struct pd_subject_rw *rw)
{
	size_t n = rw->ndels + rw->nnew;
	size_t i, o = 0;

	if (n > 1)
		qsort(rw->dels, n, sizeof(*rw->dels), range_cmp);
	for (i = 0; i < n; i++) {
		if (o > 0 && rw->dels[i].start <= rw->dels[o - 1].end) {
			if (rw->dels[i].end > rw->dels[o - 1].end)
				rw->dels[o - 1].end = rw->dels[i].end;
			continue;
		}
		rw->dels[o++] = rw->dels[i];
	}
	rw->ndels = o;
	rw->nnew = 0;
}

/*
 * tags_round - find every tag with this prefix in the current D' and add
 * it to the deletions, with one adjacent space: the following one when
 * whitespace (or the start, or an earlier deletion) is on the left, else
 * the preceding one when the tag ends the text.  A tag glued to a word on
 * one side takes no space along.  Returns how many tags were found.
 */
static size_t
tags_round(struct pd_subject_rw *rw, const char *prefix, size_t *cap,
    struct pd_subject_info *info)
{
	const char *d = pd_buf_str(&rw->d2);
	size_t len = rw->d2.len;
	size_t pos = 0, prev = 0, found = 0;
	struct pd_tag_match m;

	while (pos < len && pd_tag_find(d + pos, len - pos, prefix, &m)) {
		size_t s = pos + m.start;
		size_t e = pos + m.end;
		bool left = s == 0 || s == prev || PD_SUBJECT_WSP(d[s - 1]);

		if (info != NULL && !info->has_tag) {
			info->has_tag = true;
			info->first_tag = m;
			info->first_tag.start = s;
			info->first_tag.end = e;
		}
		if (e < len && PD_SUBJECT_WSP(d[e]) && left)
			e++;
		else if (e == len && s > prev && PD_SUBJECT_WSP(d[s - 1]))
			s--;
		add_del(rw, s, e, cap);
		found++;
		pos = prev = e;
	}
	merge_dels(rw);
	return found;
}

/* build_d2 - D' is D without the deletions */
static int
build_d2(struct pd_subject_rw *rw)
{
	const char *d = pd_buf_str(&rw->t.text);
	size_t from = 0, k;

	pd_buf_reset(&rw->d2);
	for (k = 0; k < rw->ndels; k++) {
		if (pd_buf_add(&rw->d2, d + from, rw->dels[k].start - from))
			return PD_EINVAL;
		from = rw->dels[k].end;
	}
	return pd_buf_add(&rw->d2, d + from, rw->t.text.len - from);
}

/*
 * find_tags - delete our tags until none is left: taking one out can join
 * the text around it into a new one ("[PD-[PD-1-AAAA]1-AAAA]"), so the
 * search is repeated on the result, at most PD_SUBJECT_TAG_ROUNDS times.
 */
static int
find_tags(struct pd_subject_rw *rw, const char *prefix,
    struct pd_subject_info *info)
{
	size_t cap = 0, found, total = 0;
	int round;

	if (build_d2(rw) != PD_OK)
		return PD_EINVAL;
	for (round = 0; round <= PD_SUBJECT_TAG_ROUNDS; round++) {
		found = tags_round(rw, prefix, &cap, info);
		if (found == 0)
			break;
		if (round == PD_SUBJECT_TAG_ROUNDS || build_d2(rw) != PD_OK)
			return PD_EINVAL;
		total += found;
	}
	if (info != NULL)
		info->tags_removed = (unsigned)total;
	return PD_OK;
}

/* map_pos - D offset x (non-decreasing between calls) to its D' offset */
static size_t
map_pos(const struct pd_subject_rw *rw, size_t x, size_t *di, size_t *removed)
{
	while (*di < rw->ndels && rw->dels[*di].end <= x) {
		*removed += rw->dels[*di].end - rw->dels[*di].start;
		(*di)++;
	}
	if (*di < rw->ndels && rw->dels[*di].start < x)
		return rw->dels[*di].start - *removed;
	return x - *removed;
}

/* seg_ranges - every segment's range in D' and whether it lost text */
static void
seg_ranges(struct pd_subject_rw *rw)
{
	size_t di = 0, removed = 0, k;

	rw->ed = pd_xcalloc(rw->t.nsegs, sizeof(*rw->ed));
	for (k = 0; k < rw->t.nsegs; k++) {
		const struct pd_rfc2047_seg *sg = &rw->t.segs[k];

		rw->ed[k].nstart = map_pos(rw, sg->dstart, &di, &removed);
		rw->ed[k].changed = di < rw->ndels &&
		    rw->dels[di].start < sg->dend && sg->dend > sg->dstart;
		rw->ed[k].nend = map_pos(rw, sg->dend, &di, &removed);
	}
}

/* place - the insertion point and where it falls */
static void
place(struct pd_subject_rw *rw)
{
	size_t k;

	rw->p = pd_subject_prefix_len(pd_buf_str(&rw->d2), rw->d2.len);
	rw->mode = PD_SUBJECT_INS_END;
	rw->iseg = PD_SUBJECT_NO_SEG;
	for (k = 0; k < rw->t.nsegs; k++) {
		if (rw->ed[k].nend <= rw->p || rw->ed[k].nstart > rw->p)
			continue;
		rw->iseg = k;
		rw->mode = rw->ed[k].nstart == rw->p ?
		    PD_SUBJECT_INS_BEFORE : PD_SUBJECT_INS_INSIDE;
		return;
	}
}

/* pd_subject_rw_prepare - see pd_subject_impl.h */
int
pd_subject_rw_prepare(struct pd_subject_rw *rw, const char *raw, size_t len,
    const char *prefix, struct pd_subject_info *info)
{
	memset(rw, 0, sizeof(*rw));
	rw->raw = raw;
	pd_buf_init(&rw->d2, PD_RFC2047_TEXT_MAX);
	pd_buf_init(&rw->out, PD_SUBJECT_OUT_MAX);
	if (len > PD_SUBJECT_RAW_MAX || !pd_tag_prefix_valid(prefix) ||
	    pd_rfc2047_parse(raw, len, NULL, &rw->t) != PD_OK)
		return PD_EINVAL;
	if (find_tags(rw, prefix, info) != PD_OK)
		return PD_EINVAL;
	seg_ranges(rw);
	place(rw);
	return PD_OK;
}

/* pd_subject_rw_free - release what prepare and rendering made */
void
pd_subject_rw_free(struct pd_subject_rw *rw)
{
	pd_rfc2047_text_free(&rw->t);
	pd_xfree(&rw->dels);
	pd_xfree(&rw->ed);
	pd_buf_free(&rw->d2);
	pd_buf_free(&rw->out);
}

