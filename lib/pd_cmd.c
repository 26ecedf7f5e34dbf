/*
 * pd_cmd.c - agent command lines: parse the block, strip it from HTML
 *
 * PURPOSE	See pd_cmd.h for the rules.
 * DESIGN	One line scanner, cmd_scan(), implements rules 1-6 and calls
 *		back for every command line with its byte range (line start
 *		to the start of the next line).  Plain text is scanned
 *		directly.  HTML is first turned into visible text by a small
 *		tokenizer (html_run()) that records, for every visible byte,
 *		the source span it came from: the byte itself, a whole entity,
 *		a whole <br> tag, a CRLF; line breaks made by block elements
 *		and the quote marker of <blockquote> have empty spans.  The
 *		same scanner then runs on the visible text, and the callback
 *		copies the source while leaving out the spans of each command
 *		line from its '#' on.  Leading whitespace stays: it may come
 *		from newlines anywhere before, around <head> or <body>.
 *		Spans grow with the visible text, so the copy is one forward
 *		pass.  While stripping, the tokenizer stops at the
 *		first visible line that ends the block, so a long message
 *		costs no more than its first lines.
 *		The tokenizer follows HTML where it matters for the first
 *		lines of a reply and no further: quotes only count at the
 *		start of an attribute value, "<" not followed by a letter,
 *		"/", "!" or "?" is text, raw-text elements (style, script,
 *		title, textarea) run to their end tag, comments to "-->".
 * OWNERSHIP	The visible text and its spans live in struct html_scan for
 *		one call and are freed before it returns.
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "pd_cmd.h"
#include "pd_err.h"
#include "pd_mem.h"

#define TAG_NAME_MAX	12	/* longer names are no element we know */

enum cmd_args {
	ARGS_NONE,
	ARGS_PRIORITY,
	ARGS_LOGIN,
	ARGS_TAG,
};

struct cmd_def {
	const char	*name;
	enum pd_cmd_kind kind;
	enum cmd_args	 args;
	const char	*usage;		/* what the argument must be */
};

static const struct cmd_def cmd_defs[] = {
	{ "resolve", PD_CMD_RESOLVE, ARGS_NONE, NULL },
	{ "pending", PD_CMD_PENDING, ARGS_NONE, NULL },
	{ "open", PD_CMD_OPEN, ARGS_NONE, NULL },
	{ "priority", PD_CMD_PRIORITY, ARGS_PRIORITY,
	    "low, normal, high or urgent" },
	{ "assign", PD_CMD_ASSIGN, ARGS_LOGIN,
	    "one login (up to 64 letters, digits and ._@+-)" },
	{ "note", PD_CMD_NOTE, ARGS_NONE, NULL },
	{ "merge", PD_CMD_MERGE, ARGS_TAG,
	    "one ticket tag like [PD-1042-K7QF]" },
};

static const char *const priorities[] = {
	"low", "normal", "high", "urgent", NULL
};

enum line_kind {
	LINE_BLANK,
	LINE_CMD,
	LINE_OTHER,
};

/* The words of one command line. */
struct cmd_words {
	const char	*name;		/* after '#' */
	size_t		 name_len;
	const char	*args;		/* first argument to end of the last */
	size_t		 args_len;
	int		 nargs;
	size_t		 arg1_len;	/* the first argument is at args */
};

/* Called for each command line: text[its '#', next line start). */
typedef void cmd_line_fn(void *arg, size_t start, size_t end);

/* word_is - p[0..n) equals the literal w, without ASCII case */
static bool
word_is(const char *p, size_t n, const char *w)
{
	return strlen(w) == n && g_ascii_strncasecmp(p, w, n) == 0;
}

/*
 * utf8_seq - length of the valid UTF-8 character at p[0..n), 0 when it is
 * not one (overlong forms, surrogates and cut sequences included)
 */
