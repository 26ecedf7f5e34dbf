/*
 * digest_bench.c - a year of 1,000,000 tickets: lookups, digests, size
 *
 * PURPOSE	Answers, with figures measured in one run on one real SQLite
 *		file written through the store interface: does finding a
 *		ticket stay under 1 ms at this size (by the tag of a subject
 *		and by a Message-ID of the thread), does a full digest (the
 *		figures plus the text and HTML) of the last day and of the
 *		last 7 days take under 2 s, how large is the database per
 *		ticket, and how fast can it be filled.  See bench/README.md.
 * METHOD	BENCH_TICKETS tickets (default 1,000,000) created evenly over
 *		the 365 days before now (a Friday, 09:00 in Europe/Berlin,
 *		the time of a daily digest), each with a story drawn by a
 *		seeded generator: assignment, answers, a customer's reply,
 *		resolution (with an answer or not), reopen, a survey answer
 *		with or without a comment, priority changes; about three
 *		messages of ~200 bytes per ticket.  tests/tools/synth.c's
 *		fast path applies them (pd_slaclock_start, pd_ticket_change,
 *		the events and messages the real paths write) 10,000 tickets
 *		per transaction, without the SLA watch; the breaches a ticket
 *		has are recorded directly.  Then the store is closed (the
 *		last connection checkpoints the WAL), the file measured, the
 *		store opened again, and: the two digests (wall time, twice:
 *		the first with SQLite's cache cold), 10,000 random lookups by
 *		tag (pd_tag_find, pd_tag_verify, pd_store_ticket_get) and by
 *		Message-ID (pd_store_ticket_by_message_id), median and p99.
 * ENVIRONMENT	BENCH_TICKETS (1000000), BENCH_SEED (1), BENCH_DIR (parent
 *		of the work directory: $TMPDIR or /tmp), BENCH_KEEP=1 keeps
 *		it, top_srcdir (templates: $top_srcdir/templates).
 * EXIT		0 when every measurement ran (a missed target is printed as
 *		MISS, not turned into a failure), 1 otherwise.
 *
 * SPDX-License-Identifier: MIT
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "pd_digest.h"
#include "pd_log.h"
#include "pd_mem.h"
#include "pd_mime.h"
#include "pd_tag.h"
#include "pd_team.h"
#include "../tests/tools/synth.h"

#define DAY		86400
#define HOUR		3600
#define MINUTE		60
#define BATCH		10000		/* tickets per transaction */
#define LOOKUPS		10000
#define MAX_ACTIONS	12
#define TEXT_MAX	256
#define RENDER_MAX	(16 * 1024 * 1024)

static const char conf_fmt[] =
	"[general]\ndatabase = %s/pd.db\nkey_file = %s/pd.key\n"
	"templates = %s/templates\ntimezone = Europe/Berlin\ntag_prefix = PD\n"
	"[queue support]\naddress = support@example.com\n"
	"agents = alice@example.com, bob@example.com, carol@example.com, "
	"dave@example.com\nmanagers = boss@example.com\n"
	"[sla standard]\nbusiness_hours = mon-fri 09:00-18:00\n"
	"holidays = 2026-01-01, 2026-04-03, 2026-04-06, 2026-05-01, "
	"2026-12-25\n"
	"first_response = urgent 1h, high 4h, normal 12h, low 24h\n"
	"resolution = urgent 8h, high 1d, normal 3d, low 5d\n"
	"warn_before = 1h\n[digest]\nschedule = daily 09:00\n";

static const char *const subjects[] = {
	"Invoice is wrong", "Cannot log in since the update",
	"Счёт не пришёл", "Password reset link expired",
	"Export to CSV fails", "Where is my order?",
	"Question about the contract",
	"Ошибка при оплате заказа",
	"Complaint: the order arrived damaged", "Mail bounces",
};
static const char *const phrases[] = {
	"Hello, ", "Good morning, ", "Thank you for the quick answer. ",
	"I tried again this morning and it still does not work. ",
	"The error message says that the session has expired. ",
	"Please find the screenshot attached to this mail. ",
	"Our accounting department needs this by the end of the week. ",
	"Здравствуйте, после обновления "
	"не могу войти. ",
	"We have restarted the service on our side as you suggested. ",
	"Could you tell me when I can expect a solution? ",
	"Best regards, and thanks in advance for your help. ",
};
static const char *const agents[] = {
	"alice@example.com", "bob@example.com", "carol@example.com",
	"dave@example.com",
};
static const char *const comments[] = {
	"Quick and friendly, thank you!", "Took far too long.",
	"Спасибо, всё решили быстро.",
	"The first answer did not help.",
};


