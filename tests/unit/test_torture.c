/*
 * test_torture.c - every store call of a day at the desk failed in turn
 *
 * PURPOSE	STYLE.md 12.5 and PRODUCT.md "never lose mail": the store
 *		paths of the milter and the worker, each step in its own
 *		transaction as the programs run them, with one store call
 *		failed (pd_fault.h) for every call number N of the scenario
 *		and every kind of failure ("busy", "full", "ioerr", "perm",
 *		"nomem": SQLite failing one of its own allocations).
 * DESIGN	The scenario (steps[] below): a customer opens ticket 1,
 *		another ticket 2; the first replies with the tag; an agent
 *		answers with #priority high, #assign and #resolve (which
 *		queues the survey); the worker claims and finishes the due
 *		outbox rows; the customer answers the survey (the milter's
 *		csat_store); the SLA watch passes (ticket 2 breaches both
 *		targets); the scheduled digest is queued; the worker sends
 *		it.  A run without a fault counts the store calls C and
 *		keeps a canonical dump of the final database.  Then for each
 *		kind and N in 1..C: a fresh copy of the empty database, the
 *		fault armed at N, the whole scenario.  A step that fails is
 *		retried once, as the daemons do: the worker keeps its handle
 *		and tries again after the lease; the milter's pool closes a
 *		failed handle (milter_pool_put) and the message comes again
 *		on a new one, as if resent.  Required:
 *		  1 every step returns PD_OK or the injected code, and an
 *		    error only from the step the fault fired in;
 *		  2 a failed step of a single transaction (all but the
 *		    worker's, whose claim commits its lease on its own)
 *		    leaves every row of the database as it was;
 *		  3 the worker's handle is not left inside a transaction
 *		    (the milter's may be: its pool closes it; counted and
 *		    printed), and the retry succeeds;
 *		  4 PRAGMA integrity_check is ok, and the invariants hold:
 *		    every ticket has a message, every outbox row of a ticket
 *		    has its ticket, every answer its survey and its event,
 *		    every recorded digest period its mails, and the SLA
 *		    flags agree with the breach events;
 *		  5 the final database equals the fault-free one (volatile
 *		    columns left out: generated ids, leases, attempts, send
 *		    times), so a swallowed error or a repeat shows.
 *		A negative control commits a half-done ticket on purpose and
 *		requires the checks to catch it.  To keep the run short the
 *		files live in /dev/shm when there is one and fsync is
 *		relaxed (pd_store_relax), which changes durability across a
 *		power loss only, not what commits.
 * OWNERSHIP	Each run opens and closes its store; everything is freed.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <sqlite3.h>

#include "pd_cmd.h"
#include "pd_conf.h"
#include "pd_digest.h"
#include "pd_fault.h"
#include "pd_key.h"
#include "pd_mime.h"
#include "pd_route.h"
#include "pd_slaclock.h"
#include "pd_slawatch.h"
#include "pd_store.h"
#include "../harness/tap.h"

#define T0	 1700000000LL		/* Tue 2023-11-14 22:13 UTC */
#define DAY	 86400LL
#define LEASE	 300			/* the worker's lease, s */
#define BATCH	 32			/* rows per claim */
#define NSTEPS	 9

static char dir[64];			/* in /dev/shm when there is one */
static char empty_db[300];		/* migrated, no rows: the template */
static struct pd_conf *conf;
static struct pd_key *key;

static const char conf_text[] =
	"[general]\n"
	"database = %s/pd.db\n"
	"key_file = %s/pd.key\n"
	"templates = %s/templates\n"
	"timezone = Europe/Moscow\n"
	"tag_prefix = PD\n"
	"[queue support]\n"
	"address = support@example.com\n"
	"name = Example Support\n"
	"agents = alice@example.com, bob@example.com\n"
	"managers = boss@example.com, chief@example.com\n";

/* One scenario run. */
struct run {
	struct pd_store	*st;
	const char	*kind;		/* fault kind; "none" */
	int		 code;		/* what the fault returns */
	long		 n;		/* the call that fails; 0: none */
	char		 tag[PD_TAG_MAX];	/* ticket 1's tag */
	long		 ends[NSTEPS];	/* calls counted after each step */
	int		 step;		/* the step running */
	bool		 bad;
	char		 why[400];	/* the first failed check */
};

