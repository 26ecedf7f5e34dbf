/*
 * test_sla.c - pd_sla against a brute-force minute-by-minute oracle,
 *		hand-computed due times, and due times written for people
 *
 * The oracle reads the wall clock of every minute of a window with
 * GDateTime (UTC instant -> g_date_time_to_timezone -> weekday, date, time
 * of day) and looks the weekday's hours and the holiday list up; due times
 * and open time elapsed are then found by walking those minutes one by
 * one.  Within a minute the answer cannot change (the zones tested have
 * whole-minute offsets and hours are whole minutes), so starts with
 * arbitrary seconds are compared too.  Scenarios: both 2024 DST changes in
 * Europe/Berlin and America/New_York, hours that begin or end inside the
 * skipped or repeated hour, America/Havana (DST changes at midnight),
 * Europe/Moscow (no DST) with the holidays of PRODUCT.md, holidays on a
 * Friday and a Monday, weekends, 24/7.  Every scenario gets hand-picked
 * starts every 30 minutes around its focus day plus random ones (own
 * xorshift, fixed seed).  Two deliberately wrong oracles (one ignores
 * holidays, one adds 86400 s per day from the window's first offset) run
 * over the same cases and must disagree with pd_sla at least once: the
 * negative control of STYLE.md 12.4.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "pd_buf.h"
#include "pd_conf.h"
#include "pd_err.h"
#include "pd_mem.h"
#include "pd_sla.h"
#include "../harness/tap.h"

#define WINDOW_DAYS	21		/* minutes the oracle knows */
#define START_DAYS	7		/* random starts in the first days */
#define N_RANDOM	300		/* random cases per scenario */
#define MAX_SHOWN	5		/* mismatches printed per scenario */

#define HM(h, m)	((h) * 60 + (m))
#define OPEN(a, b)	{ (a), (b) }
#define SHUT		{ 0, 0 }
#define WEEKDAYS(a, b)	OPEN(a, b), OPEN(a, b), OPEN(a, b), OPEN(a, b), \
			OPEN(a, b)

struct scenario {
	const char	*name;
	const char	*zone;
	int		 y, m, d;	/* first local day of the window */
	int		 fy, fm, fd;	/* focus day: DST change, holiday */
	struct pd_conf_hours hours[7];
	int		 holidays[4];	/* yyyymmdd, sorted, 0-terminated */
};

static const struct scenario scenarios[] = {
	{ "Berlin spring, Sun 00-04, Good Friday, Easter Monday",
	    "Europe/Berlin", 2024, 3, 22, 2024, 3, 31,
	    { WEEKDAYS(HM(9, 0), HM(18, 0)), OPEN(HM(10, 0), HM(14, 0)),
	    OPEN(0, HM(4, 0)) }, { 20240329, 20240401 } },
	{ "Berlin autumn, Sun 00-04, holidays Fri and Mon",
	    "Europe/Berlin", 2024, 10, 18, 2024, 10, 27,
	    { WEEKDAYS(HM(9, 0), HM(18, 0)), OPEN(HM(10, 0), HM(14, 0)),
	    OPEN(0, HM(4, 0)) }, { 20241025, 20241028, 20241101 } },
	{ "Berlin autumn, Sun opens 02:30 (repeated hour)",
	    "Europe/Berlin", 2024, 10, 21, 2024, 10, 27,
	    { WEEKDAYS(HM(8, 0), HM(16, 30)), SHUT,
	    OPEN(HM(2, 30), HM(5, 0)) }, { 0 } },
	{ "Berlin autumn, Sun closes 02:30 (repeated hour)",
	    "Europe/Berlin", 2024, 10, 21, 2024, 10, 27,
	    { WEEKDAYS(HM(8, 0), HM(16, 30)), SHUT,
	    OPEN(HM(0, 30), HM(2, 30)) }, { 0 } },
	{ "Berlin spring, Sun 02:30-03:30 (skipped hour)",
	    "Europe/Berlin", 2024, 3, 25, 2024, 3, 31,
	    { WEEKDAYS(HM(8, 0), HM(16, 30)), SHUT,
	    OPEN(HM(2, 30), HM(3, 30)) }, { 0 } },
	{ "Moscow, PRODUCT.md policy and holidays",
	    "Europe/Moscow", 2025, 12, 24, 2026, 1, 1,
	    { WEEKDAYS(HM(9, 0), HM(18, 0)), SHUT, SHUT },
	    { 20260101, 20260102, 20260107 } },
	{ "New York spring, Sun 00-04, holidays Fri and Mon",
	    "America/New_York", 2024, 3, 4, 2024, 3, 10,
	    { WEEKDAYS(HM(8, 0), HM(17, 0)), SHUT, OPEN(0, HM(4, 0)) },
	    { 20240308, 20240311 } },
	{ "New York autumn, Sun 00-04, holidays Fri and Mon",
	    "America/New_York", 2024, 10, 28, 2024, 11, 3,
	    { WEEKDAYS(HM(8, 0), HM(17, 0)), SHUT, OPEN(0, HM(4, 0)) },
	    { 20241101, 20241104, 20241111 } },
	{ "New York autumn, Sun 01:30-01:45 (repeated hour)",
	    "America/New_York", 2024, 10, 28, 2024, 11, 3,
	    { WEEKDAYS(HM(8, 0), HM(17, 0)), SHUT,
	    OPEN(HM(1, 30), HM(1, 45)) }, { 0 } },
	{ "Havana autumn, DST ends at midnight, daily 00:00-12:00",
	    "America/Havana", 2024, 10, 28, 2024, 11, 3,
	    { WEEKDAYS(0, HM(12, 0)), OPEN(0, HM(12, 0)),
	    OPEN(0, HM(12, 0)) }, { 20241104 } },
	{ "Havana spring, DST starts at midnight, daily 00:00-12:00",
	    "America/Havana", 2024, 3, 4, 2024, 3, 10,
	    { WEEKDAYS(0, HM(12, 0)), OPEN(0, HM(12, 0)),
	    OPEN(0, HM(12, 0)) }, { 0 } },
	{ "24/7 Berlin spring", "Europe/Berlin", 2024, 3, 27, 2024, 3, 31,
	    { WEEKDAYS(0, HM(24, 0)), OPEN(0, HM(24, 0)),
	    OPEN(0, HM(24, 0)) }, { 0 } },
	{ "24/7 New York autumn, holiday on the 25-hour day",
	    "America/New_York", 2024, 10, 30, 2024, 11, 3,
	    { WEEKDAYS(0, HM(24, 0)), OPEN(0, HM(24, 0)),
	    OPEN(0, HM(24, 0)) }, { 20241103 } },
};

