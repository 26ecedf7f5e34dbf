/*
 * pd_buf.h - bounded byte/string buffer
 *
 * PURPOSE	The only way strings are built in postdesk (curl dynbuf):
 *		every buffer has a maximum size fixed at init, so hostile input
 *		can never make one grow without bound.
 * DESIGN	The struct itself never moves (callers embed it); its data
 *		grows geometrically up to max.  An append that would pass max
 *		empties the buffer and returns PD_EINVAL, so a truncated value
 *		can never be mistaken for a complete one.  The data is always
 *		NUL-terminated (binary data may contain NULs; use len).
 * OWNERSHIP	The buffer owns data; pd_buf_free() releases it,
 *		pd_buf_detach() hands it to the caller (who pd_free()s it).
 * THREADS	A buffer is used by one thread at a time.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_BUF_H
#define PD_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct pd_buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	size_t	 max;
};

void	 pd_buf_init(struct pd_buf *b, size_t max);
void	 pd_buf_free(struct pd_buf *b);
void	 pd_buf_reset(struct pd_buf *b);
int	 pd_buf_add(struct pd_buf *b, const void *data, size_t len);
int	 pd_buf_adds(struct pd_buf *b, const char *s);
int	 pd_buf_addc(struct pd_buf *b, char c);
int	 pd_buf_printf(struct pd_buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	 pd_buf_vprintf(struct pd_buf *b, const char *fmt, va_list ap)
	    __attribute__((format(printf, 2, 0)));
/* pd_buf_str - the contents as a C string ("" when empty); borrowed */
const char *pd_buf_str(const struct pd_buf *b);
/* pd_buf_detach - take the contents (never NULL); the buffer is emptied */
char	*pd_buf_detach(struct pd_buf *b);

#endif
