/*
 * test_tmpl.c - unit tests for pd_tmpl: the Mustache spec and our rules
 *
 * PURPOSE	Runs every case of the Mustache spec files interpolation,
 *		sections, inverted, comments, delimiters and partials (read
 *		at run time from $top_srcdir/../shared/corpus/mustache-spec/
 *		specs/, TAP SKIP when missing) with HTML escaping on, then
 *		postdesk's own cases: escaping off by default, single-line
 *		rendering for headers, values that look like template syntax,
 *		parse errors with line and column, nesting and output limits,
 *		loading with the "en" fallback, name checks and the value
 *		tree API.  A negative control proves the output comparison
 *		can fail.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json_mini.h"
#include "pd_buf.h"
#include "pd_err.h"
#include "pd_mem.h"
#include "pd_tmpl.h"
#include "../harness/tap.h"

#define SPEC_DIR	"/../shared/corpus/mustache-spec/specs/"
#define OUT_MAX		(1024 * 1024)

static const char *const spec_files[] = {
	"interpolation", "sections", "inverted", "comments", "delimiters",
	"partials",
};

/* skip - a TAP test that did not run, with the reason */
static void
skip(const char *what, const char *why)
{
	tap_count++;
	printf("ok %d # SKIP %s: %s\n", tap_count, what, why);
}

/* same_output - byte-exact comparison of rendered and expected text */
static bool
same_output(const char *got, size_t glen, const char *want, size_t wlen)
{
	return glen == wlen && memcmp(got, want, glen) == 0;
}

/* diag - one TAP diagnostic line with control characters made visible */
static void
diag(const char *label, const char *s, size_t len)
{
	size_t i;

	printf("#   %s '", label);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			printf("\\n");
		else if (c == '\r')
			printf("\\r");
		else if (c == '\t')
			printf("\\t");
		else if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	printf("'\n");
}

/* is_output - ok() on same_output(), with both texts on failure */
static bool
is_output(const struct pd_buf *got, const char *want, size_t wlen,
    const char *name)
{
	bool same = same_output(pd_buf_str(got), got->len, want, wlen);

	if (!ok(same, "%s", name)) {
		diag("got: ", pd_buf_str(got), got->len);
		diag("want:", want, wlen);
	}
	return same;
}

/* render_str - parse tmpl and render it into out; PD_* code */
static int
render_str(const char *tmpl, const struct pd_tmpl_val *ctx, int flags,
    struct pd_buf *out)
{
	struct pd_tmpl *t = pd_tmpl_parse(tmpl, strlen(tmpl), NULL);
	int rc;

	pd_buf_reset(out);
	if (t == NULL)
		return PD_EINVAL;
	rc = pd_tmpl_render(t, ctx, flags, out);
	pd_tmpl_free(&t);
	return rc;
}

/* read_file - whole file into b; false if it cannot be read */
static bool
read_file(const char *path, struct pd_buf *b)
{
	char chunk[4096];
	size_t n = 1;
	FILE *f = fopen(path, "rb");
	bool good = f != NULL;

	while (good && n > 0) {
		n = fread(chunk, 1, sizeof(chunk), f);
		good = pd_buf_add(b, chunk, n) == PD_OK;
	}
	if (f != NULL) {
		good = good && !ferror(f);
		fclose(f);
	}
	return good;
}

/* to_val - the spec's JSON data as a template value tree */
static struct pd_tmpl_val *
to_val(const struct jm_val *j)
{
	struct pd_tmpl_val *v;
	size_t i;

	switch (j->type) {
	case JM_NULL:
		return pd_tmpl_null_new();
	case JM_BOOL:
		return pd_tmpl_bool_new(j->b);
	case JM_NUM:
	case JM_STR:
		return pd_tmpl_strn_new(j->str, j->len);
	case JM_ARR:
		v = pd_tmpl_list_new();
		for (i = 0; i < j->n; i++)
			pd_tmpl_list_attach(v, to_val(j->items[i]));
		return v;
	default:
		v = pd_tmpl_obj_new();
		for (i = 0; i < j->n; i++)
			pd_tmpl_obj_attach(v, j->keys[i], to_val(j->items[i]));
		return v;
	}
}

