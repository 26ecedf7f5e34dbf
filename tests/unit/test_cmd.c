/*
 * test_cmd.c - unit tests for pd_cmd: command lines in text and HTML
 *
 * PURPOSE	Every rule of pd_cmd.h as a table: each command, each bad
 *		case with its message, CRLF and LF, NBSP, limits, where the
 *		block ends; HTML as Thunderbird, Outlook and Gmail write it,
 *		entities, quotes, <pre>; then the text table again as HTML
 *		(one "<br>" per line), which must give the same commands, and
 *		a bounded random-input loop with invariants.
 * DESIGN	Inputs are copied into buffers of exactly their length, so
 *		a read past len shows up under AddressSanitizer.  Expected
 *		commands are written as "resolve priority=high", the form
 *		list_str() renders.  Negative controls: text with '#' inside
 *		a line, '#' before a digit, quoted and commented commands,
 *		which must give nothing.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pd_buf.h"
#include "pd_cmd.h"
#include "pd_err.h"
#include "pd_mem.h"
#include "../harness/tap.h"

#define WHOLE	SIZE_MAX	/* rest: the input is all block */

struct text_case {
	const char	*name;
	const char	*in;
	size_t		 len;		/* 0: strlen(in) */
	const char	*rest;		/* text after the block */
	const char	*cmds;
	const char	*why;		/* NULL: not bad */
};

#define PRIO	"#priority takes low, normal, high or urgent"
#define LOGIN	"#assign takes one login (up to 64 letters, digits and ._@+-)"
#define TAG	"#merge takes one ticket tag like [PD-1042-K7QF]"
#define L62	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
#define L64	L62 "._"
#define A16	"#open\n#open\n#open\n#open\n#open\n#open\n#open\n#open\n"

