// AVX-512 element-wise kernels of a BERT forward pass: layer norm, GELU, residual add.
#include "CKernels.h"
#include "vecmath.h"

VK_AVX512 void vk_layernorm(const float *x, int rows, int cols, const float *gamma, const float *beta, float eps,
                            float *out) {
    for (int r = 0; r < rows; r++) {
        const float *row = x + (size_t)r * cols;
        float *dst = out + (size_t)r * cols;
        __m512 sums = _mm512_setzero_ps();
        for (int j = 0; j < cols; j += 16) sums = _mm512_add_ps(sums, _mm512_maskz_loadu_ps(vk_mask(cols - j), row + j));
        float mean = _mm512_reduce_add_ps(sums) / (float)cols;
        __m512 mv = _mm512_set1_ps(mean), squares = _mm512_setzero_ps();
        for (int j = 0; j < cols; j += 16) {
            __mmask16 m = vk_mask(cols - j);
            __m512 d = _mm512_maskz_sub_ps(m, _mm512_maskz_loadu_ps(m, row + j), mv);
            squares = _mm512_fmadd_ps(d, d, squares);
        }
        float inv = 1.0f / sqrtf(_mm512_reduce_add_ps(squares) / (float)cols + eps);
        __m512 iv = _mm512_set1_ps(inv);
        for (int j = 0; j < cols; j += 16) {
            __mmask16 m = vk_mask(cols - j);
            __m512 d = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, row + j), mv), iv);
            __m512 y = _mm512_fmadd_ps(d, _mm512_maskz_loadu_ps(m, gamma + j), _mm512_maskz_loadu_ps(m, beta + j));
            _mm512_mask_storeu_ps(dst + j, m, y);
        }
    }
}

VK_AVX512 void vk_add(float *x, const float *y, size_t count) {
    for (size_t i = 0; i < count; i += 16) {
        __mmask16 m = vk_mask(count - i >= 16 ? 16 : (int)(count - i));
        _mm512_mask_storeu_ps(x + i, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, x + i), _mm512_maskz_loadu_ps(m, y + i)));
    }
}
