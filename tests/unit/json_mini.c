/*
 * json_mini.c - a tiny JSON reader for the tests
 *
 * PURPOSE	See json_mini.h.
 * THREADS	Reentrant: the reader's state is on the stack.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pd_buf.h"
#include "pd_err.h"
#include "pd_mem.h"
#include "json_mini.h"

struct jm_reader {
	const char *s;
	size_t	len;
	size_t	pos;
	unsigned depth;
	char	*err;
	size_t	errlen;
};

static struct jm_val *jm_value(struct jm_reader *);

/* jm_fail - record the first error with its offset; returns NULL */
static struct jm_val *
jm_fail(struct jm_reader *r, const char *what)
{
	if (r->err[0] == '\0')
		snprintf(r->err, r->errlen, "offset %zu: %s", r->pos, what);
	return NULL;
}

/* jm_skip_ws - skip JSON whitespace */
static void
jm_skip_ws(struct jm_reader *r)
{
	while (r->pos < r->len && (r->s[r->pos] == ' ' ||
	    r->s[r->pos] == '\t' || r->s[r->pos] == '\n' ||
	    r->s[r->pos] == '\r'))
		r->pos++;
}

/* jm_lit - consume the literal word if it is next */
static bool
jm_lit(struct jm_reader *r, const char *word)
{
	size_t n = strlen(word);

	if (r->len - r->pos < n || memcmp(r->s + r->pos, word, n) != 0)
		return false;
	r->pos += n;
	return true;
}

/* jm_new - a zeroed value of type */
static struct jm_val *
jm_new(enum jm_type type)
{
	struct jm_val *v = pd_xcalloc(1, sizeof(*v));

	v->type = type;
	return v;
}

/* jm_bool - a boolean value */
static struct jm_val *
jm_bool(bool b)
{
	struct jm_val *v = jm_new(JM_BOOL);

	v->b = b;
	return v;
}

/* jm_hex4 - four hex digits at pos, or -1 */
static long
jm_hex4(struct jm_reader *r)
{
	static const char digits[] = "0123456789abcdef";
	const char *d;
	long cp = 0;
	int i;

	if (r->len - r->pos < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		char c = r->s[r->pos + (size_t)i];

		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		d = c != '\0' ? memchr(digits, c, 16) : NULL;
		if (d == NULL)
			return -1;
		cp = cp * 16 + (d - digits);
	}
	r->pos += 4;
	return cp;
}

/* jm_utf8 - append code point cp as UTF-8 */
static int
jm_utf8(struct pd_buf *b, long cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return pd_buf_add(b, u, n);
}

/* jm_unicode - the code point of \uXXXX (pos after the u), or -1 */
static long
jm_unicode(struct jm_reader *r)
{
	long hi = jm_hex4(r);
	long lo;

	if (hi < 0xd800 || hi > 0xdfff)
		return hi;
	if (hi > 0xdbff || !jm_lit(r, "\\u"))
		return -1;
	lo = jm_hex4(r);
	if (lo < 0xdc00 || lo > 0xdfff)
		return -1;
	return 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
}

/* jm_escape - one escape sequence (pos after the backslash) */
static int
jm_escape(struct jm_reader *r, struct pd_buf *b)
{
	static const char from[] = "\"\\/bfnrt";
	static const char to[] = "\"\\/\b\f\n\r\t";
	const char *p;
	long cp;

	if (r->pos >= r->len)
		return PD_EINVAL;
	p = memchr(from, r->s[r->pos], sizeof(from) - 1);
	if (p != NULL && r->s[r->pos] != '\0') {
		r->pos++;
		return pd_buf_addc(b, to[p - from]);
	}
	if (r->s[r->pos++] != 'u')
		return PD_EINVAL;
	cp = jm_unicode(r);
	return cp < 0 ? PD_EINVAL : jm_utf8(b, cp);
}

/* jm_string_into - a string literal (pos at the quote) into b */
static int
jm_string_into(struct jm_reader *r, struct pd_buf *b)
{
	unsigned char c;
	int rc = PD_OK;

	if (!jm_lit(r, "\""))
		return PD_EINVAL;
	while (rc == PD_OK) {
		if (r->pos >= r->len)
			return PD_EINVAL;
		c = (unsigned char)r->s[r->pos++];
		if (c == '"')
			return PD_OK;
		if (c < 0x20)
			return PD_EINVAL;
		rc = c == '\\' ? jm_escape(r, b) : pd_buf_addc(b, (char)c);
	}
	return rc;
}

/* jm_string - a string value */
static struct jm_val *
jm_string(struct jm_reader *r)
{
	struct jm_val *v;
	struct pd_buf b;

	pd_buf_init(&b, r->len);
	if (jm_string_into(r, &b) != PD_OK) {
		pd_buf_free(&b);
		return jm_fail(r, "bad string");
	}
	v = jm_new(JM_STR);
	v->len = b.len;
	v->str = pd_buf_detach(&b);
	return v;
}

