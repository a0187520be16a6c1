#ifndef QDRANT_BACKUP_CZSTD_SHIM_H
#define QDRANT_BACKUP_CZSTD_SHIM_H

// The stable streaming API (ZSTD_compressStream2, ZSTD_c_nbWorkers) is all the project uses.
#include <zstd.h>
#include <zstd_errors.h>

#endif
