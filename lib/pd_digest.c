/*
 * pd_digest.c - the managers' SLA digest: computing its figures
 *
 * PURPOSE	pd_digest_compute() and pd_digest_clear(); see pd_digest.h
 *		for what every figure means.
 * DESIGN	One read of the period's tickets and the backlog
 *		(pd_store_digest_tickets), one of the period's breach events
 *		and one of the survey answers; every ticket is placed with
 *		pd_slaclock_view(), the view the SLA watch acts on.  Time
 *		figures are collected in arrays, sorted, and read at their
 *		nearest ranks.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "pd_csat.h"
#include "pd_digest.h"
#include "pd_mem.h"
#include "pd_sla.h"
#include "pd_slaclock.h"

#define DAY	86400

/* One breach event of the period. */
struct breach {
	int64_t	 ticket_id;
	int64_t	 at;
	bool	 first;			/* first response, else resolution */
	bool	 listed;
};

/* A growing array of time figures. */
struct times {
	long	*v;
	size_t	 n;
	size_t	 cap;
};

struct compute {
	struct pd_store		*st;
	const struct pd_conf	*conf;
	const struct pd_key	*key;
	struct pd_digest	*d;
	struct breach		*breaches;
	size_t			 n_breaches;
	size_t			 cap_breaches;
	struct times		 fr;
	struct times		 res;
};

/* times_add - append one figure */
static void
times_add(struct times *t, long v)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->v = pd_xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	t->v[t->n++] = v;
}

static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a;
	long y = *(const long *)b;

	return x < y ? -1 : x > y;
}

/* times_rank - the ceil(pct / 100 * n)-th smallest (n > 0, sorted) */
static long
times_rank(const struct times *t, size_t pct)
{
	size_t rank = (t->n * pct + 99) / 100;

	return t->v[rank > 0 ? rank - 1 : 0];
}

/* times_fill - count, p50 and p90 of t into out */
static void
times_fill(struct times *t, struct pd_digest_times *out)
{
	out->count = (long)t->n;
	if (t->n == 0)
		return;
	qsort(t->v, t->n, sizeof(*t->v), cmp_long);
	out->p50 = times_rank(t, 50);
	out->p90 = times_rank(t, 90);
}

/* list_add - a new zeroed line at the end of l */
static struct pd_digest_ticket *
list_add(struct pd_digest_list *l)
{
	l->v = pd_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	memset(&l->v[l->n], 0, sizeof(l->v[0]));
	return &l->v[l->n++];
}

/* in_period - since <= at < until, for a set instant */
static bool
in_period(const struct pd_digest *d, int64_t at)
{
	return at > 0 && at >= d->since && at < d->until;
}

/* line_add - t as a line of l, for target first (else resolution) */
static void
line_add(struct compute *c, struct pd_digest_list *l,
    const struct pd_ticket *t, bool first, int64_t due, long open_time,
    int64_t breached_at)
{
	struct pd_digest_ticket *x = list_add(l);

	x->id = t->id;
	if (pd_tag_format(c->key, c->conf->tag_prefix, (uint64_t)t->id,
	    x->tag, sizeof(x->tag)) != PD_OK)
		x->tag[0] = '\0';
	x->subject = pd_xstrdup(t->subject ? t->subject : "");
	x->customer = pd_xstrdup(t->customer ? t->customer : "");
	x->owner = t->assignee ? pd_xstrdup(t->assignee) : NULL;
	x->priority = t->priority;
	x->status = t->status;
	x->age = c->d->now > t->created_at ? c->d->now - t->created_at : 0;
	x->target = first ? PD_DIGEST_FIRST_RESPONSE : PD_DIGEST_RESOLUTION;
	x->due = due;
	x->open_time = open_time > 0 ? open_time : 0;
	x->breached_at = breached_at;
}

/* overdue - open time by which t is (or was, when met late) past due */
static long
overdue(const struct pd_conf_sla *sla, const struct pd_ticket *t,
    const struct pd_sla_view *v, bool first, int64_t now)
{
	if (first) {
		int64_t end = v->answered ? t->first_response_at : now;

		return v->fr_due > 0 && end > v->fr_due ?
		    pd_sla_elapsed(sla, v->fr_due, end) : 0;
	}
	return v->res_used - v->res_target;
}

/* res_due - a line's resolution due time (see pd_digest.h) */
static int64_t
res_due(const struct pd_sla_view *v)
{
	return v->res_running && v->res_used < v->res_target ? v->res_due : 0;
}

