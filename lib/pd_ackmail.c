/*
 * pd_ackmail.c - rendering and composing the acknowledgement
 *
 * PURPOSE	See pd_ackmail.h.
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <glib.h>

#include "pd_ackmail.h"
#include "pd_compose.h"
#include "pd_log.h"
#include "pd_mem.h"
#include "pd_sla.h"
#include "pd_tag.h"
#include "pd_tmpl.h"

#define ACK_TEXT_MAX	(64 * 1024)

static const char *const ack_names[] = {
	"tag", "queue", "due", "quote", "subject", "name", NULL,
};

/* The built-in texts, used when a template file is unusable. */
static const char fallback_en[] =
	"Subject: {{tag}} We have received your request\n\n"
	"Hello,\n\nyour request to {{queue}} has been registered under "
	"{{tag}}.\nWe will answer {{due}}.\n\n--\n{{queue}}\n";
static const char fallback_ru[] =
	"Subject: {{tag}} "
	"Ваше обращение получено\n\n"
	"Здравствуйте!\n\n"
	"Ваше обращение в {{queue}} "
	"зарегистрировано под номером "
	"{{tag}}.\nМы ответим {{due}}."
	"\n\n--\n{{queue}}\n";

/* ack_queue - the configured queue of ticket t, or NULL */
static const struct pd_conf_queue *
ack_queue(const struct pd_conf *conf, const struct pd_ticket *t)
{
	size_t i;

	for (i = 0; i < conf->n_queues; i++)
		if (strcmp(conf->queues[i].name, t->queue) == 0)
			return &conf->queues[i];
	return NULL;
}

/* pd_ackmail_language - the customer's language if known, else queue's */
const char *
pd_ackmail_language(const struct pd_conf_queue *q, const struct pd_ticket *t)
{
	return t->language != NULL && (strcmp(t->language, "ru") == 0 ||
	    strcmp(t->language, "en") == 0) ? t->language : q->language;
}

/* ack_context - the placeholders' values */
static struct pd_tmpl_val *
ack_context(const struct pd_conf *conf, const struct pd_key *key,
    const struct pd_conf_queue *q, const struct pd_ticket *t,
    const struct pd_outbox *o, int64_t now)
{
	struct pd_tmpl_val *ctx = pd_tmpl_obj_new();
	char tag[PD_TAG_MAX];
	struct pd_buf due;
	bool quote = (o->flags & PD_OUT_QUOTE) != 0;

	pd_buf_init(&due, 256);
	if (t->first_response_due <= 0 ||
	    pd_sla_format_due(t->first_response_due, now, q->sla->tz,
	    pd_ackmail_language(q, t), &due) != PD_OK)
		pd_buf_adds(&due, strcmp(pd_ackmail_language(q, t), "ru") == 0 ?
		    "в ближайшее время" : "as soon as we can");
	if (pd_tag_format(key, conf->tag_prefix, (uint64_t)t->id, tag,
	    sizeof(tag)) != PD_OK)
		tag[0] = '\0';
	pd_tmpl_obj_set_str(ctx, "tag", tag);
	pd_tmpl_obj_set_str(ctx, "queue", q->display_name);
	pd_tmpl_obj_set_str(ctx, "due", pd_buf_str(&due));
	pd_tmpl_obj_set_bool(ctx, "quote", quote);
	if (quote) {
		pd_tmpl_obj_set_str(ctx, "subject", t->subject ? t->subject :
		    "");
		pd_tmpl_obj_set_str(ctx, "name", t->customer_name ?
		    t->customer_name : "");
	}
	pd_buf_free(&due);
	return ctx;
}

/* ack_render - render tmpl; split "Subject: ...\n\n" from the body */
static int
ack_render(const struct pd_tmpl *tmpl, const struct pd_tmpl_val *ctx,
    struct pd_buf *text, const char **subject, const char **body)
{
	char *sep;

	if (pd_tmpl_render(tmpl, ctx, PD_TMPL_SINGLE_LINE, text) != PD_OK ||
	    strncmp(pd_buf_str(text), "Subject: ", 9) != 0 ||
	    (sep = strstr(text->data, "\n\n")) == NULL)
		return PD_EINVAL;
	*sep = '\0';
	*subject = text->data + 9;
	*body = sep + 2;
	return PD_OK;
}

