/*
 * test_smtp.c - unit tests for pd_smtp: address checks and a scripted relay
 *
 * Address validation (CR/LF injection, spaces, length, non-ASCII) and
 * relay parsing need no server.  The rest runs pd_smtp against a fake
 * relay forked on loopback that answers from a script and reports every
 * line it received, so each test can assert the exact conversation:
 * invalid input sends nothing, replies are classified by code (5xx with
 * RSET, 4xx and 421 ending the session), partial recipient failures,
 * EHLO -> HELO fallback, reply text sanitising, queue id parsing,
 * dot-stuffing, SIZE=, timeouts.  Every fake relay dies by alarm(10).
 *
 * SPDX-License-Identifier: MIT
 */
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pd_smtp.h"
#include "../harness/tap.h"

#define CLOSE	"\001close"	/* script: drop the connection, no reply */
#define SILENT	""		/* greeting: say nothing, wait 5 s */
#define LINE_MAX_	2048

struct fake {
	pid_t	pid;
	int	rfd;		/* transcript from the child */
	char	relay[64];
};

static const char *const ehlo_ok[] = { "250-fake\r\n250 SIZE 1000000\r\n" };

/* write_all - the whole string to fd (child side) */
static void
write_all(int fd, const char *s)
{
	size_t len = strlen(s);
	ssize_t n;

	while (len > 0 && (n = write(fd, s, len)) > 0) {
		s += n;
		len -= (size_t)n;
	}
}

/* read_line - one line including its LF into buf; false at EOF */
static bool
read_line(int fd, char *buf, size_t size)
{
	size_t n = 0;
	char c;

	while (n + 1 < size && read(fd, &c, 1) == 1) {
		buf[n++] = c;
		if (c == '\n')
			break;
	}
	buf[n] = '\0';
	return n > 0;
}

/* record - one transcript line: CR and LF escaped unless final CRLF */
static void
record(int wfd, const char *line, bool raw)
{
	char out[LINE_MAX_ * 2 + 2];
	size_t n = 0;
	size_t len = strlen(line);

	if (!raw && len >= 2 && strcmp(line + len - 2, "\r\n") == 0)
		len -= 2;
	for (size_t i = 0; i < len && n + 3 < sizeof(out); i++) {
		if (line[i] == '\r' || line[i] == '\n') {
			out[n++] = '\\';
			out[n++] = line[i] == '\r' ? 'r' : 'n';
		} else
			out[n++] = line[i];
	}
	out[n++] = '\n';
	if (write(wfd, out, n) < 0)
		_exit(3);
}

/* read_data - the DATA block up to and including ".\r\n" */
static void
read_data(int c, char *block, size_t size)
{
	char line[LINE_MAX_];
	size_t n = 0;

	block[0] = '\0';
	while (read_line(c, line, sizeof(line))) {
		if (n + strlen(line) < size) {
			memcpy(block + n, line, strlen(line) + 1);
			n += strlen(line);
		}
		if (strcmp(line, ".\r\n") == 0)
			break;
	}
}

/* fake_serve - the child: greet, answer each command from the script */
static void
fake_serve(int c, int wfd, const char *greeting, const char *const *script)
{
	char line[LINE_MAX_];
	bool data = false;
	size_t i = 0;

	if (greeting[0] == '\0') {
		sleep(5);
		_exit(0);
	}
	write_all(c, greeting);
	for (;;) {
		if (data)
			read_data(c, line, sizeof(line));
		else if (!read_line(c, line, sizeof(line)))
			break;
		record(wfd, line, data);
		if (script[i] == NULL) {
			write_all(c, strncmp(line, "QUIT", 4) == 0 ?
			    "221 bye\r\n" : "500 unscripted\r\n");
			continue;
		}
		if (strcmp(script[i], CLOSE) == 0)
			break;
		data = strncmp(script[i], "354", 3) == 0;
		write_all(c, script[i++]);
	}
	_exit(0);
}

