/*
 * pd_team.c - who is who on the desk: queues, agents, trusted clients
 *
 * PURPOSE	See pd_team.h.
 * DESIGN	Linear scans: a desk has a handful of queues and agents.
 *		Networks were validated by pd_conf ("a.b.c.d[/n]",
 *		"ipv6[/n]"); an IPv4-mapped IPv6 client (::ffff:a.b.c.d) is
 *		matched as the IPv4 address it carries.
 *
 * SPDX-License-Identifier: MIT
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pd_team.h"

/* pd_team_queue_by_name - the [queue NAME] section, or NULL */
const struct pd_conf_queue *
pd_team_queue_by_name(const struct pd_conf *conf, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < conf->n_queues; i++)
		if (strcmp(conf->queues[i].name, name) == 0)
			return &conf->queues[i];
	return NULL;
}

/* team_names - does who (maybe in "<>") name the agent address agent? */
static bool
team_names(const char *agent, const char *who)
{
	const char *at = strchr(agent, '@');
	size_t len;

	who += strspn(who, " \t");
	len = strlen(who);
	if (len >= 2 && who[0] == '<' && who[len - 1] == '>') {
		who++;
		len -= 2;
	}
	if (len == 0)
		return false;
	if (strlen(agent) == len && strncasecmp(agent, who, len) == 0)
		return true;
	return at != NULL && (size_t)(at - agent) == len &&
	    strncasecmp(agent, who, len) == 0;
}

/* pd_team_agent_of - the configured address of q's agent who names */
const char *
pd_team_agent_of(const struct pd_conf_queue *q, const char *who)
{
	size_t i;

	for (i = 0; q != NULL && who != NULL && i < q->n_agents; i++)
		if (team_names(q->agents[i], who))
			return q->agents[i];
	return NULL;
}

/* pd_team_agent - the first queue's agent that who names */
const char *
pd_team_agent(const struct pd_conf *conf, const char *who,
    const struct pd_conf_queue **queue)
{
	const char *agent;
	size_t i;

	for (i = 0; i < conf->n_queues; i++)
		if ((agent = pd_team_agent_of(&conf->queues[i], who)) != NULL) {
			if (queue != NULL)
				*queue = &conf->queues[i];
			return agent;
		}
	return NULL;
}

/* team_prefix_match - the first bits of a and b agree */
static bool
team_prefix_match(const unsigned char *a, const unsigned char *b, int bits)
{
	int full = bits / 8;
	int rest = bits % 8;
	unsigned char mask;

	if (memcmp(a, b, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (unsigned char)(0xff << (8 - rest));
	return (a[full] & mask) == (b[full] & mask);
}

/* team_net_match - does the address (family, bytes) fall in net? */
static bool
team_net_match(const char *net, int family, const unsigned char *addr)
{
	unsigned char want[16];
	char host[64];
	const char *slash = strchr(net, '/');
	size_t hlen = slash ? (size_t)(slash - net) : strlen(net);
	int max = family == AF_INET ? 32 : 128;
	int bits = max;

	if (hlen >= sizeof(host))
		return false;
	memcpy(host, net, hlen);
	host[hlen] = '\0';
	if (inet_pton(family, host, want) != 1)
		return false;		/* the other family */
	if (slash != NULL)
		bits = (int)strtol(slash + 1, NULL, 10);
	if (bits < 0 || bits > max)
		return false;
	return team_prefix_match(want, addr, bits);
}

/* pd_team_trusted - is the client address sa in trusted_networks? */
bool
pd_team_trusted(const struct pd_conf *conf, const struct sockaddr *sa)
{
	static const unsigned char mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};
	const unsigned char *addr;
	int family;
	size_t i;

	if (sa == NULL)
		return false;
	if (sa->sa_family == AF_INET) {
		family = AF_INET;
		addr = (const unsigned char *)
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	} else if (sa->sa_family == AF_INET6) {
		family = AF_INET6;
		addr = (const unsigned char *)
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		if (memcmp(addr, mapped, sizeof(mapped)) == 0) {
			family = AF_INET;
			addr += sizeof(mapped);
		}
	} else {
		return false;
	}
	for (i = 0; i < conf->n_trusted_networks; i++)
		if (team_net_match(conf->trusted_networks[i], family, addr))
			return true;
	return false;
}

/* pd_team_submission - is daemon_name one of submission_names? */
bool
pd_team_submission(const struct pd_conf *conf, const char *daemon_name)
{
	size_t i;

	for (i = 0; daemon_name != NULL && i < conf->n_submission_names; i++)
		if (strcasecmp(conf->submission_names[i], daemon_name) == 0)
			return true;
	return false;
}

/* pd_team_from_name - expand agent_from for one answer */
void
pd_team_from_name(const struct pd_conf_queue *q, const char *agent_name,
    char *buf, size_t len)
{
	const char *f = q->agent_from ? q->agent_from : "%a via %q";
	const char *queue_name = q->display_name ? q->display_name : q->name;
	size_t n = 0;

	if (len == 0)
		return;
	for (; *f != '\0' && n + 1 < len; f++) {
		const char *add = NULL;
		size_t alen;

		if (f[0] == '%' && f[1] == 'a')
			add = agent_name;
		else if (f[0] == '%' && f[1] == 'q')
			add = queue_name;
		else if (f[0] == '%' && f[1] == '%')
			add = "%";
		if (add == NULL) {
			buf[n++] = *f;
			continue;
		}
		f++;
		alen = strlen(add);
		if (alen > len - 1 - n)
			alen = len - 1 - n;
		memcpy(buf + n, add, alen);
		n += alen;
	}
	buf[n] = '\0';
}
