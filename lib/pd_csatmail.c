/*
 * pd_csatmail.c - the satisfaction survey mail
 *
 * PURPOSE	Build the survey of outbox row o (kind "csat") for ticket t:
 *		template templates/LANG/csat in the customer's language (else
 *		the queue's), with the tag, the ticket's subject, the grades
 *		as one-click mailto: links to signed plus-addresses
 *		(pd_csat_address) whose subject says what is being sent, and
 *		the customer's last message and the agent's last answer quoted
 *		(first lines of each) so the customer remembers.
 * DESIGN	Headers as for every mail postdesk sends (pd_compose), with
 *		Auto-Submitted: auto-generated (RFC 3834: a survey is not a
 *		reply) and In-Reply-To/References to nothing: the customer's
 *		answer must not thread into the ticket by its headers; the
 *		milter knows it by its recipient.  A template that cannot be
 *		used falls back to a built-in text, as acknowledgements do.
 * OWNERSHIP	The message is appended to the caller's buffer.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "pd_ackmail.h"
#include "pd_compose.h"
#include "pd_csat.h"
#include "pd_csatmail.h"
#include "pd_mem.h"
#include "pd_tag.h"
#include "pd_team.h"

#define CSAT_TEXT_MAX	(64 * 1024)
#define ANSWER_LINES	12

static const char *const csat_names[] = {
	"tag", "queue", "subject", "grades", "grade", "label", "address",
	"link_subject", "asked", "question", "answered", "answer", ".", NULL,
};

static const char fallback_en[] =
	"Subject: {{tag}} How did our support do?\n\n"
	"Hello,\n\nhow satisfied are you with our support for {{tag}}?\n\n"
	"{{#grades}}  {{grade}} - {{label}}: mailto:{{address}}\n{{/grades}}"
	"\n--\n{{queue}}\n";
static const char fallback_ru[] =
	"Subject: {{tag}} Оцените нашу поддержку\n\n"
	"Здравствуйте!\n\nНасколько вы "
	"довольны поддержкой по обращению "
	"{{tag}}?\n\n"
	"{{#grades}}  {{grade}} - {{label}}: mailto:{{address}}\n{{/grades}}"
	"\n--\n{{queue}}\n";

/* The words of the grades, best first for 5 and 3 grades. */
static const char *const labels_en5[] = {
	"very dissatisfied", "dissatisfied", "neutral", "satisfied",
	"very satisfied",
};
static const char *const labels_ru5[] = {
	"очень недоволен", "недоволен",
	"нейтрально", "доволен",
	"очень доволен",
};
static const char *const labels_en3[] = {
	"dissatisfied", "neutral", "satisfied",
};
static const char *const labels_ru3[] = {
	"недоволен", "нейтрально",
	"доволен",
};

/* The conversation the survey quotes: the last message of each side. */
struct csat_talk {
	char	*asked;		/* the customer's last message */
	char	*answered;	/* the agent's last answer */
};

/* csat_talk_cb - keep the last excerpt of each side */
static int
csat_talk_cb(const struct pd_message_rec *m, void *arg)
{
	struct csat_talk *talk = arg;
	char **slot = NULL;

	if (m->excerpt == NULL || m->excerpt[0] == '\0' || m->note)
		return 0;
	if (m->direction == PD_DIR_IN)
		slot = &talk->asked;
	else if (m->author != NULL)
		slot = &talk->answered;
	if (slot != NULL) {
		pd_free(*slot);
		*slot = pd_xstrdup(m->excerpt);
	}
	return 0;
}

/* csat_quote - text as a list of at most ANSWER_LINES lines under key */
static void
csat_quote(struct pd_tmpl_val *ctx, const char *flag, const char *key,
    const char *text)
{
	struct pd_tmpl_val *lines;
	char **split;
	int i;

	pd_tmpl_obj_set_bool(ctx, flag, text != NULL);
	if (text == NULL)
		return;
	lines = pd_tmpl_obj_add_list(ctx, key);
	split = g_strsplit(text, "\n", ANSWER_LINES + 1);
	for (i = 0; split[i] != NULL && i < ANSWER_LINES; i++)
		pd_tmpl_list_append_str(lines, split[i]);
	if (split[i] != NULL)
		pd_tmpl_list_append_str(lines, "...");
	g_strfreev(split);
}

