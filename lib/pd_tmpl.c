/*
 * pd_tmpl.c - compiling templates: the Mustache parser and file loader
 *
 * PURPOSE	Turn template text into the node array of pd_tmpl_impl.h,
 *		with errors that name line and column; read templates from
 *		templates/LANG/NAME with the "en" fallback.  Rendering is in
 *		pd_tmpl_render.c, values in pd_tmpl_val.c.
 * DESIGN	One pass over the text.  The parser looks for the current
 *		opening delimiter, emits the text before it, reads the tag up
 *		to its closing delimiter ("}" + close for {{{, "=" + close
 *		for {{=) and applies it.  Sections keep a stack of open node
 *		indexes (at most PD_TMPL_MAX_DEPTH); closing one records its
 *		end index.
 *		Standalone lines (spec): a section, inverted, close,
 *		comment, partial or delimiter tag alone on its line, with
 *		only blanks (space, tab) around it, is removed together with
 *		those blanks and the line's "\n" or "\r\n".  The parser knows
 *		whether the current line is blank so far (line_blank) and
 *		where it starts (line_start), updated as text is consumed, so
 *		the test costs O(1) per tag; any other tag on the line makes
 *		it non-blank.  The blanks before a standalone partial are
 *		its indentation, applied when it is rendered.
 * OWNERSHIP	A compiled template owns a copy of its source; nodes refer
 *		to it by offset.  pd_tmpl_free() releases everything.
 * ERRORS	See pd_tmpl.h.  Messages: "line L, column C: what", with
 *		"PATH: " in front for pd_tmpl_load().
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "pd_mem.h"
#include "pd_tmpl_impl.h"

#define TMPL_PLAIN_NAME_MAX	64	/* LANG and NAME of pd_tmpl_load() */

struct tmpl_parser {
	struct pd_tmpl *t;
	const char *s;			/* t->src */
	size_t	len;
	size_t	pos;			/* first byte not yet consumed */
	char	otag[PD_TMPL_MAX_DELIM];
	size_t	olen;
	char	ctag[PD_TMPL_MAX_DELIM];
	size_t	clen;
	size_t	open[PD_TMPL_MAX_DEPTH];	/* open section nodes */
	size_t	depth;
	size_t	line_start;		/* start of the current line */
	bool	line_blank;		/* only blanks since line_start */
	struct pd_err *err;
};

struct tmpl_tag {
	char	type;			/* '\0' or one of { & # ^ / ! > = */
	size_t	start;			/* the opening delimiter */
	size_t	end;			/* after the closing delimiter */
	size_t	off;			/* content, blanks trimmed */
	size_t	len;
	size_t	ind_off;		/* standalone: blanks before the tag */
	size_t	ind_len;
};

/* tmpl_linecol - line and column (UTF-8 characters) of pos in src */
void
tmpl_linecol(const char *src, size_t pos, unsigned *line, unsigned *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < pos; i++) {
		if (src[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)src[i] & 0xc0) != 0x80) {
			(*col)++;
		}
	}
}

/* parse_error - fill err with "line L, column C: " and the message */
__attribute__((format(printf, 3, 4)))
static int
parse_error(struct tmpl_parser *p, size_t pos, const char *fmt, ...)
{
	char msg[PD_ERR_MSG_MAX];
	unsigned line;
	unsigned col;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tmpl_linecol(p->s, pos, &line, &col);
	return pd_err_set(p->err, PD_EINVAL, "line %u, column %u: %s", line,
	    col, msg);
}

/* is_blank - a space or tab: what may surround a standalone tag */
static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* is_space - whitespace that may pad a tag's content */
static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	    c == '\f';
}

/* note_text - the parser consumed text [a, b): track the line state */
static void
note_text(struct tmpl_parser *p, size_t a, size_t b)
{
	const char *nl = b > a ? memrchr(p->s + a, '\n', b - a) : NULL;
	size_t i;

	if (nl != NULL) {
		p->line_start = (size_t)(nl - p->s) + 1;
		p->line_blank = true;
		a = p->line_start;
	}
	for (i = a; i < b && p->line_blank; i++)
		p->line_blank = is_blank(p->s[i]);
}

/* add_node - append a node; returns its index */
static size_t
add_node(struct pd_tmpl *t, enum tmpl_kind kind, size_t off, size_t len,
    size_t pos)
{
	struct tmpl_node *nd;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->nodes = pd_xrealloc(t->nodes, t->cap * sizeof(*t->nodes));
	}
	nd = &t->nodes[t->n];
	memset(nd, 0, sizeof(*nd));
	nd->kind = kind;
	nd->off = off;
	nd->len = len;
	nd->pos = pos;
	return t->n++;
}

