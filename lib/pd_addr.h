/*
 * pd_addr.h - mail addresses as postdesk compares and stores them
 *
 * PURPOSE	Normalise envelope and header addresses to one form: no "<>",
 *		no surrounding space, lower case, syntax checked (one "@",
 *		local part <= 64 octets, whole <= 254, no control characters or
 *		spaces), so that no address taken from mail can smuggle a CR or
 *		LF into a header or an SMTP command.
 * OWNERSHIP	Writes into caller buffers only.
 * ERRORS	PD_EINVAL for anything that is not a usable address (the null
 *		sender "<>" included).
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_ADDR_H
#define PD_ADDR_H

#include <stddef.h>

#define PD_ADDR_MAX	254

/* pd_addr_normalize - normalised copy of in, into out */
int	pd_addr_normalize(const char *in, char *out, size_t outlen);

#endif