/* seconds - a monotonic clock */
static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One ticket being drawn: the spec and the texts it points to. */
struct draw {
	struct synth_ticket	 t;
	struct synth_action	 a[MAX_ACTIONS];
	char			 text[MAX_ACTIONS + 1][TEXT_MAX];
	char			 customer[48];
	char			 subject[128];
	int64_t			 cursor;
	long			 messages;
};

/* text - about 200 bytes of mail text into buf, whole phrases only */
static const char *
text(char *buf)
{
	size_t n = sizeof(phrases) / sizeof(phrases[0]);
	size_t len = 0;

	buf[0] = '\0';
	while (len < 180) {
		const char *p = phrases[synth_uni(0, (int64_t)n - 1)];
		size_t l = strlen(p);

		if (len + l >= TEXT_MAX)
			break;
		memcpy(buf + len, p, l + 1);
		len += l;
	}
	return buf;
}

/* act - an action delay after the last one; messages counted */
static void
act(struct draw *d, int64_t delay, enum synth_kind k, int arg,
    const char *txt)
{
	size_t i = d->t.n;

	if (i == MAX_ACTIONS)
		return;
	d->cursor += delay > 0 ? delay : 1;
	d->a[i].at = d->cursor;
	d->a[i].kind = k;
	d->a[i].arg = arg;
	d->a[i].text = txt;
	d->t.n++;
	if (k == SYNTH_ANSWER || k == SYNTH_REPLY ||
	    (k == SYNTH_RESOLVE && arg))
		d->messages++;
}

/* resolve - a resolution, maybe a survey answer and a reopen */
static void
resolve(struct draw *d, int64_t delay)
{
	bool answer = synth_chance(60);

	act(d, delay, SYNTH_RESOLVE, answer, answer ? text(d->text[d->t.n]) :
	    NULL);
	if (synth_chance(25))
		act(d, synth_uni(HOUR, 2 * DAY), SYNTH_SURVEY, (int)synth_uni(1, 5),
		    synth_chance(30) ? comments[synth_uni(0, 3)] : NULL);
	if (synth_chance(8)) {
		act(d, synth_uni(HOUR, 5 * DAY), SYNTH_REPLY, 0,
		    text(d->text[d->t.n]));
		act(d, synth_uni(HOUR, 2 * DAY), SYNTH_RESOLVE, 0, NULL);
	}
}

/* draw - ticket i of n, created at created */
static void
draw(struct draw *d, long i, int64_t created)
{
	int r = (int)synth_uni(0, 99);

	memset(&d->t, 0, sizeof(d->t));
	d->cursor = created;
	d->messages = 1;
	snprintf(d->customer, sizeof(d->customer), "customer%ld@example%ld.org",
	    (long)synth_uni(1, 200000), i % 5000);
	snprintf(d->subject, sizeof(d->subject), "%s (ref %ld)",
	    subjects[i % 10], 1000 + i);
	d->t.queue = "support";
	d->t.customer = d->customer;
	d->t.subject = d->subject;
	d->t.excerpt = text(d->text[MAX_ACTIONS]);
	d->t.created_at = created;
	d->t.priority = r < 3 ? PD_PRIO_URGENT : r < 18 ? PD_PRIO_HIGH :
	    r < 88 ? PD_PRIO_NORMAL : PD_PRIO_LOW;
	d->t.complaint = i % 10 == 8;
	d->t.actions = d->a;
	if (synth_chance(50))
		act(d, synth_uni(MINUTE, 2 * HOUR), SYNTH_ASSIGN, 0,
		    agents[synth_uni(0, 3)]);
	if (synth_chance(5))
		act(d, synth_uni(5 * MINUTE, 4 * HOUR), SYNTH_PRIORITY,
		    (int)synth_uni(0, PD_PRIO_COUNT - 1), NULL);
	if (synth_chance(92)) {
		act(d, synth_uni(10 * MINUTE, 30 * HOUR), SYNTH_ANSWER, 0,
		    text(d->text[d->t.n]));
		if (synth_chance(40)) {
			act(d, synth_uni(30 * MINUTE, 2 * DAY), SYNTH_REPLY, 0,
			    text(d->text[d->t.n]));
			if (synth_chance(80))
				act(d, synth_uni(10 * MINUTE, DAY), SYNTH_ANSWER, 0,
				    text(d->text[d->t.n]));
		}
	}
	/* nearly everything is resolved in the end: the backlog is the
	 * last days' tickets, as at a desk that keeps up */
	resolve(d, synth_chance(90) ? synth_uni(10 * MINUTE, 3 * DAY) : synth_uni(3 * DAY,
	    14 * DAY));
}

