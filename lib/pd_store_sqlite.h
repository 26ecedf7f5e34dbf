/*
 * pd_store_sqlite.h - internals shared by the SQLite backend's files
 *
 * PURPOSE	The handle, the statement ids and the helpers that
 *		pd_store_sqlite.c (connection, schema, tickets and messages)
 *		and pd_store_sqlite_outbox.c (outbox and relay records) share.
 *		Nothing outside lib/pd_store_sqlite*.c includes this file.
 * DESIGN	Statements are named by enum sq_stmt; their SQL lives in one
 *		table in pd_store_sqlite.c and is prepared on first use.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_STORE_SQLITE_H
#define PD_STORE_SQLITE_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include <sqlite3.h>

#include "pd_store_impl.h"

/* The columns sq_ticket_row() reads, from "tickets t". */
#define TICKET_COLUMNS \
	"t.id, t.queue, t.status, t.priority, t.customer, t.customer_name, " \
	"t.subject, t.created_at, t.updated_at, t.reopen_count, t.assignee, " \
	"(SELECT count(*) FROM messages m WHERE m.ticket_id = t.id), " \
	"t.first_response_due, t.resolution_due, t.complaint, " \
	"t.first_response_at, t.resolved_at, t.merged_into, t.language, " \
	"t.res_used, t.res_since, t.sla_flags, t.sla_next_at"

enum sq_stmt {
	SQ_BEGIN,
	SQ_COMMIT,
	SQ_ROLLBACK,
	SQ_TICKET_INSERT,
	SQ_TICKET_GET,
	SQ_TICKET_BY_MSGID,
	SQ_TICKET_TOUCH,
	SQ_MESSAGE_INSERT,
	SQ_TICKET_UPDATE,
	SQ_EVENT_INSERT,
	SQ_EVENT_LIST,
	SQ_COUNTER_ADD,
	SQ_TICKET_LIST,
	SQ_MESSAGE_LIST,
	SQ_OUTBOX_INSERT,
	SQ_OUTBOX_COUNT,
	SQ_OUTBOX_CLAIM,
	SQ_OUTBOX_FINISH,
	SQ_OUTBOX_RECLAIM,
	SQ_OUTBOX_NEXT_DUE,
	SQ_OUTBOX_LIST,
	SQ_OUTBOX_RETRY,
	SQ_RELAY_INSERT,
	SQ_RELAY_MARK_SENT,
	SQ_COUNT,
};

struct sq_store {
	struct pd_store	 base;		/* first: the public handle */
	sqlite3		*db;
	sqlite3_stmt	*stmt[SQ_COUNT];
	char		*path;
	dev_t		 dev;		/* identity of the file we opened, */
	ino_t		 ino;		/* to notice it being replaced */
	long		 timeout_ms;	/* bound on waiting for the lock */
	struct timespec	 wait_start;	/* of the current wait */
};

int	 sq_code(struct sq_store *sq, int rc);
sqlite3_stmt *sq_stmt(struct sq_store *sq, enum sq_stmt id);
int	 sq_done(sqlite3_stmt *s, int rc);
void	 sq_bind_text(sqlite3_stmt *s, int i, const char *v);
void	 sq_bind_opt(sqlite3_stmt *s, int i, int64_t v);
void	 sq_ticket_row(sqlite3_stmt *s, struct pd_ticket *t);
char	*sq_col_dup(sqlite3_stmt *s, int i);
enum pd_priority sq_priority_parse(const char *name);

/* pd_store_sqlite_outbox.c */
int	 sq_outbox_insert(struct pd_store *st, struct pd_outbox *o);
int	 sq_outbox_count(struct pd_store *st, const char *kind,
	    const char *recipient, int64_t since, long *count);
int	 sq_outbox_claim(struct pd_store *st, int64_t now, int lease,
	    int limit, pd_outbox_cb cb, void *arg);
int	 sq_outbox_finish(struct pd_store *st, int64_t id,
	    enum pd_outbox_state state, const char *detail, int64_t due,
	    int64_t now);
int	 sq_outbox_reclaim(struct pd_store *st, int64_t now, long *n);
int	 sq_outbox_next_due(struct pd_store *st, int64_t *due);
int	 sq_outbox_list(struct pd_store *st, int state, int limit,
	    pd_outbox_cb cb, void *arg);
int	 sq_outbox_retry(struct pd_store *st, int64_t id, int64_t now);
int	 sq_relay_record(struct pd_store *st, const char *message_id,
	    const char *queue_id, int64_t now, int *seen);
int	 sq_relay_seen(struct pd_store *st, const char *message_id,
	    bool *seen);

/* pd_store_sqlite_csat.c */
sqlite3_stmt *sq_prepare_once(struct sq_store *sq, const char *sql);
int	 sq_scalar_once(struct sq_store *sq, sqlite3_stmt *s,
	    int64_t *value);
int	 sq_outbox_cancel(struct pd_store *st, int64_t ticket_id,
	    const char *kind, const char *why, long *n);
int	 sq_csat_survey(struct pd_store *st, int64_t survey_id,
	    int64_t *ticket_id);
int	 sq_csat_answered(struct pd_store *st, int64_t ticket_id, long *n);
int	 sq_outbox_bounced(struct pd_store *st, const char *recipient,
	    long *n);
int	 sq_csat_record(struct pd_store *st, const struct pd_csat_answer *a,
	    long window, int *outcome);
int	 sq_csat_list(struct pd_store *st, int64_t since, pd_csat_cb cb,
	    void *arg);

/* pd_store_sqlite_sla.c */
int	 sq_sla_due(struct pd_store *st, int64_t now, int limit,
	    pd_ticket_cb cb, void *arg);
int	 sq_sla_next(struct pd_store *st, int64_t *at);
int	 sq_sla_mark(struct pd_store *st, int64_t id, int flags,
	    int64_t next_at);
int	 sq_digest_tickets(struct pd_store *st,
	    const struct pd_digest_scan *f, pd_ticket_cb cb, void *arg);
int	 sq_event_range(struct pd_store *st, const char *kind, int64_t since,
	    int64_t until, pd_event_cb cb, void *arg);
int	 sq_digest_last(struct pd_store *st, const char *queue,
	    int64_t *period_end);
int	 sq_digest_mark(struct pd_store *st, const char *queue, int64_t since,
	    int64_t until, int64_t now, bool *fresh);
/* pd_store_sqlite_stats.c */
int	 sq_stats(struct pd_store *st, int64_t since, pd_stat_cb cb,
	    void *arg);

#endif
