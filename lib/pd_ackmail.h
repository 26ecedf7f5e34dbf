/*
 * pd_ackmail.h - the acknowledgement as it is sent: template to message
 *
 * PURPOSE	Render the acknowledgement of a queued outbox row: pick the
 *		template (ack or ack-complaint, in the queue's language), fill
 *		its placeholders, compose the MIME message.  The worker sends
 *		what this returns; "postdeskctl render ack" prints it.
 * DESIGN	A template file is "Subject: ..." on its first line, an empty
 *		line, then the body.  Placeholders: {{tag}} "[PD-7-K7QF]",
 *		{{queue}} the queue's display name, {{due}} the first-response
 *		due time written for a person in the queue's language and time
 *		zone ("tomorrow by 11:00"), {{quote}} true when the sender was
 *		authenticated, and only then {{subject}} and {{name}}: text
 *		the sender wrote is never echoed to a possibly forged address
 *		(PRODUCT.md, backscatter).  A template that cannot be loaded,
 *		parsed or rendered is replaced by a built-in text, and
 *		*fallback says so: the customer still gets an acknowledgement.
 * OWNERSHIP	Appends to the caller's buffer; the rest is borrowed.
 * ERRORS	PD_EINVAL when even the built-in text cannot be composed (an
 *		unusable recipient address), PD_ENOTFOUND for an unknown queue.
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_ACKMAIL_H
#define PD_ACKMAIL_H

#include <stdbool.h>
#include <stdint.h>

#include "pd_buf.h"
#include "pd_conf.h"
#include "pd_key.h"
#include "pd_store.h"
#include "pd_tmpl.h"

/* pd_ackmail_language - the ticket's customer's language, else q's */
const char *pd_ackmail_language(const struct pd_conf_queue *q,
	    const struct pd_ticket *t);

/*
 * pd_mailtext_render - render template NAME of language lang (a file
 * "Subject: ...", a blank line, the body) with ctx; a missing, invalid
 * template or one using a name outside names falls back to builtin.
 * *subject and *body point into text.  Returns true on a fallback.
 */
bool	pd_mailtext_render(const struct pd_conf *conf, const char *lang,
	    const char *name, const char *const *names, const char *builtin,
	    const struct pd_tmpl_val *ctx, struct pd_buf *text,
	    const char **subject, const char **body);

/* pd_ackmail_build - the whole message of row o for ticket t at now */
int	pd_ackmail_build(const struct pd_conf *conf, const struct pd_key *key,
	    const struct pd_ticket *t, const struct pd_outbox *o, int64_t now,
	    struct pd_buf *out, bool *fallback, struct pd_err *err);

/* pd_ackmail_check - postdeskctl check: every ack template of every
 * language parses and uses only known placeholders; PD_OK or the first
 * problem in err (file, line, column) */
int	pd_ackmail_check(const struct pd_conf *conf, struct pd_err *err);

#endif