static const struct text_case text_cases[] = {
	{ "resolve", "#resolve\nHello\n", 0, "Hello\n", "resolve", NULL },
	{ "pending", "#pending\nHi", 0, "Hi", "pending", NULL },
	{ "open", "#open\nHi", 0, "Hi", "open", NULL },
	{ "note", "#note\nInternal only", 0, "Internal only", "note", NULL },
	{ "priority low", "#priority low\nx", 0, "x", "priority=low", NULL },
	{ "priority normal", "#priority normal\nx", 0, "x",
	    "priority=normal", NULL },
	{ "priority any case", "#PRIORITY Urgent\nx", 0, "x",
	    "priority=urgent", NULL },
	{ "priority high", "#priority high\nx", 0, "x", "priority=high",
	    NULL },
	{ "assign", "#assign alice\nx", 0, "x", "assign=alice", NULL },
	{ "assign keeps case", "#assign Bob.X_y@ex+1-2\nx", 0, "x",
	    "assign=Bob.X_y@ex+1-2", NULL },
	{ "assign 64", "#assign " L64 "\nx", 0, "x", "assign=" L64, NULL },
	{ "merge bracketed", "#merge [PD-1042-K7QF]\nx", 0, "x",
	    "merge=PD-1042-K7QF", NULL },
	{ "merge bare, upper-cased", "#merge pd-1042-k7qf\nx", 0, "x",
	    "merge=PD-1042-K7QF", NULL },
	{ "merge limits", "#merge ABCDEFGHIJKLMNOP-123456789012345678-0a0Z"
	    "\nx", 0, "x", "merge=ABCDEFGHIJKLMNOP-123456789012345678-0A0Z",
	    NULL },
	{ "command any case", "#ReSoLvE\nx", 0, "x", "resolve", NULL },
	{ "several, CRLF", "#resolve\r\n#priority high\r\n#assign bob\r\n"
	    "Hi\r\n", 0, "Hi\r\n", "resolve priority=high assign=bob", NULL },
	{ "no final newline", "#resolve", 0, "", "resolve", NULL },
	{ "all block, CRLF", "#resolve\r\n\r\n", 0, "", "resolve", NULL },
	{ "blank lines before and between", "\n \t\r\n#resolve\n\n  \n#open\n"
	    "\nHi", 0, "Hi", "resolve open", NULL },
	{ "leading whitespace and tabs", " \t#assign\tbob \t\nx", 0, "x",
	    "assign=bob", NULL },
	{ "NBSP", "\xc2\xa0#priority\xc2\xa0high\xc2\xa0\n\xc2\xa0\nHi", 0,
	    "Hi", "priority=high", NULL },
	{ "byte order mark", "\xef\xbb\xbf#resolve\nHi", 0, "Hi", "resolve",
	    NULL },
	{ "ends at quote", "#resolve\n> #open\n", 0, "> #open\n", "resolve",
	    NULL },
	{ "ends at #digit", "#resolve\n#1 is fixed\n#open\n", 0,
	    "#1 is fixed\n#open\n", "resolve", NULL },
	{ "ends at text", "#open\nHello #resolve\n", 0, "Hello #resolve\n",
	    "open", NULL },
	{ "len cuts the text", "#resolve\nHello", 9, "", "resolve", NULL },
	{ "16 commands", A16 A16 "x", 0, "x", "open open open open open open "
	    "open open open open open open open open open open", NULL },
	/* negative controls: no command line, offset 0 */
	{ "text with '#' mid-line", "Hello #resolve\n", 0, "Hello #resolve\n",
	    "", NULL },
	{ "'#' before a digit", "#1 is fixed\n#resolve\n", 0,
	    "#1 is fixed\n#resolve\n", "", NULL },
	{ "quoted", "> #resolve\n", 0, "> #resolve\n", "", NULL },
	{ "'#' then space", "# resolve\n", 0, "# resolve\n", "", NULL },
	{ "double '#'", "##resolve\n", 0, "##resolve\n", "", NULL },
	{ "blank only", "\n \n\r\n", 0, "\n \n\r\n", "", NULL },
	{ "empty", "", 0, "", "", NULL },
	/* bad lines */
	{ "unknown", "#reslove\nHi", 0, "Hi", "",
	    "unknown command \"#reslove\"" },
	{ "unknown: word with punctuation", "#resolve!\nHi", 0, "Hi", "",
	    "unknown command \"#resolve!\"" },
	{ "resolve with argument", "#resolve please\nHi", 0, "Hi", "",
	    "#resolve takes no argument" },
	{ "note with argument", "#note now\n", 0, "", "",
	    "#note takes no argument" },
	{ "stray CR is whitespace", "#pending\rnow\n", 0, "", "",
	    "#pending takes no argument" },
	{ "open with argument", "#open x\n", 0, "", "",
	    "#open takes no argument" },
	{ "priority missing", "#priority\n", 0, "", "", PRIO },
	{ "priority asap", "#priority asap\n", 0, "", "",
	    PRIO ", not \"asap\"" },
	{ "priority two words", "#priority high now\n", 0, "", "",
	    PRIO ", not \"high now\"" },
	{ "assign missing", "#assign\n", 0, "", "", LOGIN },
	{ "assign two", "#assign bob  carol\n", 0, "", "",
	    LOGIN ", not \"bob  carol\"" },
	{ "assign slash", "#assign b/ob\n", 0, "", "",
	    LOGIN ", not \"b/ob\"" },
	{ "assign with NUL", "#assign bo\0b\n", 13, "", "",
	    LOGIN ", not \"bo?b\"" },
	{ "assign 65", "#assign " L64 "x\n", 0, "", "",
	    LOGIN ", not \"" L64 "...\"" },
	{ "merge missing", "#merge\n", 0, "", "", TAG },
	{ "merge half bracket", "#merge [PD-1-ABCD\n", 0, "", "",
	    TAG ", not \"[PD-1-ABCD\"" },
	{ "merge closing bracket only", "#merge PD-1-ABCD]\n", 0, "", "",
	    TAG ", not \"PD-1-ABCD]\"" },
	{ "merge short code", "#merge PD-1-ABC\n", 0, "", "",
	    TAG ", not \"PD-1-ABC\"" },
	{ "merge long code", "#merge PD-1-ABCDE\n", 0, "", "",
	    TAG ", not \"PD-1-ABCDE\"" },
	{ "merge digit prefix", "#merge 1PD-1-ABCD\n", 0, "", "",
	    TAG ", not \"1PD-1-ABCD\"" },
	{ "merge no number", "#merge PD--ABCD\n", 0, "", "",
	    TAG ", not \"PD--ABCD\"" },
	{ "merge 19 digits", "#merge PD-1234567890123456789-ABCD\n", 0, "",
	    "", TAG ", not \"PD-1234567890123456789-ABCD\"" },
	{ "merge 17-letter prefix", "#merge ABCDEFGHIJKLMNOPQ-1-ABCD\n", 0,
	    "", "", TAG ", not \"ABCDEFGHIJKLMNOPQ-1-ABCD\"" },
	{ "merge bad code char", "#merge PD-1-AB_D\n", 0, "", "",
	    TAG ", not \"PD-1-AB_D\"" },
	{ "merge two tags", "#merge PD-1-ABCD PD-2-ABCD\n", 0, "", "",
	    TAG ", not \"PD-1-ABCD PD-2-ABCD\"" },
	{ "bad line, later good ones kept", "#reslove\n#open\nHi", 0, "Hi",
	    "open", "unknown command \"#reslove\"" },
	{ "first problem wins", "#x\n#y\n", 0, "", "",
	    "unknown command \"#x\"" },
	{ "17 commands", A16 A16 "#resolve\nx", 0, "x", "open open open open "
	    "open open open open open open open open open open open open",
	    "more than 16 commands" },
	{ "control character shown as ?", "#re\x01sol\x7fve\n", 0, "", "",
	    "unknown command \"#re?sol?ve\"" },
	{ "NUL byte", "#resolve\0x\nHi", 13, "Hi", "",
	    "unknown command \"#resolve?x\"" },
	{ "invalid UTF-8 shown as ?", "#priority \xff\xc3\n", 0, "", "",
	    PRIO ", not \"??\"" },
	{ "C1 control shown as ?", "#priority \xc2\x85x\n", 0, "", "",
	    PRIO ", not \"?x\"" },
	{ "UTF-8 kept", "#priority \xd1\x81\xd1\x80\xd0\xbe\xd1\x87\xd0\xbd"
	    "\xd0\xbe\n", 0, "", "", PRIO ", not \"\xd1\x81\xd1\x80\xd0\xbe"
	    "\xd1\x87\xd0\xbd\xd0\xbe\"" },
	{ "long word cut at a character", "#" L62 "\xd0\xb6\n", 0, "", "",
	    "unknown command \"#" L62 "...\"" },
};

