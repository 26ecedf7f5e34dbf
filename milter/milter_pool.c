/*
 * milter_pool.c - a pool of store handles for the milter's threads
 *
 * PURPOSE	Each end-of-message needs its own SQLite connection (one per
 *		thread at a time, engineering guide 6.5); opening one per
 *		message would cost more than the transaction.  Handles are
 *		kept in a small stack and reused.
 * DESIGN	A handle that returned an error is closed instead of being
 *		put back, so a database replaced or repaired while running is
 *		reopened fresh.  At most POOL_MAX idle handles are kept.
 * OWNERSHIP	Idle handles belong to the pool; milter_pool_get() lends one
 *		to the caller until milter_pool_put().
 * THREADS	Guarded by pool_lock.
 *
 * SPDX-License-Identifier: MIT
 */
#include <pthread.h>

#include "milter.h"
#include "pd_mem.h"

#define POOL_MAX	16

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pd_store *pool_idle[POOL_MAX];
static int pool_n;
static char *pool_path;
static long pool_timeout_ms;

/* milter_pool_init - remember where and how to open handles */
void
milter_pool_init(const char *path, long timeout_ms)
{
	pool_path = pd_xstrdup(path);
	pool_timeout_ms = timeout_ms;
}

/* milter_pool_get - an idle handle, or a newly opened one */
struct pd_store *
milter_pool_get(struct pd_err *err)
{
	struct pd_store *st = NULL;

	pthread_mutex_lock(&pool_lock);
	if (pool_n > 0)
		st = pool_idle[--pool_n];
	pthread_mutex_unlock(&pool_lock);
	if (st == NULL)
		st = pd_store_open(pool_path, pool_timeout_ms, err);
	return st;
}

/* milter_pool_put - give a handle back; unhealthy ones are closed */
void
milter_pool_put(struct pd_store *st, bool healthy)
{
	if (st == NULL)
		return;
	if (healthy) {
		pthread_mutex_lock(&pool_lock);
		if (pool_n < POOL_MAX) {
			pool_idle[pool_n++] = st;
			st = NULL;
		}
		pthread_mutex_unlock(&pool_lock);
	}
	pd_store_close(&st);
}

/* milter_pool_shutdown - close every idle handle */
void
milter_pool_shutdown(void)
{
	pthread_mutex_lock(&pool_lock);
	while (pool_n > 0)
		pd_store_close(&pool_idle[--pool_n]);
	pthread_mutex_unlock(&pool_lock);
	pd_xfree(&pool_path);
}
