/*
 * pd_conf.h - configuration: one key table, GKeyFile loader, snapshots
 *
 * PURPOSE	Reads /etc/postdesk/postdesk.conf (INI, GLib GKeyFile) into an
 *		immutable, refcounted struct pd_conf.  Every key of every
 *		section is declared once, in the table in pd_conf.c, with its
 *		type, default, range, reload-safety and a one-line help; no key
 *		is read anywhere else.
 * DESIGN	Sections: [general], [milter], [smtp], [csat], [digest] and
 *		the repeatable [queue NAME] and [sla NAME].  Values may carry a
 *		trailing "   # comment" (the sample in PRODUCT.md does).  Lists
 *		are comma-separated.  Durations are "30s", "10m", "3h", "1d",
 *		"2d4h".  Unknown sections and keys are errors (typos must not
 *		pass silently).  Every error names file, line, section, key and
 *		what was expected:
 *		  postdesk.conf:14: [milter] on_error: expected "accept" or
 *		  "tempfail", got "maybe"
 * OWNERSHIP	pd_conf_load() returns a snapshot with refcount 1; every
 *		holder takes pd_conf_ref() and drops it with pd_conf_unref(&c),
 *		which frees the snapshot with the last reference.  Strings and
 *		arrays inside belong to the snapshot.
 * ERRORS	NULL and err->code PD_EPERMFAIL for an invalid file, with
 *		err->msg the first problem found.
 * THREADS	A loaded snapshot is read-only; refcounting is atomic.
 * SEE ALSO	doc/postdesk.conf.5, config/postdesk.conf.sample.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_CONF_H
#define PD_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include <glib.h>

#include "pd_err.h"

enum pd_on_error {
	PD_ON_ERROR_ACCEPT,
	PD_ON_ERROR_TEMPFAIL,
};

enum pd_priority {
	PD_PRIO_LOW,
	PD_PRIO_NORMAL,
	PD_PRIO_HIGH,
	PD_PRIO_URGENT,
	PD_PRIO_COUNT,
};

/* One weekday's opening hours, minutes after local midnight; closed when
 * open_min == close_min. */
struct pd_conf_hours {
	int	open_min;
	int	close_min;
};

struct pd_conf_sla {
	char	*name;
	struct pd_conf_hours hours[7];		/* [0] = Monday */
	int	*holidays;			/* yyyymmdd, sorted */
	size_t	 n_holidays;
	long	 first_response[PD_PRIO_COUNT];	/* seconds, business time */
	long	 resolution[PD_PRIO_COUNT];	/* seconds, business time */
	long	 warn_before;			/* seconds */
	int	 pause_pending;			/* 1: clock stops if pending */
	char	*timezone;			/* IANA; [general] default */
	GTimeZone *tz;				/* of timezone; owned */
};

struct pd_conf_queue {
	char	*name;				/* from [queue NAME] */
	char	*address;			/* lower case */
	char	*display_name;			/* "name" key */
	char	*language;			/* [general] language default */
	char	*sla_name;
	const struct pd_conf_sla *sla;		/* resolved; never NULL */
	char	*agent_from;			/* "%a via %q" */
	char	**agents;			/* lower-case addresses */
	size_t	 n_agents;
	char	**managers;
	size_t	 n_managers;
	char	**vip;				/* "*@dom" or addresses */
	size_t	 n_vip;
};

struct pd_conf {
	int	 refcount;
	char	*path;

	/* [general] */
	char	*database;
	char	*key_file;
	char	*templates;
	char	*timezone;
	char	*language;
	char	*tag_prefix;
	char	*worker_socket;			/* AF_UNIX datagram nudge */
	char	**complaint_keywords;		/* lower case */
	size_t	 n_complaint_keywords;

	/* [milter] */
	char	*milter_socket;			/* libmilter syntax */
	enum pd_on_error on_error;
	char	**trusted_networks;		/* "127.0.0.0/8", "::1" */
	size_t	 n_trusted_networks;
	char	**submission_names;		/* lower case */
	size_t	 n_submission_names;
	char	*authserv_id;			/* NULL when unset */
	long	 store_timeout;			/* seconds to wait for the db */
	long	 max_header_size;		/* bytes of headers kept */
	long	 max_body_size;			/* bytes of agents' bodies */
	char	*inject_name;			/* {daemon_name} of the relay */
	long	 ack_sender_window;		/* seconds */
	long	 ack_hourly_cap;

	/* [smtp] */
	char	*smtp_relay;			/* "host:port" */
	long	 smtp_timeout;			/* seconds */
	long	 smtp_connections;		/* parallel sessions */

	/* [csat] */
	long	 csat_delay;			/* seconds */
	int	 csat_grades;			/* 3 or 5 */
	char	**csat_exclude;			/* addresses, "*@domain" */
	size_t	 n_csat_exclude;
	long	 csat_change_window;		/* seconds */

	/* [digest] */
	char	*digest_schedule;		/* validated, kept as text */

	struct pd_conf_sla *slas;
	size_t	 n_slas;
	struct pd_conf_queue *queues;
	size_t	 n_queues;
};

/* pd_conf_load - parse and validate path; NULL and err on failure */
struct pd_conf *pd_conf_load(const char *path, struct pd_err *err);
/* pd_conf_ref - take another reference; returns conf */
struct pd_conf *pd_conf_ref(struct pd_conf *conf);
/* pd_conf_unref - drop a reference, free with the last; sets *conf NULL */
void	 pd_conf_unref(struct pd_conf **conf);

/*
 * pd_conf_queue_by_address - the queue whose support address is addr
 * (case-insensitive; "<>" and a "+detail" in the local part are ignored);
 * NULL when addr is not a support address.  Borrowed from conf.
 */
const struct pd_conf_queue *pd_conf_queue_by_address(
	    const struct pd_conf *conf, const char *addr);

/* pd_conf_parse_duration - "2d4h" -> seconds; PD_OK or PD_EINVAL */
int	 pd_conf_parse_duration(const char *text, long *seconds);

/* pd_conf_priority_name - "low", "normal", "high", "urgent" */
const char *pd_conf_priority_name(enum pd_priority p);

/* pd_conf_priority_from_name - inverse of the above; PD_OK or PD_EINVAL */
int	 pd_conf_priority_from_name(const char *name, enum pd_priority *p);

/*
 * pd_conf_check_reload - PD_OK when every key that differs between the
 * running snapshot old and the candidate next is reload-safe; otherwise
 * PD_EPERMFAIL and err names the first key that needs a restart
 * (database, key_file, tag_prefix, socket).
 */
int	 pd_conf_check_reload(const struct pd_conf *old,
	    const struct pd_conf *next, struct pd_err *err);

/*
 * pd_conf_foreach_key - call fn for every key of the table (section name
 * as written in the file, "queue NAME" and "sla NAME" as "queue" and
 * "sla"); the documentation test uses it.
 */
void	 pd_conf_foreach_key(void (*fn)(const char *section, const char *key,
	    void *arg), void *arg);

#endif
