/*
 * test_buf.c - unit tests for pd_buf: bounds, NUL termination, detach
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "pd_buf.h"
#include "pd_err.h"
#include "pd_mem.h"
#include "../harness/tap.h"

int
main(void)
{
	struct pd_buf b;
	char *s;
	int i;

	pd_buf_init(&b, 10);
	is_int(pd_buf_adds(&b, "hello"), PD_OK, "append within max");
	is_str(pd_buf_str(&b), "hello", "contents NUL-terminated");
	is_int(pd_buf_printf(&b, "%d", 12345), PD_OK, "printf to exactly max");
	is_int((long long)b.len, 10, "length is max");
	is_int(pd_buf_addc(&b, 'x'), PD_EINVAL, "append past max fails");
	is_int((long long)b.len, 0, "failed append empties the buffer");
	is_str(pd_buf_str(&b), "", "and leaves an empty string");
	pd_buf_free(&b);

	pd_buf_init(&b, 1 << 20);
	for (i = 0; i < 1000; i++)
		pd_buf_add(&b, "0123456789", 10);
	is_int((long long)b.len, 10000, "grows geometrically to 10000");
	pd_buf_add(&b, "a\0b", 3);
	is_int((long long)b.len, 10003, "binary data with NUL kept");
	s = pd_buf_detach(&b);
	ok(b.data == NULL && b.len == 0, "detach empties the buffer");
	ok(memcmp(s + 10000, "a\0b", 4) == 0, "detached data intact");
	pd_free(s);
	s = pd_buf_detach(&b);
	is_str(s, "", "detach of empty buffer gives empty string");
	pd_free(s);
	pd_buf_free(&b);
	return tap_done();
}