static size_t
utf8_seq(const char *p, size_t n)
{
	gunichar c = g_utf8_get_char_validated(p, (gssize)n);

	if (c == (gunichar)-1 || c == (gunichar)-2)
		return 0;
	return (size_t)g_utf8_skip[(unsigned char)p[0]];
}

/* cmd_ws - bytes of the whitespace character at p[0..n), or 0 */
static size_t
cmd_ws(const char *p, size_t n)
{
	switch (p[0]) {
	case ' ':
	case '\t':
	case '\r':
	case '\v':
	case '\f':
		return 1;
	case '\xc2':
		return n >= 2 && p[1] == '\xa0' ? 2 : 0;
	default:
		return 0;
	}
}

/* skip_ws - first offset >= i of p[0..n) that is not whitespace */
static size_t
skip_ws(const char *p, size_t n, size_t i)
{
	size_t k;

	while (i < n && (k = cmd_ws(p + i, n - i)) > 0)
		i += k;
	return i;
}

/* skip_word - first offset >= i of p[0..n) that is whitespace */
static size_t
skip_word(const char *p, size_t n, size_t i)
{
	while (i < n && cmd_ws(p + i, n - i) == 0)
		i++;
	return i;
}

/* cmd_bom - 3 when text starts with a UTF-8 byte order mark, else 0 */
static size_t
cmd_bom(const char *text, size_t len)
{
	return len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
}

/* cmd_line_kind - rules 2 and 3 for the line p[0..n) (no LF) */
static enum line_kind
cmd_line_kind(const char *p, size_t n)
{
	size_t i = skip_ws(p, n, 0);

	if (i == n)
		return LINE_BLANK;
	if (p[i] == '#' && i + 1 < n && g_ascii_isalpha(p[i + 1]))
		return LINE_CMD;
	return LINE_OTHER;
}

/*
 * cmd_quote - p[0..n) for a message: control characters, C1 controls and
 * bytes that are not UTF-8 become '?'; cut at a character boundary after
 * PD_CMD_QUOTE_MAX bytes, then "..." is added.  buf holds
 * PD_CMD_QUOTE_MAX + 4 bytes.
 */
static void
cmd_quote(const char *p, size_t n, char *buf)
{
	size_t i = 0, o = 0, k;
	unsigned char c;

	while (i < n) {
		k = utf8_seq(p + i, n - i);
		c = (unsigned char)p[i];
		if (o + (k ? k : 1) > PD_CMD_QUOTE_MAX) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (k == 0 || c < 0x20 || c == 0x7f ||
		    (k == 2 && c == 0xc2 && (unsigned char)p[i + 1] < 0xa0)) {
			buf[o++] = '?';
			i += k ? k : 1;
			continue;
		}
		memcpy(buf + o, p + i, k);
		o += k;
		i += k;
	}
	buf[o] = '\0';
}

/* cmd_bad - mark the list bad; the first problem's message is kept */
__attribute__((format(printf, 2, 3)))
static void
cmd_bad(struct pd_cmd_list *out, const char *fmt, ...)
{
	va_list ap;

	if (out->bad)
		return;
	out->bad = true;
	va_start(ap, fmt);
	vsnprintf(out->why, sizeof(out->why), fmt, ap);
	va_end(ap);
}

/* cmd_split - the words of the command line p[0..n) */
static void
cmd_split(const char *p, size_t n, struct cmd_words *w)
{
	size_t i, s;

	memset(w, 0, sizeof(*w));
	s = skip_ws(p, n, 0) + 1;		/* just after '#' */
	i = skip_word(p, n, s);
	w->name = p + s;
	w->name_len = i - s;
	for (;;) {
		i = skip_ws(p, n, i);
		if (i >= n)
			break;
		s = i;
		i = skip_word(p, n, i);
		if (w->nargs++ == 0) {
			w->args = p + s;
			w->arg1_len = i - s;
		}
		w->args_len = (size_t)(p + i - w->args);
	}
}

