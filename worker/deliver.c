/*
 * deliver.c - claim due outbox rows, send them, record the outcome
 *
 * PURPOSE	One pass over the due part of the outbox.
 * DESIGN	Rows are claimed with a lease (pd_store_outbox_claim), so a
 *		worker killed mid-pass gives them back when the lease expires;
 *		the copy it may already have handed to the relay is then
 *		recognised there by its Message-ID and dropped (the milter's
 *		relay mode), so nothing goes out twice.  Outcomes:
 *		  250        sent, with the relay's queue id
 *		  4xx, no connection, timeout
 *		             pending again at now + backoff(attempts)
 *		  5xx, unusable recipient
 *		             failed, with the reply; "postdeskctl queue retry"
 *		Acknowledgements go out with the null reverse-path
 *		(MAIL FROM:<>, RFC 3834 3.3), so they can trigger no bounce.
 *		One log line per row, ticket first:
 *		  PD-7: outbox=3, kind=ack, to=<a@b>, relay=..., status=sent
 * OWNERSHIP	The SMTP session lives in struct worker across rows and
 *		passes; it is closed after any temporary failure.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pd_ackmail.h"
#include "pd_log.h"
#include "worker.h"

#define MAIL_MAX	(1024 * 1024)
#define BACKOFF_MAX	3600

/* worker_backoff - seconds before retry number attempts: 30 s doubling */
int64_t
worker_backoff(int attempts)
{
	int64_t d = 30;

	while (attempts-- > 1 && d < BACKOFF_MAX)
		d *= 2;
	return d < BACKOFF_MAX ? d : BACKOFF_MAX;
}

/* deliver_log - the one line of a row's outcome */
static void
deliver_log(const struct worker *w, const struct pd_outbox *o,
    const char *status, const char *detail)
{
	char to[300];

	pd_info("%s-%lld: outbox=%lld, kind=%s, to=<%s>, relay=%s, "
	    "status=%s (%s)", w->conf->tag_prefix,
	    (long long)o->ticket_id, (long long)o->id, o->kind,
	    pd_log_printable(to, sizeof(to), o->recipient),
	    w->conf->smtp_relay, status, detail);
}

/* deliver_send - hand msg to the relay; the store's verdict for the row */
static int
deliver_send(struct worker *w, const struct pd_outbox *o, const char *msg,
    size_t len, struct pd_smtp_reply *reply)
{
	const char *rcpt[1] = { o->recipient };
	struct pd_err err = { 0, "" };
	int rc;

	memset(reply, 0, sizeof(*reply));
	if (w->smtp == NULL || !pd_smtp_usable(w->smtp)) {
		pd_smtp_close(&w->smtp);
		w->smtp = pd_smtp_open(w->conf->smtp_relay,
		    (int)w->conf->smtp_timeout, &err);
		if (w->smtp == NULL) {
			snprintf(reply->text, sizeof(reply->text), "%s",
			    err.msg);
			return PD_ETEMP;
		}
	}
	rc = pd_smtp_send(w->smtp, "", rcpt, 1, msg, len, reply);
	if (rc == PD_ETEMP)
		pd_smtp_close(&w->smtp);
	return rc;
}

/* deliver_note - remember a row's outcome for the batch commit */
static void
deliver_note(struct worker *w, int64_t id, enum pd_outbox_state state,
    const char *detail, int64_t due)
{
	struct worker_outcome *d;

	if (w->n_done == WORKER_BATCH)
		return;		/* cannot happen: a claim is <= one batch */
	d = &w->done[w->n_done++];
	d->id = id;
	d->state = state;
	snprintf(d->detail, sizeof(d->detail), "%s", detail ? detail : "");
	d->due = due;
}

/* deliver_finish - the relay's verdict on a row: note it, log it */
static void
deliver_finish(struct worker *w, const struct pd_outbox *o, int rc,
    const struct pd_smtp_reply *r, int64_t now)
{
	char detail[PD_SMTP_TEXT_MAX + 16];

	if (r->code > 0)
		snprintf(detail, sizeof(detail), "%d %s", r->code, r->text);
	else
		snprintf(detail, sizeof(detail), "%s", r->text[0] ? r->text :
		    pd_err_str(rc));
	if (rc == PD_OK) {
		deliver_note(w, o->id, PD_OS_SENT, r->queue_id, 0);
		deliver_log(w, o, "sent", detail);
	} else if (rc == PD_ETEMP) {
		deliver_note(w, o->id, PD_OS_PENDING, detail,
		    now + worker_backoff(o->attempts));
		deliver_log(w, o, "deferred", detail);
	} else {
		deliver_note(w, o->id, PD_OS_FAILED, detail, 0);
		deliver_log(w, o, "failed", detail);
	}
}

/*
 * deliver_commit - write the batch's outcomes in one transaction: one
 * write-lock slot per batch instead of one per row.  Lost (a crash before
 * the commit), the rows stay "sending", are reclaimed at the next start
 * and resent, and the relay drops the repeats.
 */
static void
deliver_commit(struct worker *w, int64_t now)
{
	int i;
	int rc;

	if (w->n_done == 0)
		return;
	rc = pd_store_begin(w->st);
	for (i = 0; i < w->n_done; i++)
		if (pd_store_outbox_finish(w->st, w->done[i].id,
		    w->done[i].state, w->done[i].detail, w->done[i].due,
		    now) != PD_OK)
			rc = PD_ETEMP;
	if (rc == PD_OK)
		rc = pd_store_commit(w->st);
	else
		pd_store_rollback(w->st);
	if (rc != PD_OK)
		pd_error("cannot record %d outbox outcome(s) (%s); they will "
		    "be redone", w->n_done, pd_err_str(rc));
	w->n_done = 0;
}

/* deliver_row - render, send and record one claimed row */
static int
deliver_row(const struct pd_outbox *o, void *arg)
{
	struct worker *w = arg;
	struct pd_ticket t = { 0 };
	struct pd_err err = { 0, "" };
	struct pd_smtp_reply reply;
	int64_t now = (int64_t)time(NULL);
	struct pd_buf msg;
	bool fallback = false;
	int rc;

	pd_buf_init(&msg, MAIL_MAX);
	rc = pd_store_ticket_get(w->st, o->ticket_id, &t);
	if (rc == PD_OK)
		rc = pd_ackmail_build(w->conf, w->key, &t, o, now, &msg,
		    &fallback, &err);
	if (fallback)
		pd_warn("%s-%lld: template unusable, built-in text sent "
		    "instead", w->conf->tag_prefix, (long long)t.id);
	if (rc != PD_OK) {
		deliver_note(w, o->id, PD_OS_FAILED, err.msg[0] ? err.msg :
		    pd_err_str(rc), 0);
		deliver_log(w, o, "failed", err.msg[0] ? err.msg :
		    pd_err_str(rc));
	} else {
		rc = deliver_send(w, o, msg.data, msg.len, &reply);
		deliver_finish(w, o, rc, &reply, now);
	}
	pd_ticket_clear(&t);
	pd_buf_free(&msg);
	return 0;
}

/* worker_deliver_due - claim and deliver every due row; rows delivered */
int
worker_deliver_due(struct worker *w, int64_t now)
{
	long back = 0;
	int rc;

	if (pd_store_outbox_reclaim(w->st, now, &back) == PD_OK && back > 0)
		pd_warn("%ld outbox row(s) whose lease expired are due again",
		    back);
	w->n_done = 0;
	rc = pd_store_outbox_claim(w->st, now, WORKER_LEASE, WORKER_BATCH,
	    deliver_row, w);
	deliver_commit(w, (int64_t)time(NULL));
	return rc;
}