/* compute_breaches - the period's breach lines of ticket t */
static void
compute_breaches(struct compute *c, const struct pd_conf_sla *sla,
    const struct pd_ticket *t, const struct pd_sla_view *v,
    bool listed[2])
{
	size_t i;

	for (i = 0; i < c->n_breaches; i++) {
		struct breach *b = &c->breaches[i];

		if (b->ticket_id != t->id || b->listed)
			continue;
		b->listed = true;
		listed[b->first ? 0 : 1] = true;
		line_add(c, &c->d->breached, t, b->first, b->first ?
		    v->fr_due : res_due(v), overdue(sla, t, v, b->first,
		    c->d->now), b->at);
	}
}

/* compute_open - backlog, still in breach and at risk of ticket t */
static void
compute_open(struct compute *c, const struct pd_conf_sla *sla,
    const struct pd_ticket *t, const struct pd_sla_view *v,
    const bool listed[2])
{
	struct pd_digest *d = c->d;
	int64_t age = d->now - t->created_at;

	d->backlog++;
	d->backlog_by_age[age < DAY ? 0 : age < 3 * DAY ? 1 :
	    age < 7 * DAY ? 2 : 3]++;
	if (v->fr_past && !listed[0])
		line_add(c, &d->still, t, true, v->fr_due,
		    overdue(sla, t, v, true, d->now), 0);
	else if (v->fr_risk)
		line_add(c, &d->at_risk, t, true, v->fr_due, v->fr_left, 0);
	if (v->res_past && !listed[1])
		line_add(c, &d->still, t, false, res_due(v),
		    overdue(sla, t, v, false, d->now), 0);
	else if (v->res_risk)
		line_add(c, &d->at_risk, t, false, v->res_due,
		    v->res_target - v->res_used, 0);
}

/* compute_ticket - pd_store_digest_tickets callback: place one ticket */
static int
compute_ticket(const struct pd_ticket *t, void *arg)
{
	struct compute *c = arg;
	struct pd_digest *d = c->d;
	const struct pd_conf_sla *sla = d->queue->sla;
	struct pd_sla_view v;
	bool listed[2] = { false, false };

	pd_slaclock_view(sla, t, d->now, &v);
	if (in_period(d, t->created_at)) {
		d->opened++;
		if (t->complaint)
			d->complaints++;
	}
	if (in_period(d, t->first_response_at)) {
		times_add(&c->fr, pd_sla_elapsed(sla, t->created_at,
		    t->first_response_at));
		if (t->first_response_due <= 0 ||
		    t->first_response_at <= t->first_response_due)
			d->first_response.within++;
	}
	if (t->status == PD_TS_RESOLVED && t->merged_into <= 0 &&
	    in_period(d, t->resolved_at)) {
		times_add(&c->res, (long)t->res_used);
		if (t->res_used <= v.res_target)
			d->resolution.within++;
		if (t->reopen_count > 0)
			d->reopened++;
	}
	compute_breaches(c, sla, t, &v, listed);
	if (t->status != PD_TS_RESOLVED)
		compute_open(c, sla, t, &v, listed);
	return 0;
}

/* compute_breach_event - pd_store_event_range callback: keep it */
static int
compute_breach_event(const struct pd_event *e, void *arg)
{
	struct compute *c = arg;
	struct breach *b;

	if (c->n_breaches == c->cap_breaches) {
		c->cap_breaches = c->cap_breaches ? 2 * c->cap_breaches : 32;
		c->breaches = pd_xrealloc(c->breaches,
		    c->cap_breaches * sizeof(*c->breaches));
	}
	b = &c->breaches[c->n_breaches++];
	b->ticket_id = e->ticket_id;
	b->at = e->at;
	b->first = e->detail != NULL &&
	    strcmp(e->detail, "first-response") == 0;
	b->listed = false;
	return 0;
}

/* compute_answer - pd_store_csat_list callback: the period's answers */
static int
compute_answer(const struct pd_csat_answer *a, void *arg)
{
	struct compute *c = arg;
	struct pd_digest *d = c->d;
	struct pd_digest_comment *x;

	if (a->queue == NULL || strcmp(a->queue, d->queue->name) != 0 ||
	    !in_period(d, a->answered_at))
		return 0;
	d->csat_answers++;
	if (a->grade >= 1 && a->grade <= PD_DIGEST_GRADES_MAX)
		d->csat_by_grade[a->grade]++;
	if (a->grade >= pd_csat_top_grade(d->csat_grades))
		d->csat_top++;
	if (a->comment == NULL || a->comment[0] == '\0')
		return 0;
	d->comments = pd_xrealloc(d->comments,
	    (d->n_comments + 1) * sizeof(*d->comments));
	x = &d->comments[d->n_comments++];
	if (pd_tag_format(c->key, c->conf->tag_prefix,
	    (uint64_t)a->ticket_id, x->tag, sizeof(x->tag)) != PD_OK)
		x->tag[0] = '\0';
	x->grade = a->grade;
	x->text = pd_xstrdup(a->comment);
	return 0;
}

