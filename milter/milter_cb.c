/*
 * milter_cb.c - the libmilter callbacks of postdesk-milter
 *
 * PURPOSE	Thin callbacks: they collect data into the contexts and never
 *		decide anything but "this message is not for support".
 * DESIGN	Mail for other addresses is let go at DATA (SMFIS_ACCEPT), as
 *		soon as every recipient is known, so Postfix sends it no
 *		headers and no body, unless it may be an agent's: a SASL
 *		login that names an agent on a submission service
 *		([milter] submission_names), or any mail from a client in
 *		trusted_networks (its From decides at end-of-message).  Only
 *		an agent's mail needs its body (command lines); for any
 *		other the first body chunk is answered SMFIS_SKIP.
 *		SMFIP_HDR_LEADSPC is asked for, so the Subject arrives
 *		byte-exact and unchanged parts can be kept as they were.
 * OWNERSHIP	Connection contexts: created in connect, freed in close
 *		(which may come without connect, with no private data).
 * THREADS	One thread per MTA connection (libmilter).
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "milter.h"
#include "pd_log.h"
#include "pd_mem.h"
#include "pd_team.h"

#define WANT_ACTIONS	(SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_CHGBODY | \
			 SMFIF_ADDRCPT | SMFIF_DELRCPT)

/*
 * Protocol steps: no HELO/EOH/unknown-command callbacks, and no reply at
 * all to connect, MAIL, RCPT and each header, since we never refuse
 * there: each of those would otherwise cost the SMTP session a round trip
 * to this process.  (Connect is still seen, for its {daemon_name} macro
 * and the client's address.)  SMFIP_SKIP: the MTA understands
 * SMFIS_SKIP, which ends the body of a message that is not an agent's.
 */
#define WANT_STEPS	(SMFIP_HDR_LEADSPC | SMFIP_NOUNKNOWN | SMFIP_SKIP | \
			 SMFIP_NR_CONN | SMFIP_NOHELO | SMFIP_NOEOH | \
			 SMFIP_NR_MAIL | SMFIP_NR_RCPT | SMFIP_NR_HDR)

/* cb_reply - what a step answers: nothing if a no-reply flag was agreed */
static sfsistat
cb_reply(const struct milter_conn *conn, unsigned long nr_flag)
{
	return conn != NULL && (conn->steps & nr_flag) ? SMFIS_NOREPLY :
	    SMFIS_CONTINUE;
}

/* cb_conn - the connection context, or NULL */
static struct milter_conn *
cb_conn(SMFICTX *ctx)
{
	return smfi_getpriv(ctx);
}

/* cb_negotiate - ask for header changes, leading spaces, no body */
static sfsistat
cb_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	(void)f2;
	(void)f3;
	if ((f0 & WANT_ACTIONS) != WANT_ACTIONS) {
		pd_msg_error(NULL, "MTA does not offer header changes "
		    "(actions 0x%lx); milter disabled for this connection", f0);
		return SMFIS_REJECT;
	}
	*pf0 = WANT_ACTIONS;
	*pf1 = WANT_STEPS & f1;
	*pf2 = 0;
	*pf3 = 0;
	if (cb_conn(ctx) == NULL) {
		struct milter_conn *conn = milter_conn_new();

		conn->steps = *pf1;
		conn->leadspc = (*pf1 & SMFIP_HDR_LEADSPC) != 0;
		smfi_setpriv(ctx, conn);
	}
	return SMFIS_CONTINUE;
}

/* cb_connect - a new MTA connection (context made at negotiation) */
static sfsistat
cb_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *addr)
{
	struct milter_conn *conn = cb_conn(ctx);
	const char *daemon = smfi_getsymval(ctx, "{daemon_name}");

	(void)host;
	if (conn == NULL) {		/* an MTA that skipped negotiation */
		conn = milter_conn_new();
		smfi_setpriv(ctx, conn);
	}
	conn->relay = daemon != NULL &&
	    strcmp(daemon, conn->conf->inject_name) == 0;
	conn->submission = pd_team_submission(conn->conf, daemon);
	conn->trusted = !conn->relay && pd_team_trusted(conn->conf, addr);
	return cb_reply(conn, SMFIP_NR_CONN);
}

/* cb_envfrom - a new message starts */
static sfsistat
cb_envfrom(SMFICTX *ctx, char **argv)
{
	struct milter_conn *conn = cb_conn(ctx);

	if (conn == NULL)
		return SMFIS_ACCEPT;
	milter_msg_reset(conn, MILTER_RESET_MSG);
	milter_msg_begin(conn);
	conn->msg.sender = pd_xstrndup(argv[0] ? argv[0] : "", 512);
	if (conn->submission && !conn->relay)
		conn->msg.agent = pd_team_agent(conn->conf,
		    smfi_getsymval(ctx, "{auth_authen}"), NULL);
	conn->msg.maybe_agent = conn->msg.agent != NULL || conn->trusted;
	return cb_reply(conn, SMFIP_NR_MAIL);
}

