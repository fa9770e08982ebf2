// libpq for the PostgreSQL probe.
#ifndef FAULTLINE_CLIBPQ_SHIM_H
#define FAULTLINE_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