#define N_SCENARIOS	(sizeof(scenarios) / sizeof(scenarios[0]))

/* The oracle's flaws: none, or one of the deliberate mistakes. */
enum flaw {
	FLAW_NONE,
	FLAW_NO_HOLIDAYS,	/* forgets the holiday list */
	FLAW_FIXED_DAY,		/* local day = 86400 s from the first one */
	FLAW_COUNT,
};

struct oracle {
	int64_t		 base;		/* UTC, a whole minute */
	size_t		 n;		/* minutes */
	unsigned char	*open;
};

/* Mismatch counts over every comparison of one scenario. */
struct tally {
	long	compared;
	long	skipped;		/* due beyond the oracle's window */
	long	wrong[FLAW_COUNT];
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

/* rng - xorshift64* (rand is banned and not reproducible across libcs) */
static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* rng_below - uniform enough in [0, n) */
static int64_t
rng_below(int64_t n)
{
	return (int64_t)(rng() % (uint64_t)n);
}

/* local_unix - UTC instant of a local wall-clock time in tz */
static int64_t
local_unix(GTimeZone *tz, int y, int m, int d, int h, int mi)
{
	GDateTime *dt = g_date_time_new(tz, y, m, d, h, mi, 0);
	int64_t t = g_date_time_to_unix(dt);

	g_date_time_unref(dt);
	return t;
}

/* is_holiday - linear search of a 0-terminated list */
static bool
is_holiday(const int *list, int ymd)
{
	for (; *list != 0; list++)
		if (*list == ymd)
			return true;
	return false;
}

/* wall_clock - local date and time of UTC t, read with GDateTime */
static GDateTime *
wall_clock(GTimeZone *tz, int64_t t, enum flaw flaw, int32_t first_off)
{
	GDateTime *utc, *local;

	if (flaw == FLAW_FIXED_DAY)
		return g_date_time_new_from_unix_utc(t + first_off);
	utc = g_date_time_new_from_unix_utc(t);
	local = g_date_time_to_timezone(utc, tz);
	g_date_time_unref(utc);
	return local;
}

/* oracle_build - the open flag of every minute of the window */
static void
oracle_build(struct oracle *o, const struct scenario *s, GTimeZone *tz,
    enum flaw flaw)
{
	const struct pd_conf_hours *h;
	GDateTime *dt;
	int32_t first_off;
	int ymd, tod;
	size_t i;

