/*
 * pd_store_sqlite_outbox.c - the SQLite backend: outbox and relay records
 *
 * PURPOSE	The outbox operations of struct pd_store_ops (queue, claim
 *		with a lease, finish, reclaim, list, retry) and the relay's
 *		Message-ID record (doc/design/outbox.md).
 * DESIGN	A claim is one UPDATE ... RETURNING statement, finished (and
 *		so committed) before any callback runs.
 * OWNERSHIP	Rows handed to callbacks are the caller's for the call only.
 * THREADS	One handle per thread.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "pd_mem.h"
#include "pd_store_sqlite.h"

/* sq_outbox_row - fill o from an OUTBOX_COLUMNS row */
static void
sq_outbox_row(sqlite3_stmt *s, struct pd_outbox *o)
{
	static const char *const names[] = {
		"pending", "sending", "sent", "failed", "cancelled",
	};
	const char *state = (const char *)sqlite3_column_text(s, 9);
	int i;

	o->id = sqlite3_column_int64(s, 0);
	o->kind = sq_col_dup(s, 1);
	o->ticket_id = sqlite3_column_int64(s, 2);
	o->recipient = sq_col_dup(s, 3);
	o->message_id = sq_col_dup(s, 4);
	o->in_reply_to = sq_col_dup(s, 5);
	o->refs = sq_col_dup(s, 6);
	o->flags = (unsigned)sqlite3_column_int(s, 7);
	o->due_at = sqlite3_column_int64(s, 8);
	for (i = 0; i < 5; i++)
		if (state != NULL && strcmp(state, names[i]) == 0)
			o->state = (enum pd_outbox_state)i;
	o->attempts = sqlite3_column_int(s, 10);
	o->last_error = sq_col_dup(s, 11);
	o->relay_queue_id = sq_col_dup(s, 12);
	o->created_at = sqlite3_column_int64(s, 13);
	o->sent_at = sqlite3_column_int64(s, 14);
	o->body = sq_col_dup(s, 15);
	o->expires_at = sqlite3_column_int64(s, 16);
}

/* sq_outbox_insert - queue one row */
int
sq_outbox_insert(struct pd_store *st, struct pd_outbox *o)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_stmt(sq, SQ_OUTBOX_INSERT);
	int rc;

	if (s == NULL)
		return PD_EINTERNAL;
	sq_bind_text(s, 1, o->kind);
	if (o->ticket_id > 0)
		sqlite3_bind_int64(s, 2, o->ticket_id);
	sq_bind_text(s, 3, o->recipient);
	sq_bind_text(s, 4, o->message_id);
	sq_bind_text(s, 5, o->in_reply_to);
	sq_bind_text(s, 6, o->refs);
	sqlite3_bind_int(s, 7, (int)o->flags);
	sqlite3_bind_int64(s, 8, o->due_at);
	sqlite3_bind_int64(s, 9, o->created_at);
	sq_bind_text(s, 10, o->body);
	if (o->expires_at > 0)
		sqlite3_bind_int64(s, 11, o->expires_at);
	rc = sq_code(sq, sqlite3_step(s));
	if (rc == PD_OK)
		o->id = sqlite3_last_insert_rowid(sq->db);
	return sq_done(s, rc);
}

/* sq_scalar - run statement s (bound) and read one integer column */
static int
sq_scalar(struct sq_store *sq, sqlite3_stmt *s, int64_t *value)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW) {
		*value = sqlite3_column_int64(s, 0);
		return sq_done(s, sqlite3_column_type(s, 0) == SQLITE_NULL ?
		    PD_ENOTFOUND : PD_OK);
	}
	return sq_done(s, rc == SQLITE_DONE ? PD_ENOTFOUND : sq_code(sq, rc));
}

/* sq_outbox_count - recent rows of a kind, to one recipient or all */
int
sq_outbox_count(struct pd_store *st, const char *kind, const char *recipient,
    int64_t since, long *count)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_stmt(sq, SQ_OUTBOX_COUNT);
	int64_t v = 0;
	int rc;

	if (s == NULL)
		return PD_EINTERNAL;
	sq_bind_text(s, 1, kind);
	sq_bind_text(s, 2, recipient);
	sqlite3_bind_int64(s, 3, since);
	rc = sq_scalar(sq, s, &v);
	*count = (long)v;
	return rc == PD_ENOTFOUND ? PD_OK : rc;
}

/*
 * sq_outbox_claim - lease due rows; the claiming statement is finished
 * (and so committed) before any callback runs, so no SMTP conversation
 * ever happens while the write lock is held
 */
