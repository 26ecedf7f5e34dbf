/*
 * milter_ctx.c - connection and message contexts of postdesk-milter
 *
 * PURPOSE	Allocation, reset and header collection for the contexts
 *		described in milter.h.
 * DESIGN	Only the headers routing needs are kept: the first Subject
 *		(raw, as received with its leading space), Message-ID,
 *		In-Reply-To, References, From, and the names and counts of
 *		X-Postdesk-* headers the sender supplied (to delete them).
 *		Everything is bounded: past max_header_size in total the
 *		message is marked headers_overflow and passes unchanged.
 * OWNERSHIP	See milter.h.
 * THREADS	Per-connection; no shared state except the id counter and
 *		two counts for the drain at SIGTERM: live contexts, and
 *		messages in flight (from MAIL to their end, abort or the
 *		connection's close).  Decrements are published with release
 *		order and read with acquire order, so that whatever a thread
 *		did (GMime, the store pool) happens before main() looks.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>
#include <strings.h>

#include "milter.h"
#include "pd_mem.h"
#include "pd_team.h"

static int conns_active;		/* contexts alive, for the drain */
static int msgs_active;			/* messages between MAIL and end */

/* milter_conn_active - connections whose context is alive */
int
milter_conn_active(void)
{
	return __atomic_load_n(&conns_active, __ATOMIC_ACQUIRE);
}

/* milter_msg_active - messages in flight */
int
milter_msg_active(void)
{
	return __atomic_load_n(&msgs_active, __ATOMIC_ACQUIRE);
}

/* milter_msg_begin - a message starts (MAIL FROM): now in flight */
void
milter_msg_begin(struct milter_conn *conn)
{
	if (conn->in_flight)
		return;
	conn->in_flight = true;
	__atomic_add_fetch(&msgs_active, 1, __ATOMIC_RELAXED);
}

/* milter_conn_new - context for a new MTA connection */
struct milter_conn *
milter_conn_new(void)
{
	static unsigned long next_id;
	struct milter_conn *conn = pd_xcalloc(1, sizeof(*conn));

	__atomic_add_fetch(&conns_active, 1, __ATOMIC_RELAXED);
	conn->id = __atomic_add_fetch(&next_id, 1, __ATOMIC_RELAXED);
	conn->conf = milter_conf_get();
	pd_buf_init(&conn->msg.subject, MILTER_SUBJECT_MAX);
	pd_buf_init(&conn->msg.raw, (size_t)conn->conf->max_header_size +
	    (size_t)conn->conf->max_body_size);
	return conn;
}

/* milter_conn_free - release a connection context (NULL-safe) */
void
milter_conn_free(struct milter_conn **conn)
{
	if (*conn == NULL)
		return;
	milter_msg_reset(*conn, MILTER_RESET_MSG);
	pd_buf_free(&(*conn)->msg.subject);
	pd_buf_free(&(*conn)->msg.raw);
	pd_conf_unref(&(*conn)->conf);
	pd_xfree(conn);
	__atomic_sub_fetch(&conns_active, 1, __ATOMIC_RELEASE);
}

/* milter_msg_reset - forget everything about the current message */
void
milter_msg_reset(struct milter_conn *conn, int how)
{
	struct milter_msg *msg = &conn->msg;
	struct pd_buf subject = msg->subject;
	struct pd_buf raw = msg->raw;
	int i;

	if (!(how & MILTER_RESET_MSG))
		return;
	if (conn->in_flight) {
		conn->in_flight = false;
		__atomic_sub_fetch(&msgs_active, 1, __ATOMIC_RELEASE);
	}
	for (i = 0; i < msg->n_rcpts; i++)
		pd_free(msg->rcpts[i].addr);
	pd_buf_reset(&raw);
	pd_free(msg->sender);
	pd_free(msg->message_id);
	pd_free(msg->in_reply_to);
	pd_free(msg->references);
	pd_free(msg->from);
	pd_free(msg->csat_rcpt);
	pd_free(msg->content_language);
	pd_free(msg->accept_language);
	pd_buf_reset(&subject);
	memset(msg, 0, sizeof(*msg));
	msg->subject = subject;
	msg->raw = raw;
	pd_autoreply_init(&msg->autoreply, conn->conf->authserv_id);
}

/* msg_keep_first - keep the first occurrence of a header value */
static void
msg_keep_first(char **slot, const char *value)
{
	if (*slot == NULL)
		*slot = pd_xstrndup(value, MILTER_FIELD_MAX);
}

