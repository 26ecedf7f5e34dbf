/*
 * pd_conf.c - configuration: the key table, the loader, snapshots
 *
 * PURPOSE	See pd_conf.h.  This file holds the one table of every key
 *		(section, name, type, default, bounds, reload safety, help)
 *		and the table-driven loader; the value parsers are in
 *		pd_conf_value.c and pd_conf_time.c, the reading of the file
 *		as text in pd_conf_file.c.
 * DESIGN	Loading is four passes over one file:
 *		1. read it and scan its lines (pd_conf_file.c): syntax, UTF-8,
 *		   duplicate sections and keys, and an index of (section, key,
 *		   line) - GKeyFile keeps no line numbers, so this index is
 *		   where the line numbers of error messages come from;
 *		2. check every section and key name against the table, in
 *		   file order (unknown names are errors);
 *		3. hand the text to GKeyFile;
 *		4. for each section, walk its table rows: take the raw value
 *		   (g_key_file_get_value: no escape processing), strip a
 *		   trailing "# comment" (a '#' at the start of the value or
 *		   after a blank, so values cannot contain " #"), then parse;
 *		   absent keys get their default text through the same parser.
 *		   Singleton sections first, then [sla NAME], then
 *		   [queue NAME], whose sla key is resolved to a policy: an
 *		   unknown "standard" gets the built-in policy (an [sla] with
 *		   every default), any other unknown name is an error.
 *		Lists are comma-separated (GKeyFile's ';' lists are not used).
 * OWNERSHIP	A snapshot owns every string and array in it; the last
 *		pd_conf_unref() frees it all.  Loader scratch (file text, line
 *		index, GKeyFile) lives in struct conf_ctx and is freed before
 *		pd_conf_load() returns.
 * ERRORS	pd_conf_load(): NULL with err->code PD_EPERMFAIL and
 *		"FILE:LINE: [section] key: expected WHAT, got \"VALUE\"".
 *		Nothing is logged.
 * THREADS	Loading is reentrant; a snapshot is immutable once loaded and
 *		its refcount is atomic.
 * SEE ALSO	pd_conf_value.h, doc/postdesk.conf.5,
 *		config/postdesk.conf.sample, tests/unit/test_conf.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stddef.h>
#include <string.h>

#include <glib.h>

#include "pd_conf.h"
#include "pd_conf_file.h"
#include "pd_conf_value.h"
#include "pd_mem.h"

#define G(m)	offsetof(struct pd_conf, m)
#define Q(m)	offsetof(struct pd_conf_queue, m)
#define S(m)	offsetof(struct pd_conf_sla, m)
#define SAFE	PD_KF_RELOAD_SAFE
#define DAY	86400L

_Static_assert(sizeof(enum pd_on_error) == sizeof(int),
    "PD_CT_ENUM stores an int");

static const struct pd_conf_choice on_error_choices[] = {
	{ "accept", PD_ON_ERROR_ACCEPT },
	{ "tempfail", PD_ON_ERROR_TEMPFAIL },
	{ NULL, 0 },
};

static const struct pd_conf_choice grade_choices[] = {
	{ "3", 3 }, { "5", 5 }, { NULL, 0 },
};

static const struct pd_conf_choice yes_no_choices[] = {
	{ "yes", 1 }, { "no", 0 }, { NULL, 0 },
};

static const struct pd_conf_choice language_choices[] = {
	{ "en", 0 }, { "ru", 0 }, { NULL, 0 },
};

/*
 * The key table.  Keys a running daemon cannot change on reload (files it
 * opened, the socket it listens on, the prefix of existing tags) lack SAFE;
 * they all live in singleton sections, which pd_conf_check_reload() reads.
 * doc/postdesk.conf.5 and config/postdesk.conf.sample list every row
 * (tests/unit/conf_doc.sh checks).
 */
