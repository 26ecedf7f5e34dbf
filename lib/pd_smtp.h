/*
 * pd_smtp.h - the worker's SMTP client: hand a message to the local relay
 *
 * PURPOSE	One SMTP session to the Postfix smtpd the worker hands its
 *		mail to (PRODUCT.md "Where it sits in Postfix", [smtp] relay,
 *		by default 127.0.0.1:10026, a listener without milters).
 *		Plain SMTP on loopback only: no TLS, no AUTH (libetpan does
 *		not verify certificates, engineering guide 5.2).  A session
 *		is opened once and reused for many messages.
 * DESIGN	A thin wrapper over libetpan 1.9.4.  The TCP connection is
 *		made here (non-blocking connect bounded by the timeout), so
 *		the stream carries the per-session timeout before the
 *		greeting is read; libetpan's own connect reads the greeting
 *		with its global 300 s delay.  The timeout bounds every single
 *		wait (connect, each read, each write), not a whole
 *		transaction.  EHLO names the client by its address literal
 *		("[127.0.0.1]"), which Postfix accepts even with
 *		reject_non_fqdn_helo_hostname; HELO is tried if EHLO is
 *		refused with 5xx.  Every envelope address is checked before
 *		anything is sent (libetpan pastes it into "MAIL FROM:<%s>"
 *		unchecked).  Results are decided on the reply code, never on
 *		libetpan's error enum, which maps many codes (421 among them)
 *		to "unexpected code".
 * OWNERSHIP	pd_smtp_open() returns a session the caller owns and frees
 *		with pd_smtp_close().  struct pd_smtp_reply is caller
 *		storage; nothing in it points elsewhere.
 * ERRORS	PD_OK; PD_ETEMP for 4xx replies and every connection,
 *		timeout or protocol problem (the session is then unusable);
 *		PD_EPERMFAIL for 5xx replies (the transaction is reset and
 *		the session stays usable); PD_EINVAL for bad arguments.  The
 *		module logs nothing but libetpan's own message, at debug
 *		level.
 * THREADS	One session per thread; sessions share no state.  SIGPIPE:
 *		libetpan writes with send(2) without MSG_NOSIGNAL, so a relay
 *		that closes the connection kills the process unless the
 *		CALLER ignores SIGPIPE (signal(SIGPIPE, SIG_IGN) in the
 *		worker's main(), before the first pd_smtp_open()).
 *		libetpan waits with select(2): a socket whose descriptor is
 *		FD_SETSIZE (1024) or above is refused with PD_ETEMP.
 * SEE ALSO	engineering guide section 5; RFC 5321 sections 3.3, 4.2,
 *		4.5.3.1 (size limits).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_SMTP_H
#define PD_SMTP_H

#include <stdbool.h>
#include <stddef.h>

#include "pd_err.h"

#define PD_SMTP_ADDR_MAX	254	/* RFC 5321 4.5.3.1.3 path, octets */
#define PD_SMTP_LOCAL_MAX	64	/* RFC 5321 4.5.3.1.1 local part */
#define PD_SMTP_RCPT_MAX	100	/* recipients per pd_smtp_send() */
#define PD_SMTP_TIMEOUT_MAX	3600	/* seconds */
#define PD_SMTP_TEXT_MAX	256	/* reply text, NUL included */
#define PD_SMTP_QID_MAX		32	/* queue id, NUL excluded */

struct pd_smtp;

/*
 * struct pd_smtp_reply - the reply that decided a pd_smtp_send() result
 *
 * code		three-digit SMTP code: the 250 to the end of DATA on
 *		success, the first 5xx (else the first 4xx) refusal on
 *		failure; 0 when no reply was read (connection lost, timeout,
 *		or the call failed before the session was used).
 * text		the reply text after the code ("2.0.0 Ok: queued as X"),
 *		lines of a multi-line reply joined by a space; printable
 *		ASCII only (anything else becomes '?'); cut at
 *		PD_SMTP_TEXT_MAX - 1 bytes with "..." marking the cut.  For
 *		code 0 a short description of the failure.
 * queue_id	the id from Postfix's "queued as ID" (letters and digits,
 *		at most PD_SMTP_QID_MAX), "" when the reply has none.
 */
