/*
 * digest_oracle.h - test_digest's own model of SLA clocks and digests
 *
 * PURPOSE	Computes what every figure of a digest should be from the
 *		ticket specs of synth.h alone, without pd_sla, pd_slaclock,
 *		pd_slawatch or pd_digest, so that test_digest.c can compare
 *		pd_digest_compute() with it field by field.
 * DESIGN	Calendar: a bitmap of the open minutes of a window, each
 *		real UTC minute read on a wall clock in the policy's zone
 *		with GDateTime (weekday hours, holidays), and a prefix sum of
 *		it; open time between two instants is read off the sums,
 *		with the seconds of partial end minutes.  A due instant is
 *		the earliest instant at which the open time from the start
 *		reaches the target (found by bisection), or for nothing to
 *		count the first open instant at or after the start (the
 *		convention pd_sla.h states for a zero duration).
 *		Tickets: each spec is replayed action by action; between
 *		two actions the state is constant, and the interval is
 *		searched for the instants the perfect watch acts at:
 *		  first response  owed while not answered and not
 *				  resolved; breached at max(change, due)
 *				  where due is creation + the priority's
 *				  target in open time
 *		  resolution	  a clock counting open time while new or
 *				  open (and pending when pause_pending is
 *				  off); breached at the first instant it is
 *				  at or above the priority's target while
 *				  not resolved
 *		  warnings	  at max(change, start + target -
 *				  warn_before of open time) when that is
 *				  before the breach; once per target and
 *				  promise (a priority change renews an
 *				  unbreached one)
 *		A due instant equal to an action's instant is handled
 *		before the action (as synth's watch does).
 * OWNERSHIP	Everything is owned by the caller's structs; orc_cal_free()
 *		and orc_digest_free() release what the builders allocated.
 * THREADS	Single-threaded tests only.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef DIGEST_ORACLE_H
#define DIGEST_ORACLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pd_conf.h"
#include "pd_store.h"
#include "../tools/synth.h"

#define ORC_MAX_WARN	8
#define ORC_MAX_CSAT	4
#define ORC_MAX_RUNS	16
#define ORC_MAX_CRIT	48

/* The policy, written independently of pd_conf's parsed one. */
struct orc_policy {
	const char	*zone;
	int		 open_min[7];		/* [0] = Monday */
	int		 close_min[7];
	const int	*holidays;		/* yyyymmdd */
	size_t		 n_holidays;
	long		 fr[PD_PRIO_COUNT];
	long		 res[PD_PRIO_COUNT];
	long		 warn;
	bool		 pause_pending;
	long		 csat_window;		/* [csat] change_window */
};

struct orc_cal {
	int64_t		 start;			/* UTC, whole minute */
	size_t		 n;			/* minutes */
	unsigned char	*open;
	int64_t		*cum;			/* open minutes before i */
};

struct orc_warning {
	int64_t		 at;
	bool		 first;
	const char	*to;			/* NULL: every agent */
};

struct orc_csat {
	int64_t		 answered_at;
	int		 grade;
	const char	*comment;
};

/* One ticket as the oracle sees it at now. */
struct orc_ticket {
	const struct synth_ticket *spec;
	bool		 exists;
	enum pd_ticket_status status;
	enum pd_priority priority;
	const char	*assignee;
	int64_t		 answered_at;		/* 0: never */
	int64_t		 fr_due;		/* of the promise in force */
	int64_t		 resolved_at;		/* last resolution, or 0 */
	long		 resolved_used;		/* clock then */
	int		 reopens;
	long		 used;			/* the clock at now */
	bool		 running;
	int64_t		 res_due;		/* reached; 0 when stopped */
	int64_t		 fr_breach_at;		/* 0: none */
	int64_t		 res_breach_at;
	struct orc_warning warn[ORC_MAX_WARN];
	size_t		 n_warn;
	struct orc_csat	 csat[ORC_MAX_CSAT];
	size_t		 n_csat;
	int64_t		 crit[ORC_MAX_CRIT];	/* instants computed */
	size_t		 n_crit;
};

/* One line of an expected list. */
struct orc_line {
	size_t		 ticket;		/* index into the specs */
	bool		 first;
	int64_t		 due;
	long		 open_time;
	int64_t		 breached_at;
};

struct orc_list {
	struct orc_line	*v;
	size_t		 n;
};

/* One ticket's part in a time figure. */
struct orc_contrib {
	size_t		 ticket;
	long		 value;
	bool		 within;
};

struct orc_comment {
	size_t		 ticket;
	int		 grade;
	const char	*text;
};

struct orc_digest {
	struct orc_list	 breached, still, at_risk;
	long		 opened, complaints;
	long		 fr_count, fr_within, fr_p50, fr_p90;
	long		 res_count, res_within, res_p50, res_p90;
	long		 reopened;
	struct orc_contrib *fr_v, *res_v;	/* what the figures count */
	size_t		 n_fr_v, n_res_v;
	long		 csat_answers, csat_top;
	long		 csat_by_grade[6];
	struct orc_comment *comments;
	size_t		 n_comments;
	long		 backlog, backlog_by_age[4];
};

/* orc_cal_build - the open minutes of [from, to) for policy p */
int	 orc_cal_build(struct orc_cal *c, const struct orc_policy *p,
	    int64_t from, int64_t to);
void	 orc_cal_free(struct orc_cal *c);
bool	 orc_open(const struct orc_cal *c, int64_t t);
/* orc_elapsed - open seconds in [a, b) */
long	 orc_elapsed(const struct orc_cal *c, int64_t a, int64_t b);
/* orc_due - the instant n open seconds after start (see DESIGN) */
int64_t	 orc_due(const struct orc_cal *c, int64_t start, long n);

/* orc_ticket_eval - ticket s at now */
void	 orc_ticket_eval(const struct orc_cal *c, const struct orc_policy *p,
	    const struct synth_ticket *s, int64_t now, struct orc_ticket *o);

/*
 * orc_digest_build - the expected digest over [since, until) at now of
 * the n tickets o (evaluated at now); grades: the survey scale
 */
void	 orc_digest_build(const struct orc_cal *c, const struct orc_policy *p,
	    const struct orc_ticket *o, size_t n, int64_t since,
	    int64_t until, int64_t now, int grades, struct orc_digest *d);
void	 orc_digest_free(struct orc_digest *d);

#endif
