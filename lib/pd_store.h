/*
 * pd_store.h - the store: tickets and messages behind one narrow interface
 *
 * PURPOSE	Domain operations only (open a ticket, find it by id or by a
 *		Message-ID, record a message, list tickets), so that the SQLite
 *		backend (pd_store_sqlite.c, the only file with SQL) can be
 *		joined by a PostgreSQL one without touching the callers.
 * DESIGN	Ticket states (doc/design/store.md has the full table):
 *		  new       opened by a customer's first mail; no answer yet
 *		  open      the customer wrote again / reopened
 *		  pending   an agent answered; waiting for the customer
 *		  resolved  closed by an agent or an admin
 *		Invariants: (1) a ticket number is never reused (AUTOINCREMENT);
 *		(2) a Message-ID belongs to at most one ticket (UNIQUE); (3) a
 *		ticket and its first message are committed together.
 *		Every read-modify-write runs between pd_store_begin() (BEGIN
 *		IMMEDIATE: the write lock is taken first, so two concurrent
 *		replies can never both create a ticket) and pd_store_commit().
 *		Waiting for the lock is bounded by the timeout given at open.
 *		The schema is versioned; pd_store_open() refuses a database
 *		whose version differs from the program's, pd_store_migrate()
 *		(postdeskctl init) creates or upgrades it.
 * OWNERSHIP	pd_store_open() returns a handle the caller closes with
 *		pd_store_close(&st).  A handle is used by one thread at a time.
 *		struct pd_ticket strings are owned by the struct and released
 *		by pd_ticket_clear().
 * ERRORS	PD_ETEMP: locked/busy beyond the timeout, disk full, I/O error;
 *		PD_EPERMFAIL: missing, unreadable or read-only database, wrong
 *		schema; PD_ENOTFOUND; PD_EINTERNAL.  The backend may log the
 *		underlying library's message at debug level; callers log the
 *		outcome.
 * THREADS	One handle per thread; any number of handles per process.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_STORE_H
#define PD_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "pd_conf.h"
#include "pd_err.h"

enum pd_ticket_status {
	PD_TS_NEW,
	PD_TS_OPEN,
	PD_TS_PENDING,
	PD_TS_RESOLVED,
};

struct pd_ticket {
	int64_t	 id;
	char	*queue;
	enum pd_ticket_status status;
	enum pd_priority priority;
	char	*customer;		/* address */
	char	*customer_name;		/* UTF-8, may be NULL */
	char	*subject;		/* UTF-8, without tags and prefixes */
	int64_t	 created_at;		/* UTC epoch seconds */
	int64_t	 updated_at;
	int	 reopen_count;
	char	*assignee;		/* may be NULL */
	int64_t	 message_count;		/* filled by get/list */
	int64_t	 first_response_due;	/* UTC; 0 when unknown */
	int64_t	 resolution_due;	/* UTC; 0 when unknown */
	int	 complaint;		/* complaint keywords matched */
	int64_t	 first_response_at;	/* first agent answer; 0: none */
	int64_t	 resolved_at;		/* last resolution; 0: never */
	int64_t	 merged_into;		/* ticket it was merged into, or 0 */
	char	*language;		/* the customer's (pd_lang), or NULL */
	/* the SLA clocks (pd_slaclock.h) */
	int64_t	 res_used;		/* resolution clock before res_since */
	int64_t	 res_since;		/* UTC it runs since; 0: stopped */
	int	 sla_flags;		/* PD_SLA_* warned / breached */
	int64_t	 sla_next_at;		/* UTC the watch looks again; 0: no */
};

/*
 * A change to a ticket: only the fields named in what are written, with
 * updated_at = now.  PD_TU_STATUS to resolved also sets resolved_at;
 * PD_TU_FIRST_RESPONSE sets first_response_at only while it is unset;
 * PD_TU_REOPEN adds one to reopen_count.
 */
#define PD_TU_STATUS		0x01
#define PD_TU_PRIORITY		0x02
#define PD_TU_ASSIGNEE		0x04
#define PD_TU_FIRST_RESPONSE	0x08
#define PD_TU_REOPEN		0x10
#define PD_TU_MERGED		0x20
#define PD_TU_FIRST_DUE		0x40	/* first_response_due (new priority) */
#define PD_TU_CLOCK		0x80	/* res_used, res_since, resolution_due,
					   sla_flags, sla_next_at */

struct pd_ticket_update {
	int64_t		 id;
	unsigned	 what;
	enum pd_ticket_status status;
	enum pd_priority priority;
	const char	*assignee;	/* NULL: nobody */
	int64_t		 merged_into;
	int64_t		 first_response_due;
	int64_t		 res_used;
	int64_t		 res_since;
	int64_t		 resolution_due;
	int		 sla_flags;
	int64_t		 sla_next_at;
	int64_t		 now;
};

