/*
 * pd_autoreply_hdr.c - header lexer, out-of-office subjects and
 *		Authentication-Results for pd_autoreply
 *
 * PURPOSE	See pd_autoreply.h and pd_autoreply_impl.h.
 * DESIGN	The lexer reads RFC 5322 structured values just far enough
 *		for our rules: whitespace (folds included) and comments,
 *		nested, are skipped; a token ends at whitespace, "(" or a
 *		delimiter the caller names.  Quoted strings are not
 *		unquoted; no rule needs one's inside.
 *		Subjects: only the first SUBJECT_SCAN bytes are decoded
 *		(RFC 2047, 8-bit text through pd_rfc2047's charset guess),
 *		since the markers are prefixes; the text is case-folded and
 *		NFC-normalised with GLib before the comparison.
 *		Authentication-Results (RFC 8601): authserv-id [version]
 *		*(";" resinfo); each resinfo starts "method[/version] =
 *		result", properties after it are skipped, and ';' inside
 *		comments and quoted strings separates nothing.  "fail" and
 *		the old "hardfail" are failures; "softfail" is not (RFC 7208
 *		section 2.6.5: a weak statement).
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <glib.h>

#include "pd_autoreply_impl.h"
#include "pd_mem.h"
#include "pd_rfc2047.h"

#define SUBJECT_SCAN	1024	/* raw Subject bytes decoded */
#define OOF_EXACT	0x01u	/* compare case-sensitively, not folded */

/*
 * Out-of-office subject prefixes, case-folded.  A marker counts when the
 * subject (decoded, leading blanks skipped) starts with it and it is
 * followed by optional blanks and ':' or by the end: "Out of Office" and
 * "Automatic reply: Order 17" match, "Out of office hours?" does not.
 * "corpus" means seen in ../shared/corpus/sisimai/maildir/bsd; the other
 * entries are the clients' default prefixes as commonly reported and are
 * not backed by a sample here.
 */
static const struct oof_marker {
	const char	*text;
	unsigned int	 flags;
} oof_markers[] = {
	{ "automatic reply", 0 },	/* Outlook 2010+ en; corpus */
					/* rfc3834-02, rfc3834-04 */
	{ "out of office", 0 },		/* Outlook 2007 en */
	{ "out of office autoreply", 0 },	/* Exchange 2003 en */
	{ "auto reply", 0 },		/* Apple iCloud; corpus rfc3834-03 */
	{ "autoreply", 0 },		/* generic responders */
	{ "auto-reply", 0 },
	{ "auto response", 0 },
	{ "AUTO", OOF_EXACT },		/* Lotus Notes/Domino "AUTO: ..." */
	{ "automatische antwort", 0 },	/* Outlook 2010+ de */
	{ "abwesenheitsnotiz", 0 },	/* Outlook 2003/2007 de */
	{ "réponse automatique", 0 },	/* Outlook fr */
	{ "respuesta automática", 0 },	/* Outlook es */
	{ "risposta automatica", 0 },	/* Outlook it */
	{ "resposta automática", 0 },	/* Outlook pt */
	{ "automatisch antwoord", 0 },	/* Outlook nl */
	{ "automatiskt svar", 0 },	/* Outlook sv */
	{ "automatisk svar", 0 },	/* Outlook da, nb */
	{ "automaattinen vastaus", 0 },	/* Outlook fi */
	{ "odpowiedź automatyczna", 0 },	/* Outlook pl */
	/* Outlook 2010+ ru, Outlook 2003/2007 ru, Yandex and Mail.ru */
	{ "автоматический ответ", 0 },
	{ "нет на месте", 0 },
	{ "автоответ", 0 },
	{ "自動応答", 0 },		/* Outlook ja */
	{ "自动回复", 0 },		/* Outlook zh-CN */
};

/* pd_autoreply_cfws - p after whitespace and comments, nested */
const char *
pd_autoreply_cfws(const char *p)
{
	int depth = 0;

	for (; *p != '\0'; p++) {
		if (depth == 0 && pd_autoreply_is_wsp((unsigned char)*p))
			continue;
		if (*p == '(')
			depth++;
		else if (depth > 0 && *p == ')')
			depth--;
		else if (depth > 0 && *p == '\\' && p[1] != '\0')
			p++;
		else if (depth == 0)
			break;
	}
	return p;
}

/* pd_autoreply_token - the token after CFWS at p, up to stop */
const char *
pd_autoreply_token(const char *p, const char *stop, size_t *len)
{
	const char *s = pd_autoreply_cfws(p);
	size_t n = 0;

	while (s[n] != '\0' && !pd_autoreply_is_wsp((unsigned char)s[n]) &&
	    s[n] != '(' && strchr(stop, s[n]) == NULL)
		n++;
	*len = n;
	return s;
}

/* pd_autoreply_word_is - s[0..len) is w, ASCII case ignored */
bool
pd_autoreply_word_is(const char *s, size_t len, const char *w)
{
	return strlen(w) == len && g_ascii_strncasecmp(s, w, len) == 0;
}

