/*
 * pd_sla.c - business-hours calendar over GTimeZone
 *
 * PURPOSE	The functions of pd_sla.h: open time, due times, and due
 *		times written in Russian or English.
 * DESIGN	Everything is built on find_window(): the first stretch of
 *		open time at or after a cursor.  The UTC time line is cut
 *		into segments on which the zone's UTC offset is constant and
 *		the local date does not change: a segment ends at the next
 *		offset change (found by bisection on
 *		g_time_zone_find_interval(), whose interval numbers grow with
 *		time) or at the next local midnight, whichever comes first.
 *		Within a segment, local time is UTC plus one offset, so the
 *		day's opening hours map to one UTC interval by subtraction;
 *		its intersection with the segment is open.  The local date
 *		of a segment is a day number of "naive" local time (UTC
 *		epoch seconds plus offset, in which every day has 86400 s
 *		because it has no DST); GDate turns it into a weekday and a
 *		yyyymmdd for the holiday list.  Nothing ever adds 86400 s to
 *		a real instant: across a DST change the next segment starts
 *		at the change, with the new offset.
 *
 *		Why not g_date_time_new() on the opening and closing times
 *		(engineering guide 9)?  It resolves a time in a repeated hour
 *		to its standard-time occurrence only, so hours opening at
 *		02:30 on the night clocks go back would open an hour late
 *		and a closing time in that hour would keep the desk open
 *		through a closed half hour.  The segment walk implements the
 *		wall-clock rule of pd_sla.h exactly, for skipped and repeated
 *		hours at any time of day (also at midnight, as in Havana),
 *		and agrees with g_date_time_new() wherever that is defined
 *		without ambiguity (a time in a skipped hour takes effect at
 *		the end of the skip).
 *
 *		A search is bounded: pd_sla_due() and pd_sla_next_open()
 *		give up PD_SLA_SEARCH_DAYS * 86400 s after their start; a
 *		policy without any open weekday fails at once.  Each segment
 *		costs a few g_time_zone_find_interval() calls and no
 *		allocation.
 * OWNERSHIP	A GTimeZone loaded from sla->timezone (when sla->tz is NULL)
 *		lives for one call.  pd_sla_format_due() appends to out.
 * ERRORS	PD_OK or PD_EINVAL; nothing is logged.
 * THREADS	Reentrant; only immutable GLib objects are shared.
 * SEE ALSO	pd_sla.h, pd_conf_time.c, tests/unit/test_sla.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "pd_err.h"
#include "pd_sla.h"

#define DAY_SECONDS	86400LL		/* of naive local time: no DST */
#define JULIAN_1970	719163		/* GDate day number of 1970-01-01 */
#define MINUTES_PER_DAY	(24 * 60)

/* One call's view of a policy. */
struct cal {
	const struct pd_conf_sla *sla;
	GTimeZone	*tz;		/* borrowed from sla, or own */
	GTimeZone	*own;		/* loaded here, unreffed by cal_done */
	bool		 any_open;	/* some weekday has hours */
};

/* cal_init - check the policy's hours, borrow or load its zone */
static int
cal_init(struct cal *c, const struct pd_conf_sla *sla)
{
	const struct pd_conf_hours *h;
	int d;

	c->sla = sla;
	c->tz = sla->tz;
	c->own = NULL;
	c->any_open = false;
	for (d = 0; d < 7; d++) {
		h = &sla->hours[d];
		if (h->open_min < 0 || h->close_min > MINUTES_PER_DAY ||
		    h->open_min > h->close_min)
			return PD_EINVAL;
		if (h->open_min < h->close_min)
			c->any_open = true;
	}
	if (c->tz == NULL && sla->timezone != NULL) {
		c->own = g_time_zone_new_identifier(sla->timezone);
		c->tz = c->own;
	}
	return c->tz != NULL ? PD_OK : PD_EINVAL;
}

/* cal_done - release what cal_init loaded */
static void
cal_done(struct cal *c)
{
	if (c->own != NULL)
		g_time_zone_unref(c->own);
	c->own = NULL;
	c->tz = NULL;
}

/* in_range - whether t is an instant this module accepts */
static bool
in_range(int64_t t)
{
	return t >= PD_SLA_TIME_MIN && t <= PD_SLA_TIME_MAX;
}

/* int_cmp - bsearch order of ints */
static int
int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a;
	int y = *(const int *)b;

	return (x > y) - (x < y);
}

/*
 * day_hours - the opening hours of naive local day nd (days since
 * 1970-01-01) as seconds after local midnight; false when the day is
 * closed (no hours on its weekday, or a holiday).
 */
