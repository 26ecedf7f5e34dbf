/*
 * pd_conf_time.c - configuration value types: durations, time zones,
 *		    business hours, holidays, SLA targets, schedules
 *
 * PURPOSE	The time and calendar parsers of the key table, and
 *		pd_conf_parse_duration() of pd_conf.h.
 * DESIGN	Durations are digit runs each followed by a unit, largest
 *		first and each unit at most once: "2d4h", "1h30m" (w d h m s);
 *		no sign, no blanks, no bare numbers; overflow of long is an
 *		error.  Business hours give each weekday at most one opening
 *		interval HH:MM-HH:MM with open < close (no overnight ranges,
 *		24:00 allowed as a closing time); days not named are closed.
 *		Holidays are real calendar dates (g_date_valid_dmy), sorted
 *		and without duplicates.  Time zones must be known to
 *		g_time_zone_new_identifier(), which returns NULL for an
 *		unknown name (the deprecated g_time_zone_new() would silently
 *		give UTC; engineering guide 9).
 * OWNERSHIP	As pd_conf_value.h.
 * ERRORS	false plus the message tail in why; nothing is logged.
 * THREADS	Reentrant.
 * SEE ALSO	pd_conf_value.c, doc/postdesk.conf.5.
 *
 * SPDX-License-Identifier: MIT
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "pd_conf.h"
#include "pd_conf_value.h"
#include "pd_mem.h"

#define MINUTES_PER_DAY	(24 * 60)
#define TZ_NAME_MAX	64

static const char *const day_names[7] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun",
};

static const struct {
	char	unit;
	long	seconds;
} units[] = {
	{ 'w', 7 * 86400L }, { 'd', 86400L }, { 'h', 3600L }, { 'm', 60L },
	{ 's', 1L },
};

#define N_UNITS	(sizeof(units) / sizeof(units[0]))

/* is_digit - ASCII digit, whatever the locale */
static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* pd_conf_parse_duration - "2d4h" -> seconds */
int
pd_conf_parse_duration(const char *text, long *seconds)
{
	const char *p = text;
	long total = 0;
	long n;
	size_t u, next = 0;

	if (*p == '\0')
		return PD_EINVAL;
	while (*p != '\0') {
		if (!is_digit(*p))
			return PD_EINVAL;
		for (n = 0; is_digit(*p); p++)
			if (__builtin_mul_overflow(n, 10, &n) ||
			    __builtin_add_overflow(n, *p - '0', &n))
				return PD_EINVAL;
		for (u = next; u < N_UNITS && units[u].unit != *p; u++)
			;
		if (u == N_UNITS)
			return PD_EINVAL;	/* no unit, or out of order */
		if (__builtin_mul_overflow(n, units[u].seconds, &n) ||
		    __builtin_add_overflow(total, n, &total))
			return PD_EINVAL;
		next = u + 1;
		p++;
	}
	*seconds = total;
	return PD_OK;
}

/* pd_conf_value_format_duration - seconds as "1d2h30m", "0s" for 0 */
void
pd_conf_value_format_duration(long seconds, char *buf, size_t len)
{
	size_t used = 0;
	size_t u;

	buf[0] = '\0';
	if (seconds == 0)
		snprintf(buf, len, "0s");
	for (u = 1; u < N_UNITS && seconds > 0 && used < len; u++) {
		if (seconds / units[u].seconds == 0)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%ld%c",
		    seconds / units[u].seconds, units[u].unit);
		seconds %= units[u].seconds;
	}
}

/* duration_item - parse text as a duration within min..max */
static bool
duration_item(const char *text, long min, long max, long *out, char *why,
    size_t whylen)
{
	char what[128], lo[32], hi[32];

	if (pd_conf_parse_duration(text, out) != PD_OK)
		return pd_conf_value_expect(why, whylen,
		    "a duration like 30s, 10m, 3h, 1d or 2d4h", text);
	if (*out < min || *out > max) {
		pd_conf_value_format_duration(min, lo, sizeof(lo));
		pd_conf_value_format_duration(max, hi, sizeof(hi));
		if (max == LONG_MAX)
			snprintf(what, sizeof(what), "a duration of at least "
			    "%s", lo);
		else
			snprintf(what, sizeof(what), "a duration from %s to "
			    "%s", lo, hi);
		return pd_conf_value_expect(why, whylen, what, text);
	}
	return true;
}

