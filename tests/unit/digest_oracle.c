/*
 * digest_oracle.c - test_digest's own model of SLA clocks and digests
 *
 * PURPOSE	See digest_oracle.h.  Nothing here calls pd_sla,
 *		pd_slaclock, pd_slawatch or pd_digest; pd_conf and pd_store
 *		appear only for their enums.
 * DESIGN	The calendar keeps one byte per minute of its window and the
 *		prefix sum; F(t), the open seconds from the window's start to
 *		t, is the sum before t's minute times 60 plus t's seconds
 *		into its minute when that minute is open.  Open time in
 *		[a, b) is F(b) - F(a); a due instant is the least t with
 *		F(t) >= F(start) + n, found by bisection on t (F does not
 *		decrease).  An instant outside the window is a bug of the
 *		test: it aborts with a message.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "pd_mem.h"
#include "digest_oracle.h"

/* cal_fail - an instant outside the window: the test is wrong */
static void
cal_fail(const char *what, int64_t t)
{
	fprintf(stderr, "digest_oracle: %s %lld outside the window\n", what,
	    (long long)t);
	abort();
}

/* cal_holiday - whether yyyymmdd is one of p's holidays */
static bool
cal_holiday(const struct orc_policy *p, int ymd)
{
	size_t i;

	for (i = 0; i < p->n_holidays; i++)
		if (p->holidays[i] == ymd)
			return true;
	return false;
}

/* orc_cal_build - see digest_oracle.h */
int
orc_cal_build(struct orc_cal *c, const struct orc_policy *p, int64_t from,
    int64_t to)
{
	GTimeZone *tz = g_time_zone_new_identifier(p->zone);
	size_t i;

	if (tz == NULL)
		return -1;
	c->start = from - ((from % 60) + 60) % 60;
	c->n = (size_t)((to - c->start + 59) / 60);
	c->open = pd_xcalloc(c->n, 1);
	c->cum = pd_xcalloc(c->n + 1, sizeof(*c->cum));
	for (i = 0; i < c->n; i++) {
		GDateTime *u = g_date_time_new_from_unix_utc(c->start +
		    60 * (int64_t)i);
		GDateTime *l = g_date_time_to_timezone(u, tz);
		int dow = g_date_time_get_day_of_week(l) - 1;
		int mod = g_date_time_get_hour(l) * 60 +
		    g_date_time_get_minute(l);
		int ymd = g_date_time_get_year(l) * 10000 +
		    g_date_time_get_month(l) * 100 +
		    g_date_time_get_day_of_month(l);

		c->open[i] = !cal_holiday(p, ymd) && mod >= p->open_min[dow] &&
		    mod < p->close_min[dow];
		c->cum[i + 1] = c->cum[i] + c->open[i];
		g_date_time_unref(l);
		g_date_time_unref(u);
	}
	g_time_zone_unref(tz);
	return 0;
}

/* orc_cal_free - see digest_oracle.h */
void
orc_cal_free(struct orc_cal *c)
{
	pd_free(c->open);
	pd_free(c->cum);
	memset(c, 0, sizeof(*c));
}

/* cal_f - open seconds from the window's start to t */
static int64_t
cal_f(const struct orc_cal *c, int64_t t)
{
	size_t m;

	if (t < c->start || t > c->start + 60 * (int64_t)c->n)
		cal_fail("instant", t);
	m = (size_t)((t - c->start) / 60);
	if (m == c->n)
		return c->cum[m] * 60;
	return c->cum[m] * 60 + (c->open[m] ? (t - c->start) % 60 : 0);
}

/* orc_open - see digest_oracle.h */
bool
orc_open(const struct orc_cal *c, int64_t t)
{
	if (t < c->start || t >= c->start + 60 * (int64_t)c->n)
		cal_fail("instant", t);
	return c->open[(t - c->start) / 60] != 0;
}

/* orc_elapsed - see digest_oracle.h */
long
orc_elapsed(const struct orc_cal *c, int64_t a, int64_t b)
{
	return b <= a ? 0 : (long)(cal_f(c, b) - cal_f(c, a));
}