static bool
day_hours(const struct pd_conf_sla *sla, int64_t nd, int64_t *open,
    int64_t *close)
{
	const struct pd_conf_hours *h;
	GDate date;
	int ymd;

	g_date_clear(&date, 1);
	g_date_set_julian(&date, (guint32)(nd + JULIAN_1970));
	h = &sla->hours[g_date_get_weekday(&date) - G_DATE_MONDAY];
	if (h->open_min >= h->close_min)
		return false;
	ymd = g_date_get_year(&date) * 10000 + g_date_get_month(&date) * 100 +
	    g_date_get_day(&date);
	if (sla->n_holidays > 0 && bsearch(&ymd, sla->holidays,
	    sla->n_holidays, sizeof(int), int_cmp) != NULL)
		return false;
	*open = (int64_t)h->open_min * 60;
	*close = (int64_t)h->close_min * 60;
	return true;
}

/*
 * interval_end - the first instant in (t, end] whose zone interval is not
 * iv, the interval of t; end when there is none before it.  Interval
 * numbers only grow with time, so bisection finds the change exactly.
 */
static int64_t
interval_end(GTimeZone *tz, int64_t t, int64_t end, int iv)
{
	int64_t lo = t, hi = end - 1, mid;

	if (g_time_zone_find_interval(tz, G_TIME_TYPE_UNIVERSAL, hi) == iv)
		return end;
	/* Invariant: interval(lo) == iv, interval(hi) != iv. */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (g_time_zone_find_interval(tz, G_TIME_TYPE_UNIVERSAL,
		    mid) == iv)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

/* floor_div - a / b rounded towards minus infinity (b > 0) */
static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

/*
 * find_window - the first open stretch [*ws, *we) with t <= *ws < limit;
 * false when there is none.  The stretch never crosses a local midnight
 * or an offset change, so it need not be maximal.
 */
static bool
find_window(const struct cal *c, int64_t t, int64_t limit, int64_t *ws,
    int64_t *we)
{
	int64_t nd, midnight, seg_end, open, close;
	int32_t off;
	int iv;

	if (!c->any_open)
		return false;
	while (t < limit) {
		iv = g_time_zone_find_interval(c->tz, G_TIME_TYPE_UNIVERSAL,
		    t);
		off = g_time_zone_get_offset(c->tz, iv);
		nd = floor_div(t + off, DAY_SECONDS);
		midnight = nd * DAY_SECONDS - off;	/* under this offset */
		seg_end = interval_end(c->tz, t, midnight + DAY_SECONDS, iv);
		if (day_hours(c->sla, nd, &open, &close)) {
			*ws = MAX(t, midnight + open);
			*we = MIN(seg_end, midnight + close);
			if (*ws < *we && *ws < limit)
				return true;
		}
		t = seg_end;
	}
	return false;
}

/* pd_sla_due - when business_seconds of open time are used up */
int
pd_sla_due(const struct pd_conf_sla *sla, int64_t start_utc,
    long business_seconds, int64_t *due_utc)
{
	struct cal c;
	int64_t t = start_utc, limit, ws, we;
	int64_t left = business_seconds;
	int rc = PD_EINVAL;

	if (business_seconds < 0 || !in_range(start_utc) ||
	    cal_init(&c, sla) != PD_OK)
		return PD_EINVAL;
	limit = start_utc + PD_SLA_SEARCH_DAYS * DAY_SECONDS;
	while (find_window(&c, t, limit, &ws, &we)) {
		if (we - ws >= left) {
			if (ws + left <= limit) {
				*due_utc = ws + left;
				rc = PD_OK;
			}
			break;
		}
		left -= we - ws;
		t = we;
	}
	cal_done(&c);
	return rc;
}

/* pd_sla_elapsed - open seconds in [from_utc, to_utc) */
long
pd_sla_elapsed(const struct pd_conf_sla *sla, int64_t from_utc,
    int64_t to_utc)
{
	struct cal c;
	int64_t t, ws, we, total = 0;

	t = CLAMP(from_utc, PD_SLA_TIME_MIN, PD_SLA_TIME_MAX);
	to_utc = CLAMP(to_utc, PD_SLA_TIME_MIN, PD_SLA_TIME_MAX);
	if (to_utc <= t)
		return 0;
	if (cal_init(&c, sla) != PD_OK)
		return -1;
	while (find_window(&c, t, to_utc, &ws, &we)) {
		total += MIN(we, to_utc) - ws;
		t = we;
	}
	cal_done(&c);
	return (long)total;
}

/* pd_sla_is_open - whether t is open */
bool
pd_sla_is_open(const struct pd_conf_sla *sla, int64_t t)
{
	struct cal c;
	int64_t ws, we;
	bool open;

	if (!in_range(t) || cal_init(&c, sla) != PD_OK)
		return false;
	/* A window starting in [t, t + 1) starts at t. */
	open = find_window(&c, t, t + 1, &ws, &we);
	cal_done(&c);
	return open;
}

/* pd_sla_next_open - the first open instant >= t */
int
pd_sla_next_open(const struct pd_conf_sla *sla, int64_t t,
    int64_t *open_utc)
{
	return pd_sla_due(sla, t, 0, open_utc);
}

/* Words of one language for pd_sla_format_due(). */
struct due_words {
	const char	*today;
	const char	*tomorrow;
	const char	*by;		/* before the time */
	const char	*date_sep;	/* between weekday and date */
	const char	*date_by;	/* between date and time */
	const char	*day[7];	/* [0] = Monday, as used after "by" */
	const char	*month[12];	/* as used after a day of month */
};

static const struct due_words words_en = {
	"today", "tomorrow", " by ", " ", " by ",
	{ "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
	  "Saturday", "Sunday" },
	{ "January", "February", "March", "April", "May", "June", "July",
	  "August", "September", "October", "November", "December" },
};

/*
 * Russian: the weekday in the accusative with its preposition, the month
 * in the genitive.  One name a line: checksrc counts bytes, and Cyrillic
 * takes two per letter.
 */
static const struct due_words words_ru = {
	"сегодня", "завтра", " до ", ", ", ", до ",
	{
		"в понедельник",
		"во вторник",
		"в среду",
		"в четверг",
		"в пятницу",
		"в субботу",
		"в воскресенье",
	},
	{
		"января", "февраля", "марта",
		"апреля", "мая", "июня",
		"июля", "августа", "сентября",
		"октября", "ноября", "декабря",
	},
};

/* lang_words - Russian for "ru", "ru_RU", "ru-RU.UTF-8"..., else English */
static const struct due_words *
lang_words(const char *lang)
{
	if (lang != NULL && g_ascii_strncasecmp(lang, "ru", 2) == 0 &&
	    (lang[2] == '\0' || lang[2] == '_' || lang[2] == '-' ||
	    lang[2] == '.'))
		return &words_ru;
	return &words_en;
}

/* local_julian - GDate day number of local date of dt */
static guint32
local_julian(GDateTime *dt)
{
	GDate date;

	g_date_clear(&date, 1);
	g_date_set_dmy(&date, (GDateDay)g_date_time_get_day_of_month(dt),
	    (GDateMonth)g_date_time_get_month(dt),
	    (GDateYear)g_date_time_get_year(dt));
	return g_date_get_julian(&date);
}

/* local_time - instant t in zone tz; NULL when GLib cannot represent it */
static GDateTime *
local_time(int64_t t, GTimeZone *tz)
{
	GDateTime *utc, *local;

	utc = g_date_time_new_from_unix_utc(t);
	if (utc == NULL)
		return NULL;
	local = g_date_time_to_timezone(utc, tz);
	g_date_time_unref(utc);
	return local;
}

/* write_due - append the words for due, days after now's local date */
static int
write_due(const struct due_words *w, GDateTime *due, int64_t days,
    struct pd_buf *out)
{
	int wd = g_date_time_get_day_of_week(due) - 1;
	int rc;

	if (days == 0)
		rc = pd_buf_adds(out, w->today);
	else if (days == 1)
		rc = pd_buf_adds(out, w->tomorrow);
	else if (days >= 2 && days <= 6)
		rc = pd_buf_adds(out, w->day[wd]);
	else
		rc = pd_buf_printf(out, "%s%s%d %s", w->day[wd], w->date_sep,
		    g_date_time_get_day_of_month(due),
		    w->month[g_date_time_get_month(due) - 1]);
	if (rc != PD_OK)
		return rc;
	return pd_buf_printf(out, "%s%02d:%02d",
	    days >= 0 && days <= 6 ? w->by : w->date_by,
	    g_date_time_get_hour(due), g_date_time_get_minute(due));
}

/* pd_sla_format_due - "завтра до 11:00", "Monday 2 March by 10:00" */
int
pd_sla_format_due(int64_t due_utc, int64_t now_utc, GTimeZone *tz,
    const char *lang, struct pd_buf *out)
{
	GDateTime *due = NULL, *now = NULL;
	int sec, rc = PD_EINVAL;

	if (tz == NULL || !in_range(due_utc) || !in_range(now_utc))
		return PD_EINVAL;
	due = local_time(due_utc, tz);
	if (due == NULL)
		goto out;
	sec = g_date_time_get_second(due);
	if (sec != 0) {
		/* Round up: never promise earlier than the due time. */
		g_date_time_unref(due);
		due = local_time(due_utc + 60 - sec, tz);
	}
	now = local_time(now_utc, tz);
	if (due == NULL || now == NULL)
		goto out;
	rc = write_due(lang_words(lang), due,
	    (int64_t)local_julian(due) - (int64_t)local_julian(now), out);
out:
	if (due != NULL)
		g_date_time_unref(due);
	if (now != NULL)
		g_date_time_unref(now);
	return rc;
}
