/*
 * pd_slaclock.c - a ticket's SLA clocks: due times, warnings, breaches
 *
 * PURPOSE	See pd_slaclock.h.
 * DESIGN	Every instant comes from pd_sla_due() and every amount of
 *		open time from pd_sla_elapsed(), so the watch, the digest and
 *		the promise in the acknowledgement agree to the second.  A
 *		due time that the calendar cannot give (a policy without open
 *		hours within PD_SLA_SEARCH_DAYS) is 0: nothing is watched.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pd_sla.h"
#include "pd_slaclock.h"

/* clock_due - open seconds after start (negative: none), or 0 */
static int64_t
clock_due(const struct pd_conf_sla *sla, int64_t start, long seconds)
{
	int64_t due;

	if (start <= 0)
		return 0;
	return pd_sla_due(sla, start, seconds > 0 ? seconds : 0, &due) ==
	    PD_OK ? due : 0;
}

/* earliest - the earlier of two instants, 0 meaning none */
static int64_t
earliest(int64_t a, int64_t b)
{
	if (a <= 0)
		return b;
	return b > 0 && b < a ? b : a;
}

/* pd_slaclock_runs - see pd_slaclock.h */
bool
pd_slaclock_runs(const struct pd_conf_sla *sla, enum pd_ticket_status s)
{
	return s == PD_TS_NEW || s == PD_TS_OPEN ||
	    (s == PD_TS_PENDING && !sla->pause_pending);
}

/* pd_slaclock_view - see pd_slaclock.h */
void
pd_slaclock_view(const struct pd_conf_sla *sla, const struct pd_ticket *t,
    int64_t now, struct pd_sla_view *v)
{
	long fr = sla->first_response[t->priority];

	v->answered = t->first_response_at > 0;
	v->fr_due = t->first_response_due;
	v->fr_open = !v->answered && t->status != PD_TS_RESOLVED &&
	    v->fr_due > 0;
	v->fr_warn_at = v->fr_due > 0 ?
	    clock_due(sla, t->created_at, fr - sla->warn_before) : 0;
	if (v->fr_due <= 0)
		v->fr_left = 0;
	else if (now < v->fr_due)
		v->fr_left = pd_sla_elapsed(sla, now, v->fr_due);
	else
		v->fr_left = -pd_sla_elapsed(sla, v->fr_due, now);
	v->res_open = t->status != PD_TS_RESOLVED;
	v->res_running = t->res_since > 0;
	v->res_target = sla->resolution[t->priority];
	v->res_used = (long)t->res_used;
	if (v->res_running && now > t->res_since)
		v->res_used += pd_sla_elapsed(sla, t->res_since, now);
	v->res_due = t->resolution_due;
	v->res_warn_at = v->res_running ? clock_due(sla, t->res_since,
	    v->res_target - sla->warn_before - (long)t->res_used) : 0;
	v->fr_past = v->fr_open && now >= v->fr_due;
	v->fr_risk = v->fr_open && !v->fr_past &&
	    v->fr_left <= sla->warn_before;
	v->res_past = v->res_open && v->res_used >= v->res_target;
	v->res_risk = v->res_open && !v->res_past && v->res_running &&
	    v->res_due > 0 && v->res_target - v->res_used <= sla->warn_before;
}

/* pd_slaclock_next - see pd_slaclock.h */
int64_t
pd_slaclock_next(const struct pd_conf_sla *sla, const struct pd_ticket *t,
    int64_t now)
{
	struct pd_sla_view v;
	int64_t next = 0;
	int f = t->sla_flags;

	pd_slaclock_view(sla, t, now, &v);
	if (v.fr_open && !(f & PD_SLA_FR_BREACHED)) {
		if (!(f & PD_SLA_FR_WARNED))
			next = earliest(next, v.fr_warn_at);
		next = earliest(next, v.fr_due);
	}
	if (v.res_open && !(f & PD_SLA_RES_BREACHED)) {
		if (v.res_used >= v.res_target)
			next = earliest(next, now > 0 ? now : 1);
		else if (v.res_running) {
			if (!(f & PD_SLA_RES_WARNED))
				next = earliest(next, v.res_warn_at);
			next = earliest(next, v.res_due);
		}
	}
	return next;
}