/* pd_autoreply_word_in - s[0..len) is one of words, ASCII case ignored */
bool
pd_autoreply_word_in(const char *s, size_t len, const char *const *words)
{
	for (; *words != NULL; words++)
		if (pd_autoreply_word_is(s, len, *words))
			return true;
	return false;
}

/* marker_end - after a marker: blanks, then ':' (or U+FF1A) or the end */
static bool
marker_end(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '\0' || *s == ':' || strncmp(s, "\xef\xbc\x9a", 3) == 0;
}

/* oof_match - text (UTF-8, or not) starts with an out-of-office marker */
static bool
oof_match(const char *text)
{
	char *folded = NULL;
	char *norm = NULL;
	const char *cmp;
	size_t i, n;
	bool hit = false;

	if (g_utf8_validate(text, -1, NULL)) {
		folded = g_utf8_casefold(text, -1);
		norm = g_utf8_normalize(folded, -1,
		    G_NORMALIZE_DEFAULT_COMPOSE);
	} else
		norm = g_ascii_strdown(text, -1);
	cmp = norm != NULL ? norm : folded != NULL ? folded : text;
	for (i = 0; i < G_N_ELEMENTS(oof_markers) && !hit; i++) {
		const struct oof_marker *m = &oof_markers[i];
		const char *s = (m->flags & OOF_EXACT) != 0 ? text : cmp;

		n = strlen(m->text);
		hit = strncmp(s, m->text, n) == 0 && marker_end(s + n);
	}
	g_free(folded);
	g_free(norm);
	return hit;
}

/*
 * pd_autoreply_judge_subject - decode the start of the Subject and look
 * for an out-of-office marker.  The cut never splits a UTF-8 sequence; a
 * cut encoded-word stays literal and cannot matter, as the markers are at
 * the start.
 */
void
pd_autoreply_judge_subject(struct pd_autoreply *a, const char *value,
    unsigned int arg)
{
	size_t len = strlen(value);
	char *text;

	(void)arg;
	if (len > SUBJECT_SCAN) {
		len = SUBJECT_SCAN;
		while (len > 0 && ((unsigned char)value[len] & 0xc0) == 0x80)
			len--;
	}
	text = pd_rfc2047_decode(value, len, NULL);
	if (text == NULL)
		return;
	if (oof_match(text + strspn(text, " \t")))
		pd_autoreply_set(a, PD_ACK_OUT_OF_OFFICE);
	pd_free(text);
}

/* ar_result - record one "method=result" of a trusted A-R header */
static void
ar_result(struct pd_autoreply *a, const char *m, size_t mlen,
    const char *r, size_t rlen)
{
	bool pass = pd_autoreply_word_is(r, rlen, "pass");
	bool fail = pd_autoreply_word_is(r, rlen, "fail") ||
	    pd_autoreply_word_is(r, rlen, "hardfail");

	if (pd_autoreply_word_is(m, mlen, "dmarc"))
		a->auth |= pass ? PD_AR_DMARC_PASS :
		    fail ? PD_AR_DMARC_FAIL : 0;
	else if (pd_autoreply_word_is(m, mlen, "spf"))
		a->auth |= pass ? PD_AR_SPF_PASS : fail ? PD_AR_SPF_FAIL : 0;
	else if (pd_autoreply_word_is(m, mlen, "dkim"))
		a->auth |= pass ? PD_AR_DKIM_PASS : 0;
}

/*
 * next_resinfo - p just after the next ';' outside comments and quoted
 * strings, or NULL at the end of the value.
 */
static const char *
next_resinfo(const char *p)
{
	bool quoted = false;

	for (; *p != '\0'; p++) {
		if (!quoted && *p == '(') {
			p = pd_autoreply_cfws(p) - 1;
			continue;
		}
		if (*p == '"')
			quoted = !quoted;
		else if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == ';' && !quoted)
			return p + 1;
	}
	return NULL;
}

/*
 * pd_autoreply_judge_auth - one Authentication-Results header; only one
 * with the configured authserv-id (a version after it ignored) counts.
 */
void
pd_autoreply_judge_auth(struct pd_autoreply *a, const char *value,
    unsigned int arg)
{
	const char *id, *m, *r, *p;
	size_t idlen, mlen, rlen;

	(void)arg;
	if (a->authserv_id == NULL)
		return;
	id = pd_autoreply_token(value, ";", &idlen);
	if (!pd_autoreply_word_is(id, idlen, a->authserv_id))
		return;
	for (p = next_resinfo(id + idlen); p != NULL; p = next_resinfo(p)) {
		m = pd_autoreply_token(p, "=/;", &mlen);
		p = pd_autoreply_cfws(m + mlen);
		if (*p == '/') {			/* method version */
			r = pd_autoreply_token(p + 1, "=;", &rlen);
			p = pd_autoreply_cfws(r + rlen);
		}
		if (*p != '=')
			continue;
		r = pd_autoreply_token(p + 1, ";", &rlen);
		ar_result(a, m, mlen, r, rlen);
	}
	if ((a->auth & (PD_AR_DMARC_FAIL | PD_AR_SPF_FAIL)) != 0)
		pd_autoreply_set(a, PD_ACK_AUTH_FAILED);
}
