/*
 * pd_csat.h - the satisfaction survey: tokens, timing, scheduling
 *
 * PURPOSE	Everything about the survey that is not a mail: the signed
 *		plus-address a grade is sent to, when the survey goes out,
 *		and queueing or cancelling it in the ticket's transaction
 *		(PRODUCT.md "CSAT survey", engineering guide 8.3).
 * DESIGN	A survey is its outbox row (kind "csat"); the row id is the
 *		survey id.  Token: the first 10 bytes of
 *		HMAC(k_csat, "csat|SURVEY|GRADE|v1"), 16 lower-case Crockford
 *		base32 characters (80 bits), so the address
 *		  support+csat-SURVEY-GRADE-TOKEN@example.com
 *		binds survey and grade and survives clients that change the
 *		case of local parts.  Grade 0 is the survey's Reply-To: an
 *		answer to it counts when its text is just a digit.
 *		Timing: resolution + [csat] delay; a time outside the
 *		queue's business hours moves to the next
 *		open moment; never later than one working day (the policy's
 *		longest open day, in business time) after the resolution,
 *		which is also when an unsent survey expires.  Not scheduled
 *		when a survey of the ticket was answered, for a customer in
 *		[csat] exclude, or for an address the relay refused before.
 * OWNERSHIP	Everything is borrowed.
 * ERRORS	Store errors; pd_csat_parse: PD_ENOTFOUND (not a survey
 *		address), PD_EAUTH (a survey address whose token is wrong).
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_CSAT_H
#define PD_CSAT_H

#include <stddef.h>
#include <stdint.h>

#include "pd_conf.h"
#include "pd_key.h"
#include "pd_store.h"

#define PD_CSAT_TOKEN_LEN	16
#define PD_CSAT_ADDR_MAX	254

/* pd_csat_address - the address that records grade for survey_id */
int	 pd_csat_address(const struct pd_key *key, const char *queue_address,
	    int64_t survey_id, int grade, char *out, size_t outlen);

/* pd_csat_parse - survey and grade of a survey address rcpt, verified */
int	 pd_csat_parse(const struct pd_key *key, const char *rcpt,
	    int64_t *survey_id, int *grade);

/* pd_csat_times - when the survey of a resolution goes out, and expires */
int	 pd_csat_times(const struct pd_conf *conf,
	    const struct pd_conf_sla *sla, int64_t resolved_at, int64_t *due,
	    int64_t *expires);

/*
 * pd_csat_schedule - queue the survey of ticket t resolved at now (in the
 * caller's transaction); *why is set (static) when none was queued
 */
int	 pd_csat_schedule(struct pd_store *st, const struct pd_conf *conf,
	    const struct pd_conf_queue *q, const struct pd_ticket *t,
	    int64_t now, const char **why);

/* pd_csat_cancel - a reopened ticket's pending survey is cancelled */
int	 pd_csat_cancel(struct pd_store *st, int64_t ticket_id);

/*
 * pd_csat_top_grade - the lowest grade that counts as a top grade for a
 * scale of grades (3: only 3; 5: 4 and 5), for the CSAT score
 */
int	 pd_csat_top_grade(int grades);

/*
 * pd_csat_comment - the customer's words above the quoted survey in text
 * (UTF-8), trimmed, into a new string (pd_free); NULL when there are none.
 * *digit is set to the grade (1..grades) when the words are just a digit.
 */
char	*pd_csat_comment(const char *text, int grades, int *digit);

#endif
