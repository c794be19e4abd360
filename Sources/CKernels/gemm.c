// A single-precision GEMM for PyTorch's Linear layout (`out = in · Wᵀ + b`) with the weight
// packed once, at load time, into the micro-kernel's panel layout; AVX-512 micro-kernel of
// 12 rows × 32 columns (24 accumulators), bias, residual and GELU fused into the epilogue.
#include "CKernels.h"
#include "vecmath.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define NR VK_PANEL_WIDTH
#define MR 12
// Tuning knobs (overridable with -D for experiments): weight prefetch distance in k steps,
// k-block and row-block sizes.
#ifndef PF
#define PF 16
#endif
#ifndef KC
#define KC 384
#endif
#ifndef MC
#define MC 96
#endif

size_t vk_packed_floats(int n, int k) {
    if (n <= 0 || k <= 0) return 0;
    return (size_t)((n + NR - 1) / NR) * NR * (size_t)k;
}

void vk_pack_weight(const float *w, int n, int k, float *packed) {
    int panels = (n + NR - 1) / NR;
    for (int p = 0; p < panels; p++) {
        float *dst = packed + (size_t)p * k * NR;
        int cols = n - p * NR < NR ? n - p * NR : NR;
        for (int kk = 0; kk < k; kk++) {
            float *row = dst + (size_t)kk * NR;
            for (int j = 0; j < cols; j++) row[j] = w[(size_t)(p * NR + j) * k + kk];
            for (int j = cols; j < NR; j++) row[j] = 0;
        }
    }
}


// Copies rows × kc of A (row stride lda) into micro-panels of MR rows, k-major within each
// (panel q holds a[q·MR + i][kk] at q·MR·kc + kk·MR + i), zero past `rows`. Blocks of
// 16 k-values go through a register transpose.
static VK_AVX512 void pack_a(const float *a, size_t lda, int rows, int kc, float *dst) {
    for (int q = 0; q < rows; q += MR) {
        int r = rows - q < MR ? rows - q : MR;
        float *panel = dst + (size_t)q * kc;
        int kk = 0;
        for (; kk + 16 <= kc; kk += 16) {
            __m512 v[16];
            for (int i = 0; i < 16; i++)
                v[i] = i < r ? _mm512_loadu_ps(a + (size_t)(q + i) * lda + kk) : _mm512_setzero_ps();
            vk_transpose16(v);
            for (int j = 0; j < 16; j++) _mm512_mask_storeu_ps(panel + (size_t)(kk + j) * MR, 0x0FFF, v[j]);
        }
        for (; kk < kc; kk++) {
            float *col = panel + (size_t)kk * MR;
            for (int i = 0; i < MR; i++) col[i] = i < r ? a[(size_t)(q + i) * lda + kk] : 0;
        }
    }
}

// One MR_ × 32 block of C over kc steps of k. `first`: start from the bias (or zero) rather
// than from C; `last`: add the residual and apply GELU before storing.
static inline __attribute__((always_inline)) VK_AVX512 void
micro(const int MR_, int kc, const float *a, const float *b, float *c, size_t ldc,
      __mmask16 m0, __mmask16 m1, int first, int last, const float *bias, const float *res, size_t ldr, int gelu) {
    __m512 acc0[MR], acc1[MR];
    vk_acc_begin(MR_, acc0, acc1, first, bias, c, ldc, m0, m1);
    for (int k = 0; k < kc; k++) {
#if PF > 0
        // The packed weight streams from memory at small batch: fetch it a little ahead.
        _mm_prefetch((const char *)(b + (size_t)(k + PF) * NR), _MM_HINT_T0);
        _mm_prefetch((const char *)(b + (size_t)(k + PF) * NR + 16), _MM_HINT_T0);
#endif
        __m512 bv0 = _mm512_loadu_ps(b + (size_t)k * NR), bv1 = _mm512_loadu_ps(b + (size_t)k * NR + 16);
        for (int i = 0; i < MR_; i++) {
            __m512 av = _mm512_set1_ps(a[k * MR + i]);
            acc0[i] = _mm512_fmadd_ps(av, bv0, acc0[i]);
            acc1[i] = _mm512_fmadd_ps(av, bv1, acc1[i]);
        }
    }
    vk_acc_end(MR_, acc0, acc1, last, res, ldr, gelu, c, ldc, m0, m1);
}

