/* loop.h - the one poll() event loop: file descriptors, timers, signals.
 *
 * Everything that waits in xraytop waits here.  A source registers its file
 * descriptor with a callback, run on the loop's thread when poll() says the
 * descriptor is ready; timers fire once after a delay (a callback may add a
 * timer again to repeat); signals are caught by a handler that only writes
 * the signal number to a pipe (the self-pipe trick), and their callbacks
 * run from the loop like any other, so no data is ever touched from a
 * signal handler.  The non-interactive commands and the TUI run the same
 * loop: the TUI adds the terminal's descriptor next to the sources'.
 *
 * Callbacks may add or remove descriptors and timers, and stop the loop.
 * Not thread-safe: a loop belongs to one thread.  Only one loop at a time
 * may handle signals; loop_free puts back the dispositions it replaced.
 */
#ifndef XRAYTOP_LOOP_H
#define XRAYTOP_LOOP_H

#include <stdint.h>

#define LOOP_IN		0x1u    /* readable */
#define LOOP_OUT	0x2u    /* writable */
#define LOOP_ERR	0x4u    /* in revents only: error, hang-up or bad descriptor */

struct loop;

struct loop *loop_new(void);
void loop_free(struct loop *lp);

/* Watch fd for events (LOOP_IN, LOOP_OUT); cb gets what happened.  One
 * registration per descriptor: returns -1 when fd is already watched. */
int loop_add_fd(struct loop *lp, int fd, unsigned events,
    void (*cb)(void *ctx, int fd, unsigned revents), void *ctx);
/* Change what fd is watched for (0: nothing for now); -1 when not watched. */
int loop_set_events(struct loop *lp, int fd, unsigned events);
/* Stop watching fd (the caller closes it). */
void loop_remove_fd(struct loop *lp, int fd);

/* Call cb once, delay seconds from now; returns the timer's id (never 0). */
uint64_t loop_add_timer(struct loop *lp, double delay, void (*cb)(void *ctx), void *ctx);
/* Cancel a timer that has not fired (an unknown id is ignored). */
void loop_cancel_timer(struct loop *lp, uint64_t id);

/* Call cb from the loop each time signal signo arrives.  Returns -1 (errno
 * set) when the signal cannot be caught or another loop handles signals. */
int loop_add_signal(struct loop *lp, int signo, void (*cb)(void *ctx, int signo), void *ctx);

/* Wait at most timeout seconds (< 0: until something happens) and run
 * whatever is due.  Returns the number of callbacks run, or -1 when poll()
 * fails for another reason than a signal. */
int loop_once(struct loop *lp, double timeout);
/* Run until loop_stop is called (at once if it already was); returns 0,
 * or -1 when poll() fails. */
int loop_run(struct loop *lp);
/* Make loop_run return after the current callback. */
void loop_stop(struct loop *lp);
int loop_stopped(const struct loop *lp);

/* Seconds on the monotonic clock. */
double loop_now(void);

#endif
