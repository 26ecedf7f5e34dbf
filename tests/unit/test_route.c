/*
 * test_route.c - unit tests for pd_route: how a message finds its ticket
 *
 * Against a real SQLite file and the first-user configuration: a new
 * message opens a ticket; its tag, its Message-ID in In-Reply-To or
 * References bring replies back to it; a forged tag does not; a resent
 * Message-ID is a duplicate; a message without Message-ID gets one.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pd_conf.h"
#include "pd_key.h"
#include "pd_mime.h"
#include "pd_route.h"
#include "../harness/tap.h"

static char dir[] = "/tmp/pdrouteXXXXXX";

static const char conf_text[] =
	"[general]\n"
	"database = %s/pd.db\n"
	"key_file = %s/pd.key\n"
	"timezone = Europe/Moscow\n"
	"tag_prefix = PD\n"
	"[queue support]\n"
	"address = support@example.com\n"
	"name = Example Support\n"
	"vip = *@bigclient.example\n";

struct fixture {
	struct pd_conf	*conf;
	struct pd_key	*key;
	struct pd_store	*st;
	const char	*from;
	const char	*sender;
	const char	*block;
};

/* route - route one message; returns the ticket id or -rc */
static int64_t
route(struct fixture *fx, const char *subject, const char *msgid,
    const char *irt, const char *refs, struct pd_route_out *out)
{
	struct pd_route_in in = { 0 };
	int rc;

	in.conf = fx->conf;
	in.queue = &fx->conf->queues[0];
	in.key = fx->key;
	in.queue_id = "4AbCdEf";
	in.sender = fx->sender ? fx->sender : "<alice@example.org>";
	in.ack_block = fx->block;
	in.subject = subject;
	in.subject_len = subject ? strlen(subject) : 0;
	in.message_id = msgid;
	in.in_reply_to = irt;
	in.references = refs;
	in.from = fx->from ? fx->from : " Alice <Alice@Example.org>";
	in.now = 1700000000;
	rc = pd_route_message(fx->st, &in, out);
	return rc == PD_OK ? out->ticket_id : rc;
}

