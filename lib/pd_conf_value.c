/*
 * pd_conf_value.c - configuration value types: text, names, paths,
 *		     integers, choices, tag prefixes; the dispatcher
 *
 * PURPOSE	The scalar parsers of the key table, the dispatcher
 *		pd_conf_value_parse() (one parser per enum pd_conf_type) and
 *		the helpers every parser shares (comment stripping, comma
 *		lists, error text).  Addresses and endpoints are parsed in
 *		pd_conf_addr.c, time and calendar types in pd_conf_time.c.
 * DESIGN	Parsers are strict: a value is accepted only in the form the
 *		manual documents, so a typo is an error and not a surprise at
 *		run time.  Text values are at most 256 printable characters,
 *		paths absolute and shorter than 4096 bytes.
 * OWNERSHIP	See pd_conf_value.h: stored values are pd_x* allocations
 *		owned by the struct they were stored into.
 * ERRORS	false plus the message tail in why; nothing is logged.
 * THREADS	Reentrant.
 * SEE ALSO	pd_conf_value.h, pd_conf_addr.c, pd_conf_time.c,
 *		doc/postdesk.conf.5.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "pd_conf.h"
#include "pd_conf_value.h"
#include "pd_mem.h"
#include "pd_tag.h"

#define VALUE_TEXT_MAX	256		/* display names, authserv_id */
#define VALUE_PATH_MAX	4096
#define VALUE_SHOWN	120		/* bytes of a bad value quoted back */

typedef bool (*value_parse_fn)(const struct pd_conf_key *, const char *,
    void *, char *, size_t);

/* is_blank - space or tab */
static bool
is_blank(int c)
{
	return c == ' ' || c == '\t';
}

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

/* pd_conf_value_lower - ASCII lower case of s, in place; returns s */
char *
pd_conf_value_lower(char *s)
{
	char *p;

	for (p = s; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return s;
}

/* pd_conf_value_set_str - store s as key's char * member */
void
pd_conf_value_set_str(const struct pd_conf_key *key, void *base, char *s)
{
	char **slot = PD_CONF_MEMBER(base, key->off, char *);

	pd_free(*slot);
	*slot = s;
}

/* pd_conf_value_clean - strip a trailing "# comment" and outer blanks */
char *
pd_conf_value_clean(const char *raw)
{
	size_t start = 0;
	size_t end;

	for (end = 0; raw[end] != '\0'; end++)
		if (raw[end] == '#' && (end == 0 || is_blank(raw[end - 1])))
			break;
	while (start < end && is_blank(raw[start]))
		start++;
	while (end > start && (is_blank(raw[end - 1]) || raw[end - 1] == '\r'))
		end--;
	return pd_xstrndup(raw + start, end - start);
}

/* pd_conf_value_expect - the usual message tail; always returns false */
bool
pd_conf_value_expect(char *why, size_t whylen, const char *what,
    const char *text)
{
	snprintf(why, whylen, "expected %s, got \"%.*s%s\"", what, VALUE_SHOWN,
	    text, strlen(text) > VALUE_SHOWN ? "..." : "");
	return false;
}

/* pd_conf_value_name_valid - section NAME syntax */
bool
pd_conf_value_name_valid(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len > 64)
		return false;
	for (i = 0; i < len; i++)
		if (!is_alnum(name[i]) && strchr("_.-", name[i]) == NULL)
			return false;
	return true;
}

/* pd_conf_value_strv_free - free a string array of n items */
void
pd_conf_value_strv_free(char ***items, size_t n)
{
	size_t i;

	if (*items == NULL)
		return;
	for (i = 0; i < n; i++)
		pd_free((*items)[i]);
	pd_xfree(items);
}

/*
 * pd_conf_value_split - split a comma list into trimmed, non-empty items.
 * An all-blank text is the empty list (*items NULL, *n 0).  An empty item
 * ("a,,b", "a,") makes it return false with nothing allocated.
 */
bool
pd_conf_value_split(const char *text, char ***items, size_t *n)
{
	const char *p;
	const char *comma;
	size_t count = 1;
	size_t s, e;

	*items = NULL;
	*n = 0;
	for (p = text; is_blank(*p); p++)
		;
	if (*p == '\0')
		return true;
	for (p = text; *p != '\0'; p++)
		count += *p == ',';
	*items = pd_xcalloc(count, sizeof(char *));
	for (p = text; *n < count; p = comma + 1) {
		comma = strchr(p, ',');
		e = comma != NULL ? (size_t)(comma - p) : strlen(p);
		for (s = 0; s < e && is_blank(p[s]); s++)
			;
		while (e > s && is_blank(p[e - 1]))
			e--;
		if (e == s) {
			pd_conf_value_strv_free(items, *n);
			*n = 0;
			return false;
		}
		(*items)[(*n)++] = pd_xstrndup(p + s, e - s);
		if (comma == NULL)
			break;
	}
	return true;
}

