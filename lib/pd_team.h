/*
 * pd_team.h - who is who on the desk: queues, agents, trusted clients
 *
 * PURPOSE	Answer the milter's, the router's and postdeskctl's questions
 *		about people from the configuration: is this SASL login or
 *		this address an agent, of which queue; is this client in
 *		[milter] trusted_networks; is this {daemon_name} a submission
 *		service; which queue has this name.
 * DESIGN	An agent is configured by address ("alice@example.com"); its
 *		login is that address or its local part ("alice"), compared
 *		without regard to ASCII case.  Nothing here trusts a From
 *		header by itself: the caller decides what identified the
 *		sender (PRODUCT.md "Where it sits in Postfix").
 * OWNERSHIP	Returned strings and queues are borrowed from conf.
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_TEAM_H
#define PD_TEAM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "pd_conf.h"

/* pd_team_queue_by_name - the [queue NAME] section, or NULL */
const struct pd_conf_queue *pd_team_queue_by_name(const struct pd_conf *conf,
	    const char *name);

/*
 * pd_team_agent_of - the configured address of the agent of q that who
 * names (an address, "<address>", or a login), or NULL
 */
const char *pd_team_agent_of(const struct pd_conf_queue *q, const char *who);

/*
 * pd_team_agent - like pd_team_agent_of over every queue, first match;
 * *queue (if not NULL) is set to that queue
 */
const char *pd_team_agent(const struct pd_conf *conf, const char *who,
	    const struct pd_conf_queue **queue);

/* pd_team_trusted - is the client address sa in trusted_networks? */
bool	 pd_team_trusted(const struct pd_conf *conf, const struct sockaddr *sa);

/* pd_team_submission - is daemon_name one of submission_names? */
bool	 pd_team_submission(const struct pd_conf *conf,
	    const char *daemon_name);

/*
 * pd_team_from_name - the display name of an agent's answer: the queue's
 * agent_from with %a replaced by agent_name and %q by the queue's name
 * ("%%" is "%"), written into buf (cut at len - 1 bytes)
 */
void	 pd_team_from_name(const struct pd_conf_queue *q,
	    const char *agent_name, char *buf, size_t len);

#endif
