/*
 * pd_sla.h - business-hours calendar: due times, open time elapsed, and
 *	      due times written for a person
 *
 * PURPOSE	Answers the SLA questions of the milter, the worker and
 *		postdeskctl for one policy (struct pd_conf_sla): is the queue
 *		open at an instant, when does it next open, when are N
 *		seconds of open time used up, how much open time lies between
 *		two instants.  It also writes a due time for the customer
 *		("завтра до 11:00", "Monday 2 March by 10:00").
 *		It knows nothing of tickets, priorities or the store.
 * DESIGN	Instants are UTC epoch seconds.  The policy's hours and
 *		holidays are local wall-clock times and local dates in its
 *		IANA zone.  The rule, stated once and tested against a
 *		minute-by-minute oracle (tests/unit/test_sla.c):
 *
 *		  An instant t is open when, read on a wall clock in the
 *		  policy's zone, its date is not a holiday and its time of
 *		  day lies in [open_min, close_min) of that date's weekday.
 *
 *		So a day loses the hour skipped when clocks go forward and
 *		counts the repeated hour twice when they go back, if those
 *		hours are within its opening hours; an opening or closing
 *		time inside a skipped hour takes effect at the end of the
 *		skip; one inside a repeated hour takes effect at both of its
 *		occurrences.  See pd_sla.c for how this is computed.
 * OWNERSHIP	Callers own every argument; the policy and its GTimeZone are
 *		only read.  pd_sla_format_due() appends to the caller's buffer.
 * ERRORS	PD_OK or PD_EINVAL; nothing is logged.
 * THREADS	Reentrant; a policy may be shared between threads (GTimeZone
 *		is immutable).
 * SEE ALSO	pd_conf.h (struct pd_conf_sla), engineering guide 9.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_SLA_H
#define PD_SLA_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "pd_buf.h"
#include "pd_conf.h"

/* Instants accepted: 1970-01-01T00:00:00Z up to 3000-01-01T00:00:00Z. */
#define PD_SLA_TIME_MIN		0LL
#define PD_SLA_TIME_MAX		32503680000LL
/* How far a search for open time goes: days of 86400 s after its start. */
#define PD_SLA_SEARCH_DAYS	400

/*
 * pd_sla_due - the instant at which business_seconds of open time have
 * elapsed after start_utc.  For business_seconds > 0 this is the earliest
 * instant t with pd_sla_elapsed(start_utc, t) == business_seconds: time
 * before the next opening does not count, and a target used up exactly at
 * closing time is due at closing time (Friday 17:00 + 1h with hours
 * 09:00-18:00 is Friday 18:00, not Monday 09:00).  For business_seconds
 * == 0 it is pd_sla_next_open(start_utc): the start itself when open.
 * PD_EINVAL for a negative duration, an instant out of range, a zone that
 * cannot be loaded, invalid hours (open_min > close_min, outside
 * 0..1440), or when the due time would lie more than PD_SLA_SEARCH_DAYS *
 * 86400 s after start_utc (say, a policy without open hours).
 */
int	 pd_sla_due(const struct pd_conf_sla *sla, int64_t start_utc,
	    long business_seconds, int64_t *due_utc);

/*
 * pd_sla_elapsed - open seconds in [from_utc, to_utc); 0 when to_utc <=
 * from_utc; instants are clamped to the accepted range.  -1 when the
 * policy's zone cannot be loaded or its hours are invalid (never for a
 * policy of pd_conf_load).
 */
long	 pd_sla_elapsed(const struct pd_conf_sla *sla, int64_t from_utc,
	    int64_t to_utc);

/* pd_sla_is_open - whether instant t is open (false when out of range) */
bool	 pd_sla_is_open(const struct pd_conf_sla *sla, int64_t t);

/*
 * pd_sla_next_open - the first open instant >= t (t itself when open);
 * PD_EINVAL as pd_sla_due() when there is none within PD_SLA_SEARCH_DAYS.
 */
int	 pd_sla_next_open(const struct pd_conf_sla *sla, int64_t t,
	    int64_t *open_utc);

/*
 * pd_sla_format_due - append due_utc, written for a person in language
 * lang ("ru", "ru_RU.UTF-8", ...; anything else or NULL is English) and
 * zone tz, relative to now_utc, to out:
 *   local date of now	"today by 16:00"	"сегодня до 16:00"
 *   the next date	"tomorrow by 11:00"	"завтра до 11:00"
 *   2 to 6 days later	"Monday by 10:00"
 *			"в понедельник до 10:00"
 *   any other date	"Monday 2 March by 10:00"
 *			"в понедельник, 2 марта, до 10:00"
 * Dates are compared in tz, not in UTC.  A due time with seconds is
 * rounded up to the next minute, so the promise is never earlier than
 * the due time.  PD_OK, or PD_EINVAL for a NULL tz, an instant out of
 * range or a full buffer (which pd_buf then empties).
 */
int	 pd_sla_format_due(int64_t due_utc, int64_t now_utc, GTimeZone *tz,
	    const char *lang, struct pd_buf *out);

#endif
