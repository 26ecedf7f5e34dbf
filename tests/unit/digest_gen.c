/*
 * digest_gen.c - test_digest's seeded random ticket history
 *
 * PURPOSE	history_make() writes specs (synth.h) for a help desk's few
 *		weeks: tickets created at any hour (most in office hours),
 *		assignments, priority changes before and after answers,
 *		answers, customer replies, resolutions with and without an
 *		answer, reopens (some followed by a priority raise, so a
 *		reopened clock can start above its target), survey answers
 *		with and without comments and changes of grade inside and
 *		outside the change window.  One ticket in eight belongs to a
 *		second queue, which no digest of the first may count.
 * DESIGN	Own generator (splitmix64; rand() is banned), so a seed
 *		gives the same history everywhere.  Tickets are created on
 *		whole minutes and act on :30 seconds, so first-response due
 *		times (whole minutes) never tie with an action; resolution
 *		due times can, and history_untie() moves such an action by a
 *		second.  Delays are drawn from three bands (short, medium,
 *		long) to give both quick answers and breaches.
 * OWNERSHIP	Everything lives in the caller's struct history; strings
 *		not in it are static.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "digest_test.h"

#define MINUTE	60
#define HOUR	3600
#define DAY	86400

static const char *const subjects[] = {
	"Invoice 4711 is wrong", "Cannot log in since the update",
	"Счёт не пришёл", "Password reset link expired",
	"Export to CSV fails", "Where is my order?",
	"Question about the contract",
	"Ошибка при оплате картой",
	"Feature request: dark mode", "Mail bounces from your server",
};
static const char *const complaints[] = {
	"Complaint: third reminder, nobody answers",
	"Жалоба: деньги списаны дважды",
};
static const char *const comments[] = {
	"Quick and friendly, thanks!", "Took far too long.",
	"Спасибо, всё решили.",
	"The answer did not help at all.",
	"OK", "",
};
static const char *const support_agents[] = {
	"alice@example.com", "bob@example.com", "carol@example.com",
};

static int scale;			/* survey grades: 3 or 5 */

/* delay - a delay from lo to hi, short ones more often */
static int64_t
delay(int64_t lo, int64_t hi)
{
	int band = (int)synth_uni(0, 9);

	if (band < 5)
		return synth_uni(lo, lo + (hi - lo) / 16);
	if (band < 8)
		return synth_uni(lo + (hi - lo) / 16, lo + (hi - lo) / 4);
	return synth_uni(lo + (hi - lo) / 4, hi);
}

/* The ticket being written. */
struct gen {
	struct synth_ticket	*t;
	struct synth_action	*a;
	int64_t			 cursor;
};

/* act - append an action delay after the last one, on :30 seconds */
static void
act(struct gen *g, int64_t d, enum synth_kind k, int arg, const char *text)
{
	int64_t at = g->cursor + d;

	at = at - ((at % 60) + 60) % 60 + 30;
	if (at <= g->cursor)
		at += 60;
	if (g->t->n == HIST_MAX_ACTIONS)
		return;
	g->a[g->t->n].at = at;
	g->a[g->t->n].kind = k;
	g->a[g->t->n].arg = arg;
	g->a[g->t->n].text = text;
	g->t->n++;
	g->cursor = at;
}

/* priority - a random priority, normal most often */
static enum pd_priority
priority(void)
{
	int r = (int)synth_uni(0, 99);

	return r < 15 ? PD_PRIO_URGENT : r < 35 ? PD_PRIO_HIGH : r < 85 ?
	    PD_PRIO_NORMAL : PD_PRIO_LOW;
}

/* grade - 1..scale, good ones more often */
static int
grade(void)
{
	int r = (int)synth_uni(0, 99);

	if (scale == 3)
		return r < 55 ? 3 : r < 80 ? 2 : 1;
	return r < 40 ? 5 : r < 65 ? 4 : r < 80 ? 3 : r < 90 ? 2 : 1;
}

