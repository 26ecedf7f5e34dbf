/*
 * test_conf.c - unit tests for pd_conf: the first user's configuration,
 *		 the sample, bad files with their messages, durations, queue
 *		 lookup, refcounting and reload safety
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pd_conf.h"
#include "pd_conf_file.h"
#include "pd_err.h"
#include "../harness/tap.h"

/* PRODUCT.md, "The configuration a first user writes", as written. */
static const char product_conf[] =
    "[general]\n"
    "database = /var/lib/postdesk/postdesk.db\n"
    "key_file = /etc/postdesk/postdesk.key\n"
    "templates = /usr/share/postdesk/templates\n"
    "timezone = Europe/Moscow\n"
    "language = ru\n"
    "tag_prefix = PD\n"
    "\n"
    "[milter]\n"
    "socket = unix:/run/postdesk/milter.sock     # or inet:8891@127.0.0.1\n"
    "on_error = accept                           # accept | tempfail\n"
    "trusted_networks = 127.0.0.0/8, ::1         # treated as agents' "
    "submission, with an agent From\n"
    "authserv_id = mx.example.com                # whose "
    "Authentication-Results to believe\n"
    "\n"
    "[smtp]\n"
    "relay = 127.0.0.1:10026                     # where the worker hands "
    "its mail\n"
    "\n"
    "[queue support]\n"
    "address = support@example.com\n"
    "name = Example Support\n"
    "language = ru\n"
    "sla = standard\n"
    "agents = alice@example.com, bob@example.com\n"
    "managers = boss@example.com\n"
    "vip = *@bigclient.example, ceo@partner.example\n"
    "\n"
    "[sla standard]\n"
    "business_hours = mon-fri 09:00-18:00\n"
    "holidays = 2026-01-01, 2026-01-02, 2026-01-07\n"
    "first_response = urgent 1h, high 4h, normal 12h, low 24h\n"
    "resolution = urgent 8h, high 1d, normal 3d, low 5d\n"
    "warn_before = 1h\n"
    "\n"
    "[csat]\n"
    "delay = 3h                                  # any duration: 30s, 10m, "
    "3h, 1d\n"
    "grades = 5\n"
    "\n"
    "[digest]\n"
    "schedule = daily 09:00\n";

#define Q	"[queue support]\naddress = support@example.com\n"

