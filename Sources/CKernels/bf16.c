// Matrix products with bfloat16 inputs and float32 accumulation on Intel AMX (AMX-BF16 tiles),
// for mixed-precision training: C (m, n) = op(A) (m, k) · op(B) (k, n), or C += that.
//
// Both operands are first rounded to bfloat16 (round to nearest even) and packed into tiles of
// 16 rows × 64 bytes, each tile contiguous, zero-padded to whole tiles:
//   A: 16-row blocks; each holds, per 32-wide k chunk, 16 rows × 32 bf16 (row-major).
//   B: 16-column panels; each holds, per 32-wide k chunk, 16 k-pairs × 16 columns × 2 bf16
//      (the "VNNI" layout TDPBF16PS reads: the pair (k, k+1) of one column side by side).
// The product then runs 32 × 32 blocks of C in four accumulator tiles.
#include "CKernels.h"
#include "vecmath.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif
#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

#define VK_AMX __attribute__((target("avx512f,avx512bw,avx512bf16,amx-tile,amx-bf16,fma")))
#define VK_BF16 __attribute__((target("avx512f,avx512bw,avx512bf16,fma")))

#define TILE_ELEMS 512 // one tile: 16 rows × 32 bf16

static int round32(int x) { return (x + 31) / 32 * 32; }

static int amx_state = 0;
static pthread_once_t amx_once = PTHREAD_ONCE_INIT;

static void detect_amx(void) {
#if defined(__x86_64__) && defined(__linux__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    unsigned a, b, c, d;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return; // no leaf 7: no AMX
    int amx_bf16 = (d >> 22) & 1, amx_tile = (d >> 24) & 1;
    if (!__get_cpuid_count(7, 1, &a, &b, &c, &d)) return;
    int avx512_bf16 = (a >> 5) & 1;
    if (amx_bf16 && amx_tile && avx512_bf16 && __builtin_cpu_supports("avx512bw")) {
        // Linux hands out the 8 KiB tile state only to processes that ask for it
        // (ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA); the answer covers every thread.
        amx_state = syscall(SYS_arch_prctl, 0x1023, 18) == 0;
    }
#endif
}

int vk_has_amx_bf16(void) {
    pthread_once(&amx_once, detect_amx);
    return amx_state;
}

size_t vk_bf16_a_elements(int m, int k) { return (size_t)round32(m) * (size_t)round32(k); }
size_t vk_bf16_b_elements(int k, int n) { return (size_t)round32(k) * (size_t)round32(n); }

uint16_t *vk_bf16_operand(int which, size_t elements) {
    return (uint16_t *)vk_scratch_floats(2 + (which != 0), (elements + 1) / 2);
}

static inline VK_BF16 __m512i cvt32(__m512 lo, __m512 hi) {
    return (__m512i)_mm512_cvtne2ps_pbh(hi, lo); // bf16 of lo in the low half, hi in the high
}

VK_BF16 void vk_bf16_pack_a(const float *a, size_t lda, int trans, int m, int k, uint16_t *dst,
                            int block_begin, int block_end) {
    const int kp = round32(k), chunks = kp / 32;
    for (int blk = block_begin; blk < block_end; blk++) {
        uint16_t *base = dst + (size_t)blk * chunks * TILE_ELEMS;
        int r0 = blk * 16;
        if (!trans) {
            for (int i = 0; i < 16; i++) {
                int r = r0 + i;
                for (int c = 0; c < chunks; c++) {
                    __m512i v = _mm512_setzero_si512();
                    if (r < m) {
                        const float *row = a + (size_t)r * lda + c * 32;
                        int left = k - c * 32;
                        v = cvt32(_mm512_maskz_loadu_ps(vk_mask(left), row),
                                  _mm512_maskz_loadu_ps(vk_mask(left - 16), row + 16));
                    }
                    _mm512_storeu_si512(base + (size_t)c * TILE_ELEMS + i * 32, v);
                }
            }
        } else {
            // A(r, kk) = a[kk · lda + r]: transpose 16 × 16 blocks on the way.
            __mmask16 cols = vk_mask(m - r0);
            for (int kk0 = 0; kk0 < kp; kk0 += 16) {
                __m512 v[16];
                for (int t = 0; t < 16; t++)
                    v[t] = kk0 + t < k ? _mm512_maskz_loadu_ps(cols, a + (size_t)(kk0 + t) * lda + r0)
                                       : _mm512_setzero_ps();
                vk_transpose16(v);
                uint16_t *out = base + (size_t)(kk0 / 32) * TILE_ELEMS + (kk0 % 32);
                for (int i = 0; i < 16; i++)
                    _mm256_storeu_si256((__m256i *)(out + i * 32), (__m256i)_mm512_cvtneps_pbh(v[i]));
            }
        }
    }
}

