/*
 * pd_tmpl_impl.h - compiled templates and value trees (private to lib/)
 *
 * PURPOSE	pd_tmpl.c compiles, pd_tmpl_render.c renders, pd_tmpl_val.c
 *		builds value trees; the structures they share are here.
 * DESIGN	A compiled template is a flat array of nodes over its own
 *		copy of the source.  A section node's children are the
 *		nodes after it up to (not including) node end, so rendering
 *		walks index ranges and needs no tree.  Invariants, proven by
 *		the parser: every section's end is greater than its index
 *		and at most the end of its parent; names are non-empty,
 *		at most PD_TMPL_MAX_NAME bytes and contain no whitespace.
 * OWNERSHIP	struct pd_tmpl owns src, nodes and path.  A value owns its
 *		string, its list items and its members (keys and values).
 * THREADS	Immutable once built.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_TMPL_IMPL_H
#define PD_TMPL_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "pd_tmpl.h"

enum tmpl_kind {
	TMPL_TEXT,		/* literal text: off, len */
	TMPL_VAR,		/* {{name}}: escaped if PD_TMPL_ESCAPE_HTML */
	TMPL_RAW,		/* {{{name}}}, {{&name}} */
	TMPL_SECTION,		/* {{#name}} ... {{/name}} */
	TMPL_INVERTED,		/* {{^name}} ... {{/name}} */
	TMPL_PARTIAL,		/* {{>name}}, indented by ind_off, ind_len */
};

struct tmpl_node {
	enum tmpl_kind kind;
	size_t	off;		/* text or name, in src */
	size_t	len;
	size_t	pos;		/* where the tag starts, for messages */
	size_t	end;		/* sections: index after the last child */
	size_t	ind_off;	/* standalone partials: the indentation */
	size_t	ind_len;
};

struct pd_tmpl {
	char	*src;
	size_t	 srclen;
	struct tmpl_node *nodes;
	size_t	 n;
	size_t	 cap;
	char	*path;		/* pd_tmpl_load() only */
	pd_tmpl_loader_fn loader;
	void	*loader_arg;
};

struct tmpl_member {
	char	*key;
	size_t	 klen;
	struct pd_tmpl_val *val;
};

struct pd_tmpl_val {
	enum pd_tmpl_type type;
	bool	 b;			/* PD_TMPL_BOOL */
	char	*str;			/* PD_TMPL_STR: len bytes and a NUL */
	size_t	 len;
	struct pd_tmpl_val **items;	/* PD_TMPL_LIST: n items */
	struct tmpl_member *members;	/* PD_TMPL_OBJ: n members */
	size_t	 n;
	size_t	 cap;
};

/* tmpl_val_member - member of obj named by len bytes at key, or NULL */
const struct pd_tmpl_val *tmpl_val_member(const struct pd_tmpl_val *obj,
	    const char *key, size_t len);
/* tmpl_val_truthy - what a section sees: not null, false, "" or [] */
bool	tmpl_val_truthy(const struct pd_tmpl_val *v);
/* tmpl_linecol - 1-based line and column (in characters) of pos */
void	tmpl_linecol(const char *src, size_t pos, unsigned *line,
	    unsigned *col);

#endif
