/*
 * pd_log.c - diagnostics to syslog (LOG_MAIL) and stderr
 *
 * PURPOSE	See pd_log.h.
 * THREADS	Safe after pd_log_open(); the settings are written once at
 *		start-up, before any thread exists.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "pd_log.h"

#define LOG_LINE_MAX	2048

static const char *log_ident = "postdesk";
static int log_targets = PD_LOG_STDERR;
static enum pd_log_level log_min = PD_LOG_INFO;

/* pd_log_open - choose ident and targets */
void
pd_log_open(const char *ident, int targets)
{
	log_ident = ident;
	log_targets = targets;
	if (targets & PD_LOG_SYSLOG)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

/* pd_log_set_level - lowest level written */
void
pd_log_set_level(enum pd_log_level level)
{
	log_min = level;
}

/* pd_log_close - close syslog */
void
pd_log_close(void)
{
	if (log_targets & PD_LOG_SYSLOG)
		closelog();
}

/* log_emit_qid - format one line, queue id first, write it everywhere */
static void __attribute__((format(printf, 4, 0)))
log_emit_qid(int prio, const char *qid, const char *label, const char *fmt,
    va_list ap)
{
	char text[LOG_LINE_MAX];
	char line[LOG_LINE_MAX + 256];
	const char *sep = qid != NULL ? ": " : "";
	int n;

	if (qid == NULL)
		qid = "";
	vsnprintf(text, sizeof(text), fmt, ap);
	if (log_targets & PD_LOG_SYSLOG)
		syslog(prio, "%.64s%s%s%s", qid, sep, label, text);
	if (log_targets & PD_LOG_STDERR) {
		n = snprintf(line, sizeof(line), "%s[%ld]: %.64s%s%s%s\n",
		    log_ident, (long)getpid(), qid, sep, label, text);
		if (n > (int)sizeof(line) - 1)
			n = (int)sizeof(line) - 1;
		if (n > 0 && write(STDERR_FILENO, line, (size_t)n) < 0)
			return;
	}
}

/* log_emit - a line without queue id */
static void __attribute__((format(printf, 3, 0)))
log_emit(int prio, const char *label, const char *fmt, va_list ap)
{
	log_emit_qid(prio, NULL, label, fmt, ap);
}

#define LOG_BODY(level, prio, label) do {		\
	va_list ap;					\
	if ((level) < log_min)				\
		return;					\
	va_start(ap, fmt);				\
	log_emit((prio), (label), fmt, ap);		\
	va_end(ap);					\
} while (0)

#define LOG_MSG_BODY(level, prio, label) do {		\
	va_list ap;					\
	if ((level) < log_min)				\
		return;					\
	va_start(ap, fmt);				\
	log_emit_qid((prio), qid ? qid : "NOQUEUE",	\
	    (label), fmt, ap);				\
	va_end(ap);					\
} while (0)

/* pd_msg_info - decision about one message */
void
pd_msg_info(const char *qid, const char *fmt, ...)
{
	LOG_MSG_BODY(PD_LOG_INFO, LOG_INFO, "");
}

/* pd_msg_warn - handled anomaly of one message */
void
pd_msg_warn(const char *qid, const char *fmt, ...)
{
	LOG_MSG_BODY(PD_LOG_WARN, LOG_WARNING, "warning: ");
}

/* pd_msg_error - failure while handling one message */
void
pd_msg_error(const char *qid, const char *fmt, ...)
{
	LOG_MSG_BODY(PD_LOG_ERROR, LOG_ERR, "error: ");
}

/* pd_debug - debug line (only with -v / log_level = debug) */
void
pd_debug(const char *fmt, ...)
{
	LOG_BODY(PD_LOG_DEBUG, LOG_DEBUG, "debug: ");
}

/* pd_info - one line per decision */
void
pd_info(const char *fmt, ...)
{
	LOG_BODY(PD_LOG_INFO, LOG_INFO, "");
}

/* pd_warn - handled anomaly */
void
pd_warn(const char *fmt, ...)
{
	LOG_BODY(PD_LOG_WARN, LOG_WARNING, "warning: ");
}

/* pd_error - failure that loses a feature */
void
pd_error(const char *fmt, ...)
{
	LOG_BODY(PD_LOG_ERROR, LOG_ERR, "error: ");
}

/* pd_fatal - start-up or configuration failure: log and exit */
void
pd_fatal(int exitcode, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_CRIT, "fatal: ", fmt, ap);
	va_end(ap);
	exit(exitcode);
}

/* pd_panic - violated invariant: log and abort for a core */
void
pd_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_CRIT, "panic: ", fmt, ap);
	va_end(ap);
	abort();
}

/* utf8_seq_len - length of a valid UTF-8 sequence at s, or 0 */
static size_t
utf8_seq_len(const unsigned char *s)
{
	size_t n;
	size_t i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* pd_log_printable - sanitised, capped copy of untrusted text */
char *
pd_log_printable(char *dst, size_t dstlen, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0;
	size_t n;

	if (dstlen == 0)
		return dst;
	while (*s != '\0') {
		n = utf8_seq_len(s);
		if (o + (n ? n : 1) + 4 > dstlen) {
			if (dstlen >= 4) {
				o = o > dstlen - 4 ? dstlen - 4 : o;
				memcpy(dst + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (n == 0 || s[0] < 0x20 || s[0] == 0x7f) {
			dst[o++] = '?';
			s++;
			continue;
		}
		memcpy(dst + o, s, n);
		o += n;
		s += n;
	}
	dst[o] = '\0';
	return dst;
}
