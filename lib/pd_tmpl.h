/*
 * pd_tmpl.h - Mustache-style templates for the mail postdesk sends
 *
 * PURPOSE	Compile an admin-written template (templates/LANG/NAME) once
 *		and render it against a small value tree built by the caller:
 *		{{name}}, {{{name}}} and {{& name}}, dotted names, sections
 *		{{#name}}, inverted sections {{^name}}, comments {{! ...}},
 *		set delimiter {{=<% %>=}}, the implicit iterator {{.}} and
 *		partials {{> name}} through a loader callback.  Lambdas,
 *		inheritance and dynamic names are deliberately absent.
 * DESIGN	Follows the Mustache specification (interpolation, sections,
 *		inverted, comments, delimiters, partials), including its
 *		standalone-line rule and context-stack name resolution.
 *		Values are data, never template text: nothing a value holds
 *		is interpreted.  HTML escaping is off unless the render flag
 *		PD_TMPL_ESCAPE_HTML asks for it (mail is text/plain);
 *		PD_TMPL_SINGLE_LINE turns control characters in values into
 *		spaces so a header can never be split by what a customer
 *		wrote.  An empty string is falsey, like JavaScript's "".
 *		Limits: PD_TMPL_MAX_SIZE bytes of template text (partials
 *		included), PD_TMPL_MAX_DEPTH nested sections and partials,
 *		PD_TMPL_MAX_NAME bytes per tag name, PD_TMPL_MAX_DELIM bytes
 *		per delimiter.  Output is bounded by the caller's pd_buf.
 * OWNERSHIP	The caller owns a compiled template (pd_tmpl_free()) and a
 *		value tree (pd_tmpl_val_free() on its root).  A tree owns
 *		all its members and copies every string it is given.
 * ERRORS	PD_EINVAL for syntax errors, limits and bad names (the
 *		struct pd_err message names line and column), PD_ENOTFOUND
 *		for a missing template file or unknown name, PD_EPERMFAIL for
 *		unreadable files, PD_EINTERNAL for API misuse.  Never logs.
 * THREADS	A compiled template and a value tree may be rendered by many
 *		threads at once once built (the loader must then be
 *		reentrant); building them is single-threaded.
 * SEE ALSO	https://github.com/mustache/spec, PRODUCT.md
 *		"Auto-acknowledgement", tests/unit/test_tmpl.c.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_TMPL_H
#define PD_TMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "pd_buf.h"
#include "pd_err.h"

#define PD_TMPL_MAX_SIZE	65536	/* bytes of template text */
#define PD_TMPL_MAX_DEPTH	32	/* nested sections and partials */
#define PD_TMPL_MAX_NAME	128	/* bytes in a tag name */
#define PD_TMPL_MAX_DELIM	16	/* bytes in a delimiter */

/* Render flags. */
#define PD_TMPL_ESCAPE_HTML	0x01	/* {{x}} escapes & < > " ' */
#define PD_TMPL_SINGLE_LINE	0x02	/* control chars in values -> ' ' */

enum pd_tmpl_type {
	PD_TMPL_NULL,
	PD_TMPL_BOOL,
	PD_TMPL_STR,
	PD_TMPL_LIST,
	PD_TMPL_OBJ,
};

struct pd_tmpl;
struct pd_tmpl_val;

/*
 * Value tree.  Constructors return an owned value; the _attach functions
 * move ownership of v into the container (even on error, when v is
 * freed); _set_ functions copy their arguments and replace an existing
 * member of the same key; _add_ and _append_ functions return the new
 * child, borrowed from its container.  Functions that take a container of
 * the wrong type return PD_EINTERNAL or NULL.
 */
struct pd_tmpl_val *pd_tmpl_null_new(void);
struct pd_tmpl_val *pd_tmpl_bool_new(bool b);
struct pd_tmpl_val *pd_tmpl_str_new(const char *s);
/* pd_tmpl_strn_new - string of len bytes (may hold NUL) */
struct pd_tmpl_val *pd_tmpl_strn_new(const char *s, size_t len);
struct pd_tmpl_val *pd_tmpl_list_new(void);
struct pd_tmpl_val *pd_tmpl_obj_new(void);
/* pd_tmpl_val_free - free *v and everything under it; *v = NULL */
void	pd_tmpl_val_free(struct pd_tmpl_val **v);
enum pd_tmpl_type pd_tmpl_val_type(const struct pd_tmpl_val *v);

