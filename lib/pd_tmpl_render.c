/*
 * pd_tmpl_render.c - rendering compiled templates against a value tree
 *
 * PURPOSE	pd_tmpl_render() and pd_tmpl_check_names(); see pd_tmpl.h.
 * DESIGN	Rendering walks the node array; a section renders the index
 *		range of its children once per list item, or once with the
 *		value pushed on the context stack.  Name lookup follows the
 *		spec: "." is the top of the stack; otherwise the first part
 *		of a dotted name is looked up from the top of the stack down
 *		(a member that exists with a null value still stops the
 *		search) and every further part only in the previous result.
 *		Values are copied to the output byte for byte, escaped or
 *		with control characters blanked as the flags ask; they are
 *		never parsed.  A partial is fetched from the loader, indented
 *		when its tag stood alone on a line (spec: every line of the
 *		partial gets the indentation before it is parsed), compiled
 *		with the default delimiters, rendered with the current stack
 *		and freed.  Sections and partials together nest at most
 *		PD_TMPL_MAX_DEPTH deep, which also bounds partial recursion
 *		and the C stack.
 * OWNERSHIP	The renderer borrows the template, the values and the
 *		loader's text; it owns only the partials it compiles.
 * ERRORS	PD_EINVAL: output over the buffer's maximum, nesting too
 *		deep, a partial that does not compile; a loader's own code.
 * THREADS	Reentrant: all state is in struct tmpl_render on the stack.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "pd_mem.h"
#include "pd_tmpl_impl.h"

struct tmpl_render {
	const struct pd_tmpl_val *stack[PD_TMPL_MAX_DEPTH + 1];
	size_t	sp;			/* values on the stack */
	unsigned depth;			/* sections and partials entered */
	int	flags;
	struct pd_buf *out;
	pd_tmpl_loader_fn loader;
	void	*loader_arg;
};

static int render_range(struct tmpl_render *, const struct pd_tmpl *,
    size_t, size_t);

/* name_part - length of the first dot-separated part of name */
static size_t
name_part(const char *name, size_t len)
{
	const char *dot = memchr(name, '.', len);

	return dot != NULL ? (size_t)(dot - name) : len;
}

/* lookup - resolve a (dotted) name against the context stack */
static const struct pd_tmpl_val *
lookup(const struct tmpl_render *r, const char *name, size_t len)
{
	const struct pd_tmpl_val *v = NULL;
	size_t seg;
	size_t k;

	if (r->sp == 0)
		return NULL;
	if (len == 1 && name[0] == '.')
		return r->stack[r->sp - 1];
	seg = name_part(name, len);
	for (k = r->sp; k > 0 && v == NULL; k--)
		v = tmpl_val_member(r->stack[k - 1], name, seg);
	while (v != NULL && seg < len) {
		name += seg + 1;
		len -= seg + 1;
		seg = name_part(name, len);
		v = tmpl_val_member(v, name, seg);
	}
	return v;
}

/* html_entity - what c becomes under HTML escaping, or NULL */
static const char *
html_entity(unsigned char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	default:
		return NULL;
	}
}

/*
 * emit_str - append a string value: runs of plain bytes are copied,
 * HTML specials escaped when escape is set, control characters (CR, LF,
 * NUL, ...) written as spaces under PD_TMPL_SINGLE_LINE.
 */
static int
emit_str(struct tmpl_render *r, const char *s, size_t len, bool escape)
{
	bool single = (r->flags & PD_TMPL_SINGLE_LINE) != 0;
	const char *rep;
	size_t run = 0;
	size_t i;
	int rc = PD_OK;

	for (i = 0; i < len && rc == PD_OK; i++) {
		unsigned char c = (unsigned char)s[i];

		rep = escape ? html_entity(c) : NULL;
		if (rep == NULL && single && (c < 0x20 || c == 0x7f))
			rep = " ";
		if (rep == NULL)
			continue;
		rc = pd_buf_add(r->out, s + run, i - run);
		if (rc == PD_OK)
			rc = pd_buf_adds(r->out, rep);
		run = i + 1;
	}
	if (rc == PD_OK)
		rc = pd_buf_add(r->out, s + run, len - run);
	return rc;
}

/* emit_value - interpolate v; lists, objects, null and misses are "" */
static int
emit_value(struct tmpl_render *r, const struct pd_tmpl_val *v, bool var)
{
	bool escape = var && (r->flags & PD_TMPL_ESCAPE_HTML) != 0;

	if (v == NULL)
		return PD_OK;
	if (v->type == PD_TMPL_BOOL)
		return pd_buf_adds(r->out, v->b ? "true" : "false");
	if (v->type == PD_TMPL_STR)
		return emit_str(r, v->str, v->len, escape);
	return PD_OK;
}

/* enter - one level deeper (section or partial), within the limit */
static int
enter(struct tmpl_render *r)
{
	if (r->depth >= PD_TMPL_MAX_DEPTH)
		return PD_EINVAL;
	r->depth++;
	return PD_OK;
}

/* render_with - render the range with v pushed on the context stack */
static int
render_with(struct tmpl_render *r, const struct pd_tmpl *t,
    const struct pd_tmpl_val *v, size_t from, size_t to)
{
	int rc;

	r->stack[r->sp++] = v;
	rc = render_range(r, t, from, to);
	r->sp--;
	return rc;
}