/* Bad files: the error must contain want (with the right line number). */
static const struct {
	const char *name;
	const char *text;
	const char *want;
} bad[] = {
	{ "bad on_error", "[milter]\non_error = maybe    # why not\n" Q,
	    ":2: [milter] on_error: expected \"accept\" or \"tempfail\", "
	    "got \"maybe\"" },
	{ "bad duration", "[csat]\ndelay = 3x\n" Q,
	    ":2: [csat] delay: expected a duration like 30s, 10m, 3h, 1d or "
	    "2d4h, got \"3x\"" },
	{ "duration above max", "[milter]\nstore_timeout = 30s\n" Q,
	    ":2: [milter] store_timeout: expected a duration from 1s to 20s, "
	    "got \"30s\"" },
	{ "csat delay above 1d", Q "[csat]\ndelay = 1d1s\n",
	    ":4: [csat] delay: expected a duration from 0s to 1d" },
	{ "unknown key", "[general]\ndatabse = /var/db\n" Q,
	    ":2: unknown key \"databse\" in [general]" },
	{ "unknown queue key", Q "agent = a@example.com\n",
	    ":3: unknown key \"agent\" in [queue support]" },
	{ "unknown section", Q "\n[foo]\n", ":4: unknown section [foo]" },
	{ "queue without NAME", "[queue]\naddress = s@example.com\n",
	    ":1: expected [queue NAME] with a NAME of letters" },
	{ "bad time zone", "[general]\ntimezone = Europe/Atlantis\n" Q,
	    ":2: [general] timezone: unknown time zone \"Europe/Atlantis\"; "
	    "is tzdata installed?" },
	{ "time zone as a path", "[general]\ntimezone = /etc/localtime\n" Q,
	    ":2: [general] timezone: expected an IANA time zone name" },
	{ "bad sla time zone", Q "[sla standard]\ntimezone = Mars/Olympus\n",
	    ":4: [sla standard] timezone: unknown time zone \"Mars/Olympus\"" },
	{ "bad holiday", Q "[sla standard]\n"
	    "holidays = 2026-01-01, 2026-02-30\n",
	    ":4: [sla standard] holidays: expected a calendar date "
	    "YYYY-MM-DD, got \"2026-02-30\"" },
	{ "missing address", "[general]\n\n[queue support]\nname = Help\n",
	    ":3: [queue support]: missing required key \"address\"" },
	{ "duplicate address", Q "[queue sales]\n"
	    "address = Support@Example.COM\n",
	    ":4: [queue sales] address: support@example.com is already the "
	    "address of [queue support]" },
	{ "support address with +detail",
	    "[queue support]\naddress = support+x@example.com\n",
	    ":2: [queue support] address: expected an address like "
	    "support@example.com (without \"+\")" },
	{ "bad socket", "[milter]\nsocket = tcp:8891\n" Q,
	    ":2: [milter] socket: expected unix:/PATH, local:/PATH, "
	    "inet:PORT@HOST or inet6:PORT@HOST, got \"tcp:8891\"" },
	{ "socket port 0", "[milter]\nsocket = inet:0@127.0.0.1\n" Q,
	    ":2: [milter] socket: expected unix:/PATH" },
	{ "relative unix socket", "[milter]\nsocket = unix:milter.sock\n" Q,
	    ":2: [milter] socket: expected unix:/PATH" },
	{ "bad prefix", "[general]\ntag_prefix = pd-1\n" Q,
	    ":2: [general] tag_prefix: expected 1 to 16 upper-case letters "
	    "and digits starting with a letter, like PD, got \"pd-1\"" },
	{ "overnight business hours", Q "[sla standard]\n"
	    "business_hours = mon-fri 18:00-09:00\n",
	    ":4: [sla standard] business_hours: expected an opening time "
	    "before the closing time (no overnight hours), got "
	    "\"mon-fri 18:00-09:00\"" },
	{ "wrapping day range", Q "[sla standard]\n"
	    "business_hours = sat-mon 10:00-12:00\n",
	    ":4: [sla standard] business_hours: expected a day range that "
	    "does not wrap" },
	{ "a day twice", Q "[sla standard]\n"
	    "business_hours = mon-fri 09:00-13:00, fri 14:00-18:00\n",
	    ":4: [sla standard] business_hours: expected each day in one "
	    "group only, got \"fri 14:00-18:00\"" },
	{ "bad day name", Q "[sla standard]\n"
	    "business_hours = monday 09:00-18:00\n",
	    "business_hours: expected days like mon-fri" },
	{ "missing priority", Q "[sla gold]\n"
	    "first_response = urgent 1h, high 4h, normal 12h\n",
	    ":4: [sla gold] first_response: expected a target for each of "
	    "urgent, high, normal and low (\"low\" is missing)" },
	{ "priority twice", Q "[sla gold]\n"
	    "resolution = urgent 1h, urgent 2h, normal 12h, low 1d\n",
	    ":4: [sla gold] resolution: expected each priority once, got "
	    "\"urgent 2h\"" },
	{ "zero target", Q "[sla gold]\n"
	    "resolution = urgent 0s, high 2h, normal 12h, low 1d\n",
	    ":4: [sla gold] resolution: expected a duration of at least 1s, "
	    "got \"0s\"" },
	{ "grades 4", "[csat]\ngrades = 4\n" Q,
	    ":2: [csat] grades: expected \"3\" or \"5\", got \"4\"" },
	{ "unknown sla", "[queue support]\naddress = s@example.com\n"
	    "sla = gold\n", ":3: [queue support] sla: expected the NAME of an "
	    "[sla NAME] section, got \"gold\"" },
	{ "no queue", "[general]\nlanguage = en\n",
	    ": no [queue NAME] section" },
	{ "network with host bits", "[milter]\n"
	    "trusted_networks = 10.0.0.1/8\n" Q,
	    ":2: [milter] trusted_networks: expected a network like "
	    "192.0.2.0/24 or 2001:db8::/32, got \"10.0.0.1/8\"" },
	{ "IPv6 prefix too long", "[milter]\n"
	    "trusted_networks = ::1/129\n" Q,
	    ":2: [milter] trusted_networks: expected a network" },
	{ "empty list item", "[milter]\n"
	    "trusted_networks = 127.0.0.0/8,, ::1\n" Q,
	    ":2: [milter] trusted_networks: expected a comma-separated list "
	    "without empty items" },
	{ "bad agent", Q "agents = alice@example.com, bob\n",
	    ":3: [queue support] agents: expected an address like "
	    "alice@example.com, got \"bob\"" },
	{ "bad vip", Q "vip = *@\n",
	    ":3: [queue support] vip: expected an address or a pattern" },
	{ "bad language", "[general]\nlanguage = de\n" Q,
	    ":2: [general] language: expected \"en\" or \"ru\", got \"de\"" },
	{ "bad queue language", Q "language = fr\n",
	    ":3: [queue support] language: expected \"en\" or \"ru\"" },
	{ "relative path", "[general]\ndatabase = postdesk.db\n" Q,
	    ":2: [general] database: expected an absolute path" },
	{ "bad relay", "[smtp]\nrelay = localhost\n" Q,
	    ":2: [smtp] relay: expected HOST:PORT or [IPv6]:PORT" },
	{ "bare IPv6 relay", "[smtp]\nrelay = ::1:25\n" Q,
	    ":2: [smtp] relay: expected HOST:PORT" },
	{ "header size too small", "[milter]\nmax_header_size = 100\n" Q,
	    ":2: [milter] max_header_size: expected an integer from 4096 to "
	    "1048576, got \"100\"" },
	{ "bad schedule", "[digest]\nschedule = daily 25:00\n" Q,
	    ":2: [digest] schedule: expected \"hourly\", \"daily HH:MM\" or "
	    "\"weekly DAY HH:MM\", got \"daily 25:00\"" },
	{ "bad weekly day", "[digest]\nschedule = weekly funday 09:00\n" Q,
	    ":2: [digest] schedule: expected \"hourly\"" },
	{ "empty value", "[general]\nlanguage =   # nothing\n" Q,
	    ":2: [general] language: expected \"en\" or \"ru\", got \"\"" },
	{ "value that is a comment", "[milter]\non_error = #accept\n" Q,
	    ":2: [milter] on_error: expected \"accept\" or \"tempfail\", "
	    "got \"\"" },
	{ "key outside a section", "database = /x\n" Q,
	    ":1: key outside any section" },
	{ "duplicate key", "[general]\nlanguage = en\nlanguage = ru\n" Q,
	    ":3: duplicate key \"language\" in [general] (first at line 2)" },
	{ "duplicate section", "[csat]\n" Q "[csat]\n",
	    ":4: duplicate section [csat] (first at line 1)" },
	{ "not a key line", "[general]\njunk\n" Q,
	    ":2: expected \"key = value\", \"[section]\" or \"# comment\", "
	    "got \"junk\"" },
	{ "comment after a header", "[general] # main\n" Q,
	    ":1: expected \"[section]\", got \"[general] # main\"" },
	{ "line counting", "# postdesk\n\n[general]\n   \n# x\n"
	    "tag_prefix = 1PD\n" Q, ":6: [general] tag_prefix: expected" },
	{ "CRLF line counting", "[general]\r\n\r\nlanguage = xx\r\n" Q,
	    ":3: [general] language: expected \"en\" or \"ru\", got \"xx\"" },
	{ "locale key", Q "name[ru] = x\n",
	    ":3: unknown key \"name[ru]\" in [queue support]" },
	{ "not UTF-8", "[general]\n# \xff\n" Q,
	    ":2: expected UTF-8 text" },
};

