/*
 * milter_eom.c - end of message: one lib/ call, then the header changes
 *
 * PURPOSE	Turn the collected message into a pd_route_message() call,
 *		apply on_error when the store fails, and otherwise rewrite the
 *		Subject, replace X-Postdesk-* headers and add a Message-ID
 *		when the message had none.  One log line per decision.
 * DESIGN	Nothing is changed in the message unless the transaction
 *		committed: a failure before the commit leaves the mail exactly
 *		as it came (on_error = accept) or refuses it for now
 *		(on_error = tempfail, 451 4.3.0).  Header values handed to
 *		libmilter were built by pd_subject (no bare LF, no CR) or are
 *		our own ASCII.
 * THREADS	Runs in the connection's thread; uses one pooled store handle.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "milter.h"
#include "pd_bodyedit.h"
#include "pd_log.h"
#include "pd_msgid.h"
#include "pd_nudge.h"
#include "pd_mem.h"
#include "pd_route.h"

#define LOG_VALUE_MAX	256

/* milter_eom_qid - the Postfix queue id, or "NOQUEUE" */
const char *
milter_eom_qid(SMFICTX *ctx)
{
	const char *qid = smfi_getsymval(ctx, "i");

	return qid != NULL && *qid != '\0' ? qid : "NOQUEUE";
}

/* milter_eom_on_error - the store failed: apply on_error, log once */
sfsistat
milter_eom_on_error(SMFICTX *ctx, struct milter_conn *conn, const char *qid,
    const char *why)
{
	bool tempfail = conn->conf->on_error == PD_ON_ERROR_TEMPFAIL;

	milter_error(MILTER_ERR_STORE);
	pd_msg_warn(qid, "store unavailable (%s), on_error=%s", why,
	    tempfail ? "tempfail" : "accept");
	if (!tempfail)
		return SMFIS_CONTINUE;
	smfi_setreply(ctx, "451", "4.3.0",
	    "Support desk temporarily unavailable, please try again later");
	return SMFIS_TEMPFAIL;
}

/* milter_eom_header - add or change a header, agreed leading space */
void
milter_eom_header(SMFICTX *ctx, struct milter_conn *conn, const char *name,
    const char *value, int change_index)
{
	char buf[MILTER_SUBJECT_MAX + 2];
	const char *v = value;

	if (conn->leadspc && value[0] != ' ' && value[0] != '\t') {
		snprintf(buf, sizeof(buf), " %s", value);
		v = buf;
	} else if (!conn->leadspc) {
		while (*v == ' ' || *v == '\t')
			v++;
	}
	if (change_index > 0)
		smfi_chgheader(ctx, (char *)name, change_index, (char *)v);
	else
		smfi_addheader(ctx, (char *)name, (char *)v);
}

/* milter_eom_tags - the committed ticket's changes to the headers */
void
milter_eom_tags(SMFICTX *ctx, struct milter_conn *conn,
    const struct pd_route_out *out)
{
	struct milter_msg *msg = &conn->msg;
	char value[PD_MSGID_MAX + 8];
	int i;
	int n;

	for (i = 0; i < msg->n_xpd; i++)
		for (n = msg->xpd[i].count; n > 0; n--)
			smfi_chgheader(ctx, msg->xpd[i].name, n, NULL);
	if (out->subject != NULL && !msg->subject_unusable)
		milter_eom_header(ctx, conn, "Subject", out->subject,
		    msg->has_subject ? 1 : 0);
	snprintf(value, sizeof(value), "%.*s", (int)strlen(out->tag) - 2,
	    out->tag + 1);
	milter_eom_header(ctx, conn, "X-Postdesk-Ticket", value, 0);
	milter_eom_header(ctx, conn, "X-Postdesk-Status",
	    pd_ticket_status_name(out->status), 0);
	milter_eom_header(ctx, conn, "X-Postdesk-Priority",
	    pd_conf_priority_name(out->priority), 0);
	if (out->message_id_added) {
		snprintf(value, sizeof(value), "<%s>", out->message_id);
		milter_eom_header(ctx, conn, "Message-ID", value, 0);
	}
}

