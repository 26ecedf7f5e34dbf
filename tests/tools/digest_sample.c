/*
 * digest_sample.c - write a sample SLA digest, for eyes and for Chromium
 *
 * PURPOSE	digest_sample [-l LANG] [-t] [-e] OUT writes the HTML digest
 *		(or, with -t, the text) of a made-up busy day to OUT: 26
 *		tickets over the three lists, long and Cyrillic subjects, a
 *		hostile one, full figures, CSAT comments; with -e, of a day
 *		when nothing happened.  tests/unit/digest_chromium.sh
 *		screenshots it; a person can open it in a browser.
 * DESIGN	The templates are $top_srcdir/templates (else ./templates);
 *		the configuration is written to a private temporary
 *		directory (the queue's language is LANG, default en) and
 *		loaded with pd_conf_load(), as the programs do.  Nothing is
 *		random: the same build writes the same file.
 * OWNERSHIP	The digest is allocated with pd_mem, as pd_digest_compute()
 *		does, and released by pd_digest_clear() before exit (the
 *		ASan build checks leaks).
 * ERRORS	Exit 0, or 1 with a message on stderr.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "pd_digest.h"
#include "pd_mem.h"

#define DAY	86400L
#define HOUR	3600L

static const char *const subjects[] = {
	"Invoice 2026-1147 charged twice after the plan upgrade on Friday",
	"Не приходит письмо для сброса "
	    "пароля, проверили папку «Спам»",
	"<script>alert('digest')</script> urgent: export is empty",
	"VPN drops every 20 minutes since the last client update, logs "
	    "attached, please escalate to the network team if needed",
	"Доступ к отчётам для нового "
	    "сотрудника отдела продаж",
	"API returns 502 for /v2/orders when the page size is over 500",
	"Printer on the 3rd floor prints blank pages",
	"Счёт-фактура за октябрь: "
	    "неверный ИНН покупателя",
	"Cannot log in from the mobile app (Android 14)",
	"Request for a copy of the signed contract",
	"Verylongsubjectwithoutanyspacesatallthatmustwraporbreakcleanly"
	    "inthephonelayoutwithoutscrollingsideways",
	"Синхронизация календаря с "
	    "Outlook удваивает встречи",
	"Data export to CSV cuts names with non-Latin letters",
};
static const char *const customers[] = {
	"anna.petrova@customer.example", "j.smith@bigclient.example",
	"it-support@partner.example", "ivan@магазин.example",
	"ceo@partner.example", "noreply-but-real@shop.example",
};
static const char *const owners[] = {
	"alice@example.com", NULL, "bob@example.com", "carol@example.com",
	NULL,
};
static const int comment_grades[] = { 5, 3, 2, 5 };
static const char *const comments[] = {
	"Fast and polite, thank you!",
	"Ответили быстро, но проблему "
	    "решили только со второго раза. "
	    "Хотелось бы, чтобы сразу "
	    "уточняли версию программы.",
	"It took three days to get a real answer. The first reply just "
	    "asked me to restart the computer, which I had already said I "
	    "did in my first message.",
	"Всё отлично.",
};

/* sample_list - n tickets of one list, drawn from the tables from k */
static void
sample_list(struct pd_digest_list *l, size_t n, size_t k, int64_t now,
    bool at_risk)
{
	size_t i, j;

	l->v = pd_xcalloc(n, sizeof(*l->v));
	l->n = n;
	for (i = 0; i < n; i++) {
		struct pd_digest_ticket *t = &l->v[i];

		j = k + i;
		t->id = (int64_t)(1040 + j);
		g_snprintf(t->tag, sizeof(t->tag), "[PD-%lld-K%03zuQ]",
		    (long long)t->id, j * 37 % 1000);
		t->subject = pd_xstrdup(subjects[j % G_N_ELEMENTS(subjects)]);
		t->customer = pd_xstrdup(customers[j %
		    G_N_ELEMENTS(customers)]);
		if (owners[j % G_N_ELEMENTS(owners)] != NULL)
			t->owner = pd_xstrdup(owners[j %
			    G_N_ELEMENTS(owners)]);
		t->priority = (enum pd_priority)(j % PD_PRIO_COUNT);
		t->status = (enum pd_ticket_status)(j % 3);
		t->age = (int64_t)(j * 7 % 11) * DAY + (int64_t)(j % 9) * HOUR +
		    1200;
		t->target = j % 2 ? PD_DIGEST_RESOLUTION :
		    PD_DIGEST_FIRST_RESPONSE;
		t->open_time = at_risk ? (long)(j % 6) * 600 + 300 :
		    (long)(j % 5) * HOUR + (long)(j % 7) * 420 + 660;
		t->due = now + t->open_time;
		t->breached_at = k == 0 ? now - (int64_t)(i + 1) * 5400 : 0;
	}
}