/* spec_loader - partials from the case's "partials" object */
static int
spec_loader(void *arg, const char *name, const char **text, size_t *len)
{
	const struct jm_val *p = jm_get(arg, name);

	if (p == NULL || p->type != JM_STR)
		return PD_ENOTFOUND;
	*text = p->str;
	*len = p->len;
	return PD_OK;
}

/* run_case - one spec case, rendered with HTML escaping on */
static bool
run_case(const char *file, const struct jm_val *tc, struct pd_buf *out)
{
	const struct jm_val *name = jm_get(tc, "name");
	const struct jm_val *tmpl = jm_get(tc, "template");
	const struct jm_val *want = jm_get(tc, "expected");
	const struct jm_val *data = jm_get(tc, "data");
	struct pd_tmpl_val *ctx = data != NULL ? to_val(data) : NULL;
	struct pd_tmpl *t = NULL;
	struct pd_err err;
	char label[256];
	bool good;

	snprintf(label, sizeof(label), "%s: %s", file,
	    name != NULL && name->type == JM_STR ? name->str : "?");
	pd_buf_reset(out);
	if (tmpl == NULL || want == NULL || tmpl->type != JM_STR ||
	    want->type != JM_STR) {
		pd_tmpl_val_free(&ctx);
		return ok(0, "%s: malformed case", label);
	}
	err.msg[0] = '\0';
	t = pd_tmpl_parse(tmpl->str, tmpl->len, &err);
	if (t != NULL) {
		pd_tmpl_set_loader(t, spec_loader,
		    (void *)jm_get(tc, "partials"));
		pd_tmpl_render(t, ctx, PD_TMPL_ESCAPE_HTML, out);
	}
	good = is_output(out, want->str, want->len, label);
	if (t == NULL)
		printf("#   parse error: %s\n", err.msg);
	pd_tmpl_free(&t);
	pd_tmpl_val_free(&ctx);
	return good;
}

/* run_spec_file - every case of specs/FILE.json */
static void
run_spec_file(const char *top, const char *file, struct pd_buf *out)
{
	const struct jm_val *tests;
	struct jm_val *doc = NULL;
	struct pd_buf path;
	struct pd_buf text;
	char err[128];
	size_t passed = 0;
	size_t i;

	pd_buf_init(&path, 4096);
	pd_buf_init(&text, 4 * 1024 * 1024);
	pd_buf_printf(&path, "%s%s%s.json", top ? top : "", SPEC_DIR, file);
	if (top == NULL)
		skip(file, "top_srcdir is not set");
	else if (!read_file(pd_buf_str(&path), &text))
		skip(file, "spec file missing or unreadable");
	else
		doc = jm_parse(text.data, text.len, err, sizeof(err));
	if (top != NULL && text.len > 0 && doc == NULL)
		ok(0, "%s: JSON error %s", pd_buf_str(&path), err);
	tests = jm_get(doc, "tests");
	if (doc != NULL && (tests == NULL || tests->type != JM_ARR))
		ok(0, "%s: no \"tests\" array", file);
	for (i = 0; tests != NULL && i < tests->n; i++)
		passed += run_case(file, tests->items[i], out);
	if (tests != NULL)
		printf("# spec %s.json: %zu cases, %zu passed\n", file,
		    tests->n, passed);
	jm_free(&doc);
	pd_buf_free(&path);
	pd_buf_free(&text);
}

/* test_json_mini - the test's own reader: numbers as the spec prints */
static void
test_json_mini(void)
{
	static const char doc[] = "[1.210, 85, -0.5e1, \"a\\u00e9\\n\"]";
	struct jm_val *v;
	char err[128];

	v = jm_parse(doc, strlen(doc), err, sizeof(err));
	ok(v != NULL && v->type == JM_ARR && v->n == 4, "json_mini: array");
	if (v != NULL && v->n == 4) {
		is_str(v->items[0]->str, "1.21", "json_mini: 1.210 is 1.21");
		is_str(v->items[1]->str, "85", "json_mini: 85 stays 85");
		is_str(v->items[2]->str, "-5", "json_mini: -0.5e1 is -5");
		is_str(v->items[3]->str, "a\xc3\xa9\n",
		    "json_mini: \\u escape becomes UTF-8");
	}
	jm_free(&v);
	ok(jm_parse("{\"a\": [1,]}", 11, err, sizeof(err)) == NULL,
	    "json_mini: trailing comma refused");
}

