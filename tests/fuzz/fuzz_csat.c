/*
 * fuzz_csat.c - libFuzzer target: survey plus-addresses and comments
 *
 * FEEDS	1. The input as a recipient address to pd_csat_parse() (the
 *		   milter calls it for every RCPT TO).
 *		2. A survey address made by pd_csat_address() from the
 *		   input: its first 8 bytes give the survey id, the 9th the
 *		   grade, the rest the queue address; then parsed back as
 *		   written, with the case of its letters changed as the
 *		   input's bits say, and with one token character or the
 *		   grade changed.
 *		3. The input as the text of a survey answer to
 *		   pd_csat_comment(), for 3 and for 5 grades.
 * CHECKS	- parsing returns PD_OK, PD_ENOTFOUND or PD_EAUTH, and on
 *		  PD_OK a positive id and a grade 0-9 whose address parses
 *		  back to them;
 *		- a made address is at most PD_CSAT_ADDR_MAX bytes, parses
 *		  to its id and grade in any letter case, and fails with
 *		  PD_EAUTH when a token character or the grade changes (a
 *		  queue address that itself holds "+csat-" is left out);
 *		- a comment is NULL or non-empty UTF-8 without surrounding
 *		  whitespace; a grade digit is 0..grades and comes without
 *		  a comment.
 * SEE ALSO	lib/pd_csat.h, tests/unit/test_csat.c, scripts/fuzz.sh.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "pd_csat.h"
#include "pd_err.h"
#include "pd_key.h"
#include "pd_mem.h"
#include "fuzz.h"

static struct pd_key *key;

/* LLVMFuzzerInitialize - the key, once */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned char raw[PD_KEY_BYTES];

	(void)argc;
	(void)argv;
	memset(raw, 0xc5, sizeof(raw));
	key = pd_key_from_bytes(raw);
	return 0;
}

/* check_parse - an arbitrary recipient */
static void
check_parse(const char *rcpt)
{
	char addr[PD_CSAT_ADDR_MAX + 1];
	int64_t id = 0;
	int64_t id2 = 0;
	int grade = -1;
	int grade2 = -1;
	int rc;

	rc = pd_csat_parse(key, rcpt, &id, &grade);
	FUZZ_CHECK(rc == PD_OK || rc == PD_ENOTFOUND || rc == PD_EAUTH,
	    "documented result");
	if (rc != PD_OK)
		return;
	FUZZ_CHECK(id > 0 && grade >= 0 && grade <= 9, "id and grade range");
	FUZZ_CHECK(pd_csat_address(key, "support@example.com", id, grade,
	    addr, sizeof(addr)) == PD_OK, "a parsed survey has an address");
	FUZZ_CHECK(pd_csat_parse(key, addr, &id2, &grade2) == PD_OK &&
	    id2 == id && grade2 == grade, "its address parses back");
}

/* flip_case - change the case of letters of s as bits says */
static void
flip_case(char *s, const uint8_t *bits, size_t nbits)
{
	size_t i;

	for (i = 0; s[i] != '\0' && nbits > 0; i++) {
		if ((bits[(i / 8) % nbits] >> (i % 8)) & 1)
			s[i] = g_ascii_isupper(s[i]) ? g_ascii_tolower(s[i]) :
			    g_ascii_toupper(s[i]);
	}
}

/* tamper - addr with one token character or the grade changed */
static void
tamper(char *addr, uint8_t how)
{
	char *at = strrchr(addr, '@');
	char *tok = at - PD_CSAT_TOKEN_LEN;
	char *c;

	if (how & 1) {
		c = tok + (how >> 1) % PD_CSAT_TOKEN_LEN;
		*c = *c == 'z' || *c == 'Z' ? '0' : *c == '9' ? 'a' :
		    *c + 1;
		if (*c == 'i' || *c == 'l' || *c == 'o' || *c == 'u')
			(*c)++;
	} else {
		c = tok - 2;		/* the grade digit before "-TOKEN" */
		*c = *c == '9' ? '0' : *c + 1;
	}
}

/* check_made - a survey address made from the input */
static void
check_made(const uint8_t *data, size_t size)
{
	char addr[PD_CSAT_ADDR_MAX + 1];
	uint64_t v = 0;
	int64_t id;
	int64_t id2 = 0;
	int grade;
	int grade2 = -1;
	char *queue;
	char *low;

	if (size < 9)
		return;
	memcpy(&v, data, sizeof(v));
	id = (int64_t)(v % 1000000000000000ULL) + 1;
	grade = data[8] % 10;
	queue = fuzz_str(data + 9, size - 9);
	low = g_ascii_strdown(queue, -1);
	if (strstr(low, "+csat-") == NULL && pd_csat_address(key, queue, id,
	    grade, addr, sizeof(addr)) == PD_OK) {
		FUZZ_CHECK(strlen(addr) <= PD_CSAT_ADDR_MAX, "address length");
		FUZZ_CHECK(pd_csat_parse(key, addr, &id2, &grade2) == PD_OK &&
		    id2 == id && grade2 == grade, "made address parses back");
		flip_case(addr, data, 8);
		FUZZ_CHECK(pd_csat_parse(key, addr, &id2, &grade2) == PD_OK &&
		    id2 == id && grade2 == grade, "in any letter case");
		tamper(addr, data[8]);
		FUZZ_CHECK(pd_csat_parse(key, addr, &id2, &grade2) ==
		    PD_EAUTH, "a changed token or grade does not verify");
	}
	g_free(low);
	pd_free(queue);
}

/* check_comment - the customer's words above the quoted survey */
static void
check_comment(const char *text, int grades)
{
	int digit = -1;
	char *c = pd_csat_comment(text, grades, &digit);
	size_t len;

	FUZZ_CHECK(digit >= 0 && digit <= grades, "digit range");
	FUZZ_CHECK(digit == 0 || c == NULL, "a digit comes without words");
	if (c == NULL)
		return;
	len = strlen(c);
	FUZZ_CHECK(len > 0 && fuzz_utf8(c, len), "comment is UTF-8");
	FUZZ_CHECK(!g_ascii_isspace(c[0]) && !g_ascii_isspace(c[len - 1]),
	    "comment is trimmed");
	pd_free(c);
}

/* LLVMFuzzerTestOneInput - one address or answer */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);

	check_parse(s);
	check_made(data, size);
	check_comment(s, 3);
	check_comment(s, 5);
	pd_free(s);
	return 0;
}
