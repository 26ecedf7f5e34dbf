/*
 * ctl_show.c - "postdeskctl show TAG": one ticket and its messages
 *
 * PURPOSE	Everything the store knows of one ticket, as text or JSON.
 * DESIGN	TAG may be "[PD-7-K7QF]", "PD-7-K7QF", "PD-7" or "7".  A check
 *		code, when present, must verify, so a mistyped tag is an error
 *		rather than somebody else's ticket.
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
#include "pd_json.h"
#include "pd_log.h"
#include "pd_tag.h"

#define JSON_MAX	(4 << 20)

struct show_ctx {
	int		 json;
	int		 count;
	struct pd_buf	*out;
};

/* ctl_ticket_number - ticket number of an admin's tag; 0 when invalid */
int64_t
ctl_ticket_number(const struct pd_conf *conf, const struct pd_key *key,
    const char *arg)
{
	char buf[PD_TAG_MAX + 8];
	struct pd_tag_match m;
	char *end;
	long long n;

	n = strtoll(arg, &end, 10);
	if (*arg != '\0' && *end == '\0')
		return n > 0 ? n : 0;
	snprintf(buf, sizeof(buf), "%s%s%s", arg[0] == '[' ? "" : "[", arg,
	    arg[0] == '[' ? "" : "]");
	if (pd_tag_find(buf, strlen(buf), conf->tag_prefix, &m))
		return pd_tag_verify(key, conf->tag_prefix, &m) == PD_OK ?
		    (int64_t)m.number : -1;
	n = strncmp(arg, conf->tag_prefix, strlen(conf->tag_prefix)) == 0 &&
	    arg[strlen(conf->tag_prefix)] == '-' ? strtoll(arg +
	    strlen(conf->tag_prefix) + 1, &end, 10) : 0;
	return n > 0 && *end == '\0' ? n : 0;
}

/* fmt_time - UTC time for display */
static const char *
fmt_time(char *buf, size_t len, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
	return buf;
}

/* show_message - one message line or JSON object */
static int
show_message(const struct pd_message_rec *m, void *arg)
{
	struct show_ctx *sc = arg;
	char when[40], subj[100], from[80];

	if (sc->json) {
		pd_buf_adds(sc->out, sc->count ? ",{" : "{");
		pd_json_kv_str(sc->out, 1, "message_id", m->message_id);
		pd_json_kv_str(sc->out, 0, "direction",
		    m->direction == PD_DIR_IN ? "in" : "out");
		pd_json_kv_str(sc->out, 0, "queue_id", m->queue_id);
		pd_json_kv_str(sc->out, 0, "sender", m->sender);
		pd_json_kv_str(sc->out, 0, "subject", m->subject);
		pd_json_kv_int(sc->out, 0, "received_at", m->received_at);
		pd_buf_addc(sc->out, '}');
	} else {
		printf("  %s  %-3s %-12s <%s>\n      %s\n", fmt_time(when,
		    sizeof(when), m->received_at), m->direction == PD_DIR_IN ?
		    "in" : "out", m->queue_id ? m->queue_id : "-",
		    pd_log_printable(from, sizeof(from), m->sender ?
		    m->sender : ""), pd_log_printable(subj, sizeof(subj),
		    m->subject ? m->subject : ""));
	}
	sc->count++;
	return 0;
}

/* show_text - the ticket as human text */
static void
show_text(const struct pd_ticket *t, const char *tag)
{
	char buf[256], when[40];

	printf("ticket    %s\n", tag);
	printf("queue     %s\n", t->queue);
	printf("status    %s\n", pd_ticket_status_name(t->status));
	printf("priority  %s\n", pd_conf_priority_name(t->priority));
	printf("customer  %s", pd_log_printable(buf, sizeof(buf),
	    t->customer));
	if (t->customer_name != NULL)
		printf(" (%s)", pd_log_printable(buf, sizeof(buf),
		    t->customer_name));
	printf("\nsubject   %s\n", pd_log_printable(buf, sizeof(buf),
	    t->subject));
	printf("opened    %s\n", fmt_time(when, sizeof(when), t->created_at));
	printf("updated   %s\n", fmt_time(when, sizeof(when), t->updated_at));
	printf("assignee  %s\n", t->assignee ? t->assignee : "-");
	printf("reopened  %d\n", t->reopen_count);
	printf("answered  %s\n", t->first_response_at ? fmt_time(when,
	    sizeof(when), t->first_response_at) : "-");
	printf("resolved  %s\n", t->resolved_at ? fmt_time(when,
	    sizeof(when), t->resolved_at) : "-");
	printf("messages  %lld\n", (long long)t->message_count);
}

/* show_emit - print the ticket and its messages */
static int
show_emit(struct pd_store *st, const struct pd_ticket *t, const char *tag,
    int json)
{
	struct pd_buf out;
	struct show_ctx sc = { json, 0, &out };
	int rc;

	pd_buf_init(&out, JSON_MAX);
	if (json) {
		pd_buf_adds(&out, "{\"ticket\":");
		ctl_ticket_json(&out, t, tag);
		pd_buf_adds(&out, ",\"messages\":[");
	} else {
		show_text(t, tag);
	}
	rc = pd_store_message_list(st, t->id, show_message, &sc);
	if (json && pd_buf_adds(&out, "]}\n") == PD_OK && rc == PD_OK)
		fputs(pd_buf_str(&out), stdout);
	else if (json && rc == PD_OK)
		rc = PD_EINVAL;	/* over JSON_MAX: say so, print nothing */
	pd_buf_free(&out);
	return rc;
}

/* ctl_show - one ticket */
int
ctl_show(struct ctl_env *env, int argc, char **argv)
{
	struct pd_ticket t = { 0 };
	struct pd_store *st;
	struct pd_key *key;
	char tag[PD_TAG_MAX];
	const char *arg = NULL;
	int json = 0;
	int64_t id;
	int i;
	int rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (arg == NULL)
			arg = argv[i];
		else
			arg = "";
	}
	if (arg == NULL || *arg == '\0')
		return ctl_fail(EX_USAGE, "usage: postdeskctl show TAG "
		    "[--json]");
	ctl_open(env, &key, &st);
	id = ctl_ticket_number(env->conf, key, arg);
	rc = id > 0 ? pd_store_ticket_get(st, id, &t) : PD_ENOTFOUND;
	if (rc == PD_OK) {
		pd_tag_format(key, env->conf->tag_prefix, (uint64_t)id, tag,
		    sizeof(tag));
		rc = show_emit(st, &t, tag, json);
	}
	pd_ticket_clear(&t);
	pd_store_close(&st);
	pd_key_free(&key);
	if (id < 0)
		return ctl_fail(EX_DATAERR, "%s: check code does not match "
		    "the ticket number", arg);
	if (rc == PD_ENOTFOUND)
		return ctl_fail(EX_DATAERR, "%s: no such ticket", arg);
	return rc == PD_OK ? EX_OK : ctl_fail(EX_UNAVAILABLE, "%s",
	    pd_err_str(rc));
}
