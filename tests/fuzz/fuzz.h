/*
 * fuzz.h - what every libFuzzer target in tests/fuzz/ shares
 *
 * PURPOSE	The entry point's prototype, a check that stops the run with
 *		a message when an invariant breaks, and the few predicates
 *		several targets assert (valid UTF-8, a header value we may
 *		write).  Header-only, like tests/harness/tap.h.
 * DESIGN	FUZZ_CHECK() calls abort(), which libFuzzer reports as a
 *		crash and saves the input under -artifact_prefix; the
 *		message names the target's file, line and the broken rule.
 *		It is not assert(): it stays on whatever NDEBUG says.
 * OWNERSHIP	fuzz_str() returns a copy the caller frees with pd_free().
 * THREADS	libFuzzer runs the targets on one thread.
 * SEE ALSO	scripts/fuzz.sh (builds and runs the targets), STYLE.md 12.9.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_FUZZ_H
#define PD_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iconv.h>

#include <glib.h>

#include "pd_mem.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int	LLVMFuzzerInitialize(int *argc, char ***argv);

/* FUZZ_CHECK - abort with a message when cond is false */
#define FUZZ_CHECK(cond, what) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant broken: %s\n",	\
		    __FILE__, __LINE__, (what));			\
		abort();						\
	}								\
} while (0)

/*
 * fuzz_pin_iconv - keep one converter of each charset the code under test
 * meets most open for the life of the process; returns how many opened.
 * glibc unloads a gconv module when its last descriptor closes, and
 * loading it again on every iconv_open() made up most of a run's time.
 * Behaviour does not change.
 */
static inline int
fuzz_pin_iconv(void)
{
	static const char *const sets[] = { "KOI8-R", "WINDOWS-1251",
	    "ISO-8859-1", "ISO-2022-JP", "SHIFT_JIS", "GB2312", "BIG5",
	    "ISO-8859-2", "ISO-8859-15", "WINDOWS-1252", "UTF-16", "UTF-7" };
	static iconv_t cds[2 * G_N_ELEMENTS(sets)];
	size_t i;
	int n = 0;

	for (i = 0; i < G_N_ELEMENTS(cds); i++) {
		cds[i] = i % 2 ? iconv_open(sets[i / 2], "UTF-8") :
		    iconv_open("UTF-8", sets[i / 2]);
		n += cds[i] != (iconv_t)-1;
	}
	return n;
}

/* fuzz_str - data[0..size) as a NUL-terminated copy (may hold NULs) */
static inline char *
fuzz_str(const uint8_t *data, size_t size)
{
	char *s = pd_xmalloc(size + 1);

	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* fuzz_utf8 - s[0..len) is valid UTF-8 (NUL bytes count as invalid) */
static inline bool
fuzz_utf8(const char *s, size_t len)
{
	return g_utf8_validate_len(s, len, NULL);
}

/*
 * fuzz_header_safe - value may follow "Name:" in a header we write: no
 * NUL, no CR, and every LF starts a folded line (followed by SP or TAB)
 */
static inline bool
fuzz_header_safe(const char *value, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (value[i] == '\0' || value[i] == '\r')
			return false;
		if (value[i] == '\n' && (i + 1 == len ||
		    (value[i + 1] != ' ' && value[i + 1] != '\t')))
			return false;
	}
	return true;
}

/* fuzz_one_line - s holds no CR, LF or NUL in its first len bytes */
static inline bool
fuzz_one_line(const char *s, size_t len)
{
	return memchr(s, '\r', len) == NULL && memchr(s, '\n', len) == NULL &&
	    memchr(s, '\0', len) == NULL;
}

#endif
