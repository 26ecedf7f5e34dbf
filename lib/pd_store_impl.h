/*
 * pd_store_impl.h - what a store backend implements (private to lib/)
 *
 * PURPOSE	The vtable behind pd_store.h.  pd_store.c picks a backend
 *		from the database name and forwards every call; a backend is
 *		one file that fills in struct pd_store_ops.
 * OWNERSHIP	The backend allocates its handle in open and frees it in
 *		close; struct pd_store is its first member.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_STORE_IMPL_H
#define PD_STORE_IMPL_H

#include "pd_store.h"

struct pd_store_ops {
	const char *name;
	int	(*migrate)(const char *path, struct pd_err *err);
	struct pd_store *(*open)(const char *path, long timeout_ms,
		    struct pd_err *err);
	void	(*close)(struct pd_store *st);
	int	(*check)(struct pd_store *st, struct pd_err *err);
	int	(*relax)(struct pd_store *st);
	int	(*limit_cache)(struct pd_store *st, long kib);
	int	(*begin)(struct pd_store *st);
	int	(*commit)(struct pd_store *st);
	void	(*rollback)(struct pd_store *st);
	int	(*ticket_insert)(struct pd_store *st, struct pd_ticket *t);
	int	(*ticket_get)(struct pd_store *st, int64_t id,
		    struct pd_ticket *t);
	int	(*ticket_by_message_id)(struct pd_store *st,
		    const char *msgid, int64_t *ticket_id);
	int	(*ticket_touch)(struct pd_store *st, int64_t id, int64_t now);
	int	(*message_insert)(struct pd_store *st,
		    const struct pd_message_rec *m);
	int	(*ticket_update)(struct pd_store *st,
		    const struct pd_ticket_update *u);
	int	(*event_add)(struct pd_store *st, const struct pd_event *e);
	int	(*event_list)(struct pd_store *st, int64_t ticket_id,
		    pd_event_cb cb, void *arg);
	int	(*stats)(struct pd_store *st, int64_t since, pd_stat_cb cb,
		    void *arg);
	int	(*counter_add)(struct pd_store *st, const char *name,
		    const char *label, int64_t n);
	int	(*outbox_cancel)(struct pd_store *st, int64_t ticket_id,
		    const char *kind, const char *why, long *n);
	int	(*csat_survey)(struct pd_store *st, int64_t survey_id,
		    int64_t *ticket_id);
	int	(*csat_answered)(struct pd_store *st, int64_t ticket_id,
		    long *n);
	int	(*outbox_bounced)(struct pd_store *st, const char *recipient,
		    long *n);
	int	(*csat_record)(struct pd_store *st,
		    const struct pd_csat_answer *a, long window, int *outcome);
	int	(*csat_list)(struct pd_store *st, int64_t since,
		    pd_csat_cb cb, void *arg);
	int	(*ticket_list)(struct pd_store *st,
		    const struct pd_ticket_filter *f, pd_ticket_cb cb,
		    void *arg);
	int	(*message_list)(struct pd_store *st, int64_t ticket_id,
		    pd_message_cb cb, void *arg);
	int	(*sla_due)(struct pd_store *st, int64_t now, int limit,
		    pd_ticket_cb cb, void *arg);
	int	(*sla_next)(struct pd_store *st, int64_t *at);
	int	(*sla_mark)(struct pd_store *st, int64_t id, int flags,
		    int64_t next_at);
	int	(*digest_tickets)(struct pd_store *st,
		    const struct pd_digest_scan *f, pd_ticket_cb cb,
		    void *arg);
	int	(*event_range)(struct pd_store *st, const char *kind,
		    int64_t since, int64_t until, pd_event_cb cb, void *arg);
	int	(*digest_last)(struct pd_store *st, const char *queue,
		    int64_t *period_end);
	int	(*digest_mark)(struct pd_store *st, const char *queue,
		    int64_t since, int64_t until, int64_t now, bool *fresh);
	int	(*outbox_insert)(struct pd_store *st, struct pd_outbox *o);
	int	(*outbox_count)(struct pd_store *st, const char *kind,
		    const char *recipient, int64_t since, long *count);
	int	(*outbox_claim)(struct pd_store *st, int64_t now, int lease,
		    int limit, pd_outbox_cb cb, void *arg);
	int	(*outbox_finish)(struct pd_store *st, int64_t id,
		    enum pd_outbox_state state, const char *detail,
		    int64_t due, int64_t now);
	int	(*outbox_reclaim)(struct pd_store *st, int64_t now, long *n);
	int	(*outbox_next_due)(struct pd_store *st, int64_t *due);
	int	(*outbox_list)(struct pd_store *st, int state, int limit,
		    pd_outbox_cb cb, void *arg);
	int	(*outbox_retry)(struct pd_store *st, int64_t id, int64_t now);
	int	(*relay_record)(struct pd_store *st, const char *message_id,
		    const char *queue_id, int64_t now, int *seen);
	int	(*relay_seen)(struct pd_store *st, const char *message_id,
		    bool *seen);
};

struct pd_store {
	const struct pd_store_ops *ops;
};

extern const struct pd_store_ops pd_store_sqlite_ops;

#endif