static const struct pd_conf_key keys[] = {
	/* section, name, type, offset, count offset, default,
	 * min, max, choices, flags, help */
	{ "general", "database", PD_CT_PATH, G(database), 0,
	    "/var/lib/postdesk/postdesk.db", 0, 0, NULL, 0,
	    "SQLite database file" },
	{ "general", "key_file", PD_CT_PATH, G(key_file), 0,
	    "/etc/postdesk/postdesk.key", 0, 0, NULL, 0,
	    "secret key for tag check codes and CSAT tokens" },
	{ "general", "templates", PD_CT_PATH, G(templates), 0,
	    "/usr/share/postdesk/templates", 0, 0, NULL, SAFE,
	    "directory of templates/LANG/NAME" },
	{ "general", "timezone", PD_CT_TIMEZONE, G(timezone), 0, "UTC",
	    0, 0, NULL, SAFE, "default IANA time zone of SLA policies" },
	{ "general", "language", PD_CT_LANGUAGE, G(language), 0, "en",
	    0, 0, language_choices, SAFE, "default language of queues" },
	{ "general", "tag_prefix", PD_CT_TAG_PREFIX, G(tag_prefix), 0, "PD",
	    0, 0, NULL, 0, "prefix of ticket tags [PD-1042-K7QF]" },
	{ "general", "worker_socket", PD_CT_PATH, G(worker_socket), 0,
	    "/run/postdesk/worker.sock", 0, 0, NULL, 0,
	    "datagram socket the milter nudges the worker on" },
	{ "general", "complaint_keywords", PD_CT_WORD_LIST,
	    G(complaint_keywords), G(n_complaint_keywords),
	    "жалоба, претензия, "
	    "безобразие, возмущ, "
	    "верните деньги, "
	    "complaint, unacceptable, disappointed, refund, terrible",
	    0, 0, NULL, SAFE, "words in a subject that mark a complaint" },
	{ "milter", "socket", PD_CT_SOCKET, G(milter_socket), 0,
	    "unix:/run/postdesk/milter.sock", 0, 0, NULL, 0,
	    "libmilter socket the milter listens on" },
	{ "milter", "on_error", PD_CT_ENUM, G(on_error), 0, "accept",
	    0, 0, on_error_choices, SAFE,
	    "what happens to a message on an internal error" },
	{ "milter", "trusted_networks", PD_CT_NETWORK_LIST,
	    G(trusted_networks), G(n_trusted_networks), "127.0.0.0/8, ::1",
	    0, 0, NULL, SAFE, "clients whose agent From is believed" },
	{ "milter", "submission_names", PD_CT_WORD_LIST,
	    G(submission_names), G(n_submission_names), "ORIGINATING", 0, 0,
	    NULL, SAFE, "{daemon_name} of the services agents submit on" },
	{ "milter", "authserv_id", PD_CT_HOST, G(authserv_id), 0, NULL,
	    0, 0, NULL, SAFE, "whose Authentication-Results to believe" },
	{ "milter", "store_timeout", PD_CT_DURATION, G(store_timeout), 0,
	    "3s", 1, 20, NULL, SAFE, "longest wait for the database" },
	{ "milter", "max_header_size", PD_CT_INT, G(max_header_size), 0,
	    "65536", 4096, 1048576, NULL, SAFE, "bytes of headers kept" },
	{ "milter", "max_body_size", PD_CT_INT, G(max_body_size), 0,
	    "10485760", 65536, 104857600, NULL, SAFE,
	    "bytes of an agent's message body kept for editing" },
	{ "milter", "inject_name", PD_CT_NAME, G(inject_name), 0,
	    "POSTDESK-INJECT", 0, 0, NULL, SAFE,
	    "{daemon_name} of the service the worker hands its mail to" },
	{ "milter", "ack_sender_window", PD_CT_DURATION,
	    G(ack_sender_window), 0, "1d", 0, 30 * DAY, NULL, SAFE,
	    "at most one acknowledgement per sender in this time" },
	{ "milter", "ack_hourly_cap", PD_CT_INT, G(ack_hourly_cap), 0, "200",
	    0, 1000000, NULL, SAFE, "most acknowledgements in any hour" },
	{ "smtp", "relay", PD_CT_RELAY, G(smtp_relay), 0, "127.0.0.1:10026",
	    0, 0, NULL, SAFE, "SMTP server the worker hands its mail to" },
	{ "smtp", "timeout", PD_CT_DURATION, G(smtp_timeout), 0, "30s", 1,
	    300, NULL, SAFE, "longest wait for one SMTP reply" },
	{ "smtp", "connections", PD_CT_INT, G(smtp_connections), 0, "8", 1,
	    32, NULL, 0, "SMTP sessions the worker sends over at once" },
	{ "queue", "address", PD_CT_ADDRESS, Q(address), 0, NULL, 0, 0, NULL,
	    PD_KF_REQUIRED | PD_KF_NO_DETAIL | SAFE, "support address" },
	{ "queue", "name", PD_CT_STRING, Q(display_name), 0, NULL, 0, 0, NULL,
	    PD_KF_DEFAULT_NAME | SAFE, "display name of the support address" },
	{ "queue", "language", PD_CT_LANGUAGE, Q(language), 0, NULL, 0, 0,
	    language_choices, PD_KF_DEFAULT_LANGUAGE | SAFE,
	    "language of the mail the queue sends" },
	{ "queue", "sla", PD_CT_NAME, Q(sla_name), 0, "standard", 0, 0, NULL,
	    SAFE, "NAME of the [sla NAME] policy" },
	{ "queue", "agent_from", PD_CT_STRING, Q(agent_from), 0,
	    "%a via %q", 0, 0, NULL, SAFE,
	    "display name of agents' answers: %a agent, %q queue name" },
	{ "queue", "agents", PD_CT_ADDRESS_LIST, Q(agents), Q(n_agents), "",
	    0, 0, NULL, SAFE, "addresses of the agents" },
	{ "queue", "managers", PD_CT_ADDRESS_LIST, Q(managers),
	    Q(n_managers), "", 0, 0, NULL, SAFE,
	    "addresses that receive the SLA digest" },
	{ "queue", "vip", PD_CT_PATTERN_LIST, Q(vip), Q(n_vip), "", 0, 0,
	    NULL, SAFE, "senders whose tickets start at high priority" },
	{ "sla", "business_hours", PD_CT_HOURS, S(hours), 0,
	    "mon-fri 09:00-18:00", 0, 0, NULL, SAFE,
	    "opening hours per weekday" },
	{ "sla", "holidays", PD_CT_DATE_LIST, S(holidays), S(n_holidays), "",
	    0, 0, NULL, SAFE, "closed dates YYYY-MM-DD" },
	{ "sla", "first_response", PD_CT_PRIO_DURATIONS, S(first_response), 0,
	    "urgent 1h, high 4h, normal 12h, low 24h", 0, 0, NULL, SAFE,
	    "first-response target per priority, business time" },
	{ "sla", "resolution", PD_CT_PRIO_DURATIONS, S(resolution), 0,
	    "urgent 8h, high 1d, normal 3d, low 5d", 0, 0, NULL, SAFE,
	    "resolution target per priority, business time" },
	{ "sla", "warn_before", PD_CT_DURATION, S(warn_before), 0, "1h",
	    0, 7 * DAY, NULL, SAFE, "warning margin before a breach" },
	{ "sla", "pause_pending", PD_CT_ENUM, S(pause_pending), 0, "yes",
	    0, 0, yes_no_choices, SAFE,
	    "resolution clock stops while waiting for the customer" },
	{ "sla", "timezone", PD_CT_TIMEZONE, S(timezone), 0, NULL, 0, 0, NULL,
	    PD_KF_DEFAULT_TIMEZONE | SAFE, "IANA time zone of the policy" },
	{ "csat", "delay", PD_CT_DURATION, G(csat_delay), 0, "3h", 0, DAY,
	    NULL, SAFE, "time from resolution to the survey" },
	{ "csat", "grades", PD_CT_ENUM, G(csat_grades), 0, "5", 0, 0,
	    grade_choices, SAFE, "number of grades offered" },
	{ "csat", "exclude", PD_CT_PATTERN_LIST, G(csat_exclude),
	    G(n_csat_exclude), "", 0, 0, NULL, SAFE,
	    "customers and *@domains never surveyed" },
	{ "csat", "change_window", PD_CT_DURATION, G(csat_change_window), 0,
	    "1d", 0, 30 * DAY, NULL, SAFE,
	    "how long a later click replaces the first grade" },
	{ "digest", "schedule", PD_CT_SCHEDULE, G(digest_schedule), 0,
	    "daily 09:00", 0, 0, NULL, SAFE, "when managers get the digest" },
};

