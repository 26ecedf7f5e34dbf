/*
 * pd_agent.c - an agent's mail to a ticket: answer, note, commands
 *
 * PURPOSE	See pd_agent.h.
 * DESIGN	Two passes over the commands: agent_check() decides, without
 *		writing anything, whether the whole list can be applied and
 *		resolves its arguments (the assignee's configured address, the
 *		merge target); agent_plan() folds it into one ticket update
 *		and agent_write() writes it with its log lines.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pd_agent.h"
#include "pd_csat.h"
#include "pd_notice.h"
#include "pd_slaclock.h"
#include "pd_team.h"

#define MERGE_HOPS	8

/* The notice for commands in a signed or encrypted mail. */
static const char sealed_en[] = "Your commands were applied, but the mail "
    "is signed or encrypted, so its text was left as it was: the "
    "recipients see the command lines.\n";
static const char sealed_ru[] = "Команды выполнены, "
    "но письмо подписано или "
    "зашифровано, поэтому его текст "
    "не изменён: строки команд дошли "
    "до получателей.\n";

/* What the commands resolved to, before anything is written. */
struct agent_plan {
	bool		 note;
	bool		 has_status;
	enum pd_ticket_status status;
	bool		 has_priority;
	enum pd_priority priority;
	const char	*assignee;	/* configured address, or NULL */
	int64_t		 merge_into;	/* 0: no merge */
	char		 merge_tag[PD_TAG_MAX];
};

/* pd_route_follow - *id, or the ticket it was merged into (bounded) */
int
pd_route_follow(struct pd_store *st, int64_t *id)
{
	struct pd_ticket t = { 0 };
	int hops;
	int rc = PD_OK;

	for (hops = 0; hops < MERGE_HOPS; hops++) {
		rc = pd_store_ticket_get(st, *id, &t);
		if (rc != PD_OK || t.merged_into <= 0)
			break;
		*id = t.merged_into;
		pd_ticket_clear(&t);
	}
	pd_ticket_clear(&t);
	return rc;
}

/* agent_reject - say why in out; always PD_EINVAL (a refusal, no error) */
static int agent_reject(struct pd_route_out *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
agent_reject(struct pd_route_out *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out->why, sizeof(out->why), fmt, ap);
	va_end(ap);
	return PD_EINVAL;
}

/* agent_merge_target - the ticket #merge names, checked; PD_EINVAL: no */
static int
agent_merge_target(struct pd_store *st, const struct pd_route_in *in,
    const struct pd_ticket *t, const char *arg, struct agent_plan *p,
    struct pd_route_out *out)
{
	struct pd_ticket target = { 0 };
	struct pd_tag_match m;
	char tag[PD_TAG_MAX + 2];
	int64_t id;
	int rc;

	snprintf(tag, sizeof(tag), "[%s]", arg);
	if (!pd_tag_find(tag, strlen(tag), in->conf->tag_prefix, &m) ||
	    pd_tag_verify(in->key, in->conf->tag_prefix, &m) != PD_OK)
		return agent_reject(out, "#merge %s: not a valid ticket tag "
		    "of this desk", arg);
	id = (int64_t)m.number;
	rc = pd_route_follow(st, &id);
	if (rc == PD_ENOTFOUND)
		return agent_reject(out, "#merge %s: no such ticket", arg);
	if (rc != PD_OK)
		return rc;
	if (id == t->id)
		return agent_reject(out, "#merge %s: that is this ticket",
		    arg);
	rc = pd_store_ticket_get(st, id, &target);
	if (rc == PD_OK && strcmp(target.queue, t->queue) != 0)
		rc = agent_reject(out, "#merge %s: that ticket belongs to "
		    "queue %s", arg, target.queue);
	pd_ticket_clear(&target);
	if (rc == PD_OK) {
		p->merge_into = id;
		pd_tag_format(in->key, in->conf->tag_prefix, (uint64_t)id,
		    p->merge_tag, sizeof(p->merge_tag));
	}
	return rc;
}

/* agent_check - may every command be applied? fill the plan */
static int
agent_check(struct pd_store *st, const struct pd_route_in *in,
    const struct pd_ticket *t, struct agent_plan *p,
    struct pd_route_out *out)
{
	const struct pd_cmd_list *c = in->cmds;
	int i;
	int rc;