/* survey - maybe a survey answer, maybe changed in or after the window */
static void
survey(struct gen *g)
{
	size_t nc = sizeof(comments) / sizeof(comments[0]);

	if (!synth_chance(45))
		return;
	act(g, delay(HOUR, DAY), SYNTH_SURVEY, grade(),
	    synth_chance(45) ? comments[synth_uni(0, (int64_t)nc - 1)] : NULL);
	if (synth_chance(20))
		act(g, synth_chance(70) ? synth_uni(5 * MINUTE, 50 * MINUTE) : synth_uni(2 * HOUR,
		    5 * HOUR), SYNTH_REGRADE, grade(),
		    synth_chance(50) ? comments[synth_uni(0, (int64_t)nc - 1)] : NULL);
}

/* resolution - resolve, maybe survey, maybe reopen and resolve again */
static void
resolution(struct gen *g)
{
	act(g, delay(10 * MINUTE, 2 * DAY), SYNTH_RESOLVE, synth_chance(50), NULL);
	survey(g);
	if (!synth_chance(25))
		return;
	act(g, delay(HOUR, 3 * DAY), SYNTH_REPLY, 0, "It is broken again.");
	if (synth_chance(25))
		act(g, delay(10 * MINUTE, 12 * HOUR), SYNTH_PRIORITY,
		    synth_chance(50) ? PD_PRIO_URGENT : PD_PRIO_HIGH, NULL);
	if (synth_chance(60)) {
		act(g, delay(HOUR, 2 * DAY), SYNTH_RESOLVE, synth_chance(50), NULL);
		survey(g);
	}
}

/* story - the actions of one ticket */
static void
story(struct gen *g, bool other)
{
	enum pd_priority p = g->t->priority;

	if (synth_chance(35))
		act(g, delay(2 * MINUTE, 3 * HOUR), SYNTH_ASSIGN, 0, other ?
		    "dave@example.com" : support_agents[synth_uni(0, 2)]);
	if (synth_chance(12)) {
		enum pd_priority q = priority();

		act(g, delay(5 * MINUTE, 6 * HOUR), SYNTH_PRIORITY,
		    q != p ? q : (p + 1) % PD_PRIO_COUNT, NULL);
	}
	if (!synth_chance(88)) {
		if (synth_chance(40))
			act(g, delay(HOUR, 3 * DAY), SYNTH_RESOLVE, 0, NULL);
		return;
	}
	act(g, delay(5 * MINUTE, 2 * DAY), SYNTH_ANSWER, 0,
	    "Thank you, we are looking into it.");
	if (synth_chance(10))
		act(g, delay(5 * MINUTE, 6 * HOUR), SYNTH_PRIORITY,
		    (int)synth_uni(0, PD_PRIO_COUNT - 1), NULL);
	if (synth_chance(50)) {
		act(g, delay(10 * MINUTE, 2 * DAY), SYNTH_REPLY, 0,
		    "Still not working, see the attached log.");
		if (synth_chance(70))
			act(g, delay(10 * MINUTE, DAY), SYNTH_ANSWER, 0,
			    "Please try again now.");
	}
	if (synth_chance(75))
		resolution(g);
}

/* cmp_int64 - qsort order of instants */
static int
cmp_int64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* history_make - see digest_test.h */
void
history_make(struct history *h, uint64_t seed, int64_t first, int days,
    const int64_t *fixed, size_t n_fixed, size_t n, int grades)
{
	int64_t created[HIST_MAX_TICKETS];
	size_t i;

	memset(h, 0, sizeof(*h));
	synth_seed(seed);
	scale = grades;
	if (n > HIST_MAX_TICKETS)
		n = HIST_MAX_TICKETS;
	for (i = 0; i < n; i++) {
		int64_t day = first + synth_uni(0, days - 1) * DAY;
		int64_t t = synth_chance(65) ? day + synth_uni(8 * HOUR, 19 * HOUR) :
		    day + synth_uni(0, DAY - 1);

		created[i] = i < n_fixed ? fixed[i] : t - ((t % 60) + 60) % 60;
	}
	qsort(created, n, sizeof(created[0]), cmp_int64);
	for (i = 0; i < n; i++) {
		struct synth_ticket *t = &h->t[i];
		struct gen g = { t, h->a[i], created[i] };
		bool other = i % 8 == 7;
		bool complaint = synth_chance(10);

		snprintf(h->customer[i], sizeof(h->customer[i]),
		    "c%02zu@example.org", i);
		t->queue = other ? "other" : "support";
		t->customer = h->customer[i];
		t->subject = complaint ? complaints[i % 2] :
		    subjects[synth_uni(0, 9)];
		t->excerpt = "Hello, I have a problem with my account and "
		    "would like you to look at it as soon as you can.";
		t->created_at = created[i];
		t->priority = complaint ? PD_PRIO_HIGH : priority();
		t->complaint = complaint;
		t->actions = h->a[i];
		story(&g, other);
	}
	h->n = n;
}