/*
 * One line of a ticket's log (table events): kind is "status",
 * "priority", "assign", "reopen", "answer", "note", "merge", ...; actor
 * the agent's address, "customer" or "admin"; detail the new value.
 */
struct pd_event {
	int64_t		 ticket_id;
	int64_t		 at;
	const char	*kind;
	const char	*actor;
	const char	*detail;
};

/*
 * Outbox states (doc/design/outbox.md):
 *   pending    waiting for due_at; the worker claims it
 *   sending    claimed: lease_until set; back to pending when the lease
 *              expires (the worker died), and then a repeat is dropped by
 *              the milter on the relay, which recorded the first copy
 *   sent       the relay answered 250 (relay_queue_id), or the milter on
 *              the relay recorded it
 *   failed     the relay answered 5xx (last_error); "postdeskctl queue
 *              retry" puts it back to pending
 *   cancelled  no longer wanted (a survey after a reopen, issue 5)
 */
enum pd_outbox_state {
	PD_OS_PENDING,
	PD_OS_SENDING,
	PD_OS_SENT,
	PD_OS_FAILED,
	PD_OS_CANCELLED,
};

#define PD_OUT_COMPLAINT	0x1	/* use the complaint template */
#define PD_OUT_QUOTE		0x2	/* sender authenticated: may quote */

struct pd_outbox {
	int64_t	 id;
	char	*kind;			/* "ack", ... */
	int64_t	 ticket_id;
	char	*recipient;
	char	*message_id;		/* ours, fixed at enqueue, no "<>" */
	char	*in_reply_to;		/* the customer's id, may be NULL */
	char	*refs;			/* References ids, space-separated */
	unsigned flags;
	int64_t	 due_at;
	enum pd_outbox_state state;
	int	 attempts;
	char	*last_error;
	char	*relay_queue_id;
	char	*body;			/* text of a notice, or NULL */
	int64_t	 expires_at;		/* not sent after this (0: never) */
	int64_t	 created_at;
	int64_t	 sent_at;
};

enum pd_direction {
	PD_DIR_IN,			/* customer to support */
	PD_DIR_OUT,			/* agent or worker to customer */
};

struct pd_message_rec {
	int64_t		 ticket_id;
	const char	*message_id;	/* without "<>" */
	enum pd_direction direction;
	const char	*queue_id;	/* Postfix queue id, may be NULL */
	const char	*sender;
	const char	*subject;	/* UTF-8 */
	int64_t		 received_at;
	const char	*author;	/* agent's address for agent mail */
	bool		 note;		/* internal note: never to customers */
	const char	*excerpt;	/* the start of its text, may be NULL */
};

struct pd_ticket_filter {
	int	status;			/* -1 for any, else pd_ticket_status */
	int	limit;			/* 0 for no limit */
	bool	unresolved;		/* only tickets not resolved */
};

/*
 * The tickets a digest reads (pd_store_digest_tickets): of queue, those
 * created, first answered or last resolved in [since, until), and every
 * one not resolved.
 */
struct pd_digest_scan {
	const char	*queue;
	int64_t		 since;
	int64_t		 until;
};

struct pd_store;

typedef int (*pd_ticket_cb)(const struct pd_ticket *t, void *arg);
typedef int (*pd_outbox_cb)(const struct pd_outbox *o, void *arg);
typedef int (*pd_message_cb)(const struct pd_message_rec *m, void *arg);
typedef int (*pd_event_cb)(const struct pd_event *e, void *arg);

/* A survey's answer (table csat); the survey is its outbox row. */
struct pd_csat_answer {
	int64_t		 survey_id;
	int64_t		 ticket_id;
	int		 grade;
	const char	*comment;	/* UTF-8, may be NULL */
	int64_t		 answered_at;
	int64_t		 updated_at;
	const char	*queue;		/* filled by pd_store_csat_list */
};
typedef int (*pd_csat_cb)(const struct pd_csat_answer *a, void *arg);
/* one counter row: label is "" and label_name NULL for unlabelled ones */
typedef int (*pd_stat_cb)(const char *name, const char *label_name,
	    const char *label, int64_t value, void *arg);

/* pd_store_migrate - create the database at path or upgrade its schema */
int	 pd_store_migrate(const char *path, struct pd_err *err);
/* pd_store_open - open an existing, current database */
struct pd_store *pd_store_open(const char *path, long timeout_ms,
	    struct pd_err *err);
