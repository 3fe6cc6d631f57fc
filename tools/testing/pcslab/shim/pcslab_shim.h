/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel, as far as pcslab's core needs it, in userspace.
 *
 * module/{slab,remote,alloc,grow,reclaim,hotplug,cache,report,parse}.c
 * compile unchanged against this header (every <linux/...> and <kunit/...>
 * header the core includes is a one-line file under shim/ that includes
 * it), in the manner of tools/testing/vma.  What stands for what:
 *
 *   CPU              a thread that called shim_set_cpu(); smp_processor_id()
 *                    is that number.  Several threads may share a CPU in
 *                    the test builds (per-CPU operations are atomic there).
 *   per-CPU data     one region per alloc_percpu(), CPU n's copy at
 *                    n * SHIM_PERCPU_STRIDE, as the kernel's offsets do.
 *   interrupts off   a per-thread flag; an IPI (async csd) queued to a CPU
 *                    runs on a thread of that CPU when it next enables
 *                    interrupts or waits, with the flag set.  The csd
 *                    contract (the caller serialises uses of one csd) is
 *                    asserted: queuing a csd that is still pending aborts.
 *   RCU              preemption-off and interrupts-off sections are
 *                    read-side sections; synchronize_rcu() waits for every
 *                    section that began before it.
 *   CPU hotplug      shim_cpu_down(): offline bit, a grace period (what
 *                    stop_machine gives pcslab), the dying CPU's pending
 *                    IPIs, then the registered dead callback.
 *   pages            an arena reserved with mmap: naturally aligned blocks
 *                    of 2^order pages, a struct page per page (private),
 *                    virt_addr_valid() true inside the arena; freed blocks
 *                    are poisoned for ASan and reused FIFO.
 *   workqueue        delayed work runs when shim_run_work() is called.
 *   shrinkers        registered; shim_shrink_all() counts and scans them.
 *
 * SHIM_BENCH (the native bench) drops what only tests need: atomic
 * per-CPU operations (one thread per CPU there), RCU section tracking,
 * the hooks and might_sleep()'s check, and turns interrupts back on as
 * the kernel does, with a test inline and no register lost to a call, so
 * that the core's own instructions are what is measured.
 */
#ifndef _PCSLAB_SHIM_H
#define _PCSLAB_SHIM_H

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

/* ---- types and compiler ---- */

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;
typedef unsigned int gfp_t;

#define __percpu
#define __user
#define __init
#define __exit
#define __must_check
#define __acquires(x)
#define __releases(x)
#define __acquire(x) ((void)0)
#define __release(x) ((void)0)
#define __cond_lock(x, c) (c)
#undef __always_inline
#define __always_inline inline __attribute__((__always_inline__))
#define noinline __attribute__((__noinline__))
#define __maybe_unused __attribute__((__unused__))
#define __used __attribute__((__used__))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define SMP_CACHE_BYTES 64
#define ____cacheline_aligned __attribute__((__aligned__(SMP_CACHE_BYTES)))
#define ____cacheline_aligned_in_smp ____cacheline_aligned
#define cache_line_size() SMP_CACHE_BYTES
#define barrier() __asm__ __volatile__("" ::: "memory")
#define cpu_relax() __builtin_ia32_pause()

#define READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

#if defined(__SANITIZE_THREAD__)
#define SHIM_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SHIM_TSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SHIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SHIM_ASAN 1
#endif
#endif

#ifdef SHIM_TSAN
/* An intentionally racy read, as KCSAN's data_race(): not reported. */
void AnnotateIgnoreReadsBegin(const char *file, int line);
void AnnotateIgnoreReadsEnd(const char *file, int line);
#define data_race(expr) ({						\
	__typeof__(({ expr; })) __v;					\
	AnnotateIgnoreReadsBegin(__FILE__, __LINE__);			\
	__v = ({ expr; });						\
	AnnotateIgnoreReadsEnd(__FILE__, __LINE__);			\
	__v;								\
})
#else
#define data_race(expr) ({ expr; })
#endif