	o->base = local_unix(tz, s->y, s->m, s->d, 0, 0);
	o->n = (size_t)WINDOW_DAYS * 24 * 60;
	o->open = pd_xcalloc(o->n, 1);
	first_off = g_time_zone_get_offset(tz, g_time_zone_find_interval(tz,
	    G_TIME_TYPE_UNIVERSAL, o->base));
	for (i = 0; i < o->n; i++) {
		dt = wall_clock(tz, o->base + (int64_t)i * 60, flaw,
		    first_off);
		h = &s->hours[g_date_time_get_day_of_week(dt) - 1];
		ymd = g_date_time_get_year(dt) * 10000 +
		    g_date_time_get_month(dt) * 100 +
		    g_date_time_get_day_of_month(dt);
		tod = g_date_time_get_hour(dt) * 60 +
		    g_date_time_get_minute(dt);
		o->open[i] = tod >= h->open_min && tod < h->close_min &&
		    (flaw == FLAW_NO_HOLIDAYS || !is_holiday(s->holidays, ymd));
		g_date_time_unref(dt);
	}
}

/*
 * oracle_due - walk minute by minute from start until bs open seconds are
 * used up (bs 0: the first open instant); false past the window.
 */
static bool
oracle_due(const struct oracle *o, int64_t start, long bs, int64_t *due)
{
	int64_t t = start, end, left = bs;
	size_t m;

	for (;;) {
		m = (size_t)((t - o->base) / 60);
		if (m >= o->n)
			return false;
		end = o->base + (int64_t)(m + 1) * 60;
		if (o->open[m]) {
			if (end - t >= left) {
				*due = t + left;
				return true;
			}
			left -= end - t;
		}
		t = end;
	}
}

/* oracle_elapsed - open seconds in [from, to), minute by minute */
static long
oracle_elapsed(const struct oracle *o, int64_t from, int64_t to)
{
	int64_t t = from, end;
	long total = 0;
	size_t m;

	while (t < to) {
		m = (size_t)((t - o->base) / 60);
		end = MIN(o->base + (int64_t)(m + 1) * 60, to);
		if (o->open[m])
			total += (long)(end - t);
		t = end;
	}
	return total;
}

/* make_sla - a policy struct for scenario s (hours, holidays, zone) */
static void
make_sla(struct pd_conf_sla *sla, const struct scenario *s, GTimeZone *tz,
    int *holidays)
{
	size_t n = 0;

	memset(sla, 0, sizeof(*sla));
	memcpy(sla->hours, s->hours, sizeof(sla->hours));
	while (s->holidays[n] != 0) {
		holidays[n] = s->holidays[n];
		n++;
	}
	sla->holidays = holidays;
	sla->n_holidays = n;
	sla->timezone = (char *)s->zone;
	sla->tz = tz;
}

/*
 * compare_due - pd_sla_due(start, bs) and pd_sla_elapsed(start, end), end
 * the right oracle's due time, against every oracle
 */
static void
compare_due(const struct pd_conf_sla *sla, const struct oracle *o,
    int64_t start, long bs, struct tally *ty)
{
	int64_t got, want, end;
	long el;
	int f;

	if (!oracle_due(&o[FLAW_NONE], start, bs, &end)) {
		ty->skipped++;
		return;
	}
	ty->compared++;
	if (pd_sla_due(sla, start, bs, &got) != PD_OK)
		got = -1;
	el = pd_sla_elapsed(sla, start, end);
	for (f = 0; f < FLAW_COUNT; f++) {
		if (!oracle_due(&o[f], start, bs, &want))
			want = -2;
		if (got == want && el == oracle_elapsed(&o[f], start, end))
			continue;
		ty->wrong[f]++;
		if (f == FLAW_NONE && ty->wrong[f] <= MAX_SHOWN)
			printf("#   start %lld + %lds: due %lld, oracle %lld; "
			    "elapsed %ld\n", (long long)start, bs,
			    (long long)got, (long long)want, el);
	}
}

/* compare_point - pd_sla_is_open, pd_sla_next_open at t, every oracle */
static void
compare_point(const struct pd_conf_sla *sla, const struct oracle *o,
    int64_t t, struct tally *ty)
{
	int64_t got, want;
	bool open = pd_sla_is_open(sla, t);
	int f;

	if (!oracle_due(&o[FLAW_NONE], t, 0, &want)) {
		ty->skipped++;
		return;
	}
	ty->compared++;
	if (pd_sla_next_open(sla, t, &got) != PD_OK)
		got = -1;
	for (f = 0; f < FLAW_COUNT; f++) {
		if (!oracle_due(&o[f], t, 0, &want))
			want = -2;
		if (got == want && open == (want == t))
			continue;
		ty->wrong[f]++;
		if (f == FLAW_NONE && ty->wrong[f] <= MAX_SHOWN)
			printf("#   at %lld: open %d, next %lld, oracle %lld\n",
			    (long long)t, open, (long long)got,
			    (long long)want);
	}
}

/* random_duration - 0 to a few business days, biased to the short */
static long
random_duration(void)
{
	switch (rng_below(8)) {
	case 0:
		return 0;
	case 1:
		return (long)rng_below(3600);
	case 2:
	case 3:
		return (long)rng_below(9 * 3600);
	default:
		return (long)rng_below(45 * 3600);
	}
}

/* hand_cases - every 30 min from focus day -6 h to +30 h, fixed lengths */
static void
hand_cases(const struct scenario *s, const struct pd_conf_sla *sla,
    GTimeZone *tz, const struct oracle *o, struct tally *ty)
{
	static const long lens[] = { 0, 1, 59, 1800, 3600, 5400, 4 * 3600,
	    9 * 3600, 30 * 3600 };
	int64_t focus = local_unix(tz, s->fy, s->fm, s->fd, 0, 0);
	int64_t t;
	size_t i;

	for (t = focus - 6 * 3600; t <= focus + 30 * 3600; t += 1800) {
		for (i = 0; i < G_N_ELEMENTS(lens); i++) {
			compare_due(sla, o, t, lens[i], ty);
			compare_due(sla, o, t - 1, lens[i], ty);
		}
		compare_point(sla, o, t, ty);
		compare_point(sla, o, t - 1, ty);
	}
}

/* random_cases - N_RANDOM starts in the first START_DAYS days */
static void
random_cases(const struct pd_conf_sla *sla, const struct oracle *o,
    struct tally *ty)
{
	int64_t t, to;
	int i;