/* pd_conf_time_duration - a duration within key's bounds */
bool
pd_conf_time_duration(const struct pd_conf_key *key, const char *text,
    void *base, char *why, size_t whylen)
{
	long v;

	if (!duration_item(text, key->min, key->max, &v, why, whylen))
		return false;
	*PD_CONF_MEMBER(base, key->off, long) = v;
	return true;
}

/* pd_conf_time_zone - an IANA zone name GLib knows */
bool
pd_conf_time_zone(const struct pd_conf_key *key, const char *text,
    void *base, char *why, size_t whylen)
{
	GTimeZone *tz;
	size_t n = strlen(text);

	/* No paths, offsets or "" (which GLib reads as the local zone). */
	if (n == 0 || n > TZ_NAME_MAX || text[0] == '/' ||
	    strstr(text, "..") != NULL ||
	    strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789/_+-") != n)
		return pd_conf_value_expect(why, whylen,
		    "an IANA time zone name like Europe/Moscow", text);
	tz = g_time_zone_new_identifier(text);
	if (tz == NULL) {
		snprintf(why, whylen, "unknown time zone \"%s\"; "
		    "is tzdata installed?", text);
		return false;
	}
	g_time_zone_unref(tz);
	pd_xfree(PD_CONF_MEMBER(base, key->off, char *));
	*PD_CONF_MEMBER(base, key->off, char *) = pd_xstrdup(text);
	return true;
}

/* day_index - 0 (mon) .. 6 (sun) for s[0..len), or -1 */
static int
day_index(const char *s, size_t len)
{
	int d;

	for (d = 0; d < 7; d++)
		if (len == 3 && strncmp(s, day_names[d], 3) == 0)
			return d;
	return -1;
}

/* hhmm - "HH:MM" into minutes; 24:00 only when closing */
static bool
hhmm(const char *s, size_t len, bool closing, int *minutes)
{
	int h, m;

	if (len != 5 || !is_digit(s[0]) || !is_digit(s[1]) || s[2] != ':' ||
	    !is_digit(s[3]) || !is_digit(s[4]))
		return false;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && (m != 0 || !closing)))
		return false;
	*minutes = h * 60 + m;
	return true;
}

/* day_range - "mon" or "mon-fri" in s[0..len) */
static bool
day_range(const char *s, size_t len, int *first, int *last)
{
	const char *dash = memchr(s, '-', len);

	if (dash == NULL) {
		*first = day_index(s, len);
		*last = *first;
	} else {
		*first = day_index(s, (size_t)(dash - s));
		*last = day_index(dash + 1, len - (size_t)(dash - s) - 1);
	}
	return *first >= 0 && *last >= 0;
}

/* hours_group - "mon-fri 09:00-18:00" into hours; seen marks days */
static bool
hours_group(const char *g, struct pd_conf_hours *hours, bool *seen,
    char *why, size_t whylen)
{
	size_t dlen = strcspn(g, " \t");
	const char *t = g + dlen + strspn(g + dlen, " \t");
	int first, last, open, close, d;

	if (!day_range(g, dlen, &first, &last))
		return pd_conf_value_expect(why, whylen,
		    "days like mon-fri or sat (mon, tue, ... sun)", g);
	if (first > last)
		return pd_conf_value_expect(why, whylen,
		    "a day range that does not wrap (mon-fri, not sat-mon)",
		    g);
	if (strlen(t) != 11 || t[5] != '-' || !hhmm(t, 5, false, &open) ||
	    !hhmm(t + 6, 5, true, &close))
		return pd_conf_value_expect(why, whylen,
		    "hours like mon-fri 09:00-18:00", g);
	if (open >= close)
		return pd_conf_value_expect(why, whylen, "an opening time "
		    "before the closing time (no overnight hours)", g);
	for (d = first; d <= last; d++) {
		if (seen[d])
			return pd_conf_value_expect(why, whylen,
			    "each day in one group only", g);
		seen[d] = true;
		hours[d].open_min = open;
		hours[d].close_min = close;
	}
	return true;
}