#define sizeof_field(type, member) sizeof(((type *)0)->member)
#define offsetofend(type, member) \
	(offsetof(type, member) + sizeof_field(type, member))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define static_assert(expr, ...) _Static_assert(expr, #expr)
#define BUILD_BUG_ON(cond) _Static_assert(!(cond), #cond)

#define __ARG_PLACEHOLDER_1 0,
#define __take_second_arg(__ignored, val, ...) val
#define __is_defined(x) ___is_defined(x)
#define ___is_defined(val) ____is_defined(__ARG_PLACEHOLDER_##val)
#define ____is_defined(arg1_or_junk) __take_second_arg(arg1_or_junk 1, 0)
#define __or(x, y) ___or(x, y)
#define ___or(x, y) ____or(__ARG_PLACEHOLDER_##x, y)
#define ____or(arg1_or_junk, y) __take_second_arg(arg1_or_junk 1, y)
#define IS_BUILTIN(option) __is_defined(option)
#define IS_MODULE(option) __is_defined(option##_MODULE)
#define IS_ENABLED(option) __or(IS_BUILTIN(option), IS_MODULE(option))

#define EXPORT_SYMBOL(sym) extern __typeof__(sym) sym
#define EXPORT_SYMBOL_GPL(sym) extern __typeof__(sym) sym
/* kunit/visibility.h and kunit/static_stub.h: CONFIG_KUNIT is off here */
#define VISIBLE_IF_KUNIT static
#define EXPORT_SYMBOL_IF_KUNIT(sym) extern __typeof__(sym) sym
#define KUNIT_STATIC_STUB_REDIRECT(...) do { } while (0)

/* ---- arithmetic ---- */

#define min(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a < _b ? _a : _b; })
#define max(a, b) ({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a > _b ? _a : _b; })
#define min_t(t, a, b) min((t)(a), (t)(b))
#define max_t(t, a, b) max((t)(a), (t)(b))
#define clamp(v, lo, hi) min(max(v, lo), hi)
#define ALIGN(x, a) (((x) + ((__typeof__(x))(a) - 1)) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define DIV_ROUND_UP_ULL(n, d) DIV_ROUND_UP((unsigned long long)(n), (d))
#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_ALIGNED(addr) IS_ALIGNED((unsigned long)(addr), PAGE_SIZE)

static inline bool is_power_of_2(unsigned long n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

static inline int fls(unsigned int x)
{
	return x ? 32 - __builtin_clz(x) : 0;
}

/* include/linux/log2.h, for n > 0 */
static inline int ilog2(unsigned long n)
{
	return 63 - __builtin_clzl(n);
}

/* include/linux/log2.h, for n > 0 */
static inline unsigned long rounddown_pow_of_two(unsigned long n)
{
	return 1UL << (63 - __builtin_clzl(n));
}

struct reciprocal_value {
	u32 m;
	u8 sh1, sh2;
};

/* lib/math/reciprocal_div.c */
static inline struct reciprocal_value reciprocal_value(u32 d)
{
	struct reciprocal_value r;
	int l = fls(d - 1);
	u64 m = ((1ULL << 32) * ((1ULL << l) - d)) / d + 1;

	r.m = (u32)m;
	r.sh1 = l < 1 ? l : 1;
	r.sh2 = l - 1 > 0 ? l - 1 : 0;
	return r;
}

static inline u32 reciprocal_divide(u32 a, struct reciprocal_value r)
{
	u32 t = (u32)(((u64)a * r.m) >> 32);

	return (t + ((a - t) >> r.sh1)) >> r.sh2;
}

/* ---- errors ---- */

#define MAX_ERRNO 4095
#define IS_ERR_VALUE(x) ((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)
static inline void *ERR_PTR(long error) { return (void *)error; }
static inline long PTR_ERR(const void *ptr) { return (long)ptr; }
static inline bool IS_ERR(const void *ptr) { return IS_ERR_VALUE(ptr); }
static inline bool IS_ERR_OR_NULL(const void *ptr) { return !ptr || IS_ERR_VALUE(ptr); }

/* ---- the shim's own state and hooks ---- */

#define SHIM_MAX_CPUS		64
#define SHIM_PERCPU_STRIDE	4096UL

struct shim_thread;
/*
 * The native bench is one executable: its thread-locals are read in one
 * instruction, %fs-relative, as the kernel reads its per-CPU data
 * %gs-relative (the default model takes two, an offset loaded first).
 */
#ifdef SHIM_BENCH
#define SHIM_TLS __thread __attribute__((__tls_model__("local-exec")))
#else
#define SHIM_TLS __thread
#endif
extern SHIM_TLS int shim_cpu;			/* smp_processor_id() */
extern SHIM_TLS unsigned long shim_cpu_off;	/* its per-CPU offset */
extern SHIM_TLS int shim_irqs_off;		/* local_irq_save() nesting flag */
extern SHIM_TLS int shim_in_ipi;		/* running an IPI: "hardirq" */
extern SHIM_TLS struct shim_thread *shim_self;
extern unsigned int nr_cpu_ids;
extern unsigned long shim_online_mask[];

void shim_bug(const char *file, int line, const char *fmt, ...)
	__attribute__((__noreturn__, __format__(printf, 3, 4)));
#define SHIM_BUG_ON(cond, ...) do {					\
	if (unlikely(cond))						\
		shim_bug(__FILE__, __LINE__, __VA_ARGS__);		\
} while (0)

/* Events a test can stop a thread at, to step through a race window. */
enum shim_event {
	SHIM_EV_UNLOCK,		/* spin_unlock(), after the release */
	SHIM_EV_CLEAR_BIT,	/* clear_bit()/clear_bit_unlock(), after */
	SHIM_EV_TEST_AND_SET,	/* test_and_set_bit(), before */
	SHIM_EV_SYNC_RCU,	/* synchronize_rcu(), before */
	SHIM_EV_CSD_SEND,	/* smp_call_function_single_async(), before */
	SHIM_EV_STORE_RELEASE,	/* smp_store_release(), after */
	SHIM_EV_ATOMIC_ADD,	/* atomic_add_return(), after */
	SHIM_EV_ATOMIC_SUB,	/* atomic_sub(), before */
	SHIM_EV_TRY_CMPXCHG,	/* try_cmpxchg(), before */
};
#ifdef SHIM_BENCH
#define shim_event(ev, addr, arg) do { } while (0)
#else
extern void (*shim_hook)(enum shim_event ev, const void *addr, long arg);
#define shim_event(ev, addr, arg) do {					\
	if (unlikely(shim_hook))					\
		shim_hook(ev, addr, arg);				\
} while (0)
#endif

