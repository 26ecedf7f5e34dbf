/*
 * pd_key.c - key file and keyed MACs (libsodium)
 *
 * PURPOSE	See pd_key.h.  The only file besides pd_token.c that talks to
 *		libsodium.
 * DESIGN	MAC = crypto_auth (HMAC-SHA-512-256) under a subkey derived by
 *		crypto_kdf_derive_from_key(id = purpose, ctx = "postdesk").
 * THREADS	Loaded keys are read-only and shareable.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "pd_key.h"
#include "pd_log.h"

#define KEY_FILE_LEN	(PD_KEY_BYTES * 2 + 1)

struct pd_key {
	unsigned char sub[PD_KEY_PURPOSES][crypto_auth_KEYBYTES];
};

/* pd_key_init - initialise libsodium once */
int
pd_key_init(void)
{
	return sodium_init() < 0 ? PD_EINTERNAL : PD_OK;
}

/* pd_key_create_file - new random key file, never overwriting one */
int
pd_key_create_file(const char *path, struct pd_err *err)
{
	unsigned char raw[PD_KEY_BYTES];
	char hex[KEY_FILE_LEN + 1];
	int fd;
	int rc = PD_OK;

	if (pd_key_init() != PD_OK)
		return pd_err_set(err, PD_EINTERNAL, "libsodium init failed");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return pd_err_set(err, PD_EPERMFAIL, "%s: cannot create: %s",
		    path, strerror(errno));
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
	hex[KEY_FILE_LEN - 1] = '\n';
	if (write(fd, hex, KEY_FILE_LEN) != KEY_FILE_LEN || fsync(fd) != 0)
		rc = pd_err_set(err, PD_EPERMFAIL, "%s: cannot write: %s",
		    path, strerror(errno));
	if (close(fd) != 0 && rc == PD_OK)
		rc = pd_err_set(err, PD_EPERMFAIL, "%s: %s", path,
		    strerror(errno));
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(hex, sizeof(hex));
	if (rc != PD_OK)
		unlink(path);
	return rc;
}

/* key_read_raw - read and decode the hex key file into raw */
static int
key_read_raw(const char *path, unsigned char *raw, struct pd_err *err)
{
	char hex[KEY_FILE_LEN + 2];
	struct stat st;
	size_t binlen = 0;
	ssize_t n;
	int fd;
	int rc = PD_OK;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pd_err_set(err, PD_EPERMFAIL, "%s: cannot open key "
		    "file: %s (run \"postdeskctl init\")", path,
		    strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = pd_err_set(err, PD_EPERMFAIL, "%s: not a regular file",
		    path);
	} else if (st.st_mode & 077) {
		rc = pd_err_set(err, PD_EPERMFAIL, "%s: key file is readable "
		    "by group or others (mode %03o); expected 0600 or 0400",
		    path, (unsigned)(st.st_mode & 0777));
	} else {
		n = read(fd, hex, sizeof(hex));
		if (n < KEY_FILE_LEN - 1 || n > KEY_FILE_LEN ||
		    sodium_hex2bin(raw, PD_KEY_BYTES, hex, (size_t)n, "\n",
		    &binlen, NULL) != 0 || binlen != PD_KEY_BYTES)
			rc = pd_err_set(err, PD_EPERMFAIL, "%s: malformed key "
			    "file: expected 64 hexadecimal digits", path);
	}
	sodium_memzero(hex, sizeof(hex));
	close(fd);
	return rc;
}

/* pd_key_load - read the key file and derive the subkeys */
struct pd_key *
pd_key_load(const char *path, struct pd_err *err)
{
	unsigned char raw[PD_KEY_BYTES];
	struct pd_key *key;

	if (pd_key_init() != PD_OK) {
		pd_err_set(err, PD_EINTERNAL, "libsodium init failed");
		return NULL;
	}
	if (key_read_raw(path, raw, err) != PD_OK) {
		sodium_memzero(raw, sizeof(raw));
		return NULL;
	}
	key = pd_key_from_bytes(raw);
	sodium_memzero(raw, sizeof(raw));
	return key;
}

/* pd_key_from_bytes - derive subkeys from a raw master key */
struct pd_key *
pd_key_from_bytes(const unsigned char raw[PD_KEY_BYTES])
{
	struct pd_key *key;
	int i;

	if (pd_key_init() != PD_OK)
		pd_panic("libsodium init failed");
	key = sodium_malloc(sizeof(*key));
	if (key == NULL)
		pd_panic("out of secure memory for the key");
	for (i = 0; i < PD_KEY_PURPOSES; i++)
		crypto_kdf_derive_from_key(key->sub[i], sizeof(key->sub[i]),
		    (uint64_t)i, "postdesk", raw);
	sodium_mprotect_readonly(key);
	return key;
}

/* pd_key_free - wipe and free (NULL-safe) */
void
pd_key_free(struct pd_key **key)
{
	if (*key == NULL)
		return;
	sodium_free(*key);	/* sodium_free wipes before unmapping */
	*key = NULL;
}

/* pd_key_mac - MAC msg under the purpose's subkey */
void
pd_key_mac(const struct pd_key *key, enum pd_key_purpose purpose,
    const void *msg, size_t len, unsigned char out[PD_MAC_BYTES])
{
	if ((int)purpose <= 0 || (int)purpose >= PD_KEY_PURPOSES)
		pd_panic("pd_key_mac: bad purpose %d", (int)purpose);
	crypto_auth(out, msg, len, key->sub[purpose]);
}
