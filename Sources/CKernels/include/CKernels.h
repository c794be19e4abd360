// CKernels: Vigil's own CPU kernels in C, for loops that Swift cannot vectorise to the
// machine's full width. Imported by the Tensor target only.
#ifndef VIGIL_CKERNELS_H
#define VIGIL_CKERNELS_H
#include <stddef.h>

/// 1 when the CPU supports AVX-512F (checked once).
int vk_has_avx512f(void);

#endif
