/*
 * pd_digest_sched.c - when digests are due, and queueing them
 *
 * PURPOSE	pd_digest_schedule(), pd_digest_queue() and pd_digest_due();
 *		see pd_digest.h.
 * DESIGN	Scheduled instants are local wall-clock times in the queue's
 *		zone, built day by day with GDate arithmetic and
 *		g_date_time_new() (never by adding 86400 s), so "daily 09:00"
 *		stays at 09:00 across clock changes and the period around a
 *		change is 23 or 25 hours long.  "hourly" is every local full
 *		hour: the full hours of the zone's offset at that instant.
 *		A digest is computed before the write transaction (reading
 *		1,000,000 tickets' worth of indexes must not hold the lock the
 *		milter waits for); the transaction then records the period
 *		and queues the mails together.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "pd_digest.h"
#include "pd_log.h"
#include "pd_mem.h"
#include "pd_msgid.h"

#define DIGEST_MAIL_MAX	(8 * 1024 * 1024)

static const char *const weekdays[7] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun",
};

/* The parsed schedule. */
struct sched {
	enum { SCHED_HOURLY, SCHED_DAILY, SCHED_WEEKLY } kind;
	int	 weekday;		/* 1 (Monday) .. 7 */
	int	 hour;
	int	 minute;
};

/* sched_parse - the text pd_conf validated and normalised */
static int
sched_parse(const char *text, struct sched *s)
{
	char day[8];
	int i;

	memset(s, 0, sizeof(*s));
	if (strcmp(text, "hourly") == 0)
		return PD_OK;
	if (sscanf(text, "daily %2d:%2d", &s->hour, &s->minute) == 2)
		s->kind = SCHED_DAILY;
	else if (sscanf(text, "weekly %3s %2d:%2d", day, &s->hour,
	    &s->minute) == 3) {
		s->kind = SCHED_WEEKLY;
		for (i = 0; i < 7; i++)
			if (strcmp(day, weekdays[i]) == 0)
				s->weekday = i + 1;
		if (s->weekday == 0)
			return PD_EINVAL;
	} else
		return PD_EINVAL;
	return s->hour >= 0 && s->hour < 24 && s->minute >= 0 &&
	    s->minute < 60 ? PD_OK : PD_EINVAL;
}

/* sched_at - the instant of local date g at the schedule's time */
static int64_t
sched_at(const struct sched *s, GTimeZone *tz, const GDate *g)
{
	GDateTime *dt = g_date_time_new(tz, g_date_get_year(g),
	    g_date_get_month(g), g_date_get_day(g), s->hour, s->minute, 0);
	int64_t t;

	if (dt == NULL)
		return 0;
	t = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return t;
}

/* sched_hourly - local full hours around now */
static void
sched_hourly(GTimeZone *tz, int64_t now, int64_t *prev, int64_t *last,
    int64_t *next)
{
	int interval = g_time_zone_find_interval(tz, G_TIME_TYPE_UNIVERSAL,
	    now);
	int64_t offset = interval >= 0 ? g_time_zone_get_offset(tz,
	    interval) : 0;
	int64_t local = now + offset;

	*last = local - ((local % 3600) + 3600) % 3600 - offset;
	*prev = *last - 3600;
	*next = *last + 3600;
}

/* local_date - the date of instant t on a wall clock in tz */
static int
local_date(GTimeZone *tz, int64_t t, GDate *g)
{
	GDateTime *utc = g_date_time_new_from_unix_utc(t);
	GDateTime *local = utc ? g_date_time_to_timezone(utc, tz) : NULL;

	if (utc != NULL)
		g_date_time_unref(utc);
	if (local == NULL)
		return PD_EINVAL;
	g_date_clear(g, 1);
	g_date_set_dmy(g, (GDateDay)g_date_time_get_day_of_month(local),
	    (GDateMonth)g_date_time_get_month(local),
	    (GDateYear)g_date_time_get_year(local));
	g_date_time_unref(local);
	return PD_OK;
}

/* pd_digest_schedule - see pd_digest.h */
int
pd_digest_schedule(const char *schedule, GTimeZone *tz, int64_t now,
    int64_t *prev, int64_t *last, int64_t *next)
{
	struct sched s;
	GDate g;
	int step;

	if (schedule == NULL || tz == NULL ||
	    sched_parse(schedule, &s) != PD_OK)
		return PD_EINVAL;
	if (s.kind == SCHED_HOURLY) {
		sched_hourly(tz, now, prev, last, next);
		return PD_OK;
	}
	if (local_date(tz, now, &g) != PD_OK)
		return PD_EINVAL;
	step = s.kind == SCHED_DAILY ? 1 : 7;
	if (s.kind == SCHED_WEEKLY)
		while ((int)g_date_get_weekday(&g) != s.weekday)
			g_date_subtract_days(&g, 1);
	if (sched_at(&s, tz, &g) > now)
		g_date_subtract_days(&g, (guint)step);
	*last = sched_at(&s, tz, &g);
	g_date_subtract_days(&g, (guint)step);
	*prev = sched_at(&s, tz, &g);
	g_date_add_days(&g, 2 * (guint)step);
	*next = sched_at(&s, tz, &g);
	return *last > 0 && *prev > 0 && *next > 0 ? PD_OK : PD_EINVAL;
}

