/*
 * pd_key.h - the secret key: key file, derived subkeys, MACs
 *
 * PURPOSE	One 32-byte master key lives in the key file (64 hex digits and
 *		a newline, mode 0600).  Each purpose (ticket tags, CSAT tokens)
 *		gets its own subkey derived with crypto_kdf, so a MAC made for
 *		one purpose is never valid for another.
 * DESIGN	Keys live in sodium_malloc() memory made read-only after
 *		derivation; temporaries are wiped with sodium_memzero().  A key
 *		file readable by group or others is refused (OpenDKIM's
 *		RequireSafeKeys).
 * OWNERSHIP	pd_key_load()/pd_key_from_bytes() return a key the caller
 *		frees with pd_key_free(&key).
 * ERRORS	PD_EPERMFAIL for unreadable, unsafe or malformed key files,
 *		PD_EINTERNAL when libsodium cannot be initialised.
 * THREADS	A loaded key is immutable and may be shared by threads.
 * SEE ALSO	pd_tag.c; engineering guide section 8.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_KEY_H
#define PD_KEY_H

#include <stddef.h>

#include "pd_err.h"

#define PD_KEY_BYTES	32
#define PD_MAC_BYTES	32

enum pd_key_purpose {
	PD_KEY_TAG = 1,		/* ticket tag check codes */
	PD_KEY_CSAT = 2,	/* survey tokens (issue 5) */
	PD_KEY_PURPOSES = 3,
};

struct pd_key;

/* pd_key_init - sodium_init(); PD_OK or PD_EINTERNAL */
int	 pd_key_init(void);
/* pd_key_create_file - write a fresh random key to path (O_EXCL, 0600) */
int	 pd_key_create_file(const char *path, struct pd_err *err);
/* pd_key_load - read and check the key file */
struct pd_key *pd_key_load(const char *path, struct pd_err *err);
/* pd_key_from_bytes - key from 32 raw bytes (tests, tools) */
struct pd_key *pd_key_from_bytes(const unsigned char raw[PD_KEY_BYTES]);
void	 pd_key_free(struct pd_key **key);
/* pd_key_mac - full 32-byte MAC of msg under the purpose's subkey */
void	 pd_key_mac(const struct pd_key *key, enum pd_key_purpose purpose,
	    const void *msg, size_t len, unsigned char out[PD_MAC_BYTES]);

#endif