/* fail - record the first failed check of r */
__attribute__((format(printf, 2, 3)))
static void
fail(struct run *r, const char *fmt, ...)
{
	va_list ap;

	if (r->bad)
		return;
	r->bad = true;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
}

/* db_open - a connection of our own to the run's database, or NULL */
static sqlite3 *
db_open(void)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(conf->database, &db, SQLITE_OPEN_READWRITE,
	    NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 1000);
	return db;
}

/* db_text - every row of sql as text, "|" between columns, to s */
static int
db_text(sqlite3 *db, const char *sql, GString *s)
{
	sqlite3_stmt *q = NULL;
	const unsigned char *v;
	int rc;
	int i;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		for (i = 0; i < sqlite3_column_count(q); i++) {
			v = sqlite3_column_text(q, i);
			g_string_append_printf(s, "%s%s", i ? "|" : "",
			    v ? (const char *)v : "NULL");
		}
		g_string_append_c(s, '\n');
	}
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* db_int - the first column of the first row of sql; -1 on error */
static long long
db_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *q = NULL;
	long long v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* Everything, for "a failed step changed nothing". */
static const char *const raw_dump[] = {
	"SELECT * FROM tickets ORDER BY rowid",
	"SELECT * FROM messages ORDER BY rowid",
	"SELECT * FROM outbox ORDER BY rowid",
	"SELECT * FROM relayed ORDER BY rowid",
	"SELECT * FROM csat ORDER BY rowid",
	"SELECT * FROM events ORDER BY rowid",
	"SELECT * FROM counters ORDER BY rowid",
	"SELECT * FROM digests ORDER BY rowid",
	"SELECT * FROM sqlite_sequence ORDER BY rowid",
	NULL
};

/* What must equal the fault-free run: no generated ids, no leases. */
static const char *const final_dump[] = {
	"SELECT * FROM tickets ORDER BY id",
	"SELECT ticket_id, CASE WHEN message_id LIKE 'pd.%' THEN 'ours'"
	" ELSE message_id END AS mid, direction, queue_id, sender, subject,"
	" received_at, author, note, excerpt FROM messages"
	" ORDER BY ticket_id, received_at, direction, mid",
	"SELECT kind, ticket_id, recipient, state, in_reply_to, flags,"
	" expires_at, created_at FROM outbox"
	" ORDER BY kind, ticket_id, recipient, created_at, state",
	"SELECT ticket_id, grade, comment, answered_at, updated_at"
	" FROM csat ORDER BY ticket_id",
	"SELECT ticket_id, at, kind, actor, detail FROM events"
	" ORDER BY ticket_id, at, kind, detail",
	"SELECT * FROM counters ORDER BY name, label",
	"SELECT * FROM digests ORDER BY queue, period_end",
	NULL
};

/* db_dump - the rows of queries, NULL when the database cannot be read */
static char *
db_dump(const char *const *queries)
{
	GString *s = g_string_new(NULL);
	sqlite3 *db = db_open();
	int rc = db ? 0 : -1;
	size_t i;

	for (i = 0; rc == 0 && queries[i] != NULL; i++) {
		g_string_append_printf(s, "-- %zu\n", i);
		rc = db_text(db, queries[i], s);
	}
	sqlite3_close(db);
	if (rc != 0) {
		g_string_free(s, TRUE);
		return NULL;
	}
	return g_string_free(s, FALSE);
}