	for (i = 0; i < N_RANDOM; i++) {
		t = o->base + rng_below((int64_t)START_DAYS * 86400);
		if (i % 2 == 0)
			t -= (t - o->base) % 60;	/* whole minutes too */
		compare_due(sla, o, t, random_duration(), ty);
		compare_point(sla, o, t, ty);
		/* elapsed between two arbitrary instants */
		to = t + rng_below(7 * 86400);
		ty->compared++;
		if (pd_sla_elapsed(sla, t, to) != oracle_elapsed(o, t, to))
			ty->wrong[FLAW_NONE]++;
	}
}

/* every_minute - pd_sla_is_open for each minute of the first days */
static void
every_minute(const struct pd_conf_sla *sla, const struct oracle *o,
    struct tally *ty)
{
	size_t i, n = (size_t)START_DAYS * 24 * 60;

	for (i = 0; i < n; i++) {
		ty->compared++;
		if (pd_sla_is_open(sla, o->base + (int64_t)i * 60) !=
		    (o->open[i] != 0))
			ty->wrong[FLAW_NONE]++;
	}
}

/* run_scenario - all comparisons of one scenario; adds to totals */
static void
run_scenario(const struct scenario *s, struct tally *total)
{
	struct oracle o[FLAW_COUNT];
	struct pd_conf_sla sla;
	struct tally ty = { 0, 0, { 0 } };
	GTimeZone *tz = g_time_zone_new_identifier(s->zone);
	int holidays[4];
	int f;

	if (!ok(tz != NULL, "%s: zone %s is installed", s->name, s->zone))
		return;
	for (f = 0; f < FLAW_COUNT; f++)
		oracle_build(&o[f], s, tz, (enum flaw)f);
	make_sla(&sla, s, tz, holidays);
	hand_cases(s, &sla, tz, o, &ty);
	random_cases(&sla, o, &ty);
	every_minute(&sla, o, &ty);
	ok(ty.wrong[FLAW_NONE] == 0 && ty.skipped * 20 < ty.compared,
	    "%s: %ld comparisons agree with the oracle (%ld past window)",
	    s->name, ty.compared, ty.skipped);
	total->compared += ty.compared;
	total->skipped += ty.skipped;
	for (f = 0; f < FLAW_COUNT; f++) {
		total->wrong[f] += ty.wrong[f];
		pd_free(o[f].open);
	}
	g_time_zone_unref(tz);
}

/* oracle_tests - every scenario, then the negative controls */
static void
oracle_tests(void)
{
	struct tally total = { 0, 0, { 0 } };
	size_t i;

	for (i = 0; i < N_SCENARIOS; i++)
		run_scenario(&scenarios[i], &total);
	printf("# %ld comparisons in all; wrong oracles disagreed %ld "
	    "(no holidays) and %ld (86400 s days) times\n", total.compared,
	    total.wrong[FLAW_NO_HOLIDAYS], total.wrong[FLAW_FIXED_DAY]);
	is_int(total.wrong[FLAW_NONE], 0, "the right oracle never disagrees");
	ok(total.wrong[FLAW_NO_HOLIDAYS] > 0,
	    "negative control: an oracle that ignores holidays disagrees");
	ok(total.wrong[FLAW_FIXED_DAY] > 0,
	    "negative control: an oracle adding 86400 s per day disagrees");
}

/* A small configuration: PRODUCT.md's SLA policy, as a user writes it. */
static const char product_conf[] =
    "[general]\n"
    "timezone = Europe/Moscow\n"
    "[queue support]\n"
    "address = support@example.com\n"
    "sla = standard\n"
    "[sla standard]\n"
    "business_hours = mon-fri 09:00-18:00\n"
    "holidays = 2026-01-01, 2026-01-02, 2026-01-07\n"
    "first_response = urgent 1h, high 4h, normal 12h, low 24h\n"
    "resolution = urgent 8h, high 1d, normal 3d, low 5d\n"
    "warn_before = 1h\n";

/* load_conf - product_conf through pd_conf_load and a temporary file */
static struct pd_conf *
load_conf(void)
{
	char path[] = "/tmp/pdslaXXXXXX";
	struct pd_conf *conf;
	struct pd_err err;
	FILE *f;
	int fd;

	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		unlink(path);
		return NULL;
	}
	fputs(product_conf, f);
	fclose(f);
	conf = pd_conf_load(path, &err);
	if (conf == NULL)
		printf("# %s\n", err.msg);
	unlink(path);
	return conf;
}

