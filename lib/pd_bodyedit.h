/*
 * pd_bodyedit.h - take the agent's command lines out of a reply body
 *
 * PURPOSE	The MIME side of agent commands (pd_cmd.h has the rules): find
 *		the text that carries the commands, read them, remove the
 *		command block from the text/plain and text/html parts, and
 *		hand the milter a new body for smfi_replacebody() plus new
 *		Content-Type/Content-Transfer-Encoding values when the
 *		message's own top-level part was edited.  It does not decide
 *		what the commands do, and it never touches signed or
 *		encrypted mail.
 * DESIGN	Which text carries the commands: a text/plain or text/html
 *		part at the top; in multipart/alternative every alternative
 *		is looked at, text/plain is preferred, and a text/html
 *		alternative is stripped too (when its command list differs,
 *		the plain one counts and html_differs is set); in any other
 *		multipart (mixed, related, report, unknown) only the first
 *		child, recursively, to PD_BODYEDIT_DEPTH_MAX levels.  A
 *		message/rfc822 part and any part with Content-Disposition:
 *		attachment are never read or edited.
 *		Sealed mail: multipart/signed, multipart/encrypted,
 *		application/pkcs7-mime and application/x-pkcs7-mime on the way
 *		to the text set sealed; the commands are still read from the
 *		first readable text (for multipart/signed its first child),
 *		but nothing is edited and changed stays false.
 *		Decoding: the part's bytes without transfer encoding, then its
 *		charset: no label, utf-8 or us-ascii must be valid UTF-8 as
 *		they are (7-bit text labelled us-ascii is common, 8-bit UTF-8
 *		without a label too); any other label is converted with
 *		iconv (GMime's alias table first).  Text that does not end up
 *		as valid UTF-8 (NUL bytes included) is not edited; its
 *		commands are still read from the raw bytes, which works for
 *		every ASCII-compatible charset, and undecodable is set when it
 *		had a command block.  g_mime_text_part_get_text() is not used
 *		(engineering guide 4.4: it returns raw bytes for missing or
 *		unknown charsets and drops bytes under a wrong label).
 *		Re-encoding an edited part: the new text is the decoded text
 *		after the block (plain), or the HTML with the command lines'
 *		text removed, in UTF-8 with its line endings as they were.
 *		charset becomes utf-8 unless it already was, or the part was
 *		us-ascii or unlabelled and the new text is ASCII.  The
 *		transfer encoding is kept for base64, quoted-printable and
 *		binary; 8bit is kept unless a line passes 998 octets; 7bit
 *		and no encoding are kept while the text is ASCII with lines of
 *		at most 998 octets; everything else (7bit or none with 8-bit
 *		text, over-long lines, x-uuencode) becomes quoted-printable,
 *		which needs no 8BITMIME along the way.
 *		Output: the whole body is written again by GMime from the
 *		edited tree (content only, no header block), with DOS line
 *		endings and a unix2dos filter on the stream, because GMime
 *		stores preamble and epilogue without their CRs.  Untouched
 *		parts, boundaries, preamble and epilogue come out byte for
 *		byte (tests/unit/test_bodyedit.c checks it).
 * LIMITS	PD_BODYEDIT_TEXT_MAX bytes of first_text; the new body at most
 *		8 times the message plus 64 KiB (else PD_EINVAL).
 * OWNERSHIP	struct pd_bodyedit is caller storage; it owns body,
 *		content_type, content_transfer_encoding and first_text, which
 *		pd_bodyedit_free() releases.  No GMime object leaves the call.
 * ERRORS	PD_OK whether or not anything changed; PD_EINVAL with err set
 *		when GMime cannot parse the message or the new body cannot be
 *		written (the caller then delivers the message unchanged).
 *		Never logs.
 * THREADS	Reentrant: parser and format options are made per call; one
 *		call per struct pd_bodyedit at a time.  pd_mime_init() must
 *		have run.
 * SEE ALSO	pd_cmd.h; engineering guide 4.4, 4.7; RFC 2045 6, RFC 2046
 *		5.1, RFC 1847 (multipart/signed), RFC 8551 3.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_BODYEDIT_H
#define PD_BODYEDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "pd_buf.h"
#include "pd_cmd.h"
#include "pd_err.h"

#define PD_BODYEDIT_TEXT_MAX	(64 * 1024)
#define PD_BODYEDIT_DEPTH_MAX	20	/* multipart levels followed */
#define PD_BODYEDIT_LINE_MAX	998	/* RFC 5322 2.1.1, octets */

struct pd_bodyedit {
	struct pd_cmd_list cmds;	/* commands found (text/plain
					 * preferred over text/html) */
	bool	sealed;			/* signed or encrypted: body not
					 * touched */
	bool	changed;		/* body (and maybe top headers) must
					 * be replaced */
	bool	html_differs;		/* the HTML alternative gave another
					 * command list (plain one used) */
	bool	undecodable;		/* a text part with a command block
					 * could not be decoded to UTF-8 and
					 * was left as it was */
	struct pd_buf body;		/* when changed: the new body after
					 * the header block, CRLF, for
					 * smfi_replacebody */
	/*
	 * When changed and the top-level part itself was edited: its new
	 * Content-Type value (unfolded) if it differs from the old one (it
	 * may be a header the message did not have), else NULL.
	 */
	char	*content_type;
	char	*content_transfer_encoding;	/* the same for the CTE */
	/*
	 * UTF-8 text of the first text part after stripping (plain, or
	 * the visible text of HTML; CRLF made LF), at most
	 * PD_BODYEDIT_TEXT_MAX bytes; also set for sealed mail (the text
	 * after the block).  Undeclared 8-bit text is guessed with
	 * pd_charset_guess() here only.  NULL when there is no text.
	 */
	char	*first_text;
};

/*
 * pd_bodyedit_commands - read and strip the command block of msg[0..len):
 * header fields "Name: value" lines ending in CRLF (folds allowed), an
 * empty line, the body (CRLF).  *out is overwritten (zeroed first) and
 * must be released with pd_bodyedit_free() whatever the result.
 */
int	pd_bodyedit_commands(const char *msg, size_t len,
	    struct pd_bodyedit *out, struct pd_err *err);

/* pd_bodyedit_free - release what *be owns; NULL-safe, leaves it zeroed */
void	pd_bodyedit_free(struct pd_bodyedit *be);

#endif