/* list_str - "resolve priority=high", or "" */
static void
list_str(const struct pd_cmd_list *l, char *out, size_t size)
{
	size_t o = 0;
	int i, n;

	out[0] = '\0';
	for (i = 0; i < l->n && o < size; i++) {
		n = snprintf(out + o, size - o, "%s%s%s%s", i ? " " : "",
		    pd_cmd_name(l->cmds[i].kind), l->cmds[i].arg[0] ? "=" : "",
		    l->cmds[i].arg);
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

/* check_list - commands and why as expected */
static void
check_list(const char *name, const struct pd_cmd_list *l, const char *cmds,
    const char *why)
{
	char got[2048], label[300];

	list_str(l, got, sizeof(got));
	snprintf(label, sizeof(label), "%s: commands", name);
	is_str(got, cmds, label);
	snprintf(label, sizeof(label), "%s: why", name);
	is_str(l->bad ? l->why : NULL, why, label);
}

/* exact - a copy of p[0..n) in a buffer of exactly n bytes */
static char *
exact(const char *p, size_t n)
{
	char *b = pd_xmalloc(n ? n : 1);

	if (n > 0)
		memcpy(b, p, n);
	return b;
}

/* run_text - one text case */
static void
run_text(const struct text_case *c)
{
	size_t len = c->len ? c->len : strlen(c->in);
	char *in = exact(c->in, len);
	struct pd_cmd_list l;
	size_t off = pd_cmd_parse_text(in, len, &l);
	char label[300];

	snprintf(label, sizeof(label), "%s: rest", c->name);
	ok(off <= len && strlen(c->rest) == len - off &&
	    memcmp(in + off, c->rest, len - off) == 0, "%s", label);
	check_list(c->name, &l, c->cmds, c->why);
	pd_free(in);
}

/* html_from_text - text as HTML: entities escaped, "<br>" ends lines */
static void
html_from_text(const char *p, size_t n, struct pd_buf *b)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '&')
			pd_buf_adds(b, "&amp;");
		else if (p[i] == '<')
			pd_buf_adds(b, "&lt;");
		else if (p[i] == '>')
			pd_buf_adds(b, "&gt;");
		else if (p[i] == '\n')
			pd_buf_adds(b, "<br>\n");
		else
			pd_buf_addc(b, p[i]);
	}
}

