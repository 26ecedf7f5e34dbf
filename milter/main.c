/*
 * main.c - postdesk-milter: start-up, serve, shut down
 *
 * PURPOSE	The fixed start-up order of STYLE.md 1: parse and validate the
 *		configuration, open syslog, read the key file, initialise
 *		libsodium and GMime, check the store, then hand the socket to
 *		libmilter.
 * DESIGN	Runs in the foreground (systemd Type=simple); -f also copies
 *		the log to stderr.  Signals (milter_signal.c): SIGTERM stops
 *		libmilter from accepting connections, and main() then waits
 *		(at most STOP_WAIT seconds) for the messages in flight to
 *		finish before it closes the store (if connections are still
 *		open then, idle or not, it exits without closing anything
 *		their threads may be using); SIGHUP and SIGUSR1 reload the
 *		configuration (milter_reload).  A unix socket is made with
 *		umask 007 so Postfix (in our group) can connect.
 * OWNERSHIP	main() owns the configuration snapshot and the key for the
 *		life of the process; connections take references.
 * THREADS	Single-threaded until milter_serve() starts the reload
 *		thread, right before smfi_main(); from then on
 *		conf_current is only touched under conf_lock.
 *
 * SPDX-License-Identifier: MIT
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "milter.h"
#include "pd_log.h"
#include "pd_mem.h"
#include "pd_mime.h"

#define DEFAULT_CONF	PD_SYSCONFDIR "/postdesk/postdesk.conf"
#define STOP_WAIT	10		/* seconds for messages in flight */

/*
 * malloc arenas: glibc gives a threaded program up to 8 per core, and
 * libmilter's thread per connection used all 16 on 2 cores, each
 * keeping its own freed memory.  Our threads mostly wait for the MTA or
 * for the database's one write lock, so a few arenas are enough: under
 * bench/load.sh (100 sessions, 2 cores) RSS was 14.7 MB with 2 arenas
 * against 17.3 MB with glibc's default, at the same message rate.
 */
#define MALLOC_ARENAS	2

const struct pd_key *milter_key;

static pthread_mutex_t conf_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pd_conf *conf_current;

/* milter_conf_get - a reference on the current configuration */
struct pd_conf *
milter_conf_get(void)
{
	struct pd_conf *c;

	pthread_mutex_lock(&conf_lock);
	c = pd_conf_ref(conf_current);
	pthread_mutex_unlock(&conf_lock);
	return c;
}

/* milter_conf_drop - at exit: release the configuration, end reloads */
static void
milter_conf_drop(void)
{
	struct pd_conf *c;

	pthread_mutex_lock(&conf_lock);
	c = conf_current;
	conf_current = NULL;
	pthread_mutex_unlock(&conf_lock);
	pd_conf_unref(&c);
}

/*
 * milter_reload - load path; keep the running configuration when the new
 * one is invalid or changes a key that needs a restart.  One log line.
 */
void
milter_reload(const char *path)
{
	struct pd_err err = { 0, "" };
	struct pd_conf *next = pd_conf_load(path, &err);
	struct pd_conf *old;

	if (next == NULL) {
		pd_error("reload: %s; keeping the running configuration",
		    err.msg);
		return;
	}
	pthread_mutex_lock(&conf_lock);
	if (conf_current == NULL) {		/* stopping */
		pthread_mutex_unlock(&conf_lock);
		pd_conf_unref(&next);
		return;
	}
	if (pd_conf_check_reload(conf_current, next, &err) != PD_OK) {
		pthread_mutex_unlock(&conf_lock);
		pd_error("reload: %s; keeping the running configuration",
		    err.msg);
		pd_conf_unref(&next);
		return;
	}
	old = conf_current;
	conf_current = next;
	pthread_mutex_unlock(&conf_lock);
	pd_conf_unref(&old);
	pd_info("reload: configuration %s loaded", path);
}

/*
 * milter_drain - after stop: wait (bounded) for the messages in flight;
 * true when no connection is left either, so that what connections use
 * may be torn down.  An idle connection (the worker keeps its sessions
 * to the relay open) is not waited for: it has nothing to lose, and
 * Postfix applies its milter default action if it sends another message.
 */
static bool
milter_drain(void)
{
	int i;

	for (i = 0; i < STOP_WAIT * 10 && milter_msg_active() > 0; i++)
		usleep(100000);
	if (milter_msg_active() > 0)
		pd_warn("stopping with %d message(s) still in flight",
		    milter_msg_active());
	return milter_conn_active() == 0;
}

