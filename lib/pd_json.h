/*
 * pd_json.h - writing JSON text (postdeskctl --json)
 *
 * PURPOSE	Append JSON values to a pd_buf: escaped strings, numbers,
 *		and "key": prefixes.  Enough for flat objects and arrays; no
 *		parser.
 * DESIGN	Strings are escaped per RFC 8259: quote, backslash and control
 *		characters; bytes that are not valid UTF-8 become U+FFFD so the
 *		output is always valid JSON whatever the store holds.
 * OWNERSHIP	Writes into the caller's buffer.
 * ERRORS	PD_EINVAL when the buffer's maximum is reached.
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_JSON_H
#define PD_JSON_H

#include <stdint.h>

#include "pd_buf.h"

/* pd_json_str - "escaped" or null when s is NULL */
int	pd_json_str(struct pd_buf *b, const char *s);
/* pd_json_kv_str - "key": "value" with a leading comma unless first */
int	pd_json_kv_str(struct pd_buf *b, int first, const char *key,
	    const char *value);
/* pd_json_kv_int - "key": number */
int	pd_json_kv_int(struct pd_buf *b, int first, const char *key,
	    int64_t value);

#endif