/* run_text_as_html - the same case as HTML gives the same commands */
static void
run_text_as_html(const struct text_case *c)
{
	size_t len = c->len ? c->len : strlen(c->in);
	struct pd_buf h, out;
	struct pd_cmd_list l;
	char label[300];
	char *in;

	pd_buf_init(&h, 1 << 20);
	pd_buf_init(&out, 1 << 20);
	html_from_text(c->in, len, &h);
	in = exact(h.data != NULL ? h.data : "", h.len);
	pd_cmd_strip_html(in, h.len, &l, &out);
	snprintf(label, sizeof(label), "as HTML: %s", c->name);
	check_list(label, &l, c->cmds, c->why);
	pd_free(in);
	pd_buf_free(&h);
	pd_buf_free(&out);
}

struct html_case {
	const char	*name;
	const char	*in;
	const char	*out;		/* NULL: unchanged */
	const char	*cmds;
	const char	*why;
};

#define TB_HEAD	"<html>\n  <head>\n    <meta http-equiv=\"Content-Type\" " \
	"content=\"text/html; charset=UTF-8\">\n  </head>\n  <body>\n"
#define TB_CITE	"    <div class=\"moz-cite-prefix\">On 1/2/24 10:00, Jane " \
	"wrote:<br>\n    </div>\n    <blockquote type=\"cite\" cite=\"mid:" \
	"x@y\">#pending<br>\n    </blockquote>\n  </body>\n</html>\n"
#define OL_HEAD	"<html xmlns:o=\"urn:schemas-microsoft-com:office:office\">" \
	"<head><meta name=Generator content=\"Microsoft Word 15\"><style><!--" \
	"\np.MsoNormal {margin:0cm;}\n#resolve {}\n--></style><!--[if gte " \
	"mso 9]><xml>\n<o:shapedefaults v:ext=\"edit\" spidmax=\"1026\" />\n" \
	"</xml><![endif]--></head><body lang=EN-US link=\"#0563C1\"><div " \
	"class=WordSection1>"
#define OL_TAIL	"<p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>" \
	"Hi Jane,<o:p></o:p></p></div></body></html>"
#define GM_QUOTE "<br><div class=\"gmail_quote\"><div dir=\"ltr\" " \
	"class=\"gmail_attr\">On Mon, Jane wrote:<br></div><blockquote " \
	"class=\"gmail_quote\">#pending</blockquote></div>"