/* cmd_login - 1..PD_CMD_LOGIN_MAX bytes of [A-Za-z0-9._@+-] */
static bool
cmd_login(const char *p, size_t n, char *out)
{
	size_t i;

	if (n == 0 || n > PD_CMD_LOGIN_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!g_ascii_isalnum(p[i]) && (p[i] == '\0' ||
		    strchr("._@+-", p[i]) == NULL))
			return false;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

/* cmd_tag - "[PREFIX-NUMBER-CODE]" or without brackets, upper-cased */
static bool
cmd_tag(const char *p, size_t n, char *out)
{
	size_t i = 0, k;

	if (n >= 2 && p[0] == '[' && p[n - 1] == ']') {
		p++;
		n -= 2;
	} else if (n > 0 && (p[0] == '[' || p[n - 1] == ']')) {
		return false;
	}
	if (n == 0 || !g_ascii_isalpha(p[0]))
		return false;
	while (i < n && g_ascii_isalnum(p[i]))
		i++;
	if (i > 16 || i >= n || p[i] != '-')
		return false;
	k = ++i;
	while (i < n && g_ascii_isdigit(p[i]))
		i++;
	if (i == k || i - k > 18 || i >= n || p[i] != '-')
		return false;
	k = ++i;
	while (i < n && g_ascii_isalnum(p[i]))
		i++;
	if (i != n || n - k != 4)
		return false;
	for (i = 0; i < n; i++)
		out[i] = g_ascii_toupper(p[i]);
	out[n] = '\0';
	return true;
}

/* cmd_priority - one of priorities[], stored lower case */
static bool
cmd_priority(const char *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; priorities[i] != NULL; i++) {
		if (word_is(p, n, priorities[i])) {
			memcpy(out, priorities[i], strlen(priorities[i]) + 1);
			return true;
		}
	}
	return false;
}

/* cmd_lookup - the definition named p[0..n), or NULL */
static const struct cmd_def *
cmd_lookup(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(cmd_defs) / sizeof(cmd_defs[0]); i++)
		if (word_is(p, n, cmd_defs[i].name))
			return &cmd_defs[i];
	return NULL;
}

/* cmd_args_ok - rule 5 for w; fills arg */
static bool
cmd_args_ok(const struct cmd_def *def, const struct cmd_words *w,
    char *arg)
{
	if (def->args == ARGS_NONE)
		return w->nargs == 0;
	if (w->nargs != 1)
		return false;
	switch (def->args) {
	case ARGS_PRIORITY:
		return cmd_priority(w->args, w->arg1_len, arg);
	case ARGS_LOGIN:
		return cmd_login(w->args, w->arg1_len, arg);
	default:
		return cmd_tag(w->args, w->arg1_len, arg);
	}
}

/* cmd_line - parse the command line p[0..n) into out */
static void
cmd_line(const char *p, size_t n, struct pd_cmd_list *out)
{
	char quoted[PD_CMD_QUOTE_MAX + 4];
	const struct cmd_def *def;
	struct cmd_words w;
	struct pd_cmd cmd;

	cmd_split(p, n, &w);
	def = cmd_lookup(w.name, w.name_len);
	if (def == NULL) {
		cmd_quote(w.name - 1, w.name_len + 1, quoted);
		cmd_bad(out, "unknown command \"%s\"", quoted);
		return;
	}
	memset(&cmd, 0, sizeof(cmd));
	cmd.kind = def->kind;
	if (!cmd_args_ok(def, &w, cmd.arg)) {
		cmd_quote(w.args, w.args_len, quoted);
		if (def->args == ARGS_NONE)
			cmd_bad(out, "#%s takes no argument", def->name);
		else if (w.nargs == 0)
			cmd_bad(out, "#%s takes %s", def->name, def->usage);
		else
			cmd_bad(out, "#%s takes %s, not \"%s\"", def->name,
			    def->usage, quoted);
		return;
	}
	if (out->n >= PD_CMD_MAX) {
		cmd_bad(out, "more than %d commands", PD_CMD_MAX);
		return;
	}
	out->cmds[out->n++] = cmd;
}

