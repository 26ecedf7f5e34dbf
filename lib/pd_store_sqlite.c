/*
 * pd_store_sqlite.c - the SQLite backend of the store (the only SQL)
 *
 * PURPOSE	Implements struct pd_store_ops on one SQLite file in WAL mode.
 * DESIGN	Every connection sets busy_timeout (the caller's bound on
 *		waiting for the lock), synchronous=FULL (a committed ticket
 *		survives a power loss, since Postfix has accepted the mail by
 *		then), foreign_keys=ON.  Transactions are BEGIN IMMEDIATE, so
 *		read-then-write never meets SQLITE_BUSY_SNAPSHOT.  Statements
 *		are prepared once per handle and always reset after use, so no
 *		read transaction stays open (checkpoint starvation).
 *		Schema versions live in PRAGMA user_version; migrations[i]
 *		takes version i to i + 1.
 * OWNERSHIP	struct sq_store owns the connection and its statements.
 * ERRORS	SQLite codes become PD_E* in sq_code(); the SQLite message is
 *		logged at debug level only.
 * THREADS	One handle per thread.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "pd_log.h"
#include "pd_mem.h"
#include "pd_store_sqlite.h"

static const char *const migrations[] = {
	/* 0 -> 1: tickets and the messages that belong to them */
	"CREATE TABLE tickets ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  queue TEXT NOT NULL,"
	"  status TEXT NOT NULL"
	"    CHECK (status IN ('new','open','pending','resolved')),"
	"  priority TEXT NOT NULL DEFAULT 'normal'"
	"    CHECK (priority IN ('low','normal','high','urgent')),"
	"  customer TEXT NOT NULL,"
	"  customer_name TEXT,"
	"  subject TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  reopen_count INTEGER NOT NULL DEFAULT 0,"
	"  assignee TEXT);"
	"CREATE INDEX tickets_status ON tickets(status, id);"
	"CREATE TABLE messages ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
	"  message_id TEXT NOT NULL UNIQUE,"
	"  direction TEXT NOT NULL CHECK (direction IN ('in','out')),"
	"  queue_id TEXT,"
	"  sender TEXT,"
	"  subject TEXT,"
	"  received_at INTEGER NOT NULL);"
	"CREATE INDEX messages_ticket ON messages(ticket_id, received_at);",
	/* 1 -> 2: SLA due times, complaints, the outbox, relayed ids */
	"ALTER TABLE tickets ADD COLUMN first_response_due INTEGER;"
	"ALTER TABLE tickets ADD COLUMN resolution_due INTEGER;"
	"ALTER TABLE tickets ADD COLUMN complaint INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL,"
	"  ticket_id INTEGER REFERENCES tickets(id),"
	"  recipient TEXT NOT NULL,"
	"  message_id TEXT NOT NULL UNIQUE,"
	"  in_reply_to TEXT,"
	"  refs TEXT,"
	"  flags INTEGER NOT NULL DEFAULT 0,"
	"  due_at INTEGER NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN"
	"    ('pending','sending','sent','failed','cancelled')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  lease_until INTEGER,"
	"  last_error TEXT,"
	"  relay_queue_id TEXT,"
	"  created_at INTEGER NOT NULL,"
	"  sent_at INTEGER);"
	"CREATE INDEX outbox_due ON outbox(state, due_at);"
	"CREATE INDEX outbox_recent ON outbox(kind, created_at, recipient);"
	"CREATE TABLE relayed ("
	"  message_id TEXT PRIMARY KEY,"
	"  queue_id TEXT,"
	"  relayed_at INTEGER NOT NULL);",
	/* 2 -> 3: agents' answers and commands, notices, the ticket log */
	"ALTER TABLE tickets ADD COLUMN first_response_at INTEGER;"
	"ALTER TABLE tickets ADD COLUMN resolved_at INTEGER;"
	"ALTER TABLE tickets ADD COLUMN merged_into INTEGER"
	"  REFERENCES tickets(id);"
	"ALTER TABLE tickets ADD COLUMN language TEXT;"
	"ALTER TABLE messages ADD COLUMN author TEXT;"
	"ALTER TABLE messages ADD COLUMN note INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE messages ADD COLUMN excerpt TEXT;"
	"ALTER TABLE outbox ADD COLUMN body TEXT;"
	"ALTER TABLE outbox ADD COLUMN expires_at INTEGER;"
	"CREATE TABLE csat ("
	"  survey_id INTEGER PRIMARY KEY REFERENCES outbox(id),"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
	"  grade INTEGER NOT NULL,"
	"  comment TEXT,"
	"  answered_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE INDEX csat_ticket ON csat(ticket_id);"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER NOT NULL REFERENCES tickets(id),"
	"  at INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  actor TEXT,"
	"  detail TEXT);"
	"CREATE INDEX events_ticket ON events(ticket_id, at);"
	"CREATE INDEX events_kind ON events(kind, at);"
	"CREATE TABLE counters ("
	"  name TEXT NOT NULL,"
	"  label TEXT NOT NULL DEFAULT '',"
	"  value INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (name, label));",
	/* 3 -> 4: the SLA clocks and watch, the digests sent */
	"ALTER TABLE tickets ADD COLUMN res_used INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE tickets ADD COLUMN res_since INTEGER;"
	"ALTER TABLE tickets ADD COLUMN sla_flags INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE tickets ADD COLUMN sla_next_at INTEGER;"
	"UPDATE tickets SET res_since = created_at, sla_next_at = 1 "
	"  WHERE status <> 'resolved';"
	"CREATE INDEX tickets_sla_next ON tickets(sla_next_at)"
	"  WHERE sla_next_at IS NOT NULL;"
	"CREATE INDEX tickets_created ON tickets(queue, created_at);"
	"CREATE INDEX tickets_answered ON tickets(queue, first_response_at)"
	"  WHERE first_response_at IS NOT NULL;"
	"CREATE INDEX tickets_resolved ON tickets(queue, resolved_at)"
	"  WHERE resolved_at IS NOT NULL;"
	"CREATE INDEX csat_answered ON csat(answered_at);"
	"CREATE TABLE digests ("
	"  queue TEXT NOT NULL,"
	"  period_end INTEGER NOT NULL,"
	"  period_start INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (queue, period_end));",
};
#define SCHEMA_VERSION	((int)(sizeof(migrations) / sizeof(migrations[0])))