int
sq_outbox_claim(struct pd_store *st, int64_t now, int lease, int limit,
    pd_outbox_cb cb, void *arg)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_stmt(sq, SQ_OUTBOX_CLAIM);
	struct pd_outbox *rows;
	int n = 0;
	int i;
	int rc;

	if (s == NULL || limit <= 0)
		return PD_EINTERNAL;
	rows = pd_xcalloc((size_t)limit, sizeof(*rows));
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int(s, 2, lease);
	sqlite3_bind_int(s, 3, limit);
	while (n < limit && (rc = sqlite3_step(s)) == SQLITE_ROW)
		sq_outbox_row(s, &rows[n++]);
	rc = sq_done(s, n == limit || rc == SQLITE_DONE ? PD_OK :
	    sq_code(sq, rc));
	for (i = 0; i < n; i++) {
		if (rc == PD_OK && cb(&rows[i], arg) != 0)
			rc = PD_EINTERNAL;
		pd_outbox_clear(&rows[i]);
	}
	pd_free(rows);
	return rc;
}

/* sq_outbox_finish - record a claimed row's outcome */
int
sq_outbox_finish(struct pd_store *st, int64_t id, enum pd_outbox_state state,
    const char *detail, int64_t due, int64_t now)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_stmt(sq, SQ_OUTBOX_FINISH);

	if (s == NULL)
		return PD_EINTERNAL;
	sqlite3_bind_int64(s, 1, id);
	sq_bind_text(s, 2, pd_outbox_state_name(state));
	sq_bind_text(s, 3, detail);
	sqlite3_bind_int64(s, 4, due);
	sqlite3_bind_int64(s, 5, now);
	return sq_done(s, sq_code(sq, sqlite3_step(s)));
}

/* sq_outbox_reclaim - expired leases back to pending */
int
sq_outbox_reclaim(struct pd_store *st, int64_t now, long *n)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_stmt(sq, SQ_OUTBOX_RECLAIM);
	int rc;

	if (s == NULL)
		return PD_EINTERNAL;
	sqlite3_bind_int64(s, 1, now);
	rc = sq_code(sq, sqlite3_step(s));
	*n = rc == PD_OK ? (long)sqlite3_changes(sq->db) : 0;
	return sq_done(s, rc);
}

/* sq_outbox_next_due - earliest pending due_at */
int
sq_outbox_next_due(struct pd_store *st, int64_t *due)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_stmt(sq, SQ_OUTBOX_NEXT_DUE);

	return s == NULL ? PD_EINTERNAL : sq_scalar(sq, s, due);
}

/* sq_outbox_list - rows by state, newest first */
int
sq_outbox_list(struct pd_store *st, int state, int limit, pd_outbox_cb cb,
    void *arg)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_stmt(sq, SQ_OUTBOX_LIST);
	struct pd_outbox o;
	int rc;

	if (s == NULL)
		return PD_EINTERNAL;
	sq_bind_text(s, 1, state >= 0 ?
	    pd_outbox_state_name((enum pd_outbox_state)state) : NULL);
	sqlite3_bind_int(s, 2, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int stop;

		memset(&o, 0, sizeof(o));
		sq_outbox_row(s, &o);
		stop = cb(&o, arg);
		pd_outbox_clear(&o);
		if (stop != 0)
			return sq_done(s, stop);
	}
	return sq_done(s, sq_code(sq, rc));
}

/* sq_outbox_retry - failed row back to pending */
int
sq_outbox_retry(struct pd_store *st, int64_t id, int64_t now)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_stmt(sq, SQ_OUTBOX_RETRY);
	int rc;

	if (s == NULL)
		return PD_EINTERNAL;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	rc = sq_code(sq, sqlite3_step(s));
	if (rc == PD_OK && sqlite3_changes(sq->db) == 0)
		rc = PD_ENOTFOUND;
	return sq_done(s, rc);
}

/* sq_relay_seen - *seen when the relay recorded message_id */
int
sq_relay_seen(struct pd_store *st, const char *message_id, bool *seen)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_prepare_once(sq, "SELECT count(*) FROM relayed "
	    "WHERE message_id = ?1");
	int64_t n = 0;
	int rc;

	*seen = false;
	if (s == NULL)
		return PD_EINTERNAL;
	sq_bind_text(s, 1, message_id);
	rc = sq_scalar_once(sq, s, &n);
	*seen = rc == PD_OK && n > 0;
	return rc;
}

/* sq_relay_record - remember an id the relay accepted; *seen if known */
int
sq_relay_record(struct pd_store *st, const char *message_id,
    const char *queue_id, int64_t now, int *seen)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_stmt(sq, SQ_RELAY_INSERT);
	sqlite3_stmt *m = sq_stmt(sq, SQ_RELAY_MARK_SENT);
	int rc;

	if (s == NULL || m == NULL)
		return PD_EINTERNAL;
	sq_bind_text(s, 1, message_id);
	sq_bind_text(s, 2, queue_id);
	sqlite3_bind_int64(s, 3, now);
	rc = sq_code(sq, sqlite3_step(s));
	*seen = rc == PD_OK && sqlite3_changes(sq->db) == 0;
	sq_done(s, rc);
	if (rc != PD_OK || *seen)
		return rc;
	sq_bind_text(m, 1, message_id);
	sq_bind_text(m, 2, queue_id);
	sqlite3_bind_int64(m, 3, now);
	return sq_done(m, sq_code(sq, sqlite3_step(m)));
}