/* test_negative_control - the comparison must catch a wrong output */
static void
test_negative_control(struct pd_buf *out)
{
	struct pd_tmpl_val *ctx = pd_tmpl_obj_new();
	static const char wrong[] = "Hello, world?";

	pd_tmpl_obj_set_str(ctx, "subject", "world");
	render_str("Hello, {{subject}}!", ctx, PD_TMPL_ESCAPE_HTML, out);
	ok(same_output(pd_buf_str(out), out->len, "Hello, world!", 13),
	    "negative control: the right output compares equal");
	ok(!same_output(pd_buf_str(out), out->len, wrong, strlen(wrong)),
	    "negative control: a wrong expected output is caught");
	ok(!same_output(pd_buf_str(out), out->len, "Hello, world", 12),
	    "negative control: a shorter expected output is caught");
	pd_tmpl_val_free(&ctx);
}

/* test_escaping - off by default (text/plain), on with the flag */
static void
test_escaping(struct pd_buf *out)
{
	static const char v[] = "<a href=\"x\">&'";
	struct pd_tmpl_val *ctx = pd_tmpl_obj_new();

	pd_tmpl_obj_set_str(ctx, "v", v);
	render_str("{{v}}", ctx, 0, out);
	is_output(out, v, strlen(v), "escaping is off without the flag");
	render_str("{{v}}|{{{v}}}|{{&v}}", ctx, PD_TMPL_ESCAPE_HTML, out);
	is_str(pd_buf_str(out), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;|"
	    "<a href=\"x\">&'|<a href=\"x\">&'",
	    "PD_TMPL_ESCAPE_HTML escapes {{v}}, not {{{v}}} or {{&v}}");
	pd_tmpl_val_free(&ctx);
}

/* test_single_line - values cannot break a header line */
static void
test_single_line(struct pd_buf *out)
{
	static const char subj[] = "Hi\r\nBcc: x@y\0z\x7f\t.";
	struct pd_tmpl_val *ctx = pd_tmpl_obj_new();
	static const char want[] = "Re: Hi  Bcc: x@y z  . [PD-1]";

	pd_tmpl_obj_set_strn(ctx, "subject", subj, sizeof(subj) - 1);
	pd_tmpl_obj_set_str(ctx, "tag", "PD-1");
	render_str("Re: {{subject}} [{{{tag}}}]", ctx, PD_TMPL_SINGLE_LINE,
	    out);
	is_output(out, want, strlen(want), "SINGLE_LINE blanks CR, LF, NUL, "
	    "DEL and TAB in values");
	ok(memchr(out->data, '\r', out->len) == NULL &&
	    memchr(out->data, '\n', out->len) == NULL &&
	    memchr(out->data, '\0', out->len) == NULL,
	    "SINGLE_LINE output holds no CR, LF or NUL");
	render_str("{{subject}}", ctx, 0, out);
	is_output(out, subj, sizeof(subj) - 1,
	    "without SINGLE_LINE a value is copied byte for byte");
	render_str("{{tag}}\n", ctx, PD_TMPL_SINGLE_LINE, out);
	is_str(pd_buf_str(out), "PD-1\n",
	    "SINGLE_LINE leaves the template's own text alone");
	pd_tmpl_val_free(&ctx);
}

