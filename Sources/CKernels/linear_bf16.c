// The inference Linear (`out = gelu?(in · Wᵀ + bias + residual)`, as gemm.c) with bfloat16
// inputs and float32 accumulation on AVX512-BF16 (VDPBF16PS): AMD Zen 4 and 5, Intel Cooper
// Lake and Sapphire Rapids. The weight is rounded and packed once, at load time; the input is
// rounded once per product (shared by all threads); bias, residual and GELU stay float32.
//
// Weight layout: panels of 32 output columns; in a panel, per k-pair kp, the 32 columns'
// pairs (w[j][2kp], w[j][2kp+1]) side by side: 64 bf16, two zmm registers. VDPBF16PS adds,
// per float32 lane j, a(r, 2kp)·w(j, 2kp) + a(r, 2kp+1)·w(j, 2kp+1): broadcast the input
// row's pair (32 bits) and multiply it with the panel's two registers. A row of the input
// rounded to bf16 is already a sequence of pairs, so the input needs no other packing.
//
// The functions carry their own target attribute, so the file builds for any x86-64 CPU;
// call them only when vk_has_avx512_bf16() returns 1 (vk_pack_weight_bf16 runs anywhere).
#include "CKernels.h"
#include "vecmath.h"

#include <stdint.h>
#include <string.h>

#define VK_BF16DP __attribute__((target("avx512f,avx512bw,avx512bf16,fma")))

#define NR 32  // columns per panel
#define MR 12  // rows of C per micro-kernel step (24 accumulators)
#ifndef KCP
#define KCP 192 // k-pairs per block (384 k values)
#endif
#ifndef MC
#define MC 96
#endif
#ifndef PF
#define PF 8    // weight prefetch distance, in k-pairs
#endif

static inline int pairs_of(int k) { return (k + 1) / 2; }

size_t vk_bf16_packed_weight_elements(int n, int k) {
    if (n <= 0 || k <= 0) return 0;
    return (size_t)((n + NR - 1) / NR) * NR * 2 * (size_t)pairs_of(k);
}

size_t vk_bf16_row_stride(int k) { return (size_t)(k + 31) / 32 * 32; }

