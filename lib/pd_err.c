/*
 * pd_err.c - error codes: names and the struct pd_err filler
 *
 * PURPOSE	See pd_err.h.
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>

#include "pd_err.h"

/* pd_err_set - fill err (if any) and return code */
int
pd_err_set(struct pd_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

/* pd_err_str - human name of an error code */
const char *
pd_err_str(int code)
{
	switch (code) {
	case PD_OK:
		return "ok";
	case PD_ETEMP:
		return "temporary failure";
	case PD_EPERMFAIL:
		return "permanent failure";
	case PD_EINVAL:
		return "invalid input";
	case PD_EAUTH:
		return "authentication failed";
	case PD_ENOTFOUND:
		return "not found";
	default:
		return "internal error";
	}
}
