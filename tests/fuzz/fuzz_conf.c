/*
 * fuzz_conf.c - libFuzzer target: the configuration loader
 *
 * FEEDS	The input as the whole postdesk.conf to pd_conf_load(),
 *		which takes a path: the bytes go into one memfd made at
 *		start-up, read back through /proc/self/fd/N, so a run
 *		writes no file.  A file that loads is loaded a second time
 *		and looked up by each of its support addresses.
 * CHECKS	- a failed load returns NULL with PD_EPERMFAIL and a message
 *		  that starts with the file's path;
 *		- a loaded snapshot has refcount 1, a valid tag prefix, 3 or
 *		  5 grades, opening hours within the day with opening before
 *		  closing, sorted holidays and a time zone in every SLA
 *		  policy; every queue has an SLA policy and a lower-case
 *		  address with one '@' and no '+', which
 *		  pd_conf_queue_by_address() finds again, also as
 *		  "<ADDRESS+detail>" in upper case;
 *		- loading the same bytes again gives a snapshot that
 *		  pd_conf_check_reload() accepts against the first.
 * SEE ALSO	lib/pd_conf.h, doc/postdesk.conf.5, tests/unit/test_conf.c,
 *		scripts/fuzz.sh.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib.h>

#include "pd_conf.h"
#include "pd_err.h"
#include "pd_tag.h"
#include "fuzz.h"

static int fd = -1;
static char path[64];

/* LLVMFuzzerInitialize - the memfd the inputs are written to */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fd = memfd_create("postdesk.conf", MFD_CLOEXEC);
	FUZZ_CHECK(fd >= 0, "memfd_create");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return 0;
}

/* check_sla - one SLA policy */
static void
check_sla(const struct pd_conf_sla *s)
{
	size_t i;
	int d;

	FUZZ_CHECK(s->name != NULL && s->tz != NULL, "policy named, zoned");
	for (d = 0; d < 7; d++)
		FUZZ_CHECK(s->hours[d].open_min >= 0 &&
		    s->hours[d].open_min <= s->hours[d].close_min &&
		    s->hours[d].close_min <= 24 * 60, "hours within a day");
	for (i = 1; i < s->n_holidays; i++)
		FUZZ_CHECK(s->holidays[i - 1] <= s->holidays[i],
		    "holidays sorted");
}

/* check_queue - one queue, and finding it by its address */
static void
check_queue(const struct pd_conf *c, const struct pd_conf_queue *q)
{
	const char *a = q->address;
	char *other;
	char *up;
	const char *at;

	FUZZ_CHECK(q->name != NULL && q->sla != NULL, "queue with policy");
	at = strchr(a, '@');
	FUZZ_CHECK(at != NULL && at > a && strchr(at + 1, '@') == NULL &&
	    strchr(a, '+') == NULL, "one '@', no '+'");
	up = g_ascii_strdown(a, -1);
	FUZZ_CHECK(strcmp(up, a) == 0, "address in lower case");
	g_free(up);
	FUZZ_CHECK(pd_conf_queue_by_address(c, a) == q, "found by address");
	up = g_ascii_strup(a, -1);
	other = g_strdup_printf(" <%.*s+detail%s> ", (int)(at - a), up,
	    up + (at - a));
	FUZZ_CHECK(pd_conf_queue_by_address(c, other) == q,
	    "found by <ADDRESS+detail>");
	g_free(other);
	g_free(up);
}

/* check_conf - a snapshot that loaded */
static void
check_conf(const struct pd_conf *c)
{
	size_t i;

	FUZZ_CHECK(c->refcount == 1, "refcount 1");
	FUZZ_CHECK(c->path != NULL && strcmp(c->path, path) == 0, "path");
	FUZZ_CHECK(c->tag_prefix != NULL && pd_tag_prefix_valid(c->tag_prefix),
	    "tag prefix valid");
	FUZZ_CHECK(c->csat_grades == 3 || c->csat_grades == 5, "grades");
	FUZZ_CHECK(c->on_error == PD_ON_ERROR_ACCEPT ||
	    c->on_error == PD_ON_ERROR_TEMPFAIL, "on_error");
	for (i = 0; i < c->n_slas; i++)
		check_sla(&c->slas[i]);
	for (i = 0; i < c->n_queues; i++)
		check_queue(c, &c->queues[i]);
}

/* LLVMFuzzerTestOneInput - one configuration file */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pd_err err = { 0, "" };
	struct pd_conf *c;
	struct pd_conf *again;

	FUZZ_CHECK(ftruncate(fd, 0) == 0 && (size == 0 ||
	    pwrite(fd, data, size, 0) == (ssize_t)size), "memfd write");
	c = pd_conf_load(path, &err);
	if (c == NULL) {
		FUZZ_CHECK(err.code == PD_EPERMFAIL, "PD_EPERMFAIL");
		FUZZ_CHECK(strncmp(err.msg, path, strlen(path)) == 0,
		    "the message names the file");
		return 0;
	}
	check_conf(c);
	again = pd_conf_load(path, &err);
	FUZZ_CHECK(again != NULL, "the same file loads again");
	FUZZ_CHECK(pd_conf_check_reload(c, again, &err) == PD_OK,
	    "a reload of the same file is accepted");
	pd_conf_unref(&again);
	pd_conf_unref(&c);
	FUZZ_CHECK(c == NULL, "unref clears the pointer");
	return 0;
}
