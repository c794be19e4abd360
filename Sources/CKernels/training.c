// AVX-512 element-wise kernels of a training step: GELU's and layer norm's backward passes,
// and AdamW fused with gradient clipping's scale and the zeroing of the gradients.
#include "CKernels.h"
#include "vecmath.h"

VK_AVX512 void vk_gelu_into(const float *x, size_t count, float *out) {
    for (size_t i = 0; i < count; i += 16) {
        __mmask16 m = vk_mask(count - i >= 16 ? 16 : (int)(count - i));
        _mm512_mask_storeu_ps(out + i, m, vk_gelu16(_mm512_maskz_loadu_ps(m, x + i)));
    }
}

VK_AVX512 void vk_gelu_backward(const float *x, const float *dout, size_t count, float *din) {
    const __m512 half = _mm512_set1_ps(0.5f), one = _mm512_set1_ps(1.0f);
    const __m512 inv_sqrt2 = _mm512_set1_ps(0.70710678f), inv_sqrt2pi = _mm512_set1_ps(0.39894228f);
    for (size_t i = 0; i < count; i += 16) {
        __mmask16 m = vk_mask(count - i >= 16 ? 16 : (int)(count - i));
        __m512 v = _mm512_maskz_loadu_ps(m, x + i);
        __m512 cdf = _mm512_mul_ps(half, _mm512_add_ps(one, vk_erf16(_mm512_mul_ps(v, inv_sqrt2))));
        __m512 pdf = _mm512_mul_ps(vk_exp16(_mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(-0.5f), v), v)), inv_sqrt2pi);
        __m512 g = _mm512_fmadd_ps(v, pdf, cdf);
        _mm512_mask_storeu_ps(din + i, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, dout + i), g));
    }
}

VK_AVX512 void vk_layernorm_backward(const float *x, int rows, int cols, const float *gamma, float eps,
                                     const float *dout, float *din, int accumulate, float *dgamma, float *dbeta) {
    const float n = (float)cols;
    for (int r = 0; r < rows; r++) {
        const float *row = x + (size_t)r * cols, *dy = dout + (size_t)r * cols;
        float *dx = din + (size_t)r * cols;
        __m512 sums = _mm512_setzero_ps();
        for (int j = 0; j < cols; j += 16) sums = _mm512_add_ps(sums, _mm512_maskz_loadu_ps(vk_mask(cols - j), row + j));
        __m512 mv = _mm512_set1_ps(_mm512_reduce_add_ps(sums) / n), squares = _mm512_setzero_ps();
        for (int j = 0; j < cols; j += 16) {
            __mmask16 m = vk_mask(cols - j);
            __m512 d = _mm512_maskz_sub_ps(m, _mm512_maskz_loadu_ps(m, row + j), mv);
            squares = _mm512_fmadd_ps(d, d, squares);
        }
        __m512 iv = _mm512_set1_ps(1.0f / sqrtf(_mm512_reduce_add_ps(squares) / n + eps));
        __m512 g_sum = _mm512_setzero_ps(), gx_sum = _mm512_setzero_ps();
        for (int j = 0; j < cols; j += 16) {
            __mmask16 m = vk_mask(cols - j);
            __m512 xhat = _mm512_maskz_mul_ps(m, _mm512_sub_ps(_mm512_maskz_loadu_ps(m, row + j), mv), iv);
            __m512 d = _mm512_maskz_loadu_ps(m, dy + j);
            __m512 g = _mm512_mul_ps(d, _mm512_maskz_loadu_ps(m, gamma + j));
            g_sum = _mm512_add_ps(g_sum, g);
            gx_sum = _mm512_fmadd_ps(g, xhat, gx_sum);
            _mm512_mask_storeu_ps(dgamma + j, m, _mm512_fmadd_ps(d, xhat, _mm512_maskz_loadu_ps(m, dgamma + j)));
            _mm512_mask_storeu_ps(dbeta + j, m, _mm512_add_ps(d, _mm512_maskz_loadu_ps(m, dbeta + j)));
        }
        __m512 mean_g = _mm512_set1_ps(_mm512_reduce_add_ps(g_sum) / n);
        __m512 mean_gx = _mm512_set1_ps(_mm512_reduce_add_ps(gx_sum) / n);
        for (int j = 0; j < cols; j += 16) {
            __mmask16 m = vk_mask(cols - j);
            __m512 xhat = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, row + j), mv), iv);
            __m512 g = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, dy + j), _mm512_maskz_loadu_ps(m, gamma + j));
            __m512 v = _mm512_mul_ps(_mm512_sub_ps(_mm512_sub_ps(g, mean_g), _mm512_mul_ps(xhat, mean_gx)), iv);
            if (accumulate) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, dx + j));
            _mm512_mask_storeu_ps(dx + j, m, v);
        }
    }
}

VK_AVX512 void vk_adamw(float *p, float *g, float *m1, float *m2, size_t count, float beta1, float beta2,
                        float step_size, float sqrt_correction2, float eps, float decay, float grad_scale,
                        int zero_gradients) {
    const __m512 b1 = _mm512_set1_ps(beta1), b2 = _mm512_set1_ps(beta2);
    const __m512 c1 = _mm512_set1_ps(1 - beta1), c2 = _mm512_set1_ps(1 - beta2);
    const __m512 lr = _mm512_set1_ps(step_size), sc2 = _mm512_set1_ps(sqrt_correction2);
    const __m512 e = _mm512_set1_ps(eps), dv = _mm512_set1_ps(decay), gs = _mm512_set1_ps(grad_scale);
    for (size_t i = 0; i < count; i += 16) {
        __mmask16 m = vk_mask(count - i >= 16 ? 16 : (int)(count - i));
        __m512 grad = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, g + i), gs);
        __m512 first = _mm512_fmadd_ps(b1, _mm512_maskz_loadu_ps(m, m1 + i), _mm512_mul_ps(c1, grad));
        __m512 second = _mm512_fmadd_ps(b2, _mm512_maskz_loadu_ps(m, m2 + i), _mm512_mul_ps(_mm512_mul_ps(c2, grad), grad));
        _mm512_mask_storeu_ps(m1 + i, m, first);
        _mm512_mask_storeu_ps(m2 + i, m, second);
        __m512 denominator = _mm512_add_ps(_mm512_div_ps(_mm512_sqrt_ps(second), sc2), e);
        __m512 update = _mm512_div_ps(_mm512_mul_ps(lr, first), denominator);
        _mm512_mask_storeu_ps(p + i, m, _mm512_sub_ps(_mm512_mul_ps(_mm512_maskz_loadu_ps(m, p + i), dv), update));
        if (zero_gradients) _mm512_mask_storeu_ps(g + i, m, _mm512_setzero_ps());
        else if (grad_scale != 1.0f) _mm512_mask_storeu_ps(g + i, m, grad);
    }
}
