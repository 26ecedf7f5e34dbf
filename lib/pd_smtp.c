/*
 * pd_smtp.c - the worker's SMTP client over libetpan
 *
 * PURPOSE	See pd_smtp.h.  This is the only file that includes
 *		libetpan headers; MAILSMTP_* codes do not leave it.
 * DESIGN	Open: parse the relay, resolve it, connect without blocking
 *		(poll(2) bounded by the timeout, every address of the name
 *		tried within the same deadline), hand the descriptor to
 *		mailstream_socket_open_timeout() so that the greeting read
 *		is already bounded (libetpan's mailsmtp_socket_connect()
 *		would read it with the global 300 s mailstream_network_delay
 *		and mailsmtp_set_timeout() only covers its connect), then
 *		mailsmtp_connect() for the greeting and EHLO/HELO.
 *		Send: MAIL (with SIZE= when offered), every RCPT, DATA, the
 *		message; each reply is classified by its code (section
 *		"classification" below); the first failure that ends the
 *		transaction decides.  A session is "usable" from a good
 *		EHLO until the first temporary failure or lost connection.
 * QUIRKS	(libetpan 1.9.4, read in its source)
 *		- After a failed write, response_code still holds the
 *		  previous reply's code: MAILSMTP_ERROR_STREAM is checked
 *		  before the code is looked at.
 *		- A malformed reply line parses as code 0, the same as a
 *		  lost connection: both are temporary.
 *		- mailesmtp_ehlo_with_ip() builds the literal from a struct
 *		  sockaddr (16 bytes), so it fails for IPv6 sockets, and it
 *		  would write "[::1]" instead of "[IPv6:::1]": for IPv6 the
 *		  host name is sent instead.
 *		- mailsmtp_data_message() always appends "\r\n.\r\n": the
		  message's own final line ending is cut off first, or
		  every message would gain an empty last line.
		- mailsmtp_quit() sends QUIT and closes without reading the
 *		  221; mailsmtp_free() does the same when a stream is left.
 *		- Reply lines are buffered without a size limit: the relay
 *		  is trusted (loopback, our own Postfix).
 * OWNERSHIP	struct pd_smtp owns the mailsmtp session, which owns the
 *		stream and the descriptor.  Reply text is copied out.
 * ERRORS	See pd_smtp.h.  libetpan's message goes to pd_debug() only.
 *		Out of memory inside libetpan is fatal (pd_panic), as for
 *		pd_xmalloc.
 * THREADS	Reentrant; one session per thread.
 *
 * SPDX-License-Identifier: MIT
 */
#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libetpan/libetpan.h>

#include "pd_log.h"
#include "pd_mem.h"
#include "pd_smtp.h"

#define SMTP_HOST_MAX	255	/* a DNS name; NUL excluded */
#define SMTP_PORT_MAX	5	/* "65535" */
#define SMTP_RELAY_MAX	(SMTP_HOST_MAX + SMTP_PORT_MAX + 4)
#define SMTP_QUEUED_AS	"queued as "

struct pd_smtp {
	mailsmtp	*sess;		/* owns stream and descriptor */
	bool		 usable;	/* connected, state known */
	char		 relay[SMTP_RELAY_MAX + 1];	/* for pd_debug */
};

/* smtp_oom - libetpan could not allocate: fatal, like pd_xmalloc */
static void __attribute__((noreturn))
smtp_oom(void)
{
	pd_panic("pd_smtp: libetpan: out of memory");
}

/* relay_port - copy a decimal port 1-65535 from p into port */
static int
relay_port(const char *p, char *port)
{
	size_t n = strspn(p, "0123456789");
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > SMTP_PORT_MAX || p[n] != '\0')
		return PD_EINVAL;
	for (i = 0; i < n; i++)
		v = v * 10 + (unsigned long)(p[i] - '0');
	if (v < 1 || v > 65535)
		return PD_EINVAL;
	memcpy(port, p, n + 1);
	return PD_OK;
}

/*
 * relay_parse - split "host:port" or "[ipv6]:port" into host (at least
 * SMTP_HOST_MAX + 1 bytes) and port (SMTP_PORT_MAX + 1); PD_EINVAL for
 * anything else, a bare IPv6 address included
 */
