/*
 * ctl_tickets.c - "postdeskctl tickets" and "postdeskctl show TAG"
 *
 * PURPOSE	List tickets and show one, as human text or JSON; list the
 *		tickets in breach of an SLA target, or at risk of it, at
 *		this instant (pd_slaclock's view, the one the watch acts on).
 * DESIGN	Admins are trusted, so "show" accepts a tag with or without
 *		brackets and check code, or a bare number; the check code, when
 *		given, must still be right (a typo should not show another
 *		ticket).  Subjects and names come from mail: they are printed
 *		through pd_log_printable() in text mode and escaped in JSON.
 * OWNERSHIP	Nothing outlives the command.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "ctl.h"
#include "pd_digest.h"
#include "pd_json.h"
#include "pd_log.h"
#include "pd_slaclock.h"
#include "pd_tag.h"
#include "pd_team.h"

#define JSON_MAX	(1 << 20)

/* --breached and --at-risk */
enum list_sla {
	LIST_ALL,
	LIST_BREACHED,
	LIST_AT_RISK,
};

struct list_ctx {
	const struct pd_conf *conf;
	const struct pd_key *key;
	int json;
	int count;
	time_t now;
	enum list_sla sla;
};

/* ctl_open - key and store, or exit with the reason */
void
ctl_open(struct ctl_env *env, struct pd_key **key, struct pd_store **st)
{
	struct pd_err err = { 0, "" };

	*key = pd_key_load(env->conf->key_file, &err);
	if (*key == NULL)
		exit(ctl_fail(EX_CONFIG, "%s", err.msg));
	*st = pd_store_open(env->conf->database, 5000, &err);
	if (*st == NULL) {
		pd_key_free(key);
		exit(ctl_fail(EX_UNAVAILABLE, "%s", err.msg));
	}
}

/* fmt_age - "3d4h", "5h12m", "40m" */
static void
fmt_age(char *out, size_t len, long secs)
{
	if (secs < 0)
		secs = 0;
	if (secs >= 86400)
		snprintf(out, len, "%ldd%ldh", secs / 86400,
		    secs % 86400 / 3600);
	else if (secs >= 3600)
		snprintf(out, len, "%ldh%ldm", secs / 3600, secs % 3600 / 60);
	else
		snprintf(out, len, "%ldm", secs / 60);
}

/* ctl_ticket_json - one ticket as a JSON object */
void
ctl_ticket_json(struct pd_buf *b, const struct pd_ticket *t, const char *tag)
{
	pd_buf_addc(b, '{');
	pd_json_kv_str(b, 1, "tag", tag);
	pd_json_kv_int(b, 0, "number", t->id);
	pd_json_kv_str(b, 0, "queue", t->queue);
	pd_json_kv_str(b, 0, "status", pd_ticket_status_name(t->status));
	pd_json_kv_str(b, 0, "priority", pd_conf_priority_name(t->priority));
	pd_json_kv_str(b, 0, "customer", t->customer);
	pd_json_kv_str(b, 0, "customer_name", t->customer_name);
	pd_json_kv_str(b, 0, "subject", t->subject);
	pd_json_kv_int(b, 0, "created_at", t->created_at);
	pd_json_kv_int(b, 0, "updated_at", t->updated_at);
	pd_json_kv_int(b, 0, "reopen_count", t->reopen_count);
	pd_json_kv_str(b, 0, "assignee", t->assignee);
	pd_json_kv_int(b, 0, "first_response_at", t->first_response_at);
	pd_json_kv_int(b, 0, "resolved_at", t->resolved_at);
	pd_json_kv_int(b, 0, "merged_into", t->merged_into);
	pd_json_kv_int(b, 0, "messages", t->message_count);
	pd_json_kv_int(b, 0, "first_response_due", t->first_response_due);
	pd_json_kv_int(b, 0, "resolution_due", t->resolution_due);
	pd_buf_addc(b, '}');
}

/*
 * list_sla_match - whether t is in breach (or at risk) of a target at
 * now; which target and the open time over (or left) into why
 */
