/*
 * pd_store.c - store front end: backend choice and dispatch
 *
 * PURPOSE	See pd_store.h.  Picks the backend from the database name:
 *		"postgresql://..." is reserved for the multi-host backend,
 *		anything else is a SQLite file path.
 *		Every call but close and rollback passes STORE_FAULT()
 *		first: the test-only fault injection of pd_fault.h, which is
 *		implemented at the end of this file.
 * THREADS	Reentrant; handles are per thread.  The fault counters are
 *		for single-threaded tests (pd_fault.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "pd_fault.h"
#include "pd_mem.h"
#include "pd_store_impl.h"

/*
 * STORE_FAULT - return the injected code when pd_fault.h says this call
 * fails; while nothing is armed, one predicted-not-taken branch
 */
#define STORE_FAULT() do {						\
	if (__builtin_expect(pd_fault_on != 0, 0)) {			\
		int fault_rc_ = pd_fault_hit();				\
									\
		if (fault_rc_ != PD_OK)					\
			return fault_rc_;				\
	}								\
} while (0)

/* store_backend - backend for a database name, or NULL */
static const struct pd_store_ops *
store_backend(const char *path, struct pd_err *err)
{
	if (strncmp(path, "postgresql:", 11) == 0 ||
	    strncmp(path, "postgres:", 9) == 0) {
		pd_err_set(err, PD_EPERMFAIL, "%s: the PostgreSQL backend is "
		    "not part of this build; use a SQLite file path", path);
		return NULL;
	}
	return &pd_store_sqlite_ops;
}

/* pd_store_migrate - create or upgrade */
int
pd_store_migrate(const char *path, struct pd_err *err)
{
	const struct pd_store_ops *ops = store_backend(path, err);

	STORE_FAULT();
	return ops ? ops->migrate(path, err) : PD_EPERMFAIL;
}

/* pd_store_open - open an existing database */
struct pd_store *
pd_store_open(const char *path, long timeout_ms, struct pd_err *err)
{
	const struct pd_store_ops *ops = store_backend(path, err);
	int rc = PD_OK;

	if (__builtin_expect(pd_fault_on != 0, 0))
		rc = pd_fault_hit();
	if (rc != PD_OK) {
		pd_err_set(err, rc, "%s: injected fault", path);
		return NULL;
	}
	return ops ? ops->open(path, timeout_ms, err) : NULL;
}

/* pd_store_close - close (NULL-safe) */
void
pd_store_close(struct pd_store **st)
{
	if (*st == NULL)
		return;
	(*st)->ops->close(*st);
	*st = NULL;
}

int
pd_store_check(struct pd_store *st, struct pd_err *err)
{
	STORE_FAULT();
	return st->ops->check(st, err);
}

int
pd_store_relax(struct pd_store *st)
{
	STORE_FAULT();
	return st->ops->relax(st);
}

int
pd_store_limit_cache(struct pd_store *st, long kib)
{
	STORE_FAULT();
	return st->ops->limit_cache(st, kib);
}

int
pd_store_begin(struct pd_store *st)
{
	STORE_FAULT();
	return st->ops->begin(st);
}

int
pd_store_commit(struct pd_store *st)
{
	STORE_FAULT();
	return st->ops->commit(st);
}

void
pd_store_rollback(struct pd_store *st)
{
	st->ops->rollback(st);
}

int
pd_store_ticket_insert(struct pd_store *st, struct pd_ticket *t)
{
	STORE_FAULT();
	return st->ops->ticket_insert(st, t);
}

int
pd_store_ticket_get(struct pd_store *st, int64_t id, struct pd_ticket *t)
{
	STORE_FAULT();
	return st->ops->ticket_get(st, id, t);
}

int
pd_store_ticket_by_message_id(struct pd_store *st, const char *msgid,
    int64_t *ticket_id)
{
	STORE_FAULT();
	return st->ops->ticket_by_message_id(st, msgid, ticket_id);
}

int
pd_store_ticket_touch(struct pd_store *st, int64_t id, int64_t now)
{
	STORE_FAULT();
	return st->ops->ticket_touch(st, id, now);
}

int
pd_store_ticket_update(struct pd_store *st, const struct pd_ticket_update *u)
{
	STORE_FAULT();
	return st->ops->ticket_update(st, u);
}

int
pd_store_stats(struct pd_store *st, int64_t since, pd_stat_cb cb, void *arg)
{
	STORE_FAULT();
	return st->ops->stats(st, since, cb, arg);
}

int
pd_store_outbox_cancel(struct pd_store *st, int64_t ticket_id,
    const char *kind, const char *why, long *n)
{
	STORE_FAULT();
	return st->ops->outbox_cancel(st, ticket_id, kind, why, n);
}