/* Mails built before the transaction that queues them. */
struct built {
	char		 msgid[PD_MSGID_MAX + 1];
	struct pd_buf	 mail;
};

/* queue_insert - the outbox rows of the built mails */
static int
queue_insert(struct pd_store *st, const struct pd_conf_queue *q,
    struct built *b, int64_t now)
{
	struct pd_outbox o = { 0 };
	size_t i;
	int rc = PD_OK;

	for (i = 0; rc == PD_OK && i < q->n_managers; i++) {
		memset(&o, 0, sizeof(o));
		o.kind = "digest";
		o.recipient = q->managers[i];
		o.message_id = b[i].msgid;
		o.body = (char *)pd_buf_str(&b[i].mail);
		o.due_at = now;
		o.created_at = now;
		rc = pd_store_outbox_insert(st, &o);
	}
	return rc;
}

/* pd_digest_queue - see pd_digest.h */
int
pd_digest_queue(struct pd_store *st, const struct pd_conf *conf,
    const struct pd_key *key, const struct pd_conf_queue *q, int64_t since,
    int64_t until, int64_t now, bool scheduled, long *queued,
    struct pd_err *err)
{
	const char *at = strrchr(q->address, '@');
	struct pd_digest d = { 0 };
	struct built *b;
	bool fresh = true;
	size_t i;
	int rc;

	*queued = 0;
	if (q->n_managers == 0)
		return PD_OK;
	b = pd_xcalloc(q->n_managers, sizeof(*b));
	rc = pd_digest_compute(st, conf, key, q, since, until, now, &d);
	for (i = 0; rc == PD_OK && i < q->n_managers; i++) {
		pd_buf_init(&b[i].mail, DIGEST_MAIL_MAX);
		rc = pd_msgid_generate(at ? at + 1 : "localhost", b[i].msgid,
		    sizeof(b[i].msgid));
		if (rc == PD_OK)
			rc = pd_digest_build_mail(conf, &d, q->managers[i],
			    b[i].msgid, now, &b[i].mail, err);
	}
	pd_digest_clear(&d);
	if (rc == PD_OK && (rc = pd_store_begin(st)) == PD_OK) {
		if (scheduled)
			rc = pd_store_digest_mark(st, q->name, since, until,
			    now, &fresh);
		if (rc == PD_OK && fresh)
			rc = queue_insert(st, q, b, now);
		if (rc == PD_OK)
			rc = pd_store_commit(st);
		if (rc != PD_OK)
			pd_store_rollback(st);
		else if (fresh)
			*queued = (long)q->n_managers;
	}
	for (i = 0; i < q->n_managers; i++)
		pd_buf_free(&b[i].mail);
	pd_free(b);
	if (rc != PD_OK && err->msg[0] == '\0')
		pd_err_set(err, rc, "digest of queue %s: %s", q->name,
		    pd_err_str(rc));
	return rc;
}

/* pd_digest_due - see pd_digest.h */
int
pd_digest_due(struct pd_store *st, const struct pd_conf *conf,
    const struct pd_key *key, int64_t now, int64_t *next)
{
	struct pd_err err = { 0, "" };
	int64_t prev, last, after, sent;
	size_t i;
	long n;
	int rc = PD_OK;

	*next = 0;
	for (i = 0; i < conf->n_queues; i++) {
		const struct pd_conf_queue *q = &conf->queues[i];

		if (q->n_managers == 0 || pd_digest_schedule(
		    conf->digest_schedule, q->sla->tz, now, &prev, &last,
		    &after) != PD_OK)
			continue;
		if (*next == 0 || after < *next)
			*next = after;
		if ((rc = pd_store_digest_last(st, q->name, &sent)) != PD_OK)
			break;
		if (sent >= last)
			continue;
		rc = pd_digest_queue(st, conf, key, q, sent > 0 ? sent : prev,
		    last, now, true, &n, &err);
		if (rc != PD_OK) {
			pd_error("%s", err.msg);
			break;
		}
		pd_info("digest: queue=%s, period=%lld-%lld, to=%ld manager(s)",
		    q->name, (long long)(sent > 0 ? sent : prev),
		    (long long)last, n);
	}
	return rc;
}