/* fake_start - listen on loopback (family), fork the scripted relay */
static bool
fake_start(struct fake *f, int family, const char *greeting,
    const char *const *script)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	struct sockaddr *sa = family == AF_INET ? (void *)&a4 : (void *)&a6;
	socklen_t len = family == AF_INET ? sizeof(a4) : sizeof(a6);
	int lfd = socket(family, SOCK_STREAM, 0);
	int p[2];
	int c;

	a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a6.sin6_addr = in6addr_loopback;
	if (lfd < 0 || bind(lfd, sa, len) != 0 || listen(lfd, 4) != 0 ||
	    getsockname(lfd, sa, &len) != 0 || pipe(p) != 0)
		return false;
	snprintf(f->relay, sizeof(f->relay), family == AF_INET ?
	    "127.0.0.1:%d" : "[::1]:%d", ntohs(family == AF_INET ?
	    a4.sin_port : a6.sin6_port));
	fflush(stdout);
	f->pid = fork();
	if (f->pid == 0) {
		alarm(10);
		close(p[0]);
		c = accept(lfd, NULL, NULL);
		if (c < 0)
			_exit(2);
		fake_serve(c, p[1], greeting, script);
	}
	close(p[1]);
	close(lfd);
	f->rfd = p[0];
	return f->pid > 0;
}

/* fake_finish - the child's transcript (static), after it exited */
static const char *
fake_finish(struct fake *f)
{
	static char buf[8192];
	size_t n = 0;
	ssize_t r;

	while (n + 1 < sizeof(buf) &&
	    (r = read(f->rfd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	close(f->rfd);
	waitpid(f->pid, NULL, 0);
	return buf;
}

/* script - a NULL-terminated reply list: EHLO reply, then list */
#define SCRIPT(...)	((const char *const []){ ehlo_ok[0], __VA_ARGS__, \
	    NULL })

static const char *one_rcpt[] = { "support@example.com" };
static const char msg[] = "Subject: t\n\n.hidden\nline\r\n";

/* test_addr - pd_smtp_addr_valid on a table */
static void
test_addr(void)
{
	static const struct {
		const char	*addr;
		bool		 valid;
		const char	*name;
	} cases[] = {
		{ "alice@example.org", true, "plain address" },
		{ "support+csat-1042-4-TOK@example.com", true, "plus address" },
		{ "a@b", true, "shortest" },
		{ "a@b>\r\nRCPT TO:<x@y", false, "CR/LF command injection" },
		{ "a@b\nc", false, "bare LF" },
		{ "a@b\r", false, "bare CR" },
		{ "al ice@example.org", false, "space" },
		{ "alice@example.org\t", false, "tab" },
		{ "<alice@example.org>", false, "angle brackets" },
		{ "\"a b\"@example.org", false, "quoted local part" },
		{ "a,b@example.org", false, "comma" },
		{ "jos\xc3\xa9@example.org", false, "non-ASCII (EAI)" },
		{ "a\x7f@example.org", false, "DEL" },
		{ "alice", false, "no @" },
		{ "a@b@c", false, "two @" },
		{ "@example.org", false, "empty local part" },
		{ "alice@", false, "empty domain" },
		{ "", false, "empty (null sender is not an address)" },
		{ NULL, false, "NULL" },
	};
	char lng[300];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ok(pd_smtp_addr_valid(cases[i].addr) == cases[i].valid,
		    "addr: %s", cases[i].name);
	memset(lng, 'a', sizeof(lng));
	memcpy(lng + 64, "@", 1);
	lng[254] = '\0';
	ok(pd_smtp_addr_valid(lng), "addr: 254 octets, local part 64");
	lng[254] = 'a';
	lng[255] = '\0';
	ok(!pd_smtp_addr_valid(lng), "addr: 255 octets refused");
	lng[64] = 'a';
	lng[65] = '@';
	lng[100] = '\0';
	ok(!pd_smtp_addr_valid(lng), "addr: local part of 65 refused");
}

/* test_args - relay syntax and NULL arguments, no network */
static void
test_args(void)
{
	static const char *const bad[] = { "", "host", "host:", "host:0",
	    "host:65536", "host:25x", "::1:25", "[::1]25", "[::1", "a b:25",
	    ":25", "[]:25", "host:123456" };
	struct pd_smtp_reply reply;
	struct pd_err err;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.code = 0;
		ok(pd_smtp_open(bad[i], 5, &err) == NULL &&
		    err.code == PD_EINVAL, "relay \"%s\" is PD_EINVAL", bad[i]);
	}
	ok(pd_smtp_open(NULL, 5, &err) == NULL && err.code == PD_EINVAL,
	    "relay NULL is PD_EINVAL");
	ok(pd_smtp_open("127.0.0.1:25", 0, &err) == NULL &&
	    err.code == PD_EINVAL, "timeout 0 is PD_EINVAL");
	is_int(pd_smtp_send(NULL, "", one_rcpt, 1, msg, 3, &reply),
	    PD_EINVAL, "send on NULL session is PD_EINVAL");
	is_int(reply.code, 0, "... reply code 0");
	pd_smtp_close(NULL);
	ok(!pd_smtp_usable(NULL), "NULL session is not usable");
}