/* due_is - pd_sla_due(start, bs) is want; want -1 expects PD_EINVAL */
static void
due_is(const struct pd_conf_sla *sla, int64_t start, long bs, int64_t want,
    const char *name)
{
	int64_t got = -1;
	int rc = pd_sla_due(sla, start, bs, &got);

	if (want < 0)
		is_int(rc, PD_EINVAL, name);
	else
		is_int(rc == PD_OK ? got : rc, want, name);
}

/* product_tests - PRODUCT.md's policy from a real configuration file */
static void
product_tests(void)
{
	struct pd_conf *conf = load_conf();
	const struct pd_conf_sla *sla;
	GTimeZone *tz;
	struct pd_buf b;
	int64_t fri;

	if (!ok(conf != NULL && conf->n_slas == 1 && conf->slas[0].tz != NULL,
	    "PRODUCT.md policy loads with its zone"))
		return;
	sla = &conf->slas[0];
	tz = sla->tz;
	fri = local_unix(tz, 2026, 1, 16, 17, 0);
	due_is(sla, fri, sla->first_response[PD_PRIO_NORMAL],
	    local_unix(tz, 2026, 1, 20, 11, 0),
	    "normal 12h from Friday 17:00 Moscow: Tuesday 11:00");
	is_int(pd_sla_elapsed(sla, fri, local_unix(tz, 2026, 1, 20, 11, 0)),
	    12 * 3600, "Friday 17:00 to Tuesday 11:00 is 12 open hours");
	due_is(sla, local_unix(tz, 2025, 12, 31, 17, 0),
	    sla->first_response[PD_PRIO_NORMAL],
	    local_unix(tz, 2026, 1, 6, 11, 0),
	    "12h from 31 Dec 17:00 skips 1-2 Jan and the weekend: 6 Jan 11:00");
	due_is(sla, local_unix(tz, 2026, 1, 1, 10, 0),
	    sla->first_response[PD_PRIO_URGENT],
	    local_unix(tz, 2026, 1, 5, 10, 0),
	    "urgent 1h on the 1 Jan holiday: Monday 5 Jan 10:00");
	due_is(sla, local_unix(tz, 2026, 1, 12, 9, 0),
	    sla->resolution[PD_PRIO_NORMAL],
	    local_unix(tz, 2026, 1, 21, 18, 0),
	    "normal resolution 3d (72 open hours) from Mon 12 Jan 09:00");
	pd_buf_init(&b, 256);
	pd_sla_format_due(local_unix(tz, 2026, 1, 20, 11, 0), fri, tz, "ru",
	    &b);
	is_str(pd_buf_str(&b), "во вторник до 11:00",
	    "the ack says so (ru)");
	pd_buf_free(&b);
	pd_conf_unref(&conf);
}

