/* loop.c - the one poll() event loop: file descriptors, timers, signals.
 *
 * Watches and timers are small arrays searched linearly: a loop has a
 * handful of each (the socket, the terminal, a refresh timer).  A watch
 * removed while poll() results are being dispatched is only marked dead and
 * swept afterwards, and each registration has a serial number, so a result
 * never reaches a callback registered after the poll() that produced it.
 */
#include "config.h"

#include "xraytop/loop.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xraytop/xmalloc.h"

struct watch {
	int		 fd;
	unsigned	 events;
	uint64_t	 serial;
	int		 dead;
	void		(*cb)(void *ctx, int fd, unsigned revents);
	void		*ctx;
};

struct timer {
	uint64_t	 id;
	double		 when;
	void		(*cb)(void *ctx);
	void		*ctx;
};

struct sigwatch {
	int		 signo;
	void		(*cb)(void *ctx, int signo);
	void		*ctx;
	struct sigaction old;
};

struct loop {
	struct watch	*watches;
	size_t		 nwatches;
	size_t		 capwatches;
	uint64_t	 serial;
	int		 dispatching;

	struct pollfd	*pfds;
	uint64_t	*pserial;
	size_t		 cappfds;

	struct timer	*timers;
	size_t		 ntimers;
	size_t		 captimers;
	uint64_t	 next_timer;

	struct sigwatch	*sigs;
	size_t		 nsigs;

	int		 stopped;
};

/* The self-pipe: the handler writes the signal number, the loop reads it. */
static int sig_pipe[2] = { -1, -1 };
static struct loop *sig_loop;

double
loop_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct loop *
loop_new(void)
{
	return xcalloc(1, sizeof (struct loop));
}

static void
sig_handler(int signo)
{
	int saved = errno;
	unsigned char c = (unsigned char)signo;

	if (sig_pipe[1] >= 0)
		(void)!write(sig_pipe[1], &c, 1);
	errno = saved;
}

void
loop_free(struct loop *lp)
{
	size_t i;

	if (lp == NULL)
		return;
	if (sig_loop == lp) {
		for (i = 0; i < lp->nsigs; i++)
			sigaction(lp->sigs[i].signo, &lp->sigs[i].old, NULL);
		close(sig_pipe[0]);
		close(sig_pipe[1]);
		sig_pipe[0] = sig_pipe[1] = -1;
		sig_loop = NULL;
	}
	free(lp->sigs);
	free(lp->watches);
	free(lp->pfds);
	free(lp->pserial);
	free(lp->timers);
	free(lp);
}

/* ---------------------------------------------------------------- descriptors */

static struct watch *
watch_find(struct loop *lp, int fd)
{
	size_t i;

	for (i = 0; i < lp->nwatches; i++)
		if (lp->watches[i].fd == fd && !lp->watches[i].dead)
			return &lp->watches[i];
	return NULL;
}

int
loop_add_fd(struct loop *lp, int fd, unsigned events,
    void (*cb)(void *ctx, int fd, unsigned revents), void *ctx)
{
	struct watch *w;

	if (fd < 0 || watch_find(lp, fd) != NULL)
		return -1;
	if (lp->nwatches == lp->capwatches) {
		lp->capwatches = lp->capwatches ? lp->capwatches * 2 : 8;
		lp->watches = xreallocarray(lp->watches, lp->capwatches, sizeof *lp->watches);
	}
	w = &lp->watches[lp->nwatches++];
	w->fd = fd;
	w->events = events;
	w->serial = ++lp->serial;
	w->dead = 0;
	w->cb = cb;
	w->ctx = ctx;
	return 0;
}

int
loop_set_events(struct loop *lp, int fd, unsigned events)
{
	struct watch *w = watch_find(lp, fd);

	if (w == NULL)
		return -1;
	w->events = events;
	return 0;
}

/* Drop the dead watches (never while results are being dispatched). */
static void
watch_sweep(struct loop *lp)
{
	size_t i, o = 0;

	for (i = 0; i < lp->nwatches; i++)
		if (!lp->watches[i].dead)
			lp->watches[o++] = lp->watches[i];
	lp->nwatches = o;
}