/* tie - whether instant at is one the oracle computed for o */
static bool
tie(const struct orc_ticket *o, int64_t at)
{
	size_t k;

	for (k = 0; k < o->n_crit; k++)
		if (o->crit[k] == at)
			return true;
	return false;
}

/* history_untie - see digest_test.h */
long
history_untie(struct history *h, const struct orc_cal *c,
    const struct orc_policy *p, int64_t end)
{
	struct orc_ticket o;
	long moved = 0;
	size_t i, k;
	int round;

	for (i = 0; i < h->n; i++)
		for (round = 0; round < 8; round++) {
			bool again = false;

			orc_ticket_eval(c, p, &h->t[i], end, &o);
			for (k = 0; k < h->t[i].n; k++) {
				if (!tie(&o, h->a[i][k].at))
					continue;
				h->a[i][k].at++;
				moved++;
				again = true;
			}
			if (!again)
				break;
		}
	return moved;
}

/* at - the instant of a local time in tz */
static int64_t
at(GTimeZone *tz, int m, int d, int hh, int mm, int ss)
{
	GDateTime *t = g_date_time_new(tz, 2026, m, d, hh, mm, ss);
	int64_t s = g_date_time_to_unix(t);

	g_date_time_unref(t);
	return s;
}

/* one - a history of one ticket of queue support */
static struct synth_ticket *
one(struct history *h, int64_t created, enum pd_priority p)
{
	struct synth_ticket *t = &h->t[0];

	memset(h, 0, sizeof(*h));
	snprintf(h->customer[0], sizeof(h->customer[0]), "case@example.org");
	t->queue = "support";
	t->customer = h->customer[0];
	t->subject = subjects[0];
	t->created_at = created;
	t->priority = p;
	t->actions = h->a[0];
	h->n = 1;
	return t;
}

/* history_case_a - see digest_test.h */
void
history_case_a(struct history *h, GTimeZone *tz)
{
	/* high: 4 h to resolve; Wed 10:00 to 16:00:30 counts 6 h 00:30,
	 * breached Wed 14:00; the customer writes Thu 07:10:30, before
	 * opening, and the clock runs again above its target */
	struct synth_ticket *t = one(h, at(tz, 3, 18, 10, 0, 0),
	    PD_PRIO_HIGH);
	struct gen g = { t, h->a[0], t->created_at };

	act(&g, at(tz, 3, 18, 16, 0, 30) - g.cursor, SYNTH_ANSWER, 0, NULL);
	act(&g, at(tz, 3, 19, 7, 10, 30) - g.cursor, SYNTH_REPLY, 0, NULL);
}

/* history_case_b - see digest_test.h */
void
history_case_b(struct history *h, GTimeZone *tz)
{
	/* normal, resolved Mon 13:00:30 with 3 h 00:30 on the clock;
	 * reopened 20:00:30 and raised to urgent (2 h) at 20:10:30: above
	 * the new target at once; resolved again at 21:00:30, before the
	 * next opening */
	struct synth_ticket *t = one(h, at(tz, 3, 16, 10, 0, 0),
	    PD_PRIO_NORMAL);
	struct gen g = { t, h->a[0], t->created_at };

	act(&g, at(tz, 3, 16, 13, 0, 30) - g.cursor, SYNTH_RESOLVE, 0, NULL);
	act(&g, at(tz, 3, 16, 20, 0, 30) - g.cursor, SYNTH_REPLY, 0, NULL);
	act(&g, at(tz, 3, 16, 20, 10, 30) - g.cursor, SYNTH_PRIORITY,
	    PD_PRIO_URGENT, NULL);
	act(&g, at(tz, 3, 16, 21, 0, 30) - g.cursor, SYNTH_RESOLVE, 0, NULL);
}
