/* What the parts of the simulation share (src/sim/): one random stream, and writing
 * files and folders with a diag that names them. */
#ifndef KS_SIM_H
#define KS_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "kensa/status.h"

/* splitmix64: small, fast, and the same everywhere (the same seed, the same files). */
uint64_t ks_sim_rng(uint64_t *state);
/* A number below n (n > 0). */
static inline uint32_t ks_sim_below(uint64_t *state, uint32_t n)
{
    return (uint32_t)(ks_sim_rng(state) % n);
}

/* Create the folder (an existing one is fine) / write a whole file. */
ks_status ks_sim_make_dir(const char *path, ks_diag *diag);
ks_status ks_sim_write_file(const char *path, const void *data, size_t n, ks_diag *diag);

#endif