/*
 * eom_automatic - was the message written by a machine, not a person?  A
 * customer's mail that claims an agent's or the desk's own address in
 * From (forged: a real agent's mail was recognised before) counts too: it
 * must not reopen anything.
 */
static bool
eom_automatic(enum pd_ack_verdict v)
{
	switch (v) {
	case PD_ACK_NULL_SENDER:
	case PD_ACK_MAILER_DAEMON:
	case PD_ACK_LOOP:
	case PD_ACK_REPORT:
	case PD_ACK_BOUNCE:
	case PD_ACK_AUTO_SUBMITTED:
	case PD_ACK_PRECEDENCE:
	case PD_ACK_AUTO_REPLY_MARKER:
	case PD_ACK_OUT_OF_OFFICE:
	case PD_ACK_AGENT:		/* an agent's From from outside */
	case PD_ACK_SUPPORT_ADDRESS:
		return true;
	default:
		return false;
	}
}

/*
 * milter_eom_route_in - the routing request's fields that every message
 * has, from the collected message
 */
void
milter_eom_route_in(struct milter_conn *conn, const char *qid,
    struct pd_route_in *in)
{
	struct milter_msg *msg = &conn->msg;
	bool subject_ok = msg->has_subject && !msg->subject_unusable;

	memset(in, 0, sizeof(*in));
	in->conf = conn->conf;
	in->queue = msg->queue;
	in->key = milter_key;
	in->queue_id = strcmp(qid, "NOQUEUE") ? qid : NULL;
	in->sender = msg->sender;
	in->subject = subject_ok ? pd_buf_str(&msg->subject) : NULL;
	in->subject_len = subject_ok ? msg->subject.len : 0;
	in->message_id = msg->message_id;
	in->in_reply_to = msg->in_reply_to;
	in->references = msg->references;
	in->from = msg->from;
	in->now = (int64_t)time(NULL);
}

/* eom_route_in - the routing request for a customer's message */
static void
eom_route_in(struct milter_conn *conn, const char *qid,
    struct pd_route_in *in)
{
	struct milter_msg *msg = &conn->msg;
	enum pd_ack_verdict verdict;

	milter_eom_route_in(conn, qid, in);
	in->content_language = msg->content_language;
	in->accept_language = msg->accept_language;
	verdict = pd_autoreply_verdict(&msg->autoreply, conn->conf,
	    msg->sender);
	in->ack_block = verdict == PD_ACK_SEND ? NULL :
	    pd_ack_verdict_name(verdict);
	in->automatic = eom_automatic(verdict);
	in->sender_authenticated = pd_autoreply_authenticated(&msg->autoreply);
}

/* eom_log - the one info line of a routed message (plus warnings) */
static void
eom_log(const char *qid, struct milter_conn *conn,
    const struct pd_route_out *out)
{
	char from[LOG_VALUE_MAX];
	char ack[64] = "";

	pd_log_printable(from, sizeof(from), out->customer);
	if (out->action == PD_ROUTE_OPENED)
		snprintf(ack, sizeof(ack), ", ack=%s", out->ack_msgid[0] ?
		    "queued" : out->ack_suppressed ? out->ack_suppressed :
		    "none");
	pd_msg_info(qid, "ticket=%s-%lld, action=%s, from=<%s>, queue=%s, "
	    "status=%s, priority=%s%s%s", conn->conf->tag_prefix,
	    (long long)out->ticket_id, pd_route_action_name(out->action),
	    from, conn->msg.queue->name, pd_ticket_status_name(out->status),
	    pd_conf_priority_name(out->priority), ack,
	    out->reopened ? ", reopened" : "");
	if (conn->msg.csat_forged)
		pd_msg_warn(qid, "survey address with a token that does not "
		    "verify: handled as ordinary mail");
	if (out->forged_tag)
		pd_msg_warn(qid, "tag in subject failed verification, not "
		    "trusted (ticket=%s)", out->tag);
	if (conn->msg.subject_unusable || (conn->msg.has_subject &&
	    out->subject == NULL))
		pd_msg_warn(qid, "subject could not be rewritten (%s), left "
		    "unchanged", conn->msg.subject_unusable ?
		    "too long" : pd_err_str(out->subject_rc));
}