/* printable - no control characters (UTF-8 was checked by the loader) */
static bool
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* parse_string - printable, non-empty text */
static bool
parse_string(const struct pd_conf_key *key, const char *text, void *base,
    char *why, size_t whylen)
{
	if (*text == '\0' || strlen(text) > VALUE_TEXT_MAX || !printable(text))
		return pd_conf_value_expect(why, whylen,
		    "a text of 1 to 256 printable characters", text);
	pd_conf_value_set_str(key, base, pd_xstrdup(text));
	return true;
}

/* parse_name - the NAME of an [sla NAME] or [queue NAME] section */
static bool
parse_name(const struct pd_conf_key *key, const char *text, void *base,
    char *why, size_t whylen)
{
	if (!pd_conf_value_name_valid(text, strlen(text)))
		return pd_conf_value_expect(why, whylen,
		    "a section name of letters, digits, '_', '.' and '-'",
		    text);
	pd_conf_value_set_str(key, base, pd_xstrdup(text));
	return true;
}

/* parse_path - an absolute path */
static bool
parse_path(const struct pd_conf_key *key, const char *text, void *base,
    char *why, size_t whylen)
{
	if (text[0] != '/' || strlen(text) >= VALUE_PATH_MAX ||
	    !printable(text))
		return pd_conf_value_expect(why, whylen, "an absolute path",
		    text);
	pd_conf_value_set_str(key, base, pd_xstrdup(text));
	return true;
}

/* parse_int - a decimal integer within key's bounds */
static bool
parse_int(const struct pd_conf_key *key, const char *text, void *base,
    char *why, size_t whylen)
{
	char what[96];
	long v = 0;
	const char *p;

	snprintf(what, sizeof(what), "an integer from %ld to %ld", key->min,
	    key->max);
	if (*text == '\0')
		return pd_conf_value_expect(why, whylen, what, text);
	for (p = text; *p != '\0'; p++)
		if (!is_digit(*p) || __builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, *p - '0', &v))
			return pd_conf_value_expect(why, whylen, what, text);
	if (v < key->min || v > key->max)
		return pd_conf_value_expect(why, whylen, what, text);
	*PD_CONF_MEMBER(base, key->off, long) = v;
	return true;
}

/* choices_text - "\"a\", \"b\" or \"c\"" into buf */
static void
choices_text(const struct pd_conf_choice *c, char *buf, size_t len)
{
	size_t used = 0;
	size_t i;

	buf[0] = '\0';
	for (i = 0; c[i].text != NULL && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s\"%s\"",
		    i == 0 ? "" : c[i + 1].text == NULL ? " or " : ", ",
		    c[i].text);
}

/* find_choice - the choice whose text is text, or NULL */
static const struct pd_conf_choice *
find_choice(const struct pd_conf_key *key, const char *text, char *why,
    size_t whylen)
{
	const struct pd_conf_choice *c;
	char what[128];

	for (c = key->choices; c->text != NULL; c++)
		if (strcmp(c->text, text) == 0)
			return c;
	choices_text(key->choices, what, sizeof(what));
	pd_conf_value_expect(why, whylen, what, text);
	return NULL;
}

/* parse_enum - one of key->choices, stored as its int value */
static bool
parse_enum(const struct pd_conf_key *key, const char *text, void *base,
    char *why, size_t whylen)
{
	const struct pd_conf_choice *c = find_choice(key, text, why, whylen);

	if (c == NULL)
		return false;
	*PD_CONF_MEMBER(base, key->off, int) = c->value;
	return true;
}

/* parse_language - one of key->choices, stored as text */
static bool
parse_language(const struct pd_conf_key *key, const char *text, void *base,
    char *why, size_t whylen)
{
	const struct pd_conf_choice *c = find_choice(key, text, why, whylen);

	if (c == NULL)
		return false;
	pd_conf_value_set_str(key, base, pd_xstrdup(c->text));
	return true;
}

/* parse_tag_prefix - the prefix of ticket tags */
static bool
parse_tag_prefix(const struct pd_conf_key *key, const char *text,
    void *base, char *why, size_t whylen)
{
	if (!pd_tag_prefix_valid(text))
		return pd_conf_value_expect(why, whylen, "1 to 16 upper-case "
		    "letters and digits starting with a letter, like PD", text);
	pd_conf_value_set_str(key, base, pd_xstrdup(text));
	return true;
}

/*
 * parse_words - comma-separated phrases (complaint keywords): printable
 * UTF-8, stored in lower case so matching can be case-insensitive
 */
static bool
parse_words(const struct pd_conf_key *key, const char *text, void *base,
    char *why, size_t whylen)
{
	char **items;
	size_t i, n;

	if (!pd_conf_value_split(text, &items, &n))
		return pd_conf_value_expect(why, whylen,
		    "a comma-separated list without empty items", text);
	for (i = 0; i < n; i++) {
		const char *p;
		char *low;

		for (p = items[i]; *p && (unsigned char)*p >= 0x20; p++)
			;
		if (*p != '\0' || !g_utf8_validate(items[i], -1, NULL)) {
			pd_conf_value_expect(why, whylen,
			    "printable UTF-8 words", items[i]);
			pd_conf_value_strv_free(&items, n);
			return false;
		}
		low = g_utf8_strdown(items[i], -1);
		pd_free(items[i]);
		items[i] = pd_xstrdup(low);
		g_free(low);
	}
	pd_conf_value_free(key, base);
	*PD_CONF_MEMBER(base, key->off, char **) = items;
	*PD_CONF_MEMBER(base, key->off_n, size_t) = n;
	return true;
}

