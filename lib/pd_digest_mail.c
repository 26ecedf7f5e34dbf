/*
 * pd_digest_mail.c - the SLA digest as one mail to one manager
 *
 * PURPOSE	pd_digest_build_mail(): the text and the HTML of the digest
 *		(pd_digest_render.c) in one multipart/alternative message
 *		from the queue to a manager, ready for the outbox.
 * DESIGN	Everything is in the queue's language (q->language): the
 *		manager reads the queue's digest, not a customer's mail.
 *		The Subject names the queue and the local days the period
 *		touches, as the digest's header line does: "SLA digest:
 *		Example Support, 21 Nov", "Сводка SLA: ...,
 *		21–22 ноября".
 *		pd_compose builds the message, so the headers are those of
 *		every mail postdesk sends (encoded-words, CRLF, 7-bit
 *		bodies) with Auto-Submitted: auto-generated (RFC 3834: a
 *		report, not a reply) and no threading headers.
 * OWNERSHIP	The message is appended to the caller's buffer; the parts
 *		are built in buffers of this call.
 * ERRORS	PD_EINVAL with err: a digest without a queue, a template
 *		that does not render, or an address or id that pd_compose
 *		refuses.
 * THREADS	Reentrant after pd_mime_init().
 *
 * SPDX-License-Identifier: MIT
 */
#include <glib.h>

#include "pd_compose.h"
#include "pd_digest.h"
#include "pd_digest_impl.h"

#define PART_MAX	(4 * 1024 * 1024)	/* bytes of the text or HTML */

/*
 * digest_subject - "SLA digest: QUEUE, DAYS" in the queue's language;
 * g_free() it
 */
static char *
digest_subject(const struct pd_digest *d)
{
	const struct pd_conf_queue *q = d->queue;
	bool ru = pd_digest_lang_ru(q->language);
	char days[2 * PD_DIGEST_WORD_MAX];
	GTimeZone *tz = q->sla->tz != NULL ? g_time_zone_ref(q->sla->tz) :
	    g_time_zone_new_utc();

	pd_digest_days(d, tz, ru, days, sizeof(days));
	g_time_zone_unref(tz);
	return g_strdup_printf("%s: %s%s%s", ru ? "Сводка SLA" :
	    "SLA digest", q->display_name ? q->display_name : q->name,
	    days[0] != '\0' ? ", " : "", days);
}

/* pd_digest_build_mail - see pd_digest.h */
int
pd_digest_build_mail(const struct pd_conf *conf, const struct pd_digest *d,
    const char *to, const char *message_id, int64_t date, struct pd_buf *out,
    struct pd_err *err)
{
	struct pd_compose_in in = { 0 };
	char *subject = NULL;
	struct pd_buf text, html;
	int rc;

	if (d->queue == NULL || d->queue->sla == NULL || to == NULL ||
	    message_id == NULL)
		return pd_err_set(err, PD_EINVAL, "digest: no queue, "
		    "recipient or Message-ID");
	pd_buf_init(&text, PART_MAX);
	pd_buf_init(&html, PART_MAX);
	rc = pd_digest_render_text(conf, d, d->queue->language, &text, err);
	if (rc == PD_OK)
		rc = pd_digest_render_html(conf, d, d->queue->language, &html,
		    err);
	if (rc != PD_OK)
		goto out;
	subject = digest_subject(d);
	in.from_name = d->queue->display_name;
	in.from_addr = d->queue->address;
	in.to_addr = to;
	in.subject = subject;
	in.body = pd_buf_str(&text);
	in.html = pd_buf_str(&html);
	in.message_id = message_id;
	in.auto_submitted = "auto-generated";
	in.date = date;
	rc = pd_compose_message(&in, out);
	if (rc != PD_OK)
		pd_err_set(err, rc, "queue %s: cannot compose the digest to "
		    "<%s>", d->queue->name, to);
out:
	g_free(subject);
	pd_buf_free(&text);
	pd_buf_free(&html);
	return rc;
}
