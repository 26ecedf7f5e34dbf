/*
 * test_store.c - unit tests for pd_store over its SQLite backend
 *
 * Real SQLite files in a temporary directory: schema creation and
 * versioning, tickets and messages, the UNIQUE Message-ID invariant,
 * listing, and the failures the milter must survive (missing file, schema
 * mismatch, lock held by another connection, file replaced under us).
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "pd_err.h"
#include "pd_store.h"
#include "../harness/tap.h"

static char dir[] = "/tmp/pdstoreXXXXXX";
static char path[256];

static int
count_cb(const struct pd_ticket *t, void *arg)
{
	(void)t;
	(*(int *)arg)++;
	return 0;
}

static int
first_cb(const struct pd_ticket *t, void *arg)
{
	*(int64_t *)arg = t->id;
	return 1;	/* stop after the first */
}

/* new_ticket - insert a ticket with one message, committed */
static int64_t
new_ticket(struct pd_store *st, const char *msgid)
{
	struct pd_ticket t = { 0 };
	struct pd_message_rec m = { 0 };

	t.queue = "support";
	t.status = PD_TS_NEW;
	t.priority = PD_PRIO_NORMAL;
	t.customer = "alice@example.org";
	t.subject = "Printer on fire";
	t.created_at = 1000;
	if (pd_store_begin(st) != PD_OK || pd_store_ticket_insert(st, &t))
		return -1;
	m.ticket_id = t.id;
	m.message_id = msgid;
	m.direction = PD_DIR_IN;
	m.sender = "alice@example.org";
	m.received_at = 1000;
	if (pd_store_message_insert(st, &m) != PD_OK) {
		pd_store_rollback(st);
		return -1;
	}
	return pd_store_commit(st) == PD_OK ? t.id : -1;
}

struct claimed {
	int	n;
	int64_t	ids[8];
	char	kinds[8][16];
};

static int
claim_cb(const struct pd_outbox *o, void *arg)
{
	struct claimed *c = arg;

	if (c->n < 8) {
		c->ids[c->n] = o->id;
		snprintf(c->kinds[c->n], sizeof(c->kinds[0]), "%s", o->kind);
	}
	c->n++;
	return 0;
}

/* queue_ack - insert an outbox row due at due */
static int64_t
queue_ack(struct pd_store *st, const char *rcpt, const char *msgid,
    int64_t due, int64_t created)
{
	struct pd_outbox o = { 0 };

	o.kind = "ack";
	o.ticket_id = 1;
	o.recipient = (char *)rcpt;
	o.message_id = (char *)msgid;
	o.due_at = due;
	o.created_at = created;
	return pd_store_outbox_insert(st, &o) == PD_OK ? o.id : -1;
}

/* test_outbox - the outbox state machine over a real file */
static void
test_outbox(struct pd_store *st)
{
	struct claimed c = { 0 };
	int64_t due = 0;
	long n = 0;
	int seen = -1;

	ok(queue_ack(st, "a@x", "ack1@pd", 100, 100) > 0, "outbox: queue");
	ok(queue_ack(st, "b@x", "ack2@pd", 200, 150) > 0, "outbox: queue 2");
	is_int(queue_ack(st, "c@x", "ack1@pd", 100, 100), -1,
	    "outbox: a Message-ID is queued once");
	pd_store_outbox_count(st, "ack", "a@x", 50, &n);
	is_int(n, 1, "outbox: count per recipient");
	pd_store_outbox_count(st, "ack", NULL, 120, &n);
	is_int(n, 1, "outbox: count since, any recipient");
	pd_store_outbox_next_due(st, &due);
	is_int(due, 100, "outbox: next due");
	is_int(pd_store_outbox_claim(st, 150, 300, 10, claim_cb, &c), PD_OK,
	    "outbox: claim");
	ok(c.n == 1 && strcmp(c.kinds[0], "ack") == 0,
	    "outbox: only the due row is claimed");
	c.n = 0;
	pd_store_outbox_claim(st, 150, 300, 10, claim_cb, &c);
	is_int(c.n, 0, "outbox: a leased row is not claimed twice");
	pd_store_outbox_reclaim(st, 400, &n);
	is_int(n, 0, "outbox: lease not yet expired");
	pd_store_outbox_reclaim(st, 451, &n);
	is_int(n, 1, "outbox: expired lease back to pending");
	pd_store_outbox_claim(st, 500, 300, 10, claim_cb, &c);
	is_int(c.n, 2, "outbox: both due rows claimed after the lease");
	pd_store_outbox_finish(st, c.ids[0], PD_OS_SENT, "4AbC", 0, 510);
	pd_store_outbox_finish(st, c.ids[1], PD_OS_FAILED, "550 no", 0, 510);
	is_int(pd_store_outbox_retry(st, c.ids[0], 520), PD_ENOTFOUND,
	    "outbox: a sent row cannot be retried");
	is_int(pd_store_outbox_retry(st, c.ids[1], 520), PD_OK,
	    "outbox: a failed row can");
	is_int(pd_store_relay_record(st, "ack2@pd", "5XyZ", 530, &seen), PD_OK,
	    "relay: record");
	is_int(seen, 0, "relay: first copy is new");
	pd_store_relay_record(st, "ack2@pd", "6QqQ", 531, &seen);
	is_int(seen, 1, "relay: the repeat is recognised");
	c.n = 0;
	pd_store_outbox_claim(st, 600, 300, 10, claim_cb, &c);
	is_int(c.n, 0, "relay: the recorded row counts as sent");
	n = 0;
	pd_store_outbox_list(st, PD_OS_SENT, 0, (pd_outbox_cb)claim_cb, &c);
	is_int(c.n, 2, "outbox: two rows listed as sent");
}

