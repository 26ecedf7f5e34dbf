/*
 * digest_check.c - test_digest's comparisons: pd_digest against the
 *		    oracle, the watch's warnings and breaches against the
 *		    oracle's
 *
 * PURPOSE	Every figure and every line of struct pd_digest, and every
 *		warning row and breach event of the store, compared with
 *		what digest_oracle.c computed; each difference becomes a
 *		diagnostic line that names the ticket (T<id>, the store's
 *		number) and both values.
 * DESIGN	Lists are matched by (ticket, target), not by position: the
 *		order of lines is the renderer's business.  Comments,
 *		warnings and breach events are compared as multisets (a
 *		repeated warning is a mismatch).  For a wrong time figure
 *		the diagnostic also lists the tickets the oracle counted and
 *		their values, so a wrong p90 can be traced to a ticket.
 * OWNERSHIP	Items own their GString until checks_clear().
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pd_mem.h"
#include "pd_tag.h"
#include "pd_team.h"
#include "digest_test.h"

/* fmt_time - see digest_test.h */
const char *
fmt_time(int64_t t)
{
	static char buf[8][32];
	static int slot;
	char *b = buf[slot++ % 8];
	GDateTime *d;
	gchar *s;

	if (t == 0)
		return "0";
	d = g_date_time_new_from_unix_utc(t);
	s = d ? g_date_time_format(d, "%Y-%m-%dT%H:%M:%SZ") : NULL;
	snprintf(b, sizeof(buf[0]), "%s", s ? s : "?");
	g_free(s);
	if (d != NULL)
		g_date_time_unref(d);
	return b;
}

/* checks_clear - see digest_test.h */
void
checks_clear(struct checks *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		g_string_free(c->v[i].diag, TRUE);
	c->n = 0;
}

/* item - a new check named by fmt */
static struct check_item *item(struct checks *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static struct check_item *
item(struct checks *c, const char *fmt, ...)
{
	struct check_item *it;
	va_list ap;

	if (c->n == CHECKS_MAX)
		abort();
	it = &c->v[c->n++];
	va_start(ap, fmt);
	vsnprintf(it->name, sizeof(it->name), fmt, ap);
	va_end(ap);
	it->bad = 0;
	it->diag = g_string_new(NULL);
	return it;
}

/* diag - one mismatch of it */
static void diag(struct check_item *it, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
diag(struct check_item *it, const char *fmt, ...)
{
	va_list ap;

	it->bad++;
	va_start(ap, fmt);
	g_string_append_vprintf(it->diag, fmt, ap);
	va_end(ap);
	g_string_append_c(it->diag, '\n');
}

/* scalar - one figure */
static struct check_item *
scalar(struct checks *c, const char *what, const char *name, long got,
    long want)
{
	struct check_item *it = item(c, "%s: %s = %ld", what, name, want);

	if (got != want)
		diag(it, "%s: got %ld, want %ld", name, got, want);
	return it;
}

/* contribs - after a wrong time figure: what the oracle counted */
static void
contribs(struct check_item *it, const struct orc_contrib *v, size_t n,
    const struct orc_ticket *o)
{
	size_t i;

	if (it->bad == 0)
		return;
	g_string_append(it->diag, "oracle counted:");
	for (i = 0; i < n; i++)
		g_string_append_printf(it->diag, " T%lld=%ld%s",
		    (long long)o[v[i].ticket].spec->id, v[i].value,
		    v[i].within ? "" : "(late)");
	g_string_append_c(it->diag, '\n');
}

/* times - count, within, p50, p90 of one time figure */
static void
times(struct checks *c, const char *what, const char *name,
    const struct pd_digest_times *got, long count, long within, long p50,
    long p90, const struct orc_contrib *v, size_t n,
    const struct orc_ticket *o)
{
	struct check_item *it = item(c, "%s: %s count %ld, within %ld, "
	    "p50 %ld, p90 %ld", what, name, count, within, p50, p90);

	if (got->count != count)
		diag(it, "%s count: got %ld, want %ld", name, got->count,
		    count);
	if (got->within != within)
		diag(it, "%s within: got %ld, want %ld", name, got->within,
		    within);
	if (got->p50 != p50)
		diag(it, "%s p50: got %ld, want %ld", name, got->p50, p50);
	if (got->p90 != p90)
		diag(it, "%s p90: got %ld, want %ld", name, got->p90, p90);
	contribs(it, v, n, o);
}

/* target_name - of a line */
static const char *
target_name(bool first)
{
	return first ? "first-response" : "resolution";
}

/* same_str - equal strings, NULL equal to NULL */
static bool
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL &&
	    strcmp(a, b) == 0);
}