/* Good files: they load, and the named value is right. */
static const struct {
	const char *name;
	const char *text;
} good[] = {
	{ "24/7, inet socket, IPv6 relay",
	    "[milter]\nsocket = inet:8891@127.0.0.1\n"
	    "trusted_networks =\n"
	    "[smtp]\nrelay = [::1]:10026\n"
	    "[sla standard]\nbusiness_hours = 24/7\nholidays =\n" Q },
	{ "several groups, inet6, weekly",
	    "[milter]\nsocket = inet6:8891@[::1]\n"
	    "trusted_networks = 10.0.0.0/8, 2001:DB8::/32, 192.0.2.7\n"
	    "[digest]\nschedule = weekly   mon   08:30\n"
	    "[sla standard]\n"
	    "business_hours = mon-fri 09:00-18:00, sat 10:00-14:00\n"
	    "holidays = 2026-01-07, 2024-02-29, 2026-01-07\n" Q },
	{ "CRLF and blanks", "[general]\r\n  language = ru  \r\n" Q },
	{ "hourly, local socket, tempfail",
	    "[milter]\nsocket = local:/var/spool/postfix/postdesk.sock\n"
	    "on_error = tempfail\n[digest]\nschedule = hourly\n"
	    "[csat]\ngrades = 3\ndelay = 0s\n" Q },
};

