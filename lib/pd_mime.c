/*
 * pd_mime.c - the GMime boundary: init and address parsing
 *
 * PURPOSE	See pd_mime.h.
 * THREADS	See pd_mime.h.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <gmime/gmime.h>

#include "pd_addr.h"
#include "pd_err.h"
#include "pd_mem.h"
#include "pd_mime.h"

static GMimeParserOptions *mime_opts;

/* pd_mime_init - initialise GMime and our parser options */
void
pd_mime_init(void)
{
	static const char *fallback[] = { "utf-8", "windows-1251", NULL };

	g_mime_init();
	mime_opts = g_mime_parser_options_new();
	g_mime_parser_options_set_rfc2047_compliance_mode(mime_opts,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_address_compliance_mode(mime_opts,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_fallback_charsets(mime_opts, fallback);
}

/* pd_mime_shutdown - release GMime */
void
pd_mime_shutdown(void)
{
	if (mime_opts != NULL)
		g_mime_parser_options_free(mime_opts);
	mime_opts = NULL;
	g_mime_shutdown();
}

/* pd_mime_mailbox - see pd_mime.h */
char *
pd_mime_mailbox(const char *name, const char *addr)
{
	InternetAddress *ia;
	char *text;
	char *out;
	char *p;

	if (name != NULL && !g_utf8_validate(name, -1, NULL))
		return NULL;
	ia = internet_address_mailbox_new(name, addr);
	text = internet_address_to_string(ia, NULL, TRUE);
	g_object_unref(ia);
	if (text == NULL)
		return NULL;
	for (p = text; *p != '\0'; p++)
		if (*p == '\r' || *p == '\n' || *p == '\t')
			*p = ' ';
	out = pd_xstrdup(text);
	g_free(text);
	return out;
}

/* pd_mime_from_parse - first mailbox of an address list */
int
pd_mime_from_parse(const char *value, char **name, char **addr)
{
	InternetAddressList *list;
	InternetAddress *ia = NULL;
	const char *a;
	const char *n;
	char norm[PD_ADDR_MAX + 1];
	int rc = PD_EINVAL;
	int i;

	*name = NULL;
	*addr = NULL;
	list = internet_address_list_parse(mime_opts, value);
	if (list == NULL)
		return PD_EINVAL;
	for (i = 0; i < internet_address_list_length(list); i++) {
		ia = internet_address_list_get_address(list, i);
		if (INTERNET_ADDRESS_IS_MAILBOX(ia))
			break;
		ia = NULL;
	}
	if (ia != NULL) {
		a = internet_address_mailbox_get_addr(
		    INTERNET_ADDRESS_MAILBOX(ia));
		n = internet_address_get_name(ia);
		if (a != NULL && pd_addr_normalize(a, norm, sizeof(norm)) ==
		    PD_OK) {
			*addr = pd_xstrdup(norm);
			if (n != NULL && *n != '\0' &&
			    g_utf8_validate(n, -1, NULL))
				*name = pd_xstrdup(n);
			rc = PD_OK;
		}
	}
	g_object_unref(list);
	return rc;
}
