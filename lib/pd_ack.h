/*
 * pd_ack.h - queueing the acknowledgement of a new ticket
 *
 * PURPOSE	Inside the transaction that opens a ticket: decide whether an
 *		acknowledgement may go out under the rate limits, and queue
 *		it in the outbox with its own Message-ID, which is recorded as
 *		a message of the ticket so that a reply to it threads.
 * DESIGN	The header-based rules (RFC 3834, lists, bounces, forged
 *		senders) are decided by pd_autoreply before this is called;
 *		this module adds the two limits that need the store: one
 *		acknowledgement per sender per [milter] ack_sender_window, and
 *		at most [milter] ack_hourly_cap in any hour.  The worker
 *		renders and sends the row later (worker/deliver.c).
 * OWNERSHIP	Everything in struct pd_ack_req is borrowed.
 * ERRORS	Store errors: the caller rolls the whole transaction back.
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_ACK_H
#define PD_ACK_H

#include <stdint.h>

#include "pd_conf.h"
#include "pd_msgid.h"
#include "pd_store.h"

struct pd_ack_req {
	const struct pd_conf	   *conf;
	const struct pd_conf_queue *queue;
	int64_t		 ticket_id;
	const char	*recipient;	/* normalised envelope sender */
	const char	*customer_msgid;	/* without "<>" */
	const char	*references;	/* raw References of the customer */
	unsigned	 flags;		/* PD_OUT_* */
	int64_t		 now;
};

/*
 * pd_ack_queue - queue the acknowledgement or say why not: on PD_OK,
 * *suppressed is NULL and msgid holds the acknowledgement's Message-ID,
 * or *suppressed names the limit that held it back ("rate-sender",
 * "rate-global").
 */
int	pd_ack_queue(struct pd_store *st, const struct pd_ack_req *req,
	    char msgid[PD_MSGID_MAX + 1], const char **suppressed);

#endif
