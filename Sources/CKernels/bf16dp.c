// Matrix products with bfloat16 inputs and float32 accumulation on AVX512-BF16 (VDPBF16PS),
// for CPUs without AMX (AMD Zen 4 and 5, Intel Cooper Lake): the same packed operands as
// bf16.c's AMX product (vk_bf16_pack_a / vk_bf16_pack_b), so only the product differs.
//
// In B's pair layout a packed row (16 k-pairs × 16 columns) is one zmm register, and
// VDPBF16PS adds, per column, a(r, kk)·b(kk, j) + a(r, kk+1)·b(kk+1, j) to a float32 lane:
// broadcast A's pair (32 bits) and multiply it with B's row. Each step of the micro-kernel
// computes 8 rows × 32 columns of C in 16 accumulators.
//
// The functions carry their own target attribute, so the file builds for any x86-64 CPU;
// call them only when vk_has_avx512_bf16() returns 1.
#include "CKernels.h"
#include "vecmath.h"

#include <stdint.h>

#define VK_BF16DP __attribute__((target("avx512f,avx512bw,avx512bf16,fma")))

#define TILE_ELEMS 512 // 16 rows × 32 bf16, as in bf16.c
#define MR 8           // rows of C per micro-kernel step

int vk_has_avx512_bf16(void) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512bf16") && __builtin_cpu_supports("avx512bw") ? 1 : 0;
#else
    return 0;
#endif
}

// C rows [i, i + rows) × columns [j, j + cols) (cols ≤ 32) from 8 × 32 accumulators.
static inline VK_BF16DP void store_block(__m512 acc[MR][2], float *c, size_t ldc, int rows, int cols,
                                         int accumulate) {
    __mmask16 m0 = vk_mask(cols), m1 = vk_mask(cols - 16);
    for (int r = 0; r < rows; r++) {
        float *out = c + (size_t)r * ldc;
        __m512 v0 = acc[r][0], v1 = acc[r][1];
        if (accumulate) {
            v0 = _mm512_add_ps(v0, _mm512_maskz_loadu_ps(m0, out));
            v1 = _mm512_add_ps(v1, _mm512_maskz_loadu_ps(m1, out + 16));
        }
        _mm512_mask_storeu_ps(out, m0, v0);
        _mm512_mask_storeu_ps(out + 16, m1, v1);
    }
}

VK_BF16DP void vk_bf16_gemm_packed_dp(const uint16_t *a, const uint16_t *b, int m, int n, int k, float *c,
                                      size_t ldc, int accumulate, int block_begin, int block_end) {
    const int chunks = (k + 31) / 32;
    for (int jb = block_begin; jb < block_end; jb++) { // 32-column blocks of C
        const int j = jb * 32, cols = n - j < 32 ? n - j : 32;
        const uint16_t *b0 = b + (size_t)(2 * jb) * chunks * TILE_ELEMS;
        const uint16_t *b1 = b0 + (size_t)chunks * TILE_ELEMS;
        for (int i = 0; i < m; i += MR) { // rows past m are zero padding in A: never computed
            const uint16_t *ablock = a + (size_t)(i / 16) * chunks * TILE_ELEMS + (size_t)(i % 16) * 32;
            __m512 acc[MR][2];
            for (int r = 0; r < MR; r++) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
            for (int q = 0; q < chunks; q++) {
                const uint16_t *aq = ablock + (size_t)q * TILE_ELEMS;
                const uint16_t *b0q = b0 + (size_t)q * TILE_ELEMS, *b1q = b1 + (size_t)q * TILE_ELEMS;
                for (int p = 0; p < 16; p++) {
                    __m512bh y0 = (__m512bh)_mm512_loadu_si512(b0q + p * 32);
                    __m512bh y1 = (__m512bh)_mm512_loadu_si512(b1q + p * 32);
                    for (int r = 0; r < MR; r++) {
                        int32_t pair;
                        __builtin_memcpy(&pair, aq + r * 32 + 2 * p, 4);
                        __m512bh x = (__m512bh)_mm512_set1_epi32(pair);
                        acc[r][0] = _mm512_dpbf16_ps(acc[r][0], x, y0);
                        acc[r][1] = _mm512_dpbf16_ps(acc[r][1], x, y1);
                    }
                }
            }
            store_block(acc, c + (size_t)i * ldc + j, ldc, m - i < MR ? m - i : MR, cols, accumulate);
        }
    }
}