/* Preemption and interrupt state (RCU read-side sections in tests). */
#ifdef SHIM_BENCH
static inline void shim_section_enter(void) { }
static inline void shim_section_exit(void) { }
#else
void shim_section_enter(void);
void shim_section_exit(void);
#endif
void shim_irq_enabled(void);	/* runs this CPU's pending IPIs */

/* ---- atomics (LKMM: value-returning RMW fully ordered) ---- */

typedef struct { int counter; } atomic_t;
typedef struct { long counter; } atomic_long_t;
#define ATOMIC_INIT(i) { (i) }
#define ATOMIC_LONG_INIT(i) { (i) }

static inline int atomic_read(const atomic_t *v) { return __atomic_load_n(&v->counter, __ATOMIC_RELAXED); }
static inline void atomic_set(atomic_t *v, int i) { __atomic_store_n(&v->counter, i, __ATOMIC_RELAXED); }
static inline void atomic_inc(atomic_t *v) { __atomic_fetch_add(&v->counter, 1, __ATOMIC_RELAXED); }
static inline void atomic_dec(atomic_t *v) { __atomic_fetch_sub(&v->counter, 1, __ATOMIC_RELAXED); }
static inline int atomic_read_acquire(const atomic_t *v) { return __atomic_load_n(&v->counter, __ATOMIC_ACQUIRE); }
static inline int atomic_dec_return_release(atomic_t *v) { return __atomic_sub_fetch(&v->counter, 1, __ATOMIC_RELEASE); }
static inline void atomic_sub(int i, atomic_t *v)
{
	shim_event(SHIM_EV_ATOMIC_SUB, v, i);
	__atomic_fetch_sub(&v->counter, i, __ATOMIC_RELAXED);
}

static inline void atomic_add(int i, atomic_t *v) { __atomic_fetch_add(&v->counter, i, __ATOMIC_RELAXED); }
static inline int atomic_add_return(int i, atomic_t *v)
{
	int ret = __atomic_add_fetch(&v->counter, i, __ATOMIC_SEQ_CST);

	shim_event(SHIM_EV_ATOMIC_ADD, v, i);
	return ret;
}

static inline bool atomic_dec_and_test(atomic_t *v) { return __atomic_sub_fetch(&v->counter, 1, __ATOMIC_SEQ_CST) == 0; }
static inline int atomic_xchg(atomic_t *v, int i) { return __atomic_exchange_n(&v->counter, i, __ATOMIC_SEQ_CST); }
static inline long atomic_long_read(const atomic_long_t *v) { return __atomic_load_n(&v->counter, __ATOMIC_RELAXED); }
static inline void atomic_long_add(long i, atomic_long_t *v) { __atomic_fetch_add(&v->counter, i, __ATOMIC_RELAXED); }
static inline void atomic_long_sub(long i, atomic_long_t *v) { __atomic_fetch_sub(&v->counter, i, __ATOMIC_RELAXED); }
#define smp_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_mb__after_atomic() smp_mb()
/* Not cryptographic: the key only has to differ between caches and runs. */
static inline unsigned long get_random_long(void)
{
	return ((unsigned long)random() << 33) ^ ((unsigned long)random() << 2) ^
	       (unsigned long)__builtin_return_address(0);
}
#define xchg(p, v) __atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#define cmpxchg(p, o, n) ({						\
	__typeof__(*(p)) __old = (o);					\
	__atomic_compare_exchange_n((p), &__old, (n), false,		\
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);	\
	__old;								\
})
/* true if *@p held *@po and now holds @n; else *@po is what it holds */
#define try_cmpxchg(p, po, n) ({					\
	shim_event(SHIM_EV_TRY_CMPXCHG, (p), 0);			\
	__atomic_compare_exchange_n((p), (po), (n), false,		\
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);	\
})
#define smp_store_release(p, v) do {					\
	__atomic_store_n((p), (v), __ATOMIC_RELEASE);			\
	shim_event(SHIM_EV_STORE_RELEASE, (p), 0);			\
} while (0)

