/*
 * pd_tag.c - ticket tags: format, find and verify "[PD-<n>-<code>]"
 *
 * PURPOSE	See pd_tag.h.
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "pd_err.h"
#include "pd_tag.h"

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* ascii_upper - upper-case an ASCII letter */
static int
ascii_upper(int c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

/* crockford_canon - canonical code character for c, or 0 */
static char
crockford_canon(int c)
{
	c = ascii_upper(c);
	if (c == 'O')
		return '0';
	if (c == 'I' || c == 'L')
		return '1';
	if (c == 'U')
		return 0;
	if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))
		return (char)c;
	return 0;
}

/* pd_tag_prefix_valid - prefix syntax check */
bool
pd_tag_prefix_valid(const char *prefix)
{
	size_t i;
	size_t n = strlen(prefix);

	if (n == 0 || n > PD_TAG_PREFIX_MAX)
		return false;
	if (!(prefix[0] >= 'A' && prefix[0] <= 'Z'))
		return false;
	for (i = 1; i < n; i++)
		if (!((prefix[i] >= 'A' && prefix[i] <= 'Z') ||
		    (prefix[i] >= '0' && prefix[i] <= '9')))
			return false;
	return true;
}

/* tag_code - compute the canonical check code of prefix and number */
static void
tag_code(const struct pd_key *key, const char *prefix, uint64_t number,
    char code[PD_TAG_CODE_LEN + 1])
{
	unsigned char mac[PD_MAC_BYTES];
	char msg[PD_TAG_PREFIX_MAX + 40];
	unsigned bits = 0;
	unsigned acc = 0;
	size_t i = 0;
	size_t o = 0;
	int n;

	n = snprintf(msg, sizeof(msg), "tag|%s|%llu|v1", prefix,
	    (unsigned long long)number);
	pd_key_mac(key, PD_KEY_TAG, msg, (size_t)n, mac);
	while (o < PD_TAG_CODE_LEN) {
		if (bits < 5) {
			acc = (acc << 8) | mac[i++];
			bits += 8;
		}
		code[o++] = crockford[(acc >> (bits - 5)) & 31];
		bits -= 5;
	}
	code[o] = '\0';
	sodium_memzero(mac, sizeof(mac));
}

/* pd_tag_format - "[PREFIX-N-CODE]" */
int
pd_tag_format(const struct pd_key *key, const char *prefix, uint64_t number,
    char *out, size_t outlen)
{
	char code[PD_TAG_CODE_LEN + 1];
	int n;

	if (!pd_tag_prefix_valid(prefix) || number == 0 ||
	    number >= 1000000000000000ULL)
		return PD_EINVAL;
	tag_code(key, prefix, number, code);
	n = snprintf(out, outlen, "[%s-%llu-%s]", prefix,
	    (unsigned long long)number, code);
	return n > 0 && (size_t)n < outlen ? PD_OK : PD_EINVAL;
}

/* tag_match_at - parse a tag starting at text[i] == '[' */
static bool
tag_match_at(const char *text, size_t len, size_t i, const char *prefix,
    struct pd_tag_match *m)
{
	size_t plen = strlen(prefix);
	size_t p = i + 1;
	size_t k;
	uint64_t num = 0;
	size_t digits = 0;

	if (p + plen + 1 > len)
		return false;
	for (k = 0; k < plen; k++)
		if (ascii_upper((unsigned char)text[p + k]) != prefix[k])
			return false;
	p += plen;
	if (text[p++] != '-')
		return false;
	while (p < len && text[p] >= '0' && text[p] <= '9') {
		if (++digits > PD_TAG_NUMBER_DIGITS)
			return false;
		num = num * 10 + (uint64_t)(text[p++] - '0');
	}
	if (digits == 0 || num == 0 || p >= len || text[p++] != '-')
		return false;
	for (k = 0; k < PD_TAG_CODE_LEN; k++, p++) {
		if (p >= len)
			return false;
		m->code[k] = crockford_canon((unsigned char)text[p]);
		if (m->code[k] == 0)
			return false;
	}
	m->code[k] = '\0';
	if (p >= len || text[p] != ']')
		return false;
	m->start = i;
	m->end = p + 1;
	m->number = num;
	return true;
}

/* pd_tag_find - first syntactic tag with this prefix */
bool
pd_tag_find(const char *text, size_t len, const char *prefix,
    struct pd_tag_match *m)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (text[i] == '[' && tag_match_at(text, len, i, prefix, m))
			return true;
	return false;
}

/* pd_tag_verify - constant-time check of the code */
int
pd_tag_verify(const struct pd_key *key, const char *prefix,
    const struct pd_tag_match *m)
{
	char code[PD_TAG_CODE_LEN + 1];

	if (!pd_tag_prefix_valid(prefix) || m->number == 0)
		return PD_EAUTH;
	tag_code(key, prefix, m->number, code);
	return sodium_memcmp(code, m->code, PD_TAG_CODE_LEN) == 0 ?
	    PD_OK : PD_EAUTH;
}