#define N_KEYS	(sizeof(keys) / sizeof(keys[0]))

static const char *const singletons[] = {
	"general", "milter", "smtp", "csat", "digest",
};

#define N_SINGLETONS	(sizeof(singletons) / sizeof(singletons[0]))

static const char *const priority_names[PD_PRIO_COUNT] = {
	[PD_PRIO_LOW] = "low",
	[PD_PRIO_NORMAL] = "normal",
	[PD_PRIO_HIGH] = "high",
	[PD_PRIO_URGENT] = "urgent",
};

/* Loader scratch, freed at the end of pd_conf_load(). */
struct conf_ctx {
	struct pd_conf_file file;	/* text and line index */
	GKeyFile	*kf;
	struct pd_conf	*conf;		/* being built */
	size_t		 max_slas;	/* room in conf->slas */
};

/*
 * section_kind - "general", ..., "queue" or "sla" for a group name, with
 * *name the NAME of [queue NAME] and [sla NAME] (else the group itself);
 * NULL when the group is unknown, with *repeatable set when it looked
 * like a [queue ...] or [sla ...] whose NAME is missing or malformed.
 */
static const char *
section_kind(const char *group, const char **name, bool *repeatable)
{
	static const char *const multi[] = { "queue", "sla" };
	size_t i, n;

	*name = group;
	*repeatable = false;
	for (i = 0; i < N_SINGLETONS; i++)
		if (strcmp(group, singletons[i]) == 0)
			return singletons[i];
	for (i = 0; i < 2; i++) {
		n = strlen(multi[i]);
		if (strncmp(group, multi[i], n) != 0 ||
		    (group[n] != ' ' && group[n] != '\0'))
			continue;
		*repeatable = true;
		*name = group + n + (group[n] == ' ');
		if (!pd_conf_value_name_valid(*name, strlen(*name)))
			return NULL;
		return multi[i];
	}
	return NULL;
}

