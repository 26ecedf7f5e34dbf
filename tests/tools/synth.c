/*
 * synth.c - synthetic ticket history written through the store interface
 *
 * PURPOSE	See synth.h.
 * DESIGN	Each step copies what the real code path writes: a new ticket
 *		is pd_slaclock_start() + pd_store_ticket_insert() + its first
 *		message (pd_route's route_open); an answer, a resolution, a
 *		priority or an assignment is one pd_ticket_change() plus the
 *		events agent_write() logs, in its order; a customer's reply
 *		is route_reopen(); a survey answer is an outbox row of kind
 *		"csat" (queued and sent a minute before the answer) plus
 *		pd_store_csat_record() and the "csat" event, as
 *		milter_csat.c records it.  The global time order is found by
 *		a linear scan for the earliest pending step (tests hold tens
 *		of tickets; the benchmark uses synth_apply()).
 * OWNERSHIP	Nothing is kept between calls except what synth.h says
 *		it fills in the specs.
 * ERRORS	Store codes pass through; a failed step is rolled back.
 * THREADS	One store handle, one thread.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "pd_csat.h"
#include "pd_sla.h"
#include "pd_slaclock.h"
#include "pd_slawatch.h"
#include "pd_team.h"
#include "synth.h"

#define SYNTH_AGENT	"agent@synth.test"

/* synth_msgid - the Message-ID of message k of ticket id */
static void
synth_msgid(int64_t id, size_t k, char *buf, size_t size)
{
	snprintf(buf, size, "s%lld.%zu@synth.test", (long long)id, k);
}

/* synth_message - record message k of ticket id */
static int
synth_message(struct pd_store *st, const struct synth_ticket *s, size_t k,
    const char *agent, int64_t at, const char *excerpt)
{
	struct pd_message_rec m = { 0 };
	char msgid[64];

	synth_msgid(s->id, k, msgid, sizeof(msgid));
	m.ticket_id = s->id;
	m.message_id = msgid;
	m.direction = agent != NULL ? PD_DIR_OUT : PD_DIR_IN;
	m.sender = agent != NULL ? agent : s->customer;
	m.subject = s->subject;
	m.received_at = at;
	m.author = agent;
	m.excerpt = excerpt;
	return pd_store_message_insert(st, &m);
}

/* synth_event - one line of the ticket's log */
static int
synth_event(struct pd_store *st, int64_t id, int64_t at, const char *kind,
    const char *actor, const char *detail)
{
	struct pd_event e = { id, at, kind, actor, detail };

	return pd_store_event_add(st, &e);
}

/* synth_create - a new ticket and its first message (route_open) */
static int
synth_create(struct pd_store *st, const struct pd_conf_queue *q,
    struct synth_ticket *s)
{
	struct pd_ticket t = { 0 };
	int rc;

	t.queue = (char *)s->queue;
	t.status = PD_TS_NEW;
	t.priority = s->priority;
	t.customer = (char *)s->customer;
	t.subject = (char *)s->subject;
	t.created_at = s->created_at;
	t.updated_at = s->created_at;
	t.complaint = s->complaint ? 1 : 0;
	pd_slaclock_start(q->sla, &t);
	rc = pd_store_ticket_insert(st, &t);
	if (rc != PD_OK)
		return rc;
	s->id = t.id;
	return synth_message(st, s, 0, NULL, s->created_at, s->excerpt);
}

/* synth_agent - who acts for the desk on ticket t */
static const char *
synth_agent(const struct pd_conf_queue *q, const struct pd_ticket *t)
{
	if (t->assignee != NULL)
		return t->assignee;
	return q->n_agents > 0 ? q->agents[0] : SYNTH_AGENT;
}

