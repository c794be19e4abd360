// Vector exp, erf and GELU on 16 lanes (AVX-512), shared by the CKernels sources.
// Accuracy: exp within a few units in 1e-7 relative, erf within 1.5e-7 absolute
// (Abramowitz & Stegun 7.1.26), the same algorithms as Tensor's Swift `FastMath`.
#ifndef VIGIL_CKERNELS_VECMATH_H
#define VIGIL_CKERNELS_VECMATH_H
#include <immintrin.h>
#include <math.h>

#define VK_AVX512 __attribute__((target("avx512f,fma")))

/// The calling thread's scratch buffer `slot` (0...3) of at least `floats` floats (64-byte
/// aligned, grown on demand, contents unspecified, freed when the thread exits); NULL when
/// memory runs out. Slot 0 is vk_thread_buffer's; see gemm.c for who uses the others.
float *vk_scratch_floats(int slot, size_t floats);

/// e^x per lane: x = n·ln2 + r, e^r by a degree-6 polynomial, 2^n by scalef.
static inline VK_AVX512 __m512 vk_exp16(__m512 x) {
    x = _mm512_max_ps(_mm512_min_ps(x, _mm512_set1_ps(88.0f)), _mm512_set1_ps(-87.0f));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504f)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145751953125f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.428606765330187e-6f), r);
    __m512 p = _mm512_set1_ps(1.0f / 720);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(p, n);
}

/// erf(x) per lane (Abramowitz & Stegun 7.1.26, odd extension).
static inline VK_AVX512 __m512 vk_erf16(__m512 x) {
    __m512 a = _mm512_abs_ps(x);
    __m512 t = _mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_fmadd_ps(a, _mm512_set1_ps(0.3275911f), _mm512_set1_ps(1.0f)));
    __m512 p = _mm512_set1_ps(1.061405429f);
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-1.453152027f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(1.421413741f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-0.284496736f));
    p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.254829592f));
    p = _mm512_mul_ps(p, t);
    __m512 e = vk_exp16(_mm512_mul_ps(_mm512_sub_ps(_mm512_setzero_ps(), a), a));
    __m512 y = _mm512_fnmadd_ps(p, e, _mm512_set1_ps(1.0f));
    // Copy x's sign onto y (y >= 0).
    __m512i sign = _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32((int)0x80000000u));
    return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(y), sign));
}

/// GELU, erf form: x/2 · (1 + erf(x/√2)).
static inline VK_AVX512 __m512 vk_gelu16(__m512 x) {
    __m512 e = vk_erf16(_mm512_mul_ps(x, _mm512_set1_ps(0.70710678f)));
    return _mm512_mul_ps(_mm512_mul_ps(x, _mm512_set1_ps(0.5f)), _mm512_add_ps(e, _mm512_set1_ps(1.0f)));
}

/// Scalar GELU with libm's erff (for the k = 0 corner only).
static inline float vk_gelu_scalar(float x) { return 0.5f * x * (1.0f + erff(x * 0.70710678f)); }

/// Lanes below `count` (0...16) set.
static inline __mmask16 vk_mask(int count) {
    return count >= 16 ? (__mmask16)0xFFFF : (count <= 0 ? (__mmask16)0 : (__mmask16)((1u << count) - 1));
}

// Transposes 16 vectors in place: afterwards r[j] lane i holds what r[i] lane j held.
static inline __attribute__((always_inline)) VK_AVX512 void vk_transpose16(__m512 r[16]) {
    __m512 t[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
        r[i] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
        r[i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i]), _mm512_castps_pd(t[i + 2])));
        r[i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
        r[i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[i + 1]), _mm512_castps_pd(t[i + 3])));
    }
    for (int h = 0; h < 16; h += 8)
        for (int i = 0; i < 4; i++) {
            t[h + i] = _mm512_shuffle_f32x4(r[h + i], r[h + i + 4], 0x88);
            t[h + i + 4] = _mm512_shuffle_f32x4(r[h + i], r[h + i + 4], 0xdd);
        }
    for (int i = 0; i < 8; i++) {
        r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
        r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xdd);
    }
}

// The fused Linear kernels' epilogue (gemm.c, linear_bf16.c): `rows` rows of 32 float32
// accumulators, two zmm registers a row, for a block of C whose columns beyond the masks are
// left alone. vk_acc_begin starts them from the bias (or zero) on the first k block, else from
// C; vk_acc_end adds the residual and applies GELU on the last k block, then stores them.
static inline __attribute__((always_inline)) VK_AVX512 void
vk_acc_begin(const int rows, __m512 *acc0, __m512 *acc1, int first, const float *bias, const float *c, size_t ldc,
             __mmask16 m0, __mmask16 m1) {
    if (first) {
        __m512 b0 = bias ? _mm512_maskz_loadu_ps(m0, bias) : _mm512_setzero_ps();
        __m512 b1 = bias ? _mm512_maskz_loadu_ps(m1, bias + 16) : _mm512_setzero_ps();
        for (int i = 0; i < rows; i++) { acc0[i] = b0; acc1[i] = b1; }
    } else {
        for (int i = 0; i < rows; i++) {
            acc0[i] = _mm512_maskz_loadu_ps(m0, c + i * ldc);
            acc1[i] = _mm512_maskz_loadu_ps(m1, c + i * ldc + 16);
        }
    }
}

static inline __attribute__((always_inline)) VK_AVX512 void
vk_acc_end(const int rows, __m512 *acc0, __m512 *acc1, int last, const float *res, size_t ldr, int gelu, float *c,
           size_t ldc, __mmask16 m0, __mmask16 m1) {
    if (last) {
        if (res) {
            for (int i = 0; i < rows; i++) {
                acc0[i] = _mm512_add_ps(acc0[i], _mm512_maskz_loadu_ps(m0, res + i * ldr));
                acc1[i] = _mm512_add_ps(acc1[i], _mm512_maskz_loadu_ps(m1, res + i * ldr + 16));
            }
        }
        if (gelu) {
            for (int i = 0; i < rows; i++) { acc0[i] = vk_gelu16(acc0[i]); acc1[i] = vk_gelu16(acc1[i]); }
        }
    }
    for (int i = 0; i < rows; i++) {
        _mm512_mask_storeu_ps(c + i * ldc, m0, acc0[i]);
        _mm512_mask_storeu_ps(c + i * ldc + 16, m1, acc1[i]);
    }
}

#endif
