/*
 * pd_conf_addr.c - configuration value types: hosts, addresses, address
 *		    lists, networks, sockets and relays
 *
 * PURPOSE	The parsers of the key table for everything that names a
 *		mailbox or a network endpoint.
 * DESIGN	Addresses are plain dot-atoms (no quoted local parts, no
 *		comments, no IP-literal domains), stored in lower case.  Host
 *		names are LDH labels.  Networks are checked with inet_pton()
 *		and must have no host bits set beyond the prefix.  Sockets
 *		follow libmilter: unix:/path and local:/path (absolute, shorter
 *		than sun_path), inet:PORT@HOST, inet6:PORT@HOST (HOST may be
 *		[ipv6]); a host is required, so the milter never listens on
 *		every interface by accident.
 * OWNERSHIP	As pd_conf_value.h.
 * ERRORS	false plus the message tail in why; nothing is logged.
 * THREADS	Reentrant.
 * SEE ALSO	pd_conf_value.c, doc/postdesk.conf.5.
 *
 * SPDX-License-Identifier: MIT
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "pd_conf_value.h"
#include "pd_mem.h"

#define HOST_MAX	253
#define LOCAL_MAX	64
#define SUN_PATH_MAX	sizeof(((struct sockaddr_un *)NULL)->sun_path)

/* is_digit - ASCII digit, whatever the locale */
static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* is_alnum - ASCII letter or digit */
static bool
is_alnum(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* ip_literal - whether s[0..len) is an address of family af */
static bool
ip_literal(const char *s, size_t len, int af)
{
	unsigned char addr[16];
	char buf[64];

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return inet_pton(af, buf, addr) == 1;
}

/* host_valid - s[0..len) is a host or domain name (LDH labels) */
static bool
host_valid(const char *s, size_t len)
{
	size_t i;
	size_t label = 0;

	if (len == 0 || len > HOST_MAX)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!is_alnum(s[i]) && s[i] != '-')
			return false;
		if (s[i] == '-' && label == 0)
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0 && s[len - 1] != '-';
}

/* decimal - s[0..len) is 1 to 9 digits; *v their value */
static bool
decimal(const char *s, size_t len, long *v)
{
	size_t i;

	*v = 0;
	if (len == 0 || len > 9)
		return false;
	for (i = 0; i < len; i++) {
		if (!is_digit(s[i]))
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

/* port_valid - s[0..len) is a decimal port 1..65535 */
static bool
port_valid(const char *s, size_t len)
{
	long port;

	return decimal(s, len, &port) && port >= 1 && port <= 65535;
}

/* address_valid - local@domain as a dot-atom; detail: '+' allowed */
static bool
address_valid(const char *s, bool detail)
{
	const char *at = strrchr(s, '@');
	size_t i, n;

	if (at == NULL)
		return false;
	n = (size_t)(at - s);
	if (n == 0 || n > LOCAL_MAX || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == '+' && !detail)
			return false;
		if (s[i] == '.' && s[i + 1] == '.')
			return false;
		if (!is_alnum(s[i]) && strchr("!#$%&'*+-/=?^_`{|}~.", s[i])
		    == NULL)
			return false;
	}
	return host_valid(at + 1, strlen(at + 1));
}

/* pd_conf_addr_host - a host name or an IP address */
bool
pd_conf_addr_host(const struct pd_conf_key *key, const char *text, void *base,
    char *why, size_t whylen)
{
	size_t n = strlen(text);

	if (!host_valid(text, n) && !ip_literal(text, n, AF_INET6))
		return pd_conf_value_expect(why, whylen,
		    "a host name like mx.example.com", text);
	pd_conf_value_set_str(key, base, pd_conf_value_lower(pd_xstrdup(text)));
	return true;
}

/* pd_conf_addr_address - one address; no "+detail" with PD_KF_NO_DETAIL */
bool
pd_conf_addr_address(const struct pd_conf_key *key, const char *text,
    void *base, char *why, size_t whylen)
{
	bool detail = (key->flags & PD_KF_NO_DETAIL) == 0;

	if (!address_valid(text, detail))
		return pd_conf_value_expect(why, whylen, detail ?
		    "an address like support@example.com" :
		    "an address like support@example.com (without \"+\")",
		    text);
	pd_conf_value_set_str(key, base, pd_conf_value_lower(pd_xstrdup(text)));
	return true;
}

/* network_valid - "a.b.c.d[/n]" or "ipv6[/n]" without host bits */
static bool
network_valid(const char *s)
{
	unsigned char addr[16];
	const char *slash = strchr(s, '/');
	size_t n = slash != NULL ? (size_t)(slash - s) : strlen(s);
	char buf[64];
	long bits = 0, max;
	size_t i;

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, addr) == 1)
		max = 32;
	else if (inet_pton(AF_INET6, buf, addr) == 1)
		max = 128;
	else
		return false;
	if (slash == NULL)
		return true;
	if (!decimal(slash + 1, strlen(slash + 1), &bits) || bits > max)
		return false;
	for (i = 0; i < (size_t)max / 8; i++) {
		long keep = bits - (long)i * 8;
		unsigned mask = keep >= 8 ? 0 : keep <= 0 ? 0xff :
		    0xffu >> keep;

		if ((addr[i] & mask) != 0)
			return false;
	}
	return true;
}