#define OUTBOX_COLUMNS \
	"id, kind, ticket_id, recipient, message_id, in_reply_to, refs, " \
	"flags, due_at, state, attempts, last_error, relay_queue_id, " \
	"created_at, sent_at, body, expires_at"


static const char *const sq_sql[SQ_COUNT] = {
	[SQ_BEGIN] = "BEGIN IMMEDIATE",
	[SQ_COMMIT] = "COMMIT",
	[SQ_ROLLBACK] = "ROLLBACK",
	[SQ_TICKET_INSERT] = "INSERT INTO tickets (queue, status, priority, "
	    "customer, customer_name, subject, created_at, updated_at, "
	    "first_response_due, resolution_due, complaint, language, "
	    "res_used, res_since, sla_flags, sla_next_at) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9, ?10, ?11, "
	    "?12, ?13, ?14, ?15)",
	[SQ_TICKET_GET] = "SELECT " TICKET_COLUMNS " FROM tickets t "
	    "WHERE t.id = ?1",
	[SQ_TICKET_BY_MSGID] = "SELECT ticket_id FROM messages "
	    "WHERE message_id = ?1",
	[SQ_TICKET_TOUCH] = "UPDATE tickets SET updated_at = ?2 WHERE id = ?1",
	[SQ_MESSAGE_INSERT] = "INSERT INTO messages (ticket_id, message_id, "
	    "direction, queue_id, sender, subject, received_at, author, note, "
	    "excerpt) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[SQ_TICKET_UPDATE] = "UPDATE tickets SET "
	    "status = CASE WHEN ?2 & 1 THEN ?3 ELSE status END, "
	    "resolved_at = CASE WHEN ?2 & 1 AND ?3 = 'resolved' THEN ?8 "
	    "ELSE resolved_at END, "
	    "priority = CASE WHEN ?2 & 2 THEN ?4 ELSE priority END, "
	    "assignee = CASE WHEN ?2 & 4 THEN ?5 ELSE assignee END, "
	    "first_response_at = CASE WHEN ?2 & 8 "
	    "THEN coalesce(first_response_at, ?8) ELSE first_response_at END, "
	    "reopen_count = reopen_count + (CASE WHEN ?2 & 16 THEN 1 "
	    "ELSE 0 END), "
	    "merged_into = CASE WHEN ?2 & 32 THEN ?6 ELSE merged_into END, "
	    "first_response_due = CASE WHEN ?2 & 64 THEN ?7 "
	    "ELSE first_response_due END, "
	    "res_used = CASE WHEN ?2 & 128 THEN ?9 ELSE res_used END, "
	    "res_since = CASE WHEN ?2 & 128 THEN ?10 ELSE res_since END, "
	    "resolution_due = CASE WHEN ?2 & 128 THEN ?11 "
	    "ELSE resolution_due END, "
	    "sla_flags = CASE WHEN ?2 & 128 THEN ?12 ELSE sla_flags END, "
	    "sla_next_at = CASE WHEN ?2 & 128 THEN ?13 ELSE sla_next_at END, "
	    "updated_at = ?8 WHERE id = ?1",
	[SQ_EVENT_INSERT] = "INSERT INTO events (ticket_id, at, kind, actor, "
	    "detail) VALUES (?1, ?2, ?3, ?4, ?5)",
	[SQ_COUNTER_ADD] = "INSERT INTO counters (name, label, value) "
	    "VALUES (?1, ?2, ?3) ON CONFLICT (name, label) DO UPDATE SET "
	    "value = value + excluded.value",
	[SQ_EVENT_LIST] = "SELECT ticket_id, at, kind, actor, detail "
	    "FROM events WHERE ticket_id = ?1 ORDER BY at, id",
	[SQ_TICKET_LIST] = "SELECT " TICKET_COLUMNS " FROM tickets t "
	    "WHERE (?1 IS NULL OR t.status = ?1) AND (?3 = 0 OR t.status IN "
	    "('new', 'open', 'pending')) ORDER BY t.id DESC LIMIT ?2",
	[SQ_MESSAGE_LIST] = "SELECT ticket_id, message_id, direction, "
	    "queue_id, sender, subject, received_at, author, note, excerpt "
	    "FROM messages "
	    "WHERE ticket_id = ?1 ORDER BY received_at, id",
	[SQ_OUTBOX_INSERT] = "INSERT INTO outbox (kind, ticket_id, recipient, "
	    "message_id, in_reply_to, refs, flags, due_at, created_at, body, "
	    "expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[SQ_OUTBOX_COUNT] = "SELECT count(*) FROM outbox WHERE kind = ?1 "
	    "AND created_at >= ?3 AND (?2 IS NULL OR recipient = ?2)",
	[SQ_OUTBOX_CLAIM] = "UPDATE outbox SET state = 'sending', "
	    "attempts = attempts + 1, lease_until = ?1 + ?2 WHERE id IN "
	    "(SELECT id FROM outbox WHERE state = 'pending' AND due_at <= ?1 "
	    "ORDER BY due_at, id LIMIT ?3) RETURNING " OUTBOX_COLUMNS,
	[SQ_OUTBOX_FINISH] = "UPDATE outbox SET state = ?2, "
	    "lease_until = NULL, "
	    "relay_queue_id = CASE WHEN ?2 = 'sent' THEN ?3 "
	    "ELSE relay_queue_id END, "
	    "last_error = CASE WHEN ?2 = 'sent' THEN last_error ELSE ?3 END, "
	    "due_at = CASE WHEN ?2 = 'pending' THEN ?4 ELSE due_at END, "
	    "sent_at = CASE WHEN ?2 = 'sent' THEN ?5 ELSE sent_at END "
	    "WHERE id = ?1 AND state IN ('sending', 'pending')",
	[SQ_OUTBOX_RECLAIM] = "UPDATE outbox SET state = 'pending', "
	    "lease_until = NULL WHERE state = 'sending' AND lease_until < ?1",
	[SQ_OUTBOX_NEXT_DUE] = "SELECT min(due_at) FROM outbox "
	    "WHERE state = 'pending'",
	[SQ_OUTBOX_LIST] = "SELECT " OUTBOX_COLUMNS " FROM outbox "
	    "WHERE (?1 IS NULL OR state = ?1) ORDER BY id DESC LIMIT ?2",
	[SQ_OUTBOX_RETRY] = "UPDATE outbox SET state = 'pending', due_at = ?2, "
	    "last_error = NULL WHERE id = ?1 AND state = 'failed'",
	[SQ_RELAY_INSERT] = "INSERT INTO relayed (message_id, queue_id, "
	    "relayed_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
	[SQ_RELAY_MARK_SENT] = "UPDATE outbox SET state = 'sent', "
	    "relay_queue_id = ?2, sent_at = ?3, lease_until = NULL "
	    "WHERE message_id = ?1 AND state IN ('pending', 'sending')",
};


