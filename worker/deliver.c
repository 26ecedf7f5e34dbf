/*
 * deliver.c - claim due outbox rows, send them, record the outcome
 *
 * PURPOSE	One pass over the due part of the outbox.
 * DESIGN	Rows are claimed with a lease (pd_store_outbox_claim), so a
 *		worker killed mid-pass gives them back when the lease expires;
 *		the copy it may already have handed to the relay is then
 *		recognised there by its Message-ID and dropped (the milter's
 *		relay mode, which records the id and marks the row sent
 *		before Postfix answers 250), so nothing goes out twice.
 *		That needs the relay's milter to have seen the copy: Postfix
 *		skips a milter that died for the rest of the SMTP session,
 *		and with milter_default_action = accept a restarting milter
 *		is skipped by every session opened meanwhile.  So each 250
 *		is checked against the relay's record as soon as it comes
 *		(deliver_done); a copy that passed unrecorded is recorded
 *		here at once, in its own transaction, and every relay
 *		session is renewed, which brings the milter back into the
 *		path.  The rest of the batch is recorded together at its
 *		end.  Outcomes:
 *		  250        sent, with the relay's queue id
 *		  4xx, no connection, timeout
 *		             pending again at now + backoff(attempts)
 *		  5xx, unusable recipient
 *		             failed, with the reply; "postdeskctl queue retry"
 *		Kinds: "ack" (pd_ackmail, from templates), "csat" (the
 *		survey, pd_csatmail; dropped as cancelled when its
 *		expires_at has passed), "notice" and "warning" to an agent
 *		(pd_notice, text fixed when queued), and "digest" to a
 *		manager (the whole message built when queued, no ticket).
 *		Everything goes out with the null reverse-path
 *		(MAIL FROM:<>, RFC 3834 3.3), so they can trigger no bounce.
 *		One log line per row, ticket first:
 *		  PD-7: outbox=3, kind=ack, to=<a@b>, relay=..., status=sent
 * OWNERSHIP	Claimed rows live in w->items from the claim to the commit;
 *		the SMTP sessions are sender.c's.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pd_ackmail.h"
#include "pd_csatmail.h"
#include "pd_log.h"
#include "pd_mem.h"
#include "pd_notice.h"
#include "worker.h"

#define MAIL_MAX	(1024 * 1024)
#define DIGEST_MAIL_MAX	(8 * 1024 * 1024)
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
deliver_log(const struct worker *w, const struct worker_item *it,
    const char *status, const char *detail)
{
	char to[300];
	char who[64];

	if (it->ticket_id > 0)
		snprintf(who, sizeof(who), "%s-%lld", w->conf->tag_prefix,
		    (long long)it->ticket_id);
	else
		snprintf(who, sizeof(who), "%s", it->kind);
	pd_info("%s: outbox=%lld, kind=%s, to=<%s>, relay=%s, status=%s (%s)",
	    who, (long long)it->id, it->kind,
	    pd_log_printable(to, sizeof(to), it->recipient),
	    w->conf->smtp_relay, status, detail);
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

/* deliver_finish - a row's verdict (relay or renderer): note it, log it */
static void
deliver_finish(struct worker *w, const struct worker_item *it,
    const struct sender_job *job, int64_t now)
{
	const struct pd_smtp_reply *r = &job->reply;
	char detail[PD_SMTP_TEXT_MAX + 16];

	if (r->code > 0)
		snprintf(detail, sizeof(detail), "%d %s", r->code, r->text);
	else
		snprintf(detail, sizeof(detail), "%s", r->text[0] ? r->text :
		    pd_err_str(job->rc));
	if (job->rc == WORKER_EXPIRED) {
		deliver_note(w, it->id, PD_OS_CANCELLED, r->text, 0);
		deliver_log(w, it, "dropped", r->text);
	} else if (job->rc == PD_OK) {
		deliver_note(w, it->id, PD_OS_SENT, r->queue_id, 0);
		deliver_log(w, it, "sent", detail);
	} else if (job->rc == PD_ETEMP) {
		deliver_note(w, it->id, PD_OS_PENDING, detail,
		    now + worker_backoff(it->attempts));
		deliver_log(w, it, "deferred", detail);
	} else {
		deliver_note(w, it->id, PD_OS_FAILED, detail, 0);
		deliver_log(w, it, "failed", detail);
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

/*
 * deliver_unrecorded - the relay answered 250 for it but its milter did
 * not record the Message-ID: record it now, so that a copy resent after a
 * crash before the batch commit is dropped as a repeat, and renew the
 * sessions that pass the relay without its milter
 */
static void
deliver_unrecorded(struct worker *w, const struct worker_item *it,
    const struct sender_job *job)
{
	int seen = 0;
	int rc;

	rc = pd_store_begin(w->st);
	if (rc == PD_OK)
		rc = pd_store_relay_record(w->st, it->message_id,
		    job->reply.queue_id[0] ? job->reply.queue_id : NULL,
		    (int64_t)time(NULL), &seen);
	if (rc == PD_OK)
		rc = pd_store_commit(w->st);
	else
		pd_store_rollback(w->st);
	if (rc == PD_OK && seen)
		return;		/* recorded after all: the first read failed */
	sender_pool_renew(w->senders);
	if (rc != PD_OK)
		pd_error("outbox=%lld: the relay's milter did not record "
		    "message-id=<%s> and neither could the worker (%s)",
		    (long long)it->id, it->message_id, pd_err_str(rc));
	else
		pd_warn("outbox=%lld: the relay passed message-id=<%s> "
		    "without its milter (restarting?); recorded by the "
		    "worker, relay sessions renewed", (long long)it->id,
		    it->message_id);
}

/*
 * deliver_done - sender callback, in the order the jobs finish: check a
 * 250 against the relay's record, then note and log the outcome
 */
static void
deliver_done(int i, void *arg)
{
	struct worker *w = arg;
	const struct worker_item *it = &w->items[i];
	const struct sender_job *job = &w->jobs[i];
	bool seen = true;

	if (job->rc == PD_OK && job->msg != NULL && it->message_id != NULL &&
	    (pd_store_relay_seen(w->st, it->message_id, &seen) != PD_OK ||
	    !seen))
		deliver_unrecorded(w, it, job);
	deliver_finish(w, it, job, (int64_t)time(NULL));
}

/*
 * deliver_take - claim callback: keep what the outcome needs and render
 * the message; a row that cannot be rendered gets a job that is not sent
 * and fails with the reason (a template problem falls back to built-in
 * text inside pd_ackmail_build and does not land here).
 */
static int
deliver_take(const struct pd_outbox *o, void *arg)
{
	struct worker *w = arg;
	struct worker_item *it;
	struct sender_job *job;
	struct pd_ticket t = { 0 };
	struct pd_err err = { 0, "" };
	bool fallback = false;
	int64_t now = (int64_t)time(NULL);
	int rc;

	if (w->n_items == WORKER_BATCH)
		return 0;	/* cannot happen: a claim is <= one batch */
	it = &w->items[w->n_items];
	job = &w->jobs[w->n_items++];
	it->id = o->id;
	it->ticket_id = o->ticket_id;
	it->attempts = o->attempts;
	snprintf(it->kind, sizeof(it->kind), "%s", o->kind);
	it->recipient = pd_xstrdup(o->recipient);
	it->message_id = o->message_id ? pd_xstrdup(o->message_id) : NULL;
	pd_buf_init(&it->msg, MAIL_MAX);
	memset(job, 0, sizeof(*job));
	job->mail_from = "";
	job->recipient = it->recipient;
	if (strcmp(o->kind, "digest") == 0) {
		/* built whole when queued (pd_digest_queue); no ticket */
		pd_buf_free(&it->msg);
		pd_buf_init(&it->msg, DIGEST_MAIL_MAX);
		if (o->body != NULL && pd_buf_adds(&it->msg, o->body) ==
		    PD_OK) {
			job->msg = it->msg.data;
			job->len = it->msg.len;
		} else {
			job->rc = PD_EPERMFAIL;
			snprintf(job->reply.text, sizeof(job->reply.text),
			    "digest row without a message");
		}
		return 0;
	}
	rc = pd_store_ticket_get(w->st, o->ticket_id, &t);
	if (rc == PD_OK && o->expires_at > 0 && now > o->expires_at) {
		job->rc = WORKER_EXPIRED;
		snprintf(job->reply.text, sizeof(job->reply.text), "expired "
		    "(not sent within a working day of the resolution)");
		pd_ticket_clear(&t);
		return 0;
	}
	if (rc == PD_OK && strcmp(o->kind, "csat") == 0)
		rc = pd_csatmail_build(w->conf, w->key, w->st, &t, o, now,
		    &it->msg, &fallback);
	else if (rc == PD_OK && (strcmp(o->kind, "notice") == 0 ||
	    strcmp(o->kind, "warning") == 0))
		rc = pd_notice_build(w->conf, w->key, &t, o, now, &it->msg);
	else if (rc == PD_OK)
		rc = pd_ackmail_build(w->conf, w->key, &t, o, now, &it->msg,
		    &fallback, &err);
	if (fallback)
		pd_warn("%s-%lld: template unusable, built-in text sent "
		    "instead", w->conf->tag_prefix, (long long)t.id);
	if (rc == PD_OK) {
		job->msg = it->msg.data;
		job->len = it->msg.len;
	} else {
		/* a busy or failing database is deferred, not a failure */
		job->rc = rc == PD_ETEMP ? PD_ETEMP : PD_EPERMFAIL;
		snprintf(job->reply.text, sizeof(job->reply.text), "%s",
		    err.msg[0] ? err.msg : pd_err_str(rc));
	}
	pd_ticket_clear(&t);
	return 0;
}

/* worker_deliver_due - claim, render, send and record every due row */
int
worker_deliver_due(struct worker *w, int64_t now)
{
	long back = 0;
	int rc;
	int i;

	if (pd_store_outbox_reclaim(w->st, now, &back) == PD_OK && back > 0)
		pd_warn("%ld outbox row(s) whose lease expired are due again",
		    back);
	w->n_items = 0;
	w->n_done = 0;
	rc = pd_store_outbox_claim(w->st, now, WORKER_LEASE, WORKER_BATCH,
	    deliver_take, w);
	sender_pool_run(w->senders, w->jobs, w->n_items, deliver_done, w);
	for (i = 0; i < w->n_items; i++) {
		pd_free(w->items[i].recipient);
		pd_free(w->items[i].message_id);
		pd_buf_free(&w->items[i].msg);
	}
	w->n_items = 0;
	deliver_commit(w, (int64_t)time(NULL));
	return rc;
}
