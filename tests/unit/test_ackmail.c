/*
 * test_ackmail.c - unit tests for pd_ackmail: the acknowledgement's text
 *
 * With the shipped templates (top_srcdir/templates): the tag and the due
 * time for a person are in it; the sender's subject and name appear only
 * when the sender was authenticated; a complaint gets the complaint text
 * (thank, why it matters, apology, what happens by when, in that order);
 * a broken template falls back to the built-in text and is reported.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pd_ackmail.h"
#include "pd_mem.h"
#include "pd_mime.h"
#include "../harness/tap.h"

static char dir[] = "/tmp/pdackXXXXXX";

/* load - the test configuration with templates in tdir */
static struct pd_conf *
load(const char *tdir, const char *lang)
{
	struct pd_err err = { 0, "" };
	char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/pd.conf", dir);
	f = fopen(path, "w");
	fprintf(f, "[general]\ndatabase = %s/db\nkey_file = %s/key\n"
	    "templates = %s\ntimezone = Europe/Moscow\n[queue support]\n"
	    "address = support@example.com\nname = Example Support\n"
	    "language = %s\n", dir, dir, tdir, lang);
	fclose(f);
	return pd_conf_load(path, &err);
}

/* build - the acknowledgement text (decoded enough to grep) */
static char *
build(struct pd_conf *conf, const struct pd_key *key, unsigned flags,
    bool *fallback)
{
	struct pd_ticket t = { 0 };
	struct pd_outbox o = { 0 };
	struct pd_err err = { 0, "" };
	struct pd_buf out;

	t.id = 7;
	t.queue = "support";
	t.subject = "Printer on fire";
	t.customer_name = "Anna";
	t.first_response_due = 1768989600;	/* Wed 2026-01-21 10:00 UTC */
	o.recipient = "anna@customer.example";
	o.message_id = "ack1@example.com";
	o.in_reply_to = "m1@customer.example";
	o.flags = flags;
	pd_buf_init(&out, 1 << 20);
	if (pd_ackmail_build(conf, key, &t, &o, 1768903200, &out, fallback,
	    &err) != PD_OK)
		printf("# %s\n", err.msg);
	return pd_buf_detach(&out);
}

/* has - s contains the UTF-8 text, raw or as quoted-printable body */
static int
has(const char *mail, const char *text)
{
	return strstr(mail, text) != NULL;
}

int
main(void)
{
	const char *top = getenv("top_srcdir");
	unsigned char raw[PD_KEY_BYTES];
	char tdir[400], bad[300];
	struct pd_conf *conf;
	struct pd_key *key;
	bool fb = true;
	char *m;
	FILE *f;

	if (top == NULL || mkdtemp(dir) == NULL) {
		printf("1..0 # SKIP top_srcdir not set\n");
		return 0;
	}
	pd_mime_init();
	memset(raw, 1, sizeof(raw));
	key = pd_key_from_bytes(raw);
	snprintf(tdir, sizeof(tdir), "%s/templates", top);
	conf = load(tdir, "en");
	ok(conf != NULL, "configuration with the shipped templates");
	is_int(pd_ackmail_check(conf, NULL), PD_OK,
	    "shipped templates pass the check");

	m = build(conf, key, 0, &fb);
	ok(!fb, "the template was used");
	ok(has(m, "Subject: [PD-7-") && has(m, "We have received"),
	    "subject: tag and a neutral text");
	ok(has(m, "We will answer tomorrow by 13:00."),
	    "due time for a person, in the queue's zone");
	ok(!has(m, "Printer on fire") && !has(m, "Anna"),
	    "unauthenticated: neither subject nor name is echoed");
	ok(has(m, "Auto-Submitted: auto-replied\r\n") &&
	    has(m, "In-Reply-To: <m1@customer.example>\r\n") &&
	    has(m, "Message-Id: <ack1@example.com>\r\n"),
	    "RFC 3834 and threading headers, CRLF");
	pd_free(m);

	m = build(conf, key, PD_OUT_QUOTE, &fb);
	ok(has(m, "Printer on fire") && has(m, "Dear Anna"),
	    "authenticated: subject and name quoted");
	pd_free(m);

	m = build(conf, key, PD_OUT_COMPLAINT, &fb);
	{
		const char *thank = strstr(m, "thank you for telling us");
		const char *why = strstr(m, "put right");
		const char *sorry = strstr(m, "We are sorry");
		const char *next = strstr(m, "answer tomorrow by 13:00");

		ok(thank && why && sorry && next && thank < why && why < sorry
		    && sorry < next,
		    "complaint: thank, why it matters, apology, next step");
	}
	pd_free(m);
	pd_conf_unref(&conf);

	/* A broken template: check names file and line, send falls back. */
	snprintf(bad, sizeof(bad), "%s/t/en", dir);
	snprintf(tdir, sizeof(tdir), "mkdir -p %s", bad);
	if (system(tdir) != 0)
		return 99;
	snprintf(tdir, sizeof(tdir), "%s/ack", bad);
	f = fopen(tdir, "w");
	fputs("Subject: {{tag}}\n\nline two\n{{#due}}unclosed\n", f);
	fclose(f);
	snprintf(tdir, sizeof(tdir), "%s/ack-complaint", bad);
	f = fopen(tdir, "w");
	fputs("Subject: {{tag}}\n\n{{price}}\n", f);
	fclose(f);
	snprintf(tdir, sizeof(tdir), "%s/t", dir);
	conf = load(tdir, "en");
	{
		struct pd_err err = { 0, "" };

		is_int(pd_ackmail_check(conf, &err) != PD_OK, 1,
		    "check refuses a broken template");
		ok(strstr(err.msg, "/t/en/ack") && strstr(err.msg, "line 4"),
		    "and names file and line: %s", err.msg);
	}
	m = build(conf, key, 0, &fb);
	ok(fb && has(m, "We will answer tomorrow by 13:00."),
	    "the worker falls back to the built-in text");
	pd_free(m);
	m = build(conf, key, PD_OUT_COMPLAINT, &fb);
	ok(fb, "unknown placeholder {{price}}: built-in text too");
	pd_free(m);
	pd_conf_unref(&conf);

	conf = load(tdir, "ru");
	m = build(conf, key, 0, &fb);
	if (!ok(fb && strcasestr(m, "Subject: [PD-7-") != NULL &&
	    strcasestr(m, "?utf-8?") != NULL,
	    "Russian built-in text, encoded subject"))
		printf("# %.300s\n", m);
	pd_free(m);
	pd_conf_unref(&conf);
	pd_key_free(&key);
	pd_mime_shutdown();
	snprintf(tdir, sizeof(tdir), "rm -rf %s", dir);
	return tap_done() + (system(tdir) != 0);
}