// Round to nearest even, NaN kept quiet: the same rounding as VCVTNE2PS2BF16.
static uint16_t to_bf16(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

void vk_pack_weight_bf16(const float *w, int n, int k, uint16_t *packed) {
    const int kp = pairs_of(k), panels = (n + NR - 1) / NR;
    for (int p = 0; p < panels; p++) {
        uint16_t *dst = packed + (size_t)p * kp * 2 * NR;
        for (int q = 0; q < kp; q++) {
            uint16_t *step = dst + (size_t)q * 2 * NR;
            for (int j = 0; j < NR; j++) {
                int col = p * NR + j;
                for (int t = 0; t < 2; t++) {
                    int kk = 2 * q + t;
                    step[2 * j + t] = col < n && kk < k ? to_bf16(w[(size_t)col * k + kk]) : 0;
                }
            }
        }
    }
}

VK_BF16DP void vk_bf16_round_rows(const float *a, int m, int k, size_t lda, uint16_t *dst, int row_begin,
                                  int row_end) {
    const size_t ld = vk_bf16_row_stride(k);
    for (int r = row_begin; r < row_end && r < m; r++) {
        const float *row = a + (size_t)r * lda;
        uint16_t *out = dst + (size_t)r * ld;
        for (int c = 0; c < (int)ld; c += 32) {
            int left = k - c;
            __m512 lo = _mm512_maskz_loadu_ps(vk_mask(left), row + c);
            __m512 hi = _mm512_maskz_loadu_ps(vk_mask(left - 16), row + c + 16);
            _mm512_storeu_si512(out + c, (__m512i)_mm512_cvtne2ps_pbh(hi, lo));
        }
    }
}

// One MR_ × 32 block of C over kc k-pairs. `first`: start from the bias (or zero) rather than
// from C; `last`: add the residual and apply GELU before storing.
static inline __attribute__((always_inline)) VK_BF16DP void
micro(const int MR_, int kc, const uint16_t *a, size_t lda, const uint16_t *b, float *c, size_t ldc,
      __mmask16 m0, __mmask16 m1, int first, int last, const float *bias, const float *res, size_t ldr, int gelu) {
    __m512 acc0[MR], acc1[MR];
    vk_acc_begin(MR_, acc0, acc1, first, bias, c, ldc, m0, m1);
    for (int q = 0; q < kc; q++) {
#if PF > 0
        _mm_prefetch((const char *)(b + (size_t)(q + PF) * 2 * NR), _MM_HINT_T0);
        _mm_prefetch((const char *)(b + (size_t)(q + PF) * 2 * NR + 32), _MM_HINT_T0);
#endif
        __m512bh w0 = (__m512bh)_mm512_loadu_si512(b + (size_t)q * 2 * NR);
        __m512bh w1 = (__m512bh)_mm512_loadu_si512(b + (size_t)q * 2 * NR + 32);
        for (int i = 0; i < MR_; i++) {
            int32_t pair;
            memcpy(&pair, a + i * lda + 2 * q, 4);
            __m512bh x = (__m512bh)_mm512_set1_epi32(pair);
            acc0[i] = _mm512_dpbf16_ps(acc0[i], x, w0);
            acc1[i] = _mm512_dpbf16_ps(acc1[i], x, w1);
        }
    }
    vk_acc_end(MR_, acc0, acc1, last, res, ldr, gelu, c, ldc, m0, m1);
}

static VK_BF16DP void micro_any(int rows, int kc, const uint16_t *a, size_t lda, const uint16_t *b, float *c,
                                size_t ldc, __mmask16 m0, __mmask16 m1, int first, int last, const float *bias,
                                const float *res, size_t ldr, int gelu) {
#define VK_CASE(R) case R: micro(R, kc, a, lda, b, c, ldc, m0, m1, first, last, bias, res, ldr, gelu); break;
    switch (rows) {
        VK_CASE(1) VK_CASE(2) VK_CASE(3) VK_CASE(4) VK_CASE(5) VK_CASE(6)
        VK_CASE(7) VK_CASE(8) VK_CASE(9) VK_CASE(10) VK_CASE(11) VK_CASE(12)
        default: break;
    }
#undef VK_CASE
}

static VK_BF16DP void micro_full(int kc, const uint16_t *a, size_t lda, const uint16_t *b, float *c, size_t ldc,
                                 int first, int last, const float *bias, const float *res, size_t ldr, int gelu) {
    micro(MR, kc, a, lda, b, c, ldc, 0xFFFF, 0xFFFF, first, last, bias, res, ldr, gelu);
}

VK_BF16DP void vk_linear_bf16(const uint16_t *a, int m, int k, const uint16_t *packed, int n, const float *bias,
                              const float *residual, size_t ldr, int gelu, float *c, size_t ldc, int panel_begin,
                              int panel_end) {
    if (m <= 0 || n <= 0) return;
    const int kp = pairs_of(k);
    const size_t lda = vk_bf16_row_stride(k);
    if (kp == 0) {
        for (int i = 0; i < m; i++)
            for (int j = panel_begin * NR; j < n && j < panel_end * NR; j++) {
                float v = (bias ? bias[j] : 0) + (residual ? residual[i * ldr + j] : 0);
                c[i * ldc + j] = gelu ? vk_gelu_scalar(v) : v;
            }
        return;
    }
    // Split the k-pairs into near-equal blocks of at most KCP.
    int kblocks = (kp + KCP - 1) / KCP;
    for (int kb = 0; kb < kblocks; kb++) {
        int q0 = (int)((long)kp * kb / kblocks), q1 = (int)((long)kp * (kb + 1) / kblocks), kc = q1 - q0;
        int first = kb == 0, last = kb == kblocks - 1;
        for (int m0 = 0; m0 < m; m0 += MC) {
            int mc = m - m0 < MC ? m - m0 : MC;
            for (int p = panel_begin; p < panel_end; p++) {
                int col = p * NR, cols = n - col < NR ? n - col : NR;
                const uint16_t *bp = packed + ((size_t)p * kp + q0) * 2 * NR;
                const float *bb = bias ? bias + col : NULL;
                __mmask16 m0mask = vk_mask(cols), m1mask = vk_mask(cols - 16);
                for (int i = 0; i < mc; i += MR) {
                    int row = m0 + i, rows = mc - i < MR ? mc - i : MR;
                    const uint16_t *ap = a + (size_t)row * lda + 2 * (size_t)q0;
                    const float *rp = residual ? residual + row * ldr + col : NULL;
                    if (rows == MR && cols == NR)
                        micro_full(kc, ap, lda, bp, c + row * ldc + col, ldc, first, last, bb, rp, ldr, gelu);
                    else
                        micro_any(rows, kc, ap, lda, bp, c + row * ldc + col, ldc, m0mask, m1mask, first, last, bb,
                                  rp, ldr, gelu);
                }
            }
        }
    }
}