/* section_is - whether group is a section of kind; *name its NAME */
static bool
section_is(const char *group, const char *kind, const char **name)
{
	const char *k;
	bool repeatable;

	k = section_kind(group, name, &repeatable);
	return k != NULL && strcmp(k, kind) == 0;
}

/* key_known - whether the table has key in section kind */
static bool
key_known(const char *kind, const char *key)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++)
		if (strcmp(keys[i].section, kind) == 0 &&
		    strcmp(keys[i].name, key) == 0)
			return true;
	return false;
}

/* conf_check_names - every section and key is in the table */
static int
conf_check_names(struct conf_ctx *ctx)
{
	const struct pd_conf_file *f = &ctx->file;
	const struct pd_conf_line *l;
	const char *kind, *name;
	bool repeatable;

	for (l = f->lines; l < f->lines + f->n_lines; l++) {
		kind = section_kind(l->section, &name, &repeatable);
		if (kind == NULL && repeatable)
			return pd_conf_file_fail(f, l->line, NULL, NULL,
			    "expected [%.*s NAME] with a NAME of letters, "
			    "digits, '_', '.' and '-', got [%s]",
			    (int)strcspn(l->section, " "), l->section,
			    l->section);
		if (kind == NULL)
			return pd_conf_file_fail(f, l->line, NULL, NULL,
			    "unknown section [%s]", l->section);
		if (l->key != NULL && !key_known(kind, l->key))
			return pd_conf_file_fail(f, l->line, NULL, NULL,
			    "unknown key \"%s\" in [%s]", l->key, l->section);
	}
	return PD_OK;
}

/* conf_default - default text of k in a section called name */
static const char *
conf_default(const struct conf_ctx *ctx, const struct pd_conf_key *k,
    const char *name)
{
	if (k->flags & PD_KF_DEFAULT_NAME)
		return name;
	if (k->flags & PD_KF_DEFAULT_LANGUAGE)
		return ctx->conf->language;
	if (k->flags & PD_KF_DEFAULT_TIMEZONE)
		return ctx->conf->timezone;
	return k->def;
}