	if (c == NULL || (c->n == 0 && !c->bad))
		return PD_OK;
	if (c->bad)
		return agent_reject(out, "%s", c->why);
	if (!in->admin && pd_team_agent_of(out->queue, in->agent) == NULL)
		return agent_reject(out, "this ticket belongs to queue %s, "
		    "and you are not one of its agents", out->queue->name);
	for (i = 0; i < c->n; i++) {
		const struct pd_cmd *cmd = &c->cmds[i];

		switch (cmd->kind) {
		case PD_CMD_NOTE:
			p->note = true;
			break;
		case PD_CMD_RESOLVE:
		case PD_CMD_PENDING:
		case PD_CMD_OPEN:
			p->has_status = true;
			p->status = cmd->kind == PD_CMD_RESOLVE ?
			    PD_TS_RESOLVED : cmd->kind == PD_CMD_PENDING ?
			    PD_TS_PENDING : PD_TS_OPEN;
			break;
		case PD_CMD_PRIORITY:
			if (pd_conf_priority_from_name(cmd->arg,
			    &p->priority) != PD_OK)
				return agent_reject(out, "#priority %s: "
				    "unknown priority", cmd->arg);
			p->has_priority = true;
			break;
		case PD_CMD_ASSIGN:
			p->assignee = pd_team_agent_of(out->queue, cmd->arg);
			if (p->assignee == NULL)
				return agent_reject(out, "#assign %s: not an "
				    "agent of queue %s", cmd->arg,
				    out->queue->name);
			break;
		case PD_CMD_MERGE:
			rc = agent_merge_target(st, in, t, cmd->arg, p, out);
			if (rc != PD_OK)
				return rc;
			break;
		}
	}
	return PD_OK;
}

/* agent_log - one line of the ticket's log, and of out->applied */
static int
agent_log(struct pd_store *st, const struct pd_route_in *in, int64_t id,
    const char *kind, const char *detail, struct pd_route_out *out)
{
	struct pd_event e = { id, in->now, kind, in->agent, detail };
	size_t len = strlen(out->applied);

	snprintf(out->applied + len, sizeof(out->applied) - len,
	    "%s%s%s%s", len ? "," : "", kind, detail ? "=" : "",
	    detail ? detail : "");
	return pd_store_event_add(st, &e);
}

/* agent_survey - a resolution schedules the survey, or logs why not */
static int
agent_survey(struct pd_store *st, const struct pd_route_in *in,
    const struct pd_ticket *t, struct pd_route_out *out)
{
	const char *why = NULL;
	struct pd_event e = { t->id, in->now, "survey", NULL, NULL };
	int rc;

	rc = pd_csat_schedule(st, in->conf, out->queue, t, in->now, &why);
	e.detail = why ? why : "scheduled";
	return rc == PD_OK ? pd_store_event_add(st, &e) : rc;
}

/* agent_write - the plan as one ticket update plus its log lines */
static int
agent_write(struct pd_store *st, const struct pd_route_in *in,
    const struct pd_ticket *t, const struct agent_plan *p,
    struct pd_route_out *out)
{
	const struct pd_conf_sla *sla = out->queue->sla;
	struct pd_ticket_update u = { .id = t->id, .now = in->now };
	bool answer = !p->note && in->customer_rcpts;
	int rc = PD_OK;

	u.status = t->status;
	if (p->merge_into > 0) {
		u.what |= PD_TU_STATUS | PD_TU_MERGED;
		u.status = PD_TS_RESOLVED;
		u.merged_into = p->merge_into;
	} else if (p->has_status) {
		u.what |= PD_TU_STATUS;
		u.status = p->status;
	} else if (answer && t->status != PD_TS_RESOLVED) {
		u.what |= PD_TU_STATUS;
		u.status = PD_TS_PENDING;
	}
	if (answer)
		u.what |= PD_TU_FIRST_RESPONSE;
	if (p->has_priority) {
		u.what |= PD_TU_PRIORITY;
		u.priority = p->priority;
	}
	if (p->assignee != NULL) {
		u.what |= PD_TU_ASSIGNEE;
		u.assignee = p->assignee;
	}
	if (u.what != 0)
		rc = pd_ticket_change(st, sla, t, &u);
	if (rc == PD_OK && (u.what & PD_TU_STATUS) && p->merge_into == 0 &&
	    u.status == PD_TS_RESOLVED && t->status != PD_TS_RESOLVED)
		rc = agent_survey(st, in, t, out);
	else if (rc == PD_OK && (u.what & PD_TU_STATUS) &&
	    u.status != PD_TS_RESOLVED && t->status == PD_TS_RESOLVED)
		rc = pd_csat_cancel(st, t->id);
	if (rc == PD_OK && p->note)
		rc = agent_log(st, in, t->id, "note", NULL, out);
	if (rc == PD_OK && answer)
		rc = agent_log(st, in, t->id, "answer", NULL, out);
	if (rc == PD_OK && (u.what & PD_TU_STATUS) && u.status != t->status)
		rc = agent_log(st, in, t->id, "status",
		    pd_ticket_status_name(u.status), out);
	if (rc == PD_OK && p->has_priority)
		rc = agent_log(st, in, t->id, "priority",
		    pd_conf_priority_name(p->priority), out);
	if (rc == PD_OK && p->assignee != NULL)
		rc = agent_log(st, in, t->id, "assign", p->assignee, out);
	if (rc == PD_OK && p->merge_into > 0) {
		struct pd_event e = { p->merge_into, in->now, "merged-in",
		    in->agent, out->tag };

		rc = agent_log(st, in, t->id, "merge", p->merge_tag, out);
		if (rc == PD_OK)
			rc = pd_store_event_add(st, &e);
	}
	return rc;
}

