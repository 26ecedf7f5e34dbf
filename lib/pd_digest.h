/*
 * pd_digest.h - the managers' SLA digest: its figures, text and HTML
 *
 * PURPOSE	One queue's digest for a period [since, until), computed at
 *		an instant now (>= until, usually equal): the tickets that
 *		breached a target in the period, the tickets still in breach,
 *		the tickets at risk, and the period's figures.  The worker
 *		mails it on [digest] schedule; postdeskctl digest prints it.
 * DESIGN	pd_digest_compute() reads the store once into struct
 *		pd_digest; the renderers only format that struct, through
 *		the templates digest (text/plain) and digest-html, so what a
 *		figure means is decided in one place (here, and in the
 *		footnotes of the templates):
 *		  opened	tickets created in the period
 *		  first response time
 *				open (business) time from creation to the
 *				first answer that reached the customer, of
 *				the tickets first answered in the period
 *		  resolution time
 *				the resolution clock at the ticket's last
 *				resolution, of the tickets (not merged) whose
 *				last resolution lies in the period; the clock
 *				counts open time while the ticket is new or
 *				open, and while pending only when the policy's
 *				pause_pending is off
 *		  median, p90	nearest rank: the ceil(q * n)-th smallest
 *		  within SLA	answered by first_response_due; resolved
 *				with a clock not above the priority's target
 *		  reopen rate	of those resolved tickets, the share that
 *				was ever reopened after a resolution
 *		  CSAT		survey answers given in the period: count,
 *				share of the top grades (pd_csat_top_grade),
 *				count per grade, comments
 *		  complaints	tickets opened in the period whose subject
 *				matched a complaint keyword
 *		  backlog	tickets not resolved at now, by age
 *		Breached in the period: every "breach" event of the period
 *		(its ticket may be answered or resolved by now).  Still in
 *		breach: tickets not resolved at now that are past a target
 *		they have not met, minus those already listed as breached
 *		in the period.  At risk: tickets not resolved, not past a
 *		target, with at most the policy's warn_before of open time
 *		left on a running clock.  "Over" and "left" are open time.
 * OWNERSHIP	pd_digest_compute() fills a caller's struct that
 *		pd_digest_clear() releases; renderers append to a pd_buf.
 * ERRORS	Store errors from computing; PD_EINVAL (and err) from a
 *		template that does not load or render.
 * THREADS	One store handle per thread, as always.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_DIGEST_H
#define PD_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "pd_buf.h"
#include "pd_conf.h"
#include "pd_err.h"
#include "pd_key.h"
#include "pd_store.h"
#include "pd_tag.h"

/* Backlog age classes: [0, 1 d), [1 d, 3 d), [3 d, 7 d), >= 7 d. */
#define PD_DIGEST_AGES		4
#define PD_DIGEST_GRADES_MAX	5
/* Lines of one list a rendered digest shows; the rest are counted. */
#define PD_DIGEST_SHOWN		25

enum pd_digest_target {
	PD_DIGEST_FIRST_RESPONSE,
	PD_DIGEST_RESOLUTION,
};

/* One ticket line of a list. */
struct pd_digest_ticket {
	int64_t		 id;
	char		 tag[PD_TAG_MAX];
	char		*subject;		/* UTF-8 */
	char		*customer;		/* address */
	char		*owner;			/* assignee, or NULL */
	enum pd_priority priority;
	enum pd_ticket_status status;
	int64_t		 age;			/* now - created_at, s */
	enum pd_digest_target target;
	int64_t		 due;			/* UTC: the first-response
						   due time, or when a
						   running resolution clock
						   short of its target
						   reaches it; else 0 */
	long		 open_time;		/* over (breach) or left
						   (at risk), business s */
	int64_t		 breached_at;		/* event time, or 0 */
};

struct pd_digest_list {
	struct pd_digest_ticket *v;
	size_t		 n;
};

/* The distribution of one time figure, business seconds. */
struct pd_digest_times {
	long		 count;
	long		 within;		/* within SLA */
	long		 p50;			/* 0 when count == 0 */
	long		 p90;
};

struct pd_digest_comment {
	char		 tag[PD_TAG_MAX];
	int		 grade;
	char		*text;			/* UTF-8 */
};

