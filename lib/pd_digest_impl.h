/*
 * pd_digest_impl.h - what pd_digest_render.c lends pd_digest_mail.c
 *		(private to lib/)
 *
 * PURPOSE	The mail's Subject names the same days, in the same words,
 *		as the digest's own header line, so the date and language
 *		helpers of the renderer are shared here rather than written
 *		twice.
 * DESIGN	Two languages: Russian when lang starts with "ru", English
 *		for anything else (as pd_sla_format_due()).  Dates are read
 *		in the zone of the queue's SLA policy.
 * OWNERSHIP	Results go to caller-owned buffers; nothing is kept.
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_DIGEST_IMPL_H
#define PD_DIGEST_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "pd_digest.h"

/* Bytes of a date or span written by the helpers, NUL included. */
#define PD_DIGEST_WORD_MAX	64

/* pd_digest_lang_ru - whether lang asks for Russian */
bool	pd_digest_lang_ru(const char *lang);

/*
 * pd_digest_span_lang - pd_digest_format_span() in English, or in
 * Russian words when ru ("2 ч 05 мин", "3 дн. 4 ч")
 */
void	pd_digest_span_lang(long seconds, bool ru, char *buf, size_t size);

/*
 * pd_digest_days - the local days the period [since, until) touches in
 * tz, for a Subject: "21 Nov", "21–22 Nov", "30 Nov – 1 Dec" ("21
 * ноября", "21–22 ноября", ...); "" when a date cannot be read
 */
void	pd_digest_days(const struct pd_digest *d, GTimeZone *tz, bool ru,
	    char *buf, size_t size);

#endif
