/*
 * ctl_init.c - "postdeskctl init" and "postdeskctl check"
 *
 * PURPOSE	init: create the database (or upgrade its schema) and the key
 *		file (mode 0600, never overwritten), creating their
 *		directories.  check: validate configuration, key and database
 *		like "postfix check": silent and 0 when all is well with -q,
 *		one line per problem and a non-zero exit otherwise.
 * OWNERSHIP	Nothing outlives the command.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "ctl.h"
#include "pd_ackmail.h"
#include "pd_mem.h"

/* init_mkdir_parent - create the directory that will hold path */
static int
init_mkdir_parent(const char *path)
{
	char *dir = pd_xstrdup(path);
	char *slash = strrchr(dir, '/');
	char *p;
	int rc = 0;

	if (slash == NULL || slash == dir) {
		pd_free(dir);
		return 0;
	}
	*slash = '\0';
	for (p = dir + 1; rc == 0; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char save = *p;

		*p = '\0';
		if (mkdir(dir, 0750) != 0 && errno != EEXIST)
			rc = -1;
		*p = save;
		if (save == '\0')
			break;
	}
	pd_free(dir);
	return rc;
}

/* ctl_init - create database and key */
int
ctl_init(struct ctl_env *env, int argc, char **argv)
{
	const struct pd_conf *conf = env->conf;
	struct pd_err err = { 0, "" };

	(void)argv;
	if (argc > 1)
		return ctl_fail(EX_USAGE, "usage: postdeskctl init");
	if (access(conf->key_file, F_OK) == 0) {
		printf("key file %s exists, kept\n", conf->key_file);
	} else {
		if (init_mkdir_parent(conf->key_file) != 0 ||
		    pd_key_create_file(conf->key_file, &err) != PD_OK)
			return ctl_fail(EX_CANTCREAT, "%s", err.msg[0] ?
			    err.msg : strerror(errno));
		printf("key file %s created (mode 0600)\n", conf->key_file);
	}
	if (init_mkdir_parent(conf->database) != 0)
		return ctl_fail(EX_CANTCREAT, "%s: cannot create directory: "
		    "%s", conf->database, strerror(errno));
	if (pd_store_migrate(conf->database, &err) != PD_OK)
		return ctl_fail(EX_CANTCREAT, "%s", err.msg);
	printf("database %s ready\n", conf->database);
	return EX_OK;
}

/* ctl_check - validate configuration, key and database */
int
ctl_check(struct ctl_env *env, int argc, char **argv)
{
	struct pd_err err = { 0, "" };
	struct pd_store *st;
	struct pd_key *key;
	int quiet = argc > 1 && strcmp(argv[1], "-q") == 0;
	int rc = EX_OK;

	if (env->conf == NULL)
		return ctl_fail(EX_CONFIG, "%s", env->conf_err.msg);
	key = pd_key_load(env->conf->key_file, &err);
	if (key == NULL)
		rc = ctl_fail(EX_CONFIG, "%s", err.msg);
	pd_key_free(&key);
	st = pd_store_open(env->conf->database, 2000, &err);
	if ((st == NULL || pd_store_check(st, &err) != PD_OK) &&
	    ctl_fail(EX_UNAVAILABLE, "%s", err.msg) && rc == EX_OK)
		rc = EX_UNAVAILABLE;	/* the first problem sets the code */
	pd_store_close(&st);
	if (pd_ackmail_check(env->conf, &err) != PD_OK &&
	    ctl_fail(EX_CONFIG, "%s", err.msg) && rc == EX_OK)
		rc = EX_CONFIG;
	if (rc == EX_OK && !quiet)
		printf("%s: configuration, key and database OK (%zu queue%s)\n",
		    env->conf_path, env->conf->n_queues,
		    env->conf->n_queues == 1 ? "" : "s");
	return rc;
}