struct pd_smtp_reply {
	int	code;
	char	text[PD_SMTP_TEXT_MAX];
	char	queue_id[PD_SMTP_QID_MAX + 1];
};

/*
 * pd_smtp_open - connect to relay and greet it
 *
 * relay is "host:port" or "[ipv6-address]:port" (host may be a name;
 * its lookup is not bounded by timeout_s).  timeout_s (1 to
 * PD_SMTP_TIMEOUT_MAX) bounds the connect and every later read or write
 * of the session.  Returns the session, or NULL with err filled (if not
 * NULL): PD_EINVAL for a malformed relay or timeout; PD_ETEMP when the
 * connection is refused or times out, the relay cannot be resolved, or
 * the relay answers 4xx or nonsense; PD_EPERMFAIL when the relay
 * refuses us with 5xx (greeting 554, EHLO and HELO both refused) - a
 * problem of the relay's configuration, not of any message.
 */
struct pd_smtp *pd_smtp_open(const char *relay, int timeout_s,
	    struct pd_err *err);

/*
 * pd_smtp_send - one mail transaction: MAIL, RCPT..., DATA
 *
 * mail_from "" sends the null reverse-path "MAIL FROM:<>" (RFC 3834
 * responses); otherwise it and every rcpts[i] must pass
 * pd_smtp_addr_valid().  n_rcpts is 1 to PD_SMTP_RCPT_MAX.  msg (len
 * bytes) is the message as it should arrive; it arrives line for line
 * with every line ending (CRLF, bare LF or bare CR) made CRLF, a last
 * line without ending terminated, and lines starting with "." stuffed
 * (an empty message arrives as one empty line).  Send 7-bit mail: no
 * BODY=8BITMIME or SMTPUTF8 is offered.  reply (never NULL) is always
 * filled.
 *
 * Returns PD_OK when the relay answered 250 to the end of DATA (the
 * message is then the relay's).  PD_EINVAL, without a byte sent and the
 * session untouched, for an invalid address, count or argument.
 * PD_EPERMFAIL when a reply was 5xx; the session is then reset (RSET)
 * and stays usable, unless RSET itself fails.  PD_ETEMP on a 4xx reply,
 * a lost connection, a timeout, a malformed reply, or a session that is
 * no longer usable; pd_smtp_usable() is then false and the caller must
 * pd_smtp_close() and open a new session.
 *
 * Partial recipient failures: every recipient is tried; if ANY is
 * refused with 5xx the result is PD_EPERMFAIL, else if any with 4xx
 * PD_ETEMP, and DATA is not sent, so no recipient receives the message.
 * The worker sends one recipient per message, which makes the result
 * exact; a caller with several recipients cannot tell which failed
 * beyond reply.
 *
 * A timeout or lost connection after the message was sent leaves its
 * fate unknown (the relay may have queued it): the caller must expect a
 * duplicate on retry (PRODUCT.md: the inject listener's milter records
 * what it sees, so a resend is recognised).
 */
int	pd_smtp_send(struct pd_smtp *s, const char *mail_from,
	    const char *const *rcpts, size_t n_rcpts, const char *msg,
	    size_t len, struct pd_smtp_reply *reply);

/*
 * pd_smtp_close - QUIT (if the session is usable), close, free, and set
 * *sp to NULL.  NULL-safe (sp or *sp).  The reply to QUIT is not
 * awaited.
 */
void	pd_smtp_close(struct pd_smtp **sp);

/* pd_smtp_usable - true if s is connected and in a known state */
bool	pd_smtp_usable(const struct pd_smtp *s);

/*
 * pd_smtp_addr_valid - true if addr can go into MAIL FROM or RCPT TO
 *
 * One "@" with a non-empty local part of at most PD_SMTP_LOCAL_MAX
 * octets and a non-empty domain, at most PD_SMTP_ADDR_MAX octets in all,
 * printable ASCII only, none of '<', '>', ',', '"', '\\' (no quoted
 * local parts), no space or control character (so no CR or LF).  The
 * null sender is not an address: pd_smtp_send() takes it as "".
 */
bool	pd_smtp_addr_valid(const char *addr);

#endif