static const struct html_case html_cases[] = {
	{ "Thunderbird", TB_HEAD "    <p>#resolve<br>\n    </p>\n" TB_CITE,
	    TB_HEAD "    <p>\n    </p>\n" TB_CITE, "resolve", NULL },
	{ "Thunderbird, two lines", TB_HEAD "    <p>#resolve<br>\n      "
	    "#assign alice<br>\n    </p>\n    <p>Done.<br>\n    </p>\n" TB_CITE,
	    TB_HEAD "    <p>\n      \n    </p>\n    <p>Done.<br>\n    </p>\n"
	    TB_CITE,
	    "resolve assign=alice", NULL },
	{ "Outlook", OL_HEAD "<p class=MsoNormal>#resolve<o:p></o:p></p>"
	    OL_TAIL, OL_HEAD "<p class=MsoNormal><o:p></o:p></p>" OL_TAIL,
	    "resolve", NULL },
	{ "Outlook, two", OL_HEAD "<p class=MsoNormal>#priority urgent<o:p>"
	    "</o:p></p><p class=MsoNormal>#open<o:p></o:p></p>" OL_TAIL,
	    OL_HEAD "<p class=MsoNormal><o:p></o:p></p><p class=MsoNormal>"
	    "<o:p></o:p></p>" OL_TAIL, "priority=urgent open", NULL },
	{ "Gmail", "<div dir=\"ltr\">#resolve<div><br></div><div>Hi</div>"
	    "</div>" GM_QUOTE, "<div dir=\"ltr\"><div><br></div><div>Hi</div>"
	    "</div>" GM_QUOTE, "resolve", NULL },
	{ "Gmail, two", "<div dir=\"ltr\"><div>#resolve</div><div>#merge "
	    "[PD-7-ABCD]</div><div><br></div><div>Thanks</div></div>",
	    "<div dir=\"ltr\"><div></div><div></div><div><br></div><div>"
	    "Thanks</div></div>", "resolve merge=PD-7-ABCD", NULL },
	{ "entity-encoded #", "&#35;resolve<br>&#x23;pending<br>Hello",
	    "Hello", "resolve pending", NULL },
	{ "entities in arguments", "&#35;priority&nbsp;HIGH<br/>&#X23;assign"
	    " a&amp;b<br />x", "x", "priority=high",
	    LOGIN ", not \"a&b\"" },
	{ "markup inside the line", "<p><b>#res</b>olve<br>Hi</p>",
	    "<p><b></b>Hi</p>", "resolve", NULL },
	{ "upper-case tags", "<P>#resolve<BR>Hi</P>", "<P>Hi</P>", "resolve",
	    NULL },
	{ "'>' inside a quoted attribute", "<a title=\"a>b\">#resolve</a><br>"
	    "Hi", "<a title=\"a>b\"></a>Hi", "resolve", NULL },
	{ "CRLF after <br> stays", "<p>#resolve<br>\r\nHi</p>",
	    "<p>\r\nHi</p>", "resolve", NULL },
	{ "newline outside <pre> is a space", "<p>#resolve\n#open</p>",
	    "<p></p>", "", "#resolve takes no argument" },
	{ "newlines inside <pre>", "<pre>#resolve\r\n#open\nHi</pre>",
	    "<pre>Hi</pre>", "resolve open", NULL },
	{ "style and script hidden", "<style>#open{}</style><script>#x<p>"
	    "</script>#resolve<br>Hi", "<style>#open{}</style><script>#x<p>"
	    "</script>Hi", "resolve", NULL },
	{ "td adds a space", "<table><tr><td>#resolve</td><td>x</td></tr>"
	    "</table>", "<table><tr><td></td><td></td></tr></table>", "",
	    "#resolve takes no argument" },
	{ "bad line removed", "<div>#reslove</div><div>Hi</div>",
	    "<div></div><div>Hi</div>", "", "unknown command \"#reslove\"" },
	/* negative controls */
	{ "blockquote first", "<blockquote>#resolve</blockquote>", NULL, "",
	    NULL },
	{ "blockquote ends the block", "#open<blockquote>#resolve<br>"
	    "</blockquote>", "<blockquote>#resolve<br></blockquote>", "open",
	    NULL },
	{ "visible \"> \"", "&gt; #resolve<br>Hi", NULL, "", NULL },
	{ "comment", "<!-- #resolve --><p>Hi</p>", NULL, "", NULL },
	{ "'#' mid-line", "<p>Hello #resolve</p>", NULL, "", NULL },
	{ "'#' before a digit", "<p>#1 is fixed</p>", NULL, "", NULL },
	{ "unknown entity is text", "&hash;resolve<br>", NULL, "", NULL },
	{ "unterminated tag", "<p #resolve", NULL, "", NULL },
	{ "lone '<' is text", "< #resolve", NULL, "", NULL },
};