/* test_values_are_data - a value is never read as template syntax */
static void
test_values_are_data(struct pd_buf *out)
{
	struct pd_tmpl_val *ctx = pd_tmpl_obj_new();
	struct pd_tmpl_val *l;
	static const char want[] = "{{x}} {{x}} ({{=| |=}})({{>p}})({{#x}})";

	pd_tmpl_obj_set_str(ctx, "v", "{{x}}");
	pd_tmpl_obj_set_str(ctx, "x", "BAD");
	l = pd_tmpl_obj_add_list(ctx, "l");
	pd_tmpl_list_append_str(l, "{{=| |=}}");
	pd_tmpl_list_append_str(l, "{{>p}}");
	pd_tmpl_list_append_str(l, "{{#x}}");
	render_str("{{v}} {{{v}}} {{#l}}({{.}}){{/l}}", ctx, 0, out);
	is_output(out, want, strlen(want), "a value holding \"{{x}}\" is "
	    "printed literally");
	pd_tmpl_val_free(&ctx);
}

static const struct {
	const char *tmpl;
	const char *msg;
} parse_errors[] = {
	{ "{{#a}}\nx", "line 1, column 1: unclosed section \"a\"" },
	{ "ab\n  {{#a}}{{/b}}", "line 2, column 9: \"/b\" does not close "
	    "section \"a\" (line 2, column 3)" },
	{ "x {{/a}}", "line 1, column 3: \"/a\" closes no section" },
	{ "x\ny {{name", "line 2, column 3: unclosed tag (no \"}}\")" },
	{ "{{{name}}", "line 1, column 1: unclosed tag (no \"}}}\")" },
	{ "{{=<% =}}", "line 1, column 1: bad delimiter tag: want two "
	    "delimiters of 1 to 16 bytes" },
	{ "{{=a b c=}}", "line 1, column 1: bad delimiter tag: more than "
	    "two delimiters" },
	{ "\n\n{{}}", "line 3, column 1: tag without a name" },
	{ "{{a b}}", "line 1, column 1: whitespace inside the name \"a b\"" },
	{ "Жж {{#}}", "line 1, column 4: tag without a name" },
	{ "{{=<% %>=}}\n<%#a%>\n<%/b%>", "line 3, column 1: \"/b\" does "
	    "not close section \"a\" (line 2, column 1)" },
};

/* test_parse_errors - each syntax error is named with line and column */
static void
test_parse_errors(void)
{
	struct pd_tmpl *t;
	struct pd_err err;
	char label[64];
	size_t i;

	for (i = 0; i < sizeof(parse_errors) / sizeof(parse_errors[0]);
	    i++) {
		err.code = PD_OK;
		err.msg[0] = '\0';
		t = pd_tmpl_parse(parse_errors[i].tmpl,
		    strlen(parse_errors[i].tmpl), &err);
		snprintf(label, sizeof(label), "parse error %zu: message", i);
		ok(t == NULL && err.code == PD_EINVAL,
		    "parse error %zu refused with PD_EINVAL", i);
		is_str(err.msg, parse_errors[i].msg, label);
		pd_tmpl_free(&t);
	}
}

/* nested - n levels of {{#a}} ... {{/a}} around "x" */
static void
nested(struct pd_buf *b, int n)
{
	int i;

	pd_buf_reset(b);
	for (i = 0; i < n; i++)
		pd_buf_adds(b, "{{#a}}");
	pd_buf_adds(b, "x");
	for (i = 0; i < n; i++)
		pd_buf_adds(b, "{{/a}}");
}

/* self_loader - a partial that includes itself for ever */
static int
self_loader(void *arg, const char *name, const char **text, size_t *len)
{
	(void)arg;
	if (strcmp(name, "self") != 0)
		return PD_ENOTFOUND;
	*text = "<{{>self}}";
	*len = strlen(*text);
	return PD_OK;
}

