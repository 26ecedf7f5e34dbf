/*
 * pd_nudge.h - waking the worker when the milter queued mail
 *
 * PURPOSE	The worker sleeps until its next due row or a nudge: after a
 *		commit that queued mail, the milter sends one byte to the
 *		worker's AF_UNIX datagram socket (engineering guide 6.7), so
 *		an acknowledgement leaves within about a second without any
 *		polling loop.
 * DESIGN	The database stays the truth: a lost nudge (worker down,
 *		socket full) only delays delivery until the worker's next
 *		timed wake-up (at most PD_NUDGE_MAX_SLEEP seconds).  Sending
 *		never blocks and never fails loudly.
 * OWNERSHIP	pd_nudge_listen() returns a descriptor the caller closes.
 * ERRORS	pd_nudge_listen: -1 and err on failure.
 * THREADS	pd_nudge_send is reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_NUDGE_H
#define PD_NUDGE_H

#include "pd_err.h"

#define PD_NUDGE_MAX_SLEEP	30

/* pd_nudge_send - one byte to the worker at path; errors are ignored */
void	pd_nudge_send(const char *path);
/* pd_nudge_listen - bind the worker's socket (a stale one is replaced) */
int	pd_nudge_listen(const char *path, struct pd_err *err);
/* pd_nudge_drain - read every pending nudge */
void	pd_nudge_drain(int fd);

#endif
