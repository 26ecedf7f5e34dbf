/*
 * ctl.h - postdeskctl commands and what they share
 *
 * PURPOSE	One function per command, each in a small file; postdeskctl.c
 *		parses the global options and dispatches.
 * DESIGN	Every command gets the loaded configuration (or NULL for
 *		commands that report configuration errors themselves) and its
 *		own argv; it returns a sysexits.h code.  Human text by default,
 *		JSON with --json.  Never SQL: only lib/ calls.
 * OWNERSHIP	The configuration belongs to main().
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef CTL_H
#define CTL_H

#include "pd_buf.h"
#include "pd_conf.h"
#include "pd_key.h"
#include "pd_store.h"

struct ctl_env {
	const char	*conf_path;
	struct pd_conf	*conf;		/* NULL if it did not load */
	struct pd_err	 conf_err;
};

int	ctl_init(struct ctl_env *env, int argc, char **argv);
int	ctl_check(struct ctl_env *env, int argc, char **argv);
int	ctl_tickets(struct ctl_env *env, int argc, char **argv);
int	ctl_show(struct ctl_env *env, int argc, char **argv);
int	ctl_queue(struct ctl_env *env, int argc, char **argv);
int	ctl_render(struct ctl_env *env, int argc, char **argv);
int	ctl_admin(struct ctl_env *env, int argc, char **argv);
int	ctl_stats(struct ctl_env *env, int argc, char **argv);
int	ctl_csat(struct ctl_env *env, int argc, char **argv);
int	ctl_digest(struct ctl_env *env, int argc, char **argv);

/* ctl_ticket_number - ticket number of an admin's TAG argument: > 0,
 * 0 when it names no ticket, -1 when its check code is wrong */
int64_t	ctl_ticket_number(const struct pd_conf *conf, const struct pd_key *key,
	    const char *arg);

/* ctl_ticket_json - append one ticket as a JSON object */
void	ctl_ticket_json(struct pd_buf *b, const struct pd_ticket *t,
	    const char *tag);
/* ctl_open - key and store for a command; exits with a message on error */
void	ctl_open(struct ctl_env *env, struct pd_key **key,
	    struct pd_store **st);
/* ctl_fail - print "postdeskctl: msg" to stderr, return code */
int	ctl_fail(int code, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
