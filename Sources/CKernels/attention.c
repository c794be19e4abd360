// AVX-512 scaled dot-product attention for one (sequence, head): scores, masked softmax and
// the weighted sum of values, without BLAS calls (the matrices are tiny: T × T × head size).
#include "CKernels.h"
#include "vecmath.h"

size_t vk_attention_scratch_floats(int length, int head_size) {
    size_t padded = (size_t)((length + 15) / 16) * 16;
    return padded * (size_t)head_size + padded;
}

VK_AVX512 void vk_attention_head(const float *q, const float *k, const float *v, size_t stride, int live,
                                 int head_size, float scale, float *scratch, float *out, size_t ldo) {
    if (live <= 0) return;
    int padded = (live + 15) / 16 * 16;
    float *kt = scratch;                              // (head_size, padded): Kᵀ, zero past `live`
    float *p = scratch + (size_t)padded * head_size;  // one row of scores
    for (int d = 0; d < head_size; d++) {
        float *dst = kt + (size_t)d * padded;
        for (int j = 0; j < live; j++) dst[j] = k[(size_t)j * stride + d];
        for (int j = live; j < padded; j++) dst[j] = 0;
    }
    __m512 sv = _mm512_set1_ps(scale);
    for (int i = 0; i < live; i++) {
        const float *qi = q + (size_t)i * stride;
        __m512 maxima = _mm512_set1_ps(-INFINITY);
        for (int j0 = 0; j0 < padded; j0 += 16) {
            __m512 acc = _mm512_setzero_ps();
            for (int d = 0; d < head_size; d++)
                acc = _mm512_fmadd_ps(_mm512_set1_ps(qi[d]), _mm512_loadu_ps(kt + (size_t)d * padded + j0), acc);
            acc = _mm512_mul_ps(acc, sv);
            _mm512_storeu_ps(p + j0, acc);
            maxima = _mm512_mask_max_ps(maxima, vk_mask(live - j0), maxima, acc);
        }
        __m512 mv = _mm512_set1_ps(_mm512_reduce_max_ps(maxima)), sums = _mm512_setzero_ps();
        for (int j0 = 0; j0 < padded; j0 += 16) {
            __mmask16 m = vk_mask(live - j0);
            __m512 e = _mm512_maskz_mov_ps(m, vk_exp16(_mm512_sub_ps(_mm512_loadu_ps(p + j0), mv)));
            _mm512_storeu_ps(p + j0, e);
            sums = _mm512_add_ps(sums, e);
        }
        __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(sums));
        float *oi = out + (size_t)i * ldo;
        for (int d0 = 0; d0 < head_size; d0 += 16) {
            __mmask16 m = vk_mask(head_size - d0);
            __m512 acc = _mm512_setzero_ps();
            for (int j = 0; j < live; j++)
                acc = _mm512_fmadd_ps(_mm512_set1_ps(p[j]), _mm512_maskz_loadu_ps(m, v + (size_t)j * stride + d0), acc);
            _mm512_mask_storeu_ps(oi + d0, m, _mm512_mul_ps(acc, inv));
        }
    }
}
