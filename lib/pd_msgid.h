/*
 * pd_msgid.h - Message-ID, In-Reply-To and References handling
 *
 * PURPOSE	Extract the msg-ids of threading headers as store keys, and
 *		make new ids for mail that has none.
 * DESIGN	Ids are kept without "<>" and compared exactly (RFC 5322
 *		3.6.4).  Parsing is strict about what becomes a key and lenient
 *		about the noise around it: every "<...>" that holds one "@",
 *		no whitespace, no control character and at most PD_MSGID_MAX
 *		bytes is an id; comments, bare words and broken brackets are
 *		skipped.  A References header may list hundreds of ids; at most
 *		PD_MSGID_LIST_MAX of the newest (rightmost) are kept.
 * OWNERSHIP	struct pd_msgid_list owns its strings; pd_msgid_list_free()
 *		releases them.  Other functions write into caller buffers.
 * ERRORS	PD_EINVAL for input with no acceptable id.
 * THREADS	Reentrant (pd_msgid_generate uses libsodium's CSPRNG).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_MSGID_H
#define PD_MSGID_H

#include <stddef.h>

#define PD_MSGID_MAX		250
#define PD_MSGID_LIST_MAX	64

struct pd_msgid_list {
	char	*ids[PD_MSGID_LIST_MAX];	/* oldest first */
	size_t	 n;
};

/* pd_msgid_parse_one - first acceptable id of text into out (no "<>");
 * out may point into text */
int	pd_msgid_parse_one(const char *text, char *out, size_t outlen);

/* pd_msgid_list_parse - append the ids of text (keeping the newest) */
void	pd_msgid_list_parse(struct pd_msgid_list *list, const char *text);
void	pd_msgid_list_free(struct pd_msgid_list *list);

/* pd_msgid_generate - "pd.<time>.<random>@domain" into out */
int	pd_msgid_generate(const char *domain, char *out, size_t outlen);

#endif
