/*
 * pd_slawatch.c - the SLA watch: warnings before a breach, breaches
 *
 * PURPOSE	See pd_slawatch.h.
 * DESIGN	The due tickets are read first (ids only) and handled after,
 *		so no statement walks the index the pass rewrites.  A ticket
 *		whose queue left the configuration is dropped from the watch
 *		with one log line.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "pd_digest.h"
#include "pd_log.h"
#include "pd_notice.h"
#include "pd_sla.h"
#include "pd_slaclock.h"
#include "pd_slawatch.h"
#include "pd_tag.h"
#include "pd_team.h"

#define WARNING_MAX	2048

struct watch {
	struct pd_store		*st;
	const struct pd_conf	*conf;
	const struct pd_key	*key;
	int64_t			 now;
	int64_t			 ids[PD_SLAWATCH_BATCH];
	int			 n;
	struct pd_slawatch_result *res;
};

/* watch_collect - pd_store_sla_due callback: keep the id */
static int
watch_collect(const struct pd_ticket *t, void *arg)
{
	struct watch *w = arg;

	if (w->n < PD_SLAWATCH_BATCH)
		w->ids[w->n++] = t->id;
	return 0;
}

/* watch_target_name - the name of a target in logs and events */
static const char *
watch_target_name(bool first)
{
	return first ? "first-response" : "resolution";
}

/* watch_text - the warning's text in the queue's language */
static void
watch_text(const struct watch *w, const struct pd_conf_queue *q,
    const struct pd_ticket *t, const char *tag, bool first, int64_t due,
    long left, char *text, size_t size)
{
	bool ru = strcmp(q->language, "ru") == 0;
	char span[32];
	char when[128];
	struct pd_buf b;

	pd_digest_format_span(left > 0 ? left : 0, span, sizeof(span));
	pd_buf_init(&b, sizeof(when));
	if (pd_sla_format_due(due, w->now, q->sla->tz, q->language, &b) ==
	    PD_OK)
		snprintf(when, sizeof(when), "%.*s", (int)b.len, b.data);
	else
		snprintf(when, sizeof(when), "?");
	pd_buf_free(&b);
	if (ru)
		snprintf(text, size, "%s по заявке %s: %s, "
		    "осталось %s рабочего времени.\n\n"
		    "Тема: %s\nКлиент: %s\nПриоритет: %s\n"
		    "Исполнитель: %s\n\nОтветьте "
		    "клиенту из своей почты "
		    "или измените приоритет "
		    "строкой #priority в начале "
		    "ответа.\n",
		    first ? "Срок первого ответа" :
		    "Срок решения", tag, when, span,
		    t->subject ? t->subject : "", t->customer,
		    pd_conf_priority_name(t->priority),
		    t->assignee ? t->assignee : "не назначен");
	else
		snprintf(text, size, "The %s of %s is due %s: %s of open "
		    "time left.\n\nSubject: %s\nCustomer: %s\nPriority: %s\n"
		    "Owner: %s\n\nAnswer the customer from your mail client, "
		    "or change the priority with a #priority line at the top "
		    "of a reply.\n", first ? "first response" : "resolution",
		    tag, when, span, t->subject ? t->subject : "",
		    t->customer, pd_conf_priority_name(t->priority),
		    t->assignee ? t->assignee : "unassigned");
}

/* watch_warn - queue the warning to the owner, or to every agent */
static int
watch_warn(struct watch *w, const struct pd_conf_queue *q,
    const struct pd_ticket *t, bool first, int64_t due, long left)
{
	struct pd_notice_req req = { 0 };
	char msgid[PD_MSGID_MAX + 1];
	char text[WARNING_MAX];
	char tag[PD_TAG_MAX];
	char to[300];
	size_t i;
	int rc = PD_OK;

	if (pd_tag_format(w->key, w->conf->tag_prefix, (uint64_t)t->id, tag,
	    sizeof(tag)) != PD_OK)
		return PD_EINTERNAL;
	watch_text(w, q, t, tag, first, due, left, text, sizeof(text));
	req.kind = "warning";
	req.queue = q;
	req.ticket_id = t->id;
	req.text = text;
	req.now = w->now;
	for (i = 0; rc == PD_OK && i < (t->assignee ? 1 : q->n_agents); i++) {
		req.agent = t->assignee ? t->assignee : q->agents[i];
		rc = pd_notice_queue(w->st, &req, msgid);
		if (rc == PD_OK)
			pd_info("%s-%lld: sla=warning, target=%s, due=%lld, "
			    "to=<%s>", w->conf->tag_prefix, (long long)t->id,
			    watch_target_name(first), (long long)due,
			    pd_log_printable(to, sizeof(to), req.agent));
	}
	if (!t->assignee && q->n_agents == 0)
		pd_warn("%s-%lld: sla=warning, target=%s: queue %s has no "
		    "agents to warn", w->conf->tag_prefix, (long long)t->id,
		    watch_target_name(first), q->name);
	if (rc == PD_OK)
		w->res->warnings++;
	return rc;
}