/*
 * sq_busy - our busy handler: wait in steps of about a millisecond until
 * timeout_ms has passed.  SQLite's own sqlite3_busy_timeout() sleeps in
 * steps growing to 100 ms, so under contention a waiter often slept long
 * after the lock was free; the milter's threads, the relay's milter and
 * the worker all contend for the one write lock.
 */
static int
sq_busy(void *arg, int count)
{
	struct sq_store *sq = arg;
	struct timespec now;
	struct timespec nap = { 0, 700000 + (count % 7) * 100000 };
	long waited;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (count == 0)
		sq->wait_start = now;
	waited = (now.tv_sec - sq->wait_start.tv_sec) * 1000 +
	    (now.tv_nsec - sq->wait_start.tv_nsec) / 1000000;
	if (waited >= sq->timeout_ms)
		return 0;
	nanosleep(&nap, NULL);
	return 1;
}

/* sq_code - PD_E* for a SQLite result code, logging its message */
int
sq_code(struct sq_store *sq, int rc)
{
	if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW)
		return PD_OK;
	pd_debug("sqlite %s: %s (%d)", sq->path, sqlite3_errmsg(sq->db), rc);
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_NOMEM:
	case SQLITE_INTERRUPT:
		return PD_ETEMP;
	case SQLITE_CONSTRAINT:
		return PD_EINVAL;
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return PD_EPERMFAIL;
	default:
		return PD_EINTERNAL;
	}
}