static const value_parse_fn parsers[] = {
	[PD_CT_STRING] = parse_string,
	[PD_CT_NAME] = parse_name,
	[PD_CT_PATH] = parse_path,
	[PD_CT_HOST] = pd_conf_addr_host,
	[PD_CT_INT] = parse_int,
	[PD_CT_DURATION] = pd_conf_time_duration,
	[PD_CT_ENUM] = parse_enum,
	[PD_CT_LANGUAGE] = parse_language,
	[PD_CT_ADDRESS] = pd_conf_addr_address,
	[PD_CT_ADDRESS_LIST] = pd_conf_addr_list,
	[PD_CT_PATTERN_LIST] = pd_conf_addr_list,
	[PD_CT_NETWORK_LIST] = pd_conf_addr_list,
	[PD_CT_SOCKET] = pd_conf_addr_socket,
	[PD_CT_RELAY] = pd_conf_addr_relay,
	[PD_CT_TIMEZONE] = pd_conf_time_zone,
	[PD_CT_TAG_PREFIX] = parse_tag_prefix,
	[PD_CT_HOURS] = pd_conf_time_hours,
	[PD_CT_DATE_LIST] = pd_conf_time_dates,
	[PD_CT_PRIO_DURATIONS] = pd_conf_time_prio,
	[PD_CT_SCHEDULE] = pd_conf_time_schedule,
	[PD_CT_WORD_LIST] = parse_words,
};

/* pd_conf_value_parse - dispatch on the key's type */
bool
pd_conf_value_parse(const struct pd_conf_key *key, const char *text,
    void *base, char *why, size_t whylen)
{
	return parsers[key->type](key, text, base, why, whylen);
}

/* is_list - types stored as char ** plus a count */
static bool
is_list(enum pd_conf_type type)
{
	return type == PD_CT_ADDRESS_LIST || type == PD_CT_PATTERN_LIST ||
	    type == PD_CT_NETWORK_LIST || type == PD_CT_WORD_LIST;
}

/* is_scalar - types stored as a long, an int or inline arrays */
static bool
is_scalar(enum pd_conf_type type)
{
	return type == PD_CT_INT || type == PD_CT_DURATION ||
	    type == PD_CT_ENUM || type == PD_CT_HOURS ||
	    type == PD_CT_PRIO_DURATIONS;
}

/* pd_conf_value_free - release the member of key at base */
void
pd_conf_value_free(const struct pd_conf_key *key, void *base)
{
	size_t *n;

	if (is_list(key->type)) {
		n = PD_CONF_MEMBER(base, key->off_n, size_t);
		pd_conf_value_strv_free(PD_CONF_MEMBER(base, key->off,
		    char **), *n);
		*n = 0;
	} else if (key->type == PD_CT_DATE_LIST) {
		pd_xfree(PD_CONF_MEMBER(base, key->off, int *));
		*PD_CONF_MEMBER(base, key->off_n, size_t) = 0;
	} else if (!is_scalar(key->type)) {
		pd_xfree(PD_CONF_MEMBER(base, key->off, char *));
	}
}

/* value_size - bytes of an inline member compared with memcmp */
static size_t
value_size(enum pd_conf_type type)
{
	switch (type) {
	case PD_CT_ENUM:
		return sizeof(int);
	case PD_CT_HOURS:
		return 7 * sizeof(struct pd_conf_hours);
	case PD_CT_PRIO_DURATIONS:
		return PD_PRIO_COUNT * sizeof(long);
	default:
		return sizeof(long);
	}
}

/* str_equal - NULL-tolerant strcmp() == 0 */
static bool
str_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* pd_conf_value_equal - compare key's member of two structs */
bool
pd_conf_value_equal(const struct pd_conf_key *key, const void *a,
    const void *b)
{
	const char *pa = (const char *)a + key->off;
	const char *pb = (const char *)b + key->off;
	size_t na = 0, nb = 0, i;

	if (is_scalar(key->type))
		return memcmp(pa, pb, value_size(key->type)) == 0;
	if (!is_list(key->type) && key->type != PD_CT_DATE_LIST)
		return str_equal(*(char *const *)(const void *)pa,
		    *(char *const *)(const void *)pb);
	memcpy(&na, (const char *)a + key->off_n, sizeof(na));
	memcpy(&nb, (const char *)b + key->off_n, sizeof(nb));
	if (na != nb)
		return false;
	if (key->type == PD_CT_DATE_LIST)
		return na == 0 || memcmp(*(int *const *)(const void *)pa,
		    *(int *const *)(const void *)pb, na * sizeof(int)) == 0;
	for (i = 0; i < na; i++)
		if (!str_equal((*(char **const *)(const void *)pa)[i],
		    (*(char **const *)(const void *)pb)[i]))
			return false;
	return true;
}