/* pd_conf_time_hours - "mon-fri 09:00-18:00, sat 10:00-14:00" or "24/7" */
bool
pd_conf_time_hours(const struct pd_conf_key *key, const char *text,
    void *base, char *why, size_t whylen)
{
	struct pd_conf_hours hours[7];
	bool seen[7] = { false };
	char **groups;
	size_t i, n;
	bool ok = true;

	memset(hours, 0, sizeof(hours));
	if (strcmp(text, "24/7") == 0) {
		for (i = 0; i < 7; i++)
			hours[i].close_min = MINUTES_PER_DAY;
	} else if (!pd_conf_value_split(text, &groups, &n) || n == 0) {
		return pd_conf_value_expect(why, whylen,
		    "hours like mon-fri 09:00-18:00, sat 10:00-14:00 or 24/7",
		    text);
	} else {
		for (i = 0; i < n && ok; i++)
			ok = hours_group(groups[i], hours, seen, why, whylen);
		pd_conf_value_strv_free(&groups, n);
	}
	if (ok)
		memcpy(PD_CONF_MEMBER(base, key->off, struct pd_conf_hours),
		    hours, sizeof(hours));
	return ok;
}

/* date_value - "YYYY-MM-DD" as yyyymmdd, or -1 */
static int
date_value(const char *s)
{
	int y = 0, m, d, i;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !is_digit(s[i]))
			return -1;
	for (i = 0; i < 4; i++)
		y = y * 10 + (s[i] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1 || m < 1 || m > 12 || d < 1 ||
	    !g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y))
		return -1;
	return y * 10000 + m * 100 + d;
}

/* int_cmp - qsort order of ints */
static int
int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a;
	int y = *(const int *)b;

	return (x > y) - (x < y);
}

/* pd_conf_time_dates - "2026-01-01, 2026-01-07" into sorted yyyymmdd */
bool
pd_conf_time_dates(const struct pd_conf_key *key, const char *text,
    void *base, char *why, size_t whylen)
{
	char **items;
	int *dates = NULL;
	size_t i, n, kept = 0;

	if (!pd_conf_value_split(text, &items, &n))
		return pd_conf_value_expect(why, whylen,
		    "a comma-separated list of dates YYYY-MM-DD", text);
	if (n > 0)
		dates = pd_xcalloc(n, sizeof(int));
	for (i = 0; i < n; i++) {
		dates[i] = date_value(items[i]);
		if (dates[i] < 0) {
			pd_conf_value_expect(why, whylen,
			    "a calendar date YYYY-MM-DD", items[i]);
			pd_conf_value_strv_free(&items, n);
			pd_free(dates);
			return false;
		}
	}
	pd_conf_value_strv_free(&items, n);
	if (n > 0)
		qsort(dates, n, sizeof(int), int_cmp);
	for (i = 0; i < n; i++)
		if (kept == 0 || dates[kept - 1] != dates[i])
			dates[kept++] = dates[i];
	pd_conf_value_free(key, base);
	*PD_CONF_MEMBER(base, key->off, int *) = dates;
	*PD_CONF_MEMBER(base, key->off_n, size_t) = kept;
	return true;
}

