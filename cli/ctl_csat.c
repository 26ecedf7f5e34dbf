/*
 * ctl_csat.c - "postdeskctl csat [--since PERIOD] [--json]"
 *
 * PURPOSE	The survey answers per queue: how many, the share of the top
 *		grades, the distribution, and every comment with its grade
 *		and ticket.  For managers; agents have no command that shows
 *		grades (PRODUCT.md: the score does not weigh on the person
 *		who answered).
 * DESIGN	pd_store_csat_list() walks answers ordered by queue; each
 *		queue's block is printed when the next queue starts.
 * OWNERSHIP	Key and store are opened and closed here.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "ctl.h"
#include "pd_csat.h"
#include "pd_json.h"
#include "pd_log.h"
#include "pd_tag.h"

#define CSAT_JSON_MAX	(1024 * 1024)
#define GRADES_MAX	9

struct csat_ctx {
	const struct pd_conf	*conf;
	const struct pd_key	*key;
	int			 json;
	struct pd_buf		 out;		/* json, or the comments */
	char			 queue[128];
	long			 n;
	long			 by_grade[GRADES_MAX + 1];
	int			 queues;
};

/* csat_flush - print (or append) the queue block collected so far */
static void
csat_flush(struct csat_ctx *c)
{
	int top = c->conf->csat_grades;
	long good = 0;
	int g;

	if (c->n == 0)
		return;
	for (g = pd_csat_top_grade(top); g <= top; g++)
		good += c->by_grade[g];
	if (c->json) {
		pd_buf_adds(&c->out, "],\"answers\":");
		pd_buf_printf(&c->out, "%ld,\"top_share\":%.3f,\"grades\":{",
		    c->n, (double)good / (double)c->n);
		for (g = 1; g <= top; g++)
			pd_buf_printf(&c->out, "%s\"%d\":%ld", g > 1 ? "," : "",
			    g, c->by_grade[g]);
		pd_buf_adds(&c->out, "}}");
	} else {
		printf("queue %s: %ld answer(s), %.0f%% in the top grade%s\n",
		    c->queue, c->n, 100.0 * (double)good / (double)c->n,
		    top == 5 ? "s (4-5)" : " (3)");
		for (g = top; g >= 1; g--)
			printf("  %d  %5ld\n", g, c->by_grade[g]);
		fputs(pd_buf_str(&c->out), stdout);
		pd_buf_reset(&c->out);
	}
	c->n = 0;
	memset(c->by_grade, 0, sizeof(c->by_grade));
}

/* csat_row - one answer */
static int
csat_row(const struct pd_csat_answer *a, void *arg)
{
	struct csat_ctx *c = arg;
	char tag[PD_TAG_MAX];
	char text[512];

	if (strcmp(c->queue, a->queue) != 0) {
		csat_flush(c);
		snprintf(c->queue, sizeof(c->queue), "%s", a->queue);
		if (c->json) {
			pd_buf_adds(&c->out, c->queues++ ? "," : "");
			pd_json_str(&c->out, a->queue);
			pd_buf_adds(&c->out, ":{\"comments\":[");
		}
	}
	if (a->grade >= 1 && a->grade <= GRADES_MAX)
		c->by_grade[a->grade]++;
	c->n++;
	if (a->comment == NULL)
		return 0;
	pd_tag_format(c->key, c->conf->tag_prefix, (uint64_t)a->ticket_id,
	    tag, sizeof(tag));
	if (c->json) {
		pd_buf_adds(&c->out, c->out.data[c->out.len - 1] == '[' ?
		    "{" : ",{");
		pd_json_kv_str(&c->out, 1, "ticket", tag);
		pd_json_kv_int(&c->out, 0, "grade", a->grade);
		pd_json_kv_str(&c->out, 0, "comment", a->comment);
		pd_buf_addc(&c->out, '}');
	} else {
		pd_buf_printf(&c->out, "  %s grade %d: %s\n", tag, a->grade,
		    pd_log_printable(text, sizeof(text), a->comment));
	}
	return 0;
}

/* ctl_csat - survey answers per queue */
int
ctl_csat(struct ctl_env *env, int argc, char **argv)
{
	struct csat_ctx c = { 0 };
	struct pd_store *st;
	struct pd_key *key;
	int64_t since = 0;
	long period;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			c.json = 1;
		else if (strcmp(argv[i], "--since") == 0 && i + 1 < argc &&
		    pd_conf_parse_duration(argv[i + 1], &period) == PD_OK)
			since = (int64_t)time(NULL) - period, i++;
		else
			return ctl_fail(EX_USAGE, "usage: postdeskctl csat "
			    "[--since PERIOD] [--json]");
	}
	ctl_open(env, &key, &st);
	c.conf = env->conf;
	c.key = key;
	pd_buf_init(&c.out, CSAT_JSON_MAX);
	if (c.json)
		pd_buf_addc(&c.out, '{');
	rc = pd_store_csat_list(st, since, csat_row, &c);
	if (rc == PD_OK) {
		csat_flush(&c);
		if (c.json && pd_buf_adds(&c.out, "}\n") == PD_OK)
			fputs(pd_buf_str(&c.out), stdout);
		else if (!c.json && c.queues == 0 && c.queue[0] == '\0')
			printf("no survey answers\n");
	}
	pd_buf_free(&c.out);
	pd_store_close(&st);
	pd_key_free(&key);
	return rc == PD_OK ? EX_OK : ctl_fail(EX_UNAVAILABLE, "%s",
	    pd_err_str(rc));
}
