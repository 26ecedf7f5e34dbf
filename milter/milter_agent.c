/*
 * milter_agent.c - end of message for an agent's mail
 *
 * PURPOSE	An agent answers a ticket from their own mail client: find who
 *		wrote it, read the command lines at the top of the body
 *		(pd_bodyedit), make one pd_route_message() call, and apply its
 *		outcome to the message (PRODUCT.md "Who uses it").
 * DESIGN	Who: the SASL agent found at MAIL on a submission service,
 *		else, for a client in trusted_networks only, the agent whose
 *		address is in From.  Outcomes (pd_agent.h):
 *		  answer    From "Alice via Example Support" <support@>,
 *		            Reply-To the support address, tagged Subject,
 *		            command lines removed from the body
 *		  internal  the same, for mail that reaches no customer
 *		  note      command lines removed; customer recipients
 *		            removed; the support address and the queue's
 *		            other agents added if missing
 *		  rejected  body untouched; customer recipients removed; the
 *		            support address added; the worker tells the agent
 *		Mail about no ticket passes unchanged.  Mail seen before (its
 *		Message-ID recorded: a resend after a 4xx that came after
 *		our commit, say the milter killed before it answered) gets
 *		the first pass's outcome again, read back from the store
 *		(agent_replay), without changing the ticket twice.  On a
 *		store failure on_error applies, as for customers' mail.
 *		Nothing is changed unless the transaction committed.
 * OWNERSHIP	The body edit (struct pd_bodyedit) is this file's, freed
 *		before returning.
 * THREADS	Runs in the connection's thread; one pooled store handle.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "milter.h"
#include "pd_bodyedit.h"
#include "pd_log.h"
#include "pd_mem.h"
#include "pd_mime.h"
#include "pd_nudge.h"
#include "pd_team.h"

#define AGENT_NAME_MAX	200

/* milter_agent_of - the agent who wrote the current message, or NULL */
const char *
milter_agent_of(struct milter_conn *conn)
{
	struct milter_msg *msg = &conn->msg;
	const char *agent = NULL;
	char *name = NULL;
	char *addr = NULL;

	if (msg->agent != NULL)
		return msg->agent;
	if (!conn->trusted || msg->from == NULL)
		return NULL;
	if (pd_mime_from_parse(msg->from, &name, &addr) == PD_OK)
		agent = pd_team_agent(conn->conf, addr, NULL);
	pd_free(name);
	pd_free(addr);
	return agent;
}

/* agent_name - the agent's display name: From's, else the login */
static void
agent_name(const struct milter_msg *msg, const char *agent, char *buf,
    size_t len)
{
	const char *at = strchr(agent, '@');
	char *name = NULL;
	char *addr = NULL;

	if (msg->from != NULL && pd_mime_from_parse(msg->from, &name,
	    &addr) == PD_OK && name != NULL && strcmp(addr, agent) == 0)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%.*s", at ? (int)(at - agent) :
		    (int)strlen(agent), agent);
	pd_free(name);
	pd_free(addr);
}

/* agent_customer_rcpts - does the message reach anyone outside the desk? */
static bool
agent_customer_rcpts(const struct milter_msg *msg)
{
	int i;

	for (i = 0; i < msg->n_rcpts; i++)
		if (msg->rcpts[i].kind == MILTER_RCPT_CUSTOMER)
			return true;
	return msg->rcpts_overflow;
}

/* agent_has_rcpt - is addr already a recipient? */
static bool
agent_has_rcpt(const struct milter_msg *msg, const char *addr)
{
	int i;

	for (i = 0; i < msg->n_rcpts; i++)
		if (strcasecmp(msg->rcpts[i].addr, addr) == 0)
			return true;
	return false;
}

/*
 * agent_desk_only - note or refused mail: customers off the recipient
 * list, the support address on it; a note also goes to the queue's
 * other agents
 */
static void
agent_desk_only(SMFICTX *ctx, struct milter_conn *conn,
    const struct pd_conf_queue *q, const char *author, bool note)
{
	struct milter_msg *msg = &conn->msg;
	bool has_support = false;
	size_t a;
	int i;

	for (i = 0; i < msg->n_rcpts; i++) {
		if (msg->rcpts[i].kind == MILTER_RCPT_CUSTOMER)
			smfi_delrcpt(ctx, msg->rcpts[i].addr);
		else if (pd_conf_queue_by_address(conn->conf,
		    msg->rcpts[i].addr) == q)
			has_support = true;
	}
	if (!has_support)
		smfi_addrcpt(ctx, q->address);
	for (a = 0; note && a < q->n_agents; a++)
		if (strcasecmp(q->agents[a], author) != 0 &&
		    !agent_has_rcpt(msg, q->agents[a]))
			smfi_addrcpt(ctx, q->agents[a]);
}

