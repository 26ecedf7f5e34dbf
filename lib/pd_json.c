/*
 * pd_json.c - JSON text writer
 *
 * PURPOSE	See pd_json.h.
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#include <glib.h>

#include "pd_err.h"
#include "pd_json.h"

/* pd_json_str - append a JSON string literal */
int
pd_json_str(struct pd_buf *b, const char *s)
{
	const char *end;
	const char *p;
	int rc;

	if (s == NULL)
		return pd_buf_adds(b, "null");
	rc = pd_buf_addc(b, '"');
	for (p = s; rc == PD_OK && *p != '\0'; ) {
		unsigned char c = (unsigned char)*p;

		if (c == '"' || c == '\\') {
			rc = pd_buf_printf(b, "\\%c", c);
			p++;
		} else if (c < 0x20 || c == 0x7f) {
			rc = pd_buf_printf(b, "\\u%04x", c);
			p++;
		} else if (c < 0x80) {
			rc = pd_buf_addc(b, (char)c);
			p++;
		} else if (!g_utf8_validate(p, -1, &end) && end == p) {
			rc = pd_buf_adds(b, "\\ufffd");
			p++;
		} else {
			const char *next = g_utf8_next_char(p);

			rc = pd_buf_add(b, p, (size_t)(next - p));
			p = next;
		}
	}
	return rc == PD_OK ? pd_buf_addc(b, '"') : rc;
}

/* json_key - separator and key */
static int
json_key(struct pd_buf *b, int first, const char *key)
{
	int rc = first ? PD_OK : pd_buf_addc(b, ',');

	if (rc == PD_OK)
		rc = pd_json_str(b, key);
	return rc == PD_OK ? pd_buf_addc(b, ':') : rc;
}

/* pd_json_kv_str - "key":"value" */
int
pd_json_kv_str(struct pd_buf *b, int first, const char *key,
    const char *value)
{
	int rc = json_key(b, first, key);

	return rc == PD_OK ? pd_json_str(b, value) : rc;
}

/* pd_json_kv_int - "key":number */
int
pd_json_kv_int(struct pd_buf *b, int first, const char *key, int64_t value)
{
	int rc = json_key(b, first, key);

	return rc == PD_OK ? pd_buf_printf(b, "%lld", (long long)value) : rc;
}