/* open_fake - start a fake relay and open a session to it */
static struct pd_smtp *
open_fake(struct fake *f, const char *const *script)
{
	struct pd_err err = { 0, "" };
	struct pd_smtp *s;

	if (!fake_start(f, AF_INET, "220 fake ESMTP\r\n", script))
		return NULL;
	s = pd_smtp_open(f->relay, 5, &err);
	if (s == NULL)
		printf("# open %s: %s\n", f->relay, err.msg);
	return s;
}

/* test_invalid - invalid input: PD_EINVAL, not a byte sent */
static void
test_invalid(void)
{
	const char *inj[] = { "a@b>\r\nRCPT TO:<x@y" };
	const char *many[PD_SMTP_RCPT_MAX + 1];
	const char *two[] = { "ok@example.com", "b@d e" };
	struct pd_smtp_reply r;
	struct fake f;
	struct pd_smtp *s = open_fake(&f, SCRIPT(NULL));
	size_t i;

	for (i = 0; i < PD_SMTP_RCPT_MAX + 1; i++)
		many[i] = "ok@example.com";
	is_int(pd_smtp_send(s, "", inj, 1, msg, 3, &r), PD_EINVAL,
	    "CR/LF injection in RCPT is PD_EINVAL");
	is_int(pd_smtp_send(s, "x@y>\r\nDATA", one_rcpt, 1, msg, 3, &r),
	    PD_EINVAL, "CR/LF injection in MAIL FROM is PD_EINVAL");
	is_int(pd_smtp_send(s, "", two, 2, msg, 3, &r), PD_EINVAL,
	    "bad second recipient is PD_EINVAL");
	is_int(pd_smtp_send(s, "", many, PD_SMTP_RCPT_MAX + 1, msg, 3, &r),
	    PD_EINVAL, "too many recipients is PD_EINVAL");
	is_int(pd_smtp_send(s, "", one_rcpt, 0, msg, 3, &r), PD_EINVAL,
	    "no recipient is PD_EINVAL");
	is_int(pd_smtp_send(s, "", one_rcpt, 1, NULL, 3, &r), PD_EINVAL,
	    "NULL message is PD_EINVAL");
	ok(pd_smtp_usable(s), "session still usable");
	pd_smtp_close(&s);
	ok(s == NULL, "close sets the pointer to NULL");
	is_str(fake_finish(&f), "EHLO [127.0.0.1]\nQUIT\n",
	    "relay saw only EHLO and QUIT");
}

