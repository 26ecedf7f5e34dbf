/*
 * pd_conf_file.c - the configuration file as text: read, syntax, lines
 *
 * PURPOSE	See pd_conf_file.h.
 * THREADS	Reentrant (g_strerror() is thread-safe, strerror() is not).
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "pd_buf.h"
#include "pd_conf_file.h"
#include "pd_mem.h"

/* pd_conf_file_find - linear search; files have a few dozen lines */
const struct pd_conf_line *
pd_conf_file_find(const struct pd_conf_file *f, const char *section,
    const char *key)
{
	const struct pd_conf_line *l;

	for (l = f->lines; l < f->lines + f->n_lines; l++) {
		if (strcmp(l->section, section) != 0)
			continue;
		if (key == NULL ? l->key == NULL :
		    l->key != NULL && strcmp(l->key, key) == 0)
			return l;
	}
	return NULL;
}

/* line_of - line of key in section, else of section, else 0 */
static unsigned
line_of(const struct pd_conf_file *f, const char *section, const char *key)
{
	const struct pd_conf_line *l = NULL;

	if (key != NULL)
		l = pd_conf_file_find(f, section, key);
	if (l == NULL)
		l = pd_conf_file_find(f, section, NULL);
	return l != NULL ? l->line : 0;
}

/* pd_conf_file_fail - format the error; returns PD_EPERMFAIL */
int
pd_conf_file_fail(const struct pd_conf_file *f, unsigned line,
    const char *section, const char *key, const char *fmt, ...)
{
	char msg[PD_ERR_MSG_MAX];
	char where[PD_ERR_MSG_MAX / 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (section != NULL)
		line = line_of(f, section, key);
	if (line > 0)
		snprintf(where, sizeof(where), "%s:%u", f->path, line);
	else
		snprintf(where, sizeof(where), "%s", f->path);
	if (section == NULL)
		return pd_err_set(f->err, PD_EPERMFAIL, "%s: %s", where, msg);
	return pd_err_set(f->err, PD_EPERMFAIL, "%s: [%s]%s%s: %s", where,
	    section, key != NULL ? " " : "", key != NULL ? key : "", msg);
}

/* file_load - the whole file into f->text */
static int
file_load(struct pd_conf_file *f)
{
	struct pd_buf b;
	char chunk[4096];
	size_t n;
	FILE *fp;
	int rc = PD_OK;

	fp = fopen(f->path, "re");
	if (fp == NULL)
		return pd_conf_file_fail(f, 0, NULL, NULL, "cannot open: %s",
		    g_strerror(errno));
	pd_buf_init(&b, PD_CONF_FILE_MAX);
	for (;;) {
		n = fread(chunk, 1, sizeof(chunk), fp);
		if (n == 0)
			break;
		if (pd_buf_add(&b, chunk, n) != PD_OK) {
			rc = pd_conf_file_fail(f, 0, NULL, NULL,
			    "larger than %d bytes", PD_CONF_FILE_MAX);
			break;
		}
	}
	if (rc == PD_OK && ferror(fp))
		rc = pd_conf_file_fail(f, 0, NULL, NULL, "cannot read: %s",
		    g_strerror(errno));
	fclose(fp);
	f->len = b.len;
	f->text = pd_buf_detach(&b);
	return rc;
}

/* line_add - append an index entry (section and key are copied) */
static void
line_add(struct pd_conf_file *f, const char *section, const char *key,
    size_t keylen, unsigned line)
{
	struct pd_conf_line *l;

	f->lines = pd_xrealloc(f->lines, (f->n_lines + 1) * sizeof(*l));
	l = &f->lines[f->n_lines++];
	l->section = pd_xstrdup(section);
	l->key = key != NULL ? pd_xstrndup(key, keylen) : NULL;
	l->line = line;
}

/* scan_header - a "[section]" line, s[0..len) without outer blanks */
static int
scan_header(struct pd_conf_file *f, const char *s, size_t len,
    unsigned line, const char **section)
{
	const struct pd_conf_line *prev;
	char *name;
	int rc = PD_OK;

	if (len < 3 || s[len - 1] != ']' || memchr(s + 1, '[', len - 2) ||
	    memchr(s + 1, ']', len - 2))
		return pd_conf_file_fail(f, line, NULL, NULL,
		    "expected \"[section]\", got \"%.*s\"", (int)len, s);
	name = pd_xstrndup(s + 1, len - 2);
	prev = pd_conf_file_find(f, name, NULL);
	if (prev != NULL) {
		rc = pd_conf_file_fail(f, line, NULL, NULL,
		    "duplicate section [%s] (first at line %u)", name,
		    prev->line);
	} else {
		line_add(f, name, NULL, 0, line);
		*section = f->lines[f->n_lines - 1].section;
	}
	pd_free(name);
	return rc;
}

/* scan_key - a "key = value" line of section */
static int
scan_key(struct pd_conf_file *f, const char *s, size_t len, unsigned line,
    const char *section)
{
	const struct pd_conf_line *prev;
	const char *eq = memchr(s, '=', len);
	size_t klen;
	char *key;
	int rc = PD_OK;

	if (eq == NULL)
		return pd_conf_file_fail(f, line, NULL, NULL, "expected \"key "
		    "= value\", \"[section]\" or \"# comment\", got \"%.*s\"",
		    (int)len, s);
	if (section == NULL)
		return pd_conf_file_fail(f, line, NULL, NULL,
		    "key outside any section (start with [general])");
	for (klen = (size_t)(eq - s); klen > 0 && (s[klen - 1] == ' ' ||
	    s[klen - 1] == '\t'); klen--)
		;
	if (klen == 0)
		return pd_conf_file_fail(f, line, NULL, NULL,
		    "expected a key name before \"=\"");
	key = pd_xstrndup(s, klen);
	prev = pd_conf_file_find(f, section, key);
	if (prev != NULL)
		rc = pd_conf_file_fail(f, line, NULL, NULL, "duplicate key "
		    "\"%s\" in [%s] (first at line %u)", key, section,
		    prev->line);
	else
		line_add(f, section, key, klen, line);
	pd_free(key);
	return rc;
}

/* trim - drop blanks around *s[0..*len) and a CR before the LF */
static void
trim(const char **s, size_t *len)
{
	while (*len > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && strchr(" \t\r", (*s)[*len - 1]) != NULL)
		(*len)--;
}

/* pd_conf_file_read - load, then check every line and index the names */
int
pd_conf_file_read(struct pd_conf_file *f)
{
	const char *p, *end, *eol, *section = NULL;
	unsigned line = 0;
	size_t len;
	int rc;

	/*
	 * An empty index is an array of no lines, never NULL: callers walk
	 * it as lines .. lines + n_lines, and NULL + 0 is undefined in C.
	 */
	f->lines = pd_xcalloc(1, sizeof(*f->lines));
	rc = file_load(f);
	if (rc != PD_OK)
		return rc;
	for (p = f->text, end = p + f->len; p < end && rc == PD_OK;
	    p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		line++;
		len = (size_t)(eol - p);
		if (memchr(p, '\0', len) != NULL ||
		    !g_utf8_validate(p, (gssize)len, NULL))
			return pd_conf_file_fail(f, line, NULL, NULL,
			    "expected UTF-8 text without NUL bytes");
		trim(&p, &len);
		if (len == 0 || *p == '#')
			continue;
		if (*p == '[')
			rc = scan_header(f, p, len, line, &section);
		else
			rc = scan_key(f, p, len, line, section);
	}
	return rc;
}

/* pd_conf_file_free - release text and index (f itself is the caller's) */
void
pd_conf_file_free(struct pd_conf_file *f)
{
	size_t i;

	for (i = 0; i < f->n_lines; i++) {
		pd_free(f->lines[i].section);
		pd_free(f->lines[i].key);
	}
	pd_xfree(&f->lines);
	pd_xfree(&f->text);
	f->n_lines = 0;
	f->len = 0;
}