/* agent_from - From: the agent via the queue, and Reply-To the queue */
static void
agent_from(SMFICTX *ctx, struct milter_conn *conn, const char *agent,
    const struct pd_conf_queue *q)
{
	char name[AGENT_NAME_MAX];
	char display[AGENT_NAME_MAX * 2];
	char *value;

	agent_name(&conn->msg, agent, name, sizeof(name));
	pd_team_from_name(q, name, display, sizeof(display));
	value = pd_mime_mailbox(display, q->address);
	if (value == NULL)
		value = pd_mime_mailbox(NULL, q->address);
	if (value != NULL) {
		milter_eom_header(ctx, conn, "From", value, 1);
		milter_eom_header(ctx, conn, "Reply-To", q->address, 1);
	}
	pd_free(value);
}

/* agent_body - replace the body (and top-level MIME headers) if edited */
static void
agent_body(SMFICTX *ctx, struct milter_conn *conn,
    const struct pd_bodyedit *be)
{
	if (!be->changed)
		return;
	if (be->content_type != NULL)
		milter_eom_header(ctx, conn, "Content-Type", be->content_type,
		    1);
	if (be->content_transfer_encoding != NULL)
		milter_eom_header(ctx, conn, "Content-Transfer-Encoding",
		    be->content_transfer_encoding, 1);
	smfi_replacebody(ctx, (unsigned char *)be->body.data, be->body.len);
}

/* agent_edit - read the commands; a mail too large for editing refuses */
static void
agent_edit(struct milter_conn *conn, const char *qid, struct pd_bodyedit *be)
{
	struct milter_msg *msg = &conn->msg;
	struct pd_err err = { 0, "" };

	memset(be, 0, sizeof(*be));
	if (pd_bodyedit_commands(msg->raw.data ? msg->raw.data : "",
	    msg->raw.len, be, &err) != PD_OK) {
		pd_msg_warn(qid, "agent mail not parsed (%s), handled "
		    "without commands", err.msg);
		milter_error(MILTER_ERR_AGENT_PARSE);
		pd_bodyedit_free(be);
		memset(be, 0, sizeof(*be));
	}
	if (msg->raw_overflow && (be->cmds.n > 0 || be->cmds.bad)) {
		be->cmds.bad = true;
		be->changed = false;
		snprintf(be->cmds.why, sizeof(be->cmds.why), "the mail is "
		    "larger than max_body_size (%ld bytes), so its command "
		    "lines cannot be removed", conn->conf->max_body_size);
	}
}

/* agent_route_in - the routing request for the agent's message */
static void
agent_route_in(struct milter_conn *conn, const char *qid, const char *agent,
    const struct pd_bodyedit *be, struct pd_route_in *in)
{
	milter_eom_route_in(conn, qid, in);
	if (in->queue == NULL)
		pd_team_agent(conn->conf, agent, &in->queue);
	in->agent = agent;
	in->cmds = &be->cmds;
	in->sealed = be->sealed;
	in->customer_rcpts = agent_customer_rcpts(&conn->msg);
	in->excerpt = be->first_text;
}

/* what agent_replay looks for among the ticket's messages */
struct agent_seen {
	const char	*message_id;
	bool		 found;
	bool		 note;		/* recorded as a note (or refused) */
};

/* agent_seen_cb - pd_store_message_list callback: find the message */
static int
agent_seen_cb(const struct pd_message_rec *m, void *arg)
{
	struct agent_seen *seen = arg;

	if (strcmp(m->message_id, seen->message_id) == 0) {
		seen->found = true;
		seen->note = m->note;
	}
	return PD_OK;
}

/* agent_has_note - does the mail carry a #note command? */
static bool
agent_has_note(const struct pd_cmd_list *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (c->cmds[i].kind == PD_CMD_NOTE)
			return true;
	return false;
}

/*
 * agent_replay - out for a message the store has seen before: the
 * ticket's state and the first pass's outcome.  Recorded as a note: a
 * #note again goes to the desk only (with the other agents), a refused
 * mail to the support address only (its notice went out the first
 * time); otherwise an answer again.  Not found under its ticket (merged
 * away since): the desk only, the safe side.
 */