/* line_fields - one matched line, field by field */
static void
line_fields(struct checks *c, struct check_item *it,
    const struct pd_digest_ticket *g, const struct orc_line *w,
    const struct orc_ticket *t)
{
	const char *tn = target_name(w->first);
	long long id = (long long)t->spec->id;
	char tag[PD_TAG_MAX];

	if (g->due != w->due)
		diag(it, "T%lld %s: due got %s, want %s", id, tn,
		    fmt_time(g->due), fmt_time(w->due));
	if (g->open_time != w->open_time)
		diag(it, "T%lld %s: open time (over/left) got %ld, want %ld",
		    id, tn, g->open_time, w->open_time);
	if (g->breached_at != w->breached_at)
		diag(it, "T%lld %s: breached_at got %s, want %s", id, tn,
		    fmt_time(g->breached_at), fmt_time(w->breached_at));
	if (g->status != t->status || g->priority != t->priority)
		diag(it, "T%lld %s: status/priority got %s/%s, want %s/%s",
		    id, tn, pd_ticket_status_name(g->status),
		    pd_conf_priority_name(g->priority),
		    pd_ticket_status_name(t->status),
		    pd_conf_priority_name(t->priority));
	if (!same_str(g->owner, t->assignee))
		diag(it, "T%lld %s: owner got %s, want %s", id, tn,
		    g->owner ? g->owner : "(none)",
		    t->assignee ? t->assignee : "(none)");
	if (g->age != c->now - t->spec->created_at)
		diag(it, "T%lld %s: age got %lld, want %lld", id, tn,
		    (long long)g->age,
		    (long long)(c->now - t->spec->created_at));
	if (!same_str(g->subject, t->spec->subject) ||
	    !same_str(g->customer, t->spec->customer))
		diag(it, "T%lld %s: subject/customer got %s/%s", id, tn,
		    g->subject, g->customer);
	if (pd_tag_format(c->key, "PD", (uint64_t)id, tag, sizeof(tag)) !=
	    PD_OK || strcmp(tag, g->tag) != 0)
		diag(it, "T%lld %s: tag got %s", id, tn, g->tag);
}

/* state - the oracle's view of t, for a line that should not be */
static void
state(struct check_item *it, const struct orc_ticket *t)
{
	g_string_append_printf(it->diag, "    oracle: %s %s, answered %s, "
	    "first-response due %s, clock %ld%s (due %s), breaches %s / "
	    "%s\n", pd_ticket_status_name(t->status),
	    pd_conf_priority_name(t->priority), fmt_time(t->answered_at),
	    fmt_time(t->fr_due), t->used, t->running ? " running" : "",
	    fmt_time(t->res_due), fmt_time(t->fr_breach_at),
	    fmt_time(t->res_breach_at));
}

/* list - one list, lines matched by ticket and target */
static void
list(struct checks *c, const char *what, const char *name,
    const struct pd_digest_list *got, const struct orc_list *want,
    const struct orc_ticket *o, size_t n)
{
	struct check_item *it = item(c, "%s: %s (%zu lines)", what, name,
	    want->n);
	bool *used = pd_xcalloc(got->n + 1, sizeof(bool));
	size_t i, j;

	for (i = 0; i < want->n; i++) {
		const struct orc_line *w = &want->v[i];
		const struct orc_ticket *t = &o[w->ticket];

		for (j = 0; j < got->n; j++)
			if (!used[j] && got->v[j].id == t->spec->id &&
			    (got->v[j].target == PD_DIGEST_FIRST_RESPONSE) ==
			    w->first)
				break;
		if (j == got->n) {
			diag(it, "T%lld %s: missing; want due %s, open time "
			    "%ld, breached_at %s", (long long)t->spec->id,
			    target_name(w->first), fmt_time(w->due),
			    w->open_time, fmt_time(w->breached_at));
			state(it, t);
			continue;
		}
		used[j] = true;
		line_fields(c, it, &got->v[j], w, t);
	}
	for (j = 0; j < got->n; j++) {
		const struct pd_digest_ticket *g = &got->v[j];

		if (used[j])
			continue;
		diag(it, "T%lld %s: not expected; got due %s, open time %ld, "
		    "breached_at %s", (long long)g->id, target_name(g->target ==
		    PD_DIGEST_FIRST_RESPONSE), fmt_time(g->due), g->open_time,
		    fmt_time(g->breached_at));
		for (i = 0; i < n; i++)
			if (o[i].spec->id == g->id)
				state(it, &o[i]);
	}
	pd_free(used);
}