/* pd_mailtext_render - see pd_ackmail.h */
bool
pd_mailtext_render(const struct pd_conf *conf, const char *lang,
    const char *name, const char *const *names, const char *builtin,
    const struct pd_tmpl_val *ctx, struct pd_buf *text,
    const char **subject, const char **body)
{
	struct pd_err err = { 0, "" };
	struct pd_tmpl *tmpl;
	bool fallback;

	tmpl = pd_tmpl_load(conf->templates, lang, name, &err);
	fallback = tmpl == NULL || pd_tmpl_check_names(tmpl, names,
	    &err) != PD_OK || ack_render(tmpl, ctx, text, subject,
	    body) != PD_OK;
	pd_tmpl_free(&tmpl);
	if (!fallback)
		return false;
	pd_buf_reset(text);
	tmpl = pd_tmpl_parse(builtin, strlen(builtin), &err);
	if (tmpl == NULL || ack_render(tmpl, ctx, text, subject, body) !=
	    PD_OK)
		pd_panic("built-in text of %s does not render", name);
	pd_tmpl_free(&tmpl);
	return true;
}

/* ack_text - subject and body from the template, else the built-in text */
static void
ack_text(const struct pd_conf *conf, const char *lang,
    const struct pd_outbox *o, const struct pd_tmpl_val *ctx,
    struct pd_buf *text, const char **subject, const char **body,
    bool *fallback)
{
	*fallback = pd_mailtext_render(conf, lang, o->flags &
	    PD_OUT_COMPLAINT ? "ack-complaint" : "ack", ack_names,
	    strcmp(lang, "ru") == 0 ? fallback_ru : fallback_en, ctx, text,
	    subject, body);
}

/* pd_ackmail_build - see pd_ackmail.h */
int
pd_ackmail_build(const struct pd_conf *conf, const struct pd_key *key,
    const struct pd_ticket *t, const struct pd_outbox *o, int64_t now,
    struct pd_buf *out, bool *fallback, struct pd_err *err)
{
	const struct pd_conf_queue *q = ack_queue(conf, t);
	struct pd_compose_in in = { 0 };
	struct pd_tmpl_val *ctx;
	struct pd_buf text;
	int rc;

	if (q == NULL)
		return pd_err_set(err, PD_ENOTFOUND, "ticket %lld: queue %s "
		    "is not configured", (long long)t->id, t->queue);
	ctx = ack_context(conf, key, q, t, o, now);
	pd_buf_init(&text, ACK_TEXT_MAX);
	ack_text(conf, pd_ackmail_language(q, t), o, ctx, &text, &in.subject,
	    &in.body, fallback);
	in.from_name = q->display_name;
	in.from_addr = q->address;
	in.to_addr = o->recipient;
	in.message_id = o->message_id;
	in.in_reply_to = o->in_reply_to;
	in.references = o->refs;
	in.auto_submitted = "auto-replied";
	in.date = now;
	rc = pd_compose_message(&in, out);
	if (rc != PD_OK)
		pd_err_set(err, rc, "cannot compose the acknowledgement to "
		    "<%s>", o->recipient);
	pd_buf_free(&text);
	pd_tmpl_val_free(&ctx);
	return rc;
}

/* pd_ackmail_check - every ack template parses with known names */
int
pd_ackmail_check(const struct pd_conf *conf, struct pd_err *err)
{
	static const char *const langs[] = { "en", "ru" };
	static const char *const names[] = { "ack", "ack-complaint" };
	struct pd_tmpl *t;
	size_t i, j;
	int rc;

	for (i = 0; i < 2; i++)
		for (j = 0; j < 2; j++) {
			t = pd_tmpl_load(conf->templates, langs[i], names[j],
			    err);
			rc = t == NULL ? PD_EINVAL : pd_tmpl_check_names(t,
			    ack_names, err);
			if (rc != PD_OK && t != NULL && err != NULL) {
				char why[PD_ERR_MSG_MAX];

				g_strlcpy(why, err->msg, sizeof(why));
				pd_err_set(err, rc, "%s: %s",
				    pd_tmpl_path_get(t), why);
			}
			pd_tmpl_free(&t);
			if (rc != PD_OK)
				return rc;
		}
	return PD_OK;
}