/* add_text - a text node for [a, b) unless it is empty */
static void
add_text(struct tmpl_parser *p, size_t a, size_t b)
{
	if (b > a)
		add_node(p->t, TMPL_TEXT, a, b - a, a);
}

/*
 * scan_tag - read the tag whose opening delimiter is at q into tg: its
 * type, its content with padding trimmed, and where it ends.
 */
static int
scan_tag(struct tmpl_parser *p, size_t q, struct tmpl_tag *tg)
{
	static const char types[] = "{&#^/!>=";
	char closer[PD_TMPL_MAX_DELIM + 1];
	size_t cl = 0;
	size_t c = q + p->olen;
	const char *e;

	memset(tg, 0, sizeof(*tg));
	tg->start = q;
	if (c < p->len && p->s[c] != '\0' &&
	    memchr(types, p->s[c], sizeof(types) - 1) != NULL)
		tg->type = p->s[c++];
	if (tg->type == '{' || tg->type == '=')
		closer[cl++] = tg->type == '{' ? '}' : '=';
	memcpy(closer + cl, p->ctag, p->clen);
	cl += p->clen;
	e = memmem(p->s + c, p->len - c, closer, cl);
	if (e == NULL)
		return parse_error(p, q, "unclosed tag (no \"%.*s\")",
		    (int)cl, closer);
	tg->end = (size_t)(e - p->s) + cl;
	tg->off = c;
	tg->len = (size_t)(e - p->s) - c;
	while (tg->len > 0 && is_space(p->s[tg->off])) {
		tg->off++;
		tg->len--;
	}
	while (tg->len > 0 && is_space(p->s[tg->off + tg->len - 1]))
		tg->len--;
	return PD_OK;
}

/* check_name - a tag's name: non-empty, short, no whitespace */
static int
check_name(struct tmpl_parser *p, const struct tmpl_tag *tg)
{
	size_t i;

	if (tg->len == 0)
		return parse_error(p, tg->start, "tag without a name");
	if (tg->len > PD_TMPL_MAX_NAME)
		return parse_error(p, tg->start, "name longer than %d bytes",
		    PD_TMPL_MAX_NAME);
	for (i = 0; i < tg->len; i++)
		if (is_space(p->s[tg->off + i]))
			return parse_error(p, tg->start,
			    "whitespace inside the name \"%.*s\"",
			    (int)tg->len, p->s + tg->off);
	return PD_OK;
}

/*
 * standalone - may tg stand alone, and does it?  If so, *next is the
 * start of the following line (or the end of the text).
 */
static bool
standalone(const struct tmpl_parser *p, const struct tmpl_tag *tg,
    size_t *next)
{
	size_t i = tg->end;

	if (!p->line_blank || tg->type == '\0' || tg->type == '{' ||
	    tg->type == '&')
		return false;
	while (i < p->len && is_blank(p->s[i]))
		i++;
	if (i < p->len && p->s[i] == '\r' && i + 1 < p->len &&
	    p->s[i + 1] == '\n')
		i++;
	if (i < p->len && p->s[i] != '\n')
		return false;
	*next = i < p->len ? i + 1 : i;
	return true;
}

/* set_delims - {{=OPEN CLOSE=}}: two blank-free strings */
static int
set_delims(struct tmpl_parser *p, const struct tmpl_tag *tg)
{
	const char *s = p->s + tg->off;
	size_t a = 0;
	size_t b;
	size_t i;

	while (a < tg->len && !is_space(s[a]))
		a++;
	b = a;
	while (b < tg->len && is_space(s[b]))
		b++;
	if (a == 0 || b == a || b == tg->len || a > PD_TMPL_MAX_DELIM ||
	    tg->len - b > PD_TMPL_MAX_DELIM)
		return parse_error(p, tg->start, "bad delimiter tag: want "
		    "two delimiters of 1 to %d bytes", PD_TMPL_MAX_DELIM);
	for (i = b; i < tg->len; i++)
		if (is_space(s[i]))
			return parse_error(p, tg->start, "bad delimiter tag: "
			    "more than two delimiters");
	memcpy(p->otag, s, a);
	p->olen = a;
	memcpy(p->ctag, s + b, tg->len - b);
	p->clen = tg->len - b;
	return PD_OK;
}

/* open_section - {{#name}} or {{^name}} */
static int
open_section(struct tmpl_parser *p, const struct tmpl_tag *tg)
{
	if (p->depth == PD_TMPL_MAX_DEPTH)
		return parse_error(p, tg->start, "sections nested deeper "
		    "than %d", PD_TMPL_MAX_DEPTH);
	p->open[p->depth++] = add_node(p->t, tg->type == '#' ? TMPL_SECTION :
	    TMPL_INVERTED, tg->off, tg->len, tg->start);
	return PD_OK;
}