void	 pd_store_close(struct pd_store **st);
/* pd_store_check - integrity and schema check (postdeskctl check) */
int	 pd_store_check(struct pd_store *st, struct pd_err *err);
/*
 * pd_store_relax - this handle's commits need not survive a power loss
 * (SQLite synchronous=NORMAL: never corrupt, but the last commits may roll
 * back).  Only for a writer whose lost commits are redone safely: the
 * worker, whose "sent" marks, if lost, make it resend, and the relay
 * drops the repeat.  The milter's commits stay FULL.
 */
int	 pd_store_relax(struct pd_store *st);
/*
 * pd_store_limit_cache - keep at most kib KiB of database pages cached by
 * this handle (SQLite's default is 2000 KiB per connection).  For a
 * process with many handles whose transactions rarely reuse each other's
 * pages: the milter (milter_pool.c).
 */
int	 pd_store_limit_cache(struct pd_store *st, long kib);

int	 pd_store_begin(struct pd_store *st);
int	 pd_store_commit(struct pd_store *st);
void	 pd_store_rollback(struct pd_store *st);

/* pd_store_ticket_insert - new ticket from t; t->id is set */
int	 pd_store_ticket_insert(struct pd_store *st, struct pd_ticket *t);
/* pd_store_ticket_get - fill *t (caller clears it); PD_ENOTFOUND */
int	 pd_store_ticket_get(struct pd_store *st, int64_t id,
	    struct pd_ticket *t);
/* pd_store_ticket_by_message_id - ticket that holds msgid; PD_ENOTFOUND */
int	 pd_store_ticket_by_message_id(struct pd_store *st, const char *msgid,
	    int64_t *ticket_id);
/* pd_store_ticket_touch - set updated_at */
int	 pd_store_ticket_touch(struct pd_store *st, int64_t id, int64_t now);
/* pd_store_ticket_update - apply u (see struct pd_ticket_update) */
int	 pd_store_ticket_update(struct pd_store *st,
	    const struct pd_ticket_update *u);
/* pd_store_event_add - append to a ticket's log */
int	 pd_store_event_add(struct pd_store *st, const struct pd_event *e);
/* pd_store_event_list - a ticket's log, oldest first */
int	 pd_store_event_list(struct pd_store *st, int64_t ticket_id,
	    pd_event_cb cb, void *arg);
/*
 * pd_store_stats - every counter (messages, tickets opened and by status,
 * acknowledgements by state and suppressed by reason, agents' answers,
 * notes, refused commands, reopens, surveys, breaches, outbox failures by
 * kind) counted from since (UTC), to cb
 */
int	 pd_store_stats(struct pd_store *st, int64_t since, pd_stat_cb cb,
	    void *arg);
/* pd_store_outbox_cancel - a ticket's pending rows of kind: cancelled */
int	 pd_store_outbox_cancel(struct pd_store *st, int64_t ticket_id,
	    const char *kind, const char *why, long *n);
/* pd_store_outbox_bounced - rows to recipient the relay refused (5xx) */
int	 pd_store_outbox_bounced(struct pd_store *st, const char *recipient,
	    long *n);
/* pd_store_csat_survey - the ticket of a (not cancelled) survey */
int	 pd_store_csat_survey(struct pd_store *st, int64_t survey_id,
	    int64_t *ticket_id);
/* pd_store_csat_answered - answers recorded for a ticket's surveys */
int	 pd_store_csat_answered(struct pd_store *st, int64_t ticket_id,
	    long *n);
/*
 * pd_store_csat_record - record a survey's answer, or replace it while
 * the first answer is at most window seconds old; *outcome 1 new, 2
 * replaced, 0 too late (nothing written)
 */
int	 pd_store_csat_record(struct pd_store *st,
	    const struct pd_csat_answer *a, long window, int *outcome);
/* pd_store_csat_list - answers updated since, by queue */
int	 pd_store_csat_list(struct pd_store *st, int64_t since, pd_csat_cb cb,
	    void *arg);
/*
 * pd_store_counter_add - add n to a counter that no other table holds
 * (the milter's errors, recorded once the store answers again)
 */
int	 pd_store_counter_add(struct pd_store *st, const char *name,
	    const char *label, int64_t n);
/* pd_store_message_insert - record a message of a ticket */
int	 pd_store_message_insert(struct pd_store *st,
	    const struct pd_message_rec *m);
/* pd_store_ticket_list - call cb for matching tickets, newest first;
 * a non-zero return of cb stops the walk and is returned */
int	 pd_store_ticket_list(struct pd_store *st,
	    const struct pd_ticket_filter *f, pd_ticket_cb cb, void *arg);
