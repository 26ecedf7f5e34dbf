/*
 * milter_errors.c - count the milter's errors until the store can hold them
 *
 * PURPOSE	"postdeskctl stats" shows errors by kind; the milter's most
 *		important one, the store being unavailable, cannot be written
 *		to the store when it happens.  Errors are counted in memory
 *		and added to the store's counters (name "errors", label the
 *		kind) by the next end of message that reached the store.
 * DESIGN	One atomic counter per kind; a flush takes each count with
 *		an atomic exchange and gives it back if its transaction
 *		fails, so nothing is counted twice or lost while the process
 *		lives (a restart loses what was not flushed; the log has it).
 * THREADS	Any thread; lock-free.
 *
 * SPDX-License-Identifier: MIT
 */
#include "milter.h"

static const char *const error_names[MILTER_ERR_COUNT] = {
	[MILTER_ERR_STORE] = "store",
	[MILTER_ERR_HEADERS] = "headers",
	[MILTER_ERR_AGENT_PARSE] = "agent-parse",
	[MILTER_ERR_RELAY_RECORD] = "relay-record",
};

static long error_counts[MILTER_ERR_COUNT];

/* milter_error - count one error of kind */
void
milter_error(enum milter_err kind)
{
	__atomic_add_fetch(&error_counts[kind], 1, __ATOMIC_RELAXED);
}

/* milter_errors_flush - add the counts to the store through st */
void
milter_errors_flush(struct pd_store *st)
{
	long taken[MILTER_ERR_COUNT];
	bool any = false;
	int rc;
	int i;

	for (i = 0; i < MILTER_ERR_COUNT; i++) {
		taken[i] = __atomic_exchange_n(&error_counts[i], 0,
		    __ATOMIC_RELAXED);
		any |= taken[i] != 0;
	}
	if (!any)
		return;
	rc = pd_store_begin(st);
	for (i = 0; i < MILTER_ERR_COUNT && rc == PD_OK; i++)
		if (taken[i] != 0)
			rc = pd_store_counter_add(st, "errors",
			    error_names[i], taken[i]);
	if (rc == PD_OK)
		rc = pd_store_commit(st);
	else
		pd_store_rollback(st);
	for (i = 0; rc != PD_OK && i < MILTER_ERR_COUNT; i++)
		__atomic_add_fetch(&error_counts[i], taken[i],
		    __ATOMIC_RELAXED);
}