/* synth_answer - an agent's answer, maybe with #resolve (agent_write) */
static int
synth_answer(struct pd_store *st, const struct pd_conf_queue *q,
    const struct synth_ticket *s, const struct pd_ticket *t,
    const struct synth_action *a, size_t k, bool resolve)
{
	struct pd_ticket_update u = { .id = t->id, .now = a->at };
	const char *agent = synth_agent(q, t);
	int rc;

	u.what = PD_TU_FIRST_RESPONSE;
	u.status = t->status;
	if (resolve)
		u.status = PD_TS_RESOLVED;
	else if (t->status != PD_TS_RESOLVED)
		u.status = PD_TS_PENDING;
	if (u.status != t->status)
		u.what |= PD_TU_STATUS;
	rc = pd_ticket_change(st, q->sla, t, &u);
	if (rc == PD_OK)
		rc = synth_event(st, t->id, a->at, "answer", agent, NULL);
	if (rc == PD_OK && u.status != t->status)
		rc = synth_event(st, t->id, a->at, "status", agent,
		    pd_ticket_status_name(u.status));
	if (rc == PD_OK)
		rc = synth_message(st, s, k, agent, a->at, a->text);
	return rc;
}

/* synth_reply - a customer's reply (route_reopen) */
static int
synth_reply(struct pd_store *st, const struct pd_conf_queue *q,
    const struct synth_ticket *s, const struct pd_ticket *t,
    const struct synth_action *a, size_t k)
{
	struct pd_ticket_update u = { .id = t->id, .now = a->at };
	bool reopen = t->status == PD_TS_RESOLVED;
	int rc;

	rc = synth_message(st, s, k, NULL, a->at, a->text);
	if (rc != PD_OK)
		return rc;
	if (t->status != PD_TS_PENDING && !reopen)
		return pd_store_ticket_touch(st, t->id, a->at);
	u.what = PD_TU_STATUS | (reopen ? PD_TU_REOPEN : 0);
	u.status = PD_TS_OPEN;
	rc = pd_ticket_change(st, q->sla, t, &u);
	if (rc == PD_OK && reopen)
		rc = pd_csat_cancel(st, t->id);
	if (rc == PD_OK)
		rc = synth_event(st, t->id, a->at, reopen ? "reopen" :
		    "status", "customer", "open");
	return rc;
}

/* synth_command - #resolve, #priority or #assign without an answer */
static int
synth_command(struct pd_store *st, const struct pd_conf_queue *q,
    const struct pd_ticket *t, const struct synth_action *a)
{
	struct pd_ticket_update u = { .id = t->id, .now = a->at };
	const char *agent = synth_agent(q, t);
	const char *kind, *detail;
	int rc;

	u.status = t->status;
	if (a->kind == SYNTH_RESOLVE) {
		u.what = PD_TU_STATUS;
		u.status = PD_TS_RESOLVED;
		kind = "status";
		detail = "resolved";
	} else if (a->kind == SYNTH_PRIORITY) {
		u.what = PD_TU_PRIORITY;
		u.priority = (enum pd_priority)a->arg;
		kind = "priority";
		detail = pd_conf_priority_name(u.priority);
	} else {
		u.what = PD_TU_ASSIGNEE;
		u.assignee = a->text;
		kind = "assign";
		detail = a->text;
	}
	rc = pd_ticket_change(st, q->sla, t, &u);
	if (rc == PD_OK && (a->kind != SYNTH_RESOLVE ||
	    t->status != PD_TS_RESOLVED))
		rc = synth_event(st, t->id, a->at, kind, agent, detail);
	return rc;
}

/* synth_survey - a survey answered, or its answer changed */
static int
synth_survey(struct pd_store *st, const struct pd_conf *conf,
    struct synth_ticket *s, const struct synth_action *a, size_t k)
{
	struct pd_csat_answer ans = { 0 };
	struct pd_outbox o = { 0 };
	char msgid[64], grade[8];
	int outcome = 0;
	int rc = PD_OK;