/* test_limits - nesting, partial recursion and the output maximum */
static void
test_limits(struct pd_buf *out)
{
	struct pd_tmpl_val *ctx = pd_tmpl_obj_new();
	struct pd_tmpl *t;
	struct pd_buf src;
	struct pd_buf small;
	struct pd_err err;

	pd_tmpl_obj_set_bool(ctx, "a", true);
	pd_buf_init(&src, 4096);
	nested(&src, PD_TMPL_MAX_DEPTH);
	is_int(render_str(pd_buf_str(&src), ctx, 0, out), PD_OK,
	    "32 nested sections render");
	is_str(pd_buf_str(out), "x", "... to the innermost text");
	nested(&src, PD_TMPL_MAX_DEPTH + 1);
	t = pd_tmpl_parse(src.data, src.len, &err);
	ok(t == NULL && err.code == PD_EINVAL, "33 nested sections refused");
	is_str(t == NULL ? err.msg : "", "line 1, column 193: sections "
	    "nested deeper than 32", "... naming where");
	t = pd_tmpl_parse("a{{>self}}", 10, NULL);
	pd_tmpl_set_loader(t, self_loader, NULL);
	pd_buf_reset(out);
	pd_buf_adds(out, "old");
	is_int(pd_tmpl_render(t, ctx, 0, out), PD_EINVAL,
	    "a partial that includes itself stops at the depth limit");
	is_int((long long)out->len, 0, "... and leaves the buffer empty");
	pd_tmpl_free(&t);
	pd_buf_init(&small, 8);
	pd_tmpl_obj_set_str(ctx, "v", "0123456789");
	t = pd_tmpl_parse("{{v}}", 5, NULL);
	is_int(pd_tmpl_render(t, ctx, 0, &small), PD_EINVAL,
	    "output over the buffer maximum is an error");
	is_int((long long)small.len, 0, "... not a cut text");
	pd_tmpl_free(&t);
	pd_buf_free(&small);
	pd_buf_free(&src);
	pd_tmpl_val_free(&ctx);
}

/* test_sections_ours - the truth rules postdesk templates rely on */
static void
test_sections_ours(struct pd_buf *out)
{
	static const char tmpl[] = "{{#name}}Dear {{name}},{{/name}}"
	    "{{^name}}Hello,{{/name}}\n{{#quote}}\n> {{subject}}\n"
	    "{{/quote}}\n{{#items}}- {{t}}: {{ok}}\n{{/items}}Regards\n";
	struct pd_tmpl_val *ctx = pd_tmpl_obj_new();
	struct pd_tmpl_val *l = pd_tmpl_obj_add_list(ctx, "items");
	struct pd_tmpl_val *o;

	pd_tmpl_obj_set_str(ctx, "name", "");
	pd_tmpl_obj_set_bool(ctx, "quote", false);
	pd_tmpl_obj_set_str(ctx, "subject", "Printer");
	o = pd_tmpl_list_append_obj(l);
	pd_tmpl_obj_set_str(o, "t", "a");
	pd_tmpl_obj_set_bool(o, "ok", true);
	render_str(tmpl, ctx, 0, out);
	is_str(pd_buf_str(out), "Hello,\n- a: true\nRegards\n",
	    "empty string and false are falsey; bool interpolates");
	pd_tmpl_obj_set_str(ctx, "name", "Анна");
	pd_tmpl_obj_set_bool(ctx, "quote", true);
	render_str(tmpl, ctx, 0, out);
	is_str(pd_buf_str(out), "Dear Анна,\n> Printer\n- a: true\n"
	    "Regards\n", "setting a key again replaces its value");
	pd_tmpl_val_free(&ctx);
}

/* test_value_api - lookups and misuse of the value tree */
static void
test_value_api(void)
{
	struct pd_tmpl_val *obj = pd_tmpl_obj_new();
	struct pd_tmpl_val *list = pd_tmpl_list_new();
	const struct pd_tmpl_val *v;

	pd_tmpl_obj_set_str(obj, "tag", "PD-1");
	v = pd_tmpl_obj_get(obj, "tag");
	is_int(pd_tmpl_val_type(v), PD_TMPL_STR, "obj_get finds a member");
	ok(pd_tmpl_obj_get(obj, "nope") == NULL, "obj_get misses cleanly");
	is_int(pd_tmpl_obj_set_str(list, "k", "v"), PD_EINTERNAL,
	    "set_str on a list is refused");
	ok(pd_tmpl_list_append_obj(obj) == NULL, "append on an object "
	    "is refused");
	is_int(pd_tmpl_obj_attach(list, "k", pd_tmpl_str_new("x")),
	    PD_EINTERNAL, "attach to the wrong type frees the value");
	is_int(pd_tmpl_val_type(NULL), PD_TMPL_NULL, "NULL has type null");
	pd_tmpl_val_free(&obj);
	pd_tmpl_val_free(&list);
	ok(obj == NULL && list == NULL, "val_free clears the pointer");
}

