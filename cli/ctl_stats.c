/*
 * ctl_stats.c - counters: "postdeskctl stats" and "postdeskctl metrics"
 *
 * PURPOSE	stats [--since PERIOD] [--json]: the desk's counters for a
 *		person (or a script); metrics [--output FILE]: the same in
 *		the Prometheus text format for node_exporter's textfile
 *		collector (FILE is written beside itself and renamed into
 *		place, so the collector never reads half a file).
 * DESIGN	Every figure comes from pd_store_stats(); metrics count from
 *		the beginning (counters only grow), stats by default too,
 *		or from now - PERIOD.  Metric names: postdesk_NAME, the
 *		label as in stats.
 * OWNERSHIP	Key and store are opened and closed here.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "pd_json.h"

#define STATS_JSON_MAX	(64 * 1024)

struct stats_out {
	int		 mode;		/* 0 text, 1 json, 2 prometheus */
	FILE		*f;
	struct pd_buf	 json;
	int		 n;
	char		 last[64];	/* last metric name with HELP/TYPE */
};

/* stats_row - one counter row in the chosen format */
static int
stats_row(const char *name, const char *label_name, const char *label,
    int64_t value, void *arg)
{
	struct stats_out *so = arg;
	char key[160];

	if (so->mode == 2) {
		if (strcmp(so->last, name) != 0) {
			fprintf(so->f, "# TYPE postdesk_%s %s\n", name,
			    strstr(name, "_total") ? "counter" : "gauge");
			snprintf(so->last, sizeof(so->last), "%s", name);
		}
		if (label_name != NULL)
			fprintf(so->f, "postdesk_%s{%s=\"%s\"} %lld\n", name,
			    label_name, label, (long long)value);
		else
			fprintf(so->f, "postdesk_%s %lld\n", name,
			    (long long)value);
		return 0;
	}
	if (label_name != NULL)
		snprintf(key, sizeof(key), "%s{%s=%s}", name, label_name,
		    label);
	else
		snprintf(key, sizeof(key), "%s", name);
	if (so->mode == 1)
		pd_json_kv_int(&so->json, so->n == 0, key, value);
	else
		printf("%-44s %lld\n", key, (long long)value);
	so->n++;
	return 0;
}

/* stats_metrics_file - write the Prometheus text to path atomically */
static int
stats_metrics_file(struct pd_store *st, const char *path,
    struct stats_out *so)
{
	char tmp[4096];
	int rc;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if ((so->f = fopen(tmp, "w")) == NULL)
		return ctl_fail(EX_CANTCREAT, "%s: cannot write", tmp);
	rc = pd_store_stats(st, 0, stats_row, so);
	if (fclose(so->f) != 0 && rc == PD_OK)
		rc = PD_ETEMP;
	if (rc == PD_OK && rename(tmp, path) != 0)
		rc = PD_ETEMP;
	if (rc != PD_OK) {
		unlink(tmp);
		return ctl_fail(EX_IOERR, "%s: %s", path, pd_err_str(rc));
	}
	return EX_OK;
}

/* ctl_stats - stats and metrics */
int
ctl_stats(struct ctl_env *env, int argc, char **argv)
{
	struct stats_out so = { 0 };
	const char *output = NULL;
	struct pd_store *st;
	struct pd_key *key;
	int64_t since = 0;
	long period;
	int i, rc;

	so.mode = strcmp(argv[0], "metrics") == 0 ? 2 : 0;
	so.f = stdout;
	for (i = 1; i < argc; i++) {
		if (so.mode != 2 && strcmp(argv[i], "--json") == 0)
			so.mode = 1;
		else if (so.mode != 2 && strcmp(argv[i], "--since") == 0 &&
		    i + 1 < argc && pd_conf_parse_duration(argv[i + 1],
		    &period) == PD_OK)
			since = (int64_t)time(NULL) - period, i++;
		else if (so.mode == 2 && strcmp(argv[i], "--output") == 0 &&
		    i + 1 < argc)
			output = argv[++i];
		else
			return ctl_fail(EX_USAGE, "usage: postdeskctl stats "
			    "[--since PERIOD] [--json] | postdeskctl metrics "
			    "[--output FILE]");
	}
	ctl_open(env, &key, &st);
	pd_buf_init(&so.json, STATS_JSON_MAX);
	if (so.mode == 1)
		pd_buf_addc(&so.json, '{');
	if (output != NULL)
		rc = stats_metrics_file(st, output, &so);
	else
		rc = pd_store_stats(st, since, stats_row, &so) == PD_OK ?
		    EX_OK : ctl_fail(EX_UNAVAILABLE, "cannot read counters");
	if (rc == EX_OK && so.mode == 1 && pd_buf_adds(&so.json, "}\n") ==
	    PD_OK)
		fputs(pd_buf_str(&so.json), stdout);
	pd_buf_free(&so.json);
	pd_store_close(&st);
	pd_key_free(&key);
	return rc;
}
