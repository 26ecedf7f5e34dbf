/*
 * pd_slawatch.h - the SLA watch: warnings before a breach, breaches
 *
 * PURPOSE	Run by the worker whenever the earliest watch time of any
 *		ticket (pd_store_sla_next) comes: for every ticket whose time
 *		has come, send the warning that is due (outbox kind
 *		"warning", to the assignee, or to the queue's agents when
 *		nobody is assigned) and record the breach that is due (a
 *		"breach" event, detail "first-response" or "resolution").
 * DESIGN	One transaction per pass: the warning rows, the breach
 *		events and the tickets' new flags and watch times commit
 *		together, so a crash repeats a pass whole or not at all and
 *		nothing is sent or recorded twice.  What is due is decided
 *		by pd_slaclock, the same code that set the watch time.
 *		Log lines, one per action:
 *		  PD-7: sla=warning, target=first-response, due=..., to=<a>
 *		  PD-7: sla=breach, target=resolution, due=...
 * OWNERSHIP	Everything is borrowed.
 * ERRORS	Store errors; the pass is then rolled back and redone later.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_SLAWATCH_H
#define PD_SLAWATCH_H

#include <stdint.h>

#include "pd_conf.h"
#include "pd_key.h"
#include "pd_store.h"

/* Tickets looked at in one pass (and one transaction). */
#define PD_SLAWATCH_BATCH	64

struct pd_slawatch_result {
	long	 tickets;		/* looked at */
	long	 warnings;		/* mails queued */
	long	 breaches;		/* recorded */
};

/*
 * pd_slawatch_run - one pass at now; *res counts what it did.  Call again
 * while res->tickets == PD_SLAWATCH_BATCH.
 */
int	 pd_slawatch_run(struct pd_store *st, const struct pd_conf *conf,
	    const struct pd_key *key, int64_t now,
	    struct pd_slawatch_result *res);

#endif