/* msg_count_xpd - count an X-Postdesk-* header for later deletion */
static void
msg_count_xpd(struct milter_msg *msg, const char *name)
{
	int i;

	for (i = 0; i < msg->n_xpd; i++)
		if (strcasecmp(msg->xpd[i].name, name) == 0) {
			msg->xpd[i].count++;
			return;
		}
	if (msg->n_xpd == MILTER_XPD_MAX ||
	    strlen(name) >= sizeof(msg->xpd[0].name)) {
		msg->xpd_overflow = true;
		return;
	}
	memcpy(msg->xpd[msg->n_xpd].name, name, strlen(name) + 1);
	msg->xpd[msg->n_xpd++].count = 1;
}

/*
 * msg_raw_header - append "Name: value" to the raw copy of an agent's
 * message, with CRLF between folded lines and at the end
 */
static void
msg_raw_header(struct milter_msg *msg, const char *name, const char *value,
    bool leadspc)
{
	struct pd_buf *b = &msg->raw;
	const char *p;
	int rc;

	rc = pd_buf_adds(b, name);
	if (rc == PD_OK)
		rc = pd_buf_adds(b, leadspc ? ":" : ": ");
	for (p = value; rc == PD_OK && *p != '\0'; p++)
		rc = *p == '\n' ? pd_buf_add(b, "\r\n", 2) :
		    *p == '\r' ? PD_OK : pd_buf_add(b, p, 1);
	if (rc == PD_OK)
		rc = pd_buf_add(b, "\r\n", 2);
	if (rc != PD_OK)
		msg->raw_overflow = true;
}

/* milter_msg_rcpt - remember a recipient and what it is */
void
milter_msg_rcpt(struct milter_conn *conn, const char *addr)
{
	struct milter_msg *msg = &conn->msg;
	struct milter_rcpt *r;
	size_t len;

	if (msg->n_rcpts == MILTER_RCPT_MAX) {
		msg->rcpts_overflow = true;
		return;
	}
	r = &msg->rcpts[msg->n_rcpts++];
	addr += strspn(addr, " \t");
	len = strlen(addr);
	if (len >= 2 && addr[0] == '<' && addr[len - 1] == '>')
		r->addr = pd_xstrndup(addr + 1, len - 2);
	else
		r->addr = pd_xstrdup(addr);
	r->kind = pd_conf_queue_by_address(conn->conf, r->addr) ?
	    MILTER_RCPT_SUPPORT : pd_team_agent(conn->conf, r->addr, NULL) ?
	    MILTER_RCPT_AGENT : MILTER_RCPT_CUSTOMER;
}

/*
 * milter_msg_body - append a body chunk of an agent's message; the first
 * chunk also ends the header block
 */
void
milter_msg_body(struct milter_conn *conn, const unsigned char *chunk,
    size_t len)
{
	struct milter_msg *msg = &conn->msg;

	if (!msg->body_started) {
		msg->body_started = true;
		if (pd_buf_add(&msg->raw, "\r\n", 2) != PD_OK)
			msg->raw_overflow = true;
	}
	if (!msg->raw_overflow && pd_buf_add(&msg->raw, chunk, len) != PD_OK)
		msg->raw_overflow = true;
}

/* milter_msg_header - collect one header of the message */
void
milter_msg_header(struct milter_conn *conn, const char *name,
    const char *value)
{
	struct milter_msg *msg = &conn->msg;
	size_t len = strlen(value);

	msg->header_bytes += strlen(name) + len + 2;
	if (msg->header_bytes > (size_t)conn->conf->max_header_size) {
		msg->headers_overflow = true;
		return;
	}
	if (msg->maybe_agent || msg->queue != NULL)
		msg_raw_header(msg, name, value, conn->leadspc);
	pd_autoreply_header(&msg->autoreply, name, value);
	if (strcasecmp(name, "Subject") == 0) {
		if (!msg->has_subject && pd_buf_add(&msg->subject, value,
		    len) != PD_OK)
			msg->subject_unusable = true;
		msg->has_subject = true;
	} else if (strcasecmp(name, "Message-ID") == 0) {
		msg_keep_first(&msg->message_id, value);
	} else if (strcasecmp(name, "In-Reply-To") == 0) {
		msg_keep_first(&msg->in_reply_to, value);
	} else if (strcasecmp(name, "References") == 0) {
		msg_keep_first(&msg->references, value);
	} else if (strcasecmp(name, "From") == 0) {
		msg_keep_first(&msg->from, value);
	} else if (strcasecmp(name, "Content-Language") == 0) {
		msg_keep_first(&msg->content_language, value);
	} else if (strcasecmp(name, "Accept-Language") == 0) {
		msg_keep_first(&msg->accept_language, value);
	} else if (strncasecmp(name, "X-Postdesk-", 11) == 0) {
		msg_count_xpd(msg, name);
	}
}
