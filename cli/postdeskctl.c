/*
 * postdeskctl.c - command line for mail admins and managers
 *
 * PURPOSE	Option parsing and dispatch to the ctl_*.c commands.
 * DESIGN	"postdeskctl [-c FILE] COMMAND [ARGS]".  The configuration is
 *		loaded once here; "check" reports its errors itself, every
 *		other command refuses to run on a bad configuration.
 * OWNERSHIP	main() owns the configuration.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "ctl.h"
#include "pd_log.h"
#include "pd_mime.h"

#define DEFAULT_CONF	PD_SYSCONFDIR "/postdesk/postdesk.conf"

static const struct {
	const char *name;
	int (*fn)(struct ctl_env *, int, char **);
	int needs_conf;
	const char *help;
} commands[] = {
	{ "init", ctl_init, 1, "create the database and the key file" },
	{ "check", ctl_check, 0, "check configuration, key and database" },
	{ "tickets", ctl_tickets, 1,
	    "list tickets [--status S] [--breached|--at-risk] [--limit N] "
	    "[--json]" },
	{ "show", ctl_show, 1, "show one ticket: show TAG [--json]" },
	{ "queue", ctl_queue, 1,
	    "outbox [--status S] [--json]; queue retry ID" },
	{ "render", ctl_render, 1,
	    "render ack --ticket TAG: the mail as it would be sent" },
	{ "resolve", ctl_admin, 1, "resolve TAG: as the #resolve command" },
	{ "assign", ctl_admin, 1, "assign TAG LOGIN: as #assign" },
	{ "priority", ctl_admin, 1,
	    "priority TAG low|normal|high|urgent: as #priority" },
	{ "stats", ctl_stats, 1, "counters [--since PERIOD] [--json]" },
	{ "csat", ctl_csat, 1,
	    "survey answers per queue [--since PERIOD] [--json]" },
	{ "metrics", ctl_stats, 1,
	    "counters for Prometheus [--output FILE]" },
	{ "digest", ctl_digest, 1, "SLA digest [--queue Q] [--since PERIOD] "
	    "--print|--html FILE|--send" },
};
#define N_COMMANDS	(sizeof(commands) / sizeof(commands[0]))

/* ctl_fail - report an error and return its exit code */
int
ctl_fail(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("postdeskctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

/* usage - list the commands */
static int
usage(void)
{
	size_t i;

	fprintf(stderr, "usage: postdeskctl [-c config] command [args]\n");
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(stderr, "  %-10s %s\n", commands[i].name,
		    commands[i].help);
	return EX_USAGE;
}

int
main(int argc, char **argv)
{
	struct ctl_env env = { DEFAULT_CONF, NULL, { 0, "" } };
	size_t i;
	int ch;
	int rc;

	pd_log_open("postdeskctl", PD_LOG_STDERR);
	while ((ch = getopt(argc, argv, "+c:h")) != -1) {
		if (ch != 'c')
			return usage();
		env.conf_path = optarg;
	}
	if (optind >= argc)
		return usage();
	for (i = 0; i < N_COMMANDS; i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			break;
	if (i == N_COMMANDS)
		return usage();
	env.conf = pd_conf_load(env.conf_path, &env.conf_err);
	if (env.conf == NULL && commands[i].needs_conf)
		return ctl_fail(EX_CONFIG, "%s", env.conf_err.msg);
	optind++;
	pd_mime_init();		/* render composes mail with GMime */
	rc = commands[i].fn(&env, argc - optind + 1, argv + optind - 1);
	pd_mime_shutdown();
	pd_conf_unref(&env.conf);
	return rc;
}
