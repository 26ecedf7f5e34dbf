/*
 * ctl_admin.c - resolve, assign and priority: the agents' commands, for
 * admins
 *
 * PURPOSE	"postdeskctl resolve TAG", "postdeskctl assign TAG LOGIN" and
 *		"postdeskctl priority TAG low|normal|high|urgent" do what the
 *		mail commands #resolve, #assign and #priority do.
 * DESIGN	The same lib/ path as an agent's mail (pd_agent_command):
 *		the same checks (an unknown login is refused, nothing is
 *		half-applied), the same ticket log lines, with actor
 *		"admin".  No mail is sent.
 * OWNERSHIP	Key and store are opened and closed here.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "ctl.h"
#include "pd_agent.h"
#include "pd_cmd.h"
#include "pd_nudge.h"

/* admin_usage - the usage line of one of the three commands */
static int
admin_usage(const char *name)
{
	return ctl_fail(EX_USAGE, "usage: postdeskctl %s TAG%s", name,
	    strcmp(name, "assign") == 0 ? " LOGIN" :
	    strcmp(name, "priority") == 0 ? " low|normal|high|urgent" : "");
}

/* admin_command - the command list argv asks for; false on bad usage */
static bool
admin_command(int argc, char **argv, struct pd_cmd_list *cmds)
{
	struct pd_cmd *c = &cmds->cmds[0];

	memset(cmds, 0, sizeof(*cmds));
	cmds->n = 1;
	if (strcmp(argv[0], "resolve") == 0 && argc == 2) {
		c->kind = PD_CMD_RESOLVE;
		return true;
	}
	if (argc != 3 || strlen(argv[2]) >= sizeof(c->arg))
		return false;
	snprintf(c->arg, sizeof(c->arg), "%s", argv[2]);
	c->kind = strcmp(argv[0], "assign") == 0 ? PD_CMD_ASSIGN :
	    PD_CMD_PRIORITY;
	return true;
}

/* ctl_admin - resolve, assign, priority */
int
ctl_admin(struct ctl_env *env, int argc, char **argv)
{
	struct pd_route_in in = { 0 };
	struct pd_route_out out;
	struct pd_cmd_list cmds;
	struct pd_store *st;
	struct pd_key *key;
	int64_t id;
	int rc;

	if (!admin_command(argc, argv, &cmds))
		return admin_usage(argv[0]);
	ctl_open(env, &key, &st);
	id = ctl_ticket_number(env->conf, key, argv[1]);
	in.conf = env->conf;
	in.key = key;
	in.agent = "admin";
	in.admin = true;
	in.cmds = &cmds;
	in.now = (int64_t)time(NULL);
	rc = id > 0 ? pd_agent_command(st, &in, id, &out) : PD_ENOTFOUND;
	if (rc == PD_OK)	/* a resolution may have queued a survey */
		pd_nudge_send(env->conf->worker_socket);
	pd_store_close(&st);
	pd_key_free(&key);
	if (id < 0)
		return ctl_fail(EX_DATAERR, "%s: check code does not match "
		    "the ticket number", argv[1]);
	if (rc == PD_ENOTFOUND)
		return ctl_fail(EX_DATAERR, "%s: no such ticket", argv[1]);
	if (rc == PD_EINVAL && out.why[0] != '\0')
		return ctl_fail(EX_DATAERR, "%s: %s; nothing changed",
		    out.tag, out.why);
	if (rc != PD_OK)
		return ctl_fail(EX_UNAVAILABLE, "%s", pd_err_str(rc));
	printf("%s: %s\n", out.tag, out.applied[0] ? out.applied :
	    "unchanged");
	return EX_OK;
}
