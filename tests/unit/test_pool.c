/*
 * test_pool.c - unit tests for the milter's bounded pool of store handles
 *
 * milter/milter_pool.c over a real SQLite file: at most POOL_MAX (16)
 * handles are lent at once; the next caller waits the store timeout and
 * gets PD_ETEMP; a handle put back goes to a waiting caller at once; one
 * closed as unhealthy makes room for a new one; an idle handle is reused;
 * putting back the NULL of a failed get changes nothing.
 *
 * SPDX-License-Identifier: MIT
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../milter/milter.h"
#include "pd_err.h"
#include "pd_store.h"
#include "../harness/tap.h"

#define POOL_MAX	16		/* milter_pool.c */
#define TIMEOUT_MS	1000

static char dir[] = "/tmp/pdpoolXXXXXX";
static char path[256];

struct waiter {
	struct pd_store	*st;
	long		 ms;		/* how long milter_pool_get took */
};

/* ms_since - milliseconds from t0 to now */
static long
ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 +
	    (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* waiter_run - a thread that asks the pool for a handle */
static void *
waiter_run(void *arg)
{
	struct waiter *w = arg;
	struct pd_err err = { 0, "" };
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	w->st = milter_pool_get(&err);
	w->ms = ms_since(&t0);
	return NULL;
}

int
main(void)
{
	struct pd_store *lent[POOL_MAX];
	struct pd_err err = { 0, "" };
	struct pd_store *st;
	struct timespec t0;
	struct waiter w = { NULL, 0 };
	pthread_t thr;
	char file[300];
	long ms;
	int i, n;

	if (mkdtemp(dir) == NULL)
		return 99;
	snprintf(path, sizeof(path), "%s/pd.db", dir);
	if (pd_store_migrate(path, &err) != PD_OK)
		return 99;
	milter_pool_init(path, TIMEOUT_MS);

	for (n = 0; n < POOL_MAX; n++) {
		lent[n] = milter_pool_get(&err);
		if (lent[n] == NULL)
			break;
	}
	is_int(n, POOL_MAX, "POOL_MAX handles lent at once");
	ok(pd_store_begin(lent[0]) == PD_OK &&
	    pd_store_commit(lent[0]) == PD_OK,
	    "a lent handle works (with its page cache limited)");

	clock_gettime(CLOCK_MONOTONIC, &t0);
	st = milter_pool_get(&err);
	ms = ms_since(&t0);
	ok(st == NULL && err.code == PD_ETEMP && strstr(err.msg, "busy"),
	    "one more: temporary failure (%s)", err.msg);
	ok(ms >= TIMEOUT_MS - 10 && ms < TIMEOUT_MS * 3,
	    "after the store timeout (%ld ms)", ms);

	/* A waiter gets the handle put back, long before its timeout. */
	pthread_create(&thr, NULL, waiter_run, &w);
	usleep(100000);
	milter_pool_put(lent[--n], true);
	pthread_join(thr, NULL);
	ok(w.st == lent[n], "a waiter gets the handle put back");
	ok(w.ms < TIMEOUT_MS / 2, "before its timeout (%ld ms)", w.ms);
	lent[n++] = w.st;

	/* An unhealthy handle is closed: room for a new one. */
	milter_pool_put(lent[--n], false);
	lent[n] = milter_pool_get(&err);
	ok(lent[n] != NULL, "after a close, a new handle opens");
	n++;

	/* Idle handles are reused, last in first out. */
	st = lent[--n];
	milter_pool_put(st, true);
	ok(milter_pool_get(&err) == st, "an idle handle is reused");

	/* A failed get's NULL put back frees no room. */
	milter_pool_put(NULL, false);
	st = milter_pool_get(&err);
	ok(st == NULL && err.code == PD_ETEMP,
	    "putting back NULL is a no-op");
	milter_pool_put(st, true);

	for (i = 0; i <= n; i++)
		milter_pool_put(lent[i], true);
	milter_pool_shutdown();
	snprintf(file, sizeof(file), "%s-wal", path);
	unlink(file);
	snprintf(file, sizeof(file), "%s-shm", path);
	unlink(file);
	unlink(path);
	rmdir(dir);
	return tap_done();
}
