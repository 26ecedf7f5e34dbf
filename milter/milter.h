/*
 * milter.h - postdesk-milter internals shared by its files
 *
 * PURPOSE	The per-connection and per-message contexts, the store handle
 *		pool and the process-wide state of postdesk-milter.
 * DESIGN	Callbacks (milter_cb.c) only collect envelope and header data
 *		into struct milter_msg; at end-of-message milter_eom.c makes
 *		one lib/ call (pd_route_message) and applies its result.
 *		struct milter_conn lives from connect to close; struct
 *		milter_msg is reset by milter_msg_reset() at MAIL FROM, at
 *		end-of-message, on abort and on close (STYLE.md 6.4).
 * OWNERSHIP	The connection owns its message context and a reference on
 *		the configuration snapshot it started with.  Store handles
 *		belong to the pool between uses and to one callback during
 *		one.
 * THREADS	libmilter runs one thread per MTA connection; contexts are
 *		touched only by their connection's thread; the pool and the
 *		configuration pointer are guarded by mutexes.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef MILTER_H
#define MILTER_H

#include <stdbool.h>
#include <stdint.h>

#include <libmilter/mfapi.h>

#include "pd_autoreply.h"
#include "pd_buf.h"
#include "pd_conf.h"
#include "pd_key.h"
#include "pd_route.h"
#include "pd_store.h"

#define MILTER_SUBJECT_MAX	(16 * 1024)
#define MILTER_FIELD_MAX	(16 * 1024)
#define MILTER_XPD_MAX		8	/* distinct X-Postdesk-* names */
#define MILTER_RCPT_MAX		64	/* recipients remembered */

enum milter_rcpt_kind {
	MILTER_RCPT_SUPPORT,		/* a support address */
	MILTER_RCPT_AGENT,		/* an agent of some queue */
	MILTER_RCPT_CUSTOMER,		/* anyone else */
};

struct milter_rcpt {
	char	*addr;				/* as given, without "<>" */
	enum milter_rcpt_kind kind;
};

struct milter_xpd {
	char	name[64];
	int	count;
};

struct milter_msg {
	char	*sender;			/* envelope, as given */
	const struct pd_conf_queue *queue;	/* first support recipient */
	int	 support_rcpts;
	bool	 has_subject;
	bool	 subject_unusable;		/* too long: leave it alone */
	struct pd_buf subject;			/* first Subject, raw */
	char	*message_id;
	char	*in_reply_to;
	char	*references;
	char	*from;
	char	*content_language;
	char	*accept_language;
	size_t	 header_bytes;
	bool	 headers_overflow;
	struct milter_xpd xpd[MILTER_XPD_MAX];
	int	 n_xpd;
	bool	 xpd_overflow;
	struct pd_autoreply autoreply;		/* RFC 3834 signals seen */
	/* agent mail: SASL login on a submission service, or a trusted
	 * client (then the From header decides at end-of-message) */
	const char *agent;			/* SASL agent, from conf */
	bool	 maybe_agent;			/* keep headers and body */
	/* a survey answer: mail to a verified support+csat-... address */
	int64_t	 csat_survey;			/* 0: none */
	int	 csat_grade;
	char	*csat_rcpt;			/* that address, without "<>" */
	bool	 csat_forged;			/* survey address, bad token */
	int	 n_all_rcpts;			/* every recipient seen */
	struct pd_buf raw;			/* the whole message, CRLF */
	bool	 raw_overflow;
	bool	 body_started;
	struct milter_rcpt rcpts[MILTER_RCPT_MAX];
	int	 n_rcpts;
	bool	 rcpts_overflow;
};

#define MILTER_RESET_MSG	0x1		/* envelope and headers */

struct milter_conn {
	unsigned long	 id;			/* for NOQUEUE log lines */
	struct pd_conf	*conf;			/* our reference */
	unsigned long	 steps;			/* SMFIP_* flags agreed */
	bool		 leadspc;		/* SMFIP_HDR_LEADSPC agreed */
	bool		 relay;			/* the worker's relay service */
	bool		 trusted;		/* client in trusted_networks */
	bool		 submission;		/* a submission service */
	bool		 in_flight;		/* a message between MAIL and
						 * its reset (milter_ctx.c) */
	struct milter_msg msg;
};

/* process-wide state, set up in main.c before smfi_main() */
extern const struct pd_key *milter_key;

struct pd_conf *milter_conf_get(void);		/* new reference */

/* milter_errors.c */
enum milter_err {
	MILTER_ERR_STORE,		/* on_error applied */
	MILTER_ERR_HEADERS,		/* over max_header_size: unchanged */
	MILTER_ERR_AGENT_PARSE,		/* an agent's mail GMime refused */
	MILTER_ERR_RELAY_RECORD,	/* the relay could not record */
	MILTER_ERR_COUNT,
};
void	milter_error(enum milter_err kind);
void	milter_errors_flush(struct pd_store *st);

/* milter_csat.c */
void	milter_csat_rcpt(struct milter_conn *conn, const char *rcpt);
sfsistat milter_csat_process(SMFICTX *ctx, struct milter_conn *conn);

/* main.c */
void	milter_reload(const char *path);

/* milter_signal.c */
void	milter_signal_block(void);
bool	milter_signal_start(const char *path);

/* milter_ctx.c */
int	milter_conn_active(void);
int	milter_msg_active(void);
void	milter_msg_begin(struct milter_conn *conn);
struct milter_conn *milter_conn_new(void);
void	milter_conn_free(struct milter_conn **conn);
void	milter_msg_reset(struct milter_conn *conn, int how);
void	milter_msg_header(struct milter_conn *conn, const char *name,
	    const char *value);
void	milter_msg_rcpt(struct milter_conn *conn, const char *addr);
void	milter_msg_body(struct milter_conn *conn, const unsigned char *chunk,
	    size_t len);

/* milter_pool.c */
void	milter_pool_init(const char *path, long timeout_ms);
struct pd_store *milter_pool_get(struct pd_err *err);
void	milter_pool_put(struct pd_store *st, bool healthy);
void	milter_pool_shutdown(void);

/* milter_eom.c */
sfsistat milter_eom_process(SMFICTX *ctx, struct milter_conn *conn);
sfsistat milter_eom_relay(SMFICTX *ctx, struct milter_conn *conn);
const char *milter_eom_qid(SMFICTX *ctx);
void	milter_eom_route_in(struct milter_conn *conn, const char *qid,
	    struct pd_route_in *in);
sfsistat milter_eom_on_error(SMFICTX *ctx, struct milter_conn *conn,
	    const char *qid, const char *why);
void	milter_eom_header(SMFICTX *ctx, struct milter_conn *conn,
	    const char *name, const char *value, int change_index);
void	milter_eom_tags(SMFICTX *ctx, struct milter_conn *conn,
	    const struct pd_route_out *out);

/* milter_agent.c */
const char *milter_agent_of(struct milter_conn *conn);
sfsistat milter_agent_process(SMFICTX *ctx, struct milter_conn *conn,
	    const char *agent);

/* milter_cb.c */
extern struct smfiDesc milter_desc;

#endif
