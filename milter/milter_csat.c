/*
 * milter_csat.c - survey answers: mail to a signed support+csat-... address
 *
 * PURPOSE	A customer's click on a grade of the survey sends a mail to
 *		support+csat-SURVEY-GRADE-TOKEN@...; record the grade and any
 *		comment written above the quoted survey, never open or
 *		reopen a ticket with it, never deliver it to agents, and
 *		deliver a comment with one of the two lowest grades to the
 *		queue's managers (PRODUCT.md "CSAT survey").
 * DESIGN	The token is checked at RCPT (pd_csat_parse); only a verified
 *		one makes the message a survey answer, so its body is kept.
 *		The survey's Reply-To is its address with grade 0: a reply
 *		whose text is just a digit records that grade; any other
 *		reply is ordinary mail for the desk.
 *		A forged or altered token, or a survey that no longer exists
 *		(cancelled by a reopen), records nothing and the mail is
 *		handled as ordinary mail to the support address.  A later
 *		click replaces the grade within [csat] change_window.  The
 *		survey address is removed from the recipients; when it was
 *		the only one and no manager is added, the message is
 *		discarded (recorded, so nothing is lost that anyone should
 *		read).
 * THREADS	The connection's thread; one pooled store handle.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "milter.h"
#include "pd_bodyedit.h"
#include "pd_csat.h"
#include "pd_log.h"
#include "pd_mem.h"
#include "pd_team.h"

/* milter_csat_rcpt - note a verified survey address among the recipients */
void
milter_csat_rcpt(struct milter_conn *conn, const char *rcpt)
{
	struct milter_msg *msg = &conn->msg;
	int64_t survey = 0;
	int grade = 0;
	size_t len;
	int rc;

	if (msg->csat_survey != 0)
		return;
	rc = pd_csat_parse(milter_key, rcpt, &survey, &grade);
	if (rc == PD_EAUTH || (rc == PD_OK &&
	    grade > conn->conf->csat_grades)) {
		msg->csat_forged = true;
		return;
	}
	if (rc != PD_OK)
		return;
	msg->csat_survey = survey;
	msg->csat_grade = grade;
	rcpt += strspn(rcpt, " \t");
	len = strlen(rcpt);
	if (len >= 2 && rcpt[0] == '<' && rcpt[len - 1] == '>')
		msg->csat_rcpt = pd_xstrndup(rcpt + 1, len - 2);
	else
		msg->csat_rcpt = pd_xstrdup(rcpt);
}

/* csat_text - the comment (pd_free) and a digit answer of the message */
static char *
csat_text(struct milter_conn *conn, int *digit)
{
	struct milter_msg *msg = &conn->msg;
	struct pd_err err = { 0, "" };
	struct pd_bodyedit be;
	char *comment = NULL;

	*digit = 0;
	memset(&be, 0, sizeof(be));
	if (pd_bodyedit_commands(msg->raw.data ? msg->raw.data : "",
	    msg->raw.len, &be, &err) == PD_OK)
		comment = pd_csat_comment(be.first_text,
		    conn->conf->csat_grades, digit);
	pd_bodyedit_free(&be);
	return comment;
}

/* csat_store - find the survey, record the answer, log it on the ticket */
static int
csat_store(struct pd_store *st, struct pd_csat_answer *a, long window,
    int *outcome, struct pd_ticket *t)
{
	struct pd_event e = { 0 };
	char grade[4];
	int rc;

	if ((rc = pd_store_begin(st)) != PD_OK)
		return rc;
	rc = pd_store_csat_survey(st, a->survey_id, &a->ticket_id);
	if (rc == PD_OK)
		rc = pd_store_csat_record(st, a, window, outcome);
	if (rc == PD_OK && *outcome != 0) {
		snprintf(grade, sizeof(grade), "%d", a->grade);
		e.ticket_id = a->ticket_id;
		e.at = a->answered_at;
		e.kind = "csat";
		e.actor = "customer";
		e.detail = grade;
		rc = pd_store_event_add(st, &e);
	}
	if (rc == PD_OK)
		rc = pd_store_ticket_get(st, a->ticket_id, t);
	if (rc == PD_OK)
		rc = pd_store_commit(st);
	if (rc != PD_OK)
		pd_store_rollback(st);	/* also after a failed commit */
	return rc;
}

/* csat_deliver - off the survey address; managers for a low grade */
static sfsistat
csat_deliver(SMFICTX *ctx, struct milter_conn *conn,
    const struct pd_conf_queue *q, bool to_managers, size_t *managers)
{
	size_t i;

	*managers = 0;
	smfi_delrcpt(ctx, conn->msg.csat_rcpt);
	for (i = 0; to_managers && q != NULL && i < q->n_managers; i++) {
		smfi_addrcpt(ctx, q->managers[i]);
		(*managers)++;
	}
	return *managers == 0 && conn->msg.n_all_rcpts <= 1 ?
	    SMFIS_DISCARD : SMFIS_CONTINUE;
}

/* milter_csat_process - record a survey answer; the EOM verdict */
sfsistat
milter_csat_process(SMFICTX *ctx, struct milter_conn *conn)
{
	const char *qid = milter_eom_qid(ctx);
	static const char *const outcomes[] = {
		"too-late", "recorded", "replaced"
	};
	struct pd_csat_answer a = { 0 };
	struct pd_err err = { 0, "" };
	struct pd_ticket t = { 0 };
	struct pd_store *st;
	size_t managers = 0;
	char *comment;
	int outcome = 0, digit;
	sfsistat verdict;
	int rc;

	comment = csat_text(conn, &digit);
	a.survey_id = conn->msg.csat_survey;
	a.grade = conn->msg.csat_grade != 0 ? conn->msg.csat_grade : digit;
	if (a.grade == 0) {
		/* an answer to the survey that is not a grade: for the desk */
		pd_msg_info(qid, "csat: survey %lld answered without a grade, "
		    "handled as ordinary mail", (long long)a.survey_id);
		pd_free(comment);
		return milter_eom_process(ctx, conn);
	}
	a.comment = comment;
	a.answered_at = (int64_t)time(NULL);
	st = milter_pool_get(&err);
	rc = st ? csat_store(st, &a, conn->conf->csat_change_window, &outcome,
	    &t) : PD_ETEMP;
	milter_pool_put(st, rc == PD_OK || rc == PD_ENOTFOUND);
	if (rc == PD_ENOTFOUND) {
		pd_msg_info(qid, "csat: survey %lld no longer exists, handled "
		    "as ordinary mail", (long long)a.survey_id);
		pd_free(comment);
		return milter_eom_process(ctx, conn);
	}
	if (rc != PD_OK) {
		pd_free(comment);
		return milter_eom_on_error(ctx, conn, qid, st ?
		    pd_err_str(rc) : err.msg);
	}
	verdict = csat_deliver(ctx, conn, pd_team_queue_by_name(conn->conf,
	    t.queue), outcome != 0 && comment != NULL && a.grade <= 2,
	    &managers);
	pd_msg_info(qid, "csat: ticket=%s-%lld, survey=%lld, grade=%d, "
	    "action=%s, comment=%s, managers=%zu", conn->conf->tag_prefix,
	    (long long)t.id, (long long)a.survey_id, a.grade,
	    outcomes[outcome], comment ? "yes" : "no", managers);
	pd_ticket_clear(&t);
	pd_free(comment);
	return verdict;
}
