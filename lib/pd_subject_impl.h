/*
 * pd_subject_impl.h - the rewriting state shared by pd_subject*.c
 *		(private to lib/)
 *
 * PURPOSE	pd_subject_edit.c deletes our tags and finds the insertion
 *		point; pd_subject.c renders the new value from the result.
 *		Both work on struct pd_subject_rw, described here.
 * DESIGN	D is the decoded text of the raw value (t.text), D' is D
 *		without the deletions (d2), p the insertion point in D'.
 *		Each segment of t has its range in D' in ed[].
 * OWNERSHIP	dels, ed, d2, out and t belong to the struct and are
 *		released by pd_subject_rw_free(); raw, tag and prefix are
 *		borrowed from the caller for the length of one call.
 * THREADS	One struct per call; nothing shared.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_SUBJECT_IMPL_H
#define PD_SUBJECT_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "pd_buf.h"
#include "pd_rfc2047.h"
#include "pd_subject.h"

#define PD_SUBJECT_NO_SEG	((size_t)-1)

struct pd_subject_range {
	size_t	start;
	size_t	end;
};

struct pd_subject_segedit {
	size_t	nstart;			/* the segment's text in D' */
	size_t	nend;
	bool	changed;		/* some of its text was deleted */
};

enum pd_subject_ins {
	PD_SUBJECT_INS_BEFORE,		/* between segments, before iseg */
	PD_SUBJECT_INS_INSIDE,		/* inside segment iseg */
	PD_SUBJECT_INS_END,		/* after everything */
};

enum pd_subject_tok {
	PD_SUBJECT_TOK_NONE,		/* nothing (start, or the end) */
	PD_SUBJECT_TOK_RAW,		/* raw text or the tag */
	PD_SUBJECT_TOK_EW,		/* encoded-words */
};

struct pd_subject_rw {
	const char		*raw;
	const char		*tag;
	struct pd_rfc2047_text	 t;
	struct pd_subject_range	*dels;	/* deletions in D, sorted */
	size_t			 ndels;
	size_t			 nnew;	/* found in this round, unsorted */
	struct pd_subject_segedit *ed;
	struct pd_buf		 d2;	/* D' */
	size_t			 p;
	enum pd_subject_ins	 mode;
	size_t			 iseg;
	struct pd_buf		 out;
	size_t			 body;	/* out offset after the lead */
	enum pd_subject_tok	 last;	/* last visible token written */
	size_t			 gfirst;	/* pending whitespace group */
	size_t			 glast;
	bool			 reencoded;
	bool			 raw_utf8;	/* raw 8-bit text as UTF-8 */
};

/*
 * pd_subject_rw_prepare - parse raw[0..len), delete our tags (prefix),
 * map the segments into D' and find the insertion point; info (may be
 * NULL) gets the tags found.  PD_OK or PD_EINVAL; release rw with
 * pd_subject_rw_free() either way.
 */
int	pd_subject_rw_prepare(struct pd_subject_rw *rw, const char *raw,
	    size_t len, const char *prefix, struct pd_subject_info *info);
void	pd_subject_rw_free(struct pd_subject_rw *rw);

/* PD_SUBJECT_WSP - whitespace inside decoded text */
#define PD_SUBJECT_WSP(c)	((c) == ' ' || (c) == '\t')

#endif