/* pd_slaclock_start - see pd_slaclock.h */
void
pd_slaclock_start(const struct pd_conf_sla *sla, struct pd_ticket *t)
{
	t->first_response_due = clock_due(sla, t->created_at,
	    sla->first_response[t->priority]);
	t->res_used = 0;
	t->res_since = pd_slaclock_runs(sla, t->status) ? t->created_at : 0;
	t->resolution_due = clock_due(sla, t->res_since,
	    sla->resolution[t->priority]);
	t->sla_flags = 0;
	t->sla_next_at = pd_slaclock_next(sla, t, t->created_at);
}

/*
 * res_reached - the instant the resolution clock of a (t after a change
 * at now) reaches its target: ahead on a running clock; for a clock
 * already past it, the instant it got there while it last ran, or now
 * when a new priority moved the target below the time counted; 0 for a
 * stopped clock short of its target
 */
static int64_t
res_reached(const struct pd_conf_sla *sla, const struct pd_ticket *t,
    const struct pd_ticket *a, bool new_priority, int64_t now)
{
	long target = sla->resolution[a->priority];
	int64_t due;

	if (a->res_used < target) {
		due = clock_due(sla, a->res_since, target - (long)a->res_used);
		return new_priority && due > 0 && due < now ? now : due;
	}
	if (!new_priority && t->res_since > 0 && t->res_used < target)
		return clock_due(sla, t->res_since, target - (long)t->res_used);
	if (!new_priority && t->resolution_due > 0 && t->resolution_due <= now)
		return t->resolution_due;
	return now;
}

/* pd_slaclock_apply - see pd_slaclock.h */
void
pd_slaclock_apply(const struct pd_conf_sla *sla, const struct pd_ticket *t,
    struct pd_ticket_update *u)
{
	struct pd_ticket a = *t;	/* after u; strings borrowed */
	bool new_priority;
	bool runs;

	if (u->what & PD_TU_STATUS)
		a.status = u->status;
	if (u->what & PD_TU_PRIORITY)
		a.priority = u->priority;
	if ((u->what & PD_TU_FIRST_RESPONSE) && a.first_response_at == 0)
		a.first_response_at = u->now;
	new_priority = a.priority != t->priority;
	if (new_priority && a.first_response_at == 0) {
		u->first_response_due = clock_due(sla, a.created_at,
		    sla->first_response[a.priority]);
		u->what |= PD_TU_FIRST_DUE;
	}
	if (u->what & PD_TU_FIRST_DUE)
		a.first_response_due = u->first_response_due;
	runs = pd_slaclock_runs(sla, a.status);
	if (t->res_since > 0 && !runs) {
		if (u->now > t->res_since)
			a.res_used += pd_sla_elapsed(sla, t->res_since,
			    u->now);
		a.res_since = 0;
	} else if (t->res_since <= 0 && runs)
		a.res_since = u->now;
	if (new_priority) {
		if (!(a.sla_flags & PD_SLA_FR_BREACHED))
			a.sla_flags &= ~PD_SLA_FR_WARNED;
		if (!(a.sla_flags & PD_SLA_RES_BREACHED))
			a.sla_flags &= ~PD_SLA_RES_WARNED;
	}
	a.resolution_due = res_reached(sla, t, &a, new_priority, u->now);
	a.sla_next_at = pd_slaclock_next(sla, &a, u->now);
	u->res_used = a.res_used;
	u->res_since = a.res_since;
	u->resolution_due = a.resolution_due;
	u->sla_flags = a.sla_flags;
	u->sla_next_at = a.sla_next_at;
	u->what |= PD_TU_CLOCK;
}

/* pd_ticket_change - see pd_slaclock.h */
int
pd_ticket_change(struct pd_store *st, const struct pd_conf_sla *sla,
    const struct pd_ticket *t, struct pd_ticket_update *u)
{
	pd_slaclock_apply(sla, t, u);
	return pd_store_ticket_update(st, u);
}