/* close_section - {{/name}} must close the innermost open section */
static int
close_section(struct tmpl_parser *p, const struct tmpl_tag *tg)
{
	struct tmpl_node *nd;
	unsigned line;
	unsigned col;

	if (p->depth == 0)
		return parse_error(p, tg->start, "\"/%.*s\" closes no section",
		    (int)tg->len, p->s + tg->off);
	nd = &p->t->nodes[p->open[p->depth - 1]];
	if (nd->len != tg->len || memcmp(p->s + nd->off, p->s + tg->off,
	    tg->len) != 0) {
		tmpl_linecol(p->s, nd->pos, &line, &col);
		return parse_error(p, tg->start, "\"/%.*s\" does not close "
		    "section \"%.*s\" (line %u, column %u)", (int)tg->len,
		    p->s + tg->off, (int)nd->len, p->s + nd->off, line, col);
	}
	nd->end = p->t->n;
	p->depth--;
	return PD_OK;
}

/* apply_tag - add the node(s) for a scanned tag or change state */
static int
apply_tag(struct tmpl_parser *p, const struct tmpl_tag *tg)
{
	size_t i;
	int rc;

	if (tg->type == '!')
		return PD_OK;
	if (tg->type == '=')
		return set_delims(p, tg);
	rc = check_name(p, tg);
	if (rc != PD_OK)
		return rc;
	switch (tg->type) {
	case '#':
	case '^':
		return open_section(p, tg);
	case '/':
		return close_section(p, tg);
	case '>':
		i = add_node(p->t, TMPL_PARTIAL, tg->off, tg->len, tg->start);
		p->t->nodes[i].ind_off = tg->ind_off;
		p->t->nodes[i].ind_len = tg->ind_len;
		return PD_OK;
	case '{':
	case '&':
		add_node(p->t, TMPL_RAW, tg->off, tg->len, tg->start);
		return PD_OK;
	default:
		add_node(p->t, TMPL_VAR, tg->off, tg->len, tg->start);
		return PD_OK;
	}
}

/* parse_all - the main loop: text, tag, text, tag ... */
static int
parse_all(struct tmpl_parser *p)
{
	struct tmpl_tag tg;
	const char *q;
	size_t at;
	size_t next;
	int rc;

	while (p->pos < p->len) {
		q = memmem(p->s + p->pos, p->len - p->pos, p->otag, p->olen);
		at = q != NULL ? (size_t)(q - p->s) : p->len;
		note_text(p, p->pos, at);
		if (q == NULL) {
			add_text(p, p->pos, p->len);
			break;
		}
		rc = scan_tag(p, at, &tg);
		if (rc != PD_OK)
			return rc;
		if (standalone(p, &tg, &next)) {
			add_text(p, p->pos, p->line_start);
			tg.ind_off = p->line_start;
			tg.ind_len = at - p->line_start;
			p->pos = next;
			p->line_start = next;
			p->line_blank = true;
		} else {
			add_text(p, p->pos, at);
			p->pos = tg.end;
			p->line_blank = false;
		}
		rc = apply_tag(p, &tg);
		if (rc != PD_OK)
			return rc;
	}
	if (p->depth > 0) {
		const struct tmpl_node *nd;

		nd = &p->t->nodes[p->open[p->depth - 1]];
		return parse_error(p, nd->pos, "unclosed section \"%.*s\"",
		    (int)nd->len, p->s + nd->off);
	}
	return PD_OK;
}

/* pd_tmpl_parse - compile a template */
struct pd_tmpl *
pd_tmpl_parse(const char *text, size_t len, struct pd_err *err)
{
	struct tmpl_parser p;
	struct pd_tmpl *t;

	if (text == NULL && len > 0) {
		pd_err_set(err, PD_EINTERNAL, "no template text");
		return NULL;
	}
	if (len > PD_TMPL_MAX_SIZE) {
		pd_err_set(err, PD_EINVAL, "template larger than %d bytes",
		    PD_TMPL_MAX_SIZE);
		return NULL;
	}
	t = pd_xcalloc(1, sizeof(*t));
	t->src = pd_xmemdup(len > 0 ? text : "", len);
	t->srclen = len;
	memset(&p, 0, sizeof(p));
	p.t = t;
	p.s = t->src;
	p.len = len;
	p.line_blank = true;
	p.err = err;
	memcpy(p.otag, "{{", 2);
	p.olen = 2;
	memcpy(p.ctag, "}}", 2);
	p.clen = 2;
	if (parse_all(&p) != PD_OK)
		pd_tmpl_free(&t);
	return t;
}