static int
relay_parse(const char *relay, char *host, char *port)
{
	const char *h = relay;
	const char *hend;
	const char *colon;
	size_t n;
	size_t i;

	if (relay[0] == '[') {
		h = relay + 1;
		hend = strchr(h, ']');
		if (hend == NULL || hend[1] != ':')
			return PD_EINVAL;
		colon = hend + 1;
	} else {
		colon = strrchr(relay, ':');
		if (colon == NULL || memchr(relay, ':',
		    (size_t)(colon - relay)) != NULL)
			return PD_EINVAL;
		hend = colon;
	}
	n = (size_t)(hend - h);
	if (n == 0 || n > SMTP_HOST_MAX)
		return PD_EINVAL;
	for (i = 0; i < n; i++)
		if ((unsigned char)h[i] <= 0x20 || (unsigned char)h[i] >= 0x7f)
			return PD_EINVAL;
	memcpy(host, h, n);
	host[n] = '\0';
	return relay_port(colon + 1, port);
}

/* now_ms - monotonic time in milliseconds */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* connect_wait - wait until the connect on fd ends or deadline passes */
static int
connect_wait(int fd, long long deadline)
{
	struct pollfd pfd;
	long long left;
	int soerr = 0;
	socklen_t len = sizeof(soerr);
	int r;

	do {
		left = deadline - now_ms();
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		pfd.fd = fd;
		pfd.events = POLLOUT;
		r = poll(&pfd, 1, (int)left);
	} while (r < 0 && errno == EINTR);
	if (r == 0)
		errno = ETIMEDOUT;
	if (r <= 0)
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		return -1;
	if (soerr != 0) {
		errno = soerr;
		return -1;
	}
	return 0;
}

/*
 * connect_one - connect to ai before deadline; returns a blocking
 * descriptor (libetpan wants one) or -1 with errno set
 */
static int
connect_one(const struct addrinfo *ai, long long deadline)
{
	int fd;
	int flags;
	int saved;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 &&
	    (errno != EINPROGRESS || connect_wait(fd, deadline) < 0))
		goto fail;
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
		goto fail;
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/*
 * tcp_connect - connect to host:port within timeout_s; returns the
 * descriptor and its address family, or -1 with err set (PD_ETEMP)
 */
static int
tcp_connect(const char *host, const char *port, int timeout_s,
    int *family, struct pd_err *err)
{
	struct addrinfo hints;
	struct addrinfo *res = NULL;
	const struct addrinfo *ai;
	long long deadline;
	int fd = -1;
	int saved;
	int r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	r = getaddrinfo(host, port, &hints, &res);
	if (r != 0) {
		pd_err_set(err, PD_ETEMP, "cannot resolve %s: %s", host,
		    gai_strerror(r));
		return -1;
	}
	deadline = now_ms() + (long long)timeout_s * 1000;
	saved = ETIMEDOUT;
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		fd = connect_one(ai, deadline);
		saved = errno;
		*family = ai->ai_family;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		pd_err_set(err, PD_ETEMP, "connect to %s port %s: %s", host,
		    port, strerror(saved));
		return -1;
	}
	if (fd >= FD_SETSIZE) {
		close(fd);
		pd_err_set(err, PD_ETEMP, "connect to %s port %s: descriptor "
		    "%d too large for libetpan's select()", host, port, fd);
		return -1;
	}
	return fd;
}

/*
 * text_copy - printable copy of a libetpan reply text: the lines joined
 * by one space, bytes outside printable ASCII as '?', cut with "..."
 * (dstlen >= 4)
 */
static void
text_copy(char *dst, size_t dstlen, const char *src)
{
	size_t n = 0;

	for (; src != NULL && *src != '\0'; src++) {
		unsigned char c = (unsigned char)*src;

		/* libetpan ends every line with '\n'. */
		if (c == '\r' || (c == '\n' && (src[1] == '\0' || n == 0)))
			continue;
		if (n + 1 >= dstlen) {
			memcpy(dst + dstlen - 4, "...", 3);
			break;
		}
		if (c == '\n')
			c = ' ';
		dst[n++] = (char)(c >= 0x20 && c < 0x7f ? c : '?');
	}
	dst[n] = '\0';
}