void
loop_remove_fd(struct loop *lp, int fd)
{
	struct watch *w = watch_find(lp, fd);

	if (w == NULL)
		return;
	w->dead = 1;
	if (!lp->dispatching)
		watch_sweep(lp);
}

/* ---------------------------------------------------------------- timers */

uint64_t
loop_add_timer(struct loop *lp, double delay, void (*cb)(void *ctx), void *ctx)
{
	struct timer *t;

	if (lp->ntimers == lp->captimers) {
		lp->captimers = lp->captimers ? lp->captimers * 2 : 8;
		lp->timers = xreallocarray(lp->timers, lp->captimers, sizeof *lp->timers);
	}
	t = &lp->timers[lp->ntimers++];
	t->id = ++lp->next_timer;
	t->when = loop_now() + (delay > 0 ? delay : 0);
	t->cb = cb;
	t->ctx = ctx;
	return t->id;
}

void
loop_cancel_timer(struct loop *lp, uint64_t id)
{
	size_t i;

	for (i = 0; i < lp->ntimers; i++)
		if (lp->timers[i].id == id) {
			lp->timers[i] = lp->timers[--lp->ntimers];
			return;
		}
}

/* Index of the timer due first, or -1 when there is none. */
static long
timer_first(const struct loop *lp)
{
	size_t i, best = 0;

	if (lp->ntimers == 0)
		return -1;
	for (i = 1; i < lp->ntimers; i++)
		if (lp->timers[i].when < lp->timers[best].when ||
		    (lp->timers[i].when == lp->timers[best].when &&
		    lp->timers[i].id < lp->timers[best].id))
			best = i;
	return (long)best;
}

/* Run the timers due at now that existed before this round (a timer added
 * by a callback waits for the next round, even with no delay), earliest
 * first. */
static int
timers_run(struct loop *lp, double now, uint64_t last_id, int stopped)
{
	struct timer t;
	size_t i;
	long k;
	int n = 0;

	while (lp->stopped == stopped) {
		for (i = 0, k = -1; i < lp->ntimers; i++) {
			const struct timer *c = &lp->timers[i];

			if (c->when > now || c->id > last_id)
				continue;
			if (k < 0 || c->when < lp->timers[k].when ||
			    (c->when == lp->timers[k].when && c->id < lp->timers[k].id))
				k = (long)i;
		}
		if (k < 0)
			break;
		t = lp->timers[k];
		lp->timers[k] = lp->timers[--lp->ntimers];
		t.cb(t.ctx);
		n++;
	}
	return n;
}

/* ---------------------------------------------------------------- signals */

static void
sig_read(void *ctx, int fd, unsigned revents)
{
	struct loop *lp = ctx;
	unsigned char buf[64];
	ssize_t r;
	size_t i, j;

	while ((r = read(fd, buf, sizeof buf)) > 0) {
		for (i = 0; i < (size_t)r; i++)
			for (j = 0; j < lp->nsigs; j++)
				if (lp->sigs[j].signo == buf[i])
					lp->sigs[j].cb(lp->sigs[j].ctx, buf[i]);
	}
}

