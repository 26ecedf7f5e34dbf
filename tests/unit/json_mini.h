/*
 * json_mini.h - a tiny JSON reader for the tests (not part of lib/)
 *
 * PURPOSE	Read the Mustache spec files (tests/unit/test_tmpl.c) into
 *		a tree.  RFC 8259 syntax, no extensions; enough for test
 *		data, not hardened for hostile input beyond a depth limit.
 * DESIGN	Recursive descent, at most JM_MAX_DEPTH nested values.
 *		Numbers are kept as text in the shortest form that reads
 *		back as the same double ("1.210" -> "1.21", "85" -> "85"),
 *		which is how the spec expects them to be interpolated.
 *		\u escapes (with surrogate pairs) become UTF-8.
 * OWNERSHIP	jm_parse() returns a tree the caller frees with jm_free().
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef JSON_MINI_H
#define JSON_MINI_H

#include <stdbool.h>
#include <stddef.h>

#define JM_MAX_DEPTH	64

enum jm_type {
	JM_NULL,
	JM_BOOL,
	JM_NUM,
	JM_STR,
	JM_ARR,
	JM_OBJ,
};

struct jm_val {
	enum jm_type type;
	bool	 b;			/* JM_BOOL */
	char	*str;			/* JM_STR, JM_NUM: len bytes + NUL */
	size_t	 len;
	struct jm_val **items;		/* JM_ARR, JM_OBJ: n values */
	char	**keys;			/* JM_OBJ: n keys */
	size_t	 n;
	size_t	 cap;
};

/* jm_parse - parse len bytes; NULL and a message in err on error */
struct jm_val *jm_parse(const char *text, size_t len, char *err,
	    size_t errlen);
/* jm_get - member key of an object, or NULL; borrowed */
const struct jm_val *jm_get(const struct jm_val *obj, const char *key);
/* jm_free - free *v and its children; *v = NULL */
void	jm_free(struct jm_val **v);

#endif
