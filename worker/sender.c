/*
 * sender.c - a fixed set of threads, each with its own SMTP session
 *
 * PURPOSE	Send a batch of rendered messages to [smtp] relay over
 *		[smtp] connections sessions at once.  One relay transaction
 *		is mostly waiting (Postfix's cleanup, the recording milter's
 *		commit, the queue file's fsync); one session at a time made
 *		the worker fall behind whenever tickets opened faster than
 *		about 30 a second (bench/ack_latency.sh).
 * DESIGN	sender_pool_run() publishes the batch; the threads take jobs
 *		by index and queue each finished one, and the caller's thread
 *		handles them in the order they finish (the worker checks
 *		each 250 at once, deliver.c) until every job has its result.
 *		Each thread opens its session on first use, keeps it across
 *		batches and closes it after a temporary failure, so a relay
 *		that restarts costs one failed row per thread, not more.
 *		sender_pool_renew() retires every session open at the time:
 *		each is closed before its next job (a relay whose milter
 *		restarted has left those sessions without it).
 *		Jobs carry only rendered bytes and an address: no store, no
 *		GMime and no logging happen here, so everything else in the
 *		worker stays single-threaded.
 * OWNERSHIP	The pool owns its threads and their sessions; jobs are the
 *		caller's and are only written (rc, reply) by the pool.
 * THREADS	pool->lock guards every field after it in struct
 *		sender_pool.  The stop signals are blocked before the pool
 *		starts (worker main()), so threads never receive them.
 *
 * SPDX-License-Identifier: MIT
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pd_log.h"
#include "pd_mem.h"
#include "worker.h"

#define SENDER_IDLE_MAX	5		/* seconds a session may sit idle */

struct sender_pool {
	char			*relay;
	int			 timeout_s;
	int			 n_threads;
	pthread_t		*threads;

	pthread_mutex_t		 lock;
	pthread_cond_t		 work;		/* a batch arrived, or stop */
	pthread_cond_t		 idle;		/* the last job finished */
	struct sender_job	*jobs;
	int			 n_jobs;
	int			 next;		/* first job not yet taken */
	int			*order;		/* finished jobs, in order */
	int			 finished;
	int			 order_cap;
	unsigned		 generation;	/* sessions older: renew */
	bool			 stop;
};

/*
 * sender_open - a session to the relay, or NULL with job's reply text set
 */
static struct pd_smtp *
sender_open(struct sender_pool *p, struct sender_job *job)
{
	struct pd_err err = { 0, "" };
	struct pd_smtp *smtp;

	smtp = pd_smtp_open(p->relay, p->timeout_s, &err);
	if (smtp == NULL) {
		snprintf(job->reply.text, sizeof(job->reply.text), "%s",
		    err.msg);
		job->rc = PD_ETEMP;
	}
	return smtp;
}

/*
 * sender_one - one job over *smtp.  A session idle for SENDER_IDLE_MAX
 * seconds is replaced before use: Postfix's smtpd drops idle clients
 * after smtpd_timeout (10 s under stress), and a message sent into a
 * dropped session would wait out a retry backoff.  For the same reason a
 * reused session that fails before any reply is retried once on a fresh
 * one (a copy the relay did take is dropped there by its Message-ID).
 */
static void
sender_one(struct sender_pool *p, struct pd_smtp **smtp, time_t *last_used,
    struct sender_job *job)
{
	const char *rcpt[1] = { job->recipient };
	time_t now = time(NULL);
	bool reused;

	if (job->msg == NULL)
		return;
	if (*smtp != NULL && now - *last_used > SENDER_IDLE_MAX)
		pd_smtp_close(smtp);
	reused = *smtp != NULL && pd_smtp_usable(*smtp);
	for (;;) {
		memset(&job->reply, 0, sizeof(job->reply));
		if (*smtp == NULL || !pd_smtp_usable(*smtp)) {
			pd_smtp_close(smtp);
			if ((*smtp = sender_open(p, job)) == NULL)
				return;
		}
		job->rc = pd_smtp_send(*smtp, job->mail_from, rcpt, 1,
		    job->msg, job->len, &job->reply);
		*last_used = time(NULL);
		if (job->rc != PD_ETEMP)
			return;
		pd_smtp_close(smtp);
		if (!reused || job->reply.code != 0)
			return;
		reused = false;
	}
}

