/*
 * pd_notice.h - short notices to an agent, sent by the worker
 *
 * PURPOSE	Tell an agent what postdesk did with their mail when it did
 *		not do what they asked: commands refused, or a signed or
 *		encrypted body left as it was.  The text is fixed when the
 *		notice is queued (outbox kind "notice", body column), in the
 *		transaction that decided it.
 * DESIGN	From the ticket's queue address, to the agent, Subject
 *		"[TAG] postdesk: ..." in the queue's language (ru or en),
 *		In-Reply-To the agent's message, Auto-Submitted:
 *		auto-replied, sent with the null sender like every
 *		automatic mail.  The SLA watch's warnings are notices of
 *		kind "warning", with their own subject.
 * OWNERSHIP	Everything is borrowed; the message is appended to out.
 * ERRORS	Store errors from queueing; PD_EINVAL from building.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_NOTICE_H
#define PD_NOTICE_H

#include <stdint.h>

#include "pd_buf.h"
#include "pd_conf.h"
#include "pd_key.h"
#include "pd_msgid.h"
#include "pd_store.h"

struct pd_notice_req {
	const char	*kind;		/* "notice" (NULL) or "warning" */
	const struct pd_conf_queue *queue;
	int64_t		 ticket_id;
	const char	*agent;		/* recipient */
	const char	*in_reply_to;	/* the agent's Message-ID */
	const char	*text;		/* UTF-8, LF line ends */
	int64_t		 now;
};

/* pd_notice_queue - the outbox row; its Message-ID into msgid */
int	pd_notice_queue(struct pd_store *st, const struct pd_notice_req *req,
	    char msgid[PD_MSGID_MAX + 1]);

/* pd_notice_build - the message of a queued notice row o */
int	pd_notice_build(const struct pd_conf *conf, const struct pd_key *key,
	    const struct pd_ticket *t, const struct pd_outbox *o, int64_t now,
	    struct pd_buf *out);

#endif
