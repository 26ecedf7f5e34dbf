/*
 * pd_err.h - the one error vocabulary of postdesk
 *
 * PURPOSE	Every int-returning function in lib/ returns PD_OK or one of the
 *		negative codes below; pointer-returning functions return NULL
 *		and may fill a struct pd_err with the code and a short message.
 * DESIGN	The temporary/permanent split is the one mail systems live by:
 *		PD_ETEMP may succeed later (SQLITE_BUSY, disk full, SMTP 4xx),
 *		PD_EPERMFAIL will not (SMTP 5xx, invalid configuration).
 * OWNERSHIP	struct pd_err is caller-owned storage; nothing is allocated.
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_ERR_H
#define PD_ERR_H

#include <stdarg.h>

enum pd_errcode {
	PD_OK = 0,
	PD_ETEMP = -1,
	PD_EPERMFAIL = -2,
	PD_EINVAL = -3,
	PD_EAUTH = -4,
	PD_ENOTFOUND = -5,
	PD_EINTERNAL = -6,
};

#define PD_ERR_MSG_MAX	512

struct pd_err {
	int	code;
	char	msg[PD_ERR_MSG_MAX];
};

/* pd_err_set - record code and message (NULL-safe); returns code */
int	pd_err_set(struct pd_err *err, int code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* pd_err_str - short constant name of a code ("temporary failure", ...) */
const char *pd_err_str(int code);

#endif