static VK_AVX512 void micro_any(int rows, int kc, const float *a, const float *b, float *c, size_t ldc,
                                __mmask16 m0, __mmask16 m1, int first, int last, const float *bias,
                                const float *res, size_t ldr, int gelu) {
#define VK_CASE(R) case R: micro(R, kc, a, b, c, ldc, m0, m1, first, last, bias, res, ldr, gelu); break;
    switch (rows) {
        VK_CASE(1) VK_CASE(2) VK_CASE(3) VK_CASE(4) VK_CASE(5) VK_CASE(6)
        VK_CASE(7) VK_CASE(8) VK_CASE(9) VK_CASE(10) VK_CASE(11) VK_CASE(12)
        default: break;
    }
#undef VK_CASE
}

static VK_AVX512 void micro_full(int kc, const float *a, const float *b, float *c, size_t ldc,
                                 int first, int last, const float *bias, const float *res, size_t ldr, int gelu) {
    micro(MR, kc, a, b, c, ldc, 0xFFFF, 0xFFFF, first, last, bias, res, ldr, gelu);
}


// The product over panels [panel_begin, panel_end): A either packed here, per (k block, row
// block), or given whole in row panels by vk_pack_rows (`apre`, shared between threads).
static VK_AVX512 void linear(const float *a, size_t lda, const float *apre, int m, int k, const float *packed, int n,
                             const float *bias, const float *residual, size_t ldr, int gelu,
                             float *c, size_t ldc, int panel_begin, int panel_end) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
        // No products: out = bias (+ residual), then GELU.
        for (int i = 0; i < m; i++)
            for (int j = panel_begin * NR; j < n && j < panel_end * NR; j++) {
                float v = (bias ? bias[j] : 0) + (residual ? residual[i * ldr + j] : 0);
                c[i * ldc + j] = gelu ? vk_gelu_scalar(v) : v;
            }
        return;
    }
    float *apack = NULL;
    if (!apre && !(apack = vk_scratch_floats(1, (size_t)MC * KC))) {
        // Out of memory for a 150 KB block: pack nothing, read rows in place, one at a time.
        for (int i = 0; i < m; i++) {
            float *row = c + (size_t)i * ldc;
            for (int j = panel_begin * NR; j < n && j < panel_end * NR; j++) {
                float v = (bias ? bias[j] : 0) + (residual ? residual[i * ldr + j] : 0);
                for (int kk = 0; kk < k; kk++) v += a[(size_t)i * lda + kk] * packed[((size_t)(j / NR) * k + kk) * NR + j % NR];
                row[j] = gelu ? vk_gelu_scalar(v) : v;
            }
        }
        return;
    }
    // Split k into near-equal blocks of at most KC.
    int kblocks = (k + KC - 1) / KC;
    for (int kb = 0; kb < kblocks; kb++) {
        int k0 = (int)((long)k * kb / kblocks), k1 = (int)((long)k * (kb + 1) / kblocks), kc = k1 - k0;
        int first = kb == 0, last = kb == kblocks - 1;
        for (int m0 = 0; m0 < m; m0 += MC) {
            int mc = m - m0 < MC ? m - m0 : MC;
            if (!apre) pack_a(a + (size_t)m0 * lda + k0, lda, mc, kc, apack);
            for (int p = panel_begin; p < panel_end; p++) {
                int col = p * NR, cols = n - col < NR ? n - col : NR;
                const float *bp = packed + ((size_t)p * k + k0) * NR;
                const float *bb = bias ? bias + col : NULL;
                __mmask16 m0mask = (__mmask16)(cols >= 16 ? 0xFFFF : ((1u << cols) - 1));
                __mmask16 m1mask = (__mmask16)(cols <= 16 ? 0 : ((1u << (cols - 16)) - 1));
                for (int i = 0; i < mc; i += MR) {
                    int row = m0 + i, rows = mc - i < MR ? mc - i : MR;
                    const float *ap = apre ? apre + (size_t)row * k + (size_t)k0 * MR : apack + (size_t)i * kc;
                    const float *rp = residual ? residual + row * ldr + col : NULL;
                    if (rows == MR && cols == NR)
                        micro_full(kc, ap, bp, c + row * ldc + col, ldc, first, last, bb, rp, ldr, gelu);
                    else
                        micro_any(rows, kc, ap, bp, c + row * ldc + col, ldc, m0mask, m1mask, first, last, bb, rp,
                                  ldr, gelu);
                }
            }
        }
    }
}

