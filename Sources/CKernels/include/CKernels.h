// CKernels: Vigil's own CPU kernels in C, for loops that Swift cannot vectorise to the
// machine's full width. Imported by the Tensor target only.
//
// The kernels (vk_linear_*, vk_pack_rows, vk_layernorm, vk_gelu_into, vk_add, vk_attention_head)
// use AVX-512F: call them only when vk_has_avx512f() returns 1 (Tensor's `NativeKernels`
// dispatches). vk_pack_weight, the size helpers, vk_thread_buffer and vk_pool_run run on any CPU.
#ifndef VIGIL_CKERNELS_H
#define VIGIL_CKERNELS_H
#include <stddef.h>
#include <stdint.h>

/// 1 when the CPU supports AVX-512F (checked once).
int vk_has_avx512f(void);

/// Columns per packed weight panel.
#define VK_PANEL_WIDTH 32

/// Floats needed to pack an (n, k) weight: n rounded up to whole panels, times k.
size_t vk_packed_floats(int n, int k);

/// Packs a row-major (n, k) weight (PyTorch's Linear layout, out × in) into panels of
/// VK_PANEL_WIDTH output columns: panel p holds, for each kk in 0..<k, the 32 values
/// w[p·32 + j][kk] (zero past n). Plain C; runs on any CPU.
void vk_pack_weight(const float *w, int n, int k, float *packed);

/// c (m, n) = gelu?(a (m, k) · Wᵀ + bias + residual) for the output panels
/// [panel_begin, panel_end) only (columns panel·32 ..< min(n, panel_end·32)). `packed` is from
/// vk_pack_weight; bias (n), residual (m, n with row stride ldr) may be NULL; gelu is 0 or 1.
/// c must not overlap a or residual. Threads split the panels between them.
void vk_linear_packed(const float *a, int m, int k, size_t lda, const float *packed, int n,
                      const float *bias, const float *residual, size_t ldr, int gelu,
                      float *c, size_t ldc, int panel_begin, int panel_end);

/// Rows per packed input panel (vk_pack_rows).
#define VK_ROW_PANEL 12

/// Floats vk_pack_rows needs for an (m, k) input: m rounded up to whole row panels, times k.
size_t vk_packed_rows_floats(int m, int k);

/// Packs row panels [panel_begin, panel_end) (VK_ROW_PANEL rows each) of an (m, k) input
/// with row stride lda into `dst` (sized by vk_packed_rows_floats), for vk_linear_prepacked:
/// threads may pack disjoint panel ranges at once.
void vk_pack_rows(const float *a, int m, int k, size_t lda, float *dst, int panel_begin, int panel_end);

/// vk_linear_packed with the input already packed by vk_pack_rows (shared by all threads).
void vk_linear_prepacked(const float *apacked, int m, int k, const float *packed, int n,
                         const float *bias, const float *residual, size_t ldr, int gelu,
                         float *c, size_t ldc, int panel_begin, int panel_end);

/// The calling thread's scratch buffer of at least `floats` floats (64-byte aligned, grown on
/// demand, contents unspecified, freed when the thread exits); NULL when memory runs out.
float *vk_thread_buffer(size_t floats);

/// Layer norm of each of `rows` rows of `cols` floats: (x - mean) / sqrt(var + eps) · gamma + beta.
/// `out` may be `x`.
void vk_layernorm(const float *x, int rows, int cols, const float *gamma, const float *beta, float eps, float *out);

/// x += y, element by element.
void vk_add(float *x, const float *y, size_t count);

/// out = GELU(x) (erf form), element by element; out may be x.
void vk_gelu_into(const float *x, size_t count, float *out);

/// din = dout · GELU'(x) (erf form); din may be dout.
void vk_gelu_backward(const float *x, const float *dout, size_t count, float *din);

/// Layer norm's backward pass over `rows` rows of `cols` from the saved input x: din is written
/// (added to when `accumulate`), dgamma and dbeta (cols) accumulate. din must not alias dout.
void vk_layernorm_backward(const float *x, int rows, int cols, const float *gamma, float eps,
                           const float *dout, float *din, int accumulate, float *dgamma, float *dbeta);

/// One AdamW update of `count` parameters: the gradient is first multiplied by grad_scale
/// (clipping), then m1 = b1·m1 + (1-b1)·g, m2 = b2·m2 + (1-b2)·g², and
/// p = p·decay - step_size·m1 / (sqrt(m2)/sqrt_correction2 + eps). With zero_gradients the
/// gradient is set to zero afterwards, else it keeps the scaled value.
void vk_adamw(float *p, float *g, float *m1, float *m2, size_t count, float beta1, float beta2,
              float step_size, float sqrt_correction2, float eps, float decay, float grad_scale,
              int zero_gradients);

/// Floats of scratch vk_attention_head needs for a sequence of `length` and heads of `head_size`.
size_t vk_attention_scratch_floats(int length, int head_size);

/// One head of one sequence: out (live, head_size) = softmax(q kᵀ · scale) v, where q, k and v
/// point at the head's first column in rows of `stride` floats, `live` rows each; out rows are
/// `ldo` apart. Rows past `live` are not touched.
void vk_attention_head(const float *q, const float *k, const float *v, size_t stride, int live,
                       int head_size, float scale, float *scratch, float *out, size_t ldo);