/* test_success - two messages, SIZE=, dot-stuffing, queue ids, text */
static void
test_success(void)
{
	struct pd_smtp_reply r;
	struct fake f;
	struct pd_smtp *s = open_fake(&f, SCRIPT("250 ok\r\n", "250 ok\r\n",
	    "354 go\r\n", "250 2.0.0 Ok: queued as 4Kq2lV1qYcz9vPb\r\n",
	    "250 ok\r\n", "250 ok\r\n", "354 go\r\n",
	    "250-first\001 line\xff\r\n250 2.0.0 Ok\r\n"));

	is_int(pd_smtp_send(s, "", one_rcpt, 1, msg, strlen(msg), &r), PD_OK,
	    "send: PD_OK");
	is_int(r.code, 250, "... code 250");
	is_str(r.queue_id, "4Kq2lV1qYcz9vPb", "... queue id parsed");
	is_str(r.text, "2.0.0 Ok: queued as 4Kq2lV1qYcz9vPb", "... text");
	is_int(pd_smtp_send(s, "w@example.com", one_rcpt, 1, "x", 1, &r),
	    PD_OK, "second send on the same session: PD_OK");
	is_str(r.queue_id, "", "... no queue id in the reply: empty");
	is_str(r.text, "first? line? 2.0.0 Ok",
	    "... multi-line text joined, control and 8-bit bytes as '?'");
	pd_smtp_close(&s);
	is_str(fake_finish(&f), "EHLO [127.0.0.1]\n"
	    "MAIL FROM:<> SIZE=26\nRCPT TO:<support@example.com>\nDATA\n"
	    "Subject: t\\r\\n\\r\\n..hidden\\r\\nline\\r\\n.\\r\\n\n"
	    "MAIL FROM:<w@example.com> SIZE=1\n"
	    "RCPT TO:<support@example.com>\nDATA\nx\\r\\n.\\r\\n\nQUIT\n",
	    "conversation: null sender, SIZE, CRLF, dot-stuffing, QUIT");
}

/* test_partial - 250, 450, 550 for three recipients; then a 452 */
static void
test_partial(void)
{
	const char *three[] = { "a@example.com", "b@example.com",
	    "c@example.com" };
	struct pd_smtp_reply r;
	struct fake f;
	struct pd_smtp *s = open_fake(&f, SCRIPT("250 ok\r\n", "250 ok\r\n",
	    "450 4.2.0 busy\r\n", "550 5.1.1 <c@example.com>: unknown\r\n",
	    "250 reset\r\n", "250 ok\r\n", "452 4.5.3 too many\r\n"));

	is_int(pd_smtp_send(s, "", three, 3, msg, 3, &r), PD_EPERMFAIL,
	    "one 5xx among the recipients: PD_EPERMFAIL");
	is_int(r.code, 550, "... the 5xx refusal is the reply");
	is_str(r.text, "5.1.1 <c@example.com>: unknown", "... its text");
	ok(pd_smtp_usable(s), "... session usable after RSET");
	is_int(pd_smtp_send(s, "", one_rcpt, 1, msg, 3, &r), PD_ETEMP,
	    "452 at RCPT: PD_ETEMP");
	is_int(r.code, 452, "... code 452");
	ok(!pd_smtp_usable(s), "... session no longer usable");
	is_int(pd_smtp_send(s, "", one_rcpt, 1, msg, 3, &r), PD_ETEMP,
	    "send on an unusable session: PD_ETEMP");
	is_int(r.code, 0, "... with code 0");
	pd_smtp_close(&s);
	is_str(fake_finish(&f), "EHLO [127.0.0.1]\nMAIL FROM:<> SIZE=3\n"
	    "RCPT TO:<a@example.com>\nRCPT TO:<b@example.com>\n"
	    "RCPT TO:<c@example.com>\nRSET\nMAIL FROM:<> SIZE=3\n"
	    "RCPT TO:<support@example.com>\n",
	    "no DATA after a refusal; RSET after 5xx; no QUIT when unusable");
}

