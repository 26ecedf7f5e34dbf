/*
 * pd_fault.h - fault injection for tests: fail the n-th store call
 *
 * PURPOSE	Lets a torture test (tests/unit/test_torture.c) make exactly
 *		one call of the store interface fail, for n = 1, 2, 3, ...,
 *		and learn how many store calls a scenario makes (STYLE.md
 *		12.5, curl's torture runs, SQLite's I/O error tests).
 * DESIGN	Every pd_store_*() call in pd_store.c except pd_store_close()
 *		and pd_store_rollback() (the cleanup paths, which must always
 *		go through) first tests pd_fault_on.  While it is zero that is
 *		the whole cost: one well-predicted branch on a global that is
 *		never written.  While it is set, pd_fault_hit() counts the
 *		call and, for the n-th one, returns the injected code without
 *		calling the backend, so the caller sees what the SQLite
 *		backend would have returned (pd_store_sqlite.c sq_code()):
 *		  "busy"   SQLITE_BUSY/LOCKED beyond the timeout   PD_ETEMP
 *		  "full"   SQLITE_FULL, disk full                  PD_ETEMP
 *		  "ioerr"  SQLITE_IOERR                            PD_ETEMP
 *		  "nomem"  SQLITE_NOMEM (SQLite's own allocation)  PD_ETEMP
 *		  "perm"   SQLITE_READONLY/CANTOPEN/CORRUPT        PD_EPERMFAIL
 *		  "none"   nothing fails; calls are only counted
 *		The fault is one-shot: the calls after the n-th go through,
 *		so a test can check what a retry does.
 *		No allocator faults: pd_mem's pd_x*() functions have no
 *		failure return by design (STYLE.md 5: out of memory is
 *		pd_panic() and abort()), so failing one can only end the
 *		process, which the crash tests (kill -9) already cover.  The
 *		allocations that can fail without ending the process are
 *		SQLite's own (SQLITE_NOMEM, the "nomem" kind above) and
 *		sodium_malloc() in pd_key (start-up only).  pd_buf's limit is
 *		a size cap, not an allocation failure; test_buf covers it.
 *		The implementation lives in pd_store.c, the one module it
 *		hooks.
 * OWNERSHIP	No allocation.
 * ERRORS	pd_fault_set(): PD_EINVAL for an unknown kind or n < 1.
 * THREADS	Not thread-safe while set: for single-threaded tests only.
 *		Programs never set it, so pd_fault_on is only ever read.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_FAULT_H
#define PD_FAULT_H

/* nonzero while a fault is armed or calls are counted; tests only */
extern int pd_fault_on;

/*
 * pd_fault_set - reset the count; the n-th store call from now returns
 * the code of kind (see above); kind "none" (n ignored) only counts
 */
int	 pd_fault_set(const char *kind, long n);
/* pd_fault_clear - disarm and stop counting; the figures stay readable */
void	 pd_fault_clear(void);
/* pd_fault_calls - store calls counted since pd_fault_set() */
long	 pd_fault_calls(void);
/* pd_fault_fired - the number of the call that failed; 0: none yet */
long	 pd_fault_fired(void);
/* pd_fault_code - the code injected for kind; PD_EINVAL when unknown */
int	 pd_fault_code(const char *kind);
/* pd_fault_hit - pd_store.c's hook: count a call; its injected code */
int	 pd_fault_hit(void);

#endif