/*
 * conf_section - parse every key of kind from [group] (NULL: a section
 * that is not in the file) into base; name is the section NAME.
 */
static int
conf_section(struct conf_ctx *ctx, const char *kind, const char *group,
    const char *name, void *base)
{
	const struct pd_conf_key *k;
	const char *def;
	char why[PD_ERR_MSG_MAX];
	char *raw, *text;
	bool ok;

	for (k = keys; k < keys + N_KEYS; k++) {
		if (strcmp(k->section, kind) != 0)
			continue;
		raw = NULL;
		if (group != NULL)
			raw = g_key_file_get_value(ctx->kf, group, k->name,
			    NULL);
		def = conf_default(ctx, k, name);
		if (raw == NULL && (k->flags & PD_KF_REQUIRED))
			return pd_conf_file_fail(&ctx->file, 0, group, NULL,
			    "missing required key \"%s\"", k->name);
		if (raw == NULL && def == NULL)
			continue;
		text = raw != NULL ? pd_conf_value_clean(raw) :
		    pd_xstrdup(def);
		g_free(raw);
		ok = pd_conf_value_parse(k, text, base, why, sizeof(why));
		pd_free(text);
		if (!ok)
			return pd_conf_file_fail(&ctx->file, 0,
			    group != NULL ? group : kind, k->name, "%s", why);
	}
	return PD_OK;
}

/* conf_sla_add - parse [group] (NULL: the built-in one) as SLA name */
static int
conf_sla_add(struct conf_ctx *ctx, const char *group, const char *name)
{
	struct pd_conf *conf = ctx->conf;
	struct pd_conf_sla *sla = &conf->slas[conf->n_slas++];
	int rc;

	sla->name = pd_xstrdup(name);
	rc = conf_section(ctx, "sla", group, name, sla);
	if (rc == PD_OK)
		sla->tz = g_time_zone_new_identifier(sla->timezone);
	if (rc == PD_OK && sla->tz == NULL)	/* tzdata removed meanwhile */
		rc = pd_conf_file_fail(&ctx->file, 0,
		    group != NULL ? group : "sla", "timezone",
		    "unknown time zone \"%s\"", sla->timezone);
	return rc;
}

/* conf_sla_find - the policy called name, or NULL */
static const struct pd_conf_sla *
conf_sla_find(const struct pd_conf *conf, const char *name)
{
	size_t i;

	for (i = 0; i < conf->n_slas; i++)
		if (strcmp(conf->slas[i].name, name) == 0)
			return &conf->slas[i];
	return NULL;
}

/* conf_queue_check - resolve q's policy; its address must be unique */
static int
conf_queue_check(struct conf_ctx *ctx, const char *group,
    struct pd_conf_queue *q)
{
	struct pd_conf *conf = ctx->conf;
	size_t i;
	int rc;

	q->sla = conf_sla_find(conf, q->sla_name);
	if (q->sla == NULL && strcmp(q->sla_name, "standard") == 0 &&
	    conf->n_slas < ctx->max_slas) {
		rc = conf_sla_add(ctx, NULL, "standard");
		if (rc != PD_OK)
			return rc;
		q->sla = &conf->slas[conf->n_slas - 1];
	}
	if (q->sla == NULL)
		return pd_conf_file_fail(&ctx->file, 0, group, "sla",
		    "expected the NAME of an [sla NAME] section, got \"%s\"",
		    q->sla_name);
	for (i = 0; conf->queues + i < q; i++)
		if (strcmp(conf->queues[i].address, q->address) == 0)
			return pd_conf_file_fail(&ctx->file, 0, group,
			    "address", "%s is already the address of "
			    "[queue %s]", q->address,
			    conf->queues[i].name);
	return PD_OK;
}

