/*
 * pd_conf_value.h - configuration value types: the parsers behind the table
 *
 * PURPOSE	Internal to pd_conf: one parser per value type of the key
 *		table in pd_conf.c (durations, addresses, networks, sockets,
 *		business hours, ...).  Nothing outside pd_conf*.c includes
 *		this header; programs read values only through struct pd_conf.
 * DESIGN	A key row names its type and where its value lives (offsetof
 *		into struct pd_conf, pd_conf_queue or pd_conf_sla; list types
 *		also name their element count).  pd_conf_value_parse() turns
 *		the text of a value (comment already stripped) into that
 *		member; defaults are text too and go through the same parser,
 *		so a default can never be something the file could not say.
 *		Scalar types live in pd_conf_value.c, hosts, addresses,
 *		networks, sockets and relays in pd_conf_addr.c, time and
 *		calendar types (durations, time zones, business hours, dates,
 *		per-priority targets, schedules) in pd_conf_time.c; the file
 *		as text (syntax, line numbers) is pd_conf_file.[ch].
 * OWNERSHIP	What a parser stores is allocated with pd_x* and belongs to
 *		the struct it was stored into; pd_conf_value_free() releases
 *		it.  On failure nothing is stored.
 * ERRORS	Parsers return false and write the end of the error message
 *		into why: usually "expected WHAT, got \"TEXT\"".  pd_conf.c
 *		puts "FILE:LINE: [section] key: " in front of it.
 * THREADS	Reentrant.
 * SEE ALSO	pd_conf.h, pd_conf.c, doc/postdesk.conf.5.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_CONF_VALUE_H
#define PD_CONF_VALUE_H

#include <stdbool.h>
#include <stddef.h>

enum pd_conf_type {
	PD_CT_STRING,		/* char *: printable text */
	PD_CT_NAME,		/* char *: [A-Za-z0-9_.-], a section NAME */
	PD_CT_PATH,		/* char *: absolute path */
	PD_CT_HOST,		/* char *: host name or IP address */
	PD_CT_INT,		/* long: decimal, min..max */
	PD_CT_DURATION,		/* long: seconds, min..max */
	PD_CT_ENUM,		/* int: one of key->choices */
	PD_CT_LANGUAGE,		/* char *: one of key->choices */
	PD_CT_ADDRESS,		/* char *: local@domain, lower case */
	PD_CT_ADDRESS_LIST,	/* char **, size_t: addresses */
	PD_CT_PATTERN_LIST,	/* char **, size_t: "*@domain" or address */
	PD_CT_NETWORK_LIST,	/* char **, size_t: IPv4/IPv6 CIDR */
	PD_CT_SOCKET,		/* char *: libmilter socket */
	PD_CT_RELAY,		/* char *: host:port or [ipv6]:port */
	PD_CT_TIMEZONE,		/* char *: IANA zone known to GLib */
	PD_CT_TAG_PREFIX,	/* char *: pd_tag_prefix_valid() */
	PD_CT_HOURS,		/* struct pd_conf_hours[7] */
	PD_CT_DATE_LIST,	/* int *, size_t: yyyymmdd, sorted */
	PD_CT_PRIO_DURATIONS,	/* long[PD_PRIO_COUNT] */
	PD_CT_SCHEDULE,		/* char *: hourly|daily HH:MM|weekly D HH:MM */
	PD_CT_WORD_LIST,	/* char **, size_t: phrases, lower case */
};

/* Key flags. */
#define PD_KF_REQUIRED		0x01	/* no default: the file must say */
#define PD_KF_RELOAD_SAFE	0x02	/* a reload may change it */
#define PD_KF_DEFAULT_NAME	0x04	/* default: the section NAME */
#define PD_KF_DEFAULT_LANGUAGE	0x08	/* default: [general] language */
#define PD_KF_DEFAULT_TIMEZONE	0x10	/* default: [general] timezone */
#define PD_KF_NO_DETAIL		0x20	/* address without "+detail" */

struct pd_conf_choice {
	const char	*text;
	int		 value;
};