static const struct {
	const char *text;
	int rc;
	long seconds;
} durations[] = {
	{ "30s", PD_OK, 30 }, { "10m", PD_OK, 600 }, { "3h", PD_OK, 10800 },
	{ "1d", PD_OK, 86400 }, { "2d4h", PD_OK, 187200 },
	{ "1h30m", PD_OK, 5400 }, { "1w", PD_OK, 604800 },
	{ "1w2d3h4m5s", PD_OK, 788645 }, { "0s", PD_OK, 0 },
	{ "9223372036854775807s", PD_OK, 9223372036854775807L },
	{ "", PD_EINVAL, 0 }, { "30", PD_EINVAL, 0 }, { "h", PD_EINVAL, 0 },
	{ "1h 30m", PD_EINVAL, 0 }, { " 1h", PD_EINVAL, 0 },
	{ "30m1h", PD_EINVAL, 0 }, { "1h1h", PD_EINVAL, 0 },
	{ "-1h", PD_EINVAL, 0 }, { "+1h", PD_EINVAL, 0 },
	{ "1.5h", PD_EINVAL, 0 }, { "1H", PD_EINVAL, 0 },
	{ "1y", PD_EINVAL, 0 }, { "9223372036854775808s", PD_EINVAL, 0 },
	{ "9223372036854775807m", PD_EINVAL, 0 },
	{ "9223372036854775807s1m", PD_EINVAL, 0 },
};

static const struct {
	const char *addr;
	const char *queue;		/* NULL: not a support address */
} lookups[] = {
	{ "support@example.com", "support" },
	{ "SUPPORT@Example.COM", "support" },
	{ "<support@example.com>", "support" },
	{ " <Sales@example.com> ", "sales" },
	{ "support+csat-1042-4-TOKEN@example.com", "support" },
	{ "<support+x@EXAMPLE.com>", "support" },
	{ "alice@example.com", NULL },
	{ "support@example.org", NULL },
	{ "support@example.com.evil", NULL },
	{ "supportx@example.com", NULL },
	{ "support", NULL },
	{ "", NULL },
	{ "<>", NULL },
	{ "@example.com", NULL },
	{ "+x@example.com", NULL },
};

static char tmp_path[64];

/* load_text - write text to a temporary file and load it */
static struct pd_conf *
load_text(const char *text, struct pd_err *err)
{
	struct pd_conf *conf;
	FILE *fp;
	int fd;

	snprintf(tmp_path, sizeof(tmp_path), "/tmp/pdconfXXXXXX");
	fd = mkstemp(tmp_path);
	fp = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (fp == NULL) {
		perror("temporary file");
		exit(99);
	}
	fputs(text, fp);
	fclose(fp);
	memset(err, 0, sizeof(*err));
	conf = pd_conf_load(tmp_path, err);
	unlink(tmp_path);
	return conf;
}