/* dst_tests - hand-computed due times across Berlin's 2024 changes */
static void
dst_tests(void)
{
	struct pd_conf_sla sla;
	int holidays[4];
	GTimeZone *tz = g_time_zone_new_identifier("Europe/Berlin");

	make_sla(&sla, &scenarios[0], tz, holidays);
	due_is(&sla, local_unix(tz, 2024, 3, 30, 20, 0), 3 * 3600,
	    local_unix(tz, 2024, 3, 31, 4, 0),
	    "Sat 20:00 + 3h, Sun 00-04 loses 02-03: Sun 04:00 CEST");
	is_int(pd_sla_elapsed(&sla, local_unix(tz, 2024, 3, 31, 0, 0),
	    local_unix(tz, 2024, 4, 1, 0, 0)), 3 * 3600,
	    "Sunday 31 March 00:00-04:00 has 3 open hours");
	due_is(&sla, local_unix(tz, 2024, 3, 28, 17, 0), 2 * 3600,
	    local_unix(tz, 2024, 3, 30, 11, 0),
	    "Thu 17:00 + 2h over Good Friday: Saturday 11:00");
	due_is(&sla, local_unix(tz, 2024, 3, 31, 3, 30), 3600,
	    local_unix(tz, 2024, 4, 2, 9, 30),
	    "Sun 03:30 + 1h over Easter Monday: Tuesday 09:30");
	make_sla(&sla, &scenarios[1], tz, holidays);
	is_int(pd_sla_elapsed(&sla, local_unix(tz, 2024, 10, 27, 0, 0),
	    local_unix(tz, 2024, 10, 28, 0, 0)), 5 * 3600,
	    "Sunday 27 October 00:00-04:00 has 5 open hours");
	/* 00:00 CEST + 2h = 02:00 CEST, the first 02:00, 00:00 UTC. */
	due_is(&sla, local_unix(tz, 2024, 10, 26, 20, 0), 2 * 3600,
	    local_unix(tz, 2024, 10, 27, 0, 0) + 2 * 3600,
	    "Sat 20:00 + 2h: the first of the two 02:00s");
	due_is(&sla, local_unix(tz, 2024, 10, 26, 20, 0), 5 * 3600,
	    local_unix(tz, 2024, 10, 27, 4, 0),
	    "Sat 20:00 + 5h: Sun 04:00 CET");
	g_time_zone_unref(tz);
}

/* edge_tests - zero durations, 24/7, the search bound, bad policies */
static void
edge_tests(void)
{
	struct pd_conf_sla sla;
	int holidays[4];
	int64_t t, got = 0;
	GTimeZone *tz = g_time_zone_new_identifier("Europe/Berlin");

	make_sla(&sla, &scenarios[0], tz, holidays);
	t = local_unix(tz, 2024, 3, 26, 10, 0);
	due_is(&sla, t, 0, t, "0s while open: the start itself");
	due_is(&sla, local_unix(tz, 2024, 3, 26, 18, 0), 0,
	    local_unix(tz, 2024, 3, 27, 9, 0), "0s at closing: next opening");
	due_is(&sla, local_unix(tz, 2024, 3, 26, 17, 0), 3600,
	    local_unix(tz, 2024, 3, 26, 18, 0), "used up at closing: closing");
	due_is(&sla, t, -1, -1, "a negative duration is PD_EINVAL");
	due_is(&sla, -1, 60, -1, "an instant before 1970 is PD_EINVAL");
	due_is(&sla, PD_SLA_TIME_MAX + 1, 60, -1, "an instant after 3000 too");
	sla.tz = NULL;
	due_is(&sla, t, 3600, t + 3600, "tz NULL: loaded from timezone");
	sla.timezone = (char *)"Mars/Olympus_Mons";
	due_is(&sla, t, 3600, -1, "unknown zone is PD_EINVAL");
	is_int(pd_sla_elapsed(&sla, t, t + 60), -1, "elapsed -1 without zone");
	sla.tz = tz;
	sla.hours[1].open_min = HM(19, 0);
	due_is(&sla, t, 60, -1, "opening after closing is PD_EINVAL");
	make_sla(&sla, &scenarios[11], tz, holidays);
	due_is(&sla, t, 399L * 86400, t + 399L * 86400, "24/7: 399 days");
	due_is(&sla, t, 400L * 86400, t + 400L * 86400, "24/7: 400 days");
	due_is(&sla, t, 401L * 86400, -1, "24/7: 401 days is beyond search");
	is_int(pd_sla_elapsed(&sla, t, t + 86400L * 30), 86400L * 30,
	    "24/7: elapsed is wall time");
	is_int(pd_sla_elapsed(&sla, t, t - 5), 0, "elapsed backwards is 0");
	memset(sla.hours, 0, sizeof(sla.hours));
	due_is(&sla, t, 0, -1, "no open hours: PD_EINVAL");
	ok(pd_sla_next_open(&sla, t, &got) == PD_EINVAL &&
	    !pd_sla_is_open(&sla, t) && pd_sla_elapsed(&sla, t, t + 99) == 0,
	    "no open hours: never open, nothing elapses");
	g_time_zone_unref(tz);
}

