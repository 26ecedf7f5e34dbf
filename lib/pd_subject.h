/*
 * pd_subject.h - put the ticket tag into a Subject header, keep the rest
 *
 * PURPOSE	Rewrite a raw Subject value so that it carries our ticket tag
 *		exactly once, right after the reply/forward prefixes ("Re:",
 *		"AW:", "Ответ:", "回复：" ...), with every copy of
 *		our tag that was already there removed (PRODUCT.md "Ticket
 *		tag").  Parts of the value that do not change keep their
 *		bytes: raw text stays raw, encoded-words stay as they were,
 *		folds are kept.  Also: the length of the reply prefixes of a
 *		decoded subject, and the decoded subject without tags and
 *		prefixes, for the ticket's title.  Tags are found, not
 *		verified; the caller decides which ticket a verified tag
 *		names (pd_tag_verify()).
 * DESIGN	The raw value is parsed into segments (pd_rfc2047_parse():
 *		whitespace, raw text, runs of encoded-words in one charset),
 *		each with its decoded text.  Edits are made on the decoded
 *		text D: our tags are deleted, each with one adjacent space
 *		(the following one when whitespace or the start is on its
 *		left, else the preceding one when it ends the text), and the
 *		search is repeated on the result, because a deletion can join
 *		a new tag ("[PD-[PD-1-AAAA]1-AAAA]"); this gives D'.  The
 *		insertion point p is pd_subject_prefix_len(D').
 *		Every segment whose decoded text is untouched is copied raw;
 *		only touched ones are rendered again: raw text in its own
 *		charset, an encoded run in its own charset and B/Q letter
 *		when the new text fits that charset, else in UTF-8.  If p
 *		falls between segments the ASCII tag is spliced into the raw
 *		string, with whitespace between it and a neighbour that is
 *		not whitespace (an encoded-word needs it, RFC 2047 5); inside
 *		a segment, that segment is rendered with the tag in it.
 *		The result is folded at whitespace ("\n " as the milter wants
 *		it, lines of at most 78 characters where whitespace allows
 *		it), then checked twice before it is returned: the
 *		header-injection invariant of pd_subject_value_safe(), and a
 *		decode of the result as a reader would make it that must give
 *		D' with the tag inserted, whitespace runs compared as one
 *		space.  Raw 8-bit text that is not UTF-8 has no declared
 *		charset, and its guess (pd_charset_guess()) looks at whole
 *		words: deleting a tag between two words can join them and
 *		turn the guess.  When the result would read differently for
 *		that reason, it is rendered once more with every raw 8-bit
 *		segment written in UTF-8, so that the ticket's title and what
 *		the agents' clients show stay the same text.  Rewriting a
 *		result again with the same tag returns it unchanged.
 * LIMITS	PD_SUBJECT_RAW_MAX bytes of raw input; output lines of at most
 *		PD_SUBJECT_LINE_HARD octets including "Subject:".
 * OWNERSHIP	pd_subject_rewrite() and pd_subject_display() return strings
 *		the caller frees with pd_free().
 * ERRORS	PD_EINVAL: input too long, NUL bytes, a bad tag argument,
 *		tags that keep forming after PD_SUBJECT_TAG_ROUNDS deletions,
 *		a segment that cannot be rendered again, an unbreakable line
 *		over 998 octets, or a result that fails its checks.  The
 *		caller then leaves the header as it was and logs a warning.
 *		Never logs.
 * THREADS	Reentrant.
 * SEE ALSO	pd_rfc2047.h, pd_tag.h; engineering guide 4.3, 7.4;
 *		RFC 5322 2.1.1, 2.2.3; RFC 2047 2, 5, 6.2.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_SUBJECT_H
#define PD_SUBJECT_H

#include <stdbool.h>
#include <stddef.h>

#include "pd_buf.h"
#include "pd_rfc2047.h"
#include "pd_tag.h"

#define PD_SUBJECT_RAW_MAX	(16 * 1024)
#define PD_SUBJECT_OUT_MAX	PD_RFC2047_RAW_MAX	/* result bytes */
#define PD_SUBJECT_LINE_SOFT	78	/* RFC 5322 2.1.1 "SHOULD" */
#define PD_SUBJECT_LINE_HARD	998	/* RFC 5322 2.1.1 "MUST" */
#define PD_SUBJECT_FIELD_LEN	8	/* "Subject:" on the first line */
#define PD_SUBJECT_TAG_ROUNDS	16	/* tag deletions that make tags */

struct pd_subject_info {
	unsigned	tags_removed;	/* copies of our tag taken out */
	bool		has_tag;	/* first_tag is set */
	struct pd_tag_match first_tag;	/* first tag found (offsets are in
					 * the decoded text; not verified) */
	bool		reencoded;	/* a segment was rendered again */
	bool		raw8bit;	/* raw 8-bit text in the value */
	bool		lossless;	/* every encoded-word decoded */
	char		rawcharset[PD_RFC2047_CHARSET_MAX + 1];
					/* guessed charset of raw 8-bit
					 * text; "" when none or UTF-8 */
};

/*
 * pd_subject_prefix_len - bytes of leading whitespace, reply/forward
 * prefixes ("Re:", "RE[2]:", "Re^2:", "Fwd:", "AW:", "Ответ:",
 * "回复：", ...) and the whitespace after each, at the start of the
 * decoded subject utf8[0..len).  Case-insensitive; 0 when the text
 * starts with neither.
 */
size_t	pd_subject_prefix_len(const char *utf8, size_t len);

/*
 * pd_subject_rewrite - raw[0..rawlen) is the Subject value exactly as
 * received (with SMFIP_HDR_LEADSPC it starts with the space after the
 * colon; folds are "\n" plus SP/TAB; raw may be NULL when rawlen is 0).
 * tag is a complete tag with tag_prefix ("[PD-1042-K7QF]").  On PD_OK *out
 * is the new value (caller pd_free()s it): the original leading whitespace,
 * then the subject with our tags removed and tag inserted after the
 * prefixes, folded.  An empty subject becomes the leading whitespace and
 * the tag; a missing one (rawlen 0) just the tag, so a caller that adds
 * the header with SMFIP_HDR_LEADSPC puts a space in front.  info may be
 * NULL.  On error *out is NULL.
 */
int	pd_subject_rewrite(const char *raw, size_t rawlen,
	    const char *tag_prefix, const char *tag, char **out,
	    struct pd_subject_info *info);

/*
 * pd_subject_display - the decoded UTF-8 subject without our tags, without
 * the reply prefixes, control characters as spaces, whitespace runs as one
 * space, trimmed: the ticket's title.  Caller pd_free()s it; NULL for
 * input pd_subject_rewrite() would refuse.
 */
char	*pd_subject_display(const char *raw, size_t len,
	    const char *tag_prefix);

/*
 * pd_subject_fold - append value[0..len) to out, folded with "\n" before
 * whitespace so that lines stay within PD_SUBJECT_LINE_SOFT characters
 * (the first counted with "Subject:") where whitespace allows; existing
 * folds are kept, words are never broken.  PD_OK or PD_EINVAL (out full).
 */
int	pd_subject_fold(const char *value, size_t len, struct pd_buf *out);

/*
 * pd_subject_value_safe - true when value[0..len) may be given to
 * smfi_chgheader(): no NUL, no CR, every LF followed by SP or TAB and by
 * something that is not whitespace, every line at most
 * PD_SUBJECT_LINE_HARD octets (the first counted with "Subject:").
 */
bool	pd_subject_value_safe(const char *value, size_t len);

#endif
