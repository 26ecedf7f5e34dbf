/*
 * pd_nudge.c - AF_UNIX datagram wake-ups for the worker
 *
 * PURPOSE	See pd_nudge.h.
 * THREADS	Reentrant.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "pd_nudge.h"

/* nudge_addr - fill sun from path; false when it does not fit */
static int
nudge_addr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return 0;
	memcpy(sun->sun_path, path, strlen(path) + 1);
	return 1;
}

/* pd_nudge_send - best effort, never blocks */
void
pd_nudge_send(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	if (path == NULL || !nudge_addr(path, &sun))
		return;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	(void)sendto(fd, "!", 1, MSG_DONTWAIT, (struct sockaddr *)&sun,
	    sizeof(sun));
	close(fd);
}

/* pd_nudge_listen - the worker's end */
int
pd_nudge_listen(const char *path, struct pd_err *err)
{
	struct sockaddr_un sun;
	mode_t old;
	int fd;

	if (!nudge_addr(path, &sun)) {
		pd_err_set(err, PD_EPERMFAIL, "%s: socket path too long",
		    path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		pd_err_set(err, PD_EPERMFAIL, "socket: %s", strerror(errno));
		return -1;
	}
	(void)unlink(path);
	old = umask(007);	/* the milter, in our group, must write */
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		pd_err_set(err, PD_EPERMFAIL, "%s: cannot bind: %s", path,
		    strerror(errno));
		close(fd);
		fd = -1;
	}
	umask(old);
	return fd;
}

/* pd_nudge_drain - empty the socket */
void
pd_nudge_drain(int fd)
{
	char buf[64];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}
