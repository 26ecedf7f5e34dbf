/*
 * pd_buf.c - bounded byte/string buffer
 *
 * PURPOSE	See pd_buf.h.
 * THREADS	A buffer is used by one thread at a time.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "pd_buf.h"
#include "pd_err.h"
#include "pd_mem.h"

/* pd_buf_init - empty buffer that will never hold more than max bytes */
void
pd_buf_init(struct pd_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

/* pd_buf_free - release the data; the buffer may be reused after init */
void
pd_buf_free(struct pd_buf *b)
{
	pd_xfree(&b->data);
	b->len = 0;
	b->cap = 0;
}

/* pd_buf_reset - empty the buffer, keeping its allocation */
void
pd_buf_reset(struct pd_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/* buf_grow - make room for len more bytes plus a NUL, within max */
static int
buf_grow(struct pd_buf *b, size_t len)
{
	size_t need;
	size_t cap;

	if (len > b->max || b->len > b->max - len) {
		pd_buf_reset(b);
		return PD_EINVAL;
	}
	need = b->len + len + 1;
	if (need <= b->cap)
		return PD_OK;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	b->data = pd_xrealloc(b->data, cap);
	b->cap = cap;
	return PD_OK;
}

/* pd_buf_add - append len bytes */
int
pd_buf_add(struct pd_buf *b, const void *data, size_t len)
{
	if (buf_grow(b, len) != PD_OK)
		return PD_EINVAL;
	if (len > 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return PD_OK;
}

/* pd_buf_adds - append a C string */
int
pd_buf_adds(struct pd_buf *b, const char *s)
{
	return pd_buf_add(b, s, strlen(s));
}

/* pd_buf_addc - append one byte */
int
pd_buf_addc(struct pd_buf *b, char c)
{
	return pd_buf_add(b, &c, 1);
}

/* pd_buf_vprintf - append formatted text */
int
pd_buf_vprintf(struct pd_buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0 || buf_grow(b, (size_t)n) != PD_OK)
		return PD_EINVAL;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return PD_OK;
}

/* pd_buf_printf - append formatted text */
int
pd_buf_printf(struct pd_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = pd_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

/* pd_buf_str - borrowed C string view */
const char *
pd_buf_str(const struct pd_buf *b)
{
	return b->data != NULL ? b->data : "";
}

/* pd_buf_detach - hand the data to the caller */
char *
pd_buf_detach(struct pd_buf *b)
{
	char *p = b->data != NULL ? b->data : pd_xstrdup("");

	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}
