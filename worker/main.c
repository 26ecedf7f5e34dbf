/*
 * main.c - postdesk-worker: start-up and the sleep/deliver loop
 *
 * PURPOSE	The fixed start-up order (STYLE.md 1): configuration, syslog,
 *		key, libsodium and GMime, store, nudge socket; then deliver
 *		due mail, sleep until the next due row (at most
 *		PD_NUDGE_MAX_SLEEP seconds) or a nudge from the milter, repeat.
 * DESIGN	Signals arrive through a signalfd polled next to the nudge
 *		socket: SIGTERM/SIGINT end the loop after the batch in hand
 *		(rows are leased, so even kill -9 loses nothing); SIGHUP and
 *		SIGUSR1 reload the configuration between batches, keeping
 *		the running one when the file is invalid.  SIGPIPE is
 *		ignored: libetpan writes with plain send() (engineering guide
 *		5.2).  -f copies the log to stderr.
 * OWNERSHIP	main() owns the configuration, key, store and sockets.
 *
 * SPDX-License-Identifier: MIT
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "pd_digest.h"
#include "pd_log.h"
#include "pd_mime.h"
#include "pd_nudge.h"
#include "pd_slawatch.h"
#include "worker.h"

#define DEFAULT_CONF	PD_SYSCONFDIR "/postdesk/postdesk.conf"

/* worker_signals - block the stop signals and read them via a signalfd */
static int
worker_signals(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

/*
 * worker_sleep_ms - how long to sleep: until the next due row, SLA watch
 * time or digest, bounded by PD_NUDGE_MAX_SLEEP (a new ticket sets a
 * watch time without a nudge; the bound keeps its warning in the minute)
 */
static int
worker_sleep_ms(struct worker *w, int64_t now)
{
	int64_t at[3] = { 0, 0, w->digest_next };
	int64_t wait = PD_NUDGE_MAX_SLEEP;
	int i;

	if (pd_store_outbox_next_due(w->st, &at[0]) != PD_OK)
		at[0] = 0;
	if (pd_store_sla_next(w->st, &at[1]) != PD_OK)
		at[1] = 0;
	for (i = 0; i < 3; i++)
		if (at[i] > 0 && at[i] - now < wait)
			wait = at[i] <= now ? 0 : at[i] - now;
	return (int)wait * 1000;
}

/* worker_watch - the SLA watch's passes and the digests that are due */
static void
worker_watch(struct worker *w, int64_t now)
{
	struct pd_slawatch_result r = { 0 };
	int64_t next = 0;
	int passes = 0;
	int rc;

	rc = pd_store_sla_next(w->st, &next);
	while (rc == PD_OK && next > 0 && next <= now && passes++ < 100) {
		rc = pd_slawatch_run(w->st, w->conf, w->key, now, &r);
		if (r.tickets < PD_SLAWATCH_BATCH)
			break;
	}
	if (rc != PD_OK)
		pd_error("SLA watch: store unavailable (%s); retrying",
		    pd_err_str(rc));
	if (w->digest_next <= now && pd_digest_due(w->st, w->conf, w->key,
	    now, &w->digest_next) != PD_OK)
		w->digest_next = now + PD_NUDGE_MAX_SLEEP;
}

/* worker_reclaim_orphans - rows left "sending" by a crash are due again */
static void
worker_reclaim_orphans(struct worker *w)
{
	long n = 0;

	if (pd_store_outbox_reclaim(w->st, INT64_MAX, &n) == PD_OK && n > 0)
		pd_warn("%ld outbox row(s) left by an earlier run are due "
		    "again; the relay drops any already sent", n);
}

/*
 * worker_reload - load path; keep the running configuration when the new
 * one is invalid or changes a key that needs a restart.  A new relay,
 * timeout or connection count takes a new sender pool (between batches,
 * so no message is in flight).
 */
static void
worker_reload(struct worker *w, const char *path)
{
	struct pd_err err = { 0, "" };
	struct pd_conf *next = pd_conf_load(path, &err);
	struct sender_pool *pool;

	if (next != NULL && pd_conf_check_reload(w->conf, next, &err) ==
	    PD_OK) {
		pool = sender_pool_new(next->smtp_relay,
		    (int)next->smtp_timeout, (int)next->smtp_connections,
		    &err);
		if (pool != NULL) {
			sender_pool_free(&w->senders);
			w->senders = pool;
			pd_conf_unref(&w->conf);
			w->conf = next;
			w->digest_next = 0;	/* the schedule may be new */
			pd_info("reload: configuration %s loaded", path);
			return;
		}
	}
	pd_error("reload: %s; keeping the running configuration", err.msg);
	pd_conf_unref(&next);
}

/* worker_signal - the signal that woke us: true to stop */
static bool
worker_signal(struct worker *w, int sig_fd, const char *path)
{
	struct signalfd_siginfo si;
	bool stop = false;

	while (read(sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP || si.ssi_signo == SIGUSR1)
			worker_reload(w, path);
		else
			stop = true;
	}
	return stop;
}

/* worker_loop - deliver, sleep, repeat until a stop signal */
static void
worker_loop(struct worker *w, int nudge_fd, int sig_fd, const char *path)
{
	struct pollfd fds[2] = {
		{ .fd = nudge_fd, .events = POLLIN },
		{ .fd = sig_fd, .events = POLLIN },
	};
	int64_t now;

	for (;;) {
		now = (int64_t)time(NULL);
		worker_watch(w, now);
		if (worker_deliver_due(w, now) != PD_OK)
			pd_error("outbox unavailable; retrying in %d s",
			    PD_NUDGE_MAX_SLEEP);
		if (poll(fds, 2, worker_sleep_ms(w, (int64_t)time(NULL))) < 0)
			continue;
		if ((fds[1].revents & POLLIN) && worker_signal(w, sig_fd, path))
			return;
		if (fds[0].revents & POLLIN)
			pd_nudge_drain(nudge_fd);
	}
}

/*
 * worker_lock - one worker per installation: an exclusive lock next to
 * its socket, held for the life of the process.  Being alone, a starting
 * worker knows that every row still "sending" is an orphan of a crash.
 */
static void
worker_lock(const char *socket_path)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s.lock", socket_path);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0660);
	if (fd < 0)
		pd_fatal(EX_CANTCREAT, "%s: %m", path);
	if (flock(fd, LOCK_EX | LOCK_NB) != 0)
		pd_fatal(EX_TEMPFAIL, "%s: another postdesk-worker is running",
		    path);
}

