/*
 * minimal-milter.c - the cheapest milter that still reads every message
 *
 * PURPOSE      The baseline for bench/run.sh: postdesk-milter is compared
 *              with this program, so the figure isolates what postdesk
 *              itself costs beyond the milter protocol. It asks Postfix
 *              for every protocol step (connect, helo, envfrom, envrcpt,
 *              header, eoh, body, eom), copies the headers and body of
 *              each message into a per-message buffer as a real filter
 *              would, and changes nothing. Not part of the product.
 * DESIGN       One connection context per SMTP session (smfi_setpriv);
 *              the message buffer inside it grows by doubling up to
 *              MM_MAX_MSG bytes, after which further bytes are only
 *              counted. At end of message a checksum over the buffer
 *              stands in for the parsing a real filter does.
 * OWNERSHIP    mm_connect allocates the context, mm_close frees it and
 *              clears the private pointer; the message buffer is emptied
 *              (not freed) by envfrom, eom and abort, and freed by close.
 * ERRORS       Out of memory makes the callback return SMFIS_TEMPFAIL;
 *              a missing context (close without connect) is tolerated.
 * THREADS      Default libmilter: one thread per Postfix connection. The
 *              only shared state is three atomic counters, printed on
 *              stderr at exit so bench/run.sh can check that the milter
 *              really saw the load.
 * USAGE        minimal-milter -p inet:PORT@127.0.0.1
 * BUILD        cc -O2 -Wall -Wextra -o minimal-milter minimal-milter.c \
 *                  $(pkg-config --cflags --libs milter) -pthread
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#define MM_MAX_MSG	(16UL * 1024 * 1024)	/* bytes kept per message */
#define MM_MIN_ALLOC	8192			/* first buffer size */

/* One SMTP connection: the message being received and some counters. */
struct mm_conn {
	char		*buf;		/* headers and body, as received */
	size_t		 len;		/* bytes used in buf */
	size_t		 cap;		/* bytes allocated in buf */
	size_t		 dropped;	/* bytes beyond MM_MAX_MSG */
	unsigned	 nrcpt;		/* recipients of this message */
	unsigned	 nmsg;		/* messages on this connection */
};

/* Totals over all threads, reported at exit. */
static atomic_ulong mm_nconn;	/* connections */
static atomic_ulong mm_nmsg;	/* messages that reached end of message */
static atomic_ulong mm_nbytes;	/* header and body bytes stored */

/* mm_get - the connection context of ctx, or NULL */
static struct mm_conn *
mm_get(SMFICTX *ctx)
{
	return (struct mm_conn *)smfi_getpriv(ctx);
}

/*
 * mm_append - copy len bytes at data to the end of the message buffer
 *
 * Returns false only when memory runs out; bytes past MM_MAX_MSG are
 * counted in c->dropped instead of stored.
 */
static bool
mm_append(struct mm_conn *c, const void *data, size_t len)
{
	size_t	 want, ncap;
	char	*nbuf;

	if (len > MM_MAX_MSG - c->len) {
		c->dropped += len;
		return true;
	}
	want = c->len + len;
	if (want > c->cap) {
		ncap = c->cap ? c->cap : MM_MIN_ALLOC;
		while (ncap < want)
			ncap *= 2;
		nbuf = realloc(c->buf, ncap);
		if (nbuf == NULL)
			return false;
		c->buf = nbuf;
		c->cap = ncap;
	}
	memcpy(c->buf + c->len, data, len);
	c->len = want;
	return true;
}

/* mm_reset - forget the current message, keep the allocation */
static void
mm_reset(struct mm_conn *c)
{
	c->len = 0;
	c->dropped = 0;
	c->nrcpt = 0;
}

/* mm_negotiate - ask for every protocol step and no modification */
static sfsistat
mm_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	(void)ctx;
	(void)f0;
	(void)f1;
	(void)f2;
	(void)f3;
	*pf0 = 0;
	*pf1 = 0;
	*pf2 = 0;
	*pf3 = 0;
	return SMFIS_CONTINUE;
}

/* mm_connect - allocate the connection context */
static sfsistat
mm_connect(SMFICTX *ctx, char *hostname, struct sockaddr *hostaddr)
{
	struct mm_conn	*c;

	(void)hostname;
	(void)hostaddr;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return SMFIS_TEMPFAIL;
	if (smfi_setpriv(ctx, c) != MI_SUCCESS) {
		free(c);
		return SMFIS_TEMPFAIL;
	}
	atomic_fetch_add(&mm_nconn, 1);
	return SMFIS_CONTINUE;
}

/* mm_helo - nothing to keep */
static sfsistat
mm_helo(SMFICTX *ctx, char *helohost)
{
	(void)ctx;
	(void)helohost;
	return SMFIS_CONTINUE;
}

/* mm_envfrom - start a new message */
static sfsistat
mm_envfrom(SMFICTX *ctx, char **argv)
{
	struct mm_conn	*c = mm_get(ctx);

	(void)argv;
	if (c == NULL)
		return SMFIS_TEMPFAIL;
	mm_reset(c);
	c->nmsg++;
	return SMFIS_CONTINUE;
}