/* The invariants: each query counts violations and must give 0. */
static const struct {
	const char *name;
	const char *sql;
} invariants[] = {
	{ "a ticket without its first message",
	  "SELECT count(*) FROM tickets t WHERE NOT EXISTS"
	  " (SELECT 1 FROM messages m WHERE m.ticket_id = t.id)" },
	{ "an outbox row of a ticket that does not exist",
	  "SELECT count(*) FROM outbox o WHERE o.ticket_id IS NOT NULL"
	  " AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.id = o.ticket_id)"
	},
	{ "a ticket without its acknowledgement",
	  "SELECT count(*) FROM tickets t WHERE NOT EXISTS (SELECT 1"
	  " FROM outbox o WHERE o.ticket_id = t.id AND o.kind = 'ack')" },
	{ "a survey answer without its survey",
	  "SELECT count(*) FROM csat c WHERE NOT EXISTS (SELECT 1 FROM"
	  " outbox o WHERE o.id = c.survey_id AND o.kind = 'csat')" },
	{ "survey answers and their events disagree",
	  "SELECT (SELECT count(*) FROM csat) <>"
	  " (SELECT count(*) FROM events WHERE kind = 'csat')" },
	{ "a digest period without its mails, or mails without it",
	  "SELECT (SELECT count(*) FROM digests) * 2 <>"
	  " (SELECT count(*) FROM outbox WHERE kind = 'digest')" },
	{ "SLA first-response flag and breach event disagree",
	  "SELECT count(*) FROM tickets t WHERE ((t.sla_flags & 2) <> 0) <>"
	  " EXISTS (SELECT 1 FROM events e WHERE e.ticket_id = t.id AND"
	  " e.kind = 'breach' AND e.detail = 'first-response')" },
	{ "SLA resolution flag and breach event disagree",
	  "SELECT count(*) FROM tickets t WHERE ((t.sla_flags & 8) <> 0) <>"
	  " EXISTS (SELECT 1 FROM events e WHERE e.ticket_id = t.id AND"
	  " e.kind = 'breach' AND e.detail = 'resolution')" },
};

/* check_db - integrity and the invariants of the run's database */
static void
check_db(struct run *r)
{
	GString *s = g_string_new(NULL);
	sqlite3 *db = db_open();
	size_t i;

	if (db == NULL || db_text(db, "PRAGMA integrity_check", s) != 0 ||
	    strcmp(s->str, "ok\n") != 0)
		fail(r, "integrity_check: %s", db ? s->str : "cannot open");
	for (i = 0; db && i < sizeof(invariants) / sizeof(invariants[0]);
	    i++)
		if (db_int(db, invariants[i].sql) != 0)
			fail(r, "invariant broken: %s", invariants[i].name);
	sqlite3_close(db);
	g_string_free(s, TRUE);
}

/* route - one message through pd_route_message; ticket 1's tag kept */
static int
route(struct run *r, const char *from, const char *agent,
    const char *subject, const char *msgid, const char *body, int64_t now)
{
	char sender[100];
	struct pd_route_in in = { 0 };
	struct pd_route_out out;
	struct pd_cmd_list cmds;
	int rc;

	in.conf = conf;
	in.queue = &conf->queues[0];
	in.key = key;
	in.queue_id = "4TortQ1d";
	/* the envelope sender: the address in From, in <> */
	snprintf(sender, sizeof(sender), "<%s", strchr(from, '<') ?
	    strchr(from, '<') + 1 : from);
	if (strchr(from, '<') == NULL)
		g_strlcat(sender, ">", sizeof(sender));
	in.sender = sender;
	in.from = from;
	in.subject = subject;
	in.subject_len = strlen(subject);
	in.message_id = msgid;
	in.agent = agent;
	if (agent != NULL) {
		pd_cmd_parse_text(body, strlen(body), &cmds);
		in.cmds = &cmds;
		in.customer_rcpts = true;
	}
	in.excerpt = body;
	in.now = now;
	rc = pd_route_message(r->st, &in, &out);
	if (rc == PD_OK && out.ticket_id == 1)
		memcpy(r->tag, out.tag, sizeof(r->tag));
	pd_route_out_free(&out);
	return rc;
}

/* step_open_1 - a customer's first mail opens ticket 1 */
static int
step_open_1(struct run *r, int64_t now)
{
	return route(r, "Alice <alice@example.org>", NULL,
	    " Printer on fire", "<a1@example.org>", "It burns.", now);
}

/* step_open_2 - another customer opens ticket 2 */
static int
step_open_2(struct run *r, int64_t now)
{
	return route(r, "Bob <bob@client.example>", NULL, " Cannot log in",
	    "<b1@client.example>", "Password rejected.", now);
}