/* The run. */
struct bench {
	struct pd_conf	*conf;
	struct pd_key	*key;
	struct pd_store	*st;
	char		 dir[256];
	long		 n;
	int64_t		 now;
	long		 messages;
	bool		 failed;
};

/* local9 - 09:00 local in tz on the date of t plus days */
static int64_t
local9(GTimeZone *tz, int64_t t, int days)
{
	GDateTime *u = g_date_time_new_from_unix_utc(t);
	GDateTime *l = g_date_time_to_timezone(u, tz);
	GDateTime *d = g_date_time_new(tz, g_date_time_get_year(l),
	    g_date_time_get_month(l), g_date_time_get_day_of_month(l), 9, 0,
	    0);
	GDateTime *e = g_date_time_add_days(d, days);
	int64_t s = g_date_time_to_unix(e);

	g_date_time_unref(e);
	g_date_time_unref(d);
	g_date_time_unref(l);
	g_date_time_unref(u);
	return s;
}

/* fill - every ticket, BATCH per transaction */
static int
fill(struct bench *b)
{
	struct draw *d = pd_xcalloc(1, sizeof(*d));
	int64_t start = b->now - 365 * (int64_t)DAY;
	long i;
	int rc = PD_OK;

	for (i = 0; rc == PD_OK && i < b->n; i++) {
		int64_t created = start + (int64_t)((double)i * 365 * DAY /
		    (double)b->n) + synth_uni(0, 59);

		if (i % BATCH == 0 && (rc = pd_store_begin(b->st)) != PD_OK)
			break;
		draw(d, i, created);
		rc = synth_apply(b->st, b->conf, &d->t, b->now);
		b->messages += d->messages;
		if (rc == PD_OK && (i % BATCH == BATCH - 1 || i == b->n - 1))
			rc = pd_store_commit(b->st);
		if (rc == PD_OK && i % 100000 == 99999)
			fprintf(stderr, "# %ld tickets\n", i + 1);
	}
	if (rc != PD_OK) {
		pd_store_rollback(b->st);
		fprintf(stderr, "digest_bench: fill failed at ticket %ld: %s\n",
		    i, pd_err_str(rc));
	}
	pd_free(d);
	return rc;
}

/* cmp_double - qsort order of doubles */
static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* verdict - one line of the table */
static void
verdict(const char *what, const char *value, const char *target,
    int pass)
{
	printf("%-34s %-22s %-10s %s\n", what, value, target, pass < 0 ? "-" :
	    pass ? "PASS" : "MISS");
}

