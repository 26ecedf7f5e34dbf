/*
 * pd_store_sqlite_sla.c - the SQLite backend: SLA watch and digests
 *
 * PURPOSE	The store operations of the SLA watch (tickets whose watch
 *		time has come, the earliest such time, the watch's marks) and
 *		of the managers' digest (the tickets a period touches, events
 *		of a kind in a period, the digests already sent).
 * DESIGN	Every query is driven by an index of schema 4: the partial
 *		index on sla_next_at, and tickets_created, tickets_answered,
 *		tickets_resolved and tickets_status for the digest, so a
 *		digest reads the period's tickets and the backlog, never the
 *		whole table ("+queue" keeps SQLite, which has no statistics,
 *		from reading the whole queue through tickets_created for the
 *		backlog instead of the few open tickets through
 *		tickets_status).  Statements are prepared per call: the watch
 *		runs a few times a minute, digests a few times a day.
 * OWNERSHIP	Tickets and events handed to callbacks live for the call.
 * THREADS	One handle per thread.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "pd_store_sqlite.h"

/* sla_tickets - step s (bound), each row to cb; finalizes s */
static int
sla_tickets(struct sq_store *sq, sqlite3_stmt *s, pd_ticket_cb cb,
    void *arg)
{
	struct pd_ticket t;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int stop;

		memset(&t, 0, sizeof(t));
		sq_ticket_row(s, &t);
		stop = cb(&t, arg);
		pd_ticket_clear(&t);
		if (stop != 0) {
			sqlite3_finalize(s);
			return stop;
		}
	}
	rc = sq_code(sq, rc);
	sqlite3_finalize(s);
	return rc;
}

/* sq_sla_due - tickets whose watch time has come */
int
sq_sla_due(struct pd_store *st, int64_t now, int limit, pd_ticket_cb cb,
    void *arg)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_prepare_once(sq, "SELECT " TICKET_COLUMNS
	    " FROM tickets t WHERE t.sla_next_at IS NOT NULL AND "
	    "t.sla_next_at <= ?1 ORDER BY t.sla_next_at, t.id LIMIT ?2");

	if (s == NULL)
		return PD_EINTERNAL;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, limit > 0 ? limit : -1);
	return sla_tickets(sq, s, cb, arg);
}

/* sq_sla_next - the earliest watch time */
int
sq_sla_next(struct pd_store *st, int64_t *at)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_prepare_once(sq, "SELECT min(sla_next_at) FROM "
	    "tickets WHERE sla_next_at IS NOT NULL");

	return s != NULL ? sq_scalar_once(sq, s, at) : PD_EINTERNAL;
}

/* sq_sla_mark - the watch's flags and next time, updated_at untouched */
int
sq_sla_mark(struct pd_store *st, int64_t id, int flags, int64_t next_at)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_prepare_once(sq,
	    "UPDATE tickets SET sla_flags = ?2, "
	    "sla_next_at = ?3 WHERE id = ?1");
	int rc;

	if (s == NULL)
		return PD_EINTERNAL;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, flags);
	sq_bind_opt(s, 3, next_at);
	rc = sq_code(sq, sqlite3_step(s));
	if (rc == PD_OK && sqlite3_changes(sq->db) == 0)
		rc = PD_ENOTFOUND;
	sqlite3_finalize(s);
	return rc;
}

/*
 * sq_digest_tickets - a period's tickets and the backlog: four index
 * range scans joined by UNION (which also removes the repeats)
 */
int
sq_digest_tickets(struct pd_store *st, const struct pd_digest_scan *f,
    pd_ticket_cb cb, void *arg)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_prepare_once(sq, "SELECT " TICKET_COLUMNS
	    " FROM tickets t WHERE t.id IN ("
	    "SELECT id FROM tickets WHERE queue = ?1 AND created_at >= ?2 "
	    "AND created_at < ?3 UNION "
	    "SELECT id FROM tickets WHERE queue = ?1 AND first_response_at "
	    ">= ?2 AND first_response_at < ?3 UNION "
	    "SELECT id FROM tickets WHERE queue = ?1 AND resolved_at >= ?2 "
	    "AND resolved_at < ?3 UNION "
	    "SELECT id FROM tickets WHERE status IN ('new', 'open', "
	    "'pending') AND +queue = ?1) ORDER BY t.id");

	if (s == NULL)
		return PD_EINTERNAL;
	sq_bind_text(s, 1, f->queue);
	sqlite3_bind_int64(s, 2, f->since);
	sqlite3_bind_int64(s, 3, f->until);
	return sla_tickets(sq, s, cb, arg);
}

/* sq_event_range - events of kind in [since, until), oldest first */
int
sq_event_range(struct pd_store *st, const char *kind, int64_t since,
    int64_t until, pd_event_cb cb, void *arg)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_prepare_once(sq,
	    "SELECT ticket_id, at, kind, actor, "
	    "detail FROM events WHERE kind = ?1 AND at >= ?2 AND at < ?3 "
	    "ORDER BY at, id");
	struct pd_event e;
	int rc;

	if (s == NULL)
		return PD_EINTERNAL;
	sq_bind_text(s, 1, kind);
	sqlite3_bind_int64(s, 2, since);
	sqlite3_bind_int64(s, 3, until);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int stop;

		e.ticket_id = sqlite3_column_int64(s, 0);
		e.at = sqlite3_column_int64(s, 1);
		e.kind = (const char *)sqlite3_column_text(s, 2);
		e.actor = (const char *)sqlite3_column_text(s, 3);
		e.detail = (const char *)sqlite3_column_text(s, 4);
		stop = cb(&e, arg);
		if (stop != 0) {
			sqlite3_finalize(s);
			return stop;
		}
	}
	rc = sq_code(sq, rc);
	sqlite3_finalize(s);
	return rc;
}

/* sq_digest_last - end of the queue's last recorded digest period */
int
sq_digest_last(struct pd_store *st, const char *queue, int64_t *period_end)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_prepare_once(sq, "SELECT max(period_end) FROM "
	    "digests WHERE queue = ?1");

	if (s == NULL)
		return PD_EINTERNAL;
	sq_bind_text(s, 1, queue);
	return sq_scalar_once(sq, s, period_end);
}

/* sq_digest_mark - record a digest period once */
int
sq_digest_mark(struct pd_store *st, const char *queue, int64_t since,
    int64_t until, int64_t now, bool *fresh)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_prepare_once(sq, "INSERT INTO digests (queue, "
	    "period_end, period_start, created_at) VALUES (?1, ?2, ?3, ?4) "
	    "ON CONFLICT DO NOTHING");
	int rc;

	if (s == NULL)
		return PD_EINTERNAL;
	sq_bind_text(s, 1, queue);
	sqlite3_bind_int64(s, 2, until);
	sqlite3_bind_int64(s, 3, since);
	sqlite3_bind_int64(s, 4, now);
	rc = sq_code(sq, sqlite3_step(s));
	*fresh = rc == PD_OK && sqlite3_changes(sq->db) > 0;
	sqlite3_finalize(s);
	return rc;
}