	if (a->kind == SYNTH_SURVEY || s->survey_id == 0) {
		snprintf(msgid, sizeof(msgid), "csat%lld.%zu@synth.test",
		    (long long)s->id, k);
		o.kind = "csat";
		o.ticket_id = s->id;
		o.recipient = (char *)s->customer;
		o.message_id = msgid;
		o.due_at = a->at - 60;
		o.created_at = a->at - 60;
		rc = pd_store_outbox_insert(st, &o);
		s->survey_id = o.id;
		if (rc == PD_OK)	/* delivered before it was answered */
			rc = pd_store_outbox_finish(st, o.id, PD_OS_SENT,
			    "synth", 0, a->at - 60);
	}
	ans.survey_id = s->survey_id;
	ans.ticket_id = s->id;
	ans.grade = a->arg;
	ans.comment = a->text;
	ans.answered_at = a->at;
	ans.updated_at = a->at;
	if (rc == PD_OK)
		rc = pd_store_csat_record(st, &ans, conf->csat_change_window,
		    &outcome);
	snprintf(grade, sizeof(grade), "%d", a->arg);
	if (rc == PD_OK && outcome != 0)
		rc = synth_event(st, s->id, a->at, "csat", "customer", grade);
	return rc;
}

/* synth_step - action k of spec s, in the caller's transaction */
static int
synth_step(struct pd_store *st, const struct pd_conf *conf,
    const struct pd_conf_queue *q, struct synth_ticket *s, size_t k)
{
	const struct synth_action *a = &s->actions[k];
	struct pd_ticket t = { 0 };
	int rc;

	if (k > 0 ? a->at <= s->actions[k - 1].at : a->at <= s->created_at)
		return PD_EINVAL;
	rc = pd_store_ticket_get(st, s->id, &t);
	if (rc != PD_OK)
		return rc;
	switch (a->kind) {
	case SYNTH_ANSWER:
		rc = synth_answer(st, q, s, &t, a, k + 1, false);
		break;
	case SYNTH_RESOLVE:
		rc = a->arg ? synth_answer(st, q, s, &t, a, k + 1, true) :
		    synth_command(st, q, &t, a);
		break;
	case SYNTH_REPLY:
		rc = synth_reply(st, q, s, &t, a, k + 1);
		break;
	case SYNTH_PRIORITY:
	case SYNTH_ASSIGN:
		rc = synth_command(st, q, &t, a);
		break;
	case SYNTH_SURVEY:
	case SYNTH_REGRADE:
		rc = synth_survey(st, conf, s, a, k + 1);
		break;
	default:
		rc = PD_EINVAL;
	}
	pd_ticket_clear(&t);
	return rc;
}

/* synth_next - the earliest step not applied at or before now: spec index
 * into *which, instant into *at; false when none */
static bool
synth_next(const struct synth_ticket *v, size_t n, int64_t now,
    size_t *which, int64_t *at)
{
	bool found = false;
	size_t i;

	*which = 0;
	*at = 0;
	for (i = 0; i < n; i++) {
		int64_t t;

		if (v[i].id == 0)
			t = v[i].created_at;
		else if (v[i].done < v[i].n)
			t = v[i].actions[v[i].done].at;
		else
			continue;
		if (t <= now && (!found || t < *at)) {
			found = true;
			*which = i;
			*at = t;
		}
	}
	return found;
}

/* synth_watch - every watch time up to until, never before *clock */
static int
synth_watch(struct pd_store *st, const struct pd_conf *conf,
    const struct pd_key *key, int64_t until, int64_t *clock,
    struct synth_stats *stats)
{
	struct pd_slawatch_result res = { 0, 0, 0 };
	int64_t at, last = -1;
	int rc;

	for (;;) {
		if ((rc = pd_store_sla_next(st, &at)) != PD_OK)
			return rc;
		if (at <= 0 || at > until)
			return PD_OK;
		if (at < *clock)
			at = *clock;
		if (at == last && res.tickets < PD_SLAWATCH_BATCH)
			return PD_EINTERNAL;	/* the watch did not move on */
		rc = pd_slawatch_run(st, conf, key, at, &res);
		if (rc != PD_OK)
			return rc;
		stats->passes++;
		stats->warnings += res.warnings;
		stats->breaches += res.breaches;
		*clock = at;
		last = at;
	}
}