/* sq_stmt - the prepared statement for id, reset and unbound */
sqlite3_stmt *
sq_stmt(struct sq_store *sq, enum sq_stmt id)
{
	sqlite3_stmt *s = sq->stmt[id];

	if (s == NULL) {
		if (sqlite3_prepare_v3(sq->db, sq_sql[id], -1,
		    SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
			pd_debug("sqlite prepare: %s", sqlite3_errmsg(sq->db));
			return NULL;
		}
		sq->stmt[id] = s;
	}
	return s;
}

/* sq_done - reset statement s after use and pass rc through */
int
sq_done(sqlite3_stmt *s, int rc)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

/* sq_exec_simple - run a statement that returns no rows */
static int
sq_exec_simple(struct sq_store *sq, enum sq_stmt id)
{
	sqlite3_stmt *s = sq_stmt(sq, id);

	if (s == NULL)
		return sq_code(sq, sqlite3_errcode(sq->db));
	return sq_done(s, sq_code(sq, sqlite3_step(s)));
}

/* sq_pragma_setup - per-connection settings; PD_OK or error */
static int
sq_pragma_setup(struct sq_store *sq, long timeout_ms, bool create)
{
	sqlite3_stmt *s = NULL;
	int rc;

	sq->timeout_ms = timeout_ms;
	sqlite3_busy_handler(sq->db, sq_busy, sq);
	rc = sqlite3_exec(sq->db, "PRAGMA synchronous=FULL;"
	    "PRAGMA foreign_keys=ON;", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return sq_code(sq, rc);
	if (!create)
		return PD_OK;
	rc = sqlite3_prepare_v2(sq->db, "PRAGMA journal_mode=WAL", -1, &s,
	    NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(s, 0), "wal") != 0)
		rc = SQLITE_CANTOPEN;
	sqlite3_finalize(s);
	return sq_code(sq, rc);
}

/* sq_user_version - read PRAGMA user_version */
static int
sq_user_version(struct sq_store *sq, int *version)
{
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v2(sq->db, "PRAGMA user_version", -1, &s, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW)
		*version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return sq_code(sq, rc);
}

/* sq_free - finalize statements, close, free */
static void
sq_free(struct sq_store *sq)
{
	int i;

	for (i = 0; i < SQ_COUNT; i++)
		sqlite3_finalize(sq->stmt[i]);
	sqlite3_close(sq->db);
	pd_free(sq->path);
	pd_free(sq);
}

/* sq_connect - open path with flags; NULL and err on failure */
static struct sq_store *
sq_connect(const char *path, int flags, struct pd_err *err)
{
	struct sq_store *sq = pd_xcalloc(1, sizeof(*sq));
	int rc;

	sq->base.ops = &pd_store_sqlite_ops;
	sq->path = pd_xstrdup(path);
	rc = sqlite3_open_v2(path, &sq->db, flags | SQLITE_OPEN_NOFOLLOW,
	    NULL);
	if (rc != SQLITE_OK) {
		pd_err_set(err, sq_code(sq, rc), "%s: cannot open database: "
		    "%s", path, sq->db ? sqlite3_errmsg(sq->db) :
		    sqlite3_errstr(rc));
		sq_free(sq);
		return NULL;
	}
	sqlite3_extended_result_codes(sq->db, 1);
	return sq;
}

/* sq_migrate - create the database or bring its schema up to date */
static int
sq_migrate(const char *path, struct pd_err *err)
{
	struct sq_store *sq;
	int version = 0;
	int rc;

	sq = sq_connect(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err);
	if (sq == NULL)
		return err ? err->code : PD_EPERMFAIL;
	rc = sq_pragma_setup(sq, 5000, true);
	if (rc == PD_OK)
		rc = sq_code(sq, sqlite3_exec(sq->db, "BEGIN IMMEDIATE", NULL,
		    NULL, NULL));
	if (rc == PD_OK)
		rc = sq_user_version(sq, &version);
	if (rc == PD_OK && version > SCHEMA_VERSION)
		rc = pd_err_set(err, PD_EPERMFAIL, "%s: schema version %d is "
		    "newer than this program's %d; refusing to touch it",
		    path, version, SCHEMA_VERSION);
	for (; rc == PD_OK && version < SCHEMA_VERSION; version++)
		rc = sq_code(sq, sqlite3_exec(sq->db, migrations[version],
		    NULL, NULL, NULL));
	if (rc == PD_OK) {
		char sql[64];

		snprintf(sql, sizeof(sql), "PRAGMA user_version=%d",
		    SCHEMA_VERSION);
		rc = sq_code(sq, sqlite3_exec(sq->db, sql, NULL, NULL, NULL));
	}
	if (rc == PD_OK)
		rc = sq_code(sq, sqlite3_exec(sq->db, "COMMIT", NULL, NULL,
		    NULL));
	if (rc != PD_OK) {
		if (err != NULL && err->code == 0)
			pd_err_set(err, rc, "%s: migration failed: %s", path,
			    sqlite3_errmsg(sq->db));
		sqlite3_exec(sq->db, "ROLLBACK", NULL, NULL, NULL);
	}
	sq_free(sq);
	return rc;
}

/* sq_open - open an existing database with the current schema */
static struct pd_store *
sq_open(const char *path, long timeout_ms, struct pd_err *err)
{
	struct sq_store *sq;
	struct stat st;
	int version = -1;
	int rc;

	if (stat(path, &st) != 0) {
		pd_err_set(err, PD_EPERMFAIL, "%s: %s (run \"postdeskctl "
		    "init\")", path, strerror(errno));
		return NULL;
	}
	sq = sq_connect(path, SQLITE_OPEN_READWRITE, err);
	if (sq == NULL)
		return NULL;
	rc = sq_pragma_setup(sq, timeout_ms, false);
	if (rc == PD_OK && sqlite3_db_readonly(sq->db, "main") == 1)
		rc = pd_err_set(err, PD_EPERMFAIL, "%s: database is "
		    "read-only", path);
	else if (rc == PD_OK && (rc = sq_user_version(sq, &version)) == PD_OK
	    && version != SCHEMA_VERSION)
		rc = pd_err_set(err, PD_EPERMFAIL, "%s: schema version %d, "
		    "this program needs %d (run \"postdeskctl init\")", path,
		    version, SCHEMA_VERSION);
	else if (rc != PD_OK)
		pd_err_set(err, rc, "%s: %s", path, sqlite3_errmsg(sq->db));
	if (rc != PD_OK) {
		sq_free(sq);
		return NULL;
	}
	sq->dev = st.st_dev;
	sq->ino = st.st_ino;
	return &sq->base;
}

/* sq_close - close a handle */
static void
sq_close(struct pd_store *st)
{
	sq_free((struct sq_store *)st);
}

/* sq_relax - synchronous=NORMAL for this connection (see pd_store.h) */
static int
sq_relax(struct pd_store *st)
{
	struct sq_store *sq = (struct sq_store *)st;

	return sq_code(sq, sqlite3_exec(sq->db, "PRAGMA synchronous=NORMAL",
	    NULL, NULL, NULL));
}

/* sq_limit_cache - this connection's page cache: kib KiB at most */
static int
sq_limit_cache(struct pd_store *st, long kib)
{
	struct sq_store *sq = (struct sq_store *)st;
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA cache_size=-%ld", kib);
	return sq_code(sq, sqlite3_exec(sq->db, sql, NULL, NULL, NULL));
}

/* sq_check - quick integrity check */
static int
sq_check(struct pd_store *st, struct pd_err *err)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v2(sq->db, "PRAGMA quick_check", -1, &s, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(s, 0), "ok") != 0) {
		pd_err_set(err, PD_EPERMFAIL, "%s: integrity check: %s",
		    sq->path, sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
		return PD_EPERMFAIL;
	}
	sqlite3_finalize(s);
	rc = sq_code(sq, rc);
	if (rc != PD_OK)
		pd_err_set(err, rc, "%s: %s", sq->path, sqlite3_errmsg(sq->db));
	return rc;
}