/* run_html - one HTML case */
static void
run_html(const struct html_case *c)
{
	size_t len = strlen(c->in);
	char *in = exact(c->in, len);
	struct pd_cmd_list l;
	struct pd_buf out;
	char label[300];
	bool removed;

	pd_buf_init(&out, len);
	removed = pd_cmd_strip_html(in, len, &l, &out);
	snprintf(label, sizeof(label), "HTML %s: result", c->name);
	is_str(pd_buf_str(&out), c->out ? c->out : c->in, label);
	snprintf(label, sizeof(label), "HTML %s: removed", c->name);
	is_int(removed, c->out != NULL, label);
	snprintf(label, sizeof(label), "HTML %s", c->name);
	check_list(label, &l, c->cmds, c->why);
	pd_buf_free(&out);
	pd_free(in);
}

/* test_html_misc - buffer limits and the visible-text function */
static void
test_html_misc(void)
{
	static const char in[] = "<p>#resolve<br>Hello &amp; bye</p><p>x</p>";
	static const char head[] = "<head><title>T</title></head><body>a&#0;b"
	    "&#x110000;";
	struct pd_cmd_list l;
	struct pd_buf b;

	pd_buf_init(&b, 5);
	ok(!pd_cmd_strip_html(in, strlen(in), &l, &b) && b.len == 0 &&
	    l.n == 1, "HTML: output buffer too small: false, empty, cmds");
	pd_buf_free(&b);
	pd_buf_init(&b, 1024);
	is_int(pd_cmd_html_text(in, strlen(in), 1024, &b), PD_OK,
	    "html_text: ok");
	is_str(pd_buf_str(&b), "\n#resolve\nHello & bye\n\nx\n",
	    "html_text: visible text");
	pd_buf_reset(&b);
	pd_cmd_html_text("<p>\xc3\xa9\xc3\xa9\xc3\xa9", 9, 4, &b);
	is_str(pd_buf_str(&b), "\n\xc3\xa9",
	    "html_text: cut at a character boundary");
	pd_buf_reset(&b);
	pd_cmd_html_text(head, strlen(head), 100, &b);
	is_str(pd_buf_str(&b), "a\xef\xbf\xbd" "b\xef\xbf\xbd",
	    "html_text: head hidden, bad numbers U+FFFD");
	pd_buf_free(&b);
}

/*
 * test_html_limit - past PD_CMD_HTML_SCAN_MAX visible bytes nothing is
 * looked at: a command there stays, one before it goes
 */
static void
test_html_limit(void)
{
	struct pd_cmd_list l;
	struct pd_buf in, out;
	size_t i;

	pd_buf_init(&in, 4 * PD_CMD_HTML_SCAN_MAX);
	pd_buf_init(&out, 4 * PD_CMD_HTML_SCAN_MAX);
	for (i = 0; i < PD_CMD_HTML_SCAN_MAX / 2 + 10; i++)
		pd_buf_adds(&in, "<br> ");
	pd_buf_adds(&in, "#resolve<br>Hi");
	ok(!pd_cmd_strip_html(in.data, in.len, &l, &out) && l.n == 0 &&
	    out.len == in.len, "HTML: a command past the scan limit stays");
	pd_buf_reset(&in);
	pd_buf_adds(&in, "#resolve<br>");
	for (i = 0; i < PD_CMD_HTML_SCAN_MAX / 2 + 10; i++)
		pd_buf_adds(&in, "<br> ");
	pd_buf_adds(&in, "Hi");
	ok(pd_cmd_strip_html(in.data, in.len, &l, &out) && l.n == 1 &&
	    out.len == in.len - 12, "HTML: a command before the limit goes");
	pd_buf_free(&in);
	pd_buf_free(&out);
}

/* test_names - pd_cmd_name for every kind */
static void
test_names(void)
{
	is_str(pd_cmd_name(PD_CMD_RESOLVE), "resolve", "name resolve");
	is_str(pd_cmd_name(PD_CMD_PENDING), "pending", "name pending");
	is_str(pd_cmd_name(PD_CMD_OPEN), "open", "name open");
	is_str(pd_cmd_name(PD_CMD_PRIORITY), "priority", "name priority");
	is_str(pd_cmd_name(PD_CMD_ASSIGN), "assign", "name assign");
	is_str(pd_cmd_name(PD_CMD_NOTE), "note", "name note");
	is_str(pd_cmd_name(PD_CMD_MERGE), "merge", "name merge");
	is_str(pd_cmd_name((enum pd_cmd_kind)99), "unknown", "name unknown");
}