/* test_check_names - unknown placeholders are named with their line */
static void
test_check_names(void)
{
	static const char *const known[] = { "name", "items", "title",
	    "ticket", NULL };
	struct pd_tmpl *t;
	struct pd_err err;
	const char *src = "Hi {{name}}\n{{#items}}{{title}}{{/items}}"
	    "{{.}}{{ticket.tag}}";

	t = pd_tmpl_parse(src, strlen(src), NULL);
	is_int(pd_tmpl_check_names(t, known, &err), PD_OK,
	    "check_names accepts known names");
	is_int(pd_tmpl_check_names(t, known + 1, &err), PD_ENOTFOUND,
	    "check_names refuses an unknown name");
	is_str(err.msg, "line 1, column 4: unknown name \"name\"",
	    "... with line and column");
	pd_tmpl_free(&t);
}

/* write_file - create dir/rel with len bytes of text */
static void
write_file(const char *dir, const char *rel, const char *text, size_t len)
{
	struct pd_buf p;
	FILE *f;

	pd_buf_init(&p, 4096);
	pd_buf_printf(&p, "%s/%s", dir, rel);
	f = fopen(pd_buf_str(&p), "wb");
	if (f != NULL) {
		fwrite(text, 1, len, f);
		fclose(f);
	}
	pd_buf_free(&p);
}

/* write_str - create dir/rel holding the C string text */
static void
write_str(const char *dir, const char *rel, const char *text)
{
	write_file(dir, rel, text, strlen(text));
}

/* remove_rel - unlink or rmdir dir/rel */
static void
remove_rel(const char *dir, const char *rel, bool is_dir)
{
	struct pd_buf p;

	pd_buf_init(&p, 4096);
	pd_buf_printf(&p, "%s/%s", dir, rel);
	if (is_dir)
		rmdir(pd_buf_str(&p));
	else
		unlink(pd_buf_str(&p));
	pd_buf_free(&p);
}

static const struct {
	const char *lang;
	const char *name;
	int code;
	const char *want;	/* output, or the error after "DIR/" */
	const char *file;	/* PD_OK: the file used, after "DIR/" */
} load_cases[] = {
	{ "ru", "ack", PD_OK, "Здравствуйте, Анна\n",
	    "ru/ack" },
	{ "en", "ack", PD_OK, "Hello Анна\n", "en/ack" },
	{ "de", "ack", PD_OK, "Hello Анна\n", "en/ack" },
	{ "ru", "only-en", PD_OK, "en only\n", "en/only-en" },
	{ "ru", "missing", PD_ENOTFOUND, "en/missing: no such template",
	    NULL },
	{ "en", "bad", PD_EINVAL, "en/bad: line 2, column 1: unclosed "
	    "section \"x\"", NULL },
	{ "en", "big", PD_EINVAL, "en/big: larger than 65536 bytes", NULL },
	{ "en", "bin", PD_EINVAL, "en/bin: line 2, column 3: not UTF-8 "
	    "text", NULL },
	{ "en", "dir", PD_EPERMFAIL, "en/dir: not a regular file", NULL },
	{ "..", "ack", PD_EINVAL, "bad template language or name", NULL },
	{ "en", "a.b", PD_EINVAL, "bad template language or name", NULL },
	{ "-x", "ack", PD_EINVAL, "bad template language or name", NULL },
};

/* check_load - one pd_tmpl_load() case against its expectation */
static void
check_load(const char *dir, size_t i, const struct pd_tmpl_val *ctx,
    struct pd_buf *out)
{
	struct pd_tmpl *t;
	struct pd_err err;
	char want[512];
	char label[64];