int
pd_store_outbox_bounced(struct pd_store *st, const char *recipient, long *n)
{
	STORE_FAULT();
	return st->ops->outbox_bounced(st, recipient, n);
}

int
pd_store_csat_survey(struct pd_store *st, int64_t survey_id,
    int64_t *ticket_id)
{
	STORE_FAULT();
	return st->ops->csat_survey(st, survey_id, ticket_id);
}

int
pd_store_csat_answered(struct pd_store *st, int64_t ticket_id, long *n)
{
	STORE_FAULT();
	return st->ops->csat_answered(st, ticket_id, n);
}

int
pd_store_csat_record(struct pd_store *st, const struct pd_csat_answer *a,
    long window, int *outcome)
{
	STORE_FAULT();
	return st->ops->csat_record(st, a, window, outcome);
}

int
pd_store_csat_list(struct pd_store *st, int64_t since, pd_csat_cb cb,
    void *arg)
{
	STORE_FAULT();
	return st->ops->csat_list(st, since, cb, arg);
}

int
pd_store_counter_add(struct pd_store *st, const char *name, const char *label,
    int64_t n)
{
	STORE_FAULT();
	return st->ops->counter_add(st, name, label, n);
}

int
pd_store_event_add(struct pd_store *st, const struct pd_event *e)
{
	STORE_FAULT();
	return st->ops->event_add(st, e);
}

int
pd_store_event_list(struct pd_store *st, int64_t ticket_id, pd_event_cb cb,
    void *arg)
{
	STORE_FAULT();
	return st->ops->event_list(st, ticket_id, cb, arg);
}

int
pd_store_message_insert(struct pd_store *st, const struct pd_message_rec *m)
{
	STORE_FAULT();
	return st->ops->message_insert(st, m);
}

int
pd_store_ticket_list(struct pd_store *st, const struct pd_ticket_filter *f,
    pd_ticket_cb cb, void *arg)
{
	STORE_FAULT();
	return st->ops->ticket_list(st, f, cb, arg);
}

int
pd_store_message_list(struct pd_store *st, int64_t ticket_id,
    pd_message_cb cb, void *arg)
{
	STORE_FAULT();
	return st->ops->message_list(st, ticket_id, cb, arg);
}

int
pd_store_outbox_insert(struct pd_store *st, struct pd_outbox *o)
{
	STORE_FAULT();
	return st->ops->outbox_insert(st, o);
}

int
pd_store_outbox_count(struct pd_store *st, const char *kind,
    const char *recipient, int64_t since, long *count)
{
	STORE_FAULT();
	return st->ops->outbox_count(st, kind, recipient, since, count);
}

int
pd_store_outbox_claim(struct pd_store *st, int64_t now, int lease,
    int limit, pd_outbox_cb cb, void *arg)
{
	STORE_FAULT();
	return st->ops->outbox_claim(st, now, lease, limit, cb, arg);
}

int
pd_store_outbox_finish(struct pd_store *st, int64_t id,
    enum pd_outbox_state state, const char *detail, int64_t due,
    int64_t now)
{
	STORE_FAULT();
	return st->ops->outbox_finish(st, id, state, detail, due, now);
}

int
pd_store_outbox_reclaim(struct pd_store *st, int64_t now, long *n)
{
	STORE_FAULT();
	return st->ops->outbox_reclaim(st, now, n);
}

int
pd_store_outbox_next_due(struct pd_store *st, int64_t *due)
{
	STORE_FAULT();
	return st->ops->outbox_next_due(st, due);
}

int
pd_store_outbox_list(struct pd_store *st, int state, int limit,
    pd_outbox_cb cb, void *arg)
{
	STORE_FAULT();
	return st->ops->outbox_list(st, state, limit, cb, arg);
}

int
pd_store_outbox_retry(struct pd_store *st, int64_t id, int64_t now)
{
	STORE_FAULT();
	return st->ops->outbox_retry(st, id, now);
}

int
pd_store_relay_record(struct pd_store *st, const char *message_id,
    const char *queue_id, int64_t now, int *seen)
{
	STORE_FAULT();
	return st->ops->relay_record(st, message_id, queue_id, now, seen);
}

int
pd_store_relay_seen(struct pd_store *st, const char *message_id, bool *seen)
{
	STORE_FAULT();
	return st->ops->relay_seen(st, message_id, seen);
}

static const char *const outbox_state_names[] = {
	"pending", "sending", "sent", "failed", "cancelled",
};

/* pd_outbox_state_name - state as stored and shown */
const char *
pd_outbox_state_name(enum pd_outbox_state s)
{
	return (unsigned)s < 5 ? outbox_state_names[s] : "unknown";
}