/* step_reply - ticket 1's customer replies with the tag */
static int
step_reply(struct run *r, int64_t now)
{
	char subject[120];

	snprintf(subject, sizeof(subject), " Re: %s Printer on fire", r->tag);
	return route(r, "Alice <alice@example.org>", NULL, subject,
	    "<a2@example.org>", "Still burning.", now);
}

/*
 * step_agent - an agent answers ticket 1 with commands; #resolve queues the
 * survey
 */
static int
step_agent(struct run *r, int64_t now)
{
	char subject[120];

	snprintf(subject, sizeof(subject), " Re: %s Printer on fire", r->tag);
	return route(r, "bob@example.com", "bob@example.com", subject,
	    "<ag1@example.com>", "#priority high\n#assign alice\n#resolve\n"
	    "\nWe replaced the fuser.\n", now);
}

/* What the worker's claim callback keeps (worker/deliver.c). */
struct claim {
	struct pd_store	*st;
	int		 n;
	int64_t		 id[BATCH];
	bool		 retry[BATCH];	/* rendering hit a store error */
	int		 rc;		/* the first store error */
};

/* take - the claim callback: read the ticket as the renderer does */
static int
take(const struct pd_outbox *o, void *arg)
{
	struct claim *c = arg;
	struct pd_ticket t = { 0 };
	int rc = PD_OK;

	if (c->n == BATCH)
		return 0;
	if (o->ticket_id > 0)
		rc = pd_store_ticket_get(c->st, o->ticket_id, &t);
	pd_ticket_clear(&t);
	if (rc != PD_OK && c->rc == PD_OK)
		c->rc = rc;
	c->id[c->n] = o->id;
	c->retry[c->n++] = rc != PD_OK;
	return 0;
}

/*
 * worker_pass - reclaim, claim, "send" (every row is accepted) and record
 * the outcomes in one transaction, as worker_deliver_due does.  A row
 * whose rendering met a store error is put back pending (a temporary
 * failure; see the report of issue 8 on what deliver_take does).  The
 * first store error is returned; the pass goes on past it like the worker.
 */
static int
worker_pass(struct run *r, int64_t now)
{
	struct claim c = { r->st, 0, { 0 }, { false }, PD_OK };
	long back = 0;
	int rc, rc2;
	int i;

	rc = pd_store_outbox_reclaim(r->st, now, &back);
	rc2 = pd_store_outbox_claim(r->st, now, LEASE, BATCH, take, &c);
	if (rc == PD_OK)
		rc = rc2 != PD_OK ? rc2 : c.rc;
	if (c.n == 0)
		return rc;
	rc2 = pd_store_begin(r->st);
	for (i = 0; rc2 == PD_OK && i < c.n; i++)
		rc2 = pd_store_outbox_finish(r->st, c.id[i], c.retry[i] ?
		    PD_OS_PENDING : PD_OS_SENT, c.retry[i] ? "store busy" :
		    "4TortR1y", now, now);
	if (rc2 == PD_OK)
		rc2 = pd_store_commit(r->st);
	if (rc2 != PD_OK)
		pd_store_rollback(r->st);
	return rc != PD_OK ? rc : rc2;
}

/* step_survey - the milter's csat_store: grade 5 for ticket 1's survey */
static int
step_survey(struct run *r, int64_t now)
{
	struct pd_csat_answer a = { 0 };
	struct pd_event e = { 0 };
	struct pd_ticket t = { 0 };
	sqlite3 *db = db_open();
	int outcome = 0;
	int rc;

	/* the survey id comes from the address the customer answered */
	a.survey_id = db ? db_int(db, "SELECT id FROM outbox WHERE kind ="
	    " 'csat' AND ticket_id = 1") : -1;
	sqlite3_close(db);
	a.grade = 5;
	a.comment = "Quick and kind";
	a.answered_at = now;
	a.updated_at = now;
	if ((rc = pd_store_begin(r->st)) != PD_OK)
		return rc;
	rc = pd_store_csat_survey(r->st, a.survey_id, &a.ticket_id);
	if (rc == PD_OK)
		rc = pd_store_csat_record(r->st, &a, conf->csat_change_window,
		    &outcome);
	if (rc == PD_OK && outcome != 0) {
		e.ticket_id = a.ticket_id;
		e.at = now;
		e.kind = "csat";
		e.actor = "customer";
		e.detail = "5";
		rc = pd_store_event_add(r->st, &e);
	}
	if (rc == PD_OK)
		rc = pd_store_ticket_get(r->st, a.ticket_id, &t);
	if (rc == PD_OK)
		rc = pd_store_commit(r->st);
	else
		pd_store_rollback(r->st);
	pd_ticket_clear(&t);
	return rc;
}