/* lookups - p50 and p99 of LOOKUPS random lookups, one way or the other */
static void
lookups(struct bench *b, bool by_tag)
{
	double *ms = pd_xcalloc(LOOKUPS, sizeof(double));
	struct pd_ticket t = { 0 };
	struct pd_tag_match m;
	char subject[128], tag[PD_TAG_MAX], msgid[64], value[64];
	int64_t id, found = 0;
	long i, fails = 0;

	for (i = 0; i < LOOKUPS; i++) {
		double t0;
		int rc;

		id = synth_uni(1, b->n);
		pd_tag_format(b->key, "PD", (uint64_t)id, tag, sizeof(tag));
		snprintf(subject, sizeof(subject), "Re: %s Invoice", tag);
		snprintf(msgid, sizeof(msgid), "s%" PRId64 ".0@synth.test", id);
		t0 = seconds();
		if (by_tag) {
			rc = pd_tag_find(subject, strlen(subject), "PD", &m) &&
			    pd_tag_verify(b->key, "PD", &m) == PD_OK ?
			    pd_store_ticket_get(b->st, (int64_t)m.number, &t) :
			    PD_EAUTH;
			found = t.id;
			pd_ticket_clear(&t);
		} else
			rc = pd_store_ticket_by_message_id(b->st, msgid,
			    &found);
		ms[i] = (seconds() - t0) * 1000;
		fails += rc != PD_OK || found != id;
	}
	qsort(ms, LOOKUPS, sizeof(double), cmp_double);
	snprintf(value, sizeof(value), "%.3f / %.3f ms", ms[LOOKUPS / 2 - 1],
	    ms[LOOKUPS * 99 / 100 - 1]);
	verdict(by_tag ? "lookup by tag, p50 / p99" :
	    "lookup by Message-ID, p50 / p99", value, "< 1 ms",
	    fails == 0 && ms[LOOKUPS * 99 / 100 - 1] < 1.0);
	if (fails > 0) {
		printf("# %ld of %d lookups did not find their ticket\n",
		    fails, LOOKUPS);
		b->failed = true;
	}
	pd_free(ms);
}

/* digest - compute and render one digest (its sizes printed when tell);
 * wall seconds, or -1 */
static double
digest(struct bench *b, int64_t since, int64_t until, bool tell,
    bool *rendered)
{
	const struct pd_conf_queue *q = pd_team_queue_by_name(b->conf,
	    "support");
	struct pd_err err = { 0, "" };
	struct pd_digest d = { 0 };
	struct pd_buf out;
	double t0 = seconds();
	int rc;

	rc = pd_digest_compute(b->st, b->conf, b->key, q, since, until,
	    b->now, &d);
	pd_buf_init(&out, RENDER_MAX);
	*rendered = rc == PD_OK && pd_digest_render_text(b->conf, &d, "en",
	    &out, &err) == PD_OK && pd_digest_render_html(b->conf, &d, "en",
	    &out, &err) == PD_OK;
	t0 = seconds() - t0;
	if (!*rendered && rc == PD_OK)
		printf("# rendering failed: %s\n", err.msg);
	if (rc == PD_OK && tell)
		printf("# digest %s: opened %ld, first responses %ld, resolved "
		    "%ld, CSAT %ld, backlog %ld, %ld lines, %zu bytes\n",
		    until - since > DAY + HOUR ? "7 days" : "1 day", d.opened,
		    d.first_response.count, d.resolution.count,
		    d.csat_answers, d.backlog, (long)(d.breached.n + d.still.n +
		    d.at_risk.n), out.len);
	pd_buf_free(&out);
	pd_digest_clear(&d);
	return rc == PD_OK ? t0 : -1;
}

/* digests - the last day and the last 7 days, twice each */
static void
digests(struct bench *b, GTimeZone *tz)
{
	static const int days[2] = { 1, 7 };
	char value[64], what[64];
	bool rendered = false;
	double s1, s2;
	int k;

	for (k = 0; k < 2; k++) {
		int64_t since = local9(tz, b->now, -days[k]);

		s1 = digest(b, since, b->now, true, &rendered);
		s2 = digest(b, since, b->now, false, &rendered);
		snprintf(what, sizeof(what), "digest of the last %d day%s%s",
		    days[k], days[k] > 1 ? "s" : "", rendered ? "" :
		    " (figures)");
		snprintf(value, sizeof(value), "%.3f s / %.3f s", s1, s2);
		verdict(what, value, "< 2 s", s1 >= 0 && s2 >= 0 &&
		    s1 < 2.0 && s2 < 2.0);
		if (s1 < 0 || s2 < 0)
			b->failed = true;
	}
}

