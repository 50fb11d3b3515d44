/*
 * deliver.c - delivery of a run's notifications to the --notify command
 * (SPEC section 6): spawned without a shell, fed on its standard input,
 * killed with its whole process group at notify_timeout_s.  Delivery is
 * the CLI's business: the rules decide what to say, not how it leaves.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* ---- The notifier ----------------------------------------------------- */

/* Split cmd on blanks into argv (at most max - 1 words, NULL-terminated);
 * words point into buf.  Returns the word count. */
static int split_words(char *buf, char **argv, int max)
{
	int n = 0;
	char *save = NULL;

	for (char *w = strtok_r(buf, RW_NOTIFY_BLANKS, &save); w && n < max - 1;
	     w = strtok_r(NULL, RW_NOTIFY_BLANKS, &save))
		argv[n++] = w;
	argv[n] = NULL;
	return n;
}

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/*
 * Write all of text to fd (non-blocking) by the deadline.  A reader that
 * closes early is not an error of ours (SIGPIPE is ignored by the caller):
 * its exit status tells.  Returns -1 only when the deadline passed.
 */
static int write_all(int fd, const char *text, size_t len, long deadline)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	while (len) {
		ssize_t w = write(fd, text, len);

		if (w > 0) {
			text += w;
			len -= (size_t)w;
		} else if (w < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };
			long left = deadline - now_ms();

			if (left <= 0)
				return -1;
			poll(&p, 1, (int)(left < 1000 ? left : 1000));
		} else if (!(w < 0 && errno == EINTR)) {
			return 0;
		}
	}
	return 0;
}

static int notify_wait(pid_t pid, const char *cmd, long deadline, int timeout_s,
		       struct rw_err *err)
{
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		struct timespec nap = { 0, 20 * 1000000 };

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return rw_err_set(err, RW_EIO, "notifier \"%s\": wait failed: %s", cmd, strerror(errno));
		if (now_ms() >= deadline) {
			kill(-pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return rw_err_set(err, RW_EIO, "notifier \"%s\" still running after %d s: killed",
					  cmd, timeout_s);
		}
		nanosleep(&nap, NULL);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		return rw_err_set(err, RW_EIO, "notifier \"%s\" exited with status %d", cmd, WEXITSTATUS(status));
	return rw_err_set(err, RW_EIO, "notifier \"%s\" was killed by signal %d", cmd, WTERMSIG(status));
}

int rw_notify_run(const char *cmd, const char *text, size_t len, int timeout_s,
		  struct rw_err *err)
{
	long deadline = now_ms() + (long)timeout_s * 1000;
	char buf[4096], *argv[64];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	int fds[2], rc;
	pid_t pid;

	if (strlen(cmd) >= sizeof(buf))
		return rw_err_set(err, RW_EUSAGE, "--notify: command longer than %zu bytes", sizeof(buf) - 1);
	snprintf(buf, sizeof(buf), "%s", cmd);
	if (!split_words(buf, argv, 64))
		return rw_err_set(err, RW_EUSAGE, "--notify: empty command");
	if (pipe(fds))
		return rw_err_set(err, RW_EIO, "notifier: pipe failed: %s", strerror(errno));
	if (posix_spawn_file_actions_init(&fa)) {
		close(fds[0]);
		close(fds[1]);
		return rw_err_set(err, RW_ENOMEM, "notifier: out of memory");
	}
	/* Its own process group, so that a timeout kills what it started
	 * too (a shell's children would otherwise outlive it). */
	if (posix_spawnattr_init(&attr)) {
		posix_spawn_file_actions_destroy(&fa);
		close(fds[0]);
		close(fds[1]);
		return rw_err_set(err, RW_ENOMEM, "notifier: out of memory");
	}
	if (posix_spawn_file_actions_adddup2(&fa, fds[0], STDIN_FILENO) ||
	    posix_spawn_file_actions_addclose(&fa, fds[0]) ||
	    posix_spawn_file_actions_addclose(&fa, fds[1]) ||
	    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP) ||
	    posix_spawnattr_setpgroup(&attr, 0))
		rc = ENOMEM;
	else
		rc = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[0]);
	if (rc) {
		close(fds[1]);
		return rw_err_set(err, RW_EIO, "notifier \"%s\" could not start: %s", cmd, strerror(rc));
	}
	sigaction(SIGPIPE, &ign, &old);
	write_all(fds[1], text, len, deadline);	/* late: notify_wait kills it */
	close(fds[1]);
	sigaction(SIGPIPE, &old, NULL);
	return notify_wait(pid, cmd, deadline, timeout_s, err);
}