/* step_watch - one pass of the SLA watch (ticket 2 breaches both targets) */
static int
step_watch(struct run *r, int64_t now)
{
	struct pd_slawatch_result res;

	return pd_slawatch_run(r->st, conf, key, now, &res);
}

/* step_digest - the scheduled digest of the last eleven days */
static int
step_digest(struct run *r, int64_t now)
{
	struct pd_err err = { 0, "" };
	long queued = 0;

	return pd_digest_queue(r->st, conf, key, &conf->queues[0],
	    now - 11 * DAY, now, now, true, &queued, &err);
}

static const struct step {
	const char	*name;
	int		(*fn)(struct run *r, int64_t now);
	int64_t		 at;
	bool		 atomic;	/* one transaction: all or nothing */
	bool		 milter;	/* its pool closes a failed handle */
} steps[NSTEPS] = {
	{ "new ticket 1", step_open_1, T0, true, true },
	{ "new ticket 2", step_open_2, T0 + 60, true, true },
	{ "reply by tag", step_reply, T0 + 120, true, true },
	{ "agent answer", step_agent, T0 + 180, true, true },
	{ "worker pass 1", worker_pass, T0 + 2 * DAY, false, false },
	{ "survey answer", step_survey, T0 + 2 * DAY + 60, true, true },
	{ "SLA watch", step_watch, T0 + 10 * DAY, true, false },
	{ "digest", step_digest, T0 + 10 * DAY, true, false },
	{ "worker pass 2", worker_pass, T0 + 10 * DAY + 60, false, false },
};

/* Failed steps that left their handle inside a transaction, by step. */
static long left_open[NSTEPS];

/* lock_held - whether some handle still holds the write lock */
static bool
lock_held(void)
{
	sqlite3 *db = db_open();
	bool held;

	if (db == NULL)
		return true;
	sqlite3_busy_timeout(db, 0);
	held = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK;
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	return held;
}

/*
 * after_failure - what the program does with the handle of a failed
 * step: the worker keeps it, so it must not be left in a transaction;
 * the milter's pool closes it (milter_pool_put(st, false)) and the next
 * message gets a new one
 */
static void
after_failure(struct run *r, const struct step *s)
{
	struct pd_err err = { 0, "" };

	if (lock_held()) {
		left_open[s - steps]++;
		if (!s->milter)
			fail(r, "%s failed and left its transaction open",
			    s->name);
	}
	if (!s->milter)
		return;
	pd_store_close(&r->st);
	r->st = pd_store_open(conf->database, 1000, &err);
	if (r->st == NULL || pd_store_relax(r->st) != PD_OK)
		fail(r, "cannot reopen the store: %s", err.msg);
}

/*
 * run_step - step i, and once more when it fails: check the codes, that
 * a failed single transaction left nothing, that the retry succeeds
 */
static void
run_step(struct run *r, int i)
{
	const struct step *s = &steps[i];
	long before = pd_fault_calls();
	char *pre = s->atomic ? db_dump(raw_dump) : NULL;
	char *post = NULL;
	bool here;
	int rc;

	r->step = i;
	rc = s->fn(r, s->at);
	here = pd_fault_fired() > before;
	if (rc != PD_OK && (!here || rc != r->code))
		fail(r, "%s: %s (fault %s)", s->name, pd_err_str(rc),
		    here ? "fired here" : "not here");
	if (rc != PD_OK && s->atomic) {
		post = db_dump(raw_dump);
		if (pre == NULL || post == NULL || strcmp(pre, post) != 0)
			fail(r, "%s failed but changed the database",
			    s->name);
	}
	if (rc != PD_OK)
		after_failure(r, s);
	if (rc != PD_OK && r->st != NULL) {
		rc = s->fn(r, s->at + (s->atomic ? 0 : LEASE + 1));
		if (rc != PD_OK)
			fail(r, "%s: the retry failed: %s", s->name,
			    pd_err_str(rc));
	}
	r->ends[i] = pd_fault_calls();
	g_free(pre);
	g_free(post);
}