/*
 * cmd_scan - rules 1-6 on text[0..len): fill out (zeroed first), call fn
 * (when not NULL) for each command line, return where the block ends (0
 * when there is no command line).
 */
static size_t
cmd_scan(const char *text, size_t len, struct pd_cmd_list *out,
    cmd_line_fn *fn, void *arg)
{
	size_t pos = 0, skip = cmd_bom(text, len);
	size_t eol, next;
	const char *nl;
	enum line_kind kind;
	bool any = false;

	memset(out, 0, sizeof(*out));
	while (pos < len) {
		nl = memchr(text + pos, '\n', len - pos);
		eol = nl != NULL ? (size_t)(nl - text) : len;
		next = nl != NULL ? eol + 1 : len;
		kind = cmd_line_kind(text + pos + skip, eol - pos - skip);
		if (kind == LINE_OTHER)
			break;
		if (kind == LINE_CMD) {
			cmd_line(text + pos + skip, eol - pos - skip, out);
			if (fn != NULL)
				fn(arg, skip_ws(text, eol, pos + skip), next);
			any = true;
		}
		skip = 0;
		pos = next;
	}
	return any ? pos : 0;
}

/* pd_cmd_parse_text - see pd_cmd.h */
size_t
pd_cmd_parse_text(const char *text, size_t len, struct pd_cmd_list *out)
{
	return cmd_scan(text, len, out, NULL, NULL);
}

/* pd_cmd_name - see pd_cmd.h */
const char *
pd_cmd_name(enum pd_cmd_kind k)
{
	size_t i;

	for (i = 0; i < sizeof(cmd_defs) / sizeof(cmd_defs[0]); i++)
		if (cmd_defs[i].kind == k)
			return cmd_defs[i].name;
	return "unknown";
}

/* --- HTML: visible text with source spans ---------------------------- */

/* Where a visible byte came from: html[start, end); empty for markup. */
struct html_span {
	size_t	start;
	size_t	end;
};

struct html_scan {
	const char	*h;
	size_t		 len;
	size_t		 pos;		/* next source byte */
	struct pd_buf	 vis;		/* visible text */
	struct html_span *spans;	/* one per visible byte, or NULL */
	size_t		 spans_cap;
	bool		 want_spans;
	bool		 block_only;	/* stop after the command block */
	size_t		 cap;		/* most visible bytes */
	size_t		 line;		/* start of the current visible line */
	size_t		 vis_end;	/* usable visible text when full */
	int		 pre;		/* <pre> depth */
	bool		 head;		/* inside <head>: nothing visible */
	bool		 full;
	bool		 stop;
};

/* Elements whose start and end tags break the visible line. */
static const char *const html_breaks[] = {
	"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
	"blockquote", "pre", "table", "ul", "ol", "hr", "dl", "dt", "dd",
	"center", "address", "section", "article", "header", "footer",
	NULL
};

/* Elements whose content is raw text and never visible. */
static const char *const html_raw[] = {
	"style", "script", "title", "textarea", NULL
};

/* Entities decoded by name (the name is followed by ';'). */
static const struct {
	const char	*name;
	const char	*text;
} html_names[] = {
	{ "nbsp", "\xc2\xa0" },
	{ "amp", "&" },
	{ "lt", "<" },
	{ "gt", ">" },
	{ "quot", "\"" },
	{ "apos", "'" },
};

/* html_in - name is one of list[] */
static bool
html_in(const char *name, const char *const *list)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (strcmp(name, list[i]) == 0)
			return true;
	return false;
}

/* html_full - the visible text reached its cap: stop there */
static void
html_full(struct html_scan *s)
{
	s->full = true;
	s->stop = true;
	s->vis_end = s->block_only ? s->line : s->vis.len;
}