/* orc_due - see digest_oracle.h */
int64_t
orc_due(const struct orc_cal *c, int64_t start, long n)
{
	int64_t end = c->start + 60 * (int64_t)c->n;
	int64_t want, lo, hi;
	size_t m;

	if (n <= 0) {
		if (orc_open(c, start))
			return start;
		for (m = (size_t)((start - c->start) / 60) + 1; m < c->n; m++)
			if (c->open[m])
				return c->start + 60 * (int64_t)m;
		cal_fail("next opening after", start);
	}
	want = cal_f(c, start) + n;
	if (cal_f(c, end) < want)
		cal_fail("due time after", start);
	lo = start;
	hi = end;
	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;

		if (cal_f(c, mid) >= want)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* The replay of one ticket. */
struct eval {
	const struct orc_cal	*c;
	const struct orc_policy	*p;
	const struct synth_ticket *s;
	struct orc_ticket	*o;
	long			 used;		/* before since */
	int64_t			 since;		/* 0: stopped */
	bool			 fr_warned, fr_breached;
	bool			 res_warned, res_breached;
	int64_t			 run_start[ORC_MAX_RUNS];
	long			 run_used[ORC_MAX_RUNS];	/* before it */
	int64_t			 run_end[ORC_MAX_RUNS];	/* 0: running */
	size_t			 n_runs;
};

/* crit - remember an instant the oracle computed (ties) */
static int64_t
crit(struct eval *e, int64_t t)
{
	size_t i;

	for (i = 0; i < e->o->n_crit; i++)
		if (e->o->crit[i] == t)
			return t;
	if (e->o->n_crit == ORC_MAX_CRIT)
		abort();
	e->o->crit[e->o->n_crit++] = t;
	return t;
}

/* max64 - the later of two instants */
static int64_t
max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/* warn - a warning of one target at w */
static void
warn(struct eval *e, int64_t w, bool first)
{
	struct orc_ticket *o = e->o;

	if (o->n_warn == ORC_MAX_WARN)
		abort();
	o->warn[o->n_warn].at = w;
	o->warn[o->n_warn].first = first;
	o->warn[o->n_warn].to = o->assignee;
	o->n_warn++;
}

/* fr_due - the first-response due instant for priority p */
static int64_t
fr_due(struct eval *e, enum pd_priority pr)
{
	return crit(e, orc_due(e->c, e->s->created_at, e->p->fr[pr]));
}

/* interval_fr - the first response between two changes, [a, b] */
static void
interval_fr(struct eval *e, int64_t a, int64_t b)
{
	struct orc_ticket *o = e->o;
	int64_t x, w;

	if (o->answered_at != 0 || o->status == PD_TS_RESOLVED ||
	    e->fr_breached)
		return;
	x = max64(a, fr_due(e, o->priority));
	w = max64(a, crit(e, orc_due(e->c, e->s->created_at,
	    e->p->fr[o->priority] - e->p->warn)));
	if (!e->fr_warned && w < x && w <= b) {
		warn(e, w, true);
		e->fr_warned = true;
	}
	if (x <= b) {
		o->fr_breach_at = x;
		e->fr_breached = e->fr_warned = true;
	}
}

/* interval_res - the resolution clock between two changes, [a, b] */
static void
interval_res(struct eval *e, int64_t a, int64_t b)
{
	struct orc_ticket *o = e->o;
	long target = e->p->res[o->priority];
	long used_a;
	int64_t x, w;

	if (o->status == PD_TS_RESOLVED || e->res_breached)
		return;
	if (e->since == 0) {
		if (e->used >= target) {
			o->res_breach_at = a;
			e->res_breached = e->res_warned = true;
		}
		return;
	}
	used_a = e->used + orc_elapsed(e->c, e->since, a);
	x = used_a >= target ? a : crit(e, orc_due(e->c, a,
	    target - used_a));
	w = max64(a, crit(e, orc_due(e->c, e->since, target - e->p->warn -
	    e->used)));
	if (!e->res_warned && w < x && w <= b) {
		warn(e, w, false);
		e->res_warned = true;
	}
	if (x <= b) {
		o->res_breach_at = x;
		e->res_breached = e->res_warned = true;
	}
}

/* runs - whether the resolution clock runs in status s */
static bool
runs(const struct orc_policy *p, enum pd_ticket_status s)
{
	return s == PD_TS_NEW || s == PD_TS_OPEN ||
	    (s == PD_TS_PENDING && !p->pause_pending);
}

/* set_status - status s from at, with the clock */
static void
set_status(struct eval *e, enum pd_ticket_status s, int64_t at)
{
	bool before = e->since > 0, after = runs(e->p, s);

	if (before && !after) {
		e->used += orc_elapsed(e->c, e->since, at);
		e->run_end[e->n_runs - 1] = at;
		e->since = 0;
	} else if (!before && after) {
		if (e->n_runs == ORC_MAX_RUNS)
			abort();
		e->run_start[e->n_runs] = at;
		e->run_used[e->n_runs] = e->used;
		e->run_end[e->n_runs++] = 0;
		e->since = at;
	}
	e->o->status = s;
}

/* answer - the first answer fixes the first-response promise */
static void
answer(struct eval *e, int64_t at)
{
	if (e->o->answered_at == 0) {
		e->o->answered_at = at;
		e->o->fr_due = fr_due(e, e->o->priority);
	}
}

/* survey - a survey answer, or its change within the window */
static void
survey(struct eval *e, const struct synth_action *a)
{
	struct orc_ticket *o = e->o;
	struct orc_csat *x;

	if (a->kind == SYNTH_SURVEY || o->n_csat == 0) {
		if (o->n_csat == ORC_MAX_CSAT)
			abort();
		x = &o->csat[o->n_csat++];
		x->answered_at = a->at;
		x->grade = a->arg;
		x->comment = a->text;
		return;
	}
	x = &o->csat[o->n_csat - 1];
	if (a->at - x->answered_at <= e->p->csat_window) {
		x->grade = a->arg;
		if (a->text != NULL)
			x->comment = a->text;
	}
}

/* apply - one action */
static void
apply(struct eval *e, const struct synth_action *a)
{
	struct orc_ticket *o = e->o;

	switch (a->kind) {
	case SYNTH_ANSWER:
		answer(e, a->at);
		if (o->status != PD_TS_RESOLVED)
			set_status(e, PD_TS_PENDING, a->at);
		break;
	case SYNTH_RESOLVE:
		if (a->arg)
			answer(e, a->at);
		set_status(e, PD_TS_RESOLVED, a->at);
		o->resolved_at = a->at;
		o->resolved_used = e->used;
		break;
	case SYNTH_REPLY:
		if (o->status == PD_TS_RESOLVED)
			o->reopens++;
		if (o->status == PD_TS_RESOLVED || o->status == PD_TS_PENDING)
			set_status(e, PD_TS_OPEN, a->at);
		break;
	case SYNTH_PRIORITY:
		if ((enum pd_priority)a->arg == o->priority)
			break;
		o->priority = (enum pd_priority)a->arg;
		if (!e->fr_breached)
			e->fr_warned = false;
		if (!e->res_breached)
			e->res_warned = false;
		break;
	case SYNTH_ASSIGN:
		o->assignee = a->text;
		break;
	case SYNTH_SURVEY:
	case SYNTH_REGRADE:
		survey(e, a);
		break;
	}
}

/* reached - the first instant the clock stood at target or above */
static int64_t
reached(struct eval *e, long target)
{
	size_t i;

	for (i = 0; i < e->n_runs; i++) {
		int64_t end = e->run_end[i];

		if (end == 0 || e->run_used[i] + orc_elapsed(e->c,
		    e->run_start[i], end) >= target)
			return crit(e, orc_due(e->c, e->run_start[i],
			    target - e->run_used[i]));
	}
	return 0;
}

/* orc_ticket_eval - see digest_oracle.h */
void
orc_ticket_eval(const struct orc_cal *c, const struct orc_policy *p,
    const struct synth_ticket *s, int64_t now, struct orc_ticket *o)
{
	struct eval e = { 0 };
	int64_t a;
	size_t i;

	memset(o, 0, sizeof(*o));
	o->spec = s;
	if (s->created_at > now)
		return;
	e.c = c;
	e.p = p;
	e.s = s;
	e.o = o;
	o->exists = true;
	o->priority = s->priority;
	o->status = PD_TS_NEW;
	set_status(&e, PD_TS_NEW, s->created_at);
	a = s->created_at;
	for (i = 0; i <= s->n; i++) {
		int64_t b = i < s->n && s->actions[i].at <= now ?
		    s->actions[i].at : now;

		interval_fr(&e, a, b);
		interval_res(&e, a, b);
		if (b == now && (i == s->n || s->actions[i].at != now))
			break;
		apply(&e, &s->actions[i]);
		a = b;
	}
	if (o->answered_at == 0)
		o->fr_due = fr_due(&e, o->priority);
	o->running = e.since > 0;
	o->used = e.used + (o->running ? orc_elapsed(c, e.since, now) : 0);
	o->res_due = o->running ? reached(&e, p->res[o->priority]) : 0;
}

/* in_period - since <= t < until for a set instant */
static bool
in_period(int64_t t, int64_t since, int64_t until)
{
	return t > 0 && t >= since && t < until;
}

/* line - append a line to l */
static void
line(struct orc_list *l, size_t ticket, bool first, int64_t due,
    long open_time, int64_t breached_at)
{
	struct orc_line *x;

	l->v = pd_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	x = &l->v[l->n++];
	x->ticket = ticket;
	x->first = first;
	x->due = due;
	x->open_time = open_time > 0 ? open_time : 0;
	x->breached_at = breached_at;
}

/* cmp_long - qsort order of longs */
static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* rank - the ceil(num / den * n)-th smallest of the sorted v (n > 0) */
static long
rank(const long *v, size_t n, size_t num, size_t den)
{
	size_t r = (n * num + den - 1) / den;

	return v[r >= 1 ? r - 1 : 0];
}

/* times - count, p50 and p90 of v */
static void
times(long *v, size_t n, long *count, long *p50, long *p90)
{
	*count = (long)n;
	*p50 = *p90 = 0;
	if (n == 0)
		return;
	qsort(v, n, sizeof(*v), cmp_long);
	*p50 = rank(v, n, 1, 2);
	*p90 = rank(v, n, 9, 10);
}

/*
 * line_res_due - a list line's resolution due time (pd_digest.h): the
 * instant a running clock short of its target reaches it, else 0
 */
static int64_t
line_res_due(const struct orc_policy *p, const struct orc_ticket *t)
{
	return t->running && t->used < p->res[t->priority] ? t->res_due : 0;
}

/* fr_over - how far the first response is (was) past its due */
static long
fr_over(const struct orc_cal *c, const struct orc_ticket *t, int64_t now)
{
	int64_t end = t->answered_at ? t->answered_at : now;

	return end > t->fr_due ? orc_elapsed(c, t->fr_due, end) : 0;
}

/* open_lists - backlog, still in breach and at risk of ticket i */
static void
open_lists(const struct orc_cal *c, const struct orc_policy *p,
    const struct orc_ticket *t, size_t i, int64_t now, const bool listed[2],
    struct orc_digest *d)
{
	int64_t age = now - t->spec->created_at;
	long target = p->res[t->priority];
	bool owed = t->answered_at == 0;

	d->backlog++;
	d->backlog_by_age[age < 86400 ? 0 : age < 3 * 86400 ? 1 :
	    age < 7 * 86400 ? 2 : 3]++;
	if (owed && now >= t->fr_due) {
		if (!listed[0])
			line(&d->still, i, true, t->fr_due,
			    orc_elapsed(c, t->fr_due, now), 0);
	} else if (owed && orc_elapsed(c, now, t->fr_due) <= p->warn)
		line(&d->at_risk, i, true, t->fr_due,
		    orc_elapsed(c, now, t->fr_due), 0);
	if (t->used >= target) {
		if (!listed[1])
			line(&d->still, i, false, 0, t->used - target, 0);
	} else if (t->running && target - t->used <= p->warn)
		line(&d->at_risk, i, false, t->res_due, target - t->used, 0);
}

/* csat - the survey answers of ticket i given in the period */
static void
csat(const struct orc_ticket *t, size_t i, int64_t since, int64_t until,
    int grades, struct orc_digest *d)
{
	int top = grades >= 5 ? 4 : 3;
	size_t k;

	for (k = 0; k < t->n_csat; k++) {
		const struct orc_csat *a = &t->csat[k];

		if (!in_period(a->answered_at, since, until))
			continue;
		d->csat_answers++;
		d->csat_by_grade[a->grade]++;
		d->csat_top += a->grade >= top;
		if (a->comment == NULL || a->comment[0] == '\0')
			continue;
		d->comments = pd_xrealloc(d->comments, (d->n_comments + 1) *
		    sizeof(*d->comments));
		d->comments[d->n_comments].ticket = i;
		d->comments[d->n_comments].grade = a->grade;
		d->comments[d->n_comments++].text = a->comment;
	}
}

/* contrib - remember ticket i's part in a time figure */
static void
contrib(struct orc_contrib **v, size_t *n, size_t i, long value,
    bool within)
{
	*v = pd_xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[*n].ticket = i;
	(*v)[*n].value = value;
	(*v)[(*n)++].within = within;
}

/* orc_digest_build - see digest_oracle.h */
void
orc_digest_build(const struct orc_cal *c, const struct orc_policy *p,
    const struct orc_ticket *o, size_t n, int64_t since, int64_t until,
    int64_t now, int grades, struct orc_digest *d)
{
	long *fr = pd_xcalloc(n + 1, sizeof(long));
	long *res = pd_xcalloc(n + 1, sizeof(long));
	size_t i, nfr = 0, nres = 0;

	memset(d, 0, sizeof(*d));
	for (i = 0; i < n; i++) {
		const struct orc_ticket *t = &o[i];
		bool listed[2], within;

		if (!t->exists)
			continue;
		if (in_period(t->spec->created_at, since, until)) {
			d->opened++;
			d->complaints += t->spec->complaint;
		}
		if (in_period(t->answered_at, since, until)) {
			fr[nfr] = orc_elapsed(c, t->spec->created_at,
			    t->answered_at);
			within = t->answered_at <= t->fr_due;
			d->fr_within += within;
			contrib(&d->fr_v, &d->n_fr_v, i, fr[nfr++], within);
		}
		if (t->status == PD_TS_RESOLVED &&
		    in_period(t->resolved_at, since, until)) {
			res[nres++] = t->resolved_used;
			within = t->resolved_used <= p->res[t->priority];
			d->res_within += within;
			d->reopened += t->reopens > 0;
			contrib(&d->res_v, &d->n_res_v, i, t->resolved_used,
			    within);
		}
		listed[0] = in_period(t->fr_breach_at, since, until);
		listed[1] = in_period(t->res_breach_at, since, until);
		if (listed[0])
			line(&d->breached, i, true, t->fr_due,
			    fr_over(c, t, now), t->fr_breach_at);
		if (listed[1])
			line(&d->breached, i, false, line_res_due(p, t),
			    t->used - p->res[t->priority], t->res_breach_at);
		if (t->status != PD_TS_RESOLVED)
			open_lists(c, p, t, i, now, listed, d);
		csat(t, i, since, until, grades, d);
	}
	times(fr, nfr, &d->fr_count, &d->fr_p50, &d->fr_p90);
	times(res, nres, &d->res_count, &d->res_p50, &d->res_p90);
	pd_free(fr);
	pd_free(res);
}

/* orc_digest_free - see digest_oracle.h */
void
orc_digest_free(struct orc_digest *d)
{
	pd_free(d->breached.v);
	pd_free(d->still.v);
	pd_free(d->at_risk.v);
	pd_free(d->comments);
	pd_free(d->fr_v);
	pd_free(d->res_v);
	memset(d, 0, sizeof(*d));
}