/* fresh - a copy of the empty database at the configured path */
static int
fresh(void)
{
	gchar *data = NULL;
	gsize len = 0;
	char path[320];
	FILE *f = NULL;
	int rc = -1;

	snprintf(path, sizeof(path), "%s-wal", conf->database);
	unlink(path);
	snprintf(path, sizeof(path), "%s-shm", conf->database);
	unlink(path);
	/* not g_file_set_contents(): it syncs, and nothing needs that */
	if (g_file_get_contents(empty_db, &data, &len, NULL) &&
	    (f = fopen(conf->database, "wb")) != NULL &&
	    fwrite(data, 1, len, f) == len)
		rc = 0;
	if (f != NULL && fclose(f) != 0)
		rc = -1;
	g_free(data);
	return rc;
}

/*
 * scenario - one whole run with kind failing call n (0: none); returns
 * the final dump (caller g_free()s), NULL when the run went wrong
 */
static char *
scenario(struct run *r, const char *kind, long n)
{
	struct pd_err err = { 0, "" };
	int i;

	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->n = n;
	r->code = pd_fault_code(kind);
	if (fresh() != 0 || (r->st = pd_store_open(conf->database, 1000,
	    &err)) == NULL || pd_store_relax(r->st) != PD_OK) {
		fail(r, "cannot open a fresh store: %s", err.msg);
		pd_store_close(&r->st);
		return NULL;
	}
	pd_fault_set(n > 0 ? kind : "none", n);
	for (i = 0; i < NSTEPS; i++)
		run_step(r, i);
	pd_fault_clear();
	pd_store_close(&r->st);
	if (n > 0 && pd_fault_fired() != n)
		fail(r, "the fault at call %ld never fired", n);
	check_db(r);
	return db_dump(final_dump);
}

/* step_of - the name of the step call n of the reference run fell in */
static const char *
step_of(const struct run *ref, long n)
{
	int i;

	for (i = 0; i < NSTEPS; i++)
		if (n <= ref->ends[i])
			return steps[i].name;
	return "after the scenario";
}

/*
 * control - the negative control: a ticket committed although its
 * message failed (the bug pd_route must not have) is caught
 */
static void
control(void)
{
	struct run r = { 0 };
	struct pd_err err = { 0, "" };
	struct pd_message_rec m = { 0 };
	struct pd_ticket t = { 0 };

	r.kind = "busy";
	fresh();
	r.st = pd_store_open(conf->database, 1000, &err);
	t.queue = "support";
	t.customer = "eve@example.org";
	t.subject = "half";
	t.created_at = t.updated_at = T0;
	m.message_id = "e1@example.org";
	m.sender = "eve@example.org";
	m.subject = "half";
	m.received_at = T0;
	pd_fault_set("busy", 3);
	if (r.st != NULL && pd_store_begin(r.st) == PD_OK &&
	    pd_store_ticket_insert(r.st, &t) == PD_OK) {
		m.ticket_id = t.id;
		if (pd_store_message_insert(r.st, &m) != PD_OK)
			pd_store_commit(r.st);	/* the bug, on purpose */
		else
			pd_store_rollback(r.st);
	}
	pd_fault_clear();
	pd_store_close(&r.st);
	check_db(&r);
	ok(r.bad && strstr(r.why, "first message") != NULL,
	    "negative control: a half-committed ticket is caught (%s)",
	    r.why);
}