/* ---- bit operations ---- */

#define BITS_PER_LONG 64
#define BIT(n) (1UL << (n))
#define BIT_WORD(n) ((n) / BITS_PER_LONG)
#define BIT_MASK(n) (1UL << ((n) % BITS_PER_LONG))
#define BITS_TO_LONGS(n) DIV_ROUND_UP(n, BITS_PER_LONG)
#define DECLARE_BITMAP(name, bits) unsigned long name[BITS_TO_LONGS(bits)]

static inline unsigned long __ffs(unsigned long w) { return __builtin_ctzl(w); }
static inline unsigned long __fls(unsigned long w) { return 63 - __builtin_clzl(w); }

/* test_bit() is a marked read, as KCSAN sees it */
static inline bool test_bit(long nr, const unsigned long *addr)
{
	return (__atomic_load_n(&addr[BIT_WORD(nr)], __ATOMIC_RELAXED) >>
		(nr % BITS_PER_LONG)) & 1;
}

static inline void set_bit(long nr, unsigned long *addr)
{
	__atomic_fetch_or(&addr[BIT_WORD(nr)], BIT_MASK(nr), __ATOMIC_RELAXED);
}

static inline void clear_bit(long nr, unsigned long *addr)
{
	__atomic_fetch_and(&addr[BIT_WORD(nr)], ~BIT_MASK(nr), __ATOMIC_RELAXED);
	shim_event(SHIM_EV_CLEAR_BIT, addr, nr);
}

static inline void clear_bit_unlock(long nr, unsigned long *addr)
{
	__atomic_fetch_and(&addr[BIT_WORD(nr)], ~BIT_MASK(nr), __ATOMIC_RELEASE);
	shim_event(SHIM_EV_CLEAR_BIT, addr, nr);
}

static inline bool test_and_set_bit(long nr, unsigned long *addr)
{
	shim_event(SHIM_EV_TEST_AND_SET, addr, nr);
	return __atomic_fetch_or(&addr[BIT_WORD(nr)], BIT_MASK(nr),
				 __ATOMIC_SEQ_CST) & BIT_MASK(nr);
}

/* non-atomic: plain accesses, as KCSAN sees them */
static inline void __set_bit(long nr, unsigned long *addr)
{
	addr[BIT_WORD(nr)] |= BIT_MASK(nr);
}

/*
 * The test first, and a store only of a clear bit: the kernel's is one
 * bts on x86, which this comes closer to than the generic version's
 * store of the word every time (the owner's free, a double free aside).
 */
static inline bool __test_and_set_bit(long nr, unsigned long *addr)
{
	unsigned long *word = addr + BIT_WORD(nr), old = *word;

	if (old & BIT_MASK(nr))
		return true;
	*word = old | BIT_MASK(nr);
	return false;
}

static inline void __clear_bit(long nr, unsigned long *addr)
{
	addr[BIT_WORD(nr)] &= ~BIT_MASK(nr);
}

static inline void bitmap_zero(unsigned long *map, unsigned int nbits)
{
	memset(map, 0, BITS_TO_LONGS(nbits) * sizeof(long));
}

static inline void bitmap_set(unsigned long *map, unsigned int start, unsigned int n)
{
	while (n--)
		__set_bit(start++, map);
}

/* ---- lists (include/linux/list.h, llist.h) ---- */

struct list_head {
	struct list_head *next, *prev;
};

#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)

static inline void INIT_LIST_HEAD(struct list_head *l) { l->next = l; l->prev = l; }
static inline void __list_add(struct list_head *n, struct list_head *prev, struct list_head *next)
{
	next->prev = n;
	n->next = next;
	n->prev = prev;
	prev->next = n;
}
static inline void list_add(struct list_head *n, struct list_head *h) { __list_add(n, h, h->next); }
static inline void list_add_tail(struct list_head *n, struct list_head *h) { __list_add(n, h->prev, h); }
static inline void __list_del(struct list_head *prev, struct list_head *next) { next->prev = prev; prev->next = next; }
static inline void list_del(struct list_head *e)
{
	__list_del(e->prev, e->next);
	e->next = (struct list_head *)0x100;
	e->prev = (struct list_head *)0x122;
}
static inline void list_move(struct list_head *l, struct list_head *h) { __list_del(l->prev, l->next); list_add(l, h); }
static inline void list_move_tail(struct list_head *l, struct list_head *h) { __list_del(l->prev, l->next); list_add_tail(l, h); }
static inline bool list_empty(const struct list_head *h) { return h->next == h; }
static inline bool list_is_singular(const struct list_head *h) { return !list_empty(h) && h->next == h->prev; }
static inline bool list_is_last(const struct list_head *l, const struct list_head *h) { return l->next == h; }

