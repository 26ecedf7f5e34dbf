/*
 * pd_route.h - how a message finds its ticket, decided and committed
 *
 * PURPOSE	The one lib/ call the milter makes at end-of-message for mail
 *		to a support address (STYLE.md 1): it finds or opens the ticket,
 *		records the message, commits, and computes the new Subject.
 * DESIGN	Order (PRODUCT.md "How a message finds its ticket"):
 *		  0. a Message-ID the store already knows: the same ticket,
 *		     nothing recorded again (a resend, or a second support
 *		     address of the same transaction or of a later one);
 *		  1. a tag in the subject whose check code verifies and whose
 *		     ticket exists;
 *		  2. a Message-ID of In-Reply-To, then of References (newest
 *		     first), that the store knows;
 *		  3. otherwise a new ticket.
 *		A new ticket gets its priority (high for a VIP sender or a
 *		complaint keyword in the subject), its first-response and
 *		resolution due times from the queue's SLA policy (pd_sla),
 *		and, unless in->ack_block or a rate limit says otherwise,
 *		its acknowledgement queued in the outbox (pd_ack).
 *		Steps 0-3 and the writes run in one BEGIN IMMEDIATE
 *		transaction, so two concurrent replies cannot both open a
 *		ticket, and a ticket never exists without its first message.
 *		The Subject rewrite is pure computation done after the commit;
 *		when it fails the ticket stands and the caller leaves the
 *		Subject as it was (subject_rc says why).
 *		A message without a usable Message-ID gets one generated here;
 *		the caller must add it to the message (message_id_added).
 * OWNERSHIP	struct pd_route_out owns subject; pd_route_out_free().
 *		Everything in struct pd_route_in is borrowed.
 * ERRORS	Store errors (PD_ETEMP, PD_EPERMFAIL, ...): nothing was
 *		committed, the caller applies on_error.
 * THREADS	Reentrant; st must be the calling thread's handle.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_ROUTE_H
#define PD_ROUTE_H

#include <stdbool.h>
#include <stdint.h>

#include "pd_cmd.h"
#include "pd_conf.h"
#include "pd_key.h"
#include "pd_msgid.h"
#include "pd_store.h"
#include "pd_tag.h"

struct pd_route_in {
	const struct pd_conf	   *conf;
	const struct pd_conf_queue *queue;
	const struct pd_key	   *key;
	const char	*queue_id;	/* Postfix queue id, may be NULL */
	const char	*sender;	/* envelope sender, may be NULL */
	const char	*subject;	/* raw header values, NULL if absent */
	size_t		 subject_len;
	const char	*message_id;
	const char	*in_reply_to;
	const char	*references;
	const char	*from;
	const char	*ack_block;	/* why no acknowledgement may go out
					 * (pd_autoreply), NULL if it may */
	bool		 sender_authenticated;	/* trusted A-R: may quote */
	bool		 automatic;	/* an automatic reply: never reopens */
	const char	*content_language;	/* raw headers, may be NULL */
	const char	*accept_language;
	/* An agent's mail: the caller identified the agent (pd_team). */
	const char	*agent;		/* configured address; NULL: customer */
	const struct pd_cmd_list *cmds;	/* the body's commands, or NULL */
	bool		 sealed;	/* signed/encrypted: body untouched */
	bool		 customer_rcpts;	/* anyone outside the desk */
	bool		 admin;		/* postdeskctl: any queue, no mail */
	const char	*excerpt;	/* the start of the text (UTF-8) */
	int64_t		 now;
};

enum pd_route_action {
	PD_ROUTE_OPENED,		/* a new ticket */
	PD_ROUTE_TAG,			/* joined by its verified tag */
	PD_ROUTE_THREAD,		/* joined by In-Reply-To/References */
	PD_ROUTE_DUPLICATE,		/* Message-ID seen before */
	PD_ROUTE_NONE,			/* agent mail about no ticket */
};

/* What became of an agent's mail (pd_agent.c). */
enum pd_agent_outcome {
	PD_AGENT_NOT,			/* a customer's mail */
	PD_AGENT_ANSWER,		/* an answer to the customer */
	PD_AGENT_INTERNAL,		/* no customer among the recipients */
	PD_AGENT_NOTE,			/* #note: for the desk only */
	PD_AGENT_REJECTED,		/* commands refused: desk only */
};

struct pd_route_out {
	int64_t		 ticket_id;
	enum pd_route_action action;
	enum pd_ticket_status status;
	enum pd_priority priority;
	char		 tag[PD_TAG_MAX];
	char		 message_id[PD_MSGID_MAX + 1];
	bool		 message_id_added;	/* generated: add the header */
	bool		 forged_tag;	/* our prefix, code did not verify */
	char		 customer[256];
	char		*subject;	/* new raw Subject value, or NULL */
	int		 subject_rc;	/* PD_OK or why it was not changed */
	bool		 complaint;	/* complaint keywords in the subject */
	char		 ack_msgid[PD_MSGID_MAX + 1];	/* queued, or "" */
	const char	*ack_suppressed;	/* why not queued (static) */
	bool		 reopened;	/* a customer's reply reopened it */
	/* agent mail */
	enum pd_agent_outcome agent;
	const struct pd_conf_queue *queue;	/* the ticket's queue */
	char		 applied[160];	/* "resolve,priority=high", for logs */
	char		 why[256];	/* PD_AGENT_REJECTED: the reason */
	char		 notice_msgid[PD_MSGID_MAX + 1];	/* or "" */
};

#define PD_ROUTE_EXCERPT_MAX	1024	/* bytes of a message's text kept */

/*
 * pd_route_excerpt - text cut to at most len - 1 bytes between UTF-8
 * characters, in buf; NULL for NULL
 */
const char *pd_route_excerpt(const char *text, char *buf, size_t len);

/* pd_route_record - record the routed message in ticket id (pd_route.c) */
int	pd_route_record(struct pd_store *st, const struct pd_route_in *in,
	    int64_t id, const char *subject, const struct pd_route_out *out,
	    bool note);

int	pd_route_message(struct pd_store *st, const struct pd_route_in *in,
	    struct pd_route_out *out);
void	pd_route_out_free(struct pd_route_out *out);
const char *pd_route_action_name(enum pd_route_action a);

#endif
