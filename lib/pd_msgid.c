/*
 * pd_msgid.c - msg-id parsing and generation
 *
 * PURPOSE	See pd_msgid.h.
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "pd_err.h"
#include "pd_mem.h"
#include "pd_msgid.h"

/* msgid_acceptable - is s[0..len) an id we will use as a key? */
static bool
msgid_acceptable(const char *s, size_t len)
{
	size_t i;
	size_t at = 0;

	if (len < 3 || len > PD_MSGID_MAX)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c == 0x7f || c == '<' || c == '>')
			return false;
		if (c == '@')
			at++;
	}
	return at == 1 && s[0] != '@' && s[len - 1] != '@';
}

/* msgid_next - find the next acceptable id at or after *pos */
static bool
msgid_next(const char *text, size_t *pos, const char **id, size_t *len)
{
	const char *p = text + *pos;
	const char *open;
	const char *close;

	while ((open = strchr(p, '<')) != NULL) {
		close = strpbrk(open + 1, "<>");
		if (close == NULL)
			return false;
		if (*close == '<') {	/* "<broken <good@x>": restart */
			p = close;
			continue;
		}
		p = close + 1;
		if (msgid_acceptable(open + 1, (size_t)(close - open - 1))) {
			*id = open + 1;
			*len = (size_t)(close - open - 1);
			*pos = (size_t)(p - text);
			return true;
		}
	}
	return false;
}

/* pd_msgid_parse_one - the first id of a Message-ID/In-Reply-To value */
int
pd_msgid_parse_one(const char *text, char *out, size_t outlen)
{
	const char *id;
	size_t len;
	size_t pos = 0;

	if (text == NULL || !msgid_next(text, &pos, &id, &len) ||
	    len + 1 > outlen)
		return PD_EINVAL;
	memmove(out, id, len);		/* out may overlap text */
	out[len] = '\0';
	return PD_OK;
}

/* pd_msgid_list_parse - collect ids, dropping the oldest when full */
void
pd_msgid_list_parse(struct pd_msgid_list *list, const char *text)
{
	const char *id;
	size_t len;
	size_t pos = 0;
	size_t i;

	if (text == NULL)
		return;
	while (msgid_next(text, &pos, &id, &len)) {
		for (i = 0; i < list->n; i++)
			if (strlen(list->ids[i]) == len &&
			    memcmp(list->ids[i], id, len) == 0)
				break;
		if (i < list->n)
			continue;
		if (list->n == PD_MSGID_LIST_MAX) {
			pd_free(list->ids[0]);
			memmove(list->ids, list->ids + 1,
			    (PD_MSGID_LIST_MAX - 1) * sizeof(list->ids[0]));
			list->n--;
		}
		list->ids[list->n++] = pd_xstrndup(id, len);
	}
}

/* pd_msgid_list_free - free the ids */
void
pd_msgid_list_free(struct pd_msgid_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		pd_xfree(&list->ids[i]);
	list->n = 0;
}

/* pd_msgid_generate - a new unique id under domain */
int
pd_msgid_generate(const char *domain, char *out, size_t outlen)
{
	unsigned char rnd[9];
	char hex[sizeof(rnd) * 2 + 1];
	int n;

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	n = snprintf(out, outlen, "pd.%lld.%s@%s", (long long)time(NULL), hex,
	    domain);
	if (n < 0 || (size_t)n >= outlen || !msgid_acceptable(out, (size_t)n))
		return PD_EINVAL;
	return PD_OK;
}