/* One row of the format table: local times in zone. */
struct fmt_case {
	const char	*zone;
	int		 now[5];	/* y m d h mi */
	int		 due[6];	/* y m d h mi s */
	const char	*lang;
	const char	*want;
};

#define MSK	"Europe/Moscow"
#define FRI10	{ 2026, 1, 16, 10, 0 }

static const struct fmt_case fmt_cases[] = {
	{ MSK, FRI10, { 2026, 1, 16, 16, 0, 0 }, "en", "today by 16:00" },
	{ MSK, FRI10, { 2026, 1, 16, 16, 0, 0 }, "ru",
	    "сегодня до 16:00" },
	{ MSK, FRI10, { 2026, 1, 17, 11, 0, 0 }, "en", "tomorrow by 11:00" },
	{ MSK, FRI10, { 2026, 1, 17, 11, 0, 0 }, "ru",
	    "завтра до 11:00" },
	{ MSK, FRI10, { 2026, 1, 18, 10, 0, 0 }, "en", "Sunday by 10:00" },
	{ MSK, FRI10, { 2026, 1, 18, 10, 0, 0 }, "ru",
	    "в воскресенье до 10:00" },
	{ MSK, FRI10, { 2026, 1, 19, 10, 0, 0 }, "en", "Monday by 10:00" },
	{ MSK, FRI10, { 2026, 1, 19, 10, 0, 0 }, "ru",
	    "в понедельник до 10:00" },
	{ MSK, FRI10, { 2026, 1, 20, 9, 5, 0 }, "ru",
	    "во вторник до 09:05" },
	{ MSK, FRI10, { 2026, 1, 21, 10, 0, 0 }, "ru",
	    "в среду до 10:00" },
	{ MSK, FRI10, { 2026, 1, 22, 10, 0, 0 }, "ru",
	    "в четверг до 10:00" },
	{ MSK, FRI10, { 2026, 1, 22, 10, 0, 0 }, "en", "Thursday by 10:00" },
	{ MSK, FRI10, { 2026, 1, 23, 10, 0, 0 }, "ru",
	    "в пятницу, 23 января, до 10:00" },
	{ MSK, FRI10, { 2026, 1, 23, 10, 0, 0 }, "en",
	    "Friday 23 January by 10:00" },
	{ MSK, { 2026, 1, 14, 12, 0 }, { 2026, 1, 17, 10, 0, 0 }, "ru",
	    "в субботу до 10:00" },
	{ MSK, { 2026, 1, 14, 12, 0 }, { 2026, 1, 17, 10, 0, 0 }, "en",
	    "Saturday by 10:00" },
	{ MSK, FRI10, { 2026, 3, 2, 10, 0, 0 }, "en",
	    "Monday 2 March by 10:00" },
	{ MSK, FRI10, { 2026, 3, 2, 10, 0, 0 }, "ru",
	    "в понедельник, 2 марта, до 10:00" },
	{ MSK, FRI10, { 2026, 2, 14, 12, 0, 0 }, "ru",
	    "в субботу, 14 февраля, до 12:00" },
	{ MSK, FRI10, { 2026, 4, 7, 12, 0, 0 }, "ru",
	    "во вторник, 7 апреля, до 12:00" },
	{ MSK, FRI10, { 2026, 5, 1, 12, 0, 0 }, "ru",
	    "в пятницу, 1 мая, до 12:00" },
	{ MSK, FRI10, { 2026, 6, 10, 12, 0, 0 }, "ru",
	    "в среду, 10 июня, до 12:00" },
	{ MSK, FRI10, { 2026, 7, 23, 12, 0, 0 }, "ru",
	    "в четверг, 23 июля, до 12:00" },
	{ MSK, FRI10, { 2026, 8, 31, 12, 0, 0 }, "ru",
	    "в понедельник, 31 августа, до 12:00" },
	{ MSK, FRI10, { 2026, 9, 3, 12, 0, 0 }, "ru",
	    "в четверг, 3 сентября, до 12:00" },
	{ MSK, FRI10, { 2026, 10, 18, 12, 0, 0 }, "ru",
	    "в воскресенье, 18 октября, до 12:00" },
	{ MSK, FRI10, { 2026, 11, 11, 12, 0, 0 }, "ru",
	    "в среду, 11 ноября, до 12:00" },
	{ MSK, FRI10, { 2026, 12, 25, 12, 0, 0 }, "ru",
	    "в пятницу, 25 декабря, до 12:00" },
	{ MSK, FRI10, { 2026, 12, 25, 12, 0, 0 }, "en",
	    "Friday 25 December by 12:00" },
	{ MSK, FRI10, { 2026, 1, 15, 10, 0, 0 }, "en",
	    "Thursday 15 January by 10:00" },
	/* Across midnight, and a date that differs in UTC. */
	{ MSK, { 2026, 1, 16, 23, 30 }, { 2026, 1, 17, 0, 30, 0 }, "ru",
	    "завтра до 00:30" },
	{ MSK, { 2026, 1, 17, 1, 0 }, { 2026, 1, 17, 10, 0, 0 }, "en",
	    "today by 10:00" },
	{ "America/New_York", { 2024, 11, 2, 22, 0 },
	    { 2024, 11, 3, 9, 0, 0 }, "en", "tomorrow by 09:00" },
	{ "America/New_York", { 2024, 11, 3, 0, 30 },
	    { 2024, 11, 3, 23, 0, 0 }, "en", "today by 23:00" },
	/* Seconds round up, never down. */
	{ MSK, FRI10, { 2026, 1, 16, 10, 59, 30 }, "en", "today by 11:00" },
	{ MSK, FRI10, { 2026, 1, 16, 23, 59, 1 }, "ru",
	    "завтра до 00:00" },
	/* Language names. */
	{ MSK, FRI10, { 2026, 1, 17, 11, 0, 0 }, "ru_RU.UTF-8",
	    "завтра до 11:00" },
	{ MSK, FRI10, { 2026, 1, 17, 11, 0, 0 }, "RU",
	    "завтра до 11:00" },
	{ MSK, FRI10, { 2026, 1, 17, 11, 0, 0 }, "rus", "tomorrow by 11:00" },
	{ MSK, FRI10, { 2026, 1, 17, 11, 0, 0 }, "de", "tomorrow by 11:00" },
	{ MSK, FRI10, { 2026, 1, 17, 11, 0, 0 }, NULL, "tomorrow by 11:00" },
};