#define list_entry(ptr, type, member) container_of(ptr, type, member)
#define list_first_entry(ptr, type, member) list_entry((ptr)->next, type, member)
#define list_first_entry_or_null(ptr, type, member) ({			\
	struct list_head *__head = (ptr);				\
	struct list_head *__pos = __head->next;				\
	__pos != __head ? list_entry(__pos, type, member) : NULL;	\
})
#define list_next_entry(pos, member) list_entry((pos)->member.next, __typeof__(*(pos)), member)
#define list_prev_entry(pos, member) list_entry((pos)->member.prev, __typeof__(*(pos)), member)
#define list_last_entry(ptr, type, member) list_entry((ptr)->prev, type, member)
#define list_for_each_entry(pos, head, member)				\
	for (pos = list_first_entry(head, __typeof__(*pos), member);	\
	     &pos->member != (head);					\
	     pos = list_next_entry(pos, member))
#define list_for_each_entry_safe(pos, n, head, member)			\
	for (pos = list_first_entry(head, __typeof__(*pos), member),	\
	     n = list_next_entry(pos, member);				\
	     &pos->member != (head);					\
	     pos = n, n = list_next_entry(n, member))
#define list_for_each_entry_safe_reverse(pos, n, head, member)		\
	for (pos = list_last_entry(head, __typeof__(*pos), member),	\
	     n = list_prev_entry(pos, member);				\
	     &pos->member != (head);					\
	     pos = n, n = list_prev_entry(n, member))

struct llist_node {
	struct llist_node *next;
};

struct llist_head {
	struct llist_node *first;
};

static inline void init_llist_head(struct llist_head *l) { l->first = NULL; }
static inline bool llist_empty(const struct llist_head *h) { return READ_ONCE(h->first) == NULL; }

static inline bool llist_add_batch(struct llist_node *new_first, struct llist_node *new_last,
				   struct llist_head *head)
{
	struct llist_node *first = __atomic_load_n(&head->first, __ATOMIC_RELAXED);

	do {
		new_last->next = first;
	} while (!__atomic_compare_exchange_n(&head->first, &first, new_first, false,
					      __ATOMIC_SEQ_CST, __ATOMIC_RELAXED));
	return !first;
}

static inline bool llist_add(struct llist_node *n, struct llist_head *head)
{
	return llist_add_batch(n, n, head);
}

static inline struct llist_node *llist_del_all(struct llist_head *head)
{
	return __atomic_exchange_n(&head->first, NULL, __ATOMIC_SEQ_CST);
}

static inline struct llist_node *llist_reverse_order(struct llist_node *head)
{
	struct llist_node *new_head = NULL;

	while (head) {
		struct llist_node *tmp = head;

		head = head->next;
		tmp->next = new_head;
		new_head = tmp;
	}
	return new_head;
}

#define llist_for_each(pos, node) for ((pos) = (node); (pos); (pos) = (pos)->next)
#define llist_for_each_safe(pos, n, node) \
	for ((pos) = (node); (pos) && ((n) = (pos)->next, true); (pos) = (n))

/* ---- CPUs, per-CPU data, preemption, interrupts ---- */

#define smp_processor_id() ((unsigned int)shim_cpu)
#define raw_smp_processor_id() ((unsigned int)shim_cpu)
#define cpu_online(cpu) test_bit(cpu, shim_online_mask)
#define cpu_possible(cpu) ((unsigned int)(cpu) < nr_cpu_ids)
#define for_each_possible_cpu(cpu) for ((cpu) = 0; (cpu) < nr_cpu_ids; (cpu)++)
#define for_each_online_cpu(cpu) \
	for ((cpu) = 0; (cpu) < nr_cpu_ids; (cpu)++) if (cpu_online(cpu))
static inline int numa_mem_id(void) { return 0; }

void *shim_alloc_percpu(size_t size, size_t align);
void shim_free_percpu(void *p);
#define alloc_percpu(type) ((type *)shim_alloc_percpu(sizeof(type), __alignof__(type)))
#define free_percpu(p) shim_free_percpu(p)
#define per_cpu_ptr(ptr, cpu) \
	((__typeof__(ptr))((char *)(ptr) + (size_t)(cpu) * SHIM_PERCPU_STRIDE))
/* one add of a thread-local offset, as the kernel's is of %gs:this_cpu_off */
#define this_cpu_ptr(ptr) ((__typeof__(ptr))((char *)(ptr) + shim_cpu_off))
#define raw_cpu_ptr(ptr) this_cpu_ptr(ptr)
#define raw_cpu_read(pcp) READ_ONCE(*this_cpu_ptr(&(pcp)))
#define this_cpu_write(pcp, v) WRITE_ONCE(*this_cpu_ptr(&(pcp)), (v))
#ifdef SHIM_BENCH
/* one thread per CPU: a plain add, as the kernel's one-instruction op */
#define this_cpu_add(pcp, n) do { *this_cpu_ptr(&(pcp)) += (n); } while (0)
#else
/* threads may share a CPU: atomic, as the kernel's op is against irqs */
#define this_cpu_add(pcp, n) \
	__atomic_fetch_add(this_cpu_ptr(&(pcp)), (n), __ATOMIC_RELAXED)