struct pd_digest {
	const struct pd_conf_queue *queue;	/* borrowed from conf */
	int64_t		 since;			/* period, UTC */
	int64_t		 until;
	int64_t		 now;

	struct pd_digest_list breached;		/* in the period */
	struct pd_digest_list still;		/* still in breach */
	struct pd_digest_list at_risk;

	long		 opened;
	struct pd_digest_times first_response;
	struct pd_digest_times resolution;
	long		 reopened;		/* of resolution.count */
	long		 complaints;

	long		 csat_answers;
	long		 csat_top;		/* answers in the top grades */
	int		 csat_grades;		/* 3 or 5 */
	long		 csat_by_grade[PD_DIGEST_GRADES_MAX + 1];
	struct pd_digest_comment *comments;
	size_t		 n_comments;

	long		 backlog;		/* not resolved at now */
	long		 backlog_by_age[PD_DIGEST_AGES];
};

/*
 * pd_digest_compute - fill d (zeroed by the caller) for queue q over
 * [since, until) at now
 */
int	 pd_digest_compute(struct pd_store *st, const struct pd_conf *conf,
	    const struct pd_key *key, const struct pd_conf_queue *q,
	    int64_t since, int64_t until, int64_t now, struct pd_digest *d);
/* pd_digest_clear - free what d holds and zero it */
void	 pd_digest_clear(struct pd_digest *d);

/*
 * pd_digest_render_text - the digest as text/plain (template "digest" in
 * lang, falling back to en), appended to out
 */
int	 pd_digest_render_text(const struct pd_conf *conf,
	    const struct pd_digest *d, const char *lang, struct pd_buf *out,
	    struct pd_err *err);
/*
 * pd_digest_render_html - the digest as one HTML document (template
 * "digest-html"): one column, inline styles only, bars drawn with table
 * cells, no external resources; appended to out
 */
int	 pd_digest_render_html(const struct pd_conf *conf,
	    const struct pd_digest *d, const char *lang, struct pd_buf *out,
	    struct pd_err *err);

/*
 * pd_digest_build_mail - the whole digest mail to one manager:
 * multipart/alternative of the text and the HTML, From the queue's
 * address, Subject "SLA digest: QUEUE, PERIOD", Auto-Submitted:
 * auto-generated; appended to out (CRLF line ends)
 */
int	 pd_digest_build_mail(const struct pd_conf *conf,
	    const struct pd_digest *d, const char *to, const char *message_id,
	    int64_t date, struct pd_buf *out, struct pd_err *err);

/*
 * pd_digest_schedule - for schedule ([digest] schedule: "hourly",
 * "daily HH:MM", "weekly DAY HH:MM") read in zone tz: the latest
 * scheduled instant <= now (*last), the one before it (*prev) and the
 * first one after now (*next).  A local time that a clock change skips
 * is taken as the instant the clocks jump to.  PD_EINVAL for a schedule
 * that does not parse.
 */
int	 pd_digest_schedule(const char *schedule, GTimeZone *tz, int64_t now,
	    int64_t *prev, int64_t *last, int64_t *next);

/*
 * pd_digest_queue - compute q's digest over [since, until) at now and
 * queue one mail per manager (outbox kind "digest", the whole message in
 * its body).  With scheduled, the period is recorded in the same
 * transaction, and nothing is queued when it was recorded before, so a
 * period's digest goes out once whatever crashes.  *queued: mails queued.
 */
int	 pd_digest_queue(struct pd_store *st, const struct pd_conf *conf,
	    const struct pd_key *key, const struct pd_conf_queue *q,
	    int64_t since, int64_t until, int64_t now, bool scheduled,
	    long *queued, struct pd_err *err);

/*
 * pd_digest_due - the worker's part: for every queue with managers whose
 * latest scheduled instant has no digest yet, queue the digest of the
 * period since the last one sent (or of one schedule period when none
 * was); so a digest missed while the worker was down goes out when it
 * starts.  *next: the earliest scheduled instant after now (0: none).
 */
int	 pd_digest_due(struct pd_store *st, const struct pd_conf *conf,
	    const struct pd_key *key, int64_t now, int64_t *next);

/* pd_digest_format_span - "2h 05m", "3d 4h", "45m", "0m": open time */
void	 pd_digest_format_span(long seconds, char *buf, size_t size);

#endif