/* pd_store_message_list - messages of a ticket, oldest first */
int	 pd_store_message_list(struct pd_store *st, int64_t ticket_id,
	    pd_message_cb cb, void *arg);

/* pd_store_outbox_insert - queue o (due_at, kind, ...); o->id is set */
int	 pd_store_outbox_insert(struct pd_store *st, struct pd_outbox *o);
/* pd_store_outbox_count - rows of kind created since, to recipient (or
 * to anyone when recipient is NULL) */
int	 pd_store_outbox_count(struct pd_store *st, const char *kind,
	    const char *recipient, int64_t since, long *count);
/* pd_store_outbox_claim - lease up to limit due pending rows until
 * now + lease and call cb for each (committed before the calls) */
int	 pd_store_outbox_claim(struct pd_store *st, int64_t now, int lease,
	    int limit, pd_outbox_cb cb, void *arg);
/* pd_store_outbox_finish - a claimed row's outcome: PD_OS_SENT (with the
 * relay's queue id), PD_OS_FAILED (why), or PD_OS_PENDING (retry at due) */
int	 pd_store_outbox_finish(struct pd_store *st, int64_t id,
	    enum pd_outbox_state state, const char *detail, int64_t due,
	    int64_t now);
/* pd_store_outbox_reclaim - expired leases back to pending; count */
int	 pd_store_outbox_reclaim(struct pd_store *st, int64_t now, long *n);
/* pd_store_outbox_next_due - earliest due_at of a pending row */
int	 pd_store_outbox_next_due(struct pd_store *st, int64_t *due);
/* pd_store_outbox_list - rows in state (or all when state < 0), newest
 * first, at most limit (0: no limit) */
int	 pd_store_outbox_list(struct pd_store *st, int state, int limit,
	    pd_outbox_cb cb, void *arg);
/* pd_store_outbox_retry - a failed row back to pending, due now */
int	 pd_store_outbox_retry(struct pd_store *st, int64_t id, int64_t now);
/*
 * pd_store_relay_record - the milter on the relay saw message_id: record
 * it with the relay's queue id, mark the outbox row sent; *seen is 1 when
 * it had been recorded before (a repeat: drop it)
 */
int	 pd_store_relay_record(struct pd_store *st, const char *message_id,
	    const char *queue_id, int64_t now, int *seen);
/*
 * pd_store_relay_seen - *seen when message_id was recorded on the relay
 * (read only: the worker's check after the relay's 250)
 */
int	 pd_store_relay_seen(struct pd_store *st, const char *message_id,
	    bool *seen);
/*
 * pd_store_sla_due - tickets whose SLA watch time (sla_next_at) is <= now,
 * earliest first, at most limit, to cb
 */
int	 pd_store_sla_due(struct pd_store *st, int64_t now, int limit,
	    pd_ticket_cb cb, void *arg);
/* pd_store_sla_next - the earliest sla_next_at; *at = 0 when none */
int	 pd_store_sla_next(struct pd_store *st, int64_t *at);
/*
 * pd_store_sla_mark - the watch's own write: sla_flags and sla_next_at,
 * leaving updated_at alone (a warning is not activity on the ticket)
 */
int	 pd_store_sla_mark(struct pd_store *st, int64_t id, int flags,
	    int64_t next_at);
/* pd_store_digest_tickets - see struct pd_digest_scan; id order */
int	 pd_store_digest_tickets(struct pd_store *st,
	    const struct pd_digest_scan *f, pd_ticket_cb cb, void *arg);
/* pd_store_event_range - events of kind with since <= at < until */
int	 pd_store_event_range(struct pd_store *st, const char *kind,
	    int64_t since, int64_t until, pd_event_cb cb, void *arg);
/* pd_store_digest_last - end of queue's last scheduled digest; 0: none */
int	 pd_store_digest_last(struct pd_store *st, const char *queue,
	    int64_t *period_end);
/*
 * pd_store_digest_mark - record queue's digest for [since, until); *fresh
 * is false (and nothing written) when that period was recorded before
 */
int	 pd_store_digest_mark(struct pd_store *st, const char *queue,
	    int64_t since, int64_t until, int64_t now, bool *fresh);

/* pd_outbox_clear - free the strings of o and zero it */
void	 pd_outbox_clear(struct pd_outbox *o);
const char *pd_outbox_state_name(enum pd_outbox_state s);

/* pd_ticket_clear - free the strings of t and zero it */
void	 pd_ticket_clear(struct pd_ticket *t);
const char *pd_ticket_status_name(enum pd_ticket_status s);
/* pd_ticket_status_parse - name to status; -1 when unknown */
int	 pd_ticket_status_parse(const char *name);

#endif
