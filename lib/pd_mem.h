/*
 * pd_mem.h - allocation that never returns NULL
 *
 * PURPOSE	The xmalloc family: out of memory is fatal (logged, then
 *		abort()), as in Postfix mymalloc and GLib g_malloc, which GMime
 *		already uses.  Raw malloc/free are used nowhere else.
 *		pd_mem_limit_arenas() tunes the allocator for a threaded
 *		program (the milter).
 * OWNERSHIP	The caller owns what these return and frees it with pd_free().
 * FAULTS	No fault-injection hook, on purpose: these never return a
 *		failure, so a failed allocation could only abort the process
 *		(pd_fault.h says which allocation failures are injected).
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_MEM_H
#define PD_MEM_H

#include <stdbool.h>
#include <stddef.h>

void	*pd_xmalloc(size_t size);
void	*pd_xcalloc(size_t nmemb, size_t size);
void	*pd_xrealloc(void *ptr, size_t size);
char	*pd_xstrdup(const char *s);
char	*pd_xstrndup(const char *s, size_t len);
void	*pd_xmemdup(const void *p, size_t len);
void	 pd_free(void *ptr);
/*
 * pd_mem_limit_arenas - let malloc keep at most n arenas (glibc makes up
 * to 8 per core for threaded programs); call before any thread starts.
 * False when the C library refused.
 */
bool	 pd_mem_limit_arenas(int n);

/* pd_xfree - free *pp and set it to NULL (NULL-safe) */
#define pd_xfree(pp) do { pd_free(*(pp)); *(pp) = NULL; } while (0)

#endif
