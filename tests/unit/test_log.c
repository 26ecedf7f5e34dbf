/*
 * test_log.c - unit tests for pd_log: line format and sanitising
 *
 * The exact shape of the main lines is part of the interface admins grep
 * (STYLE.md 7): "ident[pid]: QUEUEID: warning: text".
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pd_log.h"
#include "../harness/tap.h"

static int saved_stderr;
static int pipe_fd[2];

/* capture_start - send stderr into a pipe */
static void
capture_start(void)
{
	fflush(stderr);
	if (pipe(pipe_fd) != 0)
		return;
	saved_stderr = dup(STDERR_FILENO);
	dup2(pipe_fd[1], STDERR_FILENO);
}

/* capture_end - restore stderr, return what was written (static) */
static const char *
capture_end(void)
{
	static char buf[4096];
	ssize_t n;

	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	close(pipe_fd[1]);
	n = read(pipe_fd[0], buf, sizeof(buf) - 1);
	close(pipe_fd[0]);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* after_pid - the text after "ident[pid]: " */
static const char *
after_pid(const char *line)
{
	const char *p = strstr(line, "]: ");

	return p ? p + 3 : line;
}

int
main(void)
{
	char out[32];
	char big[64];

	pd_log_open("postdesk/test", PD_LOG_STDERR);
	capture_start();
	pd_msg_info("4Kq2lT0m", "ticket=PD-7, action=opened");
	is_str(after_pid(capture_end()),
	    "4Kq2lT0m: ticket=PD-7, action=opened\n", "info: queue id first");
	capture_start();
	pd_msg_warn("4Kq2lT0m", "store unavailable (%s)", "busy");
	is_str(after_pid(capture_end()),
	    "4Kq2lT0m: warning: store unavailable (busy)\n",
	    "warning: queue id, then severity");
	capture_start();
	pd_msg_error(NULL, "x");
	is_str(after_pid(capture_end()), "NOQUEUE: error: x\n",
	    "no queue id: NOQUEUE");
	capture_start();
	pd_warn("plain");
	ok(strncmp(capture_end(), "postdesk/test[", 14) == 0,
	    "ident and pid lead the line");
	capture_start();
	pd_debug("hidden");
	is_str(capture_end(), "", "debug hidden at the default level");

	is_str(pd_log_printable(out, sizeof(out), "a\r\nBcc: x"),
	    "a??Bcc: x", "CR LF replaced");
	is_str(pd_log_printable(out, sizeof(out), "\xff\xfe ok"), "?? ok",
	    "invalid UTF-8 replaced");
	is_str(pd_log_printable(out, sizeof(out), "Ответ"), "Ответ",
	    "valid UTF-8 kept");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	pd_log_printable(out, sizeof(out), big);
	ok(strlen(out) < sizeof(out) &&
	    strcmp(out + strlen(out) - 3, "...") == 0,
	    "long value capped with ...");
	return tap_done();
}