/* comments - survey comments as a multiset */
static void
comments(struct checks *c, const char *what, const struct pd_digest *d,
    const struct orc_digest *e, const struct orc_ticket *o)
{
	struct check_item *it = item(c, "%s: %zu CSAT comments", what,
	    e->n_comments);
	bool *used = pd_xcalloc(d->n_comments + 1, sizeof(bool));
	char tag[PD_TAG_MAX];
	size_t i, j;

	for (i = 0; i < e->n_comments; i++) {
		const struct orc_comment *w = &e->comments[i];
		int64_t id = o[w->ticket].spec->id;

		pd_tag_format(c->key, "PD", (uint64_t)id, tag, sizeof(tag));
		for (j = 0; j < d->n_comments; j++)
			if (!used[j] && strcmp(d->comments[j].tag, tag) == 0 &&
			    d->comments[j].grade == w->grade &&
			    strcmp(d->comments[j].text, w->text) == 0)
				break;
		if (j == d->n_comments)
			diag(it, "T%lld: comment missing: grade %d \"%s\"",
			    (long long)id, w->grade, w->text);
		else
			used[j] = true;
	}
	for (j = 0; j < d->n_comments; j++)
		if (!used[j])
			diag(it, "%s: comment not expected: grade %d \"%s\"",
			    d->comments[j].tag, d->comments[j].grade,
			    d->comments[j].text);
	pd_free(used);
}

/* arrays - CSAT answers per grade, backlog per age */
static void
arrays(struct checks *c, const char *what, const struct pd_digest *d,
    const struct orc_digest *e)
{
	struct check_item *it = item(c, "%s: CSAT per grade %ld/%ld/%ld/%ld/"
	    "%ld", what, e->csat_by_grade[1], e->csat_by_grade[2],
	    e->csat_by_grade[3], e->csat_by_grade[4], e->csat_by_grade[5]);
	int k;

	for (k = 0; k <= PD_DIGEST_GRADES_MAX; k++)
		if (d->csat_by_grade[k] != e->csat_by_grade[k])
			diag(it, "grade %d: got %ld, want %ld", k,
			    d->csat_by_grade[k], e->csat_by_grade[k]);
	it = item(c, "%s: backlog by age %ld/%ld/%ld/%ld", what,
	    e->backlog_by_age[0], e->backlog_by_age[1], e->backlog_by_age[2],
	    e->backlog_by_age[3]);
	for (k = 0; k < PD_DIGEST_AGES; k++)
		if (d->backlog_by_age[k] != e->backlog_by_age[k])
			diag(it, "age class %d: got %ld, want %ld", k,
			    d->backlog_by_age[k], e->backlog_by_age[k]);
}

/* check_digest - see digest_test.h */
void
check_digest(struct checks *c, const char *what, const struct pd_digest *d,
    const struct orc_digest *e, const struct orc_ticket *o, size_t n,
    int grades)
{
	c->now = d->now;
	scalar(c, what, "opened", d->opened, e->opened);
	scalar(c, what, "complaints", d->complaints, e->complaints);
	times(c, what, "first response", &d->first_response, e->fr_count,
	    e->fr_within, e->fr_p50, e->fr_p90, e->fr_v, e->n_fr_v, o);
	times(c, what, "resolution", &d->resolution, e->res_count,
	    e->res_within, e->res_p50, e->res_p90, e->res_v, e->n_res_v, o);
	scalar(c, what, "reopened", d->reopened, e->reopened);
	scalar(c, what, "CSAT answers", d->csat_answers, e->csat_answers);
	scalar(c, what, "CSAT top grades", d->csat_top, e->csat_top);
	scalar(c, what, "CSAT scale", d->csat_grades, grades);
	scalar(c, what, "backlog", d->backlog, e->backlog);
	arrays(c, what, d, e);
	comments(c, what, d, e, o);
	list(c, what, "breached in the period", &d->breached, &e->breached,
	    o, n);
	list(c, what, "still in breach", &d->still, &e->still, o, n);
	list(c, what, "at risk", &d->at_risk, &e->at_risk, o, n);
}

/* One warning row or breach event, as compared. */
struct wrow {
	int64_t		 ticket;
	int64_t		 at;
	bool		 first;
	char		 to[64];
};

