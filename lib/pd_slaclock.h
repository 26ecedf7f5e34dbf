/*
 * pd_slaclock.h - a ticket's SLA clocks: due times, warnings, breaches
 *
 * PURPOSE	Keep the SLA state stored with each ticket right through
 *		every change (a new ticket, an answer, a status, a priority),
 *		and tell the watch (pd_slawatch) and the digest where a ticket
 *		stands at an instant.
 * DESIGN	Two targets per ticket, from its queue's policy and its
 *		priority, both in open (business) time:
 *		  first response  from creation to the first answer that
 *				  reaches the customer; first_response_due
 *				  is the instant it is used up
 *		  resolution	  a clock that runs while the ticket is new
 *				  or open, and while pending unless the
 *				  policy's pause_pending is on; it stops at
 *				  a resolution and runs again at a reopen.
 *				  res_used is the open time it counted
 *				  before res_since, the instant it runs
 *				  since (0 when stopped); resolution_due is
 *				  the instant it reaches the target: ahead
 *				  while it runs short of it, the instant it
 *				  got there once past it (kept across stops
 *				  and restarts; a priority change that moves
 *				  the target below the time counted makes it
 *				  the instant of the change), 0 while stopped
 *				  short of it
 *		A warning is due when warn_before of open time is left on a
 *		target (at the next open instant from the start when the
 *		target is shorter than that); a breach when it is used up.
 *		sla_flags remember what was done
 *		(a warning or a breach is done once per target; a priority
 *		change makes a new promise and clears a warning not yet
 *		followed by a breach), and sla_next_at is the earliest
 *		instant something remains to be done, so the watch reads only
 *		the tickets whose time has come (an index on it).
 * OWNERSHIP	Everything is borrowed.
 * ERRORS	pd_ticket_change() passes the store's code through.
 * THREADS	Reentrant.
 * SEE ALSO	pd_sla.h (the calendar), pd_slawatch.h, pd_digest.h.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_SLACLOCK_H
#define PD_SLACLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "pd_conf.h"
#include "pd_store.h"

/* sla_flags */
#define PD_SLA_FR_WARNED	0x1
#define PD_SLA_FR_BREACHED	0x2
#define PD_SLA_RES_WARNED	0x4
#define PD_SLA_RES_BREACHED	0x8

/* Where a ticket stands at an instant. */
struct pd_sla_view {
	bool	 answered;		/* first response given */
	bool	 fr_open;		/* first response still owed */
	int64_t	 fr_due;		/* 0: unknown */
	int64_t	 fr_warn_at;		/* 0: unknown */
	long	 fr_left;		/* open s to fr_due, < 0 past it */
	bool	 res_open;		/* not resolved */
	bool	 res_running;		/* the resolution clock runs */
	long	 res_target;		/* open s */
	long	 res_used;		/* open s counted at the instant */
	int64_t	 res_due;		/* 0 when stopped */
	int64_t	 res_warn_at;		/* 0 when stopped */
	/* past: the target is used up and not met; risk: not past, and at
	 * most warn_before of open time is left on a running clock */
	bool	 fr_past;
	bool	 fr_risk;
	bool	 res_past;
	bool	 res_risk;
};

/* pd_slaclock_runs - whether the resolution clock runs in status s */
bool	 pd_slaclock_runs(const struct pd_conf_sla *sla,
	    enum pd_ticket_status s);

/*
 * pd_slaclock_start - the SLA fields of a new ticket t from its
 * created_at, status and priority: both due times, the clock running
 * from creation, no flags, the first watch time
 */
void	 pd_slaclock_start(const struct pd_conf_sla *sla, struct pd_ticket *t);

/*
 * pd_slaclock_apply - add to u (a change of ticket t at u->now) what it
 * does to the clocks: stop or start the resolution clock, new due times
 * after a priority change, flags and the next watch time; sets
 * PD_TU_CLOCK (and PD_TU_FIRST_DUE when the first-response due time
 * moves)
 */
void	 pd_slaclock_apply(const struct pd_conf_sla *sla,
	    const struct pd_ticket *t, struct pd_ticket_update *u);

/* pd_slaclock_view - where t stands at now */
void	 pd_slaclock_view(const struct pd_conf_sla *sla,
	    const struct pd_ticket *t, int64_t now, struct pd_sla_view *v);

/*
 * pd_slaclock_next - the earliest instant >= 1 at which a warning or a
 * breach of t is due and not yet done (it may be <= now), or 0 for none
 */
int64_t	 pd_slaclock_next(const struct pd_conf_sla *sla,
	    const struct pd_ticket *t, int64_t now);

/*
 * pd_ticket_change - apply u to ticket t (as read in this transaction)
 * with its clocks: every change of a ticket goes through here
 */
int	 pd_ticket_change(struct pd_store *st, const struct pd_conf_sla *sla,
	    const struct pd_ticket *t, struct pd_ticket_update *u);

#endif