/* vis_add - append visible bytes b[0..n) that came from h[start, end) */
static void
vis_add(struct html_scan *s, const char *b, size_t n, size_t start,
    size_t end)
{
	size_t i, need = s->vis.len + n;

	if (s->stop)
		return;
	if (need > s->cap) {
		html_full(s);
		return;
	}
	if (s->want_spans && need > s->spans_cap) {
		s->spans_cap = s->spans_cap ? s->spans_cap * 2 : 256;
		if (s->spans_cap < need)
			s->spans_cap = need;
		s->spans = pd_xrealloc(s->spans,
		    s->spans_cap * sizeof(*s->spans));
	}
	for (i = 0; s->want_spans && i < n; i++) {
		s->spans[s->vis.len + i].start = start;
		s->spans[s->vis.len + i].end = end;
	}
	(void)pd_buf_add(&s->vis, b, n);	/* fits: vis.max == cap */
}

/* html_break - end the visible line; stop after a line that ends the block */
static void
html_break(struct html_scan *s, size_t start, size_t end)
{
	const char *v;
	size_t skip;

	vis_add(s, "\n", 1, start, end);
	if (s->stop || !s->block_only)
		return;
	v = pd_buf_str(&s->vis);
	skip = s->line == 0 ? cmd_bom(v, s->vis.len) : 0;
	if (cmd_line_kind(v + s->line + skip, s->vis.len - 1 - s->line - skip)
	    == LINE_OTHER)
		s->stop = true;
	s->line = s->vis.len;
}

/* html_visible - text b[0..n) from h[start, end): CR/LF are whitespace */
static void
html_visible(struct html_scan *s, const char *b, size_t n, size_t start,
    size_t end)
{
	if (s->head)
		return;
	if (n == 1 && (b[0] == '\n' || b[0] == '\r')) {
		if (s->pre > 0)
			html_break(s, start, end);
		else
			vis_add(s, " ", 1, start, end);
		return;
	}
	vis_add(s, b, n, start, end);
}

/*
 * html_find - offset of needle (lower case) in h[from, len), compared
 * without ASCII case; len when absent
 */
static size_t
html_find(const char *h, size_t from, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	size_t i;

	for (i = from; i + n <= len; i++)
		if (word_is(h + i, n, needle))
			return i;
	return len;
}

/* html_attrs - offset just past the '>' that ends a tag, from i */
static size_t
html_attrs(const char *h, size_t i, size_t len)
{
	const char *q;
	bool value = false;		/* just after '=' */
	char c;

	for (; i < len; i++) {
		c = h[i];
		if (c == '>')
			return i + 1;
		if (value && (c == '"' || c == '\'')) {
			q = memchr(h + i + 1, c, len - i - 1);
			if (q == NULL)
				return len;
			i = (size_t)(q - h);
			value = false;
		} else if (c == '=') {
			value = true;
		} else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
			value = false;
		}
	}
	return len;
}

/*
 * html_number - "&#N;" or "&#xH;" at p[0..n): its UTF-8 text in out (bad
 * numbers give U+FFFD); returns the text length and sets *used, or 0
 */
static size_t
html_number(const char *p, size_t n, char *out, size_t *used)
{
	unsigned long cp = 0;
	int base = 10, d;
	size_t i = 2, first;

	if (i < n && (p[i] == 'x' || p[i] == 'X')) {
		base = 16;
		i++;
	}
	first = i;
	for (; i < n && i - first < 8; i++) {
		d = base == 16 ? g_ascii_xdigit_value(p[i]) :
		    g_ascii_digit_value(p[i]);
		if (d < 0)
			break;
		cp = cp * (unsigned long)base + (unsigned long)d;
	}
	if (i == first || i >= n || p[i] != ';')
		return 0;
	*used = i + 1;
	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	return (size_t)g_unichar_to_utf8((gunichar)cp, out);
}

