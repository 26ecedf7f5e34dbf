/*
 * pd_store_sqlite_stats.c - the SQLite backend: counters for stats/metrics
 *
 * PURPOSE	The figures of "postdeskctl stats" and "postdeskctl metrics",
 *		each one aggregate query over what the store already records
 *		(tickets, messages, outbox, the ticket log).
 * DESIGN	Statements are prepared per call: stats are read by a person
 *		or a cron job, not per message.  Every counter is reported
 *		even when zero, so a dashboard sees the series from the start.
 * OWNERSHIP	Strings handed to the callback live for the call only.
 * THREADS	One handle per thread.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "pd_store_sqlite.h"

/* One counter: its name, the label its rows carry, and the query. */
struct stat_query {
	const char	*name;
	const char	*label;		/* NULL: one unlabelled row */
	const char	*sql;		/* ?1 = since; rows: (label,) value */
	const char	*const *zero;	/* labels always reported */
};

static const char *const directions[] = { "in", "out", NULL };
static const char *const states[] = {
	"pending", "sending", "sent", "failed", "cancelled", NULL
};
static const char *const targets[] = {
	"first-response", "resolution", NULL
};
static const char *const statuses[] = {
	"new", "open", "pending", "resolved", NULL
};

static const struct stat_query queries[] = {
	{ "messages_total", "direction", "SELECT direction, count(*) FROM "
	    "messages WHERE received_at >= ?1 GROUP BY 1", directions },
	{ "tickets_opened_total", "queue", "SELECT queue, count(*) FROM "
	    "tickets WHERE created_at >= ?1 GROUP BY 1", NULL },
	{ "tickets", "status", "SELECT status, count(*) FROM tickets "
	    "GROUP BY 1", statuses },
	{ "acks_total", "state", "SELECT state, count(*) FROM outbox WHERE "
	    "kind = 'ack' AND created_at >= ?1 GROUP BY 1", states },
	{ "acks_suppressed_total", "reason", "SELECT detail, count(*) FROM "
	    "events WHERE kind = 'ack-suppressed' AND at >= ?1 GROUP BY 1",
	    NULL },
	{ "agent_answers_total", NULL, "SELECT count(*) FROM events WHERE "
	    "kind = 'answer' AND at >= ?1", NULL },
	{ "notes_total", NULL, "SELECT count(*) FROM events WHERE "
	    "kind = 'note' AND at >= ?1", NULL },
	{ "commands_refused_total", NULL, "SELECT count(*) FROM events WHERE "
	    "kind = 'refused' AND at >= ?1", NULL },
	{ "reopens_total", NULL, "SELECT count(*) FROM events WHERE "
	    "kind = 'reopen' AND at >= ?1", NULL },
	{ "surveys_total", "state", "SELECT state, count(*) FROM outbox "
	    "WHERE kind = 'csat' AND created_at >= ?1 GROUP BY 1", states },
	{ "breaches_total", "target", "SELECT detail, count(*) FROM events "
	    "WHERE kind = 'breach' AND at >= ?1 GROUP BY 1", targets },
	{ "sla_warnings_total", NULL, "SELECT count(*) FROM outbox WHERE "
	    "kind = 'warning' AND created_at >= ?1", NULL },
	{ "digests_total", NULL, "SELECT count(*) FROM outbox WHERE "
	    "kind = 'digest' AND created_at >= ?1", NULL },
	{ "errors_total", "kind", "SELECT label, value FROM counters WHERE "
	    "name = 'errors' AND ?1 >= 0", NULL },
	{ "outbox_errors_total", "kind", "SELECT kind, count(*) FROM outbox "
	    "WHERE state = 'failed' AND created_at >= ?1 GROUP BY 1", NULL },
};

/* stat_zeros - report the labels of q that no row named */
static int
stat_zeros(const struct stat_query *q, unsigned seen, pd_stat_cb cb,
    void *arg)
{
	int i;
	int rc = 0;

	for (i = 0; q->zero != NULL && q->zero[i] != NULL && rc == 0; i++)
		if (!(seen & (1u << i)))
			rc = cb(q->name, q->label, q->zero[i], 0, arg);
	return rc;
}

/* stat_run - one query, its rows to cb */
static int
stat_run(struct sq_store *sq, const struct stat_query *q, int64_t since,
    pd_stat_cb cb, void *arg)
{
	sqlite3_stmt *s = NULL;
	unsigned seen = 0;
	int rc, i;

	if (sqlite3_prepare_v2(sq->db, q->sql, -1, &s, NULL) != SQLITE_OK)
		return sq_code(sq, sqlite3_errcode(sq->db));
	sqlite3_bind_int64(s, 1, since);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *label = q->label ? (const char *)
		    sqlite3_column_text(s, 0) : NULL;
		int64_t v = sqlite3_column_int64(s, q->label ? 1 : 0);

		for (i = 0; label && q->zero && q->zero[i] && i < 32; i++)
			if (strcmp(q->zero[i], label) == 0)
				seen |= 1u << i;
		if (cb(q->name, q->label, label ? label : "", v, arg) != 0)
			break;
	}
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? PD_OK : sq_code(sq, rc);
	sqlite3_finalize(s);
	return rc == PD_OK ? stat_zeros(q, seen, cb, arg) : rc;
}

/* sq_stats - every counter since the given time */
int
sq_stats(struct pd_store *st, int64_t since, pd_stat_cb cb, void *arg)
{
	struct sq_store *sq = (struct sq_store *)st;
	size_t i;
	int rc = PD_OK;

	for (i = 0; i < sizeof(queries) / sizeof(queries[0]) && rc == PD_OK;
	    i++)
		rc = stat_run(sq, &queries[i], since, cb, arg);
	return rc;
}