	err.code = PD_OK;
	t = pd_tmpl_load(dir, load_cases[i].lang, load_cases[i].name, &err);
	snprintf(label, sizeof(label), "load %s/%s", load_cases[i].lang,
	    load_cases[i].name);
	pd_buf_reset(out);
	if (load_cases[i].code == PD_OK) {
		if (t != NULL)
			pd_tmpl_render(t, ctx, 0, out);
		is_str(pd_buf_str(out), load_cases[i].want, label);
		snprintf(want, sizeof(want), "%s/%s", dir, load_cases[i].file);
		is_str(t != NULL ? pd_tmpl_path_get(t) : NULL, want,
		    "... from the expected file");
	} else {
		snprintf(want, sizeof(want), "%s%s%s",
		    strchr(load_cases[i].want, '/') ? dir : "",
		    strchr(load_cases[i].want, '/') ? "/" : "",
		    load_cases[i].want);
		is_int(t == NULL ? err.code : PD_OK, load_cases[i].code,
		    label);
		is_str(err.msg, want, "... message");
	}
	pd_tmpl_free(&t);
}

/* test_load - files under a temporary templates/ directory */
static void
test_load(struct pd_buf *out)
{
	char dir[] = "/tmp/test_tmpl.XXXXXX";
	struct pd_tmpl_val *ctx = pd_tmpl_obj_new();
	struct pd_buf p;
	char *big;
	size_t i;

	if (mkdtemp(dir) == NULL) {
		skip("load", "cannot create a temporary directory");
		pd_tmpl_val_free(&ctx);
		return;
	}
	pd_buf_init(&p, 4096);
	pd_buf_printf(&p, "%s/en", dir);
	mkdir(pd_buf_str(&p), 0700);
	pd_buf_adds(&p, "/dir");
	mkdir(pd_buf_str(&p), 0700);
	pd_buf_reset(&p);
	pd_buf_printf(&p, "%s/ru", dir);
	mkdir(pd_buf_str(&p), 0700);
	write_str(dir, "en/ack", "Hello {{name}}\n");
	write_str(dir, "ru/ack", "Здравствуйте, {{name}}\n");
	write_str(dir, "en/only-en", "en only\n");
	write_str(dir, "en/bad", "line 1\n{{#x}}\n");
	write_str(dir, "en/bin", "ok\nab\xff\n");
	big = pd_xmalloc(PD_TMPL_MAX_SIZE + 1);
	memset(big, 'a', PD_TMPL_MAX_SIZE + 1);
	write_file(dir, "en/big", big, PD_TMPL_MAX_SIZE + 1);
	pd_free(big);
	pd_tmpl_obj_set_str(ctx, "name", "Анна");
	for (i = 0; i < sizeof(load_cases) / sizeof(load_cases[0]); i++)
		check_load(dir, i, ctx, out);
	remove_rel(dir, "en/ack", false);
	remove_rel(dir, "ru/ack", false);
	remove_rel(dir, "en/only-en", false);
	remove_rel(dir, "en/bad", false);
	remove_rel(dir, "en/bin", false);
	remove_rel(dir, "en/big", false);
	remove_rel(dir, "en/dir", true);
	remove_rel(dir, "en", true);
	remove_rel(dir, "ru", true);
	ok(rmdir(dir) == 0, "temporary templates directory removed");
	pd_buf_free(&p);
	pd_tmpl_val_free(&ctx);
}

/* test_loaded_path - a loaded template knows its file */
static void
test_loaded_path(void)
{
	struct pd_tmpl *t = pd_tmpl_parse("x", 1, NULL);

	ok(t != NULL && pd_tmpl_path_get(t) == NULL,
	    "a parsed template has no path");
	pd_tmpl_free(&t);
	pd_tmpl_free(&t);
	ok(t == NULL, "pd_tmpl_free is NULL-safe and clears the pointer");
}

int
main(void)
{
	const char *top = getenv("top_srcdir");
	struct pd_buf out;
	size_t i;

	pd_buf_init(&out, OUT_MAX);
	for (i = 0; i < sizeof(spec_files) / sizeof(spec_files[0]); i++)
		run_spec_file(top, spec_files[i], &out);
	test_json_mini();
	test_negative_control(&out);
	test_escaping(&out);
	test_single_line(&out);
	test_values_are_data(&out);
	test_parse_errors();
	test_limits(&out);
	test_sections_ours(&out);
	test_value_api();
	test_check_names();
	test_load(&out);
	test_loaded_path();
	pd_buf_free(&out);
	return tap_done();
}
