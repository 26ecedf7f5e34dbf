/*
 * worker.h - postdesk-worker internals
 *
 * PURPOSE	The worker owns what happens after the SMTP session: it
 *		delivers the outbox over SMTP to [smtp] relay, runs the SLA
 *		watch (pd_slawatch) and queues the managers' digests on
 *		schedule (pd_digest_due).
 * DESIGN	main.c sleeps in poll() on the nudge socket and a signalfd,
 *		at most until the next due row; deliver.c claims due rows (a
 *		lease, so a crash gives them back) and renders each; sender.c
 *		sends the batch over [smtp] connections sessions at once;
 *		deliver.c checks each 250 against the relay's record as it
 *		comes and records the outcomes in one transaction.  Only
 *		sender.c's threads run in parallel, and they touch nothing
 *		but their job and their own SMTP session.
 * OWNERSHIP	struct worker is main()'s; deliver.c borrows it.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef WORKER_H
#define WORKER_H

#include <stdint.h>

#include "pd_buf.h"
#include "pd_conf.h"
#include "pd_key.h"
#include "pd_smtp.h"
#include "pd_store.h"

#define WORKER_BATCH	32		/* rows claimed at a time */
#define WORKER_LEASE	300		/* seconds a claimed row is ours */
#define WORKER_EXPIRED	1		/* sender_job.rc: not sent, too late */

/* The outcome of one row, written with the batch's others at once. */
struct worker_outcome {
	int64_t			 id;
	enum pd_outbox_state	 state;
	char			 detail[PD_SMTP_TEXT_MAX + 16];
	int64_t			 due;
};

/* One message for sender.c: the input, then the relay's verdict. */
struct sender_job {
	const char		*mail_from;	/* "" for the null sender */
	const char		*recipient;
	const char		*msg;		/* NULL: skip, rc is preset */
	size_t			 len;
	int			 rc;	/* PD_OK, PD_ETEMP, PD_EPERMFAIL */
	struct pd_smtp_reply	 reply;
};

struct sender_pool;

/* A claimed row between its claim and its outcome. */
struct worker_item {
	int64_t			 id;
	int64_t			 ticket_id;
	int			 attempts;
	char			 kind[16];
	char			*recipient;
	char			*message_id;	/* may be NULL */
	struct pd_buf		 msg;
};

struct worker {
	struct pd_conf		*conf;
	const struct pd_key	*key;
	struct pd_store		*st;
	struct sender_pool	*senders;
	struct worker_item	 items[WORKER_BATCH];
	struct sender_job	 jobs[WORKER_BATCH];
	int			 n_items;
	struct worker_outcome	 done[WORKER_BATCH];
	int			 n_done;
	int64_t			 digest_next;	/* next scheduled digest */
};

/* deliver.c */
int	worker_deliver_due(struct worker *w, int64_t now);
int64_t	worker_backoff(int attempts);

/* sender.c */
struct sender_pool *sender_pool_new(const char *relay, int timeout_s, int n,
	    struct pd_err *err);
typedef void (*sender_done_fn)(int index, void *arg);
void	sender_pool_run(struct sender_pool *p, struct sender_job *jobs, int n,
	    sender_done_fn done, void *arg);
void	sender_pool_renew(struct sender_pool *p);
void	sender_pool_free(struct sender_pool **pp);

#endif
