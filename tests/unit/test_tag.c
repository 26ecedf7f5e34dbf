/*
 * test_tag.c - unit tests for pd_tag and pd_key: format, find, verify
 *
 * SPDX-License-Identifier: MIT
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pd_err.h"
#include "pd_key.h"
#include "pd_tag.h"
#include "../harness/tap.h"

static const struct {
	const char *name;
	const char *text;
	int found;
	unsigned long long number;
	size_t start;
} find_cases[] = {
	{ "plain tag", "[PD-1042-ABCD] hi", 1, 1042, 0 },
	{ "after prefix", "Re: [PD-7-0000]", 1, 7, 4 },
	{ "lower case", "re: [pd-7-abcd]", 1, 7, 4 },
	{ "other prefix", "[XX-7-ABCD]", 0, 0, 0 },
	{ "no number", "[PD--ABCD]", 0, 0, 0 },
	{ "zero", "[PD-0-ABCD]", 0, 0, 0 },
	{ "short code", "[PD-7-ABC]", 0, 0, 0 },
	{ "long code", "[PD-7-ABCDE]", 0, 0, 0 },
	{ "U not base32", "[PD-7-ABCU]", 0, 0, 0 },
	{ "16 digits", "[PD-1234567890123456-ABCD]", 0, 0, 0 },
	{ "second is good", "[PD-x] [PD-9-WXYZ]", 1, 9, 7 },
	{ "unterminated", "[PD-9-WXYZ", 0, 0, 0 },
};

int
main(void)
{
	unsigned char raw[PD_KEY_BYTES];
	unsigned char raw2[PD_KEY_BYTES];
	struct pd_key *key, *other, *loaded;
	struct pd_tag_match m;
	struct pd_err err;
	char tag[PD_TAG_MAX], tag2[PD_TAG_MAX], path[] = "/tmp/pdkeyXXXXXX";
	size_t i;
	int fd;

	memset(raw, 7, sizeof(raw));
	memset(raw2, 8, sizeof(raw2));
	key = pd_key_from_bytes(raw);
	other = pd_key_from_bytes(raw2);

	for (i = 0; i < sizeof(find_cases) / sizeof(find_cases[0]); i++) {
		int f = pd_tag_find(find_cases[i].text,
		    strlen(find_cases[i].text), "PD", &m);
		ok(f == find_cases[i].found && (!f ||
		    (m.number == find_cases[i].number &&
		    m.start == find_cases[i].start)), "find: %s",
		    find_cases[i].name);
	}

	is_int(pd_tag_format(key, "PD", 1042, tag, sizeof(tag)), PD_OK,
	    "format");
	ok(strncmp(tag, "[PD-1042-", 9) == 0 && strlen(tag) == 14 &&
	    tag[13] == ']', "format shape %s", tag);
	ok(pd_tag_find(tag, strlen(tag), "PD", &m), "formatted tag is found");
	is_int(pd_tag_verify(key, "PD", &m), PD_OK, "formatted tag verifies");
	is_int(pd_tag_verify(other, "PD", &m), PD_EAUTH,
	    "another key rejects it");
	is_int(pd_tag_verify(key, "PX", &m), PD_EAUTH,
	    "another prefix rejects it");
	m.number = 1043;
	is_int(pd_tag_verify(key, "PD", &m), PD_EAUTH,
	    "another number rejects it");
	pd_tag_format(key, "PD", 1043, tag2, sizeof(tag2));
	ok(strcmp(tag + 9, tag2 + 9) != 0, "codes differ between numbers");

	/* Every single-character change of the code is rejected. */
	{
		static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
		int bad = 0, j, k;

		for (j = 9; j < 13; j++)
			for (k = 0; k < 32; k++) {
				char t[PD_TAG_MAX];

				memcpy(t, tag, sizeof(t));
				if (t[j] == alphabet[k])
					continue;
				t[j] = alphabet[k];
				if (pd_tag_find(t, strlen(t), "PD", &m) &&
				    pd_tag_verify(key, "PD", &m) == PD_OK)
					bad++;
			}
		is_int(bad, 0, "all 124 altered codes are rejected");
	}
	/* Retyping: lower case and O/I/L confusions still verify. */
	{
		char t[PD_TAG_MAX];
		unsigned long long n;

		for (n = 1; n < 10000; n++) {	/* a code with a 0 or 1 */
			pd_tag_format(key, "PD", n, tag, sizeof(tag));
			if (strpbrk(strrchr(tag, '-'), "01") != NULL)
				break;
		}

		size_t code_at = (size_t)(strrchr(tag, '-') - tag) + 1;

		for (i = 0; tag[i]; i++)
			t[i] = (char)(i < code_at ? tag[i] : tag[i] == '0' ?
			    'o' : tag[i] == '1' ? 'l' :
			    (tag[i] >= 'A' && tag[i] <= 'Z') ? tag[i] + 32 :
			    tag[i]);
		t[i] = '\0';
		t[1] = 'p';	/* the prefix is matched case-insensitively */
		ok(pd_tag_find(t, strlen(t), "PD", &m) &&
		    pd_tag_verify(key, "PD", &m) == PD_OK,
		    "retyped tag %s verifies", t);
	}
	is_int(pd_tag_format(key, "pd", 1, tag, sizeof(tag)), PD_EINVAL,
	    "lower-case prefix refused");
	is_int(pd_tag_format(key, "PD", 0, tag, sizeof(tag)), PD_EINVAL,
	    "ticket 0 refused");
	is_int(pd_tag_format(key, "PD", 1, tag, 8), PD_EINVAL,
	    "short buffer refused");

	/* Key files. */
	fd = mkstemp(path);
	close(fd);
	unlink(path);
	is_int(pd_key_create_file(path, &err), PD_OK, "key file created");
	is_int(pd_key_create_file(path, &err), PD_EPERMFAIL,
	    "existing key file never overwritten");
	{
		struct stat st;

		stat(path, &st);
		is_int(st.st_mode & 0777, 0600, "key file mode 0600");
	}
	loaded = pd_key_load(path, &err);
	ok(loaded != NULL, "key file loads");
	pd_key_free(&loaded);
	ok(loaded == NULL, "pd_key_free clears the pointer");
	chmod(path, 0644);
	loaded = pd_key_load(path, &err);
	ok(loaded == NULL && strstr(err.msg, "readable by group") != NULL,
	    "world-readable key refused: %s", err.msg);
	chmod(path, 0600);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (write(fd, "abc\n", 4) != 4)
		return 99;
	close(fd);
	loaded = pd_key_load(path, &err);
	ok(loaded == NULL && strstr(err.msg, "malformed") != NULL,
	    "malformed key refused: %s", err.msg);
	unlink(path);
	loaded = pd_key_load(path, &err);
	ok(loaded == NULL && strstr(err.msg, "postdeskctl init") != NULL,
	    "missing key names the fix: %s", err.msg);

	pd_key_free(&key);
	pd_key_free(&other);
	return tap_done();
}
