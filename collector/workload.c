/*
 * workload.c - fork the command, hold it until the counters are open, then
 * let it exec. See workload.h for the protocol.
 *
 * Between fork and exec the child runs only async-signal-safe calls: pprobe
 * is single-threaded, but that discipline keeps this correct if it ever is
 * not.
 */
#include "workload.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "usage.h"

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

static ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = read(fd, (char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : (ssize_t)done;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

static _Noreturn void run_child(const struct workload_options *opts,
				int go_rd, int exec_wr)
{
	char go;
	int err;

	if (opts->stdout_to_stderr && dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
		_exit(EXIT_NOT_FOUND);
	if (opts->capture_fd > STDERR_FILENO &&
	    (dup2(opts->capture_fd, STDOUT_FILENO) < 0 ||
	     dup2(opts->capture_fd, STDERR_FILENO) < 0))
		_exit(EXIT_NOT_FOUND);

	/*
	 * Ignored dispositions and the blocked mask survive exec: give the
	 * command the ones pprobe was given, not pprobe's own.
	 */
	for (size_t i = 0; i < opts->nr_restore; i++)
		sigaction(opts->restore_signals[i], &opts->restore_actions[i], NULL);
	if (opts->mask)
		sigprocmask(SIG_SETMASK, opts->mask, NULL);

	/* No byte means the parent gave up (or died): do not run. */
	if (read_full(go_rd, &go, 1) != 1)
		_exit(EXIT_NOT_FOUND);
	close(go_rd);

	execvp(opts->argv[0], (char *const *)opts->argv);
	err = errno;
	if (write(exec_wr, &err, sizeof(err)) < 0) {
		/* Nothing else to tell the parent with; the exit code says it. */
	}
	_exit(EXIT_NOT_FOUND);
}

int workload_prepare(struct workload *w, const struct workload_options *opts)
{
	int go[2], ex[2];
	int err;

	w->pid = -1;
	w->go_fd = w->exec_fd = -1;

	if (pipe2(go, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(ex, O_CLOEXEC) < 0) {
		err = -errno;
		goto err_go;
	}

	w->pid = fork();
	if (w->pid < 0) {
		err = -errno;
		goto err_ex;
	}
	if (w->pid == 0) {
		close(go[1]);
		close(ex[0]);
		run_child(opts, go[0], ex[1]);
	}

	close(go[0]);
	close(ex[1]);
	w->go_fd = go[1];
	w->exec_fd = ex[0];
	return 0;

err_ex:
	close(ex[0]);
	close(ex[1]);
err_go:
	close(go[0]);
	close(go[1]);
	return err;
}

static void reap(struct workload *w)
{
	while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
		;
	w->pid = -1;
}

int workload_start(struct workload *w)
{
	ssize_t n;
	int err = 0;

	do
		n = write(w->go_fd, "g", 1);
	while (n < 0 && errno == EINTR);
	close_fd(&w->go_fd);
	if (n != 1) {
		/* The child died before it could be released. */
		err = ESRCH;
		reap(w);
		goto out;
	}

	/* EOF: the exec succeeded and close-on-exec closed the pipe. */
	n = read_full(w->exec_fd, &err, sizeof(err));
	if (n == (ssize_t)sizeof(err)) {
		reap(w);
	} else {
		err = 0;
	}
out:
	close_fd(&w->exec_fd);
	return err;
}

void workload_cancel(struct workload *w)
{
	close_fd(&w->go_fd);
	if (w->pid > 0)
		reap(w);
	close_fd(&w->exec_fd);
}

void workload_release(struct workload *w)
{
	close_fd(&w->go_fd);
	close_fd(&w->exec_fd);
}

int workload_exec_exit_code(int err)
{
	return err == ENOENT || err == ENOTDIR ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC;
}

int workload_exit_code(int wait_status)
{
	if (WIFSIGNALED(wait_status))
		return 128 + WTERMSIG(wait_status);
	return WEXITSTATUS(wait_status);
}
