/*
 * pd_charset.h - guess the charset of undeclared 8-bit text
 *
 * PURPOSE	Raw 8-bit subjects (and bodies without a usable charset
 *		label) that are not UTF-8 still have to be shown and searched.
 *		This module picks the likeliest of windows-1251, KOI8-R and
 *		ISO-8859-1, the three that postdesk's mail actually uses.  It
 *		does not detect multi-byte charsets (Shift_JIS, GB2312).
 * DESIGN	GLib's first-that-converts fallback does not work here:
 *		windows-1251 and KOI8-R accept almost every byte, so KOI8-R
 *		text came out as "рТЙЧЕФ НЙТ" (engineering
 *		guide 4.4).  Each candidate is converted and scored
 *		instead; the highest score
 *		wins and ties go to the earlier candidate.  The score sums,
 *		for each word that contains a non-ASCII letter: the frequency
 *		class of each Russian letter (common letters count more; the
 *		cases KOI8-R and windows-1251 swap show up as rare letters and
 *		as capitals inside words, which cost points), a bonus for
 *		Western accented letters inside ASCII words ("café"), and a
 *		penalty for box-drawing and C1 control characters.  Only the
 *		first PD_CHARSET_SCAN_MAX characters or so are scored.
 * OWNERSHIP	Returns static strings; nothing is allocated for the caller.
 * ERRORS	None; the result is always a usable charset name.
 * THREADS	Reentrant.
 * SEE ALSO	pd_rfc2047.h; engineering guide 4.4.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_CHARSET_H
#define PD_CHARSET_H

#include <stddef.h>

#define PD_CHARSET_SCAN_MAX	4096

/*
 * pd_charset_guess - "windows-1251", "KOI8-R" or "ISO-8859-1" for 8-bit
 * text s[0..len) that is not UTF-8; the named charset always converts s.
 */
const char *pd_charset_guess(const char *s, size_t len);

/*
 * pd_charset_valid_dup - an owned copy (pd_free) of s[0..len) that is
 * valid UTF-8: every invalid sequence becomes U+FFFD (what the decoders
 * return even for hostile bytes; fuzzing found a path that did not)
 */
char	*pd_charset_valid_dup(const char *s, size_t len);

/* pd_charset_score - plausibility of UTF-8 text as decoded above */
long	pd_charset_score(const char *utf8, size_t len);

#endif
