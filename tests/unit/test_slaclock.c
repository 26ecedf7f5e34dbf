/*
 * test_slaclock.c - unit tests for pd_slaclock: the SLA clocks
 *
 * With business hours mon-fri 09:00-17:00 in Europe/Berlin: a new
 * ticket's due times and first watch time (the warning, warn_before of
 * open time before the first-response target); the resolution clock
 * stops while pending (pause_pending = yes) and keeps its count, runs
 * again at a reopen, and runs on through pending with pause_pending =
 * no; a priority change moves both due times and clears a warning not
 * followed by a breach; the view's past/risk flags; nothing is watched
 * once both targets are breached or the ticket is resolved.  Expected
 * instants are written out by hand from the calendar.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "pd_conf.h"
#include "pd_slaclock.h"
#include "../harness/tap.h"

static char dir[] = "/tmp/pdclockXXXXXX";

static const char conf_text[] =
	"[general]\ndatabase = %s/pd.db\nkey_file = %s/pd.key\n"
	"timezone = Europe/Berlin\n"
	"[queue support]\naddress = support@example.com\n"
	"[sla standard]\nbusiness_hours = mon-fri 09:00-17:00\n"
	"first_response = urgent 1h, high 2h, normal 4h, low 8h\n"
	"resolution = urgent 4h, high 8h, normal 16h, low 24h\n"
	"warn_before = 1h\npause_pending = %s\n";

/* berlin - seconds of a local time in Berlin (CEST in June: UTC+2) */
static int64_t
berlin(int d, int h, int mi)
{
	GDateTime *t = g_date_time_new_utc(2026, 6, d, h - 2, mi, 0);
	int64_t s = g_date_time_to_unix(t);

	g_date_time_unref(t);
	return s;
}

/* load - the policy with pause_pending = pause */
static struct pd_conf *
load(const char *pause)
{
	struct pd_err err = { 0, "" };
	char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/pd-%s.conf", dir, pause);
	f = fopen(path, "w");
	if (f == NULL)
		exit(99);
	fprintf(f, conf_text, dir, dir, pause);
	fclose(f);
	return pd_conf_load(path, &err);
}

/* change - apply u to t as the store would, for the next step */
static void
change(const struct pd_conf_sla *sla, struct pd_ticket *t,
    struct pd_ticket_update *u)
{
	pd_slaclock_apply(sla, t, u);
	if (u->what & PD_TU_STATUS)
		t->status = u->status;
	if (u->what & PD_TU_PRIORITY)
		t->priority = u->priority;
	if ((u->what & PD_TU_FIRST_RESPONSE) && t->first_response_at == 0)
		t->first_response_at = u->now;
	if (u->what & PD_TU_FIRST_DUE)
		t->first_response_due = u->first_response_due;
	t->res_used = u->res_used;
	t->res_since = u->res_since;
	t->resolution_due = u->resolution_due;
	t->sla_flags = u->sla_flags;
	t->sla_next_at = u->sla_next_at;
}