/* test_break - 421, dropped connection, garbage: all PD_ETEMP, code 0/421 */
static void
test_break(void)
{
	static const struct {
		const char	*reply;
		int		 code;
		const char	*name;
	} cases[] = {
		{ "421 4.3.2 shutting down\r\n", 421, "421 at MAIL" },
		{ CLOSE, 0, "connection dropped at MAIL" },
		{ "hello there\r\n", 0, "malformed reply at MAIL" },
		{ "354 what\r\n", 354, "unexpected 354 at MAIL" },
	};
	struct pd_smtp_reply r;
	struct fake f;
	struct pd_smtp *s;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = open_fake(&f, SCRIPT(cases[i].reply));
		rc = pd_smtp_send(s, "", one_rcpt, 1, msg, 3, &r);
		ok(rc == PD_ETEMP && r.code == cases[i].code &&
		    !pd_smtp_usable(s), "%s: PD_ETEMP, code %d, unusable",
		    cases[i].name, cases[i].code);
		pd_smtp_close(&s);
		fake_finish(&f);
	}
}

/* test_helo - EHLO refused: HELO; 5xx at end of data: RSET, usable */
static void
test_helo(void)
{
	const char *const script[] = { "502 5.5.2 no EHLO\r\n", "250 hi\r\n",
	    "250 ok\r\n", "250 ok\r\n", "354 go\r\n",
	    "554 5.7.1 content rejected\r\n", "250 reset\r\n", NULL };
	struct pd_err err = { 0, "" };
	struct pd_smtp_reply r;
	struct pd_smtp *s = NULL;
	struct fake f;

	if (fake_start(&f, AF_INET, "220 old\r\n", script))
		s = pd_smtp_open(f.relay, 5, &err);
	ok(s != NULL, "EHLO refused with 5xx: HELO accepted");
	is_int(pd_smtp_send(s, "a@example.com", one_rcpt, 1, "x\n", 2, &r),
	    PD_EPERMFAIL, "554 at end of data: PD_EPERMFAIL");
	is_int(r.code, 554, "... code 554");
	ok(pd_smtp_usable(s), "... usable after RSET");
	pd_smtp_close(&s);
	is_str(fake_finish(&f), "EHLO [127.0.0.1]\nHELO [127.0.0.1]\n"
	    "MAIL FROM:<a@example.com>\nRCPT TO:<support@example.com>\n"
	    "DATA\nx\\r\\n.\\r\\n\nRSET\nQUIT\n",
	    "conversation: HELO fallback, no SIZE without EHLO, RSET");
}

/* escape - CR and LF of s as "\\r" and "\\n", appended to out */
static void
escape(char *out, size_t size, const char *s)
{
	size_t n = strlen(out);

	for (; *s != '\0' && n + 3 < size; s++) {
		if (*s == '\r' || *s == '\n') {
			out[n++] = '\\';
			out[n++] = *s == '\r' ? 'r' : 'n';
		} else
			out[n++] = *s;
	}
	out[n] = '\0';
}

/* test_wire - line endings, final line and dots as the relay sees them */
static void
test_wire(void)
{
	static const struct {
		const char	*msg;
		const char	*wire;
	} cases[] = {
		{ "x\n", "x\r\n.\r\n" },
		{ "x", "x\r\n.\r\n" },
		{ "x\r\n", "x\r\n.\r\n" },
		{ "x\r", "x\r\n.\r\n" },
		{ "a\n\n", "a\r\n\r\n.\r\n" },
		{ "a\r\rb", "a\r\n\r\nb\r\n.\r\n" },
		{ "a\n.\n", "a\r\n..\r\n.\r\n" },
		{ ".\r\n..x\r\n", "..\r\n...x\r\n.\r\n" },
		{ "\n", "\r\n.\r\n" },
	};
	enum { N = sizeof(cases) / sizeof(cases[0]) };
	const char *script[4 * N + 2];
	char want[2048] = "EHLO [127.0.0.1]\n";
	struct pd_smtp_reply r;
	struct pd_smtp *s;
	struct fake f;
	size_t i;
	int bad = 0;

	script[0] = ehlo_ok[0];
	for (i = 0; i < N; i++) {
		script[4 * i + 1] = "250 ok\r\n";
		script[4 * i + 2] = "250 ok\r\n";
		script[4 * i + 3] = "354 go\r\n";
		script[4 * i + 4] = "250 ok\r\n";
	}
	script[4 * N + 1] = NULL;
	s = open_fake(&f, script);
	for (i = 0; i < N; i++) {
		bad |= pd_smtp_send(s, "", one_rcpt, 1, cases[i].msg,
		    strlen(cases[i].msg), &r) != PD_OK;
		snprintf(want + strlen(want), sizeof(want) - strlen(want),
		    "MAIL FROM:<> SIZE=%zu\nRCPT TO:<support@example.com>\n"
		    "DATA\n", strlen(cases[i].msg));
		escape(want, sizeof(want), cases[i].wire);
		snprintf(want + strlen(want), sizeof(want) - strlen(want),
		    "\n");
	}
	ok(!bad, "wire: %d messages sent", (int)N);
	pd_smtp_close(&s);
	snprintf(want + strlen(want), sizeof(want) - strlen(want), "QUIT\n");
	is_str(fake_finish(&f), want,
	    "wire: CRLF everywhere, one final line ending, dots stuffed");
}

