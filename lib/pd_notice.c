/*
 * pd_notice.c - short notices to an agent, sent by the worker
 *
 * PURPOSE	See pd_notice.h.
 * DESIGN	The outbox row carries the whole text; building only adds
 *		the greeting line and the headers, so a notice reads the same
 *		whenever the worker sends it.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "pd_compose.h"
#include "pd_notice.h"
#include "pd_tag.h"
#include "pd_team.h"

#define NOTICE_SUBJECT_MAX	256

/* pd_notice_queue - see pd_notice.h */
int
pd_notice_queue(struct pd_store *st, const struct pd_notice_req *req,
    char msgid[PD_MSGID_MAX + 1])
{
	const char *at = strrchr(req->queue->address, '@');
	struct pd_outbox o = { 0 };

	if (pd_msgid_generate(at ? at + 1 : "localhost", msgid,
	    PD_MSGID_MAX + 1) != PD_OK)
		return PD_EINTERNAL;
	o.kind = (char *)(req->kind ? req->kind : "notice");
	o.ticket_id = req->ticket_id;
	o.recipient = (char *)req->agent;
	o.message_id = msgid;
	o.in_reply_to = (char *)req->in_reply_to;
	o.body = (char *)req->text;
	o.due_at = req->now;
	o.created_at = req->now;
	return pd_store_outbox_insert(st, &o);
}

/* pd_notice_build - see pd_notice.h */
int
pd_notice_build(const struct pd_conf *conf, const struct pd_key *key,
    const struct pd_ticket *t, const struct pd_outbox *o, int64_t now,
    struct pd_buf *out)
{
	const struct pd_conf_queue *q = pd_team_queue_by_name(conf, t->queue);
	struct pd_compose_in in = { 0 };
	char subject[NOTICE_SUBJECT_MAX];
	char tag[PD_TAG_MAX];
	bool ru;

	if (q == NULL || pd_tag_format(key, conf->tag_prefix,
	    (uint64_t)t->id, tag, sizeof(tag)) != PD_OK)
		return PD_EINVAL;
	ru = strcmp(q->language, "ru") == 0;
	if (strcmp(o->kind, "warning") == 0)
		snprintf(subject, sizeof(subject), "%s %s", tag, ru ?
		    "postdesk: скоро срок SLA" :
		    "postdesk: SLA deadline approaching");
	else
		snprintf(subject, sizeof(subject), "%s %s", tag, ru ?
		    "postdesk: ваше письмо обработано "
		    "не так, как вы просили" :
		    "postdesk: your mail was not handled as you asked");
	in.from_name = q->display_name;
	in.from_addr = q->address;
	in.to_addr = o->recipient;
	in.subject = subject;
	in.body = o->body ? o->body : "";
	in.message_id = o->message_id;
	in.in_reply_to = o->in_reply_to;
	in.references = o->in_reply_to;
	in.auto_submitted = strcmp(o->kind, "warning") == 0 ?
	    "auto-generated" : "auto-replied";
	in.date = now;
	return pd_compose_message(&in, out);
}
