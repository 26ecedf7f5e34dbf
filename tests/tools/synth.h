/*
 * synth.h - synthetic ticket history written through the store interface
 *
 * PURPOSE	Writes the life of many tickets into a store at chosen
 *		instants, the way the real code paths do (pd_route's new
 *		ticket and customer reply, pd_agent's answer and commands,
 *		a survey answer), so that tests and benchmarks can read real
 *		rows: tests/unit/test_digest.c and bench/digest_bench.c.
 *		It does not queue acknowledgements or schedule surveys at a
 *		resolution (nothing it is used for reads them).
 * DESIGN	A ticket is a spec: creation (queue, customer, subject,
 *		priority, complaint, instant) and a list of actions in time
 *		order.  synth_run() applies, in one global time order, every
 *		creation and action at or before now that it has not applied
 *		yet, each in its own transaction, and runs a perfect SLA
 *		watch: before an action at T it runs pd_slawatch_run() at
 *		every watch time pd_store_sla_next() <= T (never earlier than
 *		the last instant applied: a change that puts a due time in
 *		the past is watched at the change), then up to now.  So
 *		breach events carry their due instants and warnings are
 *		queued at theirs.  A due instant equal to an action's instant
 *		is watched before the action; specs should avoid such ties
 *		(test_digest.c creates tickets on whole minutes, acts at :30
 *		seconds, and moves an action by a second when its own
 *		oracle finds a tie).  Calls with a later now continue where
 *		the last one stopped.
 *		synth_apply() is the benchmark's fast path: one ticket's
 *		creation and actions up to now, in the caller's transaction,
 *		without the watch; the clocks are still right (pd_slaclock),
 *		and the breaches the ticket has by now are recorded directly
 *		(a "breach" event at the due instant, flags and watch time
 *		marked).
 *		Message-IDs are "s<ticket>.<n>@synth.test" (n: 0 for the
 *		first message, action index + 1 after).
 * OWNERSHIP	Specs belong to the caller; strings in them are borrowed
 *		for the call.  synth fills id, done and survey_id of each
 *		spec.
 * ERRORS	The store's codes; PD_EINVAL for a spec naming an unknown
 *		queue or actions out of order.
 * THREADS	One store handle, one thread.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef SYNTH_H
#define SYNTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pd_conf.h"
#include "pd_key.h"
#include "pd_store.h"

enum synth_kind {
	SYNTH_ANSWER,		/* agent answers: pending, first response */
	SYNTH_REPLY,		/* customer writes: open (reopen if resolved) */
	SYNTH_RESOLVE,		/* resolved; arg 1: with an answer */
	SYNTH_PRIORITY,		/* arg: enum pd_priority */
	SYNTH_ASSIGN,		/* text: the agent's address */
	SYNTH_SURVEY,		/* a survey answered: arg grade, text comment */
	SYNTH_REGRADE,		/* the last survey's answer changed: same */
};

struct synth_action {
	int64_t		 at;		/* UTC */
	enum synth_kind	 kind;
	int		 arg;
	const char	*text;		/* excerpt, agent, comment; or NULL */
};

struct synth_ticket {
	const char	*queue;
	const char	*customer;
	const char	*subject;
	const char	*excerpt;	/* of the first message, or NULL */
	int64_t		 created_at;
	enum pd_priority priority;
	bool		 complaint;
	const struct synth_action *actions;	/* in time order */
	size_t		 n;
	/* filled by synth */
	int64_t		 id;		/* 0: not created yet */
	size_t		 done;		/* actions applied */
	int64_t		 survey_id;	/* the last survey, or 0 */
};

/* Counts of what a synth_run() call did. */
struct synth_stats {
	long		 created;
	long		 actions;
	long		 passes;	/* pd_slawatch_run() calls */
	long		 warnings;
	long		 breaches;
};

/*
 * synth_run - apply what is due up to now of the n specs v, in time
 * order, with the perfect watch described above; *stats (may be NULL)
 * counts it
 */
int	 synth_run(struct pd_store *st, const struct pd_conf *conf,
	    const struct pd_key *key, struct synth_ticket *v, size_t n,
	    int64_t now, struct synth_stats *stats);

/*
 * synth_apply - the fast path: t's creation and its actions up to now,
 * in the caller's transaction, no watch; breaches recorded directly
 */
int	 synth_apply(struct pd_store *st, const struct pd_conf *conf,
	    struct synth_ticket *t, int64_t now);

/*
 * The generators' pseudo-random numbers (splitmix64), one stream per
 * process: synth_seed() starts it, synth_uni() is uniform in [lo, hi],
 * synth_chance() is true pct times in a hundred.
 */
void	 synth_seed(uint64_t seed);
int64_t	 synth_uni(int64_t lo, int64_t hi);
bool	 synth_chance(int pct);

#endif