/* agent_notice - queue a notice to the agent in the queue's language */
static int
agent_notice(struct pd_store *st, const struct pd_route_in *in, int64_t id,
    const char *text, struct pd_route_out *out)
{
	struct pd_notice_req req = { 0 };

	req.queue = out->queue;
	req.ticket_id = id;
	req.agent = in->agent;
	req.in_reply_to = out->message_id;
	req.text = text;
	req.now = in->now;
	return pd_notice_queue(st, &req, out->notice_msgid);
}

/* agent_refused - record as a note, tell the agent why */
static int
agent_refused(struct pd_store *st, const struct pd_route_in *in,
    int64_t id, const char *subject, struct pd_route_out *out)
{
	struct pd_event e = { id, in->now, "refused", in->agent, out->why };
	bool ru = strcmp(out->queue->language, "ru") == 0;
	char text[1024];
	int rc;

	out->agent = PD_AGENT_REJECTED;
	snprintf(text, sizeof(text), ru ?
	    "Команды в начале вашего письма "
	    "не выполнены: %s.\n\n"
	    "Ничего не изменено, клиент письмо "
	    "не получил; оно ушло только "
	    "в очередь поддержки.\nИсправьте "
	    "команды и отправьте письмо "
	    "ещё раз.\n" :
	    "The commands at the top of your mail were not applied: %s.\n\n"
	    "Nothing was changed and the customer did not receive it; it "
	    "went to the support queue only.\nCorrect the commands and send "
	    "it again.\n", out->why);
	rc = pd_route_record(st, in, id, subject, out, true);
	if (rc == PD_OK)
		rc = pd_store_event_add(st, &e);
	return rc == PD_OK ? agent_notice(st, in, id, text, out) : rc;
}

/* pd_agent_command - see pd_agent.h */
int
pd_agent_command(struct pd_store *st, const struct pd_route_in *in,
    int64_t id, struct pd_route_out *out)
{
	struct agent_plan p = { 0 };
	struct pd_ticket t = { 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = pd_store_begin(st)) != PD_OK)
		return rc;
	if ((rc = pd_route_follow(st, &id)) == PD_OK)
		rc = pd_store_ticket_get(st, id, &t);
	if (rc == PD_OK) {
		pd_tag_format(in->key, in->conf->tag_prefix, (uint64_t)t.id,
		    out->tag, sizeof(out->tag));
		out->queue = pd_team_queue_by_name(in->conf, t.queue);
		if (out->queue == NULL)
			rc = agent_reject(out, "queue %s is no longer "
			    "configured", t.queue);
	}
	if (rc == PD_OK)
		rc = agent_check(st, in, &t, &p, out);
	if (rc == PD_OK)
		rc = agent_write(st, in, &t, &p, out);
	if (rc == PD_OK)
		rc = pd_store_commit(st);
	else
		pd_store_rollback(st);
	out->ticket_id = t.id;
	pd_ticket_clear(&t);
	return rc;
}

/* pd_agent_apply - see pd_agent.h */
int
pd_agent_apply(struct pd_store *st, const struct pd_route_in *in,
    const char *subject, int64_t *id, struct pd_route_out *out)
{
	struct agent_plan p = { 0 };
	struct pd_ticket t = { 0 };
	int rc;

	if ((rc = pd_route_follow(st, id)) != PD_OK ||
	    (rc = pd_store_ticket_get(st, *id, &t)) != PD_OK)
		return rc;
	pd_tag_format(in->key, in->conf->tag_prefix, (uint64_t)t.id, out->tag,
	    sizeof(out->tag));
	out->queue = pd_team_queue_by_name(in->conf, t.queue);
	if (out->queue == NULL) {
		snprintf(out->why, sizeof(out->why), "queue %s is no longer "
		    "configured", t.queue);
		out->queue = in->queue;
		rc = agent_refused(st, in, t.id, subject, out);
	} else if ((rc = agent_check(st, in, &t, &p, out)) != PD_OK) {
		if (rc == PD_EINVAL && out->why[0] != '\0')
			rc = agent_refused(st, in, t.id, subject, out);
	} else {
		out->agent = p.note ? PD_AGENT_NOTE : in->customer_rcpts ?
		    PD_AGENT_ANSWER : PD_AGENT_INTERNAL;
		rc = agent_write(st, in, &t, &p, out);
		if (rc == PD_OK)
			rc = pd_route_record(st, in, t.id, subject, out,
			    p.note);
		if (rc == PD_OK && in->sealed && in->cmds != NULL &&
		    in->cmds->n > 0)
			rc = agent_notice(st, in, t.id, strcmp(
			    out->queue->language, "ru") == 0 ? sealed_ru :
			    sealed_en, out);
	}
	pd_ticket_clear(&t);
	return rc;
}
