/*
 * ctl_digest.c - "postdeskctl digest": the managers' digest on demand
 *
 * PURPOSE	digest [--queue Q] [--since PERIOD] --print|--html FILE|--send
 *		prints the digest's text, writes its HTML to a file, or
 *		queues it to the queue's managers now (the worker sends it).
 * DESIGN	The period ends now.  It starts PERIOD ago with --since;
 *		otherwise where the last scheduled digest ended, or at the
 *		latest scheduled instant when none was sent: the text the
 *		next scheduled digest would carry so far.  A digest sent
 *		here does not count as the scheduled one.  Without --queue,
 *		--print and --send take every queue and --html the first.
 * OWNERSHIP	Nothing outlives the command.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "ctl.h"
#include "pd_digest.h"
#include "pd_nudge.h"

#define OUTPUT_MAX	(8 * 1024 * 1024)

enum digest_mode {
	DIGEST_NONE,
	DIGEST_PRINT,
	DIGEST_HTML,
	DIGEST_SEND,
};

struct digest_args {
	enum digest_mode mode;
	const char	*queue;
	const char	*html;
	long		 period;		/* 0: since the last digest */
};

/* digest_since - where q's period starts when it ends at now */
static int
digest_since(struct pd_store *st, const struct pd_conf *conf,
    const struct pd_conf_queue *q, const struct digest_args *a,
    int64_t now, int64_t *since)
{
	int64_t prev, last, next, sent = 0;
	int rc;

	if (a->period > 0) {
		*since = now - a->period;
		return PD_OK;
	}
	if ((rc = pd_store_digest_last(st, q->name, &sent)) != PD_OK)
		return rc;
	if (pd_digest_schedule(conf->digest_schedule, q->sla->tz, now, &prev,
	    &last, &next) != PD_OK)
		return PD_EINVAL;
	*since = sent > 0 && sent < now ? sent : last;
	return PD_OK;
}

/* digest_write - out into path, or stdout for NULL */
static int
digest_write(const char *path, const struct pd_buf *out)
{
	FILE *f = path ? fopen(path, "w") : stdout;
	int ok;

	if (f == NULL)
		return ctl_fail(EX_CANTCREAT, "%s: %m", path);
	ok = fwrite(out->data, 1, out->len, f) == out->len;
	if (path != NULL)
		ok = fclose(f) == 0 && ok;
	else
		ok = fflush(f) == 0 && ok;
	return ok ? EX_OK : ctl_fail(EX_IOERR, "%s: write failed",
	    path ? path : "stdout");
}

/* digest_one - the digest of q in the mode asked for */
static int
digest_one(struct ctl_env *env, struct pd_store *st, const struct pd_key *key,
    const struct pd_conf_queue *q, const struct digest_args *a)
{
	struct pd_err err = { 0, "" };
	struct pd_digest d = { 0 };
	struct pd_buf out;
	int64_t now = (int64_t)time(NULL), since;
	long queued = 0;
	int rc;

	if ((rc = digest_since(st, env->conf, q, a, now, &since)) != PD_OK)
		return ctl_fail(EX_UNAVAILABLE, "queue %s: %s", q->name,
		    pd_err_str(rc));
	if (a->mode == DIGEST_SEND) {
		if (pd_digest_queue(st, env->conf, key, q, since, now, now,
		    false, &queued, &err) != PD_OK)
			return ctl_fail(EX_UNAVAILABLE, "%s", err.msg);
		printf("queue %s: digest queued to %ld manager(s)\n", q->name,
		    queued);
		return EX_OK;
	}
	if ((rc = pd_digest_compute(st, env->conf, key, q, since, now, now,
	    &d)) != PD_OK) {
		pd_digest_clear(&d);
		return ctl_fail(EX_UNAVAILABLE, "queue %s: %s", q->name,
		    pd_err_str(rc));
	}
	pd_buf_init(&out, OUTPUT_MAX);
	rc = a->mode == DIGEST_HTML ?
	    pd_digest_render_html(env->conf, &d, q->language, &out, &err) :
	    pd_digest_render_text(env->conf, &d, q->language, &out, &err);
	pd_digest_clear(&d);
	rc = rc == PD_OK ? digest_write(a->mode == DIGEST_HTML ? a->html :
	    NULL, &out) : ctl_fail(EX_CONFIG, "%s", err.msg);
	pd_buf_free(&out);
	return rc;
}

/* digest_usage - the one usage line */
static int
digest_usage(void)
{
	return ctl_fail(EX_USAGE, "usage: postdeskctl digest [--queue Q] "
	    "[--since PERIOD] --print|--html FILE|--send");
}

/* ctl_digest - see the header comment */
int
ctl_digest(struct ctl_env *env, int argc, char **argv)
{
	struct digest_args a = { DIGEST_NONE, NULL, NULL, 0 };
	struct pd_store *st;
	struct pd_key *key;
	size_t i, sent = 0;
	int rc = EX_OK, n;

	for (n = 1; n < argc; n++) {
		if (strcmp(argv[n], "--print") == 0 && a.mode == DIGEST_NONE)
			a.mode = DIGEST_PRINT;
		else if (strcmp(argv[n], "--send") == 0 &&
		    a.mode == DIGEST_NONE)
			a.mode = DIGEST_SEND;
		else if (strcmp(argv[n], "--html") == 0 && n + 1 < argc &&
		    a.mode == DIGEST_NONE) {
			a.mode = DIGEST_HTML;
			a.html = argv[++n];
		} else if (strcmp(argv[n], "--queue") == 0 && n + 1 < argc)
			a.queue = argv[++n];
		else if (strcmp(argv[n], "--since") == 0 && n + 1 < argc &&
		    pd_conf_parse_duration(argv[n + 1], &a.period) == PD_OK &&
		    a.period > 0)
			n++;
		else
			return digest_usage();
	}
	if (a.mode == DIGEST_NONE)
		return digest_usage();
	ctl_open(env, &key, &st);
	for (i = 0; i < env->conf->n_queues && rc == EX_OK; i++) {
		const struct pd_conf_queue *q = &env->conf->queues[i];

		if (a.queue != NULL ? strcmp(a.queue, q->name) != 0 :
		    a.mode == DIGEST_HTML && sent > 0)
			continue;
		rc = digest_one(env, st, key, q, &a);
		sent++;
	}
	pd_store_close(&st);
	pd_key_free(&key);
	if (rc == EX_OK && sent == 0)
		return ctl_fail(EX_USAGE, "no queue %s", a.queue ? a.queue :
		    "is configured");
	if (rc == EX_OK && a.mode == DIGEST_SEND)
		pd_nudge_send(env->conf->worker_socket);
	return rc;
}