/* watch_breach - the breach event and its log line */
static int
watch_breach(struct watch *w, const struct pd_ticket *t, bool first,
    int64_t due)
{
	struct pd_event e = { t->id, w->now, "breach", NULL,
	    watch_target_name(first) };
	int rc = pd_store_event_add(w->st, &e);

	if (rc == PD_OK) {
		w->res->breaches++;
		pd_info("%s-%lld: sla=breach, target=%s, due=%lld",
		    w->conf->tag_prefix, (long long)t->id,
		    watch_target_name(first), (long long)due);
	}
	return rc;
}

/* watch_ticket - what is due for one ticket, done, and the next time */
static int
watch_ticket(struct watch *w, const struct pd_ticket *t)
{
	const struct pd_conf_queue *q = pd_team_queue_by_name(w->conf,
	    t->queue);
	struct pd_sla_view v;
	struct pd_ticket after;
	int f = t->sla_flags;
	int64_t next;
	int rc = PD_OK;

	if (q == NULL) {
		pd_warn("%s-%lld: queue %s is not configured; its SLA is no "
		    "longer watched", w->conf->tag_prefix, (long long)t->id,
		    t->queue);
		return pd_store_sla_mark(w->st, t->id, f, 0);
	}
	pd_slaclock_view(q->sla, t, w->now, &v);
	if (v.fr_open && !(f & PD_SLA_FR_BREACHED)) {
		if (v.fr_past) {
			rc = watch_breach(w, t, true, v.fr_due);
			f |= PD_SLA_FR_BREACHED | PD_SLA_FR_WARNED;
		} else if (!(f & PD_SLA_FR_WARNED) && v.fr_warn_at > 0 &&
		    w->now >= v.fr_warn_at) {
			rc = watch_warn(w, q, t, true, v.fr_due, v.fr_left);
			f |= PD_SLA_FR_WARNED;
		}
	}
	if (rc == PD_OK && v.res_open && !(f & PD_SLA_RES_BREACHED)) {
		if (v.res_past) {
			rc = watch_breach(w, t, false, v.res_due);
			f |= PD_SLA_RES_BREACHED | PD_SLA_RES_WARNED;
		} else if (!(f & PD_SLA_RES_WARNED) && v.res_warn_at > 0 &&
		    w->now >= v.res_warn_at) {
			rc = watch_warn(w, q, t, false, v.res_due,
			    v.res_target - v.res_used);
			f |= PD_SLA_RES_WARNED;
		}
	}
	if (rc != PD_OK)
		return rc;
	after = *t;
	after.sla_flags = f;
	next = pd_slaclock_next(q->sla, &after, w->now);
	if (next > 0 && next <= w->now)
		next = w->now + 60;	/* cannot happen; never spin */
	return pd_store_sla_mark(w->st, t->id, f, next);
}

/* pd_slawatch_run - see pd_slawatch.h */
int
pd_slawatch_run(struct pd_store *st, const struct pd_conf *conf,
    const struct pd_key *key, int64_t now, struct pd_slawatch_result *res)
{
	struct watch w = { st, conf, key, now, { 0 }, 0, res };
	struct pd_ticket t = { 0 };
	int rc;
	int i;

	memset(res, 0, sizeof(*res));
	if ((rc = pd_store_begin(st)) != PD_OK)
		return rc;
	rc = pd_store_sla_due(st, now, PD_SLAWATCH_BATCH, watch_collect, &w);
	for (i = 0; rc == PD_OK && i < w.n; i++) {
		rc = pd_store_ticket_get(st, w.ids[i], &t);
		if (rc == PD_OK)
			rc = watch_ticket(&w, &t);
		pd_ticket_clear(&t);
	}
	if (rc == PD_OK)
		rc = pd_store_commit(st);
	if (rc != PD_OK) {
		pd_store_rollback(st);
		memset(res, 0, sizeof(*res));
		return rc;
	}
	res->tickets = w.n;
	return PD_OK;
}
