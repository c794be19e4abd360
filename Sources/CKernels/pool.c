// A tiny persistent thread pool for the kernels' parallel loops: workers spin briefly between
// jobs (a forward pass issues dozens of short parallel loops, and waking a sleeping thread
// costs tens of microseconds), then sleep on a condition variable.
#include "CKernels.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#if defined(__x86_64__)
#include <immintrin.h>
#define VK_PAUSE() _mm_pause()
#else
#define VK_PAUSE() ((void)0)
#endif

#define VK_MAX_WORKERS 63
// How long an idle worker spins before it sleeps (nanoseconds).
#define VK_SPIN_NS 300000L

static pthread_mutex_t run_lock = PTHREAD_MUTEX_INITIALIZER;   // one job at a time
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int workers = 0;                                        // started workers
// The current job: its generation (bumped per job) << 8 | how many workers take part, in one
// word so that a worker reads both consistently.
static _Atomic unsigned long job_word = 0;
static _Atomic int next_index = 0, finished = 0;
static vk_task_fn job_fn = NULL;
static void *job_ctx = NULL;
static int job_count = 0;
static _Thread_local int inside_pool = 0;
static unsigned long start_generation[VK_MAX_WORKERS];

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

static void drain(void) {
    for (;;) {
        int i = atomic_fetch_add_explicit(&next_index, 1, memory_order_relaxed);
        if (i >= job_count) break;
        job_fn(job_ctx, i);
    }
}

static void *worker_main(void *arg) {
    int id = (int)(long)arg;
    inside_pool = 1;
    // The generation when this worker was created: the caller bumps it only afterwards, so a
    // worker that starts late still sees the first job as new.
    unsigned long seen = start_generation[id];
    for (;;) {
        long start = now_ns();
        int spins = 0;
        unsigned long word;
        while ((word = atomic_load_explicit(&job_word, memory_order_acquire)) >> 8 == seen) {
            // Pause-spin first; after a while yield the core on every round, in case the
            // thread that will post the next job shares it.
            if (spins < 4096) VK_PAUSE(); else sched_yield();
            if (++spins % 64 == 0 && now_ns() - start > VK_SPIN_NS) {
                pthread_mutex_lock(&sleep_lock);
                while ((word = atomic_load_explicit(&job_word, memory_order_acquire)) >> 8 == seen)
                    pthread_cond_wait(&wake, &sleep_lock);
                pthread_mutex_unlock(&sleep_lock);
                break;
            }
        }
        seen = word >> 8;
        // Only the job's participants touch it, and the caller waits for exactly them; others
        // go back to waiting (a later job may be theirs).
        if (id < (int)(word & 0xFF)) {
            drain();
            atomic_fetch_add_explicit(&finished, 1, memory_order_acq_rel);
        }
    }
    return NULL;
}

int vk_pool_run(int threads, int count, vk_task_fn fn, void *ctx) {
    if (count <= 0) return 1;
    if (threads <= 1 || count == 1 || inside_pool) {
        for (int i = 0; i < count; i++) fn(ctx, i);
        return 1;
    }
    if (pthread_mutex_trylock(&run_lock) != 0) return 0; // busy: the caller runs it another way
    int wanted = threads - 1 < VK_MAX_WORKERS ? threads - 1 : VK_MAX_WORKERS;
    while (workers < wanted) {
        pthread_t thread;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        start_generation[workers] = atomic_load_explicit(&job_word, memory_order_relaxed) >> 8;
        int failed = pthread_create(&thread, &attr, worker_main, (void *)(long)workers);
        pthread_attr_destroy(&attr);
        if (failed) break;
        workers++;
    }
    int helpers = wanted < workers ? wanted : workers;
    job_fn = fn;
    job_ctx = ctx;
    job_count = count;
    atomic_store_explicit(&next_index, 0, memory_order_relaxed);
    atomic_store_explicit(&finished, 0, memory_order_relaxed);
    pthread_mutex_lock(&sleep_lock);
    unsigned long generation = (atomic_load_explicit(&job_word, memory_order_relaxed) >> 8) + 1;
    atomic_store_explicit(&job_word, generation << 8 | (unsigned long)helpers, memory_order_release);
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&sleep_lock);
    inside_pool = 1;
    drain();
    inside_pool = 0;
    // Every participant checks in before the job's context goes away.
    // On a busy machine a participant may be waiting for this very core: yield after a while.
    for (int spins = 0; atomic_load_explicit(&finished, memory_order_acquire) < helpers; spins++) {
        if (spins < 4096) VK_PAUSE(); else sched_yield();
    }
    pthread_mutex_unlock(&run_lock);
    return 1;
}