/* rnd - xorshift64, deterministic */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* subsequence - every byte of a[0..an) appears in b[0..bn) in order */
static bool
subsequence(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i = 0, j;

	for (j = 0; j < bn && i < an; j++)
		if (a[i] == b[j])
			i++;
	return i == an;
}

/* fuzz_one - one random input through every entry point */
static bool
fuzz_one(const char *in, size_t len)
{
	struct pd_cmd_list l;
	struct pd_buf b;
	size_t off;
	bool good = true, removed;

	off = pd_cmd_parse_text(in, len, &l);
	good = good && off <= len && l.n >= 0 && l.n <= PD_CMD_MAX &&
	    (!l.bad || l.why[0] != '\0') && (off > 0 || (l.n == 0 && !l.bad));
	pd_buf_init(&b, len);
	removed = pd_cmd_strip_html(in, len, &l, &b);
	good = good && b.len <= len && l.n <= PD_CMD_MAX &&
	    (removed ? b.len < len && subsequence(b.data, b.len, in, len) :
	    b.len == len && memcmp(pd_buf_str(&b), in, len) == 0);
	pd_buf_free(&b);
	pd_buf_init(&b, 256);
	good = good && pd_cmd_html_text(in, len, 200, &b) == PD_OK &&
	    b.len <= 200;
	pd_buf_free(&b);
	return good;
}

/* test_fuzz - bounded random inputs from a mail-ish alphabet */
static void
test_fuzz(void)
{
	static const char *const atoms[] = {
		"#", "#resolve", "#priority", " high", "#merge", " [PD-1-ABCD]",
		"#assign", " bob", "\n", "\r\n", " ", "\t", "\xc2\xa0", "<br>",
		"<p>", "</p>", "<div>", "<pre>", "</pre>", "<blockquote>",
		"<!--", "-->", "<style>", "</style>", "&#35;", "&nbsp;", "&",
		"<", ">", "\"", "'", "=", "x", "\xff", "\xc3", "\0", ";",
		"<head>", "</head>", "&#x23", "<br/>", "<a b='", "#note",
	};
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	char buf[400];
	size_t i, n, k, len, bad = 0, natoms = sizeof(atoms) /
	    sizeof(atoms[0]);
	char *in;

	for (i = 0; i < 20000; i++) {
		len = 0;
		n = (size_t)(rnd(&seed) % 40);
		while (n-- > 0) {
			if (rnd(&seed) % 4 == 0) {
				buf[len++] = (char)rnd(&seed);
				continue;
			}
			k = (size_t)(rnd(&seed) % natoms);
			/* "\0" is one byte */
			if (atoms[k][0] == '\0') {
				buf[len++] = '\0';
				continue;
			}
			if (len + strlen(atoms[k]) >= sizeof(buf))
				break;
			memcpy(buf + len, atoms[k], strlen(atoms[k]));
			len += strlen(atoms[k]);
		}
		in = exact(buf, len);
		if (!fuzz_one(in, len) && bad++ < 5)
			printf("# fuzz case %zu failed (len %zu)\n", i, len);
		pd_free(in);
	}
	is_int((long long)bad, 0, "fuzz: 20000 random inputs keep the "
	    "invariants");
}

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(text_cases) / sizeof(text_cases[0]); i++)
		run_text(&text_cases[i]);
	for (i = 0; i < sizeof(text_cases) / sizeof(text_cases[0]); i++)
		run_text_as_html(&text_cases[i]);
	for (i = 0; i < sizeof(html_cases) / sizeof(html_cases[0]); i++)
		run_html(&html_cases[i]);
	test_html_misc();
	test_html_limit();
	test_names();
	test_fuzz();
	return tap_done();
}