/* qid_parse - the queue id of Postfix's "queued as ID", or "" */
static void
qid_parse(char *qid, const char *text)
{
	const char *p = strstr(text, SMTP_QUEUED_AS);
	size_t n;

	qid[0] = '\0';
	if (p == NULL)
		return;
	p += strlen(SMTP_QUEUED_AS);
	n = strspn(p, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz");
	if (n == 0 || n > PD_SMTP_QID_MAX)
		return;
	memcpy(qid, p, n);
	qid[n] = '\0';
}

/*
 * reply_fill - record the session's last reply in reply; for a lost
 * connection (r is MAILSMTP_ERROR_STREAM) code 0 and a description
 */
static void
reply_fill(struct pd_smtp_reply *reply, const struct pd_smtp *s, int r)
{
	if (r == MAILSMTP_ERROR_STREAM || s->sess->response_code == 0) {
		reply->code = 0;
		snprintf(reply->text, sizeof(reply->text), "%s",
		    "connection lost, timed out, or malformed reply");
		reply->queue_id[0] = '\0';
		return;
	}
	reply->code = s->sess->response_code;
	text_copy(reply->text, sizeof(reply->text), s->sess->response);
	qid_parse(reply->queue_id, reply->text);
}

/* reply_note - reply without an SMTP exchange (code 0, own text) */
static void
reply_note(struct pd_smtp_reply *reply, const char *text)
{
	reply->code = 0;
	snprintf(reply->text, sizeof(reply->text), "%s", text);
	reply->queue_id[0] = '\0';
}

/*
 * Classification.  MAILSMTP_NO_ERROR is success (libetpan returns it only
 * for the expected codes).  Otherwise the reply code decides: 5xx is
 * permanent; 4xx, a lost connection, a timeout, a malformed reply (code
 * 0) or an unexpected 1xx-3xx are temporary.
 */

/* smtp_class - PD_OK, PD_ETEMP or PD_EPERMFAIL for result r, reply code */
static int
smtp_class(int r, int code)
{
	if (r == MAILSMTP_NO_ERROR)
		return PD_OK;
	if (r != MAILSMTP_ERROR_STREAM && code >= 500 && code <= 599)
		return PD_EPERMFAIL;
	return PD_ETEMP;
}

/* smtp_debug - libetpan's view of a failed step, at debug level */
static void
smtp_debug(const struct pd_smtp *s, const char *step, int r)
{
	pd_debug("smtp %s: %s: %s (reply code %d)", s->relay, step,
	    mailsmtp_strerror(r), r == MAILSMTP_ERROR_STREAM ? 0 :
	    s->sess->response_code);
}

/*
 * open_fail - err for a failed greeting, EHLO or HELO: the class of the
 * reply, its code and text
 */
static int
open_fail(struct pd_smtp *s, const char *step, int r, struct pd_err *err)
{
	struct pd_smtp_reply reply;

	smtp_debug(s, step, r);
	reply_fill(&reply, s, r);
	if (reply.code == 0)
		return pd_err_set(err, PD_ETEMP, "relay %s: %s: %s", s->relay,
		    step, reply.text);
	return pd_err_set(err, smtp_class(r, reply.code),
	    "relay %s: %s: %d %s", s->relay, step, reply.code, reply.text);
}

/*
 * smtp_greet - read the greeting on fd and introduce ourselves with
 * EHLO, or HELO if EHLO is refused with 5xx.  The stream gets the
 * per-session timeout when it is made (mailstream_low_set_timeout() on
 * its low stream), so the greeting read is bounded too.
 */
static int
smtp_greet(struct pd_smtp *s, int fd, int family, int timeout_s,
    struct pd_err *err)
{
	mailstream *stream;
	int use_ip = family == AF_INET;
	int r;

	stream = mailstream_socket_open_timeout(fd, timeout_s);
	if (stream == NULL)
		smtp_oom();
	mailsmtp_set_timeout(s->sess, timeout_s);
	r = mailsmtp_connect(s->sess, stream);
	if (r != MAILSMTP_NO_ERROR)
		return open_fail(s, "greeting", r, err);
	r = mailesmtp_ehlo_with_ip(s->sess, use_ip);
	if (r == MAILSMTP_NO_ERROR)
		return PD_OK;
	if (smtp_class(r, s->sess->response_code) != PD_EPERMFAIL)
		return open_fail(s, "EHLO", r, err);
	smtp_debug(s, "EHLO", r);
	r = mailsmtp_helo_with_ip(s->sess, use_ip);
	if (r != MAILSMTP_NO_ERROR)
		return open_fail(s, "HELO", r, err);
	return PD_OK;
}

/* pd_smtp_open - connect, read the greeting, EHLO */
struct pd_smtp *
pd_smtp_open(const char *relay, int timeout_s, struct pd_err *err)
{
	char host[SMTP_HOST_MAX + 1];
	char port[SMTP_PORT_MAX + 1];
	char shown[64];
	struct pd_smtp *s;
	int family = AF_UNSPEC;
	int fd;

	if (relay == NULL || relay_parse(relay, host, port) != PD_OK) {
		pd_err_set(err, PD_EINVAL, "relay \"%s\": expected host:port "
		    "or [ipv6-address]:port", pd_log_printable(shown,
		    sizeof(shown), relay ? relay : "(null)"));
		return NULL;
	}
	if (timeout_s < 1 || timeout_s > PD_SMTP_TIMEOUT_MAX) {
		pd_err_set(err, PD_EINVAL, "smtp timeout %d: expected 1 to %d "
		    "seconds", timeout_s, PD_SMTP_TIMEOUT_MAX);
		return NULL;
	}
	fd = tcp_connect(host, port, timeout_s, &family, err);
	if (fd < 0)
		return NULL;
	s = pd_xcalloc(1, sizeof(*s));
	snprintf(s->relay, sizeof(s->relay), "%s", relay);
	s->sess = mailsmtp_new(0, NULL);
	if (s->sess == NULL)
		smtp_oom();
	if (smtp_greet(s, fd, family, timeout_s, err) != PD_OK) {
		pd_smtp_close(&s);
		return NULL;
	}
	s->usable = true;
	return s;
}

/* pd_smtp_addr_valid - envelope address safe for MAIL FROM / RCPT TO */
bool
pd_smtp_addr_valid(const char *addr)
{
	const char *at = NULL;
	size_t len;
	size_t i;

	if (addr == NULL)
		return false;
	len = strnlen(addr, PD_SMTP_ADDR_MAX + 1);
	if (len < 3 || len > PD_SMTP_ADDR_MAX)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)addr[i];

		if (c <= 0x20 || c >= 0x7f || strchr("<>,\"\\", c) != NULL)
			return false;
		if (c == '@') {
			if (at != NULL)
				return false;
			at = addr + i;
		}
	}
	return at != NULL && at != addr && at[1] != '\0' &&
	    at - addr <= PD_SMTP_LOCAL_MAX;
}

