/*
 * smtp_send.c - send a message file through pd_smtp, for tests/e2e/t_smtp.sh
 *
 * PURPOSE	smtp_send [-v] [-x] [-f FROM] [-t SECS] [-n COUNT] RELAY
 *		RCPT[,RCPT...] FILE opens one session to RELAY, sends FILE
 *		COUNT times (default 1) over it and prints one line per
 *		attempt on stdout: "CODE QUEUE_ID RC" (QUEUE_ID "-" when
 *		the reply has none; RC one of OK ETEMP EPERMFAIL EINVAL),
 *		the reply text and the session state on stderr.  A failed
 *		open prints "0 - RC".  -f '' sends the null sender (default
 *		FROM: worker@example.com).  -x first tries a recipient with
 *		a CR/LF command injection and prints "inject RC usable=N".
 *		-v logs libetpan's messages (debug level) on stderr.
 *		Exit status: 0 if the last attempt returned PD_OK, 1 if
 *		not, 2 for usage errors.  Without arguments (as a member
 *		of check_PROGRAMS, which Makefile.am runs as tests) it
 *		prints a TAP skip.
 *
 * SPDX-License-Identifier: MIT
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pd_log.h"
#include "pd_mem.h"
#include "pd_smtp.h"

#define FILE_MAX	(16 * 1024 * 1024)

static const char injection[] = "a@b>\r\nRCPT TO:<x@y";

struct opts {
	const char	*from;
	int		 timeout;
	long		 count;
	int		 inject;
	const char	*relay;
	char		*rcpt_list;
	const char	*file;
};

/* rc_name - short name of a pd_smtp result */
static const char *
rc_name(int rc)
{
	switch (rc) {
	case PD_OK:
		return "OK";
	case PD_ETEMP:
		return "ETEMP";
	case PD_EPERMFAIL:
		return "EPERMFAIL";
	case PD_EINVAL:
		return "EINVAL";
	default:
		return "EOTHER";
	}
}

/* read_file - whole file into a new buffer; NULL if unreadable or big */
static char *
read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;

	if (fp == NULL)
		return NULL;
	buf = pd_xmalloc(FILE_MAX + 1);
	*len = fread(buf, 1, FILE_MAX + 1, fp);
	if (ferror(fp) || *len > FILE_MAX) {
		fclose(fp);
		pd_free(buf);
		return NULL;
	}
	fclose(fp);
	return buf;
}

/* split_rcpts - cut list at commas in place; the count, at most max */
static size_t
split_rcpts(char *list, const char **rcpts, size_t max)
{
	size_t n = 0;
	char *p = list;
	char *comma;

	while (n < max) {
		rcpts[n++] = p;
		comma = strchr(p, ',');
		if (comma == NULL)
			break;
		*comma = '\0';
		p = comma + 1;
	}
	return n;
}

/* parse_opts - command line into o; false on a usage error */
static int
parse_opts(int argc, char **argv, struct opts *o)
{
	int c;

	o->from = "worker@example.com";
	o->timeout = 10;
	o->count = 1;
	while ((c = getopt(argc, argv, "f:n:t:vx")) != -1) {
		switch (c) {
		case 'f':
			o->from = optarg;
			break;
		case 'n':
			o->count = strtol(optarg, NULL, 10);
			break;
		case 't':
			o->timeout = (int)strtol(optarg, NULL, 10);
			break;
		case 'v':
			pd_log_set_level(PD_LOG_DEBUG);
			break;
		case 'x':
			o->inject = 1;
			break;
		default:
			return 0;
		}
	}
	if (argc - optind != 3 || o->count < 1 || o->count > 100)
		return 0;
	o->relay = argv[optind];
	o->rcpt_list = argv[optind + 1];
	o->file = argv[optind + 2];
	return 1;
}

/* try_injection - a CR/LF recipient must give PD_EINVAL, nothing sent */
static void
try_injection(struct pd_smtp *s, const char *from, const char *msg,
    size_t len)
{
	const char *bad[1] = { injection };
	struct pd_smtp_reply reply;
	int rc;

	rc = pd_smtp_send(s, from, bad, 1, msg, len, &reply);
	printf("inject %s usable=%d\n", rc_name(rc), pd_smtp_usable(s));
	fflush(stdout);
}

/* send_all - open, send count times, close; the last result */
static int
send_all(const struct opts *o, const char **rcpts, size_t n,
    const char *msg, size_t len)
{
	struct pd_smtp_reply reply;
	struct pd_err err = { 0, "" };
	struct pd_smtp *s;
	int rc = PD_EINTERNAL;
	long i;

	s = pd_smtp_open(o->relay, o->timeout, &err);
	if (s == NULL) {
		printf("0 - %s\n", rc_name(err.code));
		fprintf(stderr, "smtp_send: open: %s\n", err.msg);
		return err.code;
	}
	if (o->inject)
		try_injection(s, o->from, msg, len);
	for (i = 0; i < o->count; i++) {
		rc = pd_smtp_send(s, o->from, rcpts, n, msg, len, &reply);
		printf("%d %s %s\n", reply.code, reply.queue_id[0] ?
		    reply.queue_id : "-", rc_name(rc));
		fflush(stdout);
		fprintf(stderr, "smtp_send: reply: %d %s; usable=%d\n",
		    reply.code, reply.text, pd_smtp_usable(s));
	}
	pd_smtp_close(&s);
	return rc;
}

int
main(int argc, char **argv)
{
	const char *rcpts[PD_SMTP_RCPT_MAX];
	struct opts o;
	char *msg;
	size_t len = 0;
	size_t n;
	int rc;

	if (argc == 1) {
		printf("1..0 # SKIP driver for tests/e2e/t_smtp.sh\n");
		return 0;
	}
	memset(&o, 0, sizeof(o));
	pd_log_open("smtp_send", PD_LOG_STDERR);
	if (!parse_opts(argc, argv, &o)) {
		fprintf(stderr, "usage: smtp_send [-v] [-x] [-f FROM] "
		    "[-t SECS] [-n COUNT] RELAY RCPT[,RCPT...] FILE\n");
		return 2;
	}
	msg = read_file(o.file, &len);
	if (msg == NULL) {
		fprintf(stderr, "smtp_send: cannot read %s\n", o.file);
		return 2;
	}
	/* The caller's job (pd_smtp.h): libetpan writes with send(2). */
	signal(SIGPIPE, SIG_IGN);
	n = split_rcpts(o.rcpt_list, rcpts, PD_SMTP_RCPT_MAX);
	rc = send_all(&o, rcpts, n, msg, len);
	pd_free(msg);
	pd_log_close();
	return rc == PD_OK ? 0 : 1;
}
