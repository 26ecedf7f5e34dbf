/*
 * pd_compose.h - building the mail postdesk sends
 *
 * PURPOSE	Turn an envelope of plain values (addresses, UTF-8 subject and
 *		body, threading ids) into one RFC 5322 message, 7-bit clean on
 *		the wire: encoded-word headers, text/plain; charset=utf-8 in
 *		quoted-printable or base64, CRLF line ends.  With an HTML
 *		body as well (the SLA digest) the body is
 *		multipart/alternative: that text/plain part first, then
 *		text/html; charset=utf-8.
 * DESIGN	GMime does the MIME work inside this file only (STYLE.md 6.7);
 *		every value is re-validated on the way in, since subjects and
 *		names may come back from the store: CR, LF and other controls
 *		in a header value become spaces, ids must pass pd_msgid, and
 *		addresses pd_addr.  RFC 3834: Auto-Submitted and
 *		X-Auto-Response-Suppress: All go on every message.
 * OWNERSHIP	Appends to the caller's buffer; everything else is borrowed.
 * ERRORS	PD_EINVAL for an unusable address or id, or a full buffer.
 * THREADS	Reentrant after pd_mime_init().
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_COMPOSE_H
#define PD_COMPOSE_H

#include <stdint.h>

#include "pd_buf.h"

struct pd_compose_in {
	const char	*from_name;	/* UTF-8 display name, may be NULL */
	const char	*from_addr;
	const char	*to_addr;
	const char	*reply_to;	/* may be NULL */
	const char	*subject;	/* UTF-8 */
	const char	*body;		/* UTF-8 text, LF line ends */
	const char	*message_id;	/* without "<>" */
	const char	*in_reply_to;	/* without "<>", may be NULL */
	const char	*references;	/* space-separated ids, may be NULL */
	const char	*auto_submitted;	/* "auto-replied", ... */
	int64_t		 date;		/* UTC epoch seconds */
	const char	*html;		/* UTF-8 HTML alternative of body,
					   may be NULL: text/plain only */
};

/* pd_compose_message - the whole message, CRLF, appended to out */
int	pd_compose_message(const struct pd_compose_in *in, struct pd_buf *out);

#endif