/* render_section - {{#name}} or {{^name}} at node index i */
static int
render_section(struct tmpl_render *r, const struct pd_tmpl *t, size_t i)
{
	const struct tmpl_node *nd = &t->nodes[i];
	const struct pd_tmpl_val *v = lookup(r, t->src + nd->off, nd->len);
	bool truthy = tmpl_val_truthy(v);
	size_t k;
	int rc;

	if (truthy == (nd->kind == TMPL_INVERTED))
		return PD_OK;
	rc = enter(r);
	if (rc != PD_OK)
		return rc;
	if (nd->kind == TMPL_INVERTED)
		rc = render_range(r, t, i + 1, nd->end);
	else if (v->type != PD_TMPL_LIST)
		rc = render_with(r, t, v, i + 1, nd->end);
	else
		for (k = 0; k < v->n && rc == PD_OK; k++)
			rc = render_with(r, t, v->items[k], i + 1, nd->end);
	r->depth--;
	return rc;
}

/* indent - text with ind before each of its lines, into b */
static int
indent(const char *text, size_t len, const char *ind, size_t ilen,
    struct pd_buf *b)
{
	const char *nl;
	size_t line;
	int rc = PD_OK;

	while (len > 0 && rc == PD_OK) {
		nl = memchr(text, '\n', len);
		line = nl != NULL ? (size_t)(nl - text) + 1 : len;
		rc = pd_buf_add(b, ind, ilen);
		if (rc == PD_OK)
			rc = pd_buf_add(b, text, line);
		text += line;
		len -= line;
	}
	return rc;
}

/* render_partial - {{>name}}: load, indent, compile, render, free */
static int
render_partial(struct tmpl_render *r, const struct pd_tmpl *t,
    const struct tmpl_node *nd)
{
	char name[PD_TMPL_MAX_NAME + 1];
	struct pd_tmpl *sub = NULL;
	struct pd_buf ind;
	const char *text = NULL;
	size_t len = 0;
	int rc;

	if (r->loader == NULL)
		return PD_OK;
	memcpy(name, t->src + nd->off, nd->len);
	name[nd->len] = '\0';
	rc = r->loader(r->loader_arg, name, &text, &len);
	if (rc != PD_OK)
		return rc == PD_ENOTFOUND ? PD_OK : rc;
	rc = enter(r);
	if (rc != PD_OK)
		return rc;
	pd_buf_init(&ind, PD_TMPL_MAX_SIZE);
	if (nd->ind_len > 0 && text != NULL) {
		rc = indent(text, len, t->src + nd->ind_off, nd->ind_len,
		    &ind);
		text = pd_buf_str(&ind);
		len = ind.len;
	}
	if (rc == PD_OK)
		sub = pd_tmpl_parse(text, len, NULL);
	if (rc == PD_OK && sub == NULL)
		rc = PD_EINVAL;
	if (rc == PD_OK)
		rc = render_range(r, sub, 0, sub->n);
	pd_tmpl_free(&sub);
	pd_buf_free(&ind);
	r->depth--;
	return rc;
}

/* render_range - render nodes [from, to) of t */
static int
render_range(struct tmpl_render *r, const struct pd_tmpl *t, size_t from,
    size_t to)
{
	const struct tmpl_node *nd;
	size_t i = from;
	int rc = PD_OK;

	while (i < to && rc == PD_OK) {
		nd = &t->nodes[i];
		switch (nd->kind) {
		case TMPL_TEXT:
			rc = pd_buf_add(r->out, t->src + nd->off, nd->len);
			break;
		case TMPL_VAR:
		case TMPL_RAW:
			rc = emit_value(r, lookup(r, t->src + nd->off,
			    nd->len), nd->kind == TMPL_VAR);
			break;
		case TMPL_SECTION:
		case TMPL_INVERTED:
			rc = render_section(r, t, i);
			i = nd->end;
			continue;
		case TMPL_PARTIAL:
			rc = render_partial(r, t, nd);
			break;
		}
		i++;
	}
	return rc;
}

/* pd_tmpl_render - render t against ctx, appending to out */
int
pd_tmpl_render(const struct pd_tmpl *t, const struct pd_tmpl_val *ctx,
    int flags, struct pd_buf *out)
{
	struct tmpl_render r;
	int rc;

	if (t == NULL || out == NULL)
		return PD_EINTERNAL;
	memset(&r, 0, sizeof(r));
	r.flags = flags;
	r.out = out;
	r.loader = t->loader;
	r.loader_arg = t->loader_arg;
	if (ctx != NULL)
		r.stack[r.sp++] = ctx;
	rc = render_range(&r, t, 0, t->n);
	if (rc != PD_OK)
		pd_buf_reset(out);
	return rc;
}

/* known_name - is the first part of name in the NULL-terminated list? */
static bool
known_name(const char *const *known, const char *name, size_t len)
{
	size_t seg = name_part(name, len);
	size_t i;

	if (len == 1 && name[0] == '.')
		return true;
	for (i = 0; known != NULL && known[i] != NULL; i++)
		if (strlen(known[i]) == seg &&
		    memcmp(known[i], name, seg) == 0)
			return true;
	return false;
}

/* pd_tmpl_check_names - every tag's name is one the caller knows */
int
pd_tmpl_check_names(const struct pd_tmpl *t, const char *const *known,
    struct pd_err *err)
{
	const struct tmpl_node *nd;
	unsigned line;
	unsigned col;
	size_t i;

	for (i = 0; i < t->n; i++) {
		nd = &t->nodes[i];
		if (nd->kind == TMPL_TEXT || nd->kind == TMPL_PARTIAL ||
		    known_name(known, t->src + nd->off, nd->len))
			continue;
		tmpl_linecol(t->src, nd->pos, &line, &col);
		return pd_err_set(err, PD_ENOTFOUND, "%s%sline %u, column %u: "
		    "unknown name \"%.*s\"", t->path ? t->path : "",
		    t->path ? ": " : "", line, col, (int)nd->len,
		    t->src + nd->off);
	}
	return PD_OK;
}