/* mm_envrcpt - count the recipient */
static sfsistat
mm_envrcpt(SMFICTX *ctx, char **argv)
{
	struct mm_conn	*c = mm_get(ctx);

	(void)argv;
	if (c == NULL)
		return SMFIS_TEMPFAIL;
	c->nrcpt++;
	return SMFIS_CONTINUE;
}

/* mm_header - copy "name: value\r\n" into the message buffer */
static sfsistat
mm_header(SMFICTX *ctx, char *name, char *value)
{
	struct mm_conn	*c = mm_get(ctx);

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	if (!mm_append(c, name, strlen(name)) ||
	    !mm_append(c, ": ", 2) ||
	    !mm_append(c, value, strlen(value)) ||
	    !mm_append(c, "\r\n", 2))
		return SMFIS_TEMPFAIL;
	return SMFIS_CONTINUE;
}

/* mm_eoh - the empty line between headers and body */
static sfsistat
mm_eoh(SMFICTX *ctx)
{
	struct mm_conn	*c = mm_get(ctx);

	if (c == NULL || !mm_append(c, "\r\n", 2))
		return SMFIS_TEMPFAIL;
	return SMFIS_CONTINUE;
}

/* mm_body - copy one body chunk */
static sfsistat
mm_body(SMFICTX *ctx, unsigned char *bodyp, size_t len)
{
	struct mm_conn	*c = mm_get(ctx);

	if (c == NULL || !mm_append(c, bodyp, len))
		return SMFIS_TEMPFAIL;
	return SMFIS_CONTINUE;
}

/* mm_checksum - FNV-1a over the buffer: the stand-in for real parsing */
static uint32_t
mm_checksum(const struct mm_conn *c)
{
	uint32_t	 h = 2166136261u;
	size_t		 i;

	for (i = 0; i < c->len; i++) {
		h ^= (unsigned char)c->buf[i];
		h *= 16777619u;
	}
	return h;
}

/* mm_eom - "inspect" the message, change nothing, let it through */
static sfsistat
mm_eom(SMFICTX *ctx)
{
	struct mm_conn		*c = mm_get(ctx);
	volatile uint32_t	 sum;

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	sum = mm_checksum(c);
	(void)sum;
	atomic_fetch_add(&mm_nmsg, 1);
	atomic_fetch_add(&mm_nbytes, c->len);
	mm_reset(c);
	return SMFIS_CONTINUE;
}

/* mm_abort - the message was abandoned (RSET, lost connection) */
static sfsistat
mm_abort(SMFICTX *ctx)
{
	struct mm_conn	*c = mm_get(ctx);

	if (c != NULL)
		mm_reset(c);
	return SMFIS_CONTINUE;
}

/* mm_close - free the connection context; may run without connect */
static sfsistat
mm_close(SMFICTX *ctx)
{
	struct mm_conn	*c = mm_get(ctx);

	if (c != NULL) {
		free(c->buf);
		free(c);
		smfi_setpriv(ctx, NULL);
	}
	return SMFIS_CONTINUE;
}

/* mm_unknown - unknown SMTP commands are not our business */
static sfsistat
mm_unknown(SMFICTX *ctx, const char *cmd)
{
	(void)ctx;
	(void)cmd;
	return SMFIS_CONTINUE;
}

/* mm_data - DATA seen; the message follows */
static sfsistat
mm_data(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

static struct smfiDesc mm_desc = {
	.xxfi_name = "minimal-milter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = 0,
	.xxfi_connect = mm_connect,
	.xxfi_helo = mm_helo,
	.xxfi_envfrom = mm_envfrom,
	.xxfi_envrcpt = mm_envrcpt,
	.xxfi_header = mm_header,
	.xxfi_eoh = mm_eoh,
	.xxfi_body = mm_body,
	.xxfi_eom = mm_eom,
	.xxfi_abort = mm_abort,
	.xxfi_close = mm_close,
	.xxfi_unknown = mm_unknown,
	.xxfi_data = mm_data,
	.xxfi_negotiate = mm_negotiate,
};

/* usage - print the synopsis and exit */
static void
usage(void)
{
	fprintf(stderr, "usage: minimal-milter -p inet:PORT@127.0.0.1\n");
	exit(64);
}

int
main(int argc, char **argv)
{
	const char	*conn = NULL;
	int		 ch, rc;

	while ((ch = getopt(argc, argv, "p:")) != -1) {
		if (ch == 'p')
			conn = optarg;
		else
			usage();
	}
	if (conn == NULL || optind != argc)
		usage();
	if (smfi_setconn((char *)conn) != MI_SUCCESS ||
	    smfi_register(mm_desc) != MI_SUCCESS ||
	    smfi_opensocket(true) != MI_SUCCESS) {
		fprintf(stderr, "minimal-milter: cannot listen on %s\n", conn);
		return 1;
	}
	rc = smfi_main() == MI_SUCCESS ? 0 : 1;
	fprintf(stderr, "minimal-milter: connections=%lu messages=%lu "
	    "bytes=%lu\n", atomic_load(&mm_nconn), atomic_load(&mm_nmsg),
	    atomic_load(&mm_nbytes));
	return rc;
}