int	pd_tmpl_obj_attach(struct pd_tmpl_val *obj, const char *key,
	    struct pd_tmpl_val *v);
int	pd_tmpl_obj_set_str(struct pd_tmpl_val *obj, const char *key,
	    const char *s);
int	pd_tmpl_obj_set_strn(struct pd_tmpl_val *obj, const char *key,
	    const char *s, size_t len);
int	pd_tmpl_obj_set_bool(struct pd_tmpl_val *obj, const char *key,
	    bool b);
struct pd_tmpl_val *pd_tmpl_obj_add_obj(struct pd_tmpl_val *obj,
	    const char *key);
struct pd_tmpl_val *pd_tmpl_obj_add_list(struct pd_tmpl_val *obj,
	    const char *key);
/* pd_tmpl_obj_get - member key of obj, or NULL; borrowed */
const struct pd_tmpl_val *pd_tmpl_obj_get(const struct pd_tmpl_val *obj,
	    const char *key);
int	pd_tmpl_list_attach(struct pd_tmpl_val *list, struct pd_tmpl_val *v);
int	pd_tmpl_list_append_str(struct pd_tmpl_val *list, const char *s);
struct pd_tmpl_val *pd_tmpl_list_append_obj(struct pd_tmpl_val *list);

/*
 * pd_tmpl_loader_fn - find partial name; on PD_OK, *text and *len hold
 * its source, borrowed until the render returns.  PD_ENOTFOUND renders the
 * partial as the empty string; any other code fails the render.
 */
typedef int (*pd_tmpl_loader_fn)(void *arg, const char *name,
    const char **text, size_t *len);

/* pd_tmpl_parse - compile len bytes of text; NULL and err on error */
struct pd_tmpl *pd_tmpl_parse(const char *text, size_t len,
	    struct pd_err *err);
/*
 * pd_tmpl_load - read and compile DIR/LANG/NAME, or DIR/en/NAME when
 * that file does not exist.  LANG and NAME must be plain names
 * ([A-Za-z0-9_-], not starting with '-'); the file must be regular,
 * valid UTF-8 without NUL and at most PD_TMPL_MAX_SIZE bytes.  Error
 * messages start with the file's path.
 */
struct pd_tmpl *pd_tmpl_load(const char *dir, const char *lang,
	    const char *name, struct pd_err *err);
/* pd_tmpl_path_get - file a loaded template came from, or NULL */
const char *pd_tmpl_path_get(const struct pd_tmpl *t);
/* pd_tmpl_set_loader - partials come from fn (NULL: none, render "") */
void	pd_tmpl_set_loader(struct pd_tmpl *t, pd_tmpl_loader_fn fn,
	    void *arg);
/*
 * pd_tmpl_check_names - PD_ENOTFOUND (err names line, column and tag)
 * when a tag's first name part is not in known (NULL-terminated); names
 * used inside list sections must be listed as well.  "." always passes.
 */
int	pd_tmpl_check_names(const struct pd_tmpl *t,
	    const char *const *known, struct pd_err *err);
/*
 * pd_tmpl_render - append t rendered against ctx (may be NULL) to out.
 * flags: PD_TMPL_ESCAPE_HTML, PD_TMPL_SINGLE_LINE.  On error (output
 * over out's maximum, nesting over PD_TMPL_MAX_DEPTH, a bad partial) out
 * is emptied and PD_EINVAL or the loader's code is returned.
 */
int	pd_tmpl_render(const struct pd_tmpl *t, const struct pd_tmpl_val *ctx,
	    int flags, struct pd_buf *out);
/* pd_tmpl_free - free *t (NULL-safe); *t = NULL */
void	pd_tmpl_free(struct pd_tmpl **t);

#endif
