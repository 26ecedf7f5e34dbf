/*
 * fuzz_tmpl.c - libFuzzer target: the template engine
 *
 * FEEDS	The input as template text to pd_tmpl_parse(); a template
 *		that compiles goes to pd_tmpl_check_names() and is rendered
 *		with pd_tmpl_render() against a fixed value tree shaped like
 *		the acknowledgement's and the survey's (strings, booleans,
 *		null, a nested object, lists with one item and an empty
 *		one, a string with a NUL, a value that looks like a tag)
 *		with each render flag, and two fixed partials "p" and "q".
 *		Lists hold at most one item on purpose: nested sections of
 *		a list of k items render k^depth times, which is slow
 *		without being wrong (templates are the admin's).
 * CHECKS	- a failed parse sets err; names are PD_OK or PD_ENOTFOUND;
 *		- rendering is deterministic;
 *		- values are never read as template text: unless the
 *		  template names "secret", changing that value changes
 *		  nothing, although another value is "{{secret}}";
 *		- with PD_TMPL_SINGLE_LINE a value's CR LF become spaces: a
 *		  subject "...\r\nX-Injected: 1" renders exactly as one with
 *		  two spaces there; and a UTF-8 template gives UTF-8 output.
 *		Each check compares two renders, so text that the template
 *		itself spells out cannot fool it.
 * SEE ALSO	lib/pd_tmpl.h, tests/unit/test_tmpl.c, scripts/fuzz.sh.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "pd_buf.h"
#include "pd_err.h"
#include "pd_mem.h"
#include "pd_tmpl.h"
#include "fuzz.h"

#define OUT_MAX		(1024 * 1024)
#define SUBJECT		"Re: hello\r\nX-Injected: 1"
#define SUBJECT_FLAT	"Re: hello  X-Injected: 1"	/* what SINGLE_LINE
							 * makes of it */

static struct pd_tmpl_val *root;	/* the values */
static struct pd_tmpl_val *flat;	/* the subject without CR LF */
static struct pd_tmpl_val *other;	/* another secret */

/* values - the fixed value tree, with this subject and secret */
static struct pd_tmpl_val *
values(const char *subject, const char *secret)
{
	struct pd_tmpl_val *v = pd_tmpl_obj_new();
	struct pd_tmpl_val *o;
	struct pd_tmpl_val *l;

	pd_tmpl_obj_set_str(v, "tag", "[PD-1042-K7QF]");
	pd_tmpl_obj_set_str(v, "queue", "Example Support");
	pd_tmpl_obj_set_str(v, "subject", subject);
	pd_tmpl_obj_set_str(v, "name", "Ann <b>&\"'</b> \xd0\x90\xd0\xbd\xd1"
	    "\x8f");
	pd_tmpl_obj_set_str(v, "due", "by Monday, 10:00");
	pd_tmpl_obj_set_bool(v, "quote", true);
	pd_tmpl_obj_set_bool(v, "off", false);
	pd_tmpl_obj_set_str(v, "empty", "");
	pd_tmpl_obj_attach(v, "nothing", pd_tmpl_null_new());
	pd_tmpl_obj_set_str(v, "secret", secret);
	pd_tmpl_obj_set_str(v, "tricky", "{{secret}}{{{secret}}}{{>p}}");
	pd_tmpl_obj_set_strn(v, "nul", "a\0b\x01\x7f\xc2\x85", 7);
	o = pd_tmpl_obj_add_obj(v, "obj");
	o = pd_tmpl_obj_add_obj(o, "a");
	pd_tmpl_obj_set_str(o, "b", "deep");
	l = pd_tmpl_obj_add_list(v, "grades");
	o = pd_tmpl_list_append_obj(l);
	pd_tmpl_obj_set_str(o, "grade", "5");
	pd_tmpl_obj_set_str(o, "label", "Excellent");
	pd_tmpl_obj_set_str(o, "address",
	    "support+csat-1-5-0123456789abcdef@example.com");
	l = pd_tmpl_obj_add_list(v, "lines");
	pd_tmpl_list_append_str(l, "the customer's line\n");
	pd_tmpl_obj_add_list(v, "none");
	return v;
}