/*
 * eom_excerpt - the first text of the message (its first body chunk),
 * for the survey to quote; NULL when there is none.  pd_free() it.
 */
static char *
eom_excerpt(struct milter_conn *conn)
{
	struct pd_err err = { 0, "" };
	struct pd_bodyedit be;
	char *text = NULL;

	memset(&be, 0, sizeof(be));
	if (conn->msg.raw.len > 0 && pd_bodyedit_commands(conn->msg.raw.data,
	    conn->msg.raw.len, &be, &err) == PD_OK && be.first_text != NULL)
		text = pd_xstrdup(be.first_text);
	pd_bodyedit_free(&be);
	return text;
}

/* milter_eom_process - route, commit and apply; the EOM verdict */
sfsistat
milter_eom_process(SMFICTX *ctx, struct milter_conn *conn)
{
	const char *qid = milter_eom_qid(ctx);
	struct pd_route_out out;
	struct pd_route_in in;
	struct pd_store *st;
	struct pd_err err = { 0, "" };
	char *excerpt;
	int rc;

	if (conn->msg.headers_overflow || conn->msg.xpd_overflow) {
		pd_msg_warn(qid, "headers over max_header_size or too many "
		    "X-Postdesk headers, passed unchanged");
		milter_error(MILTER_ERR_HEADERS);
		return SMFIS_CONTINUE;
	}
	st = milter_pool_get(&err);
	if (st == NULL)
		return milter_eom_on_error(ctx, conn, qid, err.msg);
	eom_route_in(conn, qid, &in);
	excerpt = eom_excerpt(conn);
	in.excerpt = excerpt;
	rc = pd_route_message(st, &in, &out);
	pd_free(excerpt);
	if (rc == PD_OK)
		milter_errors_flush(st);
	milter_pool_put(st, rc == PD_OK);
	if (rc != PD_OK) {
		pd_route_out_free(&out);
		return milter_eom_on_error(ctx, conn, qid, pd_err_str(rc));
	}
	if (out.ack_msgid[0] != '\0')
		pd_nudge_send(conn->conf->worker_socket);
	milter_eom_tags(ctx, conn, &out);
	eom_log(qid, conn, &out);
	pd_route_out_free(&out);
	return SMFIS_CONTINUE;
}

/*
 * milter_eom_relay - on the service the worker hands its mail to: record
 * the Message-ID (committed before Postfix answers 250) and drop a repeat,
 * which only a worker that crashed between the relay's 250 and its own
 * bookkeeping sends.  The relay accepts only loopback clients.
 */
sfsistat
milter_eom_relay(SMFICTX *ctx, struct milter_conn *conn)
{
	char id[PD_MSGID_MAX + 1];
	const char *qid = milter_eom_qid(ctx);
	struct pd_err err = { 0, "" };
	struct pd_store *st;
	int seen = 0;
	int rc;

	if (pd_msgid_parse_one(conn->msg.message_id, id, sizeof(id)) !=
	    PD_OK) {
		pd_msg_warn(qid, "relay: message without Message-ID passed "
		    "unrecorded");
		return SMFIS_CONTINUE;
	}
	st = milter_pool_get(&err);
	rc = st ? pd_store_relay_record(st, id, qid, (int64_t)time(NULL),
	    &seen) : PD_ETEMP;
	milter_pool_put(st, rc == PD_OK);
	if (rc != PD_OK) {
		milter_error(MILTER_ERR_RELAY_RECORD);
		pd_msg_warn(qid, "relay: cannot record message-id=<%s> (%s), "
		    "passed", id, st ? pd_err_str(rc) : err.msg);
		return SMFIS_CONTINUE;
	}
	pd_msg_info(qid, "relay: message-id=<%s>, action=%s", id,
	    seen ? "dropped-repeat" : "recorded");
	return seen ? SMFIS_DISCARD : SMFIS_CONTINUE;
}
