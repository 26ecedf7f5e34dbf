/*
 * ctl_queue.c - "postdeskctl queue" and "postdeskctl render"
 *
 * PURPOSE	queue [--status S] [--limit N] [--json]: the outbox, newest
 *		first (pending, sending, sent, failed, cancelled), with the
 *		relay's queue id or the last error.  queue retry ID: a failed
 *		row back to pending; the worker is nudged.  render ack
 *		--ticket TAG: the acknowledgement of a ticket exactly as the
 *		worker would send it now.
 * OWNERSHIP	Nothing outlives the command.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "ctl.h"
#include "pd_ackmail.h"
#include "pd_json.h"
#include "pd_log.h"
#include "pd_mem.h"
#include "pd_nudge.h"

#define JSON_MAX	(1 << 16)
#define MAIL_MAX	(1 << 20)

struct queue_ctx {
	int	json;
	int	count;
};

/* queue_one - one outbox row as text or JSON */
static int
queue_one(const struct pd_outbox *o, void *arg)
{
	struct queue_ctx *qc = arg;
	char to[64], detail[120];
	struct pd_buf b;

	if (qc->json) {
		pd_buf_init(&b, JSON_MAX);
		pd_buf_addc(&b, '{');
		pd_json_kv_int(&b, 1, "id", o->id);
		pd_json_kv_str(&b, 0, "kind", o->kind);
		pd_json_kv_int(&b, 0, "ticket", o->ticket_id);
		pd_json_kv_str(&b, 0, "to", o->recipient);
		pd_json_kv_str(&b, 0, "state", pd_outbox_state_name(o->state));
		pd_json_kv_int(&b, 0, "attempts", o->attempts);
		pd_json_kv_str(&b, 0, "message_id", o->message_id);
		pd_json_kv_str(&b, 0, "relay_queue_id", o->relay_queue_id);
		pd_json_kv_str(&b, 0, "last_error", o->last_error);
		pd_json_kv_int(&b, 0, "due_at", o->due_at);
		pd_json_kv_int(&b, 0, "sent_at", o->sent_at);
		pd_buf_addc(&b, '}');
		printf("%s%s", qc->count ? ",\n  " : "\n  ", pd_buf_str(&b));
		pd_buf_free(&b);
	} else {
		pd_log_printable(detail, sizeof(detail), o->state ==
		    PD_OS_SENT ? (o->relay_queue_id ? o->relay_queue_id : "") :
		    (o->last_error ? o->last_error : ""));
		printf("%-6lld %-6s %-9s %3d  %-30s %s\n", (long long)o->id,
		    o->kind, pd_outbox_state_name(o->state), o->attempts,
		    pd_log_printable(to, sizeof(to), o->recipient), detail);
	}
	qc->count++;
	return 0;
}

/* queue_retry - a failed row back to pending */
static int
queue_retry(struct ctl_env *env, struct pd_store *st, const char *arg)
{
	char *end;
	long long id = strtoll(arg, &end, 10);
	int rc;

	if (*arg == '\0' || *end != '\0' || id <= 0)
		return ctl_fail(EX_USAGE, "usage: postdeskctl queue retry ID");
	rc = pd_store_outbox_retry(st, id, (int64_t)time(NULL));
	if (rc == PD_ENOTFOUND)
		return ctl_fail(EX_DATAERR, "%s: no failed outbox row", arg);
	if (rc != PD_OK)
		return ctl_fail(EX_UNAVAILABLE, "%s", pd_err_str(rc));
	pd_nudge_send(env->conf->worker_socket);
	printf("outbox row %lld will be sent again\n", id);
	return EX_OK;
}

