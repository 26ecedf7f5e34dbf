/*
 * pd_mem.c - the xmalloc family, and the one malloc tuning knob
 *
 * PURPOSE	See pd_mem.h.  Out of memory is logged to stderr and syslog
 *		by pd_panic() and the process aborts; systemd restarts it and
 *		Postfix's milter_default_action keeps mail flowing.
 *		pd_mem_limit_arenas() is glibc's mallopt(M_ARENA_MAX), here
 *		so that nothing else needs <malloc.h>.
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "pd_log.h"
#include "pd_mem.h"

/* pd_xmalloc - malloc or die */
void *
pd_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		pd_panic("out of memory allocating %zu bytes", size);
	return p;
}

/* pd_xcalloc - calloc or die */
void *
pd_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		pd_panic("out of memory allocating %zu x %zu bytes", nmemb,
		    size);
	return p;
}

/* pd_xrealloc - realloc or die */
void *
pd_xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (p == NULL)
		pd_panic("out of memory reallocating %zu bytes", size);
	return p;
}

/* pd_xstrdup - strdup or die */
char *
pd_xstrdup(const char *s)
{
	return pd_xstrndup(s, strlen(s));
}

/* pd_xstrndup - copy at most len bytes of s, NUL-terminated */
char *
pd_xstrndup(const char *s, size_t len)
{
	size_t n = strnlen(s, len);
	char *p = pd_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* pd_xmemdup - copy len bytes and add a NUL after them */
void *
pd_xmemdup(const void *src, size_t len)
{
	char *p = pd_xmalloc(len + 1);

	memcpy(p, src, len);
	p[len] = '\0';
	return p;
}

/* pd_free - free (NULL-safe) */
void
pd_free(void *ptr)
{
	free(ptr);
}

/* pd_mem_limit_arenas - see pd_mem.h */
bool
pd_mem_limit_arenas(int n)
{
	return mallopt(M_ARENA_MAX, n) == 1;
}