/* prio_item - "high 4h" into targets; set marks priorities seen */
static bool
prio_item(const char *item, long *targets, bool *set, char *why,
    size_t whylen)
{
	size_t nlen = strcspn(item, " \t");
	const char *dur = item + nlen + strspn(item + nlen, " \t");
	enum pd_priority p;
	char name[16];

	if (nlen >= sizeof(name))
		nlen = sizeof(name) - 1;
	memcpy(name, item, nlen);
	name[nlen] = '\0';
	if (pd_conf_priority_from_name(name, &p) != PD_OK || *dur == '\0')
		return pd_conf_value_expect(why, whylen,
		    "a priority and a duration like \"high 4h\"", item);
	if (set[p])
		return pd_conf_value_expect(why, whylen,
		    "each priority once", item);
	set[p] = true;
	return duration_item(dur, 1, LONG_MAX, &targets[p], why, whylen);
}

/* pd_conf_time_prio - "urgent 1h, high 4h, normal 12h, low 24h" */
bool
pd_conf_time_prio(const struct pd_conf_key *key, const char *text,
    void *base, char *why, size_t whylen)
{
	long targets[PD_PRIO_COUNT];
	bool set[PD_PRIO_COUNT] = { false };
	char **items, what[128];
	size_t i, n;
	bool ok;
	int p;

	if (!pd_conf_value_split(text, &items, &n))
		return pd_conf_value_expect(why, whylen,
		    "a list like \"urgent 1h, high 4h, normal 12h, low 24h\"",
		    text);
	for (i = 0, ok = true; i < n && ok; i++)
		ok = prio_item(items[i], targets, set, why, whylen);
	pd_conf_value_strv_free(&items, n);
	if (!ok)
		return false;
	for (p = PD_PRIO_URGENT; p >= PD_PRIO_LOW; p--)
		if (!set[p]) {
			snprintf(what, sizeof(what), "a target for each of "
			    "urgent, high, normal and low (\"%s\" is missing)",
			    pd_conf_priority_name((enum pd_priority)p));
			return pd_conf_value_expect(why, whylen, what, text);
		}
	memcpy(PD_CONF_MEMBER(base, key->off, long), targets,
	    sizeof(targets));
	return true;
}

/* word_is - whether s[0..len) is word */
static bool
word_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && strncmp(s, word, len) == 0;
}

/* schedule_ok - tokens of "hourly", "daily HH:MM", "weekly DAY HH:MM" */
static bool
schedule_ok(const char **tok, const size_t *len, size_t n)
{
	int minutes;

	if (n == 1)
		return word_is(tok[0], len[0], "hourly");
	if (n == 2)
		return word_is(tok[0], len[0], "daily") &&
		    hhmm(tok[1], len[1], false, &minutes);
	return n == 3 && word_is(tok[0], len[0], "weekly") &&
	    day_index(tok[1], len[1]) >= 0 &&
	    hhmm(tok[2], len[2], false, &minutes);
}

/* pd_conf_time_schedule - validate, store with single blanks */
bool
pd_conf_time_schedule(const struct pd_conf_key *key, const char *text,
    void *base, char *why, size_t whylen)
{
	const char *tok[4] = { "", "", "", "" };
	const char *p = text + strspn(text, " \t");
	size_t len[4] = { 0, 0, 0, 0 };
	size_t n = 0;
	char norm[32];

	while (*p != '\0' && n < 4) {
		tok[n] = p;
		len[n] = strcspn(p, " \t");
		p += len[n];
		p += strspn(p, " \t");
		n++;
	}
	if (*p != '\0' || !schedule_ok(tok, len, n))
		return pd_conf_value_expect(why, whylen, "\"hourly\", "
		    "\"daily HH:MM\" or \"weekly DAY HH:MM\"", text);
	snprintf(norm, sizeof(norm), "%.*s%s%.*s%s%.*s", (int)len[0], tok[0],
	    n > 1 ? " " : "", (int)len[1], tok[1], n > 2 ? " " : "",
	    (int)len[2], tok[2]);
	pd_xfree(PD_CONF_MEMBER(base, key->off, char *));
	*PD_CONF_MEMBER(base, key->off, char *) = pd_xstrdup(norm);
	return true;
}
