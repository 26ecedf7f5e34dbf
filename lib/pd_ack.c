/*
 * pd_ack.c - rate limits and the outbox row of an acknowledgement
 *
 * PURPOSE	See pd_ack.h.
 * DESIGN	References of the acknowledgement = the customer's References
 *		(the newest ACK_REFS_MAX ids) followed by the customer's
 *		Message-ID (RFC 5322 3.6.4); In-Reply-To = that Message-ID.
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "pd_ack.h"
#include "pd_buf.h"
#include "pd_mem.h"

#define ACK_REFS_MAX	10
#define ACK_REFS_BYTES	(ACK_REFS_MAX * (PD_MSGID_MAX + 1) + PD_MSGID_MAX)

/* ack_refs - space-separated ids for the References header (owned) */
static char *
ack_refs(const struct pd_ack_req *req)
{
	struct pd_msgid_list list = { .n = 0 };
	struct pd_buf b;
	size_t i;

	pd_buf_init(&b, ACK_REFS_BYTES);
	pd_msgid_list_parse(&list, req->references);
	i = list.n > ACK_REFS_MAX ? list.n - ACK_REFS_MAX : 0;
	for (; i < list.n; i++)
		if (strcmp(list.ids[i], req->customer_msgid) != 0)
			pd_buf_printf(&b, "%s ", list.ids[i]);
	pd_buf_adds(&b, req->customer_msgid);
	pd_msgid_list_free(&list);
	return pd_buf_detach(&b);
}

/* ack_limited - the rate limit that holds this acknowledgement, or NULL */
static int
ack_limited(struct pd_store *st, const struct pd_ack_req *req,
    const char **why)
{
	long n = 0;
	int rc;

	*why = NULL;
	if (req->conf->ack_sender_window > 0) {
		rc = pd_store_outbox_count(st, "ack", req->recipient,
		    req->now - req->conf->ack_sender_window, &n);
		if (rc != PD_OK)
			return rc;
		if (n > 0) {
			*why = "rate-sender";
			return PD_OK;
		}
	}
	rc = pd_store_outbox_count(st, "ack", NULL, req->now - 3600, &n);
	if (rc == PD_OK && n >= req->conf->ack_hourly_cap)
		*why = "rate-global";
	return rc;
}

/* pd_ack_queue - see pd_ack.h */
int
pd_ack_queue(struct pd_store *st, const struct pd_ack_req *req,
    char msgid[PD_MSGID_MAX + 1], const char **suppressed)
{
	const char *at = strrchr(req->queue->address, '@');
	struct pd_message_rec m = { 0 };
	struct pd_outbox o = { 0 };
	int rc;

	msgid[0] = '\0';
	rc = ack_limited(st, req, suppressed);
	if (rc != PD_OK || *suppressed != NULL)
		return rc;
	if (pd_msgid_generate(at ? at + 1 : "localhost", msgid,
	    PD_MSGID_MAX + 1) != PD_OK)
		return PD_EINTERNAL;
	o.kind = "ack";
	o.ticket_id = req->ticket_id;
	o.recipient = (char *)req->recipient;
	o.message_id = msgid;
	o.in_reply_to = (char *)req->customer_msgid;
	o.refs = ack_refs(req);
	o.flags = req->flags;
	o.due_at = req->now;
	o.created_at = req->now;
	rc = pd_store_outbox_insert(st, &o);
	pd_free(o.refs);
	if (rc != PD_OK)
		return rc;
	m.ticket_id = req->ticket_id;
	m.message_id = msgid;
	m.direction = PD_DIR_OUT;
	m.sender = req->queue->address;
	m.received_at = req->now;
	return pd_store_message_insert(st, &m);
}
