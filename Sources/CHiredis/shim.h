// hiredis for the Redis probe. redisCommand is variadic: probes send argv with redisCommandArgv.
#ifndef FAULTLINE_CHIREDIS_SHIM_H
#define FAULTLINE_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#endif