static bool
list_sla_match(const struct list_ctx *lc, const struct pd_ticket *t,
    char *why, size_t size)
{
	const struct pd_conf_queue *q = pd_team_queue_by_name(lc->conf,
	    t->queue);
	struct pd_sla_view v;
	char span[32];
	bool fr, res;
	long amount;

	if (q == NULL)
		return false;
	pd_slaclock_view(q->sla, t, (int64_t)lc->now, &v);
	fr = lc->sla == LIST_BREACHED ? v.fr_past : v.fr_risk;
	res = lc->sla == LIST_BREACHED ? v.res_past : v.res_risk;
	if (!fr && !res)
		return false;
	if (fr)
		amount = v.fr_left < 0 ? -v.fr_left : v.fr_left;
	else
		amount = lc->sla == LIST_BREACHED ?
		    v.res_used - v.res_target : v.res_target - v.res_used;
	pd_digest_format_span(amount, span, sizeof(span));
	snprintf(why, size, "%s%s %s %s", fr ? "first-response" :
	    "resolution", fr && res ? "+resolution" : "",
	    lc->sla == LIST_BREACHED ? "over by" : "left", span);
	return true;
}

/* list_one - print one ticket of the list */
static int
list_one(const struct pd_ticket *t, void *arg)
{
	struct list_ctx *lc = arg;
	char tag[PD_TAG_MAX], age[32], subj[64], cust[40], why[96] = "";
	struct pd_buf b;

	if (lc->sla != LIST_ALL && !list_sla_match(lc, t, why, sizeof(why)))
		return 0;
	pd_tag_format(lc->key, lc->conf->tag_prefix, (uint64_t)t->id, tag,
	    sizeof(tag));
	if (lc->json) {
		pd_buf_init(&b, JSON_MAX);
		ctl_ticket_json(&b, t, tag);
		printf("%s%s", lc->count ? ",\n  " : "\n  ", pd_buf_str(&b));
		pd_buf_free(&b);
	} else {
		fmt_age(age, sizeof(age), (long)(lc->now - t->created_at));
		printf("%-16s %-9s %-7s %6s  %-30s %s%s%s\n", tag,
		    pd_ticket_status_name(t->status),
		    pd_conf_priority_name(t->priority), age,
		    pd_log_printable(cust, sizeof(cust), t->customer),
		    pd_log_printable(subj, sizeof(subj), t->subject),
		    why[0] ? "  -- " : "", why);
	}
	lc->count++;
	return 0;
}

/* ctl_tickets - list tickets */
int
ctl_tickets(struct ctl_env *env, int argc, char **argv)
{
	struct pd_ticket_filter f = { -1, 0, false };
	struct list_ctx lc = { env->conf, NULL, 0, 0, time(NULL), LIST_ALL };
	struct pd_store *st;
	struct pd_key *key;
	int i;
	int rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			lc.json = 1;
		else if (strcmp(argv[i], "--status") == 0 && i + 1 < argc &&
		    (f.status = pd_ticket_status_parse(argv[++i])) >= 0)
			continue;
		else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc)
			f.limit = (int)strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--breached") == 0)
			lc.sla = LIST_BREACHED;
		else if (strcmp(argv[i], "--at-risk") == 0)
			lc.sla = LIST_AT_RISK;
		else
			return ctl_fail(EX_USAGE, "usage: postdeskctl tickets "
			    "[--status new|open|pending|resolved] "
			    "[--breached|--at-risk] [--limit N] [--json]");
	}
	if (lc.sla != LIST_ALL) {
		/* the SLA state is read per ticket; the limit counts all */
		f.unresolved = true;
		f.limit = 0;
	}
	ctl_open(env, &key, &st);
	lc.key = key;
	if (lc.json)
		printf("[");
	else
		printf("%-16s %-9s %-7s %6s  %-30s %s\n", "TAG", "STATUS",
		    "PRIO", "AGE", "CUSTOMER", "SUBJECT");
	rc = pd_store_ticket_list(st, &f, list_one, &lc);
	if (lc.json)
		printf("%s]\n", lc.count ? "\n" : "");
	pd_store_close(&st);
	pd_key_free(&key);
	if (rc != PD_OK)
		return ctl_fail(EX_UNAVAILABLE, "listing failed: %s",
		    pd_err_str(rc));
	return EX_OK;
}
