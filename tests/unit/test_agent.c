/*
 * test_agent.c - unit tests for pd_agent: an agent's mail to a ticket
 *
 * Against a real SQLite file and a two-queue configuration: an answer
 * sets first response and pending; commands apply all or nothing; a
 * ticket of another queue, an unknown login, an unverified, unknown or
 * foreign #merge tag are refused with a reason and a notice; #merge
 * resolves the ticket into the other and later mail follows it; a
 * customer's reply reopens (counted only from resolved), an automatic
 * one does not; pd_agent_command does what the mail commands do.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pd_agent.h"
#include "pd_conf.h"
#include "pd_key.h"
#include "pd_mime.h"
#include "pd_route.h"
#include "../harness/tap.h"

static char dir[] = "/tmp/pdagentXXXXXX";

static const char conf_text[] =
	"[general]\n"
	"database = %s/pd.db\n"
	"key_file = %s/pd.key\n"
	"timezone = Europe/Moscow\n"
	"tag_prefix = PD\n"
	"[queue support]\n"
	"address = support@example.com\n"
	"name = Example Support\n"
	"agents = alice@example.com, bob@example.com\n"
	"[queue help]\n"
	"address = help@example.com\n"
	"agents = carol@example.com\n";

static struct pd_conf *conf;
static struct pd_key *key;
static struct pd_store *st;
static int msgno;

/* cmds - parse a command block */
static struct pd_cmd_list *
cmds(const char *text)
{
	static struct pd_cmd_list list;

	pd_cmd_parse_text(text, strlen(text), &list);
	return &list;
}

/* mail - route one message; returns rc, fills out */
static int
mail(const char *agent, int queue, const char *subject,
    const struct pd_cmd_list *c, bool customers, bool automatic,
    struct pd_route_out *out)
{
	struct pd_route_in in = { 0 };
	char msgid[64];
	int rc;

	snprintf(msgid, sizeof(msgid), "<m%d@test>", ++msgno);
	in.conf = conf;
	in.queue = &conf->queues[queue];
	in.key = key;
	in.sender = agent ? agent : "cust@example.org";
	in.from = agent ? agent : "cust@example.org";
	in.subject = subject;
	in.subject_len = strlen(subject);
	in.message_id = msgid;
	in.agent = agent;
	in.cmds = c;
	in.customer_rcpts = customers;
	in.automatic = automatic;
	in.now = 1700000000 + msgno;
	rc = pd_route_message(st, &in, out);
	pd_route_out_free(out);
	return rc;
}

/* ticket - a fresh copy of ticket id */
static struct pd_ticket *
ticket(int64_t id)
{
	static struct pd_ticket t;

	pd_ticket_clear(&t);
	pd_store_ticket_get(st, id, &t);
	return &t;
}

/* about - " Re: [TAG] x" for ticket id */
static const char *
about(int64_t id)
{
	static char s[100];
	char tag[PD_TAG_MAX];

	pd_tag_format(key, "PD", (uint64_t)id, tag, sizeof(tag));
	snprintf(s, sizeof(s), " Re: %s x", tag);
	return s;
}

