/*
 * pd_autoreply_impl.h - what pd_autoreply.c and pd_autoreply_hdr.c share
 *		(private to lib/)
 *
 * PURPOSE	pd_autoreply.c holds the API, the table of header rules, the
 *		simple judges and the envelope rules; pd_autoreply_hdr.c the
 *		lexer for structured values and the two judges that need
 *		more than a token: the Subject (out-of-office markers) and
 *		Authentication-Results.
 * DESIGN	A judge takes the state, the raw value and the argument of
 *		its table row, and records what it finds with
 *		pd_autoreply_set() or in a->auth (PD_AR_* bits).
 * OWNERSHIP	Nothing is allocated across calls.
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_AUTOREPLY_IMPL_H
#define PD_AUTOREPLY_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "pd_autoreply.h"

/* a->auth: what trusted Authentication-Results headers said */
#define PD_AR_DMARC_PASS	0x01u
#define PD_AR_DMARC_FAIL	0x02u
#define PD_AR_SPF_PASS		0x04u
#define PD_AR_SPF_FAIL		0x08u
#define PD_AR_DKIM_PASS		0x10u

/* pd_autoreply_is_wsp - blank or line break (folds arrive as "\n") */
static inline bool
pd_autoreply_is_wsp(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* pd_autoreply_set - record reason v */
static inline void
pd_autoreply_set(struct pd_autoreply *a, enum pd_ack_verdict v)
{
	a->reasons |= 1u << v;
}

/* pd_autoreply_cfws - p after whitespace and comments, nested */
const char *pd_autoreply_cfws(const char *p);

/*
 * pd_autoreply_token - the token after any CFWS at p: it ends at
 * whitespace, '(', NUL or a byte of stop.  Returns its start and sets
 * *len (0: none).
 */
const char *pd_autoreply_token(const char *p, const char *stop,
	    size_t *len);

/* pd_autoreply_word_is - s[0..len) is w, ASCII case ignored */
bool	pd_autoreply_word_is(const char *s, size_t len, const char *w);

/* pd_autoreply_word_in - s[0..len) is one of words (NULL-terminated) */
bool	pd_autoreply_word_in(const char *s, size_t len,
	    const char *const *words);

/* pd_autoreply_judge_subject - out-of-office markers; arg unused */
void	pd_autoreply_judge_subject(struct pd_autoreply *a,
	    const char *value, unsigned int arg);

/* pd_autoreply_judge_auth - Authentication-Results; arg unused */
void	pd_autoreply_judge_auth(struct pd_autoreply *a, const char *value,
	    unsigned int arg);

#endif
