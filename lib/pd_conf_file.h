/*
 * pd_conf_file.h - the configuration file as text: read, syntax, lines
 *
 * PURPOSE	Internal to pd_conf: reads the file, checks the syntax of
 *		every line and keeps an index of which line names which
 *		section and key, because GKeyFile keeps no line numbers and
 *		every error message must name one.  Also formats those error
 *		messages.
 * DESIGN	The syntax is GKeyFile's, checked first so that its errors
 *		get line numbers: blank lines, "# comment" lines, "[section]"
 *		(nothing after the ']') and "key = value" inside a section.
 *		Blanks around lines and keys and a CR before the LF are
 *		ignored, as GKeyFile does.  The file must be UTF-8 without NUL
 *		bytes and at most PD_CONF_FILE_MAX bytes; a section or a key
 *		given twice is an error (GKeyFile would merge sections and
 *		keep the last key, hiding typos).
 * OWNERSHIP	struct pd_conf_file is caller storage; what it points to is
 *		freed by pd_conf_file_free().  path and err are borrowed.
 * ERRORS	PD_EPERMFAIL, with err->msg "PATH:LINE: problem".
 * THREADS	Reentrant.
 * SEE ALSO	pd_conf.c.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PD_CONF_FILE_H
#define PD_CONF_FILE_H

#include <stddef.h>

#include "pd_err.h"

#define PD_CONF_FILE_MAX	(1024 * 1024)

/* One line of the file that names a section or a key. */
struct pd_conf_line {
	char		*section;	/* group name as GKeyFile has it */
	char		*key;		/* NULL on the "[section]" line */
	unsigned	 line;
};

struct pd_conf_file {
	const char	*path;		/* borrowed */
	struct pd_err	*err;		/* borrowed, may be NULL */
	char		*text;		/* the whole file, NUL-terminated */
	size_t		 len;
	struct pd_conf_line *lines;	/* in file order; not NULL after
					 * pd_conf_file_read(), even empty */
	size_t		 n_lines;
};

/*
 * pd_conf_file_read - read f->path (f zeroed but for path and err), check
 * its syntax and index its lines; PD_OK or PD_EPERMFAIL.  Call
 * pd_conf_file_free() either way.
 */
int	 pd_conf_file_read(struct pd_conf_file *f);

/* pd_conf_file_free - release text and index */
void	 pd_conf_file_free(struct pd_conf_file *f);

/* pd_conf_file_find - the entry of [section] (key NULL) or key, or NULL */
const struct pd_conf_line *pd_conf_file_find(const struct pd_conf_file *f,
	    const char *section, const char *key);

/*
 * pd_conf_file_fail - set f->err to "PATH:LINE: [section] key: MESSAGE"
 * and return PD_EPERMFAIL.  LINE is that of key in section, else of the
 * section, else left out.  Without a key: "[section]: MESSAGE"; without a
 * section: "PATH:LINE: MESSAGE" with line as given (0: no line).
 */
int	 pd_conf_file_fail(const struct pd_conf_file *f, unsigned line,
	    const char *section, const char *key, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));

#endif