/*
 * sq_begin - BEGIN IMMEDIATE, after checking that the file we opened is
 * still the one at our path: SQLite would go on writing into a deleted or
 * replaced file, and every ticket would vanish with it.
 */
static int
sq_begin(struct pd_store *st)
{
	struct sq_store *sq = (struct sq_store *)st;
	struct stat now;

	if (stat(sq->path, &now) != 0 || now.st_dev != sq->dev ||
	    now.st_ino != sq->ino) {
		pd_debug("sqlite %s: database file removed or replaced",
		    sq->path);
		return PD_EPERMFAIL;
	}
	return sq_exec_simple(sq, SQ_BEGIN);
}

static int
sq_commit(struct pd_store *st)
{
	struct sq_store *sq = (struct sq_store *)st;
	int rc = sq_exec_simple(sq, SQ_COMMIT);

	if (rc != PD_OK && !sqlite3_get_autocommit(sq->db))
		sq_exec_simple(sq, SQ_ROLLBACK);
	return rc;
}

static void
sq_rollback(struct pd_store *st)
{
	struct sq_store *sq = (struct sq_store *)st;

	if (!sqlite3_get_autocommit(sq->db))
		sq_exec_simple(sq, SQ_ROLLBACK);
}

/* sq_bind_text - bind a UTF-8 string or NULL */
void
sq_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