/* Make the self-pipe (both ends non-blocking, closed on exec). */
static int
sig_pipe_open(struct loop *lp)
{
	int i;

	if (sig_loop == lp)
		return 0;
	if (sig_loop != NULL) {
		errno = EBUSY;
		return -1;
	}
	if (pipe(sig_pipe) != 0)
		return -1;
	for (i = 0; i < 2; i++) {
		fcntl(sig_pipe[i], F_SETFL, fcntl(sig_pipe[i], F_GETFL) | O_NONBLOCK);
		fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	sig_loop = lp;
	loop_add_fd(lp, sig_pipe[0], LOOP_IN, sig_read, lp);
	return 0;
}

int
loop_add_signal(struct loop *lp, int signo, void (*cb)(void *ctx, int signo), void *ctx)
{
	struct sigaction sa;
	struct sigwatch *s;
	size_t i;

	if (signo <= 0 || signo > 255) {
		errno = EINVAL;
		return -1;
	}
	if (sig_pipe_open(lp) != 0)
		return -1;
	for (i = 0; i < lp->nsigs; i++)
		if (lp->sigs[i].signo == signo) {
			lp->sigs[i].cb = cb;
			lp->sigs[i].ctx = ctx;
			return 0;
		}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = sig_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	lp->sigs = xreallocarray(lp->sigs, lp->nsigs + 1, sizeof *lp->sigs);
	s = &lp->sigs[lp->nsigs];
	if (sigaction(signo, &sa, &s->old) != 0)
		return -1;
	s->signo = signo;
	s->cb = cb;
	s->ctx = ctx;
	lp->nsigs++;
	return 0;
}

/* ---------------------------------------------------------------- running */

/* Milliseconds poll() may wait: the caller's limit, cut by the next timer. */
static int
poll_timeout(const struct loop *lp, double timeout, double now)
{
	long k = timer_first(lp);
	double wait = timeout;

	if (k >= 0) {
		double due = lp->timers[k].when - now;

		if (due < 0)
			due = 0;
		if (wait < 0 || due < wait)
			wait = due;
	}
	if (wait < 0)
		return -1;
	if (wait > 86400)
		wait = 86400;
	/* round up, so that a timer is not woken for a millisecond early */
	return (int)(wait * 1000.0 + 0.999);
}

int
loop_once(struct loop *lp, double timeout)
{
	size_t i, n = 0;
	uint64_t last_timer = lp->next_timer;
	double now = loop_now();
	int r, ran = 0, stopped = lp->stopped;

	if (lp->cappfds < lp->nwatches) {
		lp->cappfds = lp->nwatches;
		lp->pfds = xreallocarray(lp->pfds, lp->cappfds, sizeof *lp->pfds);
		lp->pserial = xreallocarray(lp->pserial, lp->cappfds, sizeof *lp->pserial);
	}
	for (i = 0; i < lp->nwatches; i++) {
		const struct watch *w = &lp->watches[i];

		if (w->dead || w->events == 0)
			continue;
		lp->pfds[n].fd = w->fd;
		lp->pfds[n].events = (short)(((w->events & LOOP_IN) ? POLLIN : 0) |
		    ((w->events & LOOP_OUT) ? POLLOUT : 0));
		lp->pfds[n].revents = 0;
		lp->pserial[n++] = w->serial;
	}
	r = poll(lp->pfds, (nfds_t)n, poll_timeout(lp, timeout, now));
	if (r < 0 && errno != EINTR)
		return -1;

	lp->dispatching = 1;
	/* once a callback stops the loop, the rest waits for another round */
	for (i = 0; r > 0 && i < n && lp->stopped == stopped; i++) {
		struct watch *w;
		unsigned rev = 0;
		short pr = lp->pfds[i].revents;

		if (pr == 0)
			continue;
		if ((w = watch_find(lp, lp->pfds[i].fd)) == NULL || w->serial != lp->pserial[i])
			continue;
		if (pr & POLLIN)
			rev |= LOOP_IN;
		if (pr & POLLOUT)
			rev |= LOOP_OUT;
		if (pr & (POLLERR | POLLHUP | POLLNVAL))
			rev |= LOOP_ERR;
		w->cb(w->ctx, w->fd, rev);
		ran++;
	}
	lp->dispatching = 0;
	watch_sweep(lp);
	if (lp->stopped == stopped)
		ran += timers_run(lp, loop_now(), last_timer, stopped);
	return ran;
}

int
loop_run(struct loop *lp)
{
	while (!lp->stopped)
		if (loop_once(lp, -1) < 0)
			return -1;
	return 0;
}

void
loop_stop(struct loop *lp)
{
	lp->stopped = 1;
}

int
loop_stopped(const struct loop *lp)
{
	return lp->stopped;
}