/* One row of the key table (pd_conf.c). */
struct pd_conf_key {
	const char	*section;	/* "general", ..., "queue", "sla" */
	const char	*name;
	enum pd_conf_type type;
	size_t		 off;		/* value member */
	size_t		 off_n;		/* element count of list types */
	const char	*def;		/* default as text; NULL: none */
	long		 min;		/* PD_CT_INT, PD_CT_DURATION */
	long		 max;
	const struct pd_conf_choice *choices;	/* NULL-terminated */
	unsigned	 flags;
	const char	*help;
};

/* pd_conf_value_clean - value without "# comment" and outer blanks */
char	*pd_conf_value_clean(const char *raw);

/*
 * pd_conf_value_parse - parse text as key's type into the struct at base;
 * false with why (size whylen) filled on error.
 */
bool	 pd_conf_value_parse(const struct pd_conf_key *key, const char *text,
	    void *base, char *why, size_t whylen);

/* pd_conf_value_free - release what pd_conf_value_parse stored at base */
void	 pd_conf_value_free(const struct pd_conf_key *key, void *base);

/* pd_conf_value_equal - whether key's value is the same in a and b */
bool	 pd_conf_value_equal(const struct pd_conf_key *key, const void *a,
	    const void *b);

/* pd_conf_value_expect - write "expected WHAT, got \"TEXT\"" into why */
bool	 pd_conf_value_expect(char *why, size_t whylen, const char *what,
	    const char *text);

/* pd_conf_value_name_valid - 1-64 of [A-Za-z0-9_.-] */
bool	 pd_conf_value_name_valid(const char *name, size_t len);

/* pd_conf_value_split - comma list into trimmed items; false on "a,,b" */
bool	 pd_conf_value_split(const char *text, char ***items, size_t *n);

/* pd_conf_value_strv_free - free n items and the array, set *items NULL */
void	 pd_conf_value_strv_free(char ***items, size_t n);

/* pd_conf_value_set_str - store s (owned) as key's char * member */
void	 pd_conf_value_set_str(const struct pd_conf_key *key, void *base,
	    char *s);

/* pd_conf_value_lower - ASCII lower case of s, in place; returns s */
char	*pd_conf_value_lower(char *s);

/* pd_conf_value_format_duration - 5400 -> "1h30m" into buf */
void	 pd_conf_value_format_duration(long seconds, char *buf, size_t len);

/* Parsers of pd_conf_addr.c, with the contract of pd_conf_value_parse. */
bool	 pd_conf_addr_host(const struct pd_conf_key *key, const char *text,
	    void *base, char *why, size_t whylen);
bool	 pd_conf_addr_address(const struct pd_conf_key *key,
	    const char *text, void *base, char *why, size_t whylen);
bool	 pd_conf_addr_list(const struct pd_conf_key *key, const char *text,
	    void *base, char *why, size_t whylen);
bool	 pd_conf_addr_socket(const struct pd_conf_key *key,
	    const char *text, void *base, char *why, size_t whylen);
bool	 pd_conf_addr_relay(const struct pd_conf_key *key, const char *text,
	    void *base, char *why, size_t whylen);

/* Parsers of pd_conf_time.c, with the contract of pd_conf_value_parse. */
bool	 pd_conf_time_duration(const struct pd_conf_key *key,
	    const char *text, void *base, char *why, size_t whylen);
bool	 pd_conf_time_zone(const struct pd_conf_key *key, const char *text,
	    void *base, char *why, size_t whylen);
bool	 pd_conf_time_hours(const struct pd_conf_key *key, const char *text,
	    void *base, char *why, size_t whylen);
bool	 pd_conf_time_dates(const struct pd_conf_key *key, const char *text,
	    void *base, char *why, size_t whylen);
bool	 pd_conf_time_prio(const struct pd_conf_key *key, const char *text,
	    void *base, char *why, size_t whylen);
bool	 pd_conf_time_schedule(const struct pd_conf_key *key,
	    const char *text, void *base, char *why, size_t whylen);

/* PD_CONF_MEMBER - the member of type t at offset off of base */
#define PD_CONF_MEMBER(base, off, t)	((t *)(void *)((char *)(base) + (off)))

#endif