/* synth_run - see synth.h */
int
synth_run(struct pd_store *st, const struct pd_conf *conf,
    const struct pd_key *key, struct synth_ticket *v, size_t n,
    int64_t now, struct synth_stats *stats)
{
	struct synth_stats dummy;
	int64_t clock = 0, at;
	size_t i;
	int rc = PD_OK;

	if (stats == NULL)
		stats = &dummy;
	memset(stats, 0, sizeof(*stats));
	while (rc == PD_OK && synth_next(v, n, now, &i, &at)) {
		const struct pd_conf_queue *q = pd_team_queue_by_name(conf,
		    v[i].queue);
		bool create = v[i].id == 0;

		if (q == NULL)
			return PD_EINVAL;
		if ((rc = synth_watch(st, conf, key, at, &clock, stats)) !=
		    PD_OK || (rc = pd_store_begin(st)) != PD_OK)
			break;
		if (create)
			rc = synth_create(st, q, &v[i]);
		else
			rc = synth_step(st, conf, q, &v[i], v[i].done);
		if (rc == PD_OK)
			rc = pd_store_commit(st);
		if (rc != PD_OK) {
			pd_store_rollback(st);
			if (create)
				v[i].id = 0;
			break;
		}
		if (create)
			stats->created++;
		else {
			v[i].done++;
			stats->actions++;
		}
		clock = at;
	}
	if (rc == PD_OK)
		rc = synth_watch(st, conf, key, now, &clock, stats);
	return rc;
}

/* synth_breaches - record the breaches t has at now, as the watch would
 * have (the fast path) */
static int
synth_breaches(struct pd_store *st, const struct pd_conf_sla *sla,
    int64_t id, int64_t now)
{
	struct pd_ticket t = { 0 };
	struct pd_sla_view v;
	int flags, rc;
	int64_t at;

	if ((rc = pd_store_ticket_get(st, id, &t)) != PD_OK)
		return rc;
	pd_slaclock_view(sla, &t, now, &v);
	flags = t.sla_flags;
	if (v.fr_due > 0 && (v.answered ? t.first_response_at > v.fr_due :
	    now >= v.fr_due)) {
		rc = synth_event(st, id, v.fr_due, "breach", NULL,
		    "first-response");
		flags |= PD_SLA_FR_WARNED | PD_SLA_FR_BREACHED;
	}
	if (rc == PD_OK && v.res_used >= v.res_target) {
		at = v.res_due > 0 && v.res_due <= now ? v.res_due :
		    t.resolved_at > 0 ? t.resolved_at : now;
		rc = synth_event(st, id, at, "breach", NULL, "resolution");
		flags |= PD_SLA_RES_WARNED | PD_SLA_RES_BREACHED;
	}
	t.sla_flags = flags;
	if (rc == PD_OK)
		rc = pd_store_sla_mark(st, id, flags,
		    pd_slaclock_next(sla, &t, now));
	pd_ticket_clear(&t);
	return rc;
}

/* synth_apply - see synth.h */
int
synth_apply(struct pd_store *st, const struct pd_conf *conf,
    struct synth_ticket *t, int64_t now)
{
	const struct pd_conf_queue *q = pd_team_queue_by_name(conf, t->queue);
	int rc = PD_OK;

	if (q == NULL)
		return PD_EINVAL;
	if (t->id == 0 && t->created_at <= now)
		rc = synth_create(st, q, t);
	while (rc == PD_OK && t->id != 0 && t->done < t->n &&
	    t->actions[t->done].at <= now) {
		rc = synth_step(st, conf, q, t, t->done);
		t->done++;
	}
	if (rc == PD_OK && t->id != 0)
		rc = synth_breaches(st, q->sla, t->id, now);
	return rc;
}

static uint64_t synth_rng;

/* synth_seed - see synth.h */
void
synth_seed(uint64_t seed)
{
	synth_rng = seed;
}

/* synth_random - splitmix64 */
static uint64_t
synth_random(void)
{
	uint64_t z = (synth_rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* synth_uni - see synth.h */
int64_t
synth_uni(int64_t lo, int64_t hi)
{
	return lo + (int64_t)(synth_random() % (uint64_t)(hi - lo + 1));
}

/* synth_chance - see synth.h */
bool
synth_chance(int pct)
{
	return synth_uni(0, 99) < pct;
}