/* sample_fill - the made-up day, 21 to 22 November 2026 */
static void
sample_fill(struct pd_digest *d, const struct pd_conf_queue *q)
{
	static const long grades[] = { 0, 2, 1, 4, 12, 19 };
	size_t i;

	d->queue = q;
	d->since = 1795240800;		/* 2026-11-21 06:00 UTC */
	d->until = d->since + DAY;
	d->now = d->until + 300;
	sample_list(&d->breached, 8, 0, d->now, false);
	sample_list(&d->still, 6, 8, d->now, false);
	sample_list(&d->at_risk, 12, 14, d->now, true);
	d->opened = 57;
	d->first_response = (struct pd_digest_times){ 49, 43, 7500,
	    27600 };
	d->resolution = (struct pd_digest_times){ 38, 31, 41 * HOUR / 4,
	    3 * DAY + 4 * HOUR };
	d->reopened = 3;
	d->complaints = 2;
	d->csat_grades = 5;
	for (i = 1; i < G_N_ELEMENTS(grades); i++) {
		d->csat_by_grade[i] = grades[i];
		d->csat_answers += grades[i];
	}
	d->csat_top = grades[4] + grades[5];
	d->n_comments = G_N_ELEMENTS(comments);
	d->comments = pd_xcalloc(d->n_comments, sizeof(*d->comments));
	for (i = 0; i < d->n_comments; i++) {
		g_snprintf(d->comments[i].tag, sizeof(d->comments[i].tag),
		    "[PD-%zu-C%zuQF]", 990 + i, i);
		d->comments[i].grade = comment_grades[i];
		d->comments[i].text = pd_xstrdup(comments[i]);
	}
	d->backlog = 41;
	d->backlog_by_age[0] = 17;
	d->backlog_by_age[1] = 12;
	d->backlog_by_age[2] = 8;
	d->backlog_by_age[3] = 4;
}

/* sample_conf - a configuration in dir with the templates and lang */
static struct pd_conf *
sample_conf(const char *dir, const char *lang)
{
	const char *top = getenv("top_srcdir");
	struct pd_err err = { 0, "" };
	struct pd_conf *conf;
	char *path = g_build_filename(dir, "postdesk.conf", NULL);
	char *text = g_strdup_printf("[general]\ndatabase = %s/db\n"
	    "key_file = %s/key\ntemplates = %s/templates\n"
	    "timezone = Europe/Moscow\n[queue support]\n"
	    "address = support@example.com\nname = %s\nlanguage = %s\n",
	    dir, dir, top != NULL ? top : ".", strcmp(lang, "ru") == 0 ?
	    "Служба поддержки" : "Example Support", lang);

	conf = g_file_set_contents(path, text, -1, NULL) ?
	    pd_conf_load(path, &err) : NULL;
	if (conf == NULL)
		fprintf(stderr, "digest_sample: %s: %s\n", path, err.msg);
	g_unlink(path);
	g_free(path);
	g_free(text);
	return conf;
}

int
main(int argc, char **argv)
{
	const char *lang = "en";
	struct pd_err err = { 0, "" };
	struct pd_digest d = { 0 };
	struct pd_conf *conf;
	struct pd_buf out;
	bool text = false, empty = false;
	char *dir;
	int c, rc;

	while ((c = getopt(argc, argv, "el:t")) != -1) {
		if (c == 'l')
			lang = optarg;
		else if (c == 't')
			text = true;
		else if (c == 'e')
			empty = true;
		else
			return 1;
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: digest_sample [-l LANG] [-t] [-e] "
		    "OUT\n");
		return 1;
	}
	dir = g_dir_make_tmp("digest_sample.XXXXXX", NULL);
	conf = dir != NULL ? sample_conf(dir, lang) : NULL;
	if (dir != NULL)
		g_rmdir(dir);
	g_free(dir);
	if (conf == NULL)
		return 1;
	sample_fill(&d, &conf->queues[0]);
	if (empty) {
		pd_digest_clear(&d);
		d.queue = &conf->queues[0];
		d.since = 1795240800;
		d.until = d.since + DAY;
		d.now = d.until;
	}
	pd_buf_init(&out, 4 * 1024 * 1024);
	rc = text ? pd_digest_render_text(conf, &d, lang, &out, &err) :
	    pd_digest_render_html(conf, &d, lang, &out, &err);
	if (rc != PD_OK)
		fprintf(stderr, "digest_sample: %s\n", err.msg);
	else if (!g_file_set_contents(argv[optind], out.data, (gssize)out.len,
	    NULL)) {
		fprintf(stderr, "digest_sample: cannot write %s\n",
		    argv[optind]);
		rc = PD_EINVAL;
	}
	pd_buf_free(&out);
	pd_digest_clear(&d);
	pd_conf_unref(&conf);
	return rc == PD_OK ? 0 : 1;
}