/* ctl_queue - list the outbox, or retry a row */
int
ctl_queue(struct ctl_env *env, int argc, char **argv)
{
	struct queue_ctx qc = { 0, 0 };
	struct pd_store *st;
	struct pd_key *key;
	int state = -1, limit = 0, i, rc;

	ctl_open(env, &key, &st);
	pd_key_free(&key);
	if (argc >= 2 && strcmp(argv[1], "retry") == 0) {
		rc = queue_retry(env, st, argc == 3 ? argv[2] : "");
		pd_store_close(&st);
		return rc;
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			qc.json = 1;
		else if (strcmp(argv[i], "--status") == 0 && i + 1 < argc)
			for (state = 0, i++; state < 5 && strcmp(argv[i],
			    pd_outbox_state_name(state)) != 0; state++)
				;
		else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc)
			limit = (int)strtol(argv[++i], NULL, 10);
		else
			state = 99;
	}
	if (state == 5 || state == 99) {
		pd_store_close(&st);
		return ctl_fail(EX_USAGE, "usage: postdeskctl queue [--status "
		    "pending|sending|sent|failed|cancelled] [--limit N] "
		    "[--json] | queue retry ID");
	}
	if (qc.json)
		printf("[");
	else
		printf("%-6s %-6s %-9s %3s  %-30s %s\n", "ID", "KIND", "STATE",
		    "TRY", "TO", "QUEUE ID / LAST ERROR");
	rc = pd_store_outbox_list(st, state, limit, queue_one, &qc);
	if (qc.json)
		printf("%s]\n", qc.count ? "\n" : "");
	pd_store_close(&st);
	return rc == PD_OK ? EX_OK : ctl_fail(EX_UNAVAILABLE, "%s",
	    pd_err_str(rc));
}

struct render_ctx {
	int64_t		 ticket;
	struct pd_outbox row;		/* the ticket's ack row, if any */
};

/* render_find - keep the ack row of the ticket */
static int
render_find(const struct pd_outbox *o, void *arg)
{
	struct render_ctx *rc = arg;

	if (o->ticket_id != rc->ticket || strcmp(o->kind, "ack") != 0)
		return 0;
	rc->row = *o;
	rc->row.kind = pd_xstrdup(o->kind);
	rc->row.recipient = pd_xstrdup(o->recipient);
	rc->row.message_id = pd_xstrdup(o->message_id);
	rc->row.in_reply_to = o->in_reply_to ? pd_xstrdup(o->in_reply_to) :
	    NULL;
	rc->row.refs = o->refs ? pd_xstrdup(o->refs) : NULL;
	rc->row.last_error = NULL;
	rc->row.relay_queue_id = NULL;
	return 1;
}

/* ctl_render - print the acknowledgement of a ticket */
int
ctl_render(struct ctl_env *env, int argc, char **argv)
{
	struct render_ctx rc = { 0 };
	struct pd_ticket t = { 0 };
	struct pd_err err = { 0, "" };
	struct pd_store *st;
	struct pd_key *key;
	struct pd_buf mail;
	bool fallback = false;
	int r;

	if (argc != 4 || strcmp(argv[1], "ack") != 0 ||
	    strcmp(argv[2], "--ticket") != 0)
		return ctl_fail(EX_USAGE, "usage: postdeskctl render ack "
		    "--ticket TAG");
	ctl_open(env, &key, &st);
	rc.ticket = ctl_ticket_number(env->conf, key, argv[3]);
	r = rc.ticket > 0 ? pd_store_ticket_get(st, rc.ticket, &t) :
	    PD_ENOTFOUND;
	if (r == PD_OK)
		pd_store_outbox_list(st, -1, 0, render_find, &rc);
	if (r == PD_OK && rc.row.message_id == NULL) {
		rc.row.recipient = pd_xstrdup(t.customer);
		rc.row.message_id = pd_xstrdup("preview@postdesk.invalid");
		rc.row.flags = t.complaint ? PD_OUT_COMPLAINT : 0;
		fprintf(stderr, "postdeskctl: no acknowledgement was queued "
		    "for this ticket; showing what it would have been\n");
	}
	pd_buf_init(&mail, MAIL_MAX);
	if (r == PD_OK)
		r = pd_ackmail_build(env->conf, key, &t, &rc.row,
		    (int64_t)time(NULL), &mail, &fallback, &err);
	if (r == PD_OK)
		fputs(pd_buf_str(&mail), stdout);
	pd_buf_free(&mail);
	pd_outbox_clear(&rc.row);
	pd_ticket_clear(&t);
	pd_store_close(&st);
	pd_key_free(&key);
	if (fallback)
		fprintf(stderr, "postdeskctl: template unusable, the built-in "
		    "text was used\n");
	return r == PD_OK ? EX_OK : ctl_fail(EX_DATAERR, "%s: %s", argv[3],
	    err.msg[0] ? err.msg : "no such ticket");
}