/* loader - partials "p" and "q"; other names are not found */
static int
loader(void *arg, const char *name, const char **text, size_t *len)
{
	static const char p[] = "[{{name}}|{{> q}}]\n";
	static const char q[] = "{{#grades}}{{label}} {{address}}{{/grades}}";

	(void)arg;
	if (strcmp(name, "p") == 0) {
		*text = p;
		*len = sizeof(p) - 1;
	} else if (strcmp(name, "q") == 0) {
		*text = q;
		*len = sizeof(q) - 1;
	} else {
		return PD_ENOTFOUND;
	}
	return PD_OK;
}

/* LLVMFuzzerInitialize - the value trees, once */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	root = values(SUBJECT, "s3cr3t-one");
	flat = values(SUBJECT_FLAT, "s3cr3t-one");
	other = values(SUBJECT, "s3cr3t-two");
	return 0;
}

/* same - two renders gave the same result */
static bool
same(int rc1, const struct pd_buf *a, int rc2, const struct pd_buf *b)
{
	return rc1 == rc2 && a->len == b->len &&
	    (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

/* render_with - render t against v with flags into a new buffer */
static int
render_with(const struct pd_tmpl *t, const struct pd_tmpl_val *v,
    int flags, struct pd_buf *out)
{
	pd_buf_init(out, OUT_MAX);
	return pd_tmpl_render(t, v, flags, out);
}

/* render - t with flags, and what must hold for the result */
static void
render(const struct pd_tmpl *t, bool names_secret, int flags, bool utf8)
{
	struct pd_buf a;
	struct pd_buf b;
	int rc;
	int rc2;

	rc = render_with(t, root, flags, &a);
	rc2 = render_with(t, root, flags, &b);
	FUZZ_CHECK(same(rc, &a, rc2, &b), "rendering is deterministic");
	pd_buf_free(&b);
	if (!names_secret) {
		rc2 = render_with(t, other, flags, &b);
		FUZZ_CHECK(same(rc, &a, rc2, &b),
		    "values are never read as template text");
		pd_buf_free(&b);
	}
	if (flags & PD_TMPL_SINGLE_LINE) {
		rc2 = render_with(t, flat, flags, &b);
		FUZZ_CHECK(same(rc, &a, rc2, &b),
		    "SINGLE_LINE: a value's CR LF become spaces");
		pd_buf_free(&b);
		if (rc == PD_OK && utf8)
			FUZZ_CHECK(fuzz_utf8(a.data ? a.data : "", a.len),
			    "a UTF-8 template renders UTF-8");
	}
	pd_buf_free(&a);
}

/* LLVMFuzzerTestOneInput - one template */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const known[] = { "tag", "queue", "subject",
	    "name", "due", "quote", "grades", "label", NULL };
	const char *src = (const char *)data;
	struct pd_err err = { 0, "" };
	struct pd_tmpl *t;
	bool secret;
	bool utf8;
	int rc;

	t = pd_tmpl_parse(src, size, &err);
	if (t == NULL) {
		FUZZ_CHECK(err.code != PD_OK && err.msg[0] != '\0',
		    "a failed parse says why");
		return 0;
	}
	rc = pd_tmpl_check_names(t, known, &err);
	FUZZ_CHECK(rc == PD_OK || rc == PD_ENOTFOUND, "names: known result");
	pd_tmpl_set_loader(t, loader, NULL);
	utf8 = fuzz_utf8(src, size);
	secret = memmem(src, size, "secret", 6) != NULL;
	render(t, secret, 0, utf8);
	render(t, secret, PD_TMPL_ESCAPE_HTML, utf8);
	render(t, secret, PD_TMPL_SINGLE_LINE, utf8);
	render(t, secret, PD_TMPL_SINGLE_LINE | PD_TMPL_ESCAPE_HTML, utf8);
	pd_tmpl_free(&t);
	return 0;
}