VK_BF16 void vk_bf16_pack_b(const float *b, size_t ldb, int trans, int k, int n, uint16_t *dst,
                            int block_begin, int block_end) {
    const int kp = round32(k), np = round32(n), chunks = kp / 32;
    // Interleaves the low 16 bf16 (row kk) with the high 16 (row kk + 1).
    static const uint16_t order[32] = {0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23,
                                       8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31};
    const __m512i interleave = _mm512_loadu_si512(order);
    for (int c = block_begin; c < block_end; c++) { // c: a 32-wide k chunk (16 pairs)
        for (int j = 0; j < np; j += 16) {
            uint16_t *tile = dst + ((size_t)(j / 16) * chunks + c) * TILE_ELEMS;
            if (!trans) {
                __mmask16 cols = vk_mask(n - j);
                for (int p = 0; p < 16; p++) {
                    int kk = c * 32 + 2 * p;
                    __m512 lo = kk < k ? _mm512_maskz_loadu_ps(cols, b + (size_t)kk * ldb + j) : _mm512_setzero_ps();
                    __m512 hi = kk + 1 < k ? _mm512_maskz_loadu_ps(cols, b + (size_t)(kk + 1) * ldb + j) : _mm512_setzero_ps();
                    _mm512_storeu_si512(tile + p * 32, _mm512_permutexvar_epi16(interleave, cvt32(lo, hi)));
                }
            } else {
                // B(kk, col) = b[col · ldb + kk]: a pair (kk, kk + 1) is 32 bits of one row of b;
                // transpose 16 rows × 16 pairs as 32-bit words.
                __m512 w[16];
                int left = k - c * 32;
                for (int t = 0; t < 16; t++) {
                    if (j + t < n) {
                        const float *row = b + (size_t)(j + t) * ldb + c * 32;
                        w[t] = (__m512)cvt32(_mm512_maskz_loadu_ps(vk_mask(left), row),
                                             _mm512_maskz_loadu_ps(vk_mask(left - 16), row + 16));
                    } else {
                        w[t] = _mm512_setzero_ps();
                    }
                }
                vk_transpose16(w);
                for (int p = 0; p < 16; p++) _mm512_storeu_ps((float *)(tile + p * 32), w[p]);
            }
        }
    }
}

struct tile_config {
    uint8_t palette, start_row;
    uint8_t reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
} __attribute__((packed));

VK_AMX void vk_bf16_gemm_packed(const uint16_t *a, const uint16_t *b, int m, int n, int k, float *c,
                                size_t ldc, int accumulate, int block_begin, int block_end) {
    const int kp = round32(k), mp = round32(m), chunks = kp / 32;
    struct tile_config config;
    memset(&config, 0, sizeof config);
    config.palette = 1;
    for (int t = 0; t < 8; t++) { config.rows[t] = 16; config.colsb[t] = 64; }
    _tile_loadconfig(&config);
    float edge[32 * 32] __attribute__((aligned(64)));
    for (int jb = block_begin; jb < block_end; jb++) { // 32-column blocks of C
        int j = jb * 32;
        const uint16_t *b0 = b + (size_t)(2 * jb) * chunks * TILE_ELEMS;
        const uint16_t *b1 = b0 + (size_t)chunks * TILE_ELEMS;
        for (int i = 0; i < mp; i += 32) {
            int full = i + 32 <= m && j + 32 <= n;
            float *cij = c + (size_t)i * ldc + j;
            if (full && accumulate) {
                _tile_loadd(0, cij, ldc * 4);
                _tile_loadd(1, cij + 16, ldc * 4);
                _tile_loadd(2, cij + 16 * ldc, ldc * 4);
                _tile_loadd(3, cij + 16 * ldc + 16, ldc * 4);
            } else {
                _tile_zero(0); _tile_zero(1); _tile_zero(2); _tile_zero(3);
            }
            const uint16_t *a0 = a + (size_t)(i / 16) * chunks * TILE_ELEMS;
            const uint16_t *a1 = a0 + (size_t)chunks * TILE_ELEMS;
            for (int q = 0; q < chunks; q++) {
                _tile_loadd(4, a0 + (size_t)q * TILE_ELEMS, 64);
                _tile_loadd(5, a1 + (size_t)q * TILE_ELEMS, 64);
                _tile_loadd(6, b0 + (size_t)q * TILE_ELEMS, 64);
                _tile_loadd(7, b1 + (size_t)q * TILE_ELEMS, 64);
                _tile_dpbf16ps(0, 4, 6);
                _tile_dpbf16ps(1, 4, 7);
                _tile_dpbf16ps(2, 5, 6);
                _tile_dpbf16ps(3, 5, 7);
            }
            if (full) {
                _tile_stored(0, cij, ldc * 4);
                _tile_stored(1, cij + 16, ldc * 4);
                _tile_stored(2, cij + 16 * ldc, ldc * 4);
                _tile_stored(3, cij + 16 * ldc + 16, ldc * 4);
                continue;
            }
            _tile_stored(0, edge, 128);
            _tile_stored(1, edge + 16, 128);
            _tile_stored(2, edge + 16 * 32, 128);
            _tile_stored(3, edge + 16 * 32 + 16, 128);
            int rows = m - i < 32 ? m - i : 32, cols = n - j < 32 ? n - j : 32;
            for (int r = 0; r < rows; r++)
                for (int h = 0; h < cols; h += 16) {
                    __mmask16 mask = vk_mask(cols - h);
                    __m512 v = _mm512_load_ps(edge + r * 32 + h);
                    float *out = cij + (size_t)r * ldc + h;
                    if (accumulate) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask, out));
                    _mm512_mask_storeu_ps(out, mask, v);
                }
        }
    }
    _tile_release();
}