int
main(void)
{
	struct pd_conf *conf, *run;
	const struct pd_conf_sla *sla;
	struct pd_ticket t = { 0 };
	struct pd_ticket_update u = { 0 };
	struct pd_sla_view v;
	char path[300];

	if (mkdtemp(dir) == NULL)
		return 99;
	conf = load("yes");
	run = load("no");
	if (conf == NULL || run == NULL)
		return 99;
	sla = conf->queues[0].sla;

	/* Monday 1 June 2026, 15:00: normal, 4h first response. */
	t.id = 1;
	t.status = PD_TS_NEW;
	t.priority = PD_PRIO_NORMAL;
	t.created_at = berlin(1, 15, 0);
	pd_slaclock_start(sla, &t);
	is_int(t.first_response_due, berlin(2, 11, 0),
	    "first response due Tuesday 11:00 (2h Monday, 2h Tuesday)");
	is_int(t.resolution_due, berlin(3, 15, 0),
	    "resolution (16h) due Wednesday 15:00 (2h + 8h + 6h)");
	is_int(t.res_since, t.created_at, "the clock runs from creation");
	is_int(t.sla_next_at, berlin(2, 10, 0),
	    "first watch: the warning, Tuesday 10:00");

	/* Tuesday 10:30 an answer: pending, the clock stops. */
	u = (struct pd_ticket_update){ .id = 1, .now = berlin(2, 10, 30),
	    .what = PD_TU_STATUS | PD_TU_FIRST_RESPONSE,
	    .status = PD_TS_PENDING };
	change(sla, &t, &u);
	ok(u.what & PD_TU_CLOCK, "the change carries the clocks");
	is_int(t.res_since, 0, "pending: the clock stopped");
	is_int(t.res_used, (2 + 1) * 3600 + 1800,
	    "it counted 3h30 of open time");
	is_int(t.resolution_due, 0, "no resolution due while stopped");
	is_int(t.sla_next_at, 0, "answered and paused: nothing to watch");

	/* Friday 16:00 the customer writes: open again. */
	u = (struct pd_ticket_update){ .id = 1, .now = berlin(5, 16, 0),
	    .what = PD_TU_STATUS, .status = PD_TS_OPEN };
	change(sla, &t, &u);
	is_int(t.res_since, berlin(5, 16, 0), "reopened: runs again");
	is_int(t.resolution_due, berlin(9, 12, 30),
	    "12h30 left: 1h Friday, 8h Monday, 3h30 Tuesday 9 June");
	is_int(t.sla_next_at, berlin(9, 11, 30),
	    "next watch: the resolution warning an hour before");

	/* Monday 8 June 10:00: priority urgent (4h): already past. */
	u = (struct pd_ticket_update){ .id = 1, .now = berlin(8, 10, 0),
	    .what = PD_TU_PRIORITY, .priority = PD_PRIO_URGENT };
	t.sla_flags = PD_SLA_FR_WARNED | PD_SLA_RES_WARNED;
	change(sla, &t, &u);
	ok(!(u.what & PD_TU_FIRST_DUE), "answered: first due not moved");
	ok(t.sla_flags == 0, "the new promise clears the warnings");
	pd_slaclock_view(sla, &t, berlin(8, 10, 0), &v);
	ok(v.res_past && !v.res_risk, "3h30 + 1h + 1h used: past 4h");
	is_int(v.res_used, 5 * 3600 + 1800, "5h30 used");
	ok(!v.fr_open && !v.fr_past, "the first response was given");
	ok(t.sla_next_at > 0 && t.sla_next_at <= berlin(8, 10, 0),
	    "the breach is due at once");

	/* The breach done; resolve: nothing more to watch. */
	t.sla_flags |= PD_SLA_RES_BREACHED;
	is_int(pd_slaclock_next(sla, &t, berlin(8, 10, 0)), 0,
	    "breached: no watch left");
	u = (struct pd_ticket_update){ .id = 1, .now = berlin(8, 11, 0),
	    .what = PD_TU_STATUS, .status = PD_TS_RESOLVED };
	change(sla, &t, &u);
	is_int(t.res_used, 6 * 3600 + 1800, "resolved with 6h30 counted");
	is_int(t.sla_next_at, 0, "resolved: nothing watched");

	/* pause_pending = no: the clock runs through pending. */
	memset(&t, 0, sizeof(t));
	t.status = PD_TS_NEW;
	t.priority = PD_PRIO_HIGH;
	t.created_at = berlin(1, 9, 0);
	pd_slaclock_start(run->queues[0].sla, &t);
	u = (struct pd_ticket_update){ .id = 1, .now = berlin(1, 10, 0),
	    .what = PD_TU_STATUS | PD_TU_FIRST_RESPONSE,
	    .status = PD_TS_PENDING };
	change(run->queues[0].sla, &t, &u);
	is_int(t.res_since, berlin(1, 9, 0), "pending keeps it running");
	is_int(t.resolution_due, berlin(1, 17, 0),
	    "high: 8h from Monday 09:00 is Monday 17:00");
	pd_slaclock_view(run->queues[0].sla, &t, berlin(1, 16, 30), &v);
	ok(v.res_risk && !v.res_past, "16:30: at risk (30m left)");
	pd_slaclock_view(run->queues[0].sla, &t, berlin(1, 17, 0), &v);
	ok(v.res_past, "17:00: past");

	/* An unanswered ticket changes priority: first due moves. */
	memset(&t, 0, sizeof(t));
	t.status = PD_TS_NEW;
	t.priority = PD_PRIO_LOW;
	t.created_at = berlin(1, 9, 0);
	pd_slaclock_start(sla, &t);
	u = (struct pd_ticket_update){ .id = 1, .now = berlin(1, 9, 10),
	    .what = PD_TU_PRIORITY, .priority = PD_PRIO_HIGH };
	change(sla, &t, &u);
	ok(u.what & PD_TU_FIRST_DUE, "unanswered: first due recomputed");
	is_int(t.first_response_due, berlin(1, 11, 0), "high: 11:00");
	is_int(t.sla_next_at, berlin(1, 10, 0), "warning at 10:00");
	pd_slaclock_view(sla, &t, berlin(1, 10, 30), &v);
	ok(v.fr_risk && v.fr_left == 1800, "10:30: at risk, 30m left");

	pd_conf_unref(&conf);
	pd_conf_unref(&run);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	return tap_done() + (system(path) != 0);
}