/* usage - print usage and exit */
static void
usage(void)
{
	fprintf(stderr, "usage: postdesk-milter [-fv] [-c config]\n");
	exit(EX_USAGE);
}

/* milter_check_store - open the store once so problems show at start */
static void
milter_check_store(const struct pd_conf *conf)
{
	struct pd_err err = { 0, "" };
	struct pd_store *st;

	st = pd_store_open(conf->database, conf->store_timeout * 1000, &err);
	if (st == NULL)
		pd_fatal(EX_UNAVAILABLE, "%s", err.msg);
	pd_store_close(&st);
	milter_pool_init(conf->database, conf->store_timeout * 1000);
}

/*
 * milter_nodelay - set TCP_NODELAY on libmilter's listening socket.
 * libmilter writes every header change as its own small packet; with
 * Nagle's algorithm each one after the first waits for the MTA's delayed
 * ACK (40 ms on Linux), which made one message cost 50 ms on loopback.
 * libmilter does not expose its sockets, so find the listening one among
 * our descriptors; Linux hands the option on to accepted connections.
 */
static void
milter_nodelay(void)
{
	struct sockaddr_storage sa;
	socklen_t len;
	int listening;
	int one = 1;
	int fd;

	for (fd = 0; fd < 1024; fd++) {
		len = sizeof(listening);
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening,
		    &len) != 0 || !listening)
			continue;
		len = sizeof(sa);
		if (getsockname(fd, (struct sockaddr *)&sa, &len) != 0 ||
		    (sa.ss_family != AF_INET && sa.ss_family != AF_INET6))
			continue;
		if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one)) != 0)
			pd_warn("TCP_NODELAY on the milter socket: %m");
	}
}

/*
 * milter_serve - register with libmilter and run until stopped; once the
 * socket listens, the log goes to its configured targets only.
 */
static int
milter_serve(const char *path, int log_targets)
{
	const struct pd_conf *conf = conf_current;	/* no reload yet */
	char *sock = (char *)conf->milter_socket;

	if (strncmp(sock, "unix:", 5) == 0 || strncmp(sock, "local:", 6) == 0)
		umask(007);
	if (smfi_setconn(sock) == MI_FAILURE)
		pd_fatal(EX_CONFIG, "[milter] socket %s: not usable", sock);
	if (smfi_register(milter_desc) == MI_FAILURE)
		pd_fatal(EX_SOFTWARE, "smfi_register failed");
	if (smfi_opensocket(1) == MI_FAILURE)
		pd_fatal(EX_UNAVAILABLE, "cannot listen on %s", sock);
	milter_nodelay();
	pd_log_open("postdesk/milter", log_targets);
	pd_info("started, socket=%s, database=%s", sock, conf->database);
	/* after the last write of the log settings (pd_log.c: THREADS) */
	if (!milter_signal_start(path))
		pd_fatal(EX_OSERR, "cannot start the reload thread");
	return smfi_main() == MI_SUCCESS ? EX_OK : EX_SOFTWARE;
}

int
main(int argc, char **argv)
{
	const char *path = DEFAULT_CONF;
	struct pd_err err = { 0, "" };
	struct pd_key *key;
	int targets = PD_LOG_SYSLOG;
	int ch;
	int rc;

	while ((ch = getopt(argc, argv, "c:fv")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'f':
			targets |= PD_LOG_STDERR;
			break;
		case 'v':
			pd_log_set_level(PD_LOG_DEBUG);
			break;
		default:
			usage();
		}
	}
	/* Start-up problems go to stderr as well, for whoever started us. */
	pd_log_open("postdesk/milter", targets | PD_LOG_STDERR);
	if (!pd_mem_limit_arenas(MALLOC_ARENAS))	/* before any thread */
		pd_warn("cannot limit malloc to %d arenas", MALLOC_ARENAS);
	milter_signal_block();
	conf_current = pd_conf_load(path, &err);
	if (conf_current == NULL)
		pd_fatal(EX_CONFIG, "%s", err.msg);
	key = pd_key_load(conf_current->key_file, &err);
	if (key == NULL)
		pd_fatal(EX_CONFIG, "%s", err.msg);
	milter_key = key;
	pd_mime_init();
	milter_check_store(conf_current);
	rc = milter_serve(path, targets);
	if (!milter_drain()) {
		/* open connections' threads may still use the store, GMime,
		 * the key: leave them to the end of the process */
		pd_info("stopped");
		return rc;
	}
	milter_pool_shutdown();
	pd_info("stopped");
	pd_mime_shutdown();
	pd_key_free(&key);
	milter_conf_drop();
	return rc;
}