/* torture - every N of kind; counts runs and survivors */
static void
torture(const struct run *ref, const char *ref_dump, const char *kind,
    long *injected, long *survived)
{
	struct run r;
	long n, c = ref->ends[NSTEPS - 1];
	char *got;

	for (n = 1; n <= c; n++) {
		got = scenario(&r, kind, n);
		if (pd_fault_fired() == n)
			(*injected)++;
		if (got == NULL)
			fail(&r, "cannot read the final database");
		else if (strcmp(got, ref_dump) != 0)
			fail(&r, "final database differs from the "
			    "fault-free run");
		if (!ok(!r.bad, "%s at call %ld (%s)", kind, n,
		    step_of(ref, n)))
			printf("#   %s\n", r.why);
		else
			(*survived)++;
		if (r.bad && got != NULL && ref_dump != NULL &&
		    getenv("PD_TORTURE_DIFF") != NULL)
			printf("# want:\n%s# got:\n%s", ref_dump, got);
		g_free(got);
	}
}

/* setup - configuration, key and the empty database in dir */
static int
setup(void)
{
	const char *top = getenv("top_srcdir");
	struct pd_err err = { 0, "" };
	unsigned char raw[PD_KEY_BYTES];
	char path[300];
	char *cwd;
	FILE *f;

	/* a run syncs a few times; on tmpfs that costs nothing */
	snprintf(dir, sizeof(dir), "%s/pdtortureXXXXXX",
	    g_file_test("/dev/shm", G_FILE_TEST_IS_DIR) &&
	    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/postdesk.conf", dir);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	cwd = g_get_current_dir();	/* run from the source tree */
	fprintf(f, conf_text, dir, dir, top ? top : cwd);
	fclose(f);
	g_free(cwd);
	if ((conf = pd_conf_load(path, &err)) == NULL) {
		printf("Bail out! %s\n", err.msg);
		return -1;
	}
	memset(raw, 0x42, sizeof(raw));
	key = pd_key_from_bytes(raw);
	snprintf(empty_db, sizeof(empty_db), "%s/empty.db", dir);
	if (pd_store_migrate(empty_db, &err) != PD_OK) {
		printf("Bail out! %s\n", err.msg);
		return -1;
	}
	return 0;
}

/* cleanup - remove dir and the files in it */
static int
cleanup(void)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;
	char *path;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		path = g_build_filename(dir, name, NULL);
		unlink(path);
		g_free(path);
	}
	if (d != NULL)
		g_dir_close(d);
	return rmdir(dir);
}

/* main - the fault-free run, the control, then every kind and N */
int
main(void)
{
	static const char *const kinds[] = { "busy", "full", "ioerr", "perm",
	    "nomem" };
	long injected = 0, survived = 0;
	struct run ref;
	char *ref_dump;
	size_t k;
	int rc;

	pd_mime_init();
	if (setup() != 0) {
		if (dir[0] != '\0')
			cleanup();
		return 1;
	}
	ref_dump = scenario(&ref, "none", 0);
	ok(!ref.bad && ref_dump != NULL, "fault-free run: %ld store calls%s%s",
	    ref.ends[NSTEPS - 1], ref.bad ? "; " : "", ref.why);
	ok(ref_dump != NULL && strstr(ref_dump, "\ncsat|1|alice@example.org|"
	    "sent|") && strstr(ref_dump, "|breach|") &&
	    strstr(ref_dump, "\ndigest|NULL|boss@example.com|sent|"),
	    "the scenario reaches every step: survey sent and answered, "
	    "breach recorded, digest sent");
	for (k = 0; k < NSTEPS; k++)
		printf("# %-14s calls %ld-%ld\n", steps[k].name, k ?
		    ref.ends[k - 1] + 1 : 1, ref.ends[k]);
	control();
	for (k = 0; ref_dump != NULL && k < sizeof(kinds) / sizeof(kinds[0]);
	    k++)
		torture(&ref, ref_dump, kinds[k], &injected, &survived);
	for (k = 0; k < NSTEPS; k++)
		if (left_open[k] > 0)
			printf("# %s: %ld failure(s) left the handle in a "
			    "transaction (the milter's pool closes it)\n",
			    steps[k].name, left_open[k]);
	printf("# torture: %ld faults injected, %ld survived\n", injected,
	    survived);
	g_free(ref_dump);
	pd_key_free(&key);
	pd_conf_unref(&conf);
	pd_mime_shutdown();
	rc = tap_done();
	return rc + (cleanup() != 0);
}