#endif
#define this_cpu_inc(pcp) this_cpu_add(pcp, 1)

#define preempt_disable() shim_section_enter()
#define preempt_enable() shim_section_exit()
#define migrate_disable() preempt_disable()
#define migrate_enable() preempt_enable()

/* A CPU's IPI queue and interrupt-off owner (shim.c). */
struct shim_cpu_state {
	struct llist_head ipis;
	struct shim_thread *irq_owner;	/* the thread in its interrupt-off section */
	int irq_nest;
} __attribute__((__aligned__(64)));
extern struct shim_cpu_state shim_cpus[];
extern SHIM_TLS struct shim_cpu_state *shim_this_cpu;	/* shim_cpus[shim_cpu] */

/* Make the calling thread run as CPU @cpu (shim_set_cpu() checks it). */
static inline void shim_switch_cpu(int cpu)
{
	shim_cpu = cpu;
	shim_cpu_off = (unsigned long)cpu * SHIM_PERCPU_STRIDE;
	shim_this_cpu = &shim_cpus[cpu];
}

#ifdef SHIM_BENCH
/*
 * local_irq_restore() as the kernel's sti: a test of this CPU's IPI queue
 * inline, and for a pending IPI a call to shim_irq_entry (shim.c), which
 * saves every register a C function may clobber and aligns the stack, as
 * interrupt entry does.  In asm, so that the compiler sees no call: a
 * section that turns interrupts back on costs its caller no register but
 * the one the test reads through (a C call, even to a function that saves
 * every register, makes gcc keep the caller's live values on the stack;
 * the core is built with -mgeneral-regs-only, as the kernel is, so no
 * vector register holds one of its values).  The call steps over the red
 * zone: bench.c, built with one, toggles interrupts too.
 */
#define shim_irq_reenabled() do {					\
	unsigned long __cpu_state;					\
									\
	asm volatile("mov %%fs:shim_this_cpu@tpoff, %0\n\t"		\
		     "cmpq $0, (%0)\n\t"					\
		     "je 1f\n\t"						\
		     "lea -128(%%rsp), %%rsp\n\t"				\
		     "call shim_irq_entry\n\t"				\
		     "lea 128(%%rsp), %%rsp\n"				\
		     "1:"							\
		     : "=&r" (__cpu_state) : : "memory", "cc");		\
} while (0)
#else
#define shim_irq_reenabled() shim_irq_enabled()
#endif

/* interrupts off: the CPU runs nothing else (shim_cpu_claim()) */
#ifdef SHIM_BENCH
/* one thread per CPU */
static inline void shim_cpu_claim(int cpu) { }
static inline void shim_cpu_release(int cpu) { }
#else
void shim_cpu_claim(int cpu);
void shim_cpu_release(int cpu);
#endif
#define local_irq_save(flags) do {					\
	(flags) = (unsigned long)shim_irqs_off;				\
	if (!(flags))							\
		shim_cpu_claim(shim_cpu);				\
	shim_irqs_off = 1;						\
	barrier();	/* the kernel's pushf and cli clobber memory */	\
	shim_section_enter();						\
} while (0)
/*
 * The flag is written with a constant, as sti sets the flag from no
 * value: a store of the saved value would make each restore's store wait
 * for its save's load, itself forwarded from the last restore's store, a
 * chain through memory from section to section that the kernel's form
 * (a test of the saved flags, then sti) does not have.  A nested restore
 * leaves the flag set, as it found it.
 */
#define local_irq_restore(flags) do {					\
	shim_section_exit();						\
	if (!(flags)) {							\
		shim_irqs_off = 0;					\
		shim_cpu_release(shim_cpu);				\
		shim_irq_reenabled();					\
	}								\
} while (0)
#define lockdep_assert_irqs_enabled() \
	SHIM_BUG_ON(shim_irqs_off, "interrupts off")
#define lockdep_assert_irqs_disabled() \
	SHIM_BUG_ON(!shim_irqs_off, "interrupts on")
#define irqs_disabled() (shim_irqs_off != 0)
#define in_task() (!shim_in_ipi)

void shim_might_sleep(const char *file, int line);
#ifdef SHIM_BENCH
/*
 * The kernel's without CONFIG_DEBUG_ATOMIC_SLEEP, preempting fully (or
 * not at all): nothing.  With voluntary preemption it is a call.
 */
#define might_sleep() do { } while (0)
#else
#define might_sleep() shim_might_sleep(__FILE__, __LINE__)
#endif
#define cond_resched() do { } while (0)