static int
event_cb(const struct pd_event *e, void *arg)
{
	char *log = arg;
	size_t len = strlen(log);

	snprintf(log + len, 256 - len, "%s%s=%s", len ? "," : "", e->kind,
	    e->detail ? e->detail : "");
	return 0;
}

static int
message_cb(const struct pd_message_rec *m, void *arg)
{
	int *notes = arg;

	if (m->note && m->author && strcmp(m->author, "bob@x") == 0)
		(*notes)++;
	return 0;
}

static int
body_cb(const struct pd_outbox *o, void *arg)
{
	if (o->body != NULL && strcmp(o->body, "line one\nline two") == 0)
		(*(int *)arg)++;
	return 0;
}

/* test_updates - ticket changes, the ticket log, notes, notice bodies */
static void
test_updates(struct pd_store *st)
{
	struct pd_ticket_update u = { 0 };
	struct pd_message_rec m = { 0 };
	struct pd_ticket t = { 0 };
	struct pd_event e = { 0 };
	struct pd_outbox o = { 0 };
	char log[256] = "";
	int64_t id = new_ticket(st, "u1@x");
	int n = 0;

	u.id = id;
	u.what = PD_TU_STATUS | PD_TU_FIRST_RESPONSE | PD_TU_ASSIGNEE;
	u.status = PD_TS_PENDING;
	u.assignee = "bob";
	u.now = 2000;
	is_int(pd_store_ticket_update(st, &u), PD_OK, "update: answer");
	u.what = PD_TU_FIRST_RESPONSE | PD_TU_STATUS | PD_TU_PRIORITY;
	u.status = PD_TS_RESOLVED;
	u.priority = PD_PRIO_URGENT;
	u.now = 3000;
	is_int(pd_store_ticket_update(st, &u), PD_OK, "update: resolve");
	u.what = PD_TU_STATUS | PD_TU_REOPEN;
	u.status = PD_TS_OPEN;
	u.now = 4000;
	is_int(pd_store_ticket_update(st, &u), PD_OK, "update: reopen");
	pd_store_ticket_get(st, id, &t);
	ok(t.status == PD_TS_OPEN && t.priority == PD_PRIO_URGENT &&
	    t.first_response_at == 2000 && t.resolved_at == 3000 &&
	    t.reopen_count == 1 && t.assignee && !strcmp(t.assignee, "bob")
	    && t.updated_at == 4000,
	    "update: first response kept, resolved_at, reopen counted "
	    "(first=%lld resolved=%lld reopen=%d)",
	    (long long)t.first_response_at, (long long)t.resolved_at,
	    t.reopen_count);
	pd_ticket_clear(&t);
	u.id = 999;
	is_int(pd_store_ticket_update(st, &u), PD_ENOTFOUND,
	    "update: unknown ticket");

	e.ticket_id = id;
	e.kind = "status";
	e.actor = "bob@x";
	e.detail = "resolved";
	e.at = 3000;
	pd_store_event_add(st, &e);
	e.kind = "reopen";
	e.detail = NULL;
	e.at = 4000;
	pd_store_event_add(st, &e);
	pd_store_event_list(st, id, event_cb, log);
	is_str(log, "status=resolved,reopen=", "events: the log, in order");

	m.ticket_id = id;
	m.message_id = "note1@x";
	m.direction = PD_DIR_OUT;
	m.author = "bob@x";
	m.note = true;
	m.received_at = 4100;
	pd_store_message_insert(st, &m);
	pd_store_message_list(st, id, message_cb, &n);
	is_int(n, 1, "messages: author and note round-trip");

	o.kind = "notice";
	o.ticket_id = id;
	o.recipient = "bob@x";
	o.message_id = "notice1@x";
	o.body = "line one\nline two";
	o.due_at = 0;
	is_int(pd_store_outbox_insert(st, &o), PD_OK, "outbox: notice");
	n = 0;
	pd_store_outbox_list(st, -1, 0, body_cb, &n);
	is_int(n, 1, "outbox: a notice's body round-trips");
}