/* open_code - pd_smtp_open against greeting/EHLO replies: the err code */
static int
open_code(const char *greeting, const char *ehlo, int timeout,
    double *secs)
{
	const char *const script[] = { ehlo, NULL };
	struct pd_err err = { 0, "" };
	struct timespec t0, t1;
	struct pd_smtp *s;
	struct fake f;

	if (!fake_start(&f, AF_INET, greeting, script))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	s = pd_smtp_open(f.relay, timeout, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (s != NULL) {
		pd_smtp_close(&s);
		err.code = PD_OK;
	}
	kill(f.pid, SIGKILL);
	fake_finish(&f);
	return err.code;
}

/* test_open - greeting and EHLO refusals, a silent relay */
static void
test_open(void)
{
	double secs;

	is_int(open_code("554 5.3.2 go away\r\n", "250 x\r\n", 5, &secs),
	    PD_EPERMFAIL, "greeting 554: PD_EPERMFAIL");
	is_int(open_code("421 4.3.2 busy\r\n", "250 x\r\n", 5, &secs),
	    PD_ETEMP, "greeting 421: PD_ETEMP");
	is_int(open_code("220 x\r\n", "421 4.3.2 busy\r\n", 5, &secs),
	    PD_ETEMP, "EHLO 421: PD_ETEMP (no HELO)");
	is_int(open_code("220 x\r\n", CLOSE, 5, &secs), PD_ETEMP,
	    "connection dropped at EHLO: PD_ETEMP");
	is_int(open_code(SILENT, "250 x\r\n", 1, &secs), PD_ETEMP,
	    "silent relay: PD_ETEMP");
	ok(secs >= 0.9 && secs < 3.0, "... after the 1 s timeout (%.2f s)",
	    secs);
}

/* test_ipv6 - "[::1]:port": EHLO with the host name, not a literal */
static void
test_ipv6(void)
{
	const char *const script[] = { "250 hi\r\n", NULL };
	struct pd_err err = { 0, "" };
	struct pd_smtp *s;
	struct fake f;
	const char *t;

	if (!fake_start(&f, AF_INET6, "220 v6\r\n", script)) {
		printf("ok %d # SKIP no IPv6 loopback\n", ++tap_count);
		return;
	}
	s = pd_smtp_open(f.relay, 5, &err);
	ok(s != NULL, "[::1]:port opens (%s)", s ? "ok" : err.msg);
	pd_smtp_close(&s);
	t = fake_finish(&f);
	ok(strncmp(t, "EHLO ", 5) == 0 && strncmp(t, "EHLO [", 6) != 0,
	    "IPv6: EHLO names the host, not libetpan's bad literal");
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_addr();
	test_args();
	test_invalid();
	test_success();
	test_partial();
	test_break();
	test_helo();
	test_wire();
	test_open();
	test_ipv6();
	return tap_done();
}
