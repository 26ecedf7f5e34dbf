/*
 * pd_agent.h - an agent's mail to a ticket: answer, note, commands
 *
 * PURPOSE	The agent half of pd_route_message(): inside the routing
 *		transaction, decide what an agent's mail does to its ticket
 *		and write it (PRODUCT.md "Who uses it": agents).
 * DESIGN	All or nothing.  Every command is checked first (bad syntax
 *		from pd_cmd, a ticket of a queue the agent does not belong
 *		to, #assign to an unknown login, #merge with a tag that does
 *		not verify, is unknown, of another queue, or the ticket
 *		itself); any failure rejects the whole message: nothing is
 *		applied, it is recorded as a note (it goes to the desk only)
 *		and a notice telling the agent why is queued in the outbox.
 *		Otherwise, in order: #note makes the mail internal; status
 *		commands (last wins), #priority (first-response due time
 *		recomputed while unanswered), #assign, #merge (this ticket is
 *		resolved into the other); an answer that reaches a customer
 *		sets first_response_at once and, without a status command,
 *		the status pending.  Each change is one line of the ticket's
 *		log (events).  Signed or encrypted mail: commands apply, the
 *		body stays as it is, and a notice tells the agent so.
 * OWNERSHIP	Everything is borrowed.
 * ERRORS	Store errors only; the caller rolls back.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_AGENT_H
#define PD_AGENT_H

#include "pd_route.h"

/*
 * pd_agent_apply - apply in (an agent's mail, in->agent set) to ticket
 * *id, inside the caller's transaction; *id may move to the ticket this
 * one was merged into.  subject is the mail's display subject (UTF-8).
 */
int	pd_agent_apply(struct pd_store *st, const struct pd_route_in *in,
	    const char *subject, int64_t *id, struct pd_route_out *out);

/*
 * pd_agent_command - postdeskctl's resolve, assign and priority: apply
 * in->cmds (with in->admin set, in->agent naming the actor) to ticket id
 * (or the ticket it was merged into) in a transaction of its own.
 * PD_EINVAL with out->why when the commands are refused (nothing
 * written); PD_ENOTFOUND for an unknown ticket.
 */
int	pd_agent_command(struct pd_store *st, const struct pd_route_in *in,
	    int64_t id, struct pd_route_out *out);

/* pd_route_follow - *id, or the ticket it was merged into (bounded) */
int	pd_route_follow(struct pd_store *st, int64_t *id);

#endif