struct wrows {
	struct wrow	*v;
	size_t		 n;
};

/* wrow_add - append one */
static void
wrow_add(struct wrows *r, int64_t ticket, int64_t at, bool first,
    const char *to)
{
	struct wrow *x;

	r->v = pd_xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
	x = &r->v[r->n++];
	x->ticket = ticket;
	x->at = at;
	x->first = first;
	snprintf(x->to, sizeof(x->to), "%s", to ? to : "");
}

/* cmp_wrow - qsort order: ticket, instant, target, recipient */
static int
cmp_wrow(const void *a, const void *b)
{
	const struct wrow *x = a, *y = b;

	if (x->ticket != y->ticket)
		return x->ticket < y->ticket ? -1 : 1;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	if (x->first != y->first)
		return x->first ? -1 : 1;
	return strcmp(x->to, y->to);
}

/* outbox_warning - pd_store_outbox_list callback: keep warnings */
static int
outbox_warning(const struct pd_outbox *o, void *arg)
{
	if (strcmp(o->kind, "warning") == 0)
		wrow_add(arg, o->ticket_id, o->created_at, o->body != NULL &&
		    strstr(o->body, "The first response of") != NULL,
		    o->recipient);
	return 0;
}

/* breach_event - pd_store_event_range callback: keep breaches */
static int
breach_event(const struct pd_event *e, void *arg)
{
	wrow_add(arg, e->ticket_id, e->at, e->detail != NULL &&
	    strcmp(e->detail, "first-response") == 0, NULL);
	return 0;
}

/* rows - got against want as sorted multisets, into item it */
static void
rows(struct check_item *it, struct wrows *got, struct wrows *want)
{
	size_t i = 0, j = 0;

	if (got->n > 1)		/* qsort(NULL, 0, ...) is undefined */
		qsort(got->v, got->n, sizeof(*got->v), cmp_wrow);
	if (want->n > 1)
		qsort(want->v, want->n, sizeof(*want->v), cmp_wrow);
	while (i < got->n || j < want->n) {
		int k = i == got->n ? 1 : j == want->n ? -1 :
		    cmp_wrow(&got->v[i], &want->v[j]);
		const struct wrow *x = k < 0 ? &got->v[i] : &want->v[j];

		if (k != 0)
			diag(it, "T%lld %s at %s%s%s: %s", (long long)x->ticket,
			    target_name(x->first), fmt_time(x->at),
			    x->to[0] ? " to " : "", x->to, k < 0 ?
			    "not expected" : "missing");
		i += k <= 0;
		j += k >= 0;
	}
	pd_free(got->v);
	pd_free(want->v);
	memset(got, 0, sizeof(*got));
	memset(want, 0, sizeof(*want));
}

/* check_watch - see digest_test.h */
void
check_watch(struct checks *c, const char *what, struct pd_store *st,
    const struct orc_ticket *o, size_t n, const struct pd_conf *conf)
{
	struct wrows got = { NULL, 0 }, want = { NULL, 0 };
	struct check_item *it;
	size_t i, k, a;

	for (i = 0; i < n; i++) {
		const struct pd_conf_queue *q;

		if (!o[i].exists)
			continue;
		q = pd_team_queue_by_name(conf, o[i].spec->queue);
		for (k = 0; k < o[i].n_warn; k++) {
			const struct orc_warning *w = &o[i].warn[k];

			for (a = 0; a < (w->to ? 1 : q->n_agents); a++)
				wrow_add(&want, o[i].spec->id, w->at,
				    w->first, w->to ? w->to : q->agents[a]);
		}
	}
	it = item(c, "%s: %zu warnings queued, each once, to the owner or "
	    "the queue's agents", what, want.n);
	if (pd_store_outbox_list(st, -1, 0, outbox_warning, &got) != PD_OK)
		diag(it, "pd_store_outbox_list failed");
	rows(it, &got, &want);
	for (i = 0; i < n; i++) {
		if (o[i].fr_breach_at > 0)
			wrow_add(&want, o[i].spec->id, o[i].fr_breach_at, true,
			    NULL);
		if (o[i].res_breach_at > 0)
			wrow_add(&want, o[i].spec->id, o[i].res_breach_at,
			    false, NULL);
	}
	it = item(c, "%s: %zu breach events, each at its due instant", what,
	    want.n);
	if (pd_store_event_range(st, "breach", 0, INT64_MAX, breach_event,
	    &got) != PD_OK)
		diag(it, "pd_store_event_range failed");
	rows(it, &got, &want);
}
