/*
 * pd_autoreply.h - may postdesk acknowledge this message? (RFC 3834)
 *
 * PURPOSE	Decides, from the envelope sender and the top-level headers,
 *		whether an automatic acknowledgement may go to the sender,
 *		and if not, names the one reason.  It also answers two
 *		questions asked later: is the message machine-generated
 *		(such mail never reopens a ticket) and did the local
 *		verifier authenticate the sender (only then may an
 *		acknowledgement quote the sender's text).  Rate limits (one
 *		acknowledgement per sender per window, the hourly cap) need
 *		the store and are not decided here.
 * DESIGN	Streaming: the milter's header callback passes every header
 *		to pd_autoreply_header() as libmilter delivers it (the value
 *		with its leading space, folds as "\n" plus whitespace, 8-bit
 *		bytes as they came).  Each header is judged at once and only
 *		the outcome is kept: a bit per suppression reason, a few
 *		Authentication-Results bits and up to PD_AUTOREPLY_LOOP_MAX
 *		X-Loop addresses, all in the fixed-size struct below.  Header
 *		order does not matter: pd_autoreply_verdict() reports the
 *		reason that comes first in enum pd_ack_verdict, which is
 *		also the order in which the checks are listed there.
 *		The rules, with their sources, are listed in pd_autoreply.c
 *		and in engineering guide 7.2.
 *		Authentication-Results (RFC 8601) count only when their
 *		authserv-id equals the configured one (ASCII case ignored, a
 *		version number after it ignored).  Anyone can write such a
 *		header; the local verifier (OpenDKIM, rspamd) removes forged
 *		ones carrying its own id, so only that id is believed.  The
 *		acknowledgement is refused on dmarc=fail and on spf=fail (or
 *		the old "hardfail"); spf=softfail is not a failure, as RFC
 *		7208 section 2.6.5 describes it as weak evidence only.
 * OWNERSHIP	struct pd_autoreply is caller storage (the milter's message
 *		context) and holds no allocation, so it needs no free; it
 *		keeps the borrowed authserv_id pointer, which must outlive
 *		it (it belongs to the configuration snapshot the message
 *		holds).  pd_autoreply_header() may allocate and free a
 *		bounded buffer (about 1 KiB) while decoding a Subject.
 * ERRORS	None: malformed headers are judged as well as they can be and
 *		never fail the call.  Never logs.
 * THREADS	Reentrant; one struct per message.
 * SEE ALSO	RFC 3834 sections 2 and 5, RFC 8601, RFC 6522, RFC 2369,
 *		RFC 2919, MS-OXCMAIL 2.1.3.2.20, engineering guide 7.1, 7.2.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_AUTOREPLY_H
#define PD_AUTOREPLY_H

#include <stdbool.h>

#include "pd_addr.h"
#include "pd_conf.h"

#define PD_AUTOREPLY_LOOP_MAX	4	/* X-Loop addresses kept */

/*
 * The verdict: PD_ACK_SEND, or why not.  A message that matches several
 * rules gets the first one in this order (envelope rules first).
 */
enum pd_ack_verdict {
	PD_ACK_SEND = 0,
	PD_ACK_NULL_SENDER,		/* envelope sender <> or empty */
	PD_ACK_MAILER_DAEMON,		/* envelope MAILER-DAEMON, postmaster */
	PD_ACK_BAD_SENDER,		/* envelope sender not an address */
	PD_ACK_SUPPORT_ADDRESS,		/* envelope sender is ours */
	PD_ACK_AGENT,			/* envelope sender is an agent */
	PD_ACK_LOOP,			/* X-Loop: ours, or "yes"/"true" */
	PD_ACK_REPORT,			/* Content-Type: multipart/report */
	PD_ACK_BOUNCE,			/* From: MAILER-DAEMON, Exim bounce */
	PD_ACK_NO_REPLY,		/* From: noreply@, no-reply@ */
	PD_ACK_AUTO_SUBMITTED,		/* Auto-Submitted other than "no" */
	PD_ACK_PRECEDENCE,		/* bulk, list, junk, auto_reply */
	PD_ACK_LIST,			/* List-Id, List-Unsubscribe, ... */
	PD_ACK_AUTO_REPLY_MARKER,	/* X-Autoreply and friends */
	PD_ACK_OUT_OF_OFFICE,		/* "Automatic reply:" subjects */
	PD_ACK_SUPPRESS_REQUESTED,	/* X-Auto-Response-Suppress */
	PD_ACK_AUTH_FAILED,		/* trusted A-R: dmarc or spf fail */
	PD_ACK_VERDICT_COUNT,		/* number of verdicts, for counters */
};

struct pd_autoreply {
	const char	*authserv_id;	/* borrowed; NULL: trust no A-R */
	unsigned int	 reasons;	/* 1u << verdict, from headers */
	unsigned int	 auth;		/* results of trusted A-R headers */
	unsigned int	 nloop;
	char		 loop[PD_AUTOREPLY_LOOP_MAX][PD_ADDR_MAX + 1];
};

/*
 * pd_autoreply_init - start a message; authserv_id (borrowed, may be
 * NULL to believe no Authentication-Results) is conf->authserv_id of the
 * snapshot the message holds.  Also the way to reset for the next
 * message of a connection.
 */
void	pd_autoreply_init(struct pd_autoreply *a, const char *authserv_id);

/*
 * pd_autoreply_header - take one top-level header: name without the
 * colon, value as libmilter passes it.  Headers that no rule reads cost
 * a name comparison and nothing else.
 */
void	pd_autoreply_header(struct pd_autoreply *a, const char *name,
	    const char *value);

/*
 * pd_autoreply_verdict - PD_ACK_SEND or the reason not to acknowledge,
 * from the headers seen so far, the envelope sender (MAIL FROM argument,
 * with or without "<>"; NULL counts as the null sender) and conf (support
 * addresses and agents; compared without ASCII case and "+detail").
 */
enum pd_ack_verdict pd_autoreply_verdict(const struct pd_autoreply *a,
	    const struct pd_conf *conf, const char *envelope_sender);

/*
 * pd_autoreply_authenticated - a trusted Authentication-Results header
 * said dmarc=pass, or both spf=pass and dkim=pass, and none said
 * dmarc=fail or spf=fail.  DKIM alignment with the From domain is not
 * checked here; that is what dmarc=pass means.
 */
bool	pd_autoreply_authenticated(const struct pd_autoreply *a);

/*
 * pd_autoreply_is_automatic - the headers show machine-made mail: a
 * report or bounce, a no-reply From, Auto-Submitted, Precedence, list
 * headers, a vendor auto-reply marker, an out-of-office subject, or
 * X-Loop "yes".  The envelope is not looked at: a caller that also
 * wants the null sender counted checks pd_autoreply_verdict() for
 * PD_ACK_NULL_SENDER and PD_ACK_MAILER_DAEMON.
 */
bool	pd_autoreply_is_automatic(const struct pd_autoreply *a);

/*
 * pd_ack_verdict_name - short stable name for log lines and counters
 * ("send", "null-sender", ...); "unknown" outside the enum.
 */
const char *pd_ack_verdict_name(enum pd_ack_verdict v);

#endif
