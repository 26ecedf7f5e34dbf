/*
 * milter_pool.c - a bounded pool of store handles for the milter's threads
 *
 * PURPOSE	Each end-of-message needs its own SQLite connection (one per
 *		thread at a time, engineering guide 6.5); opening one per
 *		message would cost more than the transaction.  Handles are
 *		kept in a small stack and reused.
 * DESIGN	At most POOL_MAX handles exist, idle or lent.  libmilter
 *		runs one thread per connection, unbounded, but every
 *		transaction is BEGIN IMMEDIATE, so the store serves one at a
 *		time anyway: a thread that finds every handle lent waits for
 *		one on a condition variable, at most store_timeout (then
 *		on_error applies, as for a database that stays locked),
 *		rather than open one more connection to wait for the write
 *		lock with.  Unbounded, bench/load.sh's 100 sessions kept up
 *		to 70 connections open (143 database descriptors), opened
 *		and closed them all the time, and the milter's RSS settled
 *		at 22.7 MB instead of 14.7 MB.
 *		Each handle caches at most POOL_CACHE_KIB of database pages.
 *		With SQLite's default of 2000 KiB per connection, the pages
 *		of pd_ack's hourly count (an index range that grows with
 *		every acknowledgement of the last hour) piled up in every
 *		handle: 8.4 MB of the milter's 10.1 MB heap peak (heaptrack,
 *		90 s load run), and RSS grew from 16.1 MB to 19.5 MB between
 *		36 s and 174 s of a 180 s run.  Keeping them buys nothing:
 *		another connection's commit empties a WAL reader's cache at
 *		its next transaction.  With 256 KiB RSS stayed level (1.3%
 *		more in the second half of a 180 s run than in the first),
 *		and no transaction had to spill dirty pages early.
 *		A handle that returned an error is closed instead of being
 *		put back, so a database replaced or repaired while running is
 *		reopened fresh.
 * OWNERSHIP	Idle handles belong to the pool; milter_pool_get() lends one
 *		to the caller until milter_pool_put().
 * THREADS	Guarded by pool_lock; waiters sleep on pool_free.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "milter.h"
#include "pd_mem.h"

#define POOL_MAX	16		/* handles, idle or lent */
#define POOL_CACHE_KIB	256		/* page cache per handle */

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_free;	/* a handle was put back or closed */
static struct pd_store *pool_idle[POOL_MAX];
static int pool_n;			/* idle handles */
static int pool_open;			/* handles idle, lent or opening */
static char *pool_path;
static long pool_timeout_ms;

/* milter_pool_init - remember where and how to open handles */
void
milter_pool_init(const char *path, long timeout_ms)
{
	pthread_condattr_t attr;

	pool_path = pd_xstrdup(path);
	pool_timeout_ms = timeout_ms;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&pool_free, &attr);
	pthread_condattr_destroy(&attr);
}

/* pool_deadline - now plus the store timeout, on pool_free's clock */
static void
pool_deadline(struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += pool_timeout_ms / 1000;
	ts->tv_nsec += (pool_timeout_ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

/* pool_release - one handle fewer exists: a waiter may open one */
static void
pool_release(void)
{
	pthread_mutex_lock(&pool_lock);
	pool_open--;
	pthread_cond_signal(&pool_free);
	pthread_mutex_unlock(&pool_lock);
}

/* pool_open_one - a new handle with a small page cache, or NULL */
static struct pd_store *
pool_open_one(struct pd_err *err)
{
	struct pd_store *st;
	int rc;

	st = pd_store_open(pool_path, pool_timeout_ms, err);
	if (st == NULL)
		return NULL;
	rc = pd_store_limit_cache(st, POOL_CACHE_KIB);
	if (rc != PD_OK) {
		pd_store_close(&st);
		err->code = rc;
		snprintf(err->msg, sizeof(err->msg), "database cache size: %s",
		    pd_err_str(rc));
	}
	return st;
}

/*
 * milter_pool_get - an idle handle, or a newly opened one while fewer
 * than POOL_MAX exist; otherwise wait for one, at most the store timeout.
 * NULL with err filled on failure (PD_ETEMP when every handle stayed lent).
 */
struct pd_store *
milter_pool_get(struct pd_err *err)
{
	struct pd_store *st = NULL;
	struct timespec until;
	bool opening = false;
	int rc = 0;

	pool_deadline(&until);
	pthread_mutex_lock(&pool_lock);
	while (pool_n == 0 && pool_open >= POOL_MAX && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&pool_free, &pool_lock, &until);
	if (pool_n > 0) {
		st = pool_idle[--pool_n];
	} else if (pool_open < POOL_MAX) {
		pool_open++;
		opening = true;
	}
	pthread_mutex_unlock(&pool_lock);
	if (opening) {
		st = pool_open_one(err);
		if (st == NULL)
			pool_release();
	} else if (st == NULL) {
		err->code = PD_ETEMP;
		snprintf(err->msg, sizeof(err->msg), "all %d database handles "
		    "busy for %ld ms", POOL_MAX, pool_timeout_ms);
	}
	return st;
}

/* milter_pool_put - give a handle back (NULL-safe); unhealthy are closed */
void
milter_pool_put(struct pd_store *st, bool healthy)
{
	if (st == NULL)
		return;
	if (!healthy) {
		pd_store_close(&st);
		pool_release();
		return;
	}
	pthread_mutex_lock(&pool_lock);
	pool_idle[pool_n++] = st;
	pthread_cond_signal(&pool_free);
	pthread_mutex_unlock(&pool_lock);
}

/* milter_pool_shutdown - close every idle handle */
void
milter_pool_shutdown(void)
{
	pthread_mutex_lock(&pool_lock);
	while (pool_n > 0) {
		pd_store_close(&pool_idle[--pool_n]);
		pool_open--;
	}
	pthread_mutex_unlock(&pool_lock);
	pd_xfree(&pool_path);
}
