/*
 * pd_cmd.h - agent command lines: "#resolve", "#priority high", ...
 *
 * PURPOSE	Agents change a ticket from their own mail client by putting
 *		command lines at the top of a reply.  This module finds that
 *		command block in plain text or in the visible text of an HTML
 *		body, parses it, and tells the caller what to remove before
 *		the reply is delivered.  It does not know about MIME, charsets
 *		or tickets: pd_bodyedit.c feeds it decoded text, and the
 *		caller checks a #merge tag and an #assign login against the
 *		store.
 * DESIGN	The rules, for text (UTF-8 or any ASCII-compatible bytes):
 *		 1. A line ends at LF; a CR before the LF belongs to the
 *		    ending.  Text after the last LF is a line too.
 *		 2. Whitespace is SP, TAB, CR, VT, FF and U+00A0 (C2 A0).  A
 *		    line that holds nothing else is blank.  A UTF-8 byte order
 *		    mark at offset 0 counts as whitespace.
 *		 3. A command line is optional whitespace, '#', an ASCII
 *		    letter, and the rest of the line.  Its words are the runs
 *		    of non-whitespace; the first word (without '#') names the
 *		    command, matched without ASCII case; trailing whitespace
 *		    is ignored.  "#1 is fixed", "#" and "##x" are not command
 *		    lines.
 *		 4. The command block is the run of blank and command lines
 *		    at the top of the text.  It ends at the first other line
 *		    ("Hello", "> quoted", "#1 is fixed"); pd_cmd_parse_text()
 *		    returns the offset of that line, len when the whole text
 *		    is block, and 0 when the text holds no command line at all
 *		    (leading blank lines alone are not a block).
 *		 5. Arguments: resolve, pending, open and note take none;
 *		    priority exactly one of low, normal, high, urgent (any
 *		    case, stored lower case); assign exactly one login of
 *		    1..PD_CMD_LOGIN_MAX bytes of [A-Za-z0-9._@+-] (stored as
 *		    written); merge exactly one tag PREFIX-NUMBER-CODE, with
 *		    both or neither of the surrounding [ ], PREFIX 1..16
 *		    letters and digits starting with a letter, NUMBER 1..18
 *		    digits, CODE 4 letters or digits (stored upper case,
 *		    without brackets).  Only syntax is checked here.
 *		 6. A command line that breaks rule 5, names no known command
 *		    ("#reslove", "#resolve!") or comes after PD_CMD_MAX good
 *		    ones sets bad, and the first such problem is described
 *		    in why.  It still belongs to the block (it is removed
 *		    like any other command line), and later good lines are
 *		    still recorded: the caller decides what to do with a bad
 *		    list (normally: apply nothing and tell the agent why).
 *		    Repeated or conflicting commands are recorded in order.
 *		 7. why quotes the offending text with control characters,
 *		    C1 controls and bytes that are not UTF-8 shown as '?',
 *		    cut at a character boundary after PD_CMD_QUOTE_MAX bytes
 *		    (then "..." is added).
 *		HTML: the rules are applied to the visible text, which is what
 *		remains after removing tags, comments, declarations, <head>,
 *		<title>, <style> and <script> content, with the entities
 *		&nbsp; &amp; &lt; &gt; &quot; &apos; &#N; &#xH; decoded (a
 *		bad number becomes U+FFFD; other entities stay as written).
 *		Visible line breaks come from <br>, from the start and end of
 *		p, div, li, tr, h1..h6, blockquote, pre, table and the other
 *		block elements of html_breaks[], and from literal newlines
 *		inside <pre>; any other literal CR/LF is a space, and td/th
 *		add a space.  A <blockquote> starts quoted text and ends the
 *		block, like a line starting with "> ".  For each command line
 *		the source bytes of its visible text from the '#' on are
 *		removed (entities whole, trailing whitespace included), and
 *		the <br> or <pre> newline that ends it; every other byte is
 *		kept, markup, leading whitespace and blank lines included, so
 *		"<div>#resolve</div>" leaves "<div></div>".  Only the first
 *		PD_CMD_HTML_SCAN_MAX bytes of visible text are looked at; a
 *		line cut there ends the block and is kept.
 * LIMITS	PD_CMD_MAX commands, PD_CMD_ARG_MAX bytes per argument (the
 *		syntax rules keep arguments shorter), why of 256 bytes.
 *		Input is never read past len and need not be NUL-terminated;
 *		NUL bytes are ordinary non-whitespace bytes.
 * OWNERSHIP	struct pd_cmd_list is caller storage and owns nothing.  The
 *		HTML functions append to a caller's struct pd_buf, whose max
 *		bounds the result.
 * ERRORS	None returned for mail content (a bad command line is data:
 *		bad and why).  Never logs.
 * THREADS	Reentrant.
 * SEE ALSO	pd_bodyedit.h (MIME side), pd_tag.h (tag verification),
 *		engineering guide 4.7.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_CMD_H
#define PD_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "pd_buf.h"

#define PD_CMD_MAX		16
#define PD_CMD_ARG_MAX		128
#define PD_CMD_WHY_MAX		256
#define PD_CMD_LOGIN_MAX	64
#define PD_CMD_QUOTE_MAX	64	/* bytes of offending text in why */
#define PD_CMD_HTML_SCAN_MAX	(256 * 1024)	/* visible bytes examined */

enum pd_cmd_kind {
	PD_CMD_RESOLVE,
	PD_CMD_PENDING,
	PD_CMD_OPEN,
	PD_CMD_PRIORITY,
	PD_CMD_ASSIGN,
	PD_CMD_NOTE,
	PD_CMD_MERGE,
};

struct pd_cmd {
	enum pd_cmd_kind kind;
	/*
	 * "" when none; priority: "low".."urgent" lower-cased; assign: the
	 * login; merge: the tag as written without brackets, upper-cased.
	 */
	char	arg[PD_CMD_ARG_MAX];
};

struct pd_cmd_list {
	struct pd_cmd cmds[PD_CMD_MAX];
	int	n;
	bool	bad;		/* a command-looking line was not understood
				 * (or more than PD_CMD_MAX commands) */
	char	why[PD_CMD_WHY_MAX];	/* when bad: one English sentence for
					 * the agent, about the first problem */
};

/*
 * pd_cmd_parse_text - parse the command block at the top of text[0..len).
 * Fills *out (zeroed first).  Returns the offset where the text after the
 * block starts: 0 when there is no command line, len when the whole text
 * is block.
 */
size_t	pd_cmd_parse_text(const char *text, size_t len,
	    struct pd_cmd_list *out);

/*
 * pd_cmd_strip_html - the same rules on the visible text of html[0..len):
 * fills *cmds (zeroed first) and replaces the contents of *out_html with
 * the HTML without the command lines' visible text and their <br>.
 * Returns true when something was removed.  When out_html cannot hold
 * the result it is left empty and false is returned (cmds stays filled).
 */
bool	pd_cmd_strip_html(const char *html, size_t len,
	    struct pd_cmd_list *cmds, struct pd_buf *out_html);

/*
 * pd_cmd_html_text - append the visible text of html[0..len) to *out,
 * lines ending in LF, at most max bytes, cut at a UTF-8 character
 * boundary.  Returns PD_OK, or PD_EINVAL when out cannot hold it (out is
 * then empty, as pd_buf leaves it).
 */
int	pd_cmd_html_text(const char *html, size_t len, size_t max,
	    struct pd_buf *out);

/* pd_cmd_name - "resolve", "pending", ...; "unknown" for other values */
const char *pd_cmd_name(enum pd_cmd_kind k);

#endif