/* pd_outbox_clear - free owned strings */
void
pd_outbox_clear(struct pd_outbox *o)
{
	pd_xfree(&o->kind);
	pd_xfree(&o->recipient);
	pd_xfree(&o->message_id);
	pd_xfree(&o->in_reply_to);
	pd_xfree(&o->refs);
	pd_xfree(&o->last_error);
	pd_xfree(&o->relay_queue_id);
	pd_xfree(&o->body);
	memset(o, 0, sizeof(*o));
}

static const char *const status_names[] = {
	"new", "open", "pending", "resolved",
};

/* pd_ticket_status_name - status as stored and shown */
const char *
pd_ticket_status_name(enum pd_ticket_status s)
{
	return (unsigned)s < 4 ? status_names[s] : "unknown";
}

/* pd_ticket_status_parse - name to status, -1 if unknown */
int
pd_ticket_status_parse(const char *name)
{
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(name, status_names[i]) == 0)
			return i;
	return -1;
}

/* pd_ticket_clear - free owned strings */
void
pd_ticket_clear(struct pd_ticket *t)
{
	pd_xfree(&t->queue);
	pd_xfree(&t->customer);
	pd_xfree(&t->customer_name);
	pd_xfree(&t->subject);
	pd_xfree(&t->assignee);
	pd_xfree(&t->language);
	memset(t, 0, sizeof(*t));
}

int
pd_store_sla_due(struct pd_store *st, int64_t now, int limit,
    pd_ticket_cb cb, void *arg)
{
	STORE_FAULT();
	return st->ops->sla_due(st, now, limit, cb, arg);
}

int
pd_store_sla_next(struct pd_store *st, int64_t *at)
{
	STORE_FAULT();
	return st->ops->sla_next(st, at);
}

int
pd_store_sla_mark(struct pd_store *st, int64_t id, int flags,
    int64_t next_at)
{
	STORE_FAULT();
	return st->ops->sla_mark(st, id, flags, next_at);
}

int
pd_store_digest_tickets(struct pd_store *st, const struct pd_digest_scan *f,
    pd_ticket_cb cb, void *arg)
{
	STORE_FAULT();
	return st->ops->digest_tickets(st, f, cb, arg);
}

int
pd_store_event_range(struct pd_store *st, const char *kind, int64_t since,
    int64_t until, pd_event_cb cb, void *arg)
{
	STORE_FAULT();
	return st->ops->event_range(st, kind, since, until, cb, arg);
}

int
pd_store_digest_last(struct pd_store *st, const char *queue,
    int64_t *period_end)
{
	STORE_FAULT();
	return st->ops->digest_last(st, queue, period_end);
}

int
pd_store_digest_mark(struct pd_store *st, const char *queue, int64_t since,
    int64_t until, int64_t now, bool *fresh)
{
	STORE_FAULT();
	return st->ops->digest_mark(st, queue, since, until, now, fresh);
}

/*
 * The fault injection of pd_fault.h.  fault_at is the call number that
 * fails (0: none), fault_calls the calls counted since pd_fault_set().
 */
int pd_fault_on;
static long fault_at;
static long fault_calls;
static long fault_fired;
static int fault_rc;

static const struct {
	const char	*kind;
	int		 code;
} fault_kinds[] = {
	{ "none", PD_OK },
	{ "busy", PD_ETEMP },
	{ "full", PD_ETEMP },
	{ "ioerr", PD_ETEMP },
	{ "nomem", PD_ETEMP },
	{ "perm", PD_EPERMFAIL },
};

/* pd_fault_code - the code of a kind name */
int
pd_fault_code(const char *kind)
{
	size_t i;

	for (i = 0; i < sizeof(fault_kinds) / sizeof(fault_kinds[0]); i++)
		if (strcmp(kind, fault_kinds[i].kind) == 0)
			return fault_kinds[i].code;
	return PD_EINVAL;
}

/* pd_fault_set - arm the n-th call from now, or count only ("none") */
int
pd_fault_set(const char *kind, long n)
{
	int code = pd_fault_code(kind);

	if (code == PD_EINVAL || (code != PD_OK && n < 1))
		return PD_EINVAL;
	fault_rc = code;
	fault_at = code == PD_OK ? 0 : n;
	fault_calls = 0;
	fault_fired = 0;
	pd_fault_on = 1;
	return PD_OK;
}

/* pd_fault_clear - disarm; the figures stay */
void
pd_fault_clear(void)
{
	pd_fault_on = 0;
	fault_at = 0;
}

/* pd_fault_calls - calls counted */
long
pd_fault_calls(void)
{
	return fault_calls;
}

/* pd_fault_fired - the call that failed, or 0 */
long
pd_fault_fired(void)
{
	return fault_fired;
}

/* pd_fault_hit - count one call; the injected code for the armed one */
int
pd_fault_hit(void)
{
	if (++fault_calls != fault_at)
		return PD_OK;
	fault_fired = fault_calls;
	return fault_rc;
}