static int
agent_replay(struct pd_store *st, const struct pd_route_in *in,
    const struct pd_bodyedit *be, struct pd_route_out *out)
{
	struct agent_seen seen = { out->message_id, false, false };
	struct pd_ticket t = { 0 };
	int rc;

	rc = pd_store_message_list(st, out->ticket_id, agent_seen_cb, &seen);
	if (rc == PD_OK)
		rc = pd_store_ticket_get(st, out->ticket_id, &t);
	if (rc != PD_OK) {
		pd_ticket_clear(&t);
		return rc;
	}
	out->status = t.status;
	out->priority = t.priority;
	out->queue = pd_team_queue_by_name(in->conf, t.queue);
	if (out->queue == NULL)
		out->queue = in->queue;
	if (seen.found && !seen.note)
		out->agent = in->customer_rcpts ? PD_AGENT_ANSWER :
		    PD_AGENT_INTERNAL;
	else if (seen.found && agent_has_note(&be->cmds) && !be->cmds.bad)
		out->agent = PD_AGENT_NOTE;
	else
		out->agent = PD_AGENT_REJECTED;
	pd_ticket_clear(&t);
	return PD_OK;
}

/* agent_outcome_name - log word of an outcome */
static const char *
agent_outcome_name(enum pd_agent_outcome o)
{
	static const char *const names[] = {
		"none", "answer", "internal", "note", "rejected",
	};

	return (unsigned)o < sizeof(names) / sizeof(names[0]) ?
	    names[o] : "?";
}

/* agent_apply - the committed outcome to the message; one log line */
static void
agent_apply(SMFICTX *ctx, struct milter_conn *conn, const char *qid,
    const char *agent, const struct pd_bodyedit *be,
    const struct pd_route_out *out)
{
	switch (out->agent) {
	case PD_AGENT_ANSWER:
	case PD_AGENT_INTERNAL:
		agent_from(ctx, conn, agent, out->queue);
		agent_body(ctx, conn, be);
		break;
	case PD_AGENT_NOTE:
		agent_desk_only(ctx, conn, out->queue, agent, true);
		agent_body(ctx, conn, be);
		break;
	default:
		agent_desk_only(ctx, conn, out->queue, agent, false);
		break;
	}
	milter_eom_tags(ctx, conn, out);
	pd_msg_info(qid, "ticket=%s-%lld, agent=<%s>, action=%s, status=%s, "
	    "priority=%s, changes=%s%s%s%s%s", conn->conf->tag_prefix,
	    (long long)out->ticket_id, agent,
	    agent_outcome_name(out->agent),
	    pd_ticket_status_name(out->status),
	    pd_conf_priority_name(out->priority),
	    out->applied[0] ? out->applied : "none",
	    out->why[0] ? ", refused: " : "", out->why,
	    be->sealed ? ", body sealed" : "",
	    out->action == PD_ROUTE_DUPLICATE ? ", repeat" : "");
	/* a notice, or a survey a resolution scheduled, waits in the outbox */
	pd_nudge_send(conn->conf->worker_socket);
}

/* milter_agent_process - an agent's mail: route, commit, apply */
sfsistat
milter_agent_process(SMFICTX *ctx, struct milter_conn *conn,
    const char *agent)
{
	const char *qid = milter_eom_qid(ctx);
	struct pd_err err = { 0, "" };
	struct pd_route_out out;
	struct pd_bodyedit be;
	struct pd_route_in in;
	struct pd_store *st;
	int rc;

	if (conn->msg.headers_overflow || conn->msg.xpd_overflow) {
		pd_msg_warn(qid, "agent=<%s>: headers over max_header_size or "
		    "too many X-Postdesk headers, passed unchanged", agent);
		milter_error(MILTER_ERR_HEADERS);
		return SMFIS_CONTINUE;
	}
	agent_edit(conn, qid, &be);
	agent_route_in(conn, qid, agent, &be, &in);
	st = in.queue != NULL ? milter_pool_get(&err) : NULL;
	if (st == NULL) {
		pd_bodyedit_free(&be);
		return milter_eom_on_error(ctx, conn, qid, in.queue ?
		    err.msg : "no queue");
	}
	rc = pd_route_message(st, &in, &out);
	if (rc == PD_OK && out.action == PD_ROUTE_DUPLICATE)
		rc = agent_replay(st, &in, &be, &out);
	if (rc == PD_OK)
		milter_errors_flush(st);
	milter_pool_put(st, rc == PD_OK);
	if (rc != PD_OK) {
		pd_route_out_free(&out);
		pd_bodyedit_free(&be);
		return milter_eom_on_error(ctx, conn, qid, pd_err_str(rc));
	}
	if (out.action == PD_ROUTE_NONE)
		pd_msg_info(qid, "agent=<%s>, action=%s: no ticket concerned, "
		    "passed unchanged", agent,
		    pd_route_action_name(out.action));
	else
		agent_apply(ctx, conn, qid, agent, &be, &out);
	pd_route_out_free(&out);
	pd_bodyedit_free(&be);
	return SMFIS_CONTINUE;
}
