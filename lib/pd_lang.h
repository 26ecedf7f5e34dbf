/*
 * pd_lang.h - the customer's language, guessed from their message
 *
 * PURPOSE	Acknowledgements (and later surveys) are written in the
 *		customer's language when postdesk has a text in it (ru, en),
 *		else in the queue's.
 * DESIGN	In order: the first language of Content-Language, then of
 *		Accept-Language (Outlook sends both: "ru-RU, en-US"), that
 *		postdesk speaks; then the script of the subject: any
 *		Cyrillic letter says ru, Latin letters alone say en; else
 *		NULL (the queue's language).  Headers come first because a
 *		Russian customer may well write a Latin subject ("Invoice
 *		123"), and a client's language settings know better.
 * OWNERSHIP	Returns a static string or NULL.
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_LANG_H
#define PD_LANG_H

/*
 * pd_lang_guess - "ru", "en" or NULL from the raw header values (may be
 * NULL) and the decoded UTF-8 subject (may be NULL)
 */
const char *pd_lang_guess(const char *content_language,
	    const char *accept_language, const char *subject);

#endif