/* check_product_queue - [queue support] of the first user's file */
static void
check_product_queue(const struct pd_conf_queue *q)
{
	is_str(q->name, "support", "queue NAME");
	is_str(q->address, "support@example.com", "queue address");
	is_str(q->display_name, "Example Support", "queue display name");
	is_str(q->language, "ru", "queue language");
	is_int((long long)q->n_agents, 2, "two agents");
	is_str(q->agents[1], "bob@example.com", "second agent");
	is_int((long long)q->n_managers, 1, "one manager");
	is_int((long long)q->n_vip, 2, "two vip patterns");
	is_str(q->vip[0], "*@bigclient.example", "vip domain pattern");
	is_str(q->vip[1], "ceo@partner.example", "vip address");
}

/* check_product_sla - [sla standard] of the first user's file */
static void
check_product_sla(const struct pd_conf_sla *s)
{
	is_str(s->name, "standard", "sla name");
	ok(s->hours[0].open_min == 540 && s->hours[0].close_min == 1080 &&
	    s->hours[4].open_min == 540 && s->hours[4].close_min == 1080,
	    "mon and fri 09:00-18:00");
	ok(s->hours[5].open_min == s->hours[5].close_min &&
	    s->hours[6].open_min == s->hours[6].close_min,
	    "sat and sun closed");
	is_int((long long)s->n_holidays, 3, "three holidays");
	ok(s->n_holidays == 3 && s->holidays[0] == 20260101 &&
	    s->holidays[2] == 20260107, "holidays as yyyymmdd");
	is_int(s->first_response[PD_PRIO_NORMAL], 43200,
	    "first_response normal 12h");
	is_int(s->first_response[PD_PRIO_URGENT], 3600,
	    "first_response urgent 1h");
	is_int(s->resolution[PD_PRIO_HIGH], 86400, "resolution high 1d");
	is_int(s->resolution[PD_PRIO_LOW], 5 * 86400, "resolution low 5d");
	is_int(s->warn_before, 3600, "warn_before 1h");
	is_str(s->timezone, "Europe/Moscow", "sla timezone from [general]");
	ok(s->tz != NULL && strcmp(g_time_zone_get_identifier(s->tz),
	    "Europe/Moscow") == 0, "sla GTimeZone");
}

/* test_product - the first user's file loads exactly as written */
static void
test_product(void)
{
	struct pd_err err;
	struct pd_conf *c = load_text(product_conf, &err);

	if (!ok(c != NULL, "PRODUCT.md configuration loads")) {
		printf("#   %s\n", err.msg);
		return;
	}
	is_str(c->database, "/var/lib/postdesk/postdesk.db", "database");
	is_str(c->timezone, "Europe/Moscow", "timezone");
	is_str(c->language, "ru", "language");
	is_str(c->tag_prefix, "PD", "tag_prefix");
	is_str(c->milter_socket, "unix:/run/postdesk/milter.sock",
	    "socket without its trailing comment");
	is_int(c->on_error, PD_ON_ERROR_ACCEPT, "on_error accept");
	is_int((long long)c->n_trusted_networks, 2, "two trusted networks");
	is_str(c->trusted_networks[0], "127.0.0.0/8", "trusted network 1");
	is_str(c->trusted_networks[1], "::1", "trusted network 2");
	is_str(c->authserv_id, "mx.example.com", "authserv_id");
	is_int(c->store_timeout, 3, "store_timeout default 3s");
	is_int(c->max_header_size, 65536, "max_header_size default");
	is_str(c->smtp_relay, "127.0.0.1:10026", "relay");
	is_int((long long)c->n_queues, 1, "one queue");
	check_product_queue(&c->queues[0]);
	ok(c->queues[0].sla == &c->slas[0],
	    "queue sla resolved to [sla standard]");
	check_product_sla(&c->slas[0]);
	is_int(c->csat_delay, 10800, "csat delay 3h");
	is_int(c->csat_grades, 5, "csat grades 5");
	is_str(c->digest_schedule, "daily 09:00", "digest schedule");
	pd_conf_unref(&c);
}