/* setup - work directory, configuration, key, a new store */
static int
setup(struct bench *b)
{
	const char *top = getenv("top_srcdir");
	const char *parent = getenv("BENCH_DIR");
	struct pd_err err = { 0, "" };
	unsigned char raw[PD_KEY_BYTES];
	char path[320];
	FILE *f;

	if (parent == NULL)
		parent = getenv("TMPDIR");
	snprintf(b->dir, sizeof(b->dir), "%s/pd-digestbench.XXXXXX",
	    parent ? parent : "/tmp");
	if (mkdtemp(b->dir) == NULL)
		return PD_EPERMFAIL;
	snprintf(path, sizeof(path), "%s/pd.conf", b->dir);
	if ((f = fopen(path, "w")) == NULL)
		return PD_EPERMFAIL;
	fprintf(f, conf_fmt, b->dir, b->dir, top ? top : ".");
	fclose(f);
	if ((b->conf = pd_conf_load(path, &err)) == NULL) {
		fprintf(stderr, "digest_bench: %s\n", err.msg);
		return PD_EPERMFAIL;
	}
	memset(raw, 0x5a, sizeof(raw));
	b->key = pd_key_from_bytes(raw);
	if (pd_store_migrate(b->conf->database, &err) != PD_OK ||
	    (b->st = pd_store_open(b->conf->database, 5000, &err)) == NULL) {
		fprintf(stderr, "digest_bench: %s\n", err.msg);
		return PD_EPERMFAIL;
	}
	return PD_OK;
}

/* cleanup - remove the work directory unless BENCH_KEEP=1 */
static void
cleanup(struct bench *b)
{
	static const char *const files[] = {
		"pd.db", "pd.db-wal", "pd.db-shm", "pd.conf",
	};
	const char *keep = getenv("BENCH_KEEP");
	char path[320];
	size_t i;

	pd_store_close(&b->st);
	if (keep != NULL && strcmp(keep, "1") == 0) {
		printf("# kept %s\n", b->dir);
		return;
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", b->dir, files[i]);
		unlink(path);
	}
	rmdir(b->dir);
}

int
main(int argc, char **argv)
{
	const char *env_n = getenv("BENCH_TICKETS");
	const char *env_seed = getenv("BENCH_SEED");
	struct pd_err err = { 0, "" };
	struct bench b = { 0 };
	char value[64];
	GTimeZone *tz = g_time_zone_new_identifier("Europe/Berlin");
	GDateTime *now = g_date_time_new(tz, 2026, 11, 20, 9, 0, 0);
	struct stat sb;
	double t0, fill_s;

	b.n = argc > 1 ? strtol(argv[1], NULL, 10) : env_n ?
	    strtol(env_n, NULL, 10) : 1000000;
	synth_seed(env_seed ? strtoull(env_seed, NULL, 10) : 1);
	b.now = g_date_time_to_unix(now);
	g_date_time_unref(now);
	pd_log_set_level(PD_LOG_WARN);
	pd_mime_init();
	if (b.n < 1 || setup(&b) != PD_OK)
		return 1;
	printf("postdesk digest benchmark: %ld tickets over 365 days to "
	    "2026-11-20 09:00 Europe/Berlin, seed %s, %ld CPUs, %s\n", b.n,
	    env_seed ? env_seed : "1", sysconf(_SC_NPROCESSORS_ONLN), b.dir);
	t0 = seconds();
	if (fill(&b) != PD_OK)
		b.failed = true;
	fill_s = seconds() - t0;
	pd_store_close(&b.st);		/* the last close checkpoints */
	if (stat(b.conf->database, &sb) != 0 ||
	    (b.st = pd_store_open(b.conf->database, 5000, &err)) == NULL) {
		fprintf(stderr, "digest_bench: %s\n", err.msg);
		return 1;
	}
	printf("# filled in %.1f s: %.2f messages per ticket, database %.1f "
	    "MB\n", fill_s, (double)b.messages / (double)b.n,
	    (double)sb.st_size / 1048576.0);
	printf("%-34s %-22s %-10s %s\n", "figure", "value", "target",
	    "verdict");
	digests(&b, tz);
	lookups(&b, true);
	lookups(&b, false);
	snprintf(value, sizeof(value), "%.0f bytes",
	    (double)sb.st_size / (double)b.n);
	verdict("database size per ticket", value, "none", -1);
	snprintf(value, sizeof(value), "%.0f tickets/s",
	    (double)b.n / fill_s);
	verdict("fill rate (10,000 per transaction)", value, "none", -1);
	cleanup(&b);
	pd_conf_unref(&b.conf);
	pd_key_free(&b.key);
	g_time_zone_unref(tz);
	return b.failed ? 1 : 0;
}