/* html_entity - decode the entity at s->pos, or take '&' as text */
static void
html_entity(struct html_scan *s)
{
	const char *p = s->h + s->pos;
	size_t n = s->len - s->pos;
	size_t i, k, tlen = 0, used = 0;
	char text[8];

	if (n > 1 && p[1] == '#') {
		tlen = html_number(p, n, text, &used);
	} else {
		for (i = 0; i < sizeof(html_names) / sizeof(html_names[0]);
		    i++) {
			k = strlen(html_names[i].name);
			if (k + 2 <= n && memcmp(p + 1, html_names[i].name, k)
			    == 0 && p[k + 1] == ';') {
				tlen = strlen(html_names[i].text);
				memcpy(text, html_names[i].text, tlen);
				used = k + 2;
				break;
			}
		}
	}
	if (tlen == 0) {
		text[0] = '&';
		tlen = used = 1;
	}
	html_visible(s, text, tlen, s->pos, s->pos + used);
	s->pos += used;
}

/* html_element - what the tag <name> (or </name>) at [start, end) does */
static void
html_element(struct html_scan *s, const char *name, bool end_tag,
    size_t start, size_t end)
{
	if (strcmp(name, "head") == 0)
		s->head = !end_tag;
	else if (strcmp(name, "body") == 0)
		s->head = false;
	if (s->head)
		return;
	if (strcmp(name, "br") == 0) {
		html_break(s, start, end);
		return;
	}
	if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
		vis_add(s, " ", 1, end, end);
		return;
	}
	if (!html_in(name, html_breaks))
		return;
	if (strcmp(name, "pre") == 0 && end_tag && s->pre > 0)
		s->pre--;
	else if (strcmp(name, "pre") == 0 && !end_tag && s->pre < 1000)
		s->pre++;
	html_break(s, end, end);
	if (strcmp(name, "blockquote") == 0 && !end_tag) {
		vis_add(s, ">", 1, end, end);	/* quoted text starts */
		html_break(s, end, end);
	}
}

/* html_tag - the start or end tag at s->pos */
static void
html_tag(struct html_scan *s, bool end_tag)
{
	size_t start = s->pos;
	size_t i = start + (end_tag ? 2 : 1);
	char name[TAG_NAME_MAX + 1];
	size_t k = 0;
	char c;
	char close[TAG_NAME_MAX + 3];

	for (; i < s->len; i++) {
		c = s->h[i];
		if (!g_ascii_isalnum(c) && c != ':' && c != '-' && c != '_')
			break;
		if (k <= TAG_NAME_MAX)
			name[k++] = g_ascii_tolower(c);
	}
	name[k > TAG_NAME_MAX ? 0 : k] = '\0';
	s->pos = html_attrs(s->h, i, s->len);
	html_element(s, name, end_tag, start, s->pos);
	if (!end_tag && html_in(name, html_raw) && s->h[s->pos - 2] != '/') {
		snprintf(close, sizeof(close), "</%s", name);
		s->pos = html_find(s->h, s->pos, s->len, close);
	}
}

/* html_markup - the '<' at s->pos: tag, comment, declaration or text */
static void
html_markup(struct html_scan *s)
{
	const char *h = s->h;
	size_t p = s->pos, n = s->len, end;
	char c = p + 1 < n ? h[p + 1] : '\0';

	if (c == '!' && p + 3 < n && h[p + 2] == '-' && h[p + 3] == '-') {
		end = html_find(h, p + 4, n, "-->");
		s->pos = end < n ? end + 3 : n;
	} else if (c == '!' || c == '?') {
		end = html_find(h, p + 2, n, ">");
		s->pos = end < n ? end + 1 : n;
	} else if (c == '/' && p + 2 < n && g_ascii_isalpha(h[p + 2])) {
		html_tag(s, true);
	} else if (p + 1 < n && g_ascii_isalpha(c)) {
		html_tag(s, false);
	} else {
		html_visible(s, "<", 1, p, p + 1);
		s->pos = p + 1;
	}
}