/* test_sample - config/postdesk.conf.sample loads */
static void
test_sample(void)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	struct pd_err err;
	struct pd_conf *c;
	size_t n;

	if (top != NULL) {
		snprintf(path, sizeof(path), "%s/config/postdesk.conf.sample",
		    top);
	} else {	/* run by hand: this file's directory, two up */
		n = strlen(__FILE__) - strlen("tests/unit/test_conf.c");
		snprintf(path, sizeof(path), "%.*sconfig/postdesk.conf.sample",
		    (int)n, __FILE__);
	}
	memset(&err, 0, sizeof(err));
	c = pd_conf_load(path, &err);
	if (!ok(c != NULL, "the sample configuration loads"))
		printf("#   %s\n", err.msg);
	pd_conf_unref(&c);
}

/* test_bad - each bad file fails with its message */
static void
test_bad(void)
{
	struct pd_err err;
	struct pd_conf *c;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = load_text(bad[i].text, &err);
		if (ok(c == NULL && err.code == PD_EPERMFAIL &&
		    strncmp(err.msg, tmp_path, strlen(tmp_path)) == 0 &&
		    strstr(err.msg, bad[i].want) != NULL, "bad: %s",
		    bad[i].name))
			printf("#   %s\n", err.msg + strlen(tmp_path));
		else
			printf("#   got:  %s\n#   want: ...%s...\n", err.msg,
			    bad[i].want);
		pd_conf_unref(&c);
	}
}

/* test_good - variations that must load, and what they give */
static void
test_good(void)
{
	struct pd_conf *c[4] = { NULL, NULL, NULL, NULL };
	struct pd_err err;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		c[i] = load_text(good[i].text, &err);
		if (!ok(c[i] != NULL, "good: %s", good[i].name))
			printf("#   %s\n", err.msg);
	}
	if (c[0] == NULL || c[1] == NULL || c[2] == NULL || c[3] == NULL)
		goto out;
	ok(c[0]->slas[0].hours[6].open_min == 0 &&
	    c[0]->slas[0].hours[6].close_min == 1440, "24/7 opens sunday");
	is_int((long long)c[0]->n_trusted_networks, 0, "empty network list");
	is_str(c[0]->smtp_relay, "[::1]:10026", "IPv6 relay");
	ok(c[1]->slas[0].hours[5].open_min == 600 &&
	    c[1]->slas[0].hours[5].close_min == 840 &&
	    c[1]->slas[0].hours[6].close_min == 0, "sat 10:00-14:00");
	ok(c[1]->slas[0].n_holidays == 2 &&
	    c[1]->slas[0].holidays[0] == 20240229,
	    "holidays sorted, duplicates dropped, 29 Feb of a leap year");
	is_str(c[1]->trusted_networks[1], "2001:db8::/32",
	    "networks in lower case");
	is_str(c[1]->digest_schedule, "weekly mon 08:30",
	    "schedule blanks normalised");
	is_str(c[2]->language, "ru", "CRLF value without its CR");
	is_str(c[2]->queues[0].language, "ru", "queue language default");
	is_str(c[2]->queues[0].display_name, "support",
	    "queue name default is the NAME");
	is_str(c[2]->queues[0].sla->name, "standard",
	    "built-in standard policy without [sla standard]");
	is_int(c[2]->queues[0].sla->resolution[PD_PRIO_NORMAL], 3 * 86400,
	    "built-in resolution normal 3d");
	is_str(c[2]->database, "/var/lib/postdesk/postdesk.db",
	    "database default");
	is_str(c[2]->digest_schedule, "daily 09:00", "schedule default");
	ok(c[2]->authserv_id == NULL, "authserv_id unset");
	is_int(c[3]->on_error, PD_ON_ERROR_TEMPFAIL, "on_error tempfail");
	is_int(c[3]->csat_grades, 3, "three grades");
out:
	for (i = 0; i < 4; i++)
		pd_conf_unref(&c[i]);
}

/* test_durations - pd_conf_parse_duration */
static void
test_durations(void)
{
	size_t i;
	long s;
	int rc;

	for (i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
		s = -1;
		rc = pd_conf_parse_duration(durations[i].text, &s);
		ok(rc == durations[i].rc && (rc != PD_OK ||
		    s == durations[i].seconds), "duration \"%s\"",
		    durations[i].text);
	}
}