/* conf_repeated - load every [kind NAME] section: SLAs or queues */
static int
conf_repeated(struct conf_ctx *ctx, const char *kind)
{
	const struct pd_conf_line *l;
	struct pd_conf_queue *q;
	const char *name;
	int rc = PD_OK;

	for (l = ctx->file.lines;
	    l < ctx->file.lines + ctx->file.n_lines && rc == PD_OK; l++) {
		if (l->key != NULL || !section_is(l->section, kind, &name))
			continue;
		if (strcmp(kind, "sla") == 0) {
			rc = conf_sla_add(ctx, l->section, name);
			continue;
		}
		q = &ctx->conf->queues[ctx->conf->n_queues++];
		q->name = pd_xstrdup(name);
		rc = conf_section(ctx, "queue", l->section, name, q);
		if (rc == PD_OK)
			rc = conf_queue_check(ctx, l->section, q);
	}
	return rc;
}

/* conf_count - number of [kind NAME] sections */
static size_t
conf_count(const struct conf_ctx *ctx, const char *kind)
{
	const struct pd_conf_line *l;
	const char *name;
	size_t n = 0;

	for (l = ctx->file.lines; l < ctx->file.lines + ctx->file.n_lines; l++)
		if (l->key == NULL && section_is(l->section, kind, &name))
			n++;
	return n;
}

/* conf_build - the snapshot from the parsed GKeyFile */
static int
conf_build(struct conf_ctx *ctx)
{
	struct pd_conf *conf;
	size_t i, n_queues;
	int rc = PD_OK;

	conf = pd_xcalloc(1, sizeof(*conf));
	ctx->conf = conf;
	conf->refcount = 1;
	conf->path = pd_xstrdup(ctx->file.path);
	for (i = 0; i < N_SINGLETONS && rc == PD_OK; i++)
		rc = conf_section(ctx, singletons[i], singletons[i],
		    singletons[i], conf);
	if (rc != PD_OK)
		return rc;
	n_queues = conf_count(ctx, "queue");
	if (n_queues == 0)
		return pd_conf_file_fail(&ctx->file, 0, NULL, NULL,
		    "no [queue NAME] section; at least one support address "
		    "is required");
	ctx->max_slas = conf_count(ctx, "sla") + 1;
	conf->slas = pd_xcalloc(ctx->max_slas, sizeof(*conf->slas));
	conf->queues = pd_xcalloc(n_queues, sizeof(*conf->queues));
	rc = conf_repeated(ctx, "sla");
	if (rc == PD_OK)
		rc = conf_repeated(ctx, "queue");
	return rc;
}

/* conf_fields_free - release every table member of kind at base */
static void
conf_fields_free(const char *kind, void *base)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++)
		if (strcmp(keys[i].section, kind) == 0)
			pd_conf_value_free(&keys[i], base);
}

/* conf_free - free a snapshot and everything in it */
static void
conf_free(struct pd_conf *conf)
{
	size_t i;

	for (i = 0; i < N_SINGLETONS; i++)
		conf_fields_free(singletons[i], conf);
	for (i = 0; i < conf->n_slas; i++) {
		conf_fields_free("sla", &conf->slas[i]);
		pd_free(conf->slas[i].name);
		if (conf->slas[i].tz != NULL)
			g_time_zone_unref(conf->slas[i].tz);
	}
	for (i = 0; i < conf->n_queues; i++) {
		conf_fields_free("queue", &conf->queues[i]);
		pd_free(conf->queues[i].name);
	}
	pd_free(conf->slas);
	pd_free(conf->queues);
	pd_free(conf->path);
	pd_free(conf);
}

/* pd_conf_load - read, check and build a snapshot */
struct pd_conf *
pd_conf_load(const char *path, struct pd_err *err)
{
	struct pd_conf *conf = NULL;
	struct conf_ctx ctx;
	GError *gerr = NULL;
	int rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.file.path = path;
	ctx.file.err = err;
	rc = pd_conf_file_read(&ctx.file);
	if (rc == PD_OK)
		rc = conf_check_names(&ctx);
	if (rc == PD_OK) {
		ctx.kf = g_key_file_new();
		if (!g_key_file_load_from_data(ctx.kf, ctx.file.text,
		    ctx.file.len, G_KEY_FILE_NONE, &gerr)) {
			rc = pd_conf_file_fail(&ctx.file, 0, NULL, NULL, "%s",
			    gerr->message);
			g_error_free(gerr);
		}
	}
	if (rc == PD_OK)
		rc = conf_build(&ctx);
	if (rc == PD_OK)
		conf = ctx.conf;
	else if (ctx.conf != NULL)
		conf_free(ctx.conf);
	pd_conf_file_free(&ctx.file);
	if (ctx.kf != NULL)
		g_key_file_free(ctx.kf);
	return conf;
}