/* jm_number - a number, kept as its shortest round-trip text */
static struct jm_val *
jm_number(struct jm_reader *r)
{
	char tmp[64];
	char out[40];
	const char *start = r->s + r->pos;
	size_t n = 0;
	struct jm_val *v;
	char *end;
	double d;
	int prec;

	while (n < r->len - r->pos && n < sizeof(tmp) && start[n] != '\0' &&
	    strchr("+-0123456789.eE", start[n]) != NULL)
		n++;
	if (n == 0 || n >= sizeof(tmp))
		return jm_fail(r, "bad number");
	memcpy(tmp, start, n);
	tmp[n] = '\0';
	d = strtod(tmp, &end);
	if (end != tmp + n)
		return jm_fail(r, "bad number");
	r->pos += n;
	for (prec = 1; prec <= 17; prec++) {
		snprintf(out, sizeof(out), "%.*g", prec, d);
		if (strtod(out, NULL) == d)
			break;
	}
	v = jm_new(JM_NUM);
	v->str = pd_xstrdup(out);
	v->len = strlen(out);
	return v;
}

/* jm_push - add a child (and its key, for objects) to container v */
static void
jm_push(struct jm_val *v, char *key, struct jm_val *child)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		v->items = pd_xrealloc(v->items, v->cap * sizeof(*v->items));
		if (v->type == JM_OBJ)
			v->keys = pd_xrealloc(v->keys,
			    v->cap * sizeof(*v->keys));
	}
	if (v->type == JM_OBJ)
		v->keys[v->n] = key;
	v->items[v->n++] = child;
}

/* jm_member - one "key": value pair of an object */
static bool
jm_member(struct jm_reader *r, struct jm_val *obj)
{
	struct jm_val *child;
	struct pd_buf key;

	pd_buf_init(&key, r->len);
	jm_skip_ws(r);
	if (jm_string_into(r, &key) != PD_OK) {
		pd_buf_free(&key);
		jm_fail(r, "bad object key");
		return false;
	}
	jm_skip_ws(r);
	child = jm_lit(r, ":") ? jm_value(r) : NULL;
	if (child == NULL) {
		pd_buf_free(&key);
		jm_fail(r, "bad object member");
		return false;
	}
	jm_push(obj, pd_buf_detach(&key), child);
	return true;
}

/* jm_container - an array or object (pos after the bracket) */
static struct jm_val *
jm_container(struct jm_reader *r, enum jm_type type)
{
	const char *close = type == JM_ARR ? "]" : "}";
	struct jm_val *v = jm_new(type);
	struct jm_val *child;

	jm_skip_ws(r);
	if (jm_lit(r, close))
		return v;
	for (;;) {
		if (type == JM_OBJ && !jm_member(r, v))
			break;
		child = type == JM_ARR ? jm_value(r) : NULL;
		if (type == JM_ARR && child == NULL)
			break;
		if (child != NULL)
			jm_push(v, NULL, child);
		jm_skip_ws(r);
		if (jm_lit(r, close))
			return v;
		if (!jm_lit(r, ",")) {
			jm_fail(r, "expected ',' or a closing bracket");
			break;
		}
	}
	jm_free(&v);
	return NULL;
}

/* jm_value - any value, with leading whitespace */
static struct jm_val *
jm_value(struct jm_reader *r)
{
	struct jm_val *v = NULL;

	jm_skip_ws(r);
	if (r->pos >= r->len)
		return jm_fail(r, "unexpected end");
	if (r->depth >= JM_MAX_DEPTH)
		return jm_fail(r, "nested too deep");
	r->depth++;
	if (jm_lit(r, "{"))
		v = jm_container(r, JM_OBJ);
	else if (jm_lit(r, "["))
		v = jm_container(r, JM_ARR);
	else if (r->s[r->pos] == '"')
		v = jm_string(r);
	else if (jm_lit(r, "null"))
		v = jm_new(JM_NULL);
	else if (jm_lit(r, "true"))
		v = jm_bool(true);
	else if (jm_lit(r, "false"))
		v = jm_bool(false);
	else
		v = jm_number(r);
	r->depth--;
	return v;
}

/* jm_parse - a whole document: one value and nothing after it */
struct jm_val *
jm_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct jm_reader r;
	struct jm_val *v;

	memset(&r, 0, sizeof(r));
	r.s = text;
	r.len = len;
	r.err = err;
	r.errlen = errlen;
	err[0] = '\0';
	v = jm_value(&r);
	jm_skip_ws(&r);
	if (v != NULL && r.pos != r.len) {
		jm_free(&v);
		jm_fail(&r, "text after the value");
	}
	return v;
}

/* jm_get - object member by key */
const struct jm_val *
jm_get(const struct jm_val *obj, const char *key)
{
	size_t i;

	if (obj == NULL || obj->type != JM_OBJ)
		return NULL;
	for (i = 0; i < obj->n; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return obj->items[i];
	return NULL;
}

/* jm_free - free a tree */
void
jm_free(struct jm_val **vp)
{
	struct jm_val *v = *vp;
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++) {
		jm_free(&v->items[i]);
		if (v->keys != NULL)
			pd_free(v->keys[i]);
	}
	pd_free(v->items);
	pd_free(v->keys);
	pd_free(v->str);
	pd_xfree(vp);
}