/* ---- spinlocks and mutexes ---- */

typedef struct {
	int locked;
	struct shim_thread *owner;
} spinlock_t;

#define __SPIN_LOCK_UNLOCKED(name) { 0, NULL }
static inline void spin_lock_init(spinlock_t *l) { l->locked = 0; l->owner = NULL; }

static inline void spin_lock(spinlock_t *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			cpu_relax();
#ifndef SHIM_BENCH
	__atomic_store_n(&l->owner, shim_self, __ATOMIC_RELAXED);
#endif
}

static inline bool spin_trylock(spinlock_t *l)
{
	if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		return false;
#ifndef SHIM_BENCH
	__atomic_store_n(&l->owner, shim_self, __ATOMIC_RELAXED);
#endif
	return true;
}

static inline void spin_unlock(spinlock_t *l)
{
#ifndef SHIM_BENCH
	__atomic_store_n(&l->owner, NULL, __ATOMIC_RELAXED);
#endif
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	shim_event(SHIM_EV_UNLOCK, l, 0);
}

#define spin_lock_irqsave(l, flags) do { local_irq_save(flags); spin_lock(l); } while (0)
/* the owner's lock in its own section: lockdep's view, as the kernel's */
#ifdef SHIM_BENCH
#define pcslab_lock_acquired(l) do { } while (0)
#define pcslab_lock_released(l) do { } while (0)
#else
#define pcslab_lock_acquired(l) __atomic_store_n(&(l)->owner, shim_self, __ATOMIC_RELAXED)
#define pcslab_lock_released(l) __atomic_store_n(&(l)->owner, NULL, __ATOMIC_RELAXED)
#endif
#define spin_unlock_irqrestore(l, flags) do { spin_unlock(l); local_irq_restore(flags); } while (0)

#ifdef SHIM_BENCH
#define lockdep_assert_held(l) do { } while (0)
#else
#define lockdep_assert_held(l)						\
	SHIM_BUG_ON(__atomic_load_n(&(l)->owner, __ATOMIC_RELAXED) != shim_self, \
		    "lock %p not held by this thread", (void *)(l))
#endif

struct mutex {
	pthread_mutex_t m;
};
#define DEFINE_MUTEX(name) struct mutex name = { PTHREAD_MUTEX_INITIALIZER }
static inline void mutex_lock(struct mutex *m) { pthread_mutex_lock(&m->m); }
static inline void mutex_unlock(struct mutex *m) { pthread_mutex_unlock(&m->m); }

/* ---- IPIs ---- */

typedef void (*smp_call_func_t)(void *info);
#define CSD_FLAG_LOCK 1U
struct __call_single_data {
	struct llist_node node;
	unsigned int flags;
	smp_call_func_t func;
	void *info;
};
typedef struct __call_single_data call_single_data_t;
#define INIT_CSD(csd, f, i) do {					\
	(csd)->node.next = NULL;					\
	(csd)->flags = 0;						\
	(csd)->func = (f);						\
	(csd)->info = (i);						\
} while (0)
int smp_call_function_single_async(int cpu, call_single_data_t *csd);
int smp_call_function_single(int cpu, smp_call_func_t func, void *info, int wait);
void on_each_cpu(smp_call_func_t func, void *info, int wait);
void cpus_read_lock(void);
bool cpus_read_trylock(void);
void cpus_read_unlock(void);

/* ---- RCU, waiting, time ---- */

void synchronize_rcu(void);
void shim_wait_a_bit(void);	/* in a wait loop: take IPIs, yield */
#define wake_up_var(var) do { } while (0)
#define wait_var_event(var, cond) do {					\
	might_sleep();							\
	while (!(cond))							\
		shim_wait_a_bit();					\
} while (0)

extern unsigned long shim_jiffies(void);
#define jiffies shim_jiffies()
#define HZ 1000
static inline unsigned long msecs_to_jiffies(unsigned int ms) { return ms; }

/* ---- memory ---- */

#define __GFP_ATOMIC_BITS	0x20u
#define __GFP_ZERO		0x100u
#define __GFP_DIRECT_RECLAIM	0x400u
#define __GFP_COMP		0x4000u
#define __GFP_NOWARN		0x2000u
#define GFP_ATOMIC		__GFP_ATOMIC_BITS
#define GFP_NOWAIT		0u
#define GFP_KERNEL		(__GFP_DIRECT_RECLAIM | 0x1u)

static inline bool gfpflags_allow_blocking(gfp_t gfp) { return gfp & __GFP_DIRECT_RECLAIM; }
#define might_alloc(gfp) do {						\
	if (gfpflags_allow_blocking(gfp))				\
		might_sleep();						\
} while (0)

struct page {
	unsigned long private;
};