/* sq_bind_opt - bind v, or NULL for an instant that is not set (<= 0) */
void
sq_bind_opt(sqlite3_stmt *s, int i, int64_t v)
{
	if (v > 0)
		sqlite3_bind_int64(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

/* sq_priority_parse - stored name to enum */
enum pd_priority
sq_priority_parse(const char *name)
{
	int i;

	for (i = 0; i < PD_PRIO_COUNT; i++)
		if (name && strcmp(name, pd_conf_priority_name(i)) == 0)
			return (enum pd_priority)i;
	return PD_PRIO_NORMAL;
}

/* sq_col_dup - column i as an owned string, or NULL */
char *
sq_col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *v = sqlite3_column_text(s, i);

	return v ? pd_xstrdup((const char *)v) : NULL;
}

/* sq_ticket_row - fill t from a TICKET_COLUMNS row */
void
sq_ticket_row(sqlite3_stmt *s, struct pd_ticket *t)
{
	const char *status = (const char *)sqlite3_column_text(s, 2);
	int st = status ? pd_ticket_status_parse(status) : -1;

	t->id = sqlite3_column_int64(s, 0);
	t->queue = sq_col_dup(s, 1);
	t->status = st < 0 ? PD_TS_OPEN : (enum pd_ticket_status)st;
	t->priority = sq_priority_parse((const char *)
	    sqlite3_column_text(s, 3));
	t->customer = sq_col_dup(s, 4);
	t->customer_name = sq_col_dup(s, 5);
	t->subject = sq_col_dup(s, 6);
	t->created_at = sqlite3_column_int64(s, 7);
	t->updated_at = sqlite3_column_int64(s, 8);
	t->reopen_count = sqlite3_column_int(s, 9);
	t->assignee = sq_col_dup(s, 10);
	t->message_count = sqlite3_column_int64(s, 11);
	t->first_response_due = sqlite3_column_int64(s, 12);
	t->resolution_due = sqlite3_column_int64(s, 13);
	t->complaint = sqlite3_column_int(s, 14);
	t->first_response_at = sqlite3_column_int64(s, 15);
	t->resolved_at = sqlite3_column_int64(s, 16);
	t->merged_into = sqlite3_column_int64(s, 17);
	t->language = sq_col_dup(s, 18);
	t->res_used = sqlite3_column_int64(s, 19);
	t->res_since = sqlite3_column_int64(s, 20);
	t->sla_flags = sqlite3_column_int(s, 21);
	t->sla_next_at = sqlite3_column_int64(s, 22);
}

/* sq_ticket_insert - insert t, set t->id */
static int
sq_ticket_insert(struct pd_store *st, struct pd_ticket *t)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_stmt(sq, SQ_TICKET_INSERT);
	int rc;

	if (s == NULL)
		return PD_EINTERNAL;
	sq_bind_text(s, 1, t->queue);
	sq_bind_text(s, 2, pd_ticket_status_name(t->status));
	sq_bind_text(s, 3, pd_conf_priority_name(t->priority));
	sq_bind_text(s, 4, t->customer);
	sq_bind_text(s, 5, t->customer_name);
	sq_bind_text(s, 6, t->subject ? t->subject : "");
	sqlite3_bind_int64(s, 7, t->created_at);
	sqlite3_bind_int64(s, 8, t->first_response_due);
	sqlite3_bind_int64(s, 9, t->resolution_due);
	sqlite3_bind_int(s, 10, t->complaint);
	sq_bind_text(s, 11, t->language);
	sqlite3_bind_int64(s, 12, t->res_used);
	sq_bind_opt(s, 13, t->res_since);
	sqlite3_bind_int(s, 14, t->sla_flags);
	sq_bind_opt(s, 15, t->sla_next_at);
	rc = sq_code(sq, sqlite3_step(s));
	if (rc == PD_OK)
		t->id = sqlite3_last_insert_rowid(sq->db);
	return sq_done(s, rc);
}

/* sq_ticket_get - one ticket by id */
static int
sq_ticket_get(struct pd_store *st, int64_t id, struct pd_ticket *t)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_stmt(sq, SQ_TICKET_GET);
	int rc;

	if (s == NULL)
		return PD_EINTERNAL;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		sq_ticket_row(s, t);
		return sq_done(s, PD_OK);
	}
	return sq_done(s, rc == SQLITE_DONE ? PD_ENOTFOUND : sq_code(sq, rc));
}

