/*
 * pd_tag.h - ticket tags "[PD-1042-K7QF]": format, find, verify
 *
 * PURPOSE	A tag names a ticket in a subject: a configurable prefix, the
 *		ticket number and a check code, a keyed MAC over prefix and
 *		number.  A tag whose check code does not verify is not trusted.
 * DESIGN	The check code is the first PD_TAG_CODE_LEN characters of the
 *		Crockford base32 form of HMAC-SHA-512-256("tag|PREFIX|N|v1")
 *		under the tag subkey (pd_key).  Four characters are 20 bits:
 *		one forged message in about a million succeeds, and every guess
 *		costs the forger a mail that is logged (engineering guide 8.2).
 *		Finding is case-insensitive and reads O as 0 and I/L as 1, so
 *		a retyped tag still verifies; formatting is upper case.
 *		Comparison is constant-time (sodium_memcmp).
 * OWNERSHIP	Callers supply every buffer; nothing is allocated.
 * ERRORS	pd_tag_verify: PD_OK or PD_EAUTH.
 * THREADS	Reentrant.
 * SEE ALSO	pd_key.h, pd_subject.h.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_TAG_H
#define PD_TAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pd_key.h"

#define PD_TAG_CODE_LEN		4
#define PD_TAG_PREFIX_MAX	16
#define PD_TAG_NUMBER_DIGITS	15		/* ticket numbers < 10^15 */
#define PD_TAG_MAX		48	/* "[" prefix "-" n "-" code "]" NUL */

struct pd_tag_match {
	size_t		start;			/* offset of '[' */
	size_t		end;			/* offset just past ']' */
	uint64_t	number;
	char		code[PD_TAG_CODE_LEN + 1];	/* canonical form */
};

/* pd_tag_prefix_valid - 1-16 characters, A-Z then A-Z/0-9 */
bool	pd_tag_prefix_valid(const char *prefix);

/* pd_tag_format - write "[PREFIX-N-CODE]" into out; PD_OK or PD_EINVAL */
int	pd_tag_format(const struct pd_key *key, const char *prefix,
	    uint64_t number, char *out, size_t outlen);

/*
 * pd_tag_find - find the first syntactically valid tag with this prefix in
 * text[0..len) (not NUL-terminated); true and *m filled when one is found.
 * Nothing is verified here.
 */
bool	pd_tag_find(const char *text, size_t len, const char *prefix,
	    struct pd_tag_match *m);

/* pd_tag_verify - PD_OK when m's check code is right for its number */
int	pd_tag_verify(const struct pd_key *key, const char *prefix,
	    const struct pd_tag_match *m);

#endif