/* sender_thread - take jobs of each published batch until told to stop */
static void *
sender_thread(void *arg)
{
	struct sender_pool *p = arg;
	struct pd_smtp *smtp = NULL;
	unsigned session_gen = 0;
	time_t last_used = 0;
	bool renew;
	int i;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->stop && p->next >= p->n_jobs)
			pthread_cond_wait(&p->work, &p->lock);
		if (p->stop)
			break;
		i = p->next++;
		renew = session_gen != p->generation;
		session_gen = p->generation;
		pthread_mutex_unlock(&p->lock);
		if (renew)
			pd_smtp_close(&smtp);	/* sender_pool_renew() */
		sender_one(p, &smtp, &last_used, &p->jobs[i]);
		pthread_mutex_lock(&p->lock);
		p->order[p->finished++] = i;
		pthread_cond_signal(&p->idle);
	}
	pthread_mutex_unlock(&p->lock);
	pd_smtp_close(&smtp);
	return NULL;
}

/* sender_pool_new - start n threads sending to relay; NULL on failure */
struct sender_pool *
sender_pool_new(const char *relay, int timeout_s, int n, struct pd_err *err)
{
	struct sender_pool *p = pd_xcalloc(1, sizeof(*p));
	int rc;

	p->relay = pd_xstrdup(relay);
	p->timeout_s = timeout_s;
	p->threads = pd_xcalloc((size_t)n, sizeof(*p->threads));
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->idle, NULL);
	for (; p->n_threads < n; p->n_threads++) {
		rc = pthread_create(&p->threads[p->n_threads], NULL,
		    sender_thread, p);
		if (rc != 0) {
			pd_err_set(err, PD_EINTERNAL, "cannot start sender "
			    "thread: %s", strerror(rc));
			sender_pool_free(&p);
			return NULL;
		}
	}
	return p;
}

/*
 * sender_pool_run - send jobs[0..n-1]; done(i, arg) runs in the caller's
 * thread for each job i as it finishes; returns when all have run
 */
void
sender_pool_run(struct sender_pool *p, struct sender_job *jobs, int n,
    sender_done_fn done, void *arg)
{
	int handled = 0;
	int i;

	if (n <= 0)
		return;
	pthread_mutex_lock(&p->lock);
	if (n > p->order_cap) {
		p->order = pd_xrealloc(p->order, (size_t)n *
		    sizeof(*p->order));
		p->order_cap = n;
	}
	p->jobs = jobs;
	p->n_jobs = n;
	p->next = 0;
	p->finished = 0;
	pthread_cond_broadcast(&p->work);
	while (handled < n) {
		while (p->finished == handled)
			pthread_cond_wait(&p->idle, &p->lock);
		i = p->order[handled++];
		pthread_mutex_unlock(&p->lock);
		done(i, arg);
		pthread_mutex_lock(&p->lock);
	}
	p->jobs = NULL;
	p->n_jobs = 0;
	p->next = 0;
	pthread_mutex_unlock(&p->lock);
}

/* sender_pool_renew - close every open session before its next job */
void
sender_pool_renew(struct sender_pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->generation++;
	pthread_mutex_unlock(&p->lock);
}

/* sender_pool_free - stop the threads (QUIT their sessions), free */
void
sender_pool_free(struct sender_pool **pp)
{
	struct sender_pool *p = *pp;
	int i;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < p->n_threads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_cond_destroy(&p->idle);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->lock);
	pd_free(p->threads);
	pd_free(p->order);
	pd_free(p->relay);
	pd_free(p);
	*pp = NULL;
}
