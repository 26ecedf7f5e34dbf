/*
 * pd_csatmail.h - the satisfaction survey mail (see pd_csatmail.c)
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_CSATMAIL_H
#define PD_CSATMAIL_H

#include <stdbool.h>
#include <stdint.h>

#include "pd_buf.h"
#include "pd_conf.h"
#include "pd_key.h"
#include "pd_store.h"

/*
 * pd_csatmail_build - the survey of row o for ticket t at now, appended
 * to out; *fallback when the template was unusable and the built-in text
 * was used.  st is read for the agent's last answer.
 */
int	pd_csatmail_build(const struct pd_conf *conf, const struct pd_key *key,
	    struct pd_store *st, const struct pd_ticket *t,
	    const struct pd_outbox *o, int64_t now, struct pd_buf *out,
	    bool *fallback);

#endif
