// glibc's posix_spawn close-range action (2.34+), declared only under _GNU_SOURCE in <spawn.h>.
#ifndef FAULTLINE_CSPAWN_SHIM_H
#define FAULTLINE_CSPAWN_SHIM_H
#include <spawn.h>

int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);

/// Closes every descriptor >= `from` in the child (after the earlier file actions).
static inline int fl_spawn_add_closefrom(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}
#endif
