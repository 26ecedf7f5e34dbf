/*
 * tap.h - the tiny unit-test harness: TAP output for Automake's driver
 *
 * PURPOSE	Table-driven tests call ok()/is_str()/is_int() once per case;
 *		tap_done() prints the plan and returns the exit status.
 * DESIGN	Header-only (a few lines, Redis testhelp.h size).  Failures
 *		print the expected and actual values as TAP diagnostics.
 * THREADS	Single-threaded tests only.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_TAP_H
#define PD_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count;
static int tap_failed;

__attribute__((format(printf, 2, 3)))
static int
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%s %d - ", cond ? "ok" : "not ok", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return cond;
}

static inline int
is_str(const char *got, const char *want, const char *name)
{
	int same = (got == NULL && want == NULL) ||
	    (got != NULL && want != NULL && strcmp(got, want) == 0);

	if (!ok(same, "%s", name))
		printf("#   got:  '%s'\n#   want: '%s'\n", got ? got : "(null)",
		    want ? want : "(null)");
	return same;
}

static inline int
is_int(long long got, long long want, const char *name)
{
	if (!ok(got == want, "%s", name))
		printf("#   got:  %lld\n#   want: %lld\n", got, want);
	return got == want;
}

static inline int
tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