/* format_tests - the table, appending, and the failures */
static void
format_tests(void)
{
	const struct fmt_case *c;
	struct pd_buf b;
	GTimeZone *tz;
	int64_t now, due;
	char name[160];
	size_t i;

	pd_buf_init(&b, 256);
	for (i = 0; i < G_N_ELEMENTS(fmt_cases); i++) {
		c = &fmt_cases[i];
		tz = g_time_zone_new_identifier(c->zone);
		now = local_unix(tz, c->now[0], c->now[1], c->now[2],
		    c->now[3], c->now[4]);
		due = local_unix(tz, c->due[0], c->due[1], c->due[2],
		    c->due[3], c->due[4]) + c->due[5];
		pd_buf_reset(&b);
		snprintf(name, sizeof(name), "format %s: %s",
		    c->lang ? c->lang : "NULL", c->want);
		if (pd_sla_format_due(due, now, tz, c->lang, &b) != PD_OK)
			pd_buf_adds(&b, "(error)");
		is_str(pd_buf_str(&b), c->want, name);
		g_time_zone_unref(tz);
	}
	tz = g_time_zone_new_identifier(MSK);
	now = local_unix(tz, 2026, 1, 16, 10, 0);
	pd_buf_reset(&b);
	pd_buf_adds(&b, "Ответим ");
	pd_sla_format_due(now + 3600, now, tz, "ru", &b);
	is_str(pd_buf_str(&b), "Ответим сегодня до 11:00",
	    "format appends");
	is_int(pd_sla_format_due(now, now, NULL, "en", &b), PD_EINVAL,
	    "format without a zone is PD_EINVAL");
	pd_buf_free(&b);
	pd_buf_init(&b, 8);
	is_int(pd_sla_format_due(now, now, tz, "ru", &b), PD_EINVAL,
	    "format into a full buffer is PD_EINVAL");
	pd_buf_free(&b);
	g_time_zone_unref(tz);
}

int
main(void)
{
	oracle_tests();
	product_tests();
	dst_tests();
	edge_tests();
	format_tests();
	return tap_done();
}