/* worker_start - everything before the loop, or exit with a reason */
static void
worker_start(struct worker *w, const char *path, int *nudge_fd)
{
	struct pd_err err = { 0, "" };
	struct pd_key *key;

	w->conf = pd_conf_load(path, &err);
	if (w->conf == NULL)
		pd_fatal(EX_CONFIG, "%s", err.msg);
	key = pd_key_load(w->conf->key_file, &err);
	if (key == NULL)
		pd_fatal(EX_CONFIG, "%s", err.msg);
	w->key = key;
	pd_mime_init();
	w->st = pd_store_open(w->conf->database, 5000, &err);
	if (w->st == NULL)
		pd_fatal(EX_UNAVAILABLE, "%s", err.msg);
	if (pd_store_relax(w->st) != PD_OK)
		pd_warn("cannot relax the worker's database durability");
	worker_lock(w->conf->worker_socket);
	w->senders = sender_pool_new(w->conf->smtp_relay,
	    (int)w->conf->smtp_timeout, (int)w->conf->smtp_connections, &err);
	if (w->senders == NULL)
		pd_fatal(EX_OSERR, "%s", err.msg);
	*nudge_fd = pd_nudge_listen(w->conf->worker_socket, &err);
	if (*nudge_fd < 0)
		pd_fatal(EX_UNAVAILABLE, "%s", err.msg);
}

int
main(int argc, char **argv)
{
	const char *path = DEFAULT_CONF;
	struct worker w = { 0 };
	struct pd_key *key;
	int targets = PD_LOG_SYSLOG;
	int nudge_fd, sig_fd;
	int ch;

	while ((ch = getopt(argc, argv, "c:fv")) != -1) {
		if (ch == 'c')
			path = optarg;
		else if (ch == 'f')
			targets |= PD_LOG_STDERR;
		else if (ch == 'v')
			pd_log_set_level(PD_LOG_DEBUG);
		else {
			fprintf(stderr, "usage: postdesk-worker [-fv] "
			    "[-c config]\n");
			return EX_USAGE;
		}
	}
	pd_log_open("postdesk/worker", targets | PD_LOG_STDERR);
	sig_fd = worker_signals();
	worker_start(&w, path, &nudge_fd);
	pd_log_open("postdesk/worker", targets);
	pd_info("started, relay=%s, connections=%ld, socket=%s",
	    w.conf->smtp_relay, w.conf->smtp_connections,
	    w.conf->worker_socket);
	worker_reclaim_orphans(&w);
	worker_loop(&w, nudge_fd, sig_fd, path);
	pd_info("stopped");
	sender_pool_free(&w.senders);
	close(nudge_fd);
	unlink(w.conf->worker_socket);
	pd_store_close(&w.st);
	key = (struct pd_key *)w.key;
	pd_key_free(&key);
	pd_mime_shutdown();
	pd_conf_unref(&w.conf);
	return EX_OK;
}