/* send_check - PD_EINVAL (and why, in reply) for unusable arguments */
static int
send_check(const struct pd_smtp *s, const char *mail_from,
    const char *const *rcpts, size_t n_rcpts, const char *msg)
{
	size_t i;

	if (s == NULL || msg == NULL || rcpts == NULL || mail_from == NULL)
		return PD_EINVAL;
	if (mail_from[0] != '\0' && !pd_smtp_addr_valid(mail_from))
		return PD_EINVAL;
	if (n_rcpts < 1 || n_rcpts > PD_SMTP_RCPT_MAX)
		return PD_EINVAL;
	for (i = 0; i < n_rcpts; i++)
		if (!pd_smtp_addr_valid(rcpts[i]))
			return PD_EINVAL;
	return PD_OK;
}

/*
 * send_note - fold the outcome r of one command into *worst (5xx wins
 * over 4xx; the reply of the deciding refusal is kept).  Returns false
 * when the session cannot go on: connection lost, timeout, malformed or
 * unexpected reply, or 421 (the server closes).
 */
static bool
send_note(struct pd_smtp *s, const char *step, int r,
    struct pd_smtp_reply *reply, int *worst)
{
	int code = r == MAILSMTP_ERROR_STREAM ? 0 : s->sess->response_code;
	int rc = smtp_class(r, code);

	if (rc == PD_OK)
		return true;
	smtp_debug(s, step, r);
	/* The first 5xx decides; a 4xx only if nothing failed before. */
	if (rc == PD_EPERMFAIL ? *worst != PD_EPERMFAIL : *worst == PD_OK) {
		*worst = rc;
		reply_fill(reply, s, r);
	}
	if (code / 100 == 5 || (code / 100 == 4 && code != 421))
		return true;
	s->usable = false;
	return false;
}

