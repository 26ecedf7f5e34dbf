/*
 * milter_signal.c - SIGHUP reloads the configuration
 *
 * PURPOSE	Mail admins expect SIGHUP (systemctl reload) to re-read the
 *		configuration, as Postfix does.  libmilter's own signal thread
 *		takes SIGHUP to mean "stop" (engineering guide 2.1), so it
 *		must never see it.
 * DESIGN	libmilter is linked statically with --wrap=sigwait
 *		(configure.ac): every sigwait() call of libmilter and of our
 *		objects comes here and waits for its set minus SIGHUP and
 *		SIGUSR1.  The reload thread alone waits for those two, with
 *		__real_sigwait().  Every signal is blocked in main() before
 *		any thread starts, so only the two waiting threads receive
 *		them: SIGTERM/SIGINT go to libmilter (stop, abort), SIGHUP and
 *		SIGUSR1 to the reload thread.
 *		A reload loads and validates the file; a bad file, or one
 *		that changes a key marked "restart" in postdesk.conf(5), is
 *		refused with one error line and the running configuration
 *		stays.  Otherwise new connections get the new snapshot;
 *		connections already open keep theirs until they close.
 * OWNERSHIP	The thread borrows the configuration path from main().
 * THREADS	One reload thread; the snapshot swap is under main.c's lock.
 *
 * SPDX-License-Identifier: MIT
 */
#include <pthread.h>
#include <signal.h>

#include "milter.h"
#include "pd_log.h"

int	__real_sigwait(const sigset_t *set, int *sig);
int	__wrap_sigwait(const sigset_t *set, int *sig);

/* __wrap_sigwait - everybody's sigwait but the reload thread's */
int
__wrap_sigwait(const sigset_t *set, int *sig)
{
	sigset_t mine = *set;

	sigdelset(&mine, SIGHUP);
	sigdelset(&mine, SIGUSR1);
	return __real_sigwait(&mine, sig);
}

/* milter_signal_block - block every signal we route (call before threads) */
void
milter_signal_block(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* signal_reloader - wait for SIGHUP/SIGUSR1, reload, forever */
static void *
signal_reloader(void *arg)
{
	const char *path = arg;
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	for (;;) {
		if (__real_sigwait(&set, &sig) != 0)
			continue;
		milter_reload(path);
	}
	return NULL;
}

/* milter_signal_start - start the reload thread; false on failure */
bool
milter_signal_start(const char *path)
{
	pthread_t t;

	if (pthread_create(&t, NULL, signal_reloader, (void *)path) != 0)
		return false;
	pthread_detach(t);
	return true;
}
