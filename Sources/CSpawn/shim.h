// glibc calls declared only under _GNU_SOURCE: posix_spawn's close-range action (2.34+, <spawn.h>)
// and setns (<sched.h>).
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
#endif