struct page *shim_alloc_pages(gfp_t gfp, unsigned int order);
void free_pages(unsigned long addr, unsigned int order);
struct page *shim_virt_to_page(const void *addr);
void *shim_page_address(const struct page *page);
bool shim_virt_addr_valid(const void *addr);
#define alloc_pages_node(nid, gfp, order) shim_alloc_pages(gfp, order)
#define alloc_pages(gfp, order) shim_alloc_pages(gfp, order)
#define virt_to_page(addr) shim_virt_to_page(addr)
#define page_address(page) shim_page_address(page)
#define virt_addr_valid(addr) shim_virt_addr_valid(addr)
#define page_private(page) __atomic_load_n(&(page)->private, __ATOMIC_RELAXED)
#define set_page_private(page, v) __atomic_store_n(&(page)->private, (v), __ATOMIC_RELAXED)

static inline void *kzalloc(size_t size, gfp_t gfp) { (void)gfp; return calloc(1, size); }
static inline void *kmalloc(size_t size, gfp_t gfp) { (void)gfp; return malloc(size); }
static inline void *kcalloc(size_t n, size_t size, gfp_t gfp) { (void)gfp; return calloc(n, size); }
static inline char *kstrdup(const char *s, gfp_t gfp) { (void)gfp; return s ? strdup(s) : NULL; }
static inline void kfree(const void *p) { free((void *)p); }

static inline void *memchr_inv(const void *start, int c, size_t bytes)
{
	const unsigned char *p = start;
	size_t i;

	for (i = 0; i < bytes; i++)
		if (p[i] != (unsigned char)c)
			return (void *)(p + i);
	return NULL;
}

#define kmemleak_alloc(ptr, size, min_count, gfp) do { } while (0)
#define kmemleak_free(ptr) do { } while (0)
#define kmemleak_not_leak(ptr) do { } while (0)

/* ---- workqueue ---- */

struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);
struct work_struct {
	work_func_t func;
};
struct delayed_work {
	struct work_struct work;
	struct list_head entry;
	unsigned long due;
	int pending, running;
};
struct workqueue_struct;
extern struct workqueue_struct *system_wq;
#define INIT_DELAYED_WORK(dw, fn) do {					\
	(dw)->work.func = (fn);						\
	INIT_LIST_HEAD(&(dw)->entry);					\
	(dw)->pending = 0;						\
	(dw)->running = 0;						\
} while (0)
static inline struct delayed_work *to_delayed_work(struct work_struct *w)
{
	return container_of(w, struct delayed_work, work);
}
bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *dw,
			unsigned long delay);
bool mod_delayed_work(struct workqueue_struct *wq, struct delayed_work *dw,
		      unsigned long delay);
bool cancel_delayed_work_sync(struct delayed_work *dw);
bool delayed_work_pending(struct delayed_work *dw);

/* ---- shrinkers ---- */

struct shrink_control {
	gfp_t gfp_mask;
	int nid;
	unsigned long nr_to_scan;
	unsigned long nr_scanned;
};
struct shrinker {
	unsigned long (*count_objects)(struct shrinker *, struct shrink_control *);
	unsigned long (*scan_objects)(struct shrinker *, struct shrink_control *);
	void *private_data;
	struct list_head list;
	char name[64];
};
#define SHRINK_STOP (~0UL)
#define SHRINK_EMPTY (~0UL - 1)
struct shrinker *shrinker_alloc(unsigned int flags, const char *fmt, ...)
	__attribute__((__format__(printf, 2, 3)));
void shrinker_register(struct shrinker *s);
void shrinker_free(struct shrinker *s);

/* ---- CPU hotplug ---- */

enum cpuhp_state { CPUHP_INVALID = -1, CPUHP_BP_PREPARE_DYN = 1 };
int cpuhp_setup_state_nocalls(enum cpuhp_state state, const char *name,
			      int (*startup)(unsigned int cpu),
			      int (*teardown)(unsigned int cpu));
void cpuhp_remove_state_nocalls(enum cpuhp_state state);

/* ---- printk, tracepoints, cleanup ---- */

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif
extern int shim_printk_errors;	/* pr_err() calls so far */
extern bool shim_quiet;		/* do not print pr_err() (expected errors) */
void shim_printk(int err, const char *fmt, ...) __attribute__((__format__(printf, 2, 3)));
#define pr_err(fmt, ...) shim_printk(1, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...) shim_printk(1, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...) shim_printk(0, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err_once(fmt, ...) ({					\
	static bool __done;						\
	if (!__done) {							\
		__done = true;						\
		pr_err(fmt, ##__VA_ARGS__);				\
	}								\
})
#define dump_stack() do { } while (0)

struct dentry;

#define DEFINE_FREE(_name, _type, _free) \
	static inline void __free_##_name(void *p) { _type _T = *(_type *)p; _free; }
#define __free(_name) __attribute__((__cleanup__(__free_##_name)))

#endif /* _PCSLAB_SHIM_H */
