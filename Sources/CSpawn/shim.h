// glibc calls declared only under _GNU_SOURCE or variadic (which Swift cannot call): posix_spawn's
// close-range action (2.34+, <spawn.h>), setns (<sched.h>), ppoll (<poll.h>) and prctl's timer slack;
// and epoll and eventfd, whose headers Swift's Glibc module leaves out (the probes' poller).
#ifndef FAULTLINE_CSPAWN_SHIM_H
#define FAULTLINE_CSPAWN_SHIM_H
#include <spawn.h>

int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);

/// Closes every descriptor >= `from` in the child (after the earlier file actions).
static inline int fl_spawn_add_closefrom(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}
int setns(int fd, int nstype);

/// Moves the calling thread into the network namespace `fd` (an open /proc/PID/ns/net) — CLONE_NEWNET.
static inline int fl_enter_network_namespace(int fd) {
    return setns(fd, 0x40000000);
}

#include <poll.h>
#include <signal.h>
#include <time.h>
int ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout, const sigset_t *sigmask);

/// poll(2) with a time-out in nanoseconds (negative: none) instead of whole milliseconds.
static inline int fl_poll_nanoseconds(struct pollfd *fds, nfds_t count, long long nanoseconds) {
    if (nanoseconds < 0) return ppoll(fds, count, 0, 0);
    struct timespec timeout = { (time_t)(nanoseconds / 1000000000LL), (long)(nanoseconds % 1000000000LL) };
    return ppoll(fds, count, &timeout, 0);
}

int prctl(int option, ...);

/// Sets the calling thread's timer slack (PR_SET_TIMERSLACK, 29): how late the kernel may end its
/// sleeps to batch wake-ups (50 µs by default).
static inline int fl_set_timer_slack(unsigned long nanoseconds) {
    return prctl(29, nanoseconds, 0, 0, 0);
}
#include <sys/epoll.h>
#include <sys/eventfd.h>

/// epoll_wait with a time-out in nanoseconds (negative: none): the probes' ticks fall on their
/// instant, not on the next whole millisecond.
static inline int fl_epoll_wait_nanoseconds(int epoll, struct epoll_event *events, int count, long long nanoseconds) {
    if (nanoseconds < 0) return epoll_pwait2(epoll, events, count, 0, 0);
    struct timespec timeout = { (time_t)(nanoseconds / 1000000000LL), (long)(nanoseconds % 1000000000LL) };
    return epoll_pwait2(epoll, events, count, &timeout, 0);
}

#endif