/* item_valid - one item of an address, pattern or network list */
static bool
item_valid(enum pd_conf_type type, const char *s)
{
	if (type == PD_CT_NETWORK_LIST)
		return network_valid(s);
	if (type == PD_CT_PATTERN_LIST && s[0] == '*' && s[1] == '@')
		return host_valid(s + 2, strlen(s + 2));
	return address_valid(s, true);
}

/* pd_conf_addr_list - address, pattern and network lists */
bool
pd_conf_addr_list(const struct pd_conf_key *key, const char *text, void *base,
    char *why, size_t whylen)
{
	static const char *const what[] = {
		"an address like alice@example.com",
		"an address or a pattern like *@example.com",
		"a network like 192.0.2.0/24 or 2001:db8::/32",
	};
	char **items;
	size_t i, n;
	int w = key->type == PD_CT_ADDRESS_LIST ? 0 :
	    key->type == PD_CT_PATTERN_LIST ? 1 : 2;

	if (!pd_conf_value_split(text, &items, &n))
		return pd_conf_value_expect(why, whylen,
		    "a comma-separated list without empty items", text);
	for (i = 0; i < n; i++) {
		if (!item_valid(key->type, items[i])) {
			pd_conf_value_expect(why, whylen, what[w], items[i]);
			pd_conf_value_strv_free(&items, n);
			return false;
		}
		pd_conf_value_lower(items[i]);
	}
	pd_conf_value_free(key, base);
	*PD_CONF_MEMBER(base, key->off, char **) = items;
	*PD_CONF_MEMBER(base, key->off_n, size_t) = n;
	return true;
}

/* inet_valid - "PORT@HOST" of libmilter's inet: and inet6: sockets */
static bool
inet_valid(const char *s, int af)
{
	const char *at = strchr(s, '@');
	const char *host;
	size_t n;

	if (at == NULL || !port_valid(s, (size_t)(at - s)))
		return false;
	host = at + 1;
	n = strlen(host);
	if (af == AF_INET6 && n > 2 && host[0] == '[' && host[n - 1] == ']')
		return ip_literal(host + 1, n - 2, AF_INET6);
	return host_valid(host, n) || ip_literal(host, n, af);
}

/* has_prefix - whether s starts with prefix; *rest is what follows */
static bool
has_prefix(const char *s, const char *prefix, const char **rest)
{
	size_t n = strlen(prefix);

	*rest = s + n;
	return strncmp(s, prefix, n) == 0;
}

/* pd_conf_addr_socket - libmilter socket: unix:, local:, inet:, inet6: */
bool
pd_conf_addr_socket(const struct pd_conf_key *key, const char *text, void *base,
    char *why, size_t whylen)
{
	const char *rest;
	bool ok;

	if (has_prefix(text, "unix:", &rest) ||
	    has_prefix(text, "local:", &rest))
		ok = rest[0] == '/' && strlen(rest) < SUN_PATH_MAX &&
		    strpbrk(rest, " \t") == NULL;
	else if (has_prefix(text, "inet:", &rest))
		ok = inet_valid(rest, AF_INET);
	else if (has_prefix(text, "inet6:", &rest))
		ok = inet_valid(rest, AF_INET6);
	else
		ok = false;
	if (!ok)
		return pd_conf_value_expect(why, whylen, "unix:/PATH, "
		    "local:/PATH, inet:PORT@HOST or inet6:PORT@HOST", text);
	pd_conf_value_set_str(key, base, pd_xstrdup(text));
	return true;
}

/* pd_conf_addr_relay - "host:port" or "[ipv6]:port" */
bool
pd_conf_addr_relay(const struct pd_conf_key *key, const char *text, void *base,
    char *why, size_t whylen)
{
	const char *colon = strrchr(text, ':');
	const char *close;
	bool ok = false;

	if (text[0] == '[') {
		close = strchr(text, ']');
		ok = close != NULL && close[1] == ':' &&
		    ip_literal(text + 1, (size_t)(close - text - 1),
		    AF_INET6) && port_valid(close + 2, strlen(close + 2));
	} else if (colon != NULL && strchr(text, ':') == colon) {
		ok = host_valid(text, (size_t)(colon - text)) &&
		    port_valid(colon + 1, strlen(colon + 1));
	}
	if (!ok)
		return pd_conf_value_expect(why, whylen,
		    "HOST:PORT or [IPv6]:PORT like 127.0.0.1:10026", text);
	pd_conf_value_set_str(key, base, pd_conf_value_lower(pd_xstrdup(text)));
	return true;
}