/* send_envelope - MAIL and every RCPT; the worst outcome */
static int
send_envelope(struct pd_smtp *s, const char *mail_from,
    const char *const *rcpts, size_t n_rcpts, size_t len,
    struct pd_smtp_reply *reply)
{
	int worst = PD_OK;
	size_t i;
	int r;

	r = mailesmtp_mail_size(s->sess, mail_from, 0, NULL, len);
	if (!send_note(s, "MAIL", r, reply, &worst) || worst != PD_OK)
		return worst;
	for (i = 0; i < n_rcpts; i++) {
		r = mailesmtp_rcpt(s->sess, rcpts[i], 0, NULL);
		if (!send_note(s, "RCPT", r, reply, &worst))
			break;
	}
	return worst;
}

/*
 * body_len - len without msg's final line ending (CRLF, LF or CR):
 * mailsmtp_data_message() always appends "\r\n.\r\n", which ends the
 * last line itself, so a message passed whole would gain an empty line
 */
static size_t
body_len(const char *msg, size_t len)
{
	if (len > 0 && msg[len - 1] == '\n')
		len--;
	else if (len > 0 && msg[len - 1] == '\r')
		return len - 1;
	if (len > 0 && msg[len - 1] == '\r')
		len--;
	return len;
}

/* send_body - DATA and the message; the reply to its end on success */
static int
send_body(struct pd_smtp *s, const char *msg, size_t len,
    struct pd_smtp_reply *reply)
{
	int worst = PD_OK;
	int r;

	r = mailsmtp_data(s->sess);
	if (!send_note(s, "DATA", r, reply, &worst) || worst != PD_OK)
		return worst;
	r = mailsmtp_data_message(s->sess, msg, body_len(msg, len));
	if (!send_note(s, "end of data", r, reply, &worst) || worst != PD_OK)
		return worst;
	reply_fill(reply, s, r);
	return PD_OK;
}

/*
 * send_finish - after a temporary failure the session is given up;
 * after a permanent one the transaction is reset so that the session
 * can carry the next message
 */
static int
send_finish(struct pd_smtp *s, int rc)
{
	int r;

	if (rc == PD_ETEMP)
		s->usable = false;
	if (rc != PD_EPERMFAIL || !s->usable)
		return rc;
	r = mailsmtp_reset(s->sess);
	if (r != MAILSMTP_NO_ERROR) {
		smtp_debug(s, "RSET", r);
		s->usable = false;
	}
	return rc;
}

/* pd_smtp_send - one transaction; see pd_smtp.h for the results */
int
pd_smtp_send(struct pd_smtp *s, const char *mail_from,
    const char *const *rcpts, size_t n_rcpts, const char *msg, size_t len,
    struct pd_smtp_reply *reply)
{
	int rc;

	if (reply == NULL)
		return PD_EINVAL;
	if (send_check(s, mail_from, rcpts, n_rcpts, msg) != PD_OK) {
		reply_note(reply, "invalid address, recipient count or "
		    "argument: nothing sent");
		return PD_EINVAL;
	}
	if (!s->usable) {
		reply_note(reply, "session not usable: close and reopen it");
		return PD_ETEMP;
	}
	reply_note(reply, "");
	rc = send_envelope(s, mail_from, rcpts, n_rcpts, len, reply);
	if (rc == PD_OK)
		rc = send_body(s, msg, len, reply);
	return send_finish(s, rc);
}

/* pd_smtp_close - QUIT if usable, free, *sp = NULL */
void
pd_smtp_close(struct pd_smtp **sp)
{
	struct pd_smtp *s;

	if (sp == NULL || *sp == NULL)
		return;
	s = *sp;
	if (s->sess != NULL) {
		/* mailsmtp_free() sends QUIT if a stream is left. */
		if (!s->usable && s->sess->stream != NULL) {
			mailstream_close(s->sess->stream);
			s->sess->stream = NULL;
		}
		mailsmtp_free(s->sess);
	}
	pd_free(s);
	*sp = NULL;
}

/* pd_smtp_usable - connected and in a known state */
bool
pd_smtp_usable(const struct pd_smtp *s)
{
	return s != NULL && s->usable;
}
