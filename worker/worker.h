/*
 * worker.h - postdesk-worker internals
 *
 * PURPOSE	The worker owns what happens after the SMTP session: it
 *		delivers the outbox over SMTP to [smtp] relay.  (SLA watch,
 *		surveys and digests join it in later issues.)
 * DESIGN	Single-threaded.  main.c sleeps in poll() on the nudge socket
 *		and a signalfd, at most until the next due row; deliver.c
 *		claims due rows (a lease, so a crash gives them back), renders
 *		and sends each, and records the outcome.
 * OWNERSHIP	struct worker is main()'s; deliver.c borrows it.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef WORKER_H
#define WORKER_H

#include <stdint.h>

#include "pd_conf.h"
#include "pd_key.h"
#include "pd_smtp.h"
#include "pd_store.h"

#define WORKER_BATCH	20		/* rows claimed at a time */
#define WORKER_LEASE	300		/* seconds a claimed row is ours */

/* The outcome of one row, written with the batch's others at once. */
struct worker_outcome {
	int64_t			 id;
	enum pd_outbox_state	 state;
	char			 detail[PD_SMTP_TEXT_MAX + 16];
	int64_t			 due;
};

struct worker {
	struct pd_conf		*conf;
	const struct pd_key	*key;
	struct pd_store		*st;
	struct pd_smtp		*smtp;		/* kept open across rows */
	struct worker_outcome	 done[WORKER_BATCH];
	int			 n_done;
};

/* deliver.c */
int	worker_deliver_due(struct worker *w, int64_t now);
int64_t	worker_backoff(int attempts);

#endif