/* html_run - tokenize until the end, the cap or the end of the block */
static void
html_run(struct html_scan *s)
{
	char c;

	while (s->pos < s->len && !s->stop) {
		c = s->h[s->pos];
		if (c == '<') {
			html_markup(s);
		} else if (c == '&') {
			html_entity(s);
		} else if (c == '\r' && s->pos + 1 < s->len &&
		    s->h[s->pos + 1] == '\n') {
			html_visible(s, "\n", 1, s->pos, s->pos + 2);
			s->pos += 2;
		} else {
			html_visible(s, &c, 1, s->pos, s->pos + 1);
			s->pos++;
		}
	}
	if (!s->full)
		s->vis_end = s->vis.len;
}

/* html_scan_init - ready to tokenize html[0..len) */
static void
html_scan_init(struct html_scan *s, const char *html, size_t len,
    size_t cap, bool block_only)
{
	memset(s, 0, sizeof(*s));
	s->h = html;
	s->len = len;
	s->cap = cap;
	s->block_only = block_only;
	s->want_spans = block_only;
	pd_buf_init(&s->vis, cap);
}

/* html_scan_free - release the visible text and spans */
static void
html_scan_free(struct html_scan *s)
{
	pd_buf_free(&s->vis);
	pd_xfree(&s->spans);
}

/* State of the copy that leaves out command lines. */
struct html_cut {
	const char		*h;
	const struct html_scan	*s;
	struct pd_buf		*out;
	size_t			 done;	/* source copied or skipped so far */
	bool			 removed;
	bool			 failed;
};

/*
 * html_cut_line - copy the source up to the command line vis[start, end)
 * (start is its '#'), then skip the line's source
 */
static void
html_cut_line(void *arg, size_t start, size_t end)
{
	struct html_cut *c = arg;
	const struct html_span *sp;
	size_t i;

	for (i = start; i < end && !c->failed; i++) {
		sp = &c->s->spans[i];
		if (sp->start == sp->end || sp->start < c->done)
			continue;
		if (pd_buf_add(c->out, c->h + c->done, sp->start - c->done)
		    != PD_OK)
			c->failed = true;
		c->done = sp->end;
		c->removed = true;
	}
}

/* pd_cmd_strip_html - see pd_cmd.h */
bool
pd_cmd_strip_html(const char *html, size_t len, struct pd_cmd_list *cmds,
    struct pd_buf *out_html)
{
	struct html_scan s;
	struct html_cut cut;

	pd_buf_reset(out_html);
	html_scan_init(&s, html, len, PD_CMD_HTML_SCAN_MAX, true);
	html_run(&s);
	memset(&cut, 0, sizeof(cut));
	cut.h = html;
	cut.s = &s;
	cut.out = out_html;
	cmd_scan(pd_buf_str(&s.vis), s.vis_end, cmds, html_cut_line, &cut);
	if (!cut.failed && pd_buf_add(out_html, html + cut.done,
	    len - cut.done) != PD_OK)
		cut.failed = true;
	html_scan_free(&s);
	if (cut.failed) {
		pd_buf_reset(out_html);
		return false;
	}
	return cut.removed;
}

/* pd_cmd_html_text - see pd_cmd.h */
int
pd_cmd_html_text(const char *html, size_t len, size_t max,
    struct pd_buf *out)
{
	struct html_scan s;
	const unsigned char *u;
	size_t end, k;
	int rc;

	html_scan_init(&s, html, len, max, false);
	html_run(&s);
	u = (const unsigned char *)pd_buf_str(&s.vis);
	end = s.vis_end;
	if (s.full) {			/* drop a cut character */
		k = end;
		while (k > 0 && end - k < 3 && (u[k - 1] & 0xc0) == 0x80)
			k--;
		if (k > 0 && (u[k - 1] & 0x80) != 0 &&
		    utf8_seq((const char *)u + k - 1, end - k + 1) == 0)
			end = k - 1;
	}
	rc = pd_buf_add(out, u, end);
	html_scan_free(&s);
	return rc;
}