/* sq_ticket_by_message_id - ticket holding msgid */
static int
sq_ticket_by_message_id(struct pd_store *st, const char *msgid,
    int64_t *ticket_id)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_stmt(sq, SQ_TICKET_BY_MSGID);
	int rc;

	if (s == NULL)
		return PD_EINTERNAL;
	sq_bind_text(s, 1, msgid);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*ticket_id = sqlite3_column_int64(s, 0);
		return sq_done(s, PD_OK);
	}
	return sq_done(s, rc == SQLITE_DONE ? PD_ENOTFOUND : sq_code(sq, rc));
}

/* sq_ticket_touch - set updated_at */
static int
sq_ticket_touch(struct pd_store *st, int64_t id, int64_t now)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_stmt(sq, SQ_TICKET_TOUCH);

	if (s == NULL)
		return PD_EINTERNAL;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	return sq_done(s, sq_code(sq, sqlite3_step(s)));
}

/* sq_message_insert - record one message */
static int
sq_message_insert(struct pd_store *st, const struct pd_message_rec *m)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_stmt(sq, SQ_MESSAGE_INSERT);

	if (s == NULL)
		return PD_EINTERNAL;
	sqlite3_bind_int64(s, 1, m->ticket_id);
	sq_bind_text(s, 2, m->message_id);
	sq_bind_text(s, 3, m->direction == PD_DIR_IN ? "in" : "out");
	sq_bind_text(s, 4, m->queue_id);
	sq_bind_text(s, 5, m->sender);
	sq_bind_text(s, 6, m->subject);
	sqlite3_bind_int64(s, 7, m->received_at);
	sq_bind_text(s, 8, m->author);
	sqlite3_bind_int(s, 9, m->note ? 1 : 0);
	sq_bind_text(s, 10, m->excerpt);
	return sq_done(s, sq_code(sq, sqlite3_step(s)));
}

/* sq_ticket_update - write the fields u->what names */
static int
sq_ticket_update(struct pd_store *st, const struct pd_ticket_update *u)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_stmt(sq, SQ_TICKET_UPDATE);
	int rc;

	if (s == NULL)
		return PD_EINTERNAL;
	sqlite3_bind_int64(s, 1, u->id);
	sqlite3_bind_int(s, 2, (int)u->what);
	sq_bind_text(s, 3, pd_ticket_status_name(u->status));
	sq_bind_text(s, 4, pd_conf_priority_name(u->priority));
	sq_bind_text(s, 5, u->assignee);
	if (u->merged_into > 0)
		sqlite3_bind_int64(s, 6, u->merged_into);
	sqlite3_bind_int64(s, 7, u->first_response_due);
	sqlite3_bind_int64(s, 8, u->now);
	sqlite3_bind_int64(s, 9, u->res_used);
	sq_bind_opt(s, 10, u->res_since);
	sq_bind_opt(s, 11, u->resolution_due);
	sqlite3_bind_int(s, 12, u->sla_flags);
	sq_bind_opt(s, 13, u->sla_next_at);
	rc = sq_code(sq, sqlite3_step(s));
	if (rc == PD_OK && sqlite3_changes(sq->db) == 0)
		rc = PD_ENOTFOUND;
	return sq_done(s, rc);
}

/* sq_event_add - one line of a ticket's log */
static int
sq_event_add(struct pd_store *st, const struct pd_event *e)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_stmt(sq, SQ_EVENT_INSERT);

	if (s == NULL)
		return PD_EINTERNAL;
	sqlite3_bind_int64(s, 1, e->ticket_id);
	sqlite3_bind_int64(s, 2, e->at);
	sq_bind_text(s, 3, e->kind);
	sq_bind_text(s, 4, e->actor);
	sq_bind_text(s, 5, e->detail);
	return sq_done(s, sq_code(sq, sqlite3_step(s)));
}

/* sq_counter_add - add n to the counter (name, label) */
static int
sq_counter_add(struct pd_store *st, const char *name, const char *label,
    int64_t n)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_stmt(sq, SQ_COUNTER_ADD);

	if (s == NULL)
		return PD_EINTERNAL;
	sq_bind_text(s, 1, name);
	sq_bind_text(s, 2, label ? label : "");
	sqlite3_bind_int64(s, 3, n);
	return sq_done(s, sq_code(sq, sqlite3_step(s)));
}

