/*
 * pd_csat.c - the satisfaction survey: tokens, timing, scheduling
 *
 * PURPOSE	See pd_csat.h.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <glib.h>
#include <sodium.h>

#include "pd_csat.h"
#include "pd_mem.h"
#include "pd_msgid.h"
#include "pd_sla.h"

#define CSAT_TOKEN_BYTES	10
#define CSAT_PREFIX		"+csat-"

static const char base32[] = "0123456789abcdefghjkmnpqrstvwxyz";

/* csat_token - the 16-character token of (survey, grade) */
static void
csat_token(const struct pd_key *key, int64_t survey_id, int grade,
    char out[PD_CSAT_TOKEN_LEN + 1])
{
	unsigned char mac[PD_MAC_BYTES];
	char msg[64];
	unsigned acc = 0;
	int bits = 0, i, o = 0;
	int n;

	n = snprintf(msg, sizeof(msg), "csat|%lld|%d|v1",
	    (long long)survey_id, grade);
	pd_key_mac(key, PD_KEY_CSAT, msg, (size_t)n, mac);
	for (i = 0; i < CSAT_TOKEN_BYTES; i++) {
		acc = (acc << 8) | mac[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = base32[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	out[o] = '\0';
	sodium_memzero(mac, sizeof(mac));
}

/* pd_csat_address - see pd_csat.h */
int
pd_csat_address(const struct pd_key *key, const char *queue_address,
    int64_t survey_id, int grade, char *out, size_t outlen)
{
	const char *at = strrchr(queue_address, '@');
	char token[PD_CSAT_TOKEN_LEN + 1];
	int n;

	if (at == NULL || survey_id <= 0 || grade < 0 || grade > 9)
		return PD_EINVAL;
	csat_token(key, survey_id, grade, token);
	n = snprintf(out, outlen, "%.*s" CSAT_PREFIX "%lld-%d-%s%s",
	    (int)(at - queue_address), queue_address, (long long)survey_id,
	    grade, token, at);
	return n > 0 && (size_t)n < outlen && n <= PD_CSAT_ADDR_MAX ? PD_OK :
	    PD_EINVAL;
}

/* pd_csat_parse - see pd_csat.h; local parts compare in lower case */
int
pd_csat_parse(const struct pd_key *key, const char *rcpt,
    int64_t *survey_id, int *grade)
{
	char want[PD_CSAT_TOKEN_LEN + 1];
	char got[PD_CSAT_TOKEN_LEN + 1];
	char low[PD_CSAT_ADDR_MAX + 3];
	const char *p, *at;
	char *end;
	long long id;
	long g;
	int i;

	if (strlen(rcpt) >= sizeof(low))
		return PD_ENOTFOUND;
	for (i = 0; rcpt[i] != '\0'; i++)
		low[i] = (char)g_ascii_tolower(rcpt[i]);
	low[i] = '\0';
	p = strstr(low, CSAT_PREFIX);
	at = strrchr(low, '@');
	if (p == NULL || at == NULL || p > at)
		return PD_ENOTFOUND;
	p += strlen(CSAT_PREFIX);
	id = strtoll(p, &end, 10);
	if (end == p || *end != '-' || id <= 0)
		return PD_EAUTH;
	p = end + 1;
	g = strtol(p, &end, 10);
	if (end == p || *end != '-' || g < 0 || g > 9)
		return PD_EAUTH;
	p = end + 1;
	if (at - p != PD_CSAT_TOKEN_LEN)
		return PD_EAUTH;
	memcpy(got, p, PD_CSAT_TOKEN_LEN);
	got[PD_CSAT_TOKEN_LEN] = '\0';
	csat_token(key, id, (int)g, want);
	if (sodium_memcmp(want, got, PD_CSAT_TOKEN_LEN) != 0)
		return PD_EAUTH;
	*survey_id = id;
	*grade = (int)g;
	return PD_OK;
}

/* csat_day_seconds - the policy's longest open day, in seconds */
static long
csat_day_seconds(const struct pd_conf_sla *sla)
{
	long best = 0;
	int d;

	for (d = 0; d < 7; d++) {
		long len = (long)(sla->hours[d].close_min -
		    sla->hours[d].open_min) * 60;

		if (len > best)
			best = len;
	}
	return best > 0 ? best : 86400;
}

/* pd_csat_times - see pd_csat.h */
int
pd_csat_times(const struct pd_conf *conf, const struct pd_conf_sla *sla,
    int64_t resolved_at, int64_t *due, int64_t *expires)
{
	int64_t open;
	int rc;

	rc = pd_sla_due(sla, resolved_at, csat_day_seconds(sla), expires);
	if (rc == PD_OK)
		rc = pd_sla_next_open(sla, resolved_at + conf->csat_delay,
		    &open);
	if (rc != PD_OK)
		return rc;
	*due = open < *expires ? open : *expires;
	return PD_OK;
}

/* csat_excluded - is the customer in [csat] exclude? */
static bool
csat_excluded(const struct pd_conf *conf, const char *customer)
{
	const char *at = strrchr(customer, '@');
	size_t i;

	for (i = 0; i < conf->n_csat_exclude; i++) {
		const char *p = conf->csat_exclude[i];

		if (p[0] == '*' && p[1] == '@' ? at != NULL &&
		    strcasecmp(p + 2, at + 1) == 0 :
		    strcasecmp(p, customer) == 0)
			return true;
	}
	return false;
}

/* pd_csat_schedule - see pd_csat.h */
int
pd_csat_schedule(struct pd_store *st, const struct pd_conf *conf,
    const struct pd_conf_queue *q, const struct pd_ticket *t, int64_t now,
    const char **why)
{
	const char *at = strrchr(q->address, '@');
	char msgid[PD_MSGID_MAX + 1];
	struct pd_outbox o = { 0 };
	long answered = 0, bounced = 0;
	int rc;

	*why = NULL;
	if (t->customer == NULL || t->customer[0] == '\0')
		*why = "no-customer";
	else if (csat_excluded(conf, t->customer))
		*why = "excluded";
	if (*why != NULL)
		return PD_OK;
	rc = pd_store_csat_answered(st, t->id, &answered);
	if (rc == PD_OK)
		rc = pd_store_outbox_bounced(st, t->customer, &bounced);
	if (rc != PD_OK)
		return rc;
	*why = answered > 0 ? "answered" : bounced > 0 ? "bounced" : NULL;
	if (*why != NULL)
		return PD_OK;
	if (pd_msgid_generate(at ? at + 1 : "localhost", msgid,
	    sizeof(msgid)) != PD_OK ||
	    pd_csat_times(conf, q->sla, now, &o.due_at, &o.expires_at) !=
	    PD_OK)
		return PD_EINTERNAL;
	o.kind = "csat";
	o.ticket_id = t->id;
	o.recipient = t->customer;
	o.message_id = msgid;
	o.created_at = now;
	return pd_store_outbox_insert(st, &o);
}

/* pd_csat_cancel - see pd_csat.h */
int
pd_csat_cancel(struct pd_store *st, int64_t ticket_id)
{
	long n = 0;

	return pd_store_outbox_cancel(st, ticket_id, "csat", "reopened", &n);
}

/*
 * csat_quote_start - does this line start what the customer's client
 * quoted?  "> ..." lines, "-----Original Message-----", a "From:"
 * header block, and attribution lines ("On ... wrote:", "В ... писал:")
 */
static bool
csat_quote_start(const char *line, size_t len)
{
	static const struct {
		const char	*prefix;
		bool		 colon_end;	/* the line must end with ':' */
	} markers[] = {
		{ ">", false }, { "-----", false }, { "From:", false },
		{ "От:", false }, { "On ", true }, { "В ", true },
		{ "Le ", true }, { "Am ", true },
	};
	size_t end = len;
	size_t i;

	while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\r'))
		end--;
	for (i = 0; i < sizeof(markers) / sizeof(markers[0]); i++) {
		size_t plen = strlen(markers[i].prefix);
		bool colon = end > 0 && line[end - 1] == ':';

		if (len >= plen && strncmp(line, markers[i].prefix,
		    plen) == 0 && (!markers[i].colon_end || colon))
			return true;
	}
	return false;
}

/* pd_csat_comment - see pd_csat.h */
char *
pd_csat_comment(const char *text, int grades, int *digit)
{
	GString *out = g_string_new(NULL);
	const char *p = text ? text : "";
	char *result = NULL;

	*digit = 0;
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (csat_quote_start(p, len))
			break;
		g_string_append_len(out, p, (gssize)len);
		g_string_append_c(out, '\n');
		p += len + (nl != NULL);
	}
	g_strstrip(out->str);
	if (out->str[0] != '\0' && g_utf8_validate(out->str, -1, NULL)) {
		if (out->str[1] == '\0' && out->str[0] >= '1' &&
		    out->str[0] <= '0' + grades)
			*digit = out->str[0] - '0';
		else
			result = pd_xstrdup(out->str);
	}
	g_string_free(out, TRUE);
	return result;
}

/* pd_csat_top_grade - see pd_csat.h */
int
pd_csat_top_grade(int grades)
{
	return grades >= 5 ? grades - 1 : grades;
}