/* set_user_version - change the schema version behind the store's back */
static void
set_user_version(int v)
{
	sqlite3 *db;
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", v);
	sqlite3_open(path, &db);
	sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
}

int
main(void)
{
	struct pd_err err = { 0, "" };
	struct pd_ticket t = { 0 };
	struct pd_ticket_filter all = { -1, 0, false };
	struct pd_store *st, *st2;
	int64_t id1, id2, found;
	sqlite3 *locker;
	int n;

	if (mkdtemp(dir) == NULL)
		return 99;
	snprintf(path, sizeof(path), "%s/pd.db", dir);

	st = pd_store_open(path, 1000, &err);
	ok(st == NULL && err.code == PD_EPERMFAIL &&
	    strstr(err.msg, "postdeskctl init"), "missing database: %s",
	    err.msg);
	is_int(pd_store_migrate(path, &err), PD_OK, "migrate creates");
	is_int(pd_store_migrate(path, &err), PD_OK, "migrate is idempotent");
	st = pd_store_open(path, 1000, &err);
	ok(st != NULL, "open after migrate");
	is_int(pd_store_check(st, &err), PD_OK, "integrity check");
	/* the milter's cache limit; the tickets below go through it */
	is_int(pd_store_limit_cache(st, 256), PD_OK, "page cache limited");

	id1 = new_ticket(st, "m1@x");
	id2 = new_ticket(st, "m2@x");
	is_int(id1, 1, "first ticket is number 1");
	is_int(id2, 2, "numbers grow by one");
	is_int(pd_store_ticket_by_message_id(st, "m2@x", &found), PD_OK,
	    "find by Message-ID");
	is_int(found, 2, "right ticket by Message-ID");
	is_int(pd_store_ticket_by_message_id(st, "nope@x", &found),
	    PD_ENOTFOUND, "unknown Message-ID");
	is_int(new_ticket(st, "m1@x"), -1, "duplicate Message-ID refused");
	n = 0;
	pd_store_ticket_list(st, &all, count_cb, &n);
	is_int(n, 2, "the refused ticket was rolled back with its message");
	is_int(pd_store_ticket_get(st, 1, &t), PD_OK, "get ticket");
	ok(strcmp(t.subject, "Printer on fire") == 0 && t.status == PD_TS_NEW
	    && t.message_count == 1 && strcmp(t.queue, "support") == 0,
	    "ticket fields round-trip");
	pd_ticket_clear(&t);
	is_int(pd_store_ticket_get(st, 99, &t), PD_ENOTFOUND,
	    "unknown ticket");
	found = 0;
	is_int(pd_store_ticket_list(st, &all, first_cb, &found), 1,
	    "callback stops the walk");
	is_int(found, 2, "newest first");
	{
		struct pd_ticket_filter f = { PD_TS_RESOLVED, 0, false };

		n = 0;
		pd_store_ticket_list(st, &f, count_cb, &n);
		is_int(n, 0, "status filter");
	}

	test_outbox(st);
	test_updates(st);

	/* Another connection holds the write lock: bounded wait, ETEMP. */
	sqlite3_open(path, &locker);
	sqlite3_exec(locker, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	st2 = pd_store_open(path, 200, &err);
	is_int(st2 ? pd_store_begin(st2) : -99, PD_ETEMP,
	    "lock held elsewhere: temporary failure after the timeout");
	pd_store_close(&st2);
	sqlite3_exec(locker, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(locker);

	/* Schema newer or older than ours. */
	set_user_version(99);
	st2 = pd_store_open(path, 1000, &err);
	ok(st2 == NULL && strstr(err.msg, "schema version 99"),
	    "newer schema refused: %s", err.msg);
	is_int(pd_store_migrate(path, &err), PD_EPERMFAIL,
	    "migrate refuses a newer schema");
	set_user_version(3);

	/* The file is removed under an open handle. */
	unlink(path);
	is_int(pd_store_begin(st), PD_EPERMFAIL,
	    "removed database noticed at begin");
	pd_store_close(&st);
	ok(st == NULL, "close clears the handle");
	st = pd_store_open("postgresql://db/postdesk", 100, &err);
	ok(st == NULL && strstr(err.msg, "PostgreSQL"),
	    "postgresql backend named as missing");

	{
		char wal[300];

		snprintf(wal, sizeof(wal), "%s-wal", path);
		unlink(wal);
		snprintf(wal, sizeof(wal), "%s-shm", path);
		unlink(wal);
	}
	rmdir(dir);
	return tap_done();
}
