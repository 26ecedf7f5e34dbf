/*
 * test_addr_json.c - unit tests for pd_addr (normalisation) and pd_json
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "pd_addr.h"
#include "pd_buf.h"
#include "pd_err.h"
#include "pd_json.h"
#include "pd_log.h"
#include "../harness/tap.h"

static const struct {
	const char *in;
	const char *want;	/* NULL: refused */
} addr_cases[] = {
	{ "<Alice@Example.ORG>", "alice@example.org" },
	{ "  bob@x.example ", "bob@x.example" },
	{ "<>", NULL },
	{ "", NULL },
	{ "no-at", NULL },
	{ "a@b@c", NULL },
	{ "@x", NULL },
	{ "x@", NULL },
	{ "a b@x", NULL },
	{ "a@x\r\nRCPT TO:<y@z>", NULL },
	{ "\"q\"@x", NULL },
	{ "a,b@x", NULL },
};

int
main(void)
{
	char out[PD_ADDR_MAX + 1];
	char local[70];
	char name[80];
	struct pd_buf b;
	size_t i;

	for (i = 0; i < sizeof(addr_cases) / sizeof(addr_cases[0]); i++) {
		int rc = pd_addr_normalize(addr_cases[i].in, out, sizeof(out));

		pd_log_printable(name, sizeof(name), addr_cases[i].in);

		if (addr_cases[i].want == NULL)
			is_int(rc, PD_EINVAL, name);
		else
			is_str(rc == PD_OK ? out : NULL, addr_cases[i].want,
			    name);
	}
	memset(local, 'a', 65);
	memcpy(local + 65, "@x.y", 5);
	is_int(pd_addr_normalize(local, out, sizeof(out)), PD_EINVAL,
	    "local part over 64 octets refused");

	pd_buf_init(&b, 1024);
	pd_json_str(&b, "a\"b\\c\n\x01Ж");
	is_str(pd_buf_str(&b), "\"a\\\"b\\\\c\\u000a\\u0001Ж\"",
	    "JSON string escaping");
	pd_buf_reset(&b);
	pd_json_str(&b, "x\xff" "y");
	is_str(pd_buf_str(&b), "\"x\\ufffdy\"", "invalid UTF-8 becomes U+FFFD");
	pd_buf_reset(&b);
	pd_json_str(&b, NULL);
	is_str(pd_buf_str(&b), "null", "NULL is null");
	pd_buf_reset(&b);
	pd_buf_addc(&b, '{');
	pd_json_kv_str(&b, 1, "tag", "PD-1");
	pd_json_kv_int(&b, 0, "n", -42);
	pd_buf_addc(&b, '}');
	is_str(pd_buf_str(&b), "{\"tag\":\"PD-1\",\"n\":-42}", "object");
	pd_buf_free(&b);
	pd_buf_init(&b, 8);
	is_int(pd_json_str(&b, "0123456789"), PD_EINVAL,
	    "over the buffer maximum: error, not a cut string");
	pd_buf_free(&b);
	return tap_done();
}
