/*
 * pd_mime.h - the GMime boundary
 *
 * PURPOSE	Everything postdesk asks of GMime goes through here, so that no
 *		GObject crosses into the rest of the code (STYLE.md 6.7).  For
 *		now: initialisation and parsing the address of a From header.
 * DESIGN	GMime is initialised once in main(), before any thread, with
 *		one read-only parser-options object (engineering guide 4.1).
 *		Encoded-word decoding is NOT done with GMime (gmime#133); see
 *		pd_rfc2047.c.
 * OWNERSHIP	Strings returned through out-parameters are owned by the
 *		caller (pd_free()).
 * ERRORS	PD_EINVAL when a header holds no usable mailbox.
 * THREADS	pd_mime_init/shutdown: main thread only; the rest reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_MIME_H
#define PD_MIME_H

void	pd_mime_init(void);
void	pd_mime_shutdown(void);

/*
 * pd_mime_from_parse - first mailbox of an address header value:
 * *addr (lower case) and *name (UTF-8, NULL when absent).
 */
int	pd_mime_from_parse(const char *value, char **name, char **addr);

/*
 * pd_mime_mailbox - a header value "Name <addr>" for name (UTF-8, may be
 * NULL) and addr, with the name quoted or RFC 2047-encoded as needed and
 * no line breaks; NULL when the name is not valid UTF-8.  pd_free() it.
 */
char	*pd_mime_mailbox(const char *name, const char *addr);

#endif
