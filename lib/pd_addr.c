/*
 * pd_addr.c - address normalisation
 *
 * PURPOSE	See pd_addr.h.
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "pd_addr.h"
#include "pd_err.h"

/* pd_addr_normalize - strip "<>" and space, lower-case, check syntax */
int
pd_addr_normalize(const char *in, char *out, size_t outlen)
{
	const char *end;
	const char *at = NULL;
	size_t len;
	size_t i;

	while (*in == ' ' || *in == '\t')
		in++;
	end = in + strlen(in);
	while (end > in && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end - in >= 2 && in[0] == '<' && end[-1] == '>') {
		in++;
		end--;
	}
	len = (size_t)(end - in);
	if (len < 3 || len > PD_ADDR_MAX || len + 1 > outlen)
		return PD_EINVAL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' ||
		    c == ',' || c == '"' || c == '\\')
			return PD_EINVAL;
		if (c == '@') {
			if (at != NULL)
				return PD_EINVAL;
			at = in + i;
		}
		out[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	out[len] = '\0';
	if (at == NULL || at == in || at == end - 1 || at - in > 64)
		return PD_EINVAL;
	return PD_OK;
}
