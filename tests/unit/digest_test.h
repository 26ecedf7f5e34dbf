/*
 * digest_test.h - what test_digest.c's parts share: the history
 *		   generator (digest_gen.c) and the comparisons
 *		   (digest_check.c)
 *
 * PURPOSE	Keeps test_digest.c to the story (runs, periods, TAP lines)
 *		while the generator writes a seeded random history and the
 *		checks turn each difference between pd_digest and the oracle
 *		into a named item with diagnostics.
 * DESIGN	Only test_digest.c prints TAP lines (tap.h keeps its counts
 *		in statics): the checks collect struct check_item records,
 *		each with the number of mismatches and the lines that name
 *		the ticket and both values.
 * OWNERSHIP	struct history owns every spec, action and string of a
 *		generated history; struct checks owns its diagnostics until
 *		checks_clear().
 * THREADS	Single-threaded tests only.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DIGEST_TEST_H
#define DIGEST_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "pd_digest.h"
#include "pd_key.h"
#include "pd_store.h"
#include "digest_oracle.h"
#include "../tools/synth.h"

#define HIST_MAX_TICKETS	80
#define HIST_MAX_ACTIONS	14
#define CHECKS_MAX		64

/* A generated history: specs in creation order. */
struct history {
	struct synth_ticket t[HIST_MAX_TICKETS];
	struct synth_action a[HIST_MAX_TICKETS][HIST_MAX_ACTIONS];
	char		 customer[HIST_MAX_TICKETS][32];
	size_t		 n;
};

/*
 * history_make - n tickets created over days local days from first (UTC
 * instant of a local midnight), the first n_fixed of them at the fixed
 * instants given; seeded by seed; survey grades 1..grades
 */
void	 history_make(struct history *h, uint64_t seed, int64_t first,
	    int days, const int64_t *fixed, size_t n_fixed, size_t n,
	    int grades);

/*
 * history_case_a, history_case_b - the two hand-written one-ticket
 * histories of test_digest's known disagreements (see there), in zone tz
 */
void	 history_case_a(struct history *h, GTimeZone *tz);
void	 history_case_b(struct history *h, GTimeZone *tz);

/*
 * history_untie - move actions that fall on an instant the oracle
 * computes for their own ticket by a second; returns the number moved
 */
long	 history_untie(struct history *h, const struct orc_cal *c,
	    const struct orc_policy *p, int64_t end);

struct check_item {
	char		 name[96];
	long		 bad;			/* mismatches */
	GString		*diag;			/* one line per mismatch */
};

struct checks {
	struct check_item v[CHECKS_MAX];
	size_t		 n;
	const struct pd_key *key;
	int64_t		 now;
};

/* checks_clear - free the diagnostics and empty c */
void	 checks_clear(struct checks *c);

/*
 * check_digest - every field of d against the oracle's e for the tickets
 * o (evaluated at the digest's now), as items prefixed by what; grades:
 * the survey scale configured
 */
void	 check_digest(struct checks *c, const char *what,
	    const struct pd_digest *d, const struct orc_digest *e,
	    const struct orc_ticket *o, size_t n, int grades);

/*
 * check_watch - the "warning" rows of the outbox and the "breach" events
 * of the store against the oracle's; agents: the queue's agents
 */
void	 check_watch(struct checks *c, const char *what, struct pd_store *st,
	    const struct orc_ticket *o, size_t n,
	    const struct pd_conf *conf);

/* fmt_time - t as "2026-03-29T01:00:00Z" in a static buffer (8 slots) */
const char *fmt_time(int64_t t);

#endif
