/*
 * pd_store_sqlite_csat.c - the SQLite backend: surveys and their answers
 *
 * PURPOSE	The store operations of the satisfaction survey: cancel a
 *		ticket's pending survey, find a survey, record or replace an
 *		answer, tell whether a ticket's survey was answered or its
 *		customer's address bounced, and list answers.
 * DESIGN	A survey is the outbox row that sends it (kind "csat"); its
 *		id is the survey id in the token.  Statements are prepared per
 *		call: surveys are a few per ticket, not per message.
 * OWNERSHIP	Strings handed to callbacks live for the call only.
 * THREADS	One handle per thread.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "pd_store_sqlite.h"

/*
 * sq_prepare_once - a statement for sql, prepared for one call (the caller
 * finalizes it), or NULL with the error logged; for the rarer operations
 * of this file and pd_store_sqlite_sla.c
 */
sqlite3_stmt *
sq_prepare_once(struct sq_store *sq, const char *sql)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(sq->db, sql, -1, &s, NULL) != SQLITE_OK) {
		sq_code(sq, sqlite3_errcode(sq->db));
		return NULL;
	}
	return s;
}

/* sq_scalar_once - run s (bound), read one integer (NULL: 0), finalize */
int
sq_scalar_once(struct sq_store *sq, sqlite3_stmt *s, int64_t *value)
{
	int rc = sqlite3_step(s);

	*value = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? PD_OK : sq_code(sq, rc);
	sqlite3_finalize(s);
	return rc;
}

/* sq_outbox_cancel - a ticket's pending rows of kind: cancelled */
int
sq_outbox_cancel(struct pd_store *st, int64_t ticket_id, const char *kind,
    const char *why, long *n)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_prepare_once(sq, "UPDATE outbox SET state = "
	    "'cancelled', last_error = ?3, lease_until = NULL "
	    "WHERE ticket_id = ?1 AND kind = ?2 AND state = 'pending'");
	int rc;

	if (s == NULL)
		return PD_EINTERNAL;
	sqlite3_bind_int64(s, 1, ticket_id);
	sq_bind_text(s, 2, kind);
	sq_bind_text(s, 3, why);
	rc = sq_code(sq, sqlite3_step(s));
	*n = rc == PD_OK ? (long)sqlite3_changes(sq->db) : 0;
	sqlite3_finalize(s);
	return rc;
}

/* sq_csat_survey - the ticket of survey id; PD_ENOTFOUND */
int
sq_csat_survey(struct pd_store *st, int64_t survey_id, int64_t *ticket_id)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_prepare_once(sq, "SELECT ticket_id FROM outbox "
	    "WHERE id = ?1 AND kind = 'csat' AND state <> 'cancelled'");
	int rc;

	if (s == NULL)
		return PD_EINTERNAL;
	sqlite3_bind_int64(s, 1, survey_id);
	rc = sq_scalar_once(sq, s, ticket_id);
	return rc == PD_OK && *ticket_id == 0 ? PD_ENOTFOUND : rc;
}

/* csat_count - one count(*) with ?1 bound to text, or else to id */
static int
csat_count(struct sq_store *sq, const char *sql, int64_t id,
    const char *text, long *n)
{
	sqlite3_stmt *s = sq_prepare_once(sq, sql);
	int64_t v = 0;
	int rc;

	if (s == NULL)
		return PD_EINTERNAL;
	if (text != NULL)
		sq_bind_text(s, 1, text);
	else
		sqlite3_bind_int64(s, 1, id);
	rc = sq_scalar_once(sq, s, &v);
	*n = (long)v;
	return rc;
}

/* sq_csat_answered - answers recorded for a ticket's surveys */
int
sq_csat_answered(struct pd_store *st, int64_t ticket_id, long *n)
{
	return csat_count((struct sq_store *)st, "SELECT count(*) FROM csat "
	    "WHERE ticket_id = ?1", ticket_id, NULL, n);
}

/* sq_outbox_bounced - mail to recipient the relay refused (5xx) */
int
sq_outbox_bounced(struct pd_store *st, const char *recipient, long *n)
{
	return csat_count((struct sq_store *)st, "SELECT count(*) FROM outbox "
	    "WHERE recipient = ?1 AND state = 'failed'", 0, recipient, n);
}

/*
 * sq_csat_record - a survey's answer: inserted, or replaced while the
 * first answer is younger than window seconds (*outcome 1: new, 2:
 * replaced, 0: too late, nothing written); a NULL comment keeps the one
 * recorded
 */
int
sq_csat_record(struct pd_store *st, const struct pd_csat_answer *a,
    long window, int *outcome)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_prepare_once(sq, "INSERT INTO csat (survey_id, "
	    "ticket_id, grade, comment, answered_at, updated_at) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT (survey_id) DO UPDATE SET "
	    "grade = excluded.grade, comment = coalesce(excluded.comment, "
	    "comment), updated_at = excluded.updated_at "
	    "WHERE excluded.updated_at - answered_at <= ?6 "
	    "RETURNING answered_at = updated_at");
	int rc;

	if (s == NULL)
		return PD_EINTERNAL;
	sqlite3_bind_int64(s, 1, a->survey_id);
	sqlite3_bind_int64(s, 2, a->ticket_id);
	sqlite3_bind_int(s, 3, a->grade);
	sq_bind_text(s, 4, a->comment);
	sqlite3_bind_int64(s, 5, a->answered_at);
	sqlite3_bind_int64(s, 6, window);
	rc = sqlite3_step(s);
	*outcome = rc == SQLITE_ROW ? (sqlite3_column_int(s, 0) ? 1 : 2) : 0;
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? PD_OK : sq_code(sq, rc);
	sqlite3_finalize(s);
	return rc;
}

/* sq_csat_list - answers since a time, with their ticket's queue */
int
sq_csat_list(struct pd_store *st, int64_t since, pd_csat_cb cb, void *arg)
{
	struct sq_store *sq = (struct sq_store *)st;
	sqlite3_stmt *s = sq_prepare_once(sq,
	    "SELECT c.survey_id, c.ticket_id, "
	    "c.grade, c.comment, c.answered_at, c.updated_at, t.queue "
	    "FROM csat c JOIN tickets t ON t.id = c.ticket_id "
	    "WHERE c.updated_at >= ?1 ORDER BY t.queue, c.updated_at");
	struct pd_csat_answer a;
	int rc;

	if (s == NULL)
		return PD_EINTERNAL;
	sqlite3_bind_int64(s, 1, since);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&a, 0, sizeof(a));
		a.survey_id = sqlite3_column_int64(s, 0);
		a.ticket_id = sqlite3_column_int64(s, 1);
		a.grade = sqlite3_column_int(s, 2);
		a.comment = (const char *)sqlite3_column_text(s, 3);
		a.answered_at = sqlite3_column_int64(s, 4);
		a.updated_at = sqlite3_column_int64(s, 5);
		a.queue = (const char *)sqlite3_column_text(s, 6);
		if (cb(&a, arg) != 0)
			break;
	}
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? PD_OK : sq_code(sq, rc);
	sqlite3_finalize(s);
	return rc;
}