/* csat_answer - the conversation: the customer's and the agent's last */
static void
csat_answer(struct pd_store *st, const struct pd_ticket *t,
    struct pd_tmpl_val *ctx)
{
	struct csat_talk talk = { NULL, NULL };

	pd_store_message_list(st, t->id, csat_talk_cb, &talk);
	csat_quote(ctx, "asked", "question", talk.asked);
	csat_quote(ctx, "answered", "answer", talk.answered);
	pd_free(talk.asked);
	pd_free(talk.answered);
}

/* csat_grades - the grade list, best first, with their links */
static void
csat_grades(const struct pd_conf *conf, const struct pd_key *key,
    const struct pd_conf_queue *q, const char *lang, const char *tag,
    const struct pd_outbox *o, struct pd_tmpl_val *ctx)
{
	bool ru = strcmp(lang, "ru") == 0;
	int n = conf->csat_grades == 3 ? 3 : 5;
	const char *const *labels = n == 3 ? (ru ? labels_ru3 : labels_en3) :
	    (ru ? labels_ru5 : labels_en5);
	struct pd_tmpl_val *list = pd_tmpl_obj_add_list(ctx, "grades");
	char addr[PD_CSAT_ADDR_MAX + 1];
	char subj[256];
	char num[4];
	int g;

	for (g = n; g >= 1; g--) {
		struct pd_tmpl_val *item;
		char *escaped;

		if (pd_csat_address(key, q->address, o->id, g, addr,
		    sizeof(addr)) != PD_OK)
			continue;
		snprintf(subj, sizeof(subj), ru ?
		    "Оценка %d из %d, %s" : "Grade %d of %d, %s",
		    g, n, tag);
		escaped = g_uri_escape_string(subj, NULL, FALSE);
		snprintf(num, sizeof(num), "%d", g);
		item = pd_tmpl_list_append_obj(list);
		pd_tmpl_obj_set_str(item, "grade", num);
		pd_tmpl_obj_set_str(item, "label", labels[g - 1]);
		pd_tmpl_obj_set_str(item, "address", addr);
		pd_tmpl_obj_set_str(item, "link_subject", escaped);
		g_free(escaped);
	}
}

/* pd_csatmail_build - see pd_csatmail.h */
int
pd_csatmail_build(const struct pd_conf *conf, const struct pd_key *key,
    struct pd_store *st, const struct pd_ticket *t,
    const struct pd_outbox *o, int64_t now, struct pd_buf *out,
    bool *fallback)
{
	const struct pd_conf_queue *q = pd_team_queue_by_name(conf, t->queue);
	struct pd_compose_in in = { 0 };
	struct pd_tmpl_val *ctx;
	char reply[PD_CSAT_ADDR_MAX + 1];
	char tag[PD_TAG_MAX];
	const char *lang;
	struct pd_buf text;
	int rc;

	if (q == NULL || pd_tag_format(key, conf->tag_prefix, (uint64_t)t->id,
	    tag, sizeof(tag)) != PD_OK)
		return PD_EINVAL;
	lang = pd_ackmail_language(q, t);
	ctx = pd_tmpl_obj_new();
	pd_tmpl_obj_set_str(ctx, "tag", tag);
	pd_tmpl_obj_set_str(ctx, "queue", q->display_name);
	pd_tmpl_obj_set_str(ctx, "subject", t->subject ? t->subject : "");
	csat_grades(conf, key, q, lang, tag, o, ctx);
	csat_answer(st, t, ctx);
	pd_buf_init(&text, CSAT_TEXT_MAX);
	*fallback = pd_mailtext_render(conf, lang, "csat", csat_names,
	    strcmp(lang, "ru") == 0 ? fallback_ru : fallback_en, ctx, &text,
	    &in.subject, &in.body);
	in.from_name = q->display_name;
	in.from_addr = q->address;
	in.to_addr = o->recipient;
	if (pd_csat_address(key, q->address, o->id, 0, reply,
	    sizeof(reply)) == PD_OK)
		in.reply_to = reply;
	in.message_id = o->message_id;
	in.auto_submitted = "auto-generated";
	in.date = now;
	rc = pd_compose_message(&in, out);
	pd_buf_free(&text);
	pd_tmpl_val_free(&ctx);
	return rc;
}