int
main(void)
{
	struct pd_route_out out;
	struct fixture fx = { 0 };
	struct pd_err err = { 0, "" };
	char path[300], subj[200], forged[40];
	unsigned char raw[PD_KEY_BYTES];
	FILE *f;

	if (mkdtemp(dir) == NULL)
		return 99;
	pd_mime_init();
	snprintf(path, sizeof(path), "%s/postdesk.conf", dir);
	f = fopen(path, "w");
	fprintf(f, conf_text, dir, dir);
	fclose(f);
	fx.conf = pd_conf_load(path, &err);
	if (fx.conf == NULL) {
		printf("Bail out! %s\n", err.msg);
		return 1;
	}
	memset(raw, 0x42, sizeof(raw));
	fx.key = pd_key_from_bytes(raw);
	pd_store_migrate(fx.conf->database, &err);
	fx.st = pd_store_open(fx.conf->database, 1000, &err);

	is_int(route(&fx, " Printer on fire", " <m1@client>", NULL, NULL,
	    &out), 1, "new message opens ticket 1");
	ok(out.action == PD_ROUTE_OPENED && out.status == PD_TS_NEW,
	    "action opened, status new");
	ok(out.ack_msgid[0] != '\0' && out.ack_suppressed == NULL,
	    "acknowledgement queued: %s", out.ack_msgid);
	ok(out.priority == PD_PRIO_NORMAL && !out.complaint,
	    "ordinary mail: normal priority");
	{
		char ackid[PD_MSGID_MAX + 8];
		struct pd_route_out o2;

		snprintf(ackid, sizeof(ackid), " <%s>", out.ack_msgid);
		is_int(route(&fx, " Re: thanks", " <m1r@client>", ackid,
		    NULL, &o2), 1, "a reply to the acknowledgement threads");
		pd_route_out_free(&o2);
	}
	ok(out.subject && strstr(out.subject, out.tag) &&
	    strstr(out.subject, "Printer on fire"), "subject tagged: %s",
	    out.subject ? out.subject : "(null)");
	is_str(out.customer, "alice@example.org", "customer from From");
	snprintf(subj, sizeof(subj), " Re: %s Printer on fire", out.tag);
	memcpy(forged, out.tag, strlen(out.tag) + 1);
	forged[strlen(forged) - 2] = forged[strlen(forged) - 2] == 'A' ?
	    'B' : 'A';
	pd_route_out_free(&out);

	is_int(route(&fx, subj, " <m2@client>", NULL, NULL, &out), 1,
	    "reply with the tag joins ticket 1");
	ok(out.action == PD_ROUTE_TAG, "action: by tag");
	pd_route_out_free(&out);

	is_int(route(&fx, " Re: Printer on fire", " <m3@client>",
	    " <m2@client>", NULL, &out), 1,
	    "reply without tag, In-Reply-To known: ticket 1");
	ok(out.action == PD_ROUTE_THREAD, "action: by thread");
	pd_route_out_free(&out);

	is_int(route(&fx, " Re: Printer", " <m4@client>", NULL,
	    " <zz@elsewhere> <m1@client> <yy@elsewhere>", &out), 1,
	    "References with the first message: ticket 1");
	pd_route_out_free(&out);

	snprintf(subj, sizeof(subj), " Re: %s Printer on fire", forged);
	is_int(route(&fx, subj, " <m5@client>", NULL, NULL, &out), 2,
	    "forged tag opens a new ticket");
	ok(out.forged_tag, "forged tag reported");
	ok(out.subject && strstr(out.subject, forged) == NULL,
	    "forged tag removed from the subject: %s",
	    out.subject ? out.subject : "(null)");
	pd_route_out_free(&out);

	is_int(route(&fx, " Printer on fire", " <m1@client>", NULL, NULL,
	    &out), 1, "same Message-ID again: same ticket");
	ok(out.action == PD_ROUTE_DUPLICATE, "action: duplicate");
	pd_route_out_free(&out);

	is_int(route(&fx, NULL, NULL, NULL, NULL, &out), 3,
	    "no subject, no Message-ID: new ticket");
	ok(out.message_id_added && strstr(out.message_id, "@example.com"),
	    "a Message-ID was generated: %s", out.message_id);
	ok(out.subject && strstr(out.subject, out.tag), "subject is the tag");
	pd_route_out_free(&out);

	is_int(route(&fx, " [PD-999-ABCD] x", " <m6@client>", NULL, NULL,
	    &out), 4, "tag of a ticket that does not exist: new ticket");
	is_str(out.ack_suppressed, "rate-sender",
	    "second new ticket of a sender within the window: no ack");
	pd_route_out_free(&out);

	fx.from = " Boss <boss@bigclient.example>";
	fx.sender = "<boss@bigclient.example>";
	is_int(route(&fx, " Это безобразие, верните деньги", " <m7@vip>",
	    NULL, NULL, &out), 5, "VIP complaint opens ticket 5");
	ok(out.complaint && out.priority == PD_PRIO_HIGH,
	    "complaint keyword (Cyrillic, any case): high priority");
	ok(out.ack_msgid[0] != '\0', "its acknowledgement is queued");
	pd_route_out_free(&out);
	fx.sender = "<other@bigclient.example>";
	fx.block = "auto-submitted";
	is_int(route(&fx, " Out of office", " <m8@vip>", NULL, NULL, &out), 6,
	    "auto-reply still opens a ticket");
	ok(out.ack_msgid[0] == '\0' && out.ack_suppressed != NULL &&
	    strcmp(out.ack_suppressed, "auto-submitted") == 0,
	    "but the blocked acknowledgement is not queued");
	ok(out.priority == PD_PRIO_HIGH, "VIP domain: high priority");
	pd_route_out_free(&out);
	fx.block = NULL;

	unlink(fx.conf->database);
	is_int(route(&fx, " x", " <m7@client>", NULL, NULL, &out),
	    PD_EPERMFAIL, "database removed: error, caller applies on_error");
	ok(out.subject == NULL, "and no subject change is proposed");
	pd_route_out_free(&out);
	pd_store_close(&fx.st);
	pd_key_free(&fx.key);
	pd_conf_unref(&fx.conf);
	pd_mime_shutdown();
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	return tap_done() + (system(path) != 0);
}