/* sq_event_list - a ticket's log, oldest first */
static int
sq_event_list(struct pd_store *st, int64_t ticket_id, pd_event_cb cb,
    void *arg)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_stmt(sq, SQ_EVENT_LIST);
	struct pd_event e;
	int rc;

	if (s == NULL)
		return PD_EINTERNAL;
	sqlite3_bind_int64(s, 1, ticket_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int stop;

		e.ticket_id = sqlite3_column_int64(s, 0);
		e.at = sqlite3_column_int64(s, 1);
		e.kind = (const char *)sqlite3_column_text(s, 2);
		e.actor = (const char *)sqlite3_column_text(s, 3);
		e.detail = (const char *)sqlite3_column_text(s, 4);
		if ((stop = cb(&e, arg)) != 0)
			return sq_done(s, stop);
	}
	return sq_done(s, sq_code(sq, rc));
}

/* sq_ticket_list - walk tickets, newest first */
static int
sq_ticket_list(struct pd_store *st, const struct pd_ticket_filter *f,
    pd_ticket_cb cb, void *arg)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_stmt(sq, SQ_TICKET_LIST);
	struct pd_ticket t;
	int rc;

	if (s == NULL)
		return PD_EINTERNAL;
	sq_bind_text(s, 1, f->status >= 0 ?
	    pd_ticket_status_name((enum pd_ticket_status)f->status) : NULL);
	sqlite3_bind_int64(s, 2, f->limit > 0 ? f->limit : -1);
	sqlite3_bind_int(s, 3, f->unresolved ? 1 : 0);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int stop;

		memset(&t, 0, sizeof(t));
		sq_ticket_row(s, &t);
		stop = cb(&t, arg);
		pd_ticket_clear(&t);
		if (stop != 0)
			return sq_done(s, stop);
	}
	return sq_done(s, sq_code(sq, rc));
}

/* sq_message_list - walk a ticket's messages, oldest first */
static int
sq_message_list(struct pd_store *st, int64_t ticket_id, pd_message_cb cb,
    void *arg)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_stmt(sq, SQ_MESSAGE_LIST);
	struct pd_message_rec m;
	int rc;

	if (s == NULL)
		return PD_EINTERNAL;
	sqlite3_bind_int64(s, 1, ticket_id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int stop;
		const char *dir = (const char *)sqlite3_column_text(s, 2);

		m.ticket_id = sqlite3_column_int64(s, 0);
		m.message_id = (const char *)sqlite3_column_text(s, 1);
		m.direction = dir && strcmp(dir, "in") == 0 ? PD_DIR_IN :
		    PD_DIR_OUT;
		m.queue_id = (const char *)sqlite3_column_text(s, 3);
		m.sender = (const char *)sqlite3_column_text(s, 4);
		m.subject = (const char *)sqlite3_column_text(s, 5);
		m.received_at = sqlite3_column_int64(s, 6);
		m.author = (const char *)sqlite3_column_text(s, 7);
		m.note = sqlite3_column_int(s, 8) != 0;
		m.excerpt = (const char *)sqlite3_column_text(s, 9);
		stop = cb(&m, arg);
		if (stop != 0)
			return sq_done(s, stop);
	}
	return sq_done(s, sq_code(sq, rc));
}

const struct pd_store_ops pd_store_sqlite_ops = {
	.name = "sqlite",
	.migrate = sq_migrate,
	.open = sq_open,
	.close = sq_close,
	.check = sq_check,
	.relax = sq_relax,
	.limit_cache = sq_limit_cache,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.ticket_insert = sq_ticket_insert,
	.ticket_get = sq_ticket_get,
	.ticket_by_message_id = sq_ticket_by_message_id,
	.ticket_touch = sq_ticket_touch,
	.message_insert = sq_message_insert,
	.ticket_update = sq_ticket_update,
	.event_add = sq_event_add,
	.event_list = sq_event_list,
	.stats = sq_stats,
	.counter_add = sq_counter_add,
	.outbox_cancel = sq_outbox_cancel,
	.csat_survey = sq_csat_survey,
	.csat_answered = sq_csat_answered,
	.outbox_bounced = sq_outbox_bounced,
	.csat_record = sq_csat_record,
	.csat_list = sq_csat_list,
	.ticket_list = sq_ticket_list,
	.sla_due = sq_sla_due,
	.sla_next = sq_sla_next,
	.sla_mark = sq_sla_mark,
	.digest_tickets = sq_digest_tickets,
	.event_range = sq_event_range,
	.digest_last = sq_digest_last,
	.digest_mark = sq_digest_mark,
	.message_list = sq_message_list,
	.outbox_insert = sq_outbox_insert,
	.outbox_count = sq_outbox_count,
	.outbox_claim = sq_outbox_claim,
	.outbox_finish = sq_outbox_finish,
	.outbox_reclaim = sq_outbox_reclaim,
	.outbox_next_due = sq_outbox_next_due,
	.outbox_list = sq_outbox_list,
	.outbox_retry = sq_outbox_retry,
	.relay_record = sq_relay_record,
	.relay_seen = sq_relay_seen,
};