/* pd_conf_ref - one more holder */
struct pd_conf *
pd_conf_ref(struct pd_conf *conf)
{
	__atomic_add_fetch(&conf->refcount, 1, __ATOMIC_RELAXED);
	return conf;
}

/* pd_conf_unref - one holder less; the last frees the snapshot */
void
pd_conf_unref(struct pd_conf **conf)
{
	if (conf == NULL || *conf == NULL)
		return;
	if (__atomic_sub_fetch(&(*conf)->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		conf_free(*conf);
	*conf = NULL;
}

/* queue_match - whether q's address is local[0..llen)@domain[0..dlen) */
static bool
queue_match(const struct pd_conf_queue *q, const char *local, size_t llen,
    const char *domain, size_t dlen)
{
	const char *at = strrchr(q->address, '@');

	return (size_t)(at - q->address) == llen &&
	    strlen(at + 1) == dlen &&
	    g_ascii_strncasecmp(q->address, local, llen) == 0 &&
	    g_ascii_strncasecmp(at + 1, domain, dlen) == 0;
}

/*
 * pd_conf_queue_by_address - match addr against the support addresses:
 * blanks and one pair of "<>" around it are dropped, the local part ends
 * at the first '+', and the comparison ignores ASCII case.
 */
const struct pd_conf_queue *
pd_conf_queue_by_address(const struct pd_conf *conf, const char *addr)
{
	const char *end, *at, *plus;
	size_t llen, i;

	addr += strspn(addr, " \t");
	addr += *addr == '<';
	end = addr + strlen(addr);
	while (end > addr && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	end -= end > addr && end[-1] == '>';
	for (at = end; at > addr && at[-1] != '@'; at--)
		;
	if (at-- == addr)
		return NULL;		/* no '@' */
	plus = memchr(addr, '+', (size_t)(at - addr));
	llen = (size_t)((plus != NULL ? plus : at) - addr);
	for (i = 0; i < conf->n_queues && llen > 0; i++)
		if (queue_match(&conf->queues[i], addr, llen, at + 1,
		    (size_t)(end - at - 1)))
			return &conf->queues[i];
	return NULL;
}

/* pd_conf_priority_name - the configuration word of a priority */
const char *
pd_conf_priority_name(enum pd_priority p)
{
	if ((unsigned)p >= PD_PRIO_COUNT)
		return "unknown";
	return priority_names[p];
}

/* pd_conf_priority_from_name - "high" -> PD_PRIO_HIGH */
int
pd_conf_priority_from_name(const char *name, enum pd_priority *p)
{
	int i;

	for (i = 0; i < PD_PRIO_COUNT; i++)
		if (strcmp(priority_names[i], name) == 0) {
			*p = (enum pd_priority)i;
			return PD_OK;
		}
	return PD_EINVAL;
}

/* pd_conf_check_reload - every changed key must be reload-safe */
int
pd_conf_check_reload(const struct pd_conf *old, const struct pd_conf *next,
    struct pd_err *err)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++) {
		if ((keys[i].flags & SAFE) ||
		    strcmp(keys[i].section, "queue") == 0 ||
		    strcmp(keys[i].section, "sla") == 0)
			continue;
		if (!pd_conf_value_equal(&keys[i], old, next))
			return pd_err_set(err, PD_EPERMFAIL, "%s: [%s] %s "
			    "changed; a reload cannot apply it, restart "
			    "instead", next->path, keys[i].section,
			    keys[i].name);
	}
	return PD_OK;
}

/* pd_conf_foreach_key - fn(section, key, arg) for every table row */
void
pd_conf_foreach_key(void (*fn)(const char *section, const char *key,
    void *arg), void *arg)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++)
		fn(keys[i].section, keys[i].name, arg);
}