/// A task of a parallel loop: runs index `index` of the loop.
typedef void (*vk_task_fn)(void *ctx, int index);

/// Runs fn(ctx, i) for every i in 0..<count on `threads` threads (the caller and
/// threads - 1 pool workers, which spin briefly between jobs, then sleep). Indices are handed
/// out dynamically. Runs serially when threads <= 1 or when called from inside a job. Returns
/// 0, having run nothing, when another thread's job holds the pool: run the loop another way.
int vk_pool_run(int threads, int count, vk_task_fn fn, void *ctx);

/// 1 when the CPU has AMX-BF16 tiles (with AVX512-BF16 and AVX512BW) and Linux granted this
/// process the tile state (checked once; the request is made on the first call).
int vk_has_amx_bf16(void);

/// bf16 elements of the packed A operand (m, k) and B operand (k, n) of vk_bf16_gemm_packed:
/// each dimension rounded up to a multiple of 32.
size_t vk_bf16_a_elements(int m, int k);
size_t vk_bf16_b_elements(int k, int n);

/// The calling thread's scratch for packed operand `which` (0: A, 1: B), at least `elements`
/// bf16, 64-byte aligned; NULL when memory runs out. Threads may fill disjoint blocks of it.
uint16_t *vk_bf16_operand(int which, size_t elements);

/// Rounds op(A) (m, k) to bf16 and packs its 16-row blocks [block_begin, block_end) (of
/// ceil32(m) / 16) into `dst`. op(A)(r, kk) is a[r·lda + kk], or a[kk·lda + r] when `trans`.
/// Needs vk_has_amx_bf16() or vk_has_avx512_bf16().
void vk_bf16_pack_a(const float *a, size_t lda, int trans, int m, int k, uint16_t *dst,
                    int block_begin, int block_end);

/// Rounds op(B) (k, n) to bf16 and packs its 32-wide k chunks [block_begin, block_end) (of
/// ceil32(k) / 32) into `dst`. op(B)(kk, j) is b[kk·ldb + j], or b[j·ldb + kk] when `trans`.
/// Needs vk_has_amx_bf16() or vk_has_avx512_bf16().
void vk_bf16_pack_b(const float *b, size_t ldb, int trans, int k, int n, uint16_t *dst,
                    int block_begin, int block_end);

/// c (m, n) = A · B (or c += A · B when `accumulate`) for the 32-column blocks
/// [block_begin, block_end) of c, from operands packed by vk_bf16_pack_a / _b; float32
/// accumulation. Needs vk_has_amx_bf16().
void vk_bf16_gemm_packed(const uint16_t *a, const uint16_t *b, int m, int n, int k, float *c,
                         size_t ldc, int accumulate, int block_begin, int block_end);

/// 1 when the CPU has AVX512-BF16 (VDPBF16PS) and AVX512BW (checked by the compiler's CPU
/// feature test; no OS permission needed).
int vk_has_avx512_bf16(void);

/// vk_bf16_gemm_packed on AVX512-BF16 instead of AMX tiles (bf16dp.c): the same packed
/// operands and blocks, float32 accumulation. Needs vk_has_avx512_bf16().
void vk_bf16_gemm_packed_dp(const uint16_t *a, const uint16_t *b, int m, int n, int k, float *c,
                            size_t ldc, int accumulate, int block_begin, int block_end);

/// bf16 elements of an (n, k) weight packed by vk_pack_weight_bf16: n rounded up to whole
/// panels of VK_PANEL_WIDTH columns, times k rounded up to even.
size_t vk_bf16_packed_weight_elements(int n, int k);

/// Rounds a row-major (n, k) weight (PyTorch's Linear layout) to bf16 (nearest even) and packs
/// it for vk_linear_bf16: per 32-column panel, per k-pair, the 32 columns' pairs side by side
/// (zero past n and k). Plain C; runs on any CPU.
void vk_pack_weight_bf16(const float *w, int n, int k, uint16_t *packed);

/// The row stride, in bf16, of an input rounded by vk_bf16_round_rows: k rounded up to 32.
size_t vk_bf16_row_stride(int k);

/// Rounds rows [row_begin, row_end) of an (m, k) float32 input (row stride lda) to bf16 into
/// `dst` (m × vk_bf16_row_stride(k) elements, zero past k). Needs vk_has_avx512_bf16().
void vk_bf16_round_rows(const float *a, int m, int k, size_t lda, uint16_t *dst, int row_begin, int row_end);

/// vk_linear_packed with bf16 inputs and float32 accumulation (linear_bf16.c): c (m, n) =
/// gelu?(a · Wᵀ + bias + residual) for output panels [panel_begin, panel_end), where `a` is
/// the input rounded by vk_bf16_round_rows and `packed` is from vk_pack_weight_bf16. Bias,
/// residual and GELU are float32. Needs vk_has_avx512_bf16().
void vk_linear_bf16(const uint16_t *a, int m, int k, const uint16_t *packed, int n, const float *bias,
                    const float *residual, size_t ldr, int gelu, float *c, size_t ldc, int panel_begin,
                    int panel_end);

#endif