/* compute_missing - breached tickets the scan did not read (resolved
 * after until): read them one by one */
static int
compute_missing(struct compute *c)
{
	struct pd_ticket t = { 0 };
	size_t i;
	int rc = PD_OK;

	for (i = 0; rc == PD_OK && i < c->n_breaches; i++) {
		if (c->breaches[i].listed)
			continue;
		rc = pd_store_ticket_get(c->st, c->breaches[i].ticket_id, &t);
		if (rc == PD_OK && strcmp(t.queue, c->d->queue->name) == 0) {
			struct pd_sla_view v;
			bool listed[2] = { false, false };

			pd_slaclock_view(c->d->queue->sla, &t, c->d->now, &v);
			compute_breaches(c, c->d->queue->sla, &t, &v, listed);
		} else if (rc == PD_ENOTFOUND)
			rc = PD_OK;
		c->breaches[i].listed = true;
		pd_ticket_clear(&t);
	}
	return rc;
}

static int
cmp_breached(const void *a, const void *b)
{
	const struct pd_digest_ticket *x = a, *y = b;

	return x->breached_at < y->breached_at ? -1 :
	    x->breached_at > y->breached_at ? 1 : (x->id > y->id) -
	    (x->id < y->id);
}

static int
cmp_open_time(const void *a, const void *b)
{
	const struct pd_digest_ticket *x = a, *y = b;

	return x->open_time < y->open_time ? -1 :
	    x->open_time > y->open_time ? 1 : (x->id > y->id) -
	    (x->id < y->id);
}

/* pd_digest_compute - see pd_digest.h */
int
pd_digest_compute(struct pd_store *st, const struct pd_conf *conf,
    const struct pd_key *key, const struct pd_conf_queue *q, int64_t since,
    int64_t until, int64_t now, struct pd_digest *d)
{
	struct compute c = { st, conf, key, d, NULL, 0, 0, { 0 }, { 0 } };
	struct pd_digest_scan scan = { q->name, since, until };
	int rc;

	d->queue = q;
	d->since = since;
	d->until = until;
	d->now = now;
	d->csat_grades = conf->csat_grades;
	rc = pd_store_event_range(st, "breach", since, until,
	    compute_breach_event, &c);
	if (rc == PD_OK)
		rc = pd_store_digest_tickets(st, &scan, compute_ticket, &c);
	if (rc == PD_OK)
		rc = compute_missing(&c);
	if (rc == PD_OK)
		rc = pd_store_csat_list(st, since, compute_answer, &c);
	times_fill(&c.fr, &d->first_response);
	times_fill(&c.res, &d->resolution);
	pd_free(c.fr.v);
	pd_free(c.res.v);
	pd_free(c.breaches);
	if (d->breached.n > 1)
		qsort(d->breached.v, d->breached.n, sizeof(d->breached.v[0]),
		    cmp_breached);
	if (d->still.n > 1)
		qsort(d->still.v, d->still.n, sizeof(d->still.v[0]),
		    cmp_open_time);
	if (d->at_risk.n > 1)
		qsort(d->at_risk.v, d->at_risk.n, sizeof(d->at_risk.v[0]),
		    cmp_open_time);
	return rc;
}

/* list_clear - free a list's lines */
static void
list_clear(struct pd_digest_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		pd_free(l->v[i].subject);
		pd_free(l->v[i].customer);
		pd_free(l->v[i].owner);
	}
	pd_free(l->v);
	memset(l, 0, sizeof(*l));
}

/* pd_digest_clear - see pd_digest.h */
void
pd_digest_clear(struct pd_digest *d)
{
	size_t i;

	list_clear(&d->breached);
	list_clear(&d->still);
	list_clear(&d->at_risk);
	for (i = 0; i < d->n_comments; i++)
		pd_free(d->comments[i].text);
	pd_free(d->comments);
	memset(d, 0, sizeof(*d));
}
