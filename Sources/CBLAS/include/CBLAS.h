// CBLAS: the only door to OpenBLAS (libopenblas-dev). Imported by the Tensor target only.
#ifndef VIGIL_CBLAS_H
#define VIGIL_CBLAS_H
#include <cblas.h>
#endif