/* pd_tmpl_free - release a compiled template */
void
pd_tmpl_free(struct pd_tmpl **tp)
{
	struct pd_tmpl *t = *tp;

	if (t == NULL)
		return;
	pd_free(t->src);
	pd_free(t->nodes);
	pd_free(t->path);
	pd_xfree(tp);
}

/* pd_tmpl_set_loader - where partials come from */
void
pd_tmpl_set_loader(struct pd_tmpl *t, pd_tmpl_loader_fn fn, void *arg)
{
	t->loader = fn;
	t->loader_arg = arg;
}

/* pd_tmpl_path_get - the file of pd_tmpl_load(), borrowed */
const char *
pd_tmpl_path_get(const struct pd_tmpl *t)
{
	return t->path;
}

/* plain_name - [A-Za-z0-9_-]+, not starting with '-', not too long */
static bool
plain_name(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0' || s[0] == '-')
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if (i == TMPL_PLAIN_NAME_MAX || !(g_ascii_isalnum(s[i]) ||
		    s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

/* read_fd - read all of fd into text (at most its maximum) */
static int
read_fd(int fd, const char *path, struct pd_buf *text, struct pd_err *err)
{
	char chunk[8192];
	ssize_t n;

	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return pd_err_set(err, PD_EPERMFAIL, "%s: %s", path,
			    g_strerror(errno));
		if (n == 0)
			return PD_OK;
		if (pd_buf_add(text, chunk, (size_t)n) != PD_OK)
			return pd_err_set(err, PD_EINVAL, "%s: larger than "
			    "%d bytes", path, PD_TMPL_MAX_SIZE);
	}
}

/* read_template - DIR/LANG/NAME into text; its path into path */
static int
read_template(const char *dir, const char *lang, const char *name,
    struct pd_buf *path, struct pd_buf *text, struct pd_err *err)
{
	struct stat st;
	int fd;
	int rc;

	pd_buf_reset(path);
	pd_buf_reset(text);
	if (pd_buf_printf(path, "%s/%s/%s", dir, lang, name) != PD_OK)
		return pd_err_set(err, PD_EINVAL, "template path too long");
	fd = open(pd_buf_str(path), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
		return pd_err_set(err, PD_ENOTFOUND, "%s: no such template",
		    pd_buf_str(path));
	if (fd < 0)
		return pd_err_set(err, PD_EPERMFAIL, "%s: %s",
		    pd_buf_str(path), g_strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		rc = pd_err_set(err, PD_EPERMFAIL, "%s: not a regular file",
		    pd_buf_str(path));
	else
		rc = read_fd(fd, pd_buf_str(path), text, err);
	close(fd);
	return rc;
}

/* compile_file - check the encoding, compile, remember the path */
static struct pd_tmpl *
compile_file(const char *path, const struct pd_buf *text,
    struct pd_err *err)
{
	struct pd_tmpl *t;
	struct pd_err e;
	const char *end;
	unsigned line;
	unsigned col;

	if (text->len > 0 && !g_utf8_validate(text->data, (gssize)text->len,
	    &end)) {
		tmpl_linecol(text->data, (size_t)(end - text->data), &line,
		    &col);
		pd_err_set(err, PD_EINVAL, "%s: line %u, column %u: not UTF-8 "
		    "text", path, line, col);
		return NULL;
	}
	t = pd_tmpl_parse(pd_buf_str(text), text->len, &e);
	if (t == NULL) {
		pd_err_set(err, e.code, "%s: %s", path, e.msg);
		return NULL;
	}
	t->path = pd_xstrdup(path);
	return t;
}

/* pd_tmpl_load - templates/LANG/NAME, falling back to templates/en/NAME */
struct pd_tmpl *
pd_tmpl_load(const char *dir, const char *lang, const char *name,
    struct pd_err *err)
{
	struct pd_tmpl *t = NULL;
	struct pd_buf path;
	struct pd_buf text;
	int rc;

	pd_buf_init(&path, PATH_MAX);
	pd_buf_init(&text, PD_TMPL_MAX_SIZE);
	if (dir == NULL || !plain_name(lang) || !plain_name(name)) {
		pd_err_set(err, PD_EINVAL, "bad template language or name");
		goto out;
	}
	rc = read_template(dir, lang, name, &path, &text, err);
	if (rc == PD_ENOTFOUND && strcmp(lang, "en") != 0)
		rc = read_template(dir, "en", name, &path, &text, err);
	if (rc == PD_OK)
		t = compile_file(pd_buf_str(&path), &text, err);
out:
	pd_buf_free(&path);
	pd_buf_free(&text);
	return t;
}