/* cb_envrcpt - note the first support recipient */
static sfsistat
cb_envrcpt(SMFICTX *ctx, char **argv)
{
	struct milter_conn *conn = cb_conn(ctx);
	const struct pd_conf_queue *q;

	if (conn == NULL || argv[0] == NULL)
		return cb_reply(conn, SMFIP_NR_RCPT);
	q = pd_conf_queue_by_address(conn->conf, argv[0]);
	conn->msg.n_all_rcpts++;
	if (conn->msg.maybe_agent)
		milter_msg_rcpt(conn, argv[0]);
	if (q != NULL && !conn->relay)
		milter_csat_rcpt(conn, argv[0]);
	if (q != NULL) {
		conn->msg.support_rcpts++;
		if (conn->msg.queue == NULL)
			conn->msg.queue = q;
	}
	return cb_reply(conn, SMFIP_NR_RCPT);
}

/* cb_data - every recipient is known: let go of mail not for support */
static sfsistat
cb_data(SMFICTX *ctx)
{
	struct milter_conn *conn = cb_conn(ctx);

	if (conn != NULL && (conn->relay || conn->msg.maybe_agent ||
	    conn->msg.csat_survey != 0))
		return SMFIS_CONTINUE;
	if (conn == NULL || conn->msg.queue == NULL) {
		if (conn != NULL)
			milter_msg_reset(conn, MILTER_RESET_MSG);
		return SMFIS_ACCEPT;
	}
	return SMFIS_CONTINUE;
}

/* cb_header - collect one header */
static sfsistat
cb_header(SMFICTX *ctx, char *name, char *value)
{
	struct milter_conn *conn = cb_conn(ctx);

	if (conn != NULL && name != NULL && value != NULL)
		milter_msg_header(conn, name, value);
	return cb_reply(conn, SMFIP_NR_HDR);
}

/*
 * cb_body - keep an agent's (or a survey answer's) whole body; of any
 * other support mail the first chunk only (the excerpt a survey quotes),
 * then skip the rest
 */
static sfsistat
cb_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	struct milter_conn *conn = cb_conn(ctx);
	bool whole;

	if (conn == NULL || conn->relay)
		return SMFIS_CONTINUE;
	whole = conn->msg.maybe_agent || conn->msg.csat_survey != 0;
	if (whole || !conn->msg.body_started)
		milter_msg_body(conn, chunk, len);
	if (whole)
		return SMFIS_CONTINUE;
	return conn->steps & SMFIP_SKIP ? SMFIS_SKIP : SMFIS_CONTINUE;
}

/* cb_eom - end of message: decide, commit, apply */
static sfsistat
cb_eom(SMFICTX *ctx)
{
	struct milter_conn *conn = cb_conn(ctx);
	const char *agent = NULL;
	sfsistat rc;

	if (conn != NULL && !conn->relay && conn->msg.maybe_agent)
		agent = milter_agent_of(conn);
	if (conn != NULL && conn->relay)
		rc = milter_eom_relay(ctx, conn);
	else if (agent != NULL)
		rc = milter_agent_process(ctx, conn, agent);
	else if (conn != NULL && conn->msg.csat_survey != 0)
		rc = milter_csat_process(ctx, conn);
	else if (conn == NULL || conn->msg.queue == NULL)
		rc = SMFIS_CONTINUE;
	else
		rc = milter_eom_process(ctx, conn);
	if (conn == NULL)
		return rc;
	milter_msg_reset(conn, MILTER_RESET_MSG);
	return rc;
}

/* cb_abort - the message was abandoned (RSET, lost client, rejection) */
static sfsistat
cb_abort(SMFICTX *ctx)
{
	struct milter_conn *conn = cb_conn(ctx);

	if (conn != NULL)
		milter_msg_reset(conn, MILTER_RESET_MSG);
	return SMFIS_CONTINUE;
}

/* cb_close - the connection ends; may come without connect */
static sfsistat
cb_close(SMFICTX *ctx)
{
	struct milter_conn *conn = cb_conn(ctx);

	milter_conn_free(&conn);
	smfi_setpriv(ctx, NULL);
	return SMFIS_CONTINUE;
}

struct smfiDesc milter_desc = {
	.xxfi_name = "postdesk",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = WANT_ACTIONS,
	.xxfi_connect = cb_connect,
	.xxfi_envfrom = cb_envfrom,
	.xxfi_envrcpt = cb_envrcpt,
	.xxfi_header = cb_header,
	.xxfi_body = cb_body,
	.xxfi_eom = cb_eom,
	.xxfi_abort = cb_abort,
	.xxfi_close = cb_close,
	.xxfi_data = cb_data,
	.xxfi_negotiate = cb_negotiate,
};