int
main(void)
{
	struct pd_err err = { 0, "" };
	struct pd_route_out out;
	struct pd_route_in in = { 0 };
	unsigned char raw[PD_KEY_BYTES];
	char path[300], cmd[120], tag3[PD_TAG_MAX];
	FILE *f;

	if (mkdtemp(dir) == NULL)
		return 99;
	pd_mime_init();
	snprintf(path, sizeof(path), "%s/postdesk.conf", dir);
	f = fopen(path, "w");
	fprintf(f, conf_text, dir, dir);
	fclose(f);
	conf = pd_conf_load(path, &err);
	if (conf == NULL) {
		printf("Bail out! %s\n", err.msg);
		return 1;
	}
	memset(raw, 0x42, sizeof(raw));
	key = pd_key_from_bytes(raw);
	pd_store_migrate(conf->database, &err);
	st = pd_store_open(conf->database, 1000, &err);

	/* tickets 1 and 2 in support, 3 in help */
	mail(NULL, 0, " one", NULL, false, false, &out);
	mail(NULL, 0, " two", NULL, false, false, &out);
	mail(NULL, 1, " three", NULL, false, false, &out);
	is_int(out.ticket_id, 3, "three tickets opened");

	is_int(mail("alice@example.com", 0, " unrelated", NULL, true, false,
	    &out), PD_OK, "agent mail about no ticket");
	is_int(out.action, PD_ROUTE_NONE, "... passes as none");

	mail("alice@example.com", 0, about(1), cmds("#priority high\n\nHi"),
	    true, false, &out);
	ok(out.agent == PD_AGENT_ANSWER && ticket(1)->status ==
	    PD_TS_PENDING && ticket(1)->first_response_at > 0 &&
	    ticket(1)->priority == PD_PRIO_HIGH,
	    "answer: pending, first response, #priority high (%s)",
	    out.applied);

	mail("alice@example.com", 0, about(1), cmds("#resolve\n#assign "
	    "nobody\n\nx"), true, false, &out);
	ok(out.agent == PD_AGENT_REJECTED && out.notice_msgid[0] &&
	    strstr(out.why, "nobody") && ticket(1)->status == PD_TS_PENDING,
	    "#assign to an unknown login: all refused, notice (%s)",
	    out.why);

	mail("alice@example.com", 0, about(3), cmds("#resolve\n"), true,
	    false, &out);
	ok(out.agent == PD_AGENT_REJECTED && strstr(out.why, "queue help")
	    && ticket(3)->status == PD_TS_NEW,
	    "a ticket of another queue: refused (%s)", out.why);

	mail("alice@example.com", 0, about(1), cmds("#merge PD-2-AAAA\n"),
	    true, false, &out);
	ok(out.agent == PD_AGENT_REJECTED && strstr(out.why, "not a valid"),
	    "#merge with an unverified tag: refused (%s)", out.why);
	pd_tag_format(key, "PD", 99, tag3, sizeof(tag3));
	snprintf(cmd, sizeof(cmd), "#merge %.*s\n", (int)strlen(tag3) - 2,
	    tag3 + 1);
	mail("alice@example.com", 0, about(1), cmds(cmd), true, false, &out);
	ok(out.agent == PD_AGENT_REJECTED && strstr(out.why, "no such"),
	    "#merge with an unknown ticket: refused (%s)", out.why);
	pd_tag_format(key, "PD", 3, tag3, sizeof(tag3));
	snprintf(cmd, sizeof(cmd), "#merge %.*s\n", (int)strlen(tag3) - 2,
	    tag3 + 1);
	mail("alice@example.com", 0, about(1), cmds(cmd), true, false, &out);
	ok(out.agent == PD_AGENT_REJECTED && strstr(out.why, "queue help"),
	    "#merge into another queue's ticket: refused (%s)", out.why);

	pd_tag_format(key, "PD", 2, tag3, sizeof(tag3));
	snprintf(cmd, sizeof(cmd), "#merge %.*s\n#note\n", (int)strlen(tag3) -
	    2, tag3 + 1);
	mail("bob@example.com", 0, about(1), cmds(cmd), true, false, &out);
	ok(out.agent == PD_AGENT_NOTE && ticket(1)->merged_into == 2 &&
	    ticket(1)->status == PD_TS_RESOLVED,
	    "#merge: resolved into ticket 2 (%s)", out.applied);
	mail(NULL, 0, about(1), NULL, false, false, &out);
	is_int(out.ticket_id, 2, "a customer's reply to the merged ticket "
	    "lands in the one it was merged into");
	ok(ticket(2)->status == PD_TS_NEW, "... which, unanswered, stays new");

	mail("alice@example.com", 0, about(2), cmds("#resolve\n"), true,
	    false, &out);
	mail(NULL, 0, about(2), NULL, false, true, &out);
	ok(ticket(2)->status == PD_TS_RESOLVED && !out.reopened,
	    "an automatic reply reopens nothing");
	mail(NULL, 0, about(2), NULL, false, false, &out);
	ok(ticket(2)->status == PD_TS_OPEN && ticket(2)->reopen_count == 1 &&
	    out.reopened, "a customer's reply reopens, counted");
	mail("alice@example.com", 0, about(2), NULL, true, false, &out);
	mail(NULL, 0, about(2), NULL, false, false, &out);
	ok(ticket(2)->status == PD_TS_OPEN && ticket(2)->reopen_count == 1,
	    "a reply to a pending ticket opens it, not counted as a reopen");

	in.conf = conf;
	in.key = key;
	in.agent = "admin";
	in.admin = true;
	in.cmds = cmds("#assign carol\n");
	is_int(pd_agent_command(st, &in, 3, &out), PD_OK,
	    "admin: #assign carol on help's ticket");
	ok(ticket(3)->assignee && !strcmp(ticket(3)->assignee,
	    "carol@example.com"), "... assigned to her address");
	in.cmds = cmds("#resolve\n#assign alice\n");
	is_int(pd_agent_command(st, &in, 3, &out), PD_EINVAL,
	    "admin: alice is not an agent of help: refused");
	ok(ticket(3)->status == PD_TS_NEW, "... and nothing applied");

	pd_ticket_clear(ticket(1));
	pd_store_close(&st);
	pd_key_free(&key);
	pd_conf_unref(&conf);
	pd_mime_shutdown();
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	return tap_done() + (system(path) != 0);
}
