/*
 * pd_log.h - diagnostics: syslog (LOG_MAIL) and stderr, Postfix style
 *
 * PURPOSE	The severity ladder of STYLE.md section 5: pd_debug, pd_info,
 *		pd_warn, pd_error; pd_fatal for start-up and configuration
 *		problems (exits with a sysexits.h code); pd_panic for violated
 *		invariants (abort() for a core).
 * DESIGN	Lines look like Postfix's: "postdesk/milter[812]: QUEUEID:
 *		name=value, ... (free text)"; warnings get "warning: ", errors
 *		"error: ".  Message-related callers put the queue id first
 *		themselves.  Values that come from mail go through
 *		pd_log_printable() first.
 * OWNERSHIP	No allocation; the ident string must outlive the log.
 * THREADS	Safe: syslog(3) and one write(2) per line to stderr.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_LOG_H
#define PD_LOG_H

#include <stddef.h>

#define PD_LOG_SYSLOG	0x1
#define PD_LOG_STDERR	0x2

enum pd_log_level {
	PD_LOG_DEBUG,
	PD_LOG_INFO,
	PD_LOG_WARN,
	PD_LOG_ERROR,
};

/* pd_log_open - start logging as ident ("postdesk/milter") to targets */
void	pd_log_open(const char *ident, int targets);
/* pd_log_set_level - lowest level that is written (default INFO) */
void	pd_log_set_level(enum pd_log_level level);
void	pd_log_close(void);

void	pd_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	pd_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	pd_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	pd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * pd_msg_info, pd_msg_warn, pd_msg_error - lines about one message: the
 * queue id (or "NOQUEUE") comes first, then the severity, as in
 * "4Kq2lT0mZfz9vNx: warning: store unavailable (...)".
 */
void	pd_msg_info(const char *qid, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	pd_msg_warn(const char *qid, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	pd_msg_error(const char *qid, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	pd_fatal(int exitcode, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3), noreturn));
void	pd_panic(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/*
 * pd_log_printable - copy untrusted src into dst (size dstlen) for a log
 * line: control and non-UTF-8 bytes become '?', the copy is capped (with
 * "..." marking the cut).  Returns dst.
 */
char	*pd_log_printable(char *dst, size_t dstlen, const char *src);

#endif