VK_AVX512 void vk_linear_packed(const float *a, int m, int k, size_t lda, const float *packed, int n,
                                const float *bias, const float *residual, size_t ldr, int gelu,
                                float *c, size_t ldc, int panel_begin, int panel_end) {
    linear(a, lda, NULL, m, k, packed, n, bias, residual, ldr, gelu, c, ldc, panel_begin, panel_end);
}

size_t vk_packed_rows_floats(int m, int k) {
    if (m <= 0 || k <= 0) return 0;
    return (size_t)((m + MR - 1) / MR) * MR * (size_t)k;
}

VK_AVX512 void vk_pack_rows(const float *a, int m, int k, size_t lda, float *dst, int panel_begin, int panel_end) {
    for (int q = panel_begin; q < panel_end; q++) {
        int row = q * MR, rows = m - row < MR ? m - row : MR;
        if (rows <= 0) break;
        pack_a(a + (size_t)row * lda, lda, rows, k, dst + (size_t)row * k);
    }
}

VK_AVX512 void vk_linear_prepacked(const float *apacked, int m, int k, const float *packed, int n,
                                   const float *bias, const float *residual, size_t ldr, int gelu,
                                   float *c, size_t ldc, int panel_begin, int panel_end) {
    linear(NULL, 0, apacked, m, k, packed, n, bias, residual, ldr, gelu, c, ldc, panel_begin, panel_end);
}

// Per-thread scratch: slot 0 is vk_thread_buffer's, slot 1 the input block packed by `linear`,
// slots 2 and 3 the bf16 operands of vk_bf16_gemm (bf16.c).
#define SCRATCH_SLOTS 4
struct scratch { float *buffer[SCRATCH_SLOTS]; size_t capacity[SCRATCH_SLOTS]; };
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static _Thread_local struct scratch *thread_scratch = NULL;

static void free_scratch(void *p) {
    struct scratch *s = p;
    for (int i = 0; i < SCRATCH_SLOTS; i++) free(s->buffer[i]);
    free(s);
}

static void make_scratch_key(void) { pthread_key_create(&scratch_key, free_scratch); }

float *vk_scratch_floats(int slot, size_t floats) {
    if (!thread_scratch) {
        pthread_once(&scratch_once, make_scratch_key);
        thread_scratch = calloc(1, sizeof(struct scratch));
        if (!thread_scratch) return NULL;
        pthread_setspecific(scratch_key, thread_scratch); // freed when the thread exits
    }
    struct scratch *s = thread_scratch;
    if (floats <= s->capacity[slot]) return s->buffer[slot];
    void *grown = NULL;
    if (posix_memalign(&grown, 64, floats * sizeof(float)) != 0) return NULL;
    free(s->buffer[slot]);
    s->buffer[slot] = grown;
    s->capacity[slot] = floats;
    return grown;
}

float *vk_thread_buffer(size_t floats) { return vk_scratch_floats(0, floats); }