/* test_lookup - pd_conf_queue_by_address */
static void
test_lookup(void)
{
	const struct pd_conf_queue *q;
	struct pd_err err;
	struct pd_conf *c;
	size_t i;

	c = load_text(Q "[queue sales]\naddress = Sales@Example.com\n", &err);
	if (!ok(c != NULL, "two queues load"))
		return;
	is_str(c->queues[1].address, "sales@example.com",
	    "address stored in lower case");
	for (i = 0; i < sizeof(lookups) / sizeof(lookups[0]); i++) {
		q = pd_conf_queue_by_address(c, lookups[i].addr);
		is_str(q != NULL ? q->name : NULL, lookups[i].queue,
		    lookups[i].addr);
	}
	pd_conf_unref(&c);
}

/* test_refs - refcounting and reload safety */
static void
test_refs(void)
{
	struct pd_conf *a, *b, *held;
	struct pd_err err;
	enum pd_priority p;

	a = load_text(Q, &err);
	if (!ok(a != NULL, "minimal file loads"))
		return;
	held = pd_conf_ref(a);
	ok(held == a && a->refcount == 2, "ref returns the snapshot");
	pd_conf_unref(&a);
	ok(a == NULL && held->refcount == 1, "unref clears the pointer");
	b = load_text("[general]\ntemplates = /srv/t\n[csat]\ndelay = 1h\n"
	    Q "agents = a@example.com\n", &err);
	is_int(pd_conf_check_reload(held, b, &err), PD_OK,
	    "templates, delay and agents are reload-safe");
	pd_conf_unref(&b);
	b = load_text("[milter]\nsocket = inet:8891@127.0.0.1\n" Q, &err);
	is_int(pd_conf_check_reload(held, b, &err), PD_EPERMFAIL,
	    "a new socket needs a restart");
	ok(strstr(err.msg, "[milter] socket changed") != NULL, "%s", err.msg);
	pd_conf_unref(&b);
	pd_conf_unref(&held);
	pd_conf_unref(&held);
	ok(held == NULL, "unref of NULL is harmless");
	ok(pd_conf_load("/nonexistent/postdesk.conf", &err) == NULL &&
	    strcmp(err.msg, "/nonexistent/postdesk.conf: cannot open: "
	    "No such file or directory") == 0, "missing file: %s", err.msg);
	ok(pd_conf_load("/tmp", &err) == NULL &&
	    strstr(err.msg, "/tmp: cannot read: ") != NULL,
	    "directory: %s", err.msg);
	is_str(pd_conf_priority_name(PD_PRIO_URGENT), "urgent",
	    "priority name");
	ok(pd_conf_priority_from_name("high", &p) == PD_OK &&
	    p == PD_PRIO_HIGH, "priority from name");
	is_int(pd_conf_priority_from_name("HIGH", &p), PD_EINVAL,
	    "priority names are lower case");
}

/*
 * test_empty - an empty file and a lone section header are refused with a
 * message; the line index of an empty file is an empty array, not NULL
 * (clang's UBSan flagged "lines + n_lines" with lines NULL; fuzz_conf)
 */
static void
test_empty(void)
{
	struct pd_conf_file f;
	struct pd_err err;
	struct pd_conf *c;

	c = load_text("", &err);
	ok(c == NULL && strstr(err.msg, "no [queue NAME] section") != NULL,
	    "empty file: %s", err.msg);
	c = load_text("[general]\n", &err);
	ok(c == NULL && strstr(err.msg, "no [queue NAME] section") != NULL,
	    "[general] alone: %s", err.msg);
	snprintf(tmp_path, sizeof(tmp_path), "/tmp/pdconfXXXXXX");
	close(mkstemp(tmp_path));
	memset(&f, 0, sizeof(f));
	f.path = tmp_path;
	f.err = &err;
	is_int(pd_conf_file_read(&f), PD_OK, "empty file reads");
	ok(f.lines != NULL && f.n_lines == 0, "empty index is not NULL");
	ok(pd_conf_file_find(&f, "general", NULL) == NULL,
	    "nothing found in it");
	pd_conf_file_free(&f);
	unlink(tmp_path);
}

int
main(void)
{
	test_empty();
	test_product();
	test_sample();
	test_bad();
	test_good();
	test_durations();
	test_lookup();
	test_refs();
	return tap_done();
}
