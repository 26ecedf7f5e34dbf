/*
 * pd_route.c - find or open the ticket of a message and commit it
 *
 * PURPOSE	See pd_route.h.
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <glib.h>

#include "pd_addr.h"
#include "pd_mem.h"
#include "pd_ack.h"
#include "pd_agent.h"
#include "pd_csat.h"
#include "pd_lang.h"
#include "pd_mime.h"
#include "pd_rfc2047.h"
#include "pd_route.h"
#include "pd_sla.h"
#include "pd_slaclock.h"
#include "pd_subject.h"
#include "pd_team.h"

/* pd_route_excerpt - see pd_route.h */
const char *
pd_route_excerpt(const char *text, char *buf, size_t len)
{
	size_t n;

	if (text == NULL || len == 0)
		return NULL;
	n = strlen(text);
	if (n >= len) {
		n = len - 1;
		while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(buf, text, n);
	buf[n] = '\0';
	return buf;
}

/*
 * pd_route_record - record the routed message in ticket id: a customer's
 * (in->agent NULL, direction in, sender the customer) or an agent's
 * (direction out, author the agent, note as given), with its excerpt
 */
int
pd_route_record(struct pd_store *st, const struct pd_route_in *in,
    int64_t id, const char *subject, const struct pd_route_out *out,
    bool note)
{
	char excerpt[PD_ROUTE_EXCERPT_MAX];
	struct pd_message_rec m = { 0 };

	m.ticket_id = id;
	m.message_id = out->message_id;
	m.direction = in->agent != NULL ? PD_DIR_OUT : PD_DIR_IN;
	m.queue_id = in->queue_id;
	m.sender = in->agent != NULL ? in->agent : out->customer;
	m.subject = subject;
	m.received_at = in->now;
	m.author = in->agent;
	m.note = note;
	m.excerpt = pd_route_excerpt(in->excerpt, excerpt, sizeof(excerpt));
	return pd_store_message_insert(st, &m);
}

/* route_domain - domain part of the queue's address, for new ids */
static const char *
route_domain(const struct pd_conf_queue *q)
{
	const char *at = strrchr(q->address, '@');

	return at ? at + 1 : "localhost";
}

/*
 * route_find_tag - the verified tag of the subject, searched in the raw
 * value and in its decoded text; 0 when none verifies.  Sets *forged when
 * a tag with our prefix was seen that does not verify.
 */
static uint64_t
route_find_tag(const struct pd_route_in *in, const char *decoded,
    bool *forged)
{
	const char *texts[2] = { in->subject, decoded };
	const char *prefix = in->conf->tag_prefix;
	struct pd_tag_match m;
	size_t i;
	size_t off;

	for (i = 0; i < 2; i++) {
		const char *t = texts[i];
		size_t len = t ? strlen(t) : 0;

		for (off = 0; off < len &&
		    pd_tag_find(t + off, len - off, prefix, &m);
		    off += m.end) {
			if (pd_tag_verify(in->key, prefix, &m) == PD_OK)
				return m.number;
			*forged = true;
		}
	}
	return 0;
}

/* route_lookup - steps 0-2: the ticket this message belongs to, or 0 */
static int
route_lookup(struct pd_store *st, const struct pd_route_in *in,
    uint64_t tagged, struct pd_route_out *out, int64_t *id)
{
	struct pd_msgid_list refs = { .n = 0 };
	struct pd_ticket t = { 0 };
	size_t i;
	int rc;

	*id = 0;
	rc = pd_store_ticket_by_message_id(st, out->message_id, id);
	if (rc == PD_OK) {
		out->action = PD_ROUTE_DUPLICATE;
		return PD_OK;
	}
	if (rc != PD_ENOTFOUND)
		return rc;
	if (tagged != 0) {
		rc = pd_store_ticket_get(st, (int64_t)tagged, &t);
		pd_ticket_clear(&t);
		if (rc == PD_OK) {
			*id = (int64_t)tagged;
			out->action = PD_ROUTE_TAG;
			return PD_OK;
		}
		if (rc != PD_ENOTFOUND)
			return rc;
	}
	pd_msgid_list_parse(&refs, in->references);
	pd_msgid_list_parse(&refs, in->in_reply_to);	/* newest: last */
	rc = PD_ENOTFOUND;
	for (i = refs.n; i > 0 && rc == PD_ENOTFOUND; i--)
		rc = pd_store_ticket_by_message_id(st, refs.ids[i - 1], id);
	pd_msgid_list_free(&refs);
	if (rc == PD_OK)
		out->action = PD_ROUTE_THREAD;
	return rc == PD_ENOTFOUND ? PD_OK : rc;
}

/* route_vip - does the customer match a VIP pattern of the queue? */
static bool
route_vip(const struct pd_conf_queue *q, const char *customer)
{
	const char *at = strrchr(customer, '@');
	size_t i;

	for (i = 0; i < q->n_vip; i++) {
		const char *p = q->vip[i];

		if (p[0] == '*' && p[1] == '@' ? at != NULL &&
		    strcmp(p + 2, at + 1) == 0 : strcmp(p, customer) == 0)
			return true;
	}
	return false;
}

/* route_complaint - does the subject hold a complaint keyword? */
static bool
route_complaint(const struct pd_conf *conf, const char *subject)
{
	char *low = g_utf8_strdown(subject, -1);
	bool hit = false;
	size_t i;

	for (i = 0; i < conf->n_complaint_keywords && !hit; i++)
		hit = strstr(low, conf->complaint_keywords[i]) != NULL;
	g_free(low);
	return hit;
}

/* route_sla - priority, due times and clocks of a new ticket */
static void
route_sla(const struct pd_route_in *in, const char *subject,
    struct pd_ticket *t)
{
	t->complaint = route_complaint(in->conf, subject);
	t->priority = t->complaint || route_vip(in->queue, t->customer) ?
	    PD_PRIO_HIGH : PD_PRIO_NORMAL;
	pd_slaclock_start(in->queue->sla, t);
}

/* route_ack_suppressed - the ticket log keeps why no ack went out */
static int
route_ack_suppressed(struct pd_store *st, const struct pd_route_in *in,
    int64_t id, const struct pd_route_out *out)
{
	struct pd_event e = { id, in->now, "ack-suppressed", NULL,
	    out->ack_suppressed };

	return pd_store_event_add(st, &e);
}

/* route_ack - queue the acknowledgement of a new ticket, or say why not */
static int
route_ack(struct pd_store *st, const struct pd_route_in *in, int64_t id,
    struct pd_route_out *out)
{
	struct pd_ack_req req = { 0 };
	char rcpt[PD_ADDR_MAX + 1];
	int rc;

	if (in->ack_block != NULL) {
		out->ack_suppressed = in->ack_block;
		return route_ack_suppressed(st, in, id, out);
	}
	if (in->sender == NULL || pd_addr_normalize(in->sender, rcpt,
	    sizeof(rcpt)) != PD_OK) {
		out->ack_suppressed = "bad-sender";
		return route_ack_suppressed(st, in, id, out);
	}
	req.conf = in->conf;
	req.queue = in->queue;
	req.ticket_id = id;
	req.recipient = rcpt;
	req.customer_msgid = out->message_id;
	req.references = in->references;
	req.flags = (out->complaint ? PD_OUT_COMPLAINT : 0) |
	    (in->sender_authenticated ? PD_OUT_QUOTE : 0);
	req.now = in->now;
	rc = pd_ack_queue(st, &req, out->ack_msgid, &out->ack_suppressed);
	if (rc == PD_OK && out->ack_suppressed != NULL)
		rc = route_ack_suppressed(st, in, id, out);
	return rc;
}

/* route_open - step 3: insert a new ticket and queue its acknowledgement */
static int
route_open(struct pd_store *st, const struct pd_route_in *in,
    const char *name, const char *subject, struct pd_route_out *out,
    int64_t *id)
{
	struct pd_ticket t = { 0 };
	int rc;

	t.queue = in->queue->name;
	t.status = PD_TS_NEW;
	t.customer = out->customer;
	t.customer_name = (char *)name;
	t.subject = (char *)subject;
	t.created_at = in->now;
	t.language = (char *)pd_lang_guess(in->content_language,
	    in->accept_language, subject);
	route_sla(in, subject, &t);
	out->complaint = t.complaint != 0;
	rc = pd_store_ticket_insert(st, &t);
	*id = t.id;
	out->action = PD_ROUTE_OPENED;
	return rc == PD_OK ? route_ack(st, in, t.id, out) : rc;
}

/* route_policy - the SLA policy of ticket t's queue */
static const struct pd_conf_sla *
route_policy(const struct pd_route_in *in, const struct pd_ticket *t)
{
	const struct pd_conf_queue *q = pd_team_queue_by_name(in->conf,
	    t->queue);

	return q != NULL ? q->sla : in->queue->sla;
}

/*
 * route_reopen - a customer's reply to a pending or resolved ticket opens
 * it again (a resolved one counts a reopen); automatic replies change
 * nothing.  A ticket merged into another passes the mail on to it.
 */
static int
route_reopen(struct pd_store *st, const struct pd_route_in *in, int64_t *id,
    struct pd_route_out *out)
{
	struct pd_ticket_update u = { 0 };
	struct pd_event e = { 0 };
	struct pd_ticket t = { 0 };
	int rc;

	if ((rc = pd_route_follow(st, id)) != PD_OK ||
	    (rc = pd_store_ticket_get(st, *id, &t)) != PD_OK)
		return rc;
	if (!in->automatic && (t.status == PD_TS_PENDING ||
	    t.status == PD_TS_RESOLVED)) {
		u.id = t.id;
		u.what = PD_TU_STATUS |
		    (t.status == PD_TS_RESOLVED ? PD_TU_REOPEN : 0);
		u.status = PD_TS_OPEN;
		u.now = in->now;
		rc = pd_ticket_change(st, route_policy(in, &t), &t, &u);
		out->reopened = t.status == PD_TS_RESOLVED;
		if (rc == PD_OK && out->reopened)
			rc = pd_csat_cancel(st, t.id);
		e.ticket_id = t.id;
		e.at = in->now;
		e.kind = out->reopened ? "reopen" : "status";
		e.actor = "customer";
		e.detail = "open";
		if (rc == PD_OK)
			rc = pd_store_event_add(st, &e);
	}
	pd_ticket_clear(&t);
	return rc;
}

/*
 * route_finish - the end of the transaction: commit when rc is PD_OK and
 * report ticket id's state, else roll back and return rc
 */
static int
route_finish(struct pd_store *st, int rc, int64_t id,
    struct pd_route_out *out)
{
	struct pd_ticket t = { 0 };

	if (rc == PD_OK)
		rc = pd_store_ticket_get(st, id, &t);
	if (rc == PD_OK)
		rc = pd_store_commit(st);
	if (rc != PD_OK) {
		pd_store_rollback(st);
		pd_ticket_clear(&t);
		return rc;
	}
	out->ticket_id = id;
	out->status = t.status;
	out->priority = t.priority;
	pd_ticket_clear(&t);
	return PD_OK;
}

/* route_agent - an agent's mail: pd_agent_apply, commit */
static int
route_agent(struct pd_store *st, const struct pd_route_in *in,
    const char *subject, int64_t id, struct pd_route_out *out)
{
	int rc = PD_OK;

	if (id == 0 || out->action == PD_ROUTE_DUPLICATE) {
		if (id == 0)
			out->action = PD_ROUTE_NONE;
		pd_store_rollback(st);
		out->ticket_id = id;
		return PD_OK;
	}
	rc = pd_agent_apply(st, in, subject, &id, out);
	return route_finish(st, rc, id, out);
}

/* route_commit - the transaction: lookup, open, record, commit */
static int
route_commit(struct pd_store *st, const struct pd_route_in *in,
    uint64_t tagged, const char *name, const char *subject,
    struct pd_route_out *out)
{
	int64_t id = 0;
	int rc;

	if ((rc = pd_store_begin(st)) != PD_OK)
		return rc;
	rc = route_lookup(st, in, tagged, out, &id);
	if (rc == PD_OK && in->agent != NULL)
		return route_agent(st, in, subject, id, out);
	if (rc == PD_OK && id == 0)
		rc = route_open(st, in, name, subject, out, &id);
	else if (rc == PD_OK && out->action != PD_ROUTE_DUPLICATE)
		rc = route_reopen(st, in, &id, out);
	if (rc == PD_OK && out->action != PD_ROUTE_DUPLICATE) {
		rc = pd_route_record(st, in, id, subject, out, false);
		if (rc == PD_OK)
			rc = pd_store_ticket_touch(st, id, in->now);
	}
	return route_finish(st, rc, id, out);
}

/* route_customer - customer address from From, else envelope sender */
static void
route_customer(const struct pd_route_in *in, char **name,
    struct pd_route_out *out)
{
	char *addr = NULL;

	*name = NULL;
	if (in->from != NULL && pd_mime_from_parse(in->from, name, &addr) ==
	    PD_OK && strlen(addr) < sizeof(out->customer)) {
		memcpy(out->customer, addr, strlen(addr) + 1);
	} else if (in->sender == NULL || pd_addr_normalize(in->sender,
	    out->customer, sizeof(out->customer)) != PD_OK) {
		out->customer[0] = '\0';
	}
	pd_free(addr);
}

/* pd_route_message - see pd_route.h */
int
pd_route_message(struct pd_store *st, const struct pd_route_in *in,
    struct pd_route_out *out)
{
	char *decoded = NULL;
	char *display = NULL;
	char *name = NULL;
	uint64_t tagged;
	int rc;

	memset(out, 0, sizeof(*out));
	if (in->message_id == NULL || pd_msgid_parse_one(in->message_id,
	    out->message_id, sizeof(out->message_id)) != PD_OK) {
		rc = pd_msgid_generate(route_domain(in->queue),
		    out->message_id, sizeof(out->message_id));
		if (rc != PD_OK)
			return PD_EINTERNAL;
		out->message_id_added = true;
	}
	if (in->subject != NULL) {
		decoded = pd_rfc2047_decode(in->subject, in->subject_len,
		    NULL);
		display = pd_subject_display(in->subject, in->subject_len,
		    in->conf->tag_prefix);
	}
	tagged = route_find_tag(in, decoded, &out->forged_tag);
	route_customer(in, &name, out);
	rc = route_commit(st, in, tagged, name, display ? display : "", out);
	if (rc == PD_OK && out->action == PD_ROUTE_NONE) {
		pd_free(decoded);
		pd_free(display);
		pd_free(name);
		return PD_OK;
	}
	if (rc == PD_OK && pd_tag_format(in->key, in->conf->tag_prefix,
	    (uint64_t)out->ticket_id, out->tag, sizeof(out->tag)) != PD_OK)
		rc = PD_EINTERNAL;
	if (rc == PD_OK)
		out->subject_rc = pd_subject_rewrite(in->subject ?
		    in->subject : "", in->subject ? in->subject_len : 0,
		    in->conf->tag_prefix, out->tag, &out->subject, NULL);
	pd_free(decoded);
	pd_free(display);
	pd_free(name);
	return rc;
}

/* pd_route_out_free - release the new subject */
void
pd_route_out_free(struct pd_route_out *out)
{
	pd_xfree(&out->subject);
}

/* pd_route_action_name - log name of an action */
const char *
pd_route_action_name(enum pd_route_action a)
{
	switch (a) {
	case PD_ROUTE_OPENED:
		return "opened";
	case PD_ROUTE_TAG:
		return "joined";
	case PD_ROUTE_THREAD:
		return "threaded";
	case PD_ROUTE_NONE:
		return "none";
	default:
		return "duplicate";
	}
}
