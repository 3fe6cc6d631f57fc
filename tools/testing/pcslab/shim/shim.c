// SPDX-License-Identifier: GPL-2.0
/*
 * The runtime behind pcslab_shim.h: CPUs as threads, IPIs, the page
 * arena, RCU grace periods, delayed work, shrinkers and CPU hotplug.
 */

#include <pcslab_shim.h>

#include <sched.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#ifdef SHIM_ASAN
#include <sanitizer/asan_interface.h>
#define SHIM_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define SHIM_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define SHIM_POISON(p, n) do { } while (0)
#define SHIM_UNPOISON(p, n) do { } while (0)
#endif

SHIM_TLS int shim_cpu;
SHIM_TLS unsigned long shim_cpu_off;
SHIM_TLS struct shim_cpu_state *shim_this_cpu = &shim_cpus[0];
SHIM_TLS int shim_irqs_off;
SHIM_TLS int shim_in_ipi;
SHIM_TLS struct shim_thread *shim_self;
unsigned int nr_cpu_ids = 1;
unsigned long shim_online_mask[BITS_TO_LONGS(SHIM_MAX_CPUS)];
void (*shim_hook)(enum shim_event ev, const void *addr, long arg);
int shim_printk_errors;
bool shim_quiet;
struct workqueue_struct *system_wq;

void shim_bug(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "shim: BUG at %s:%d (cpu %d): ", file, line, shim_cpu);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void shim_printk(int err, const char *fmt, ...)
{
	va_list ap;

	if (err)
		__atomic_fetch_add(&shim_printk_errors, 1, __ATOMIC_RELAXED);
	if (shim_quiet)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* ---- threads: preemption/irq sections are RCU read-side sections ---- */

struct shim_thread {
	int nest;		/* sections entered and not left */
	unsigned long epoch;	/* outermost sections left */
	struct shim_thread *next;
};

static struct shim_thread *shim_threads;
static pthread_mutex_t shim_threads_lock = PTHREAD_MUTEX_INITIALIZER;

static struct shim_thread *shim_thread_self(void)
{
	if (!shim_self) {
		struct shim_thread *t = calloc(1, sizeof(*t));

		SHIM_BUG_ON(!t, "out of memory");
		pthread_mutex_lock(&shim_threads_lock);
		t->next = shim_threads;
		shim_threads = t;
		pthread_mutex_unlock(&shim_threads_lock);
		shim_self = t;
	}
	return shim_self;
}

/**
 * shim_set_cpu - make the calling thread CPU @cpu (it must be online).
 * @cpu: a CPU below nr_cpu_ids.
 */
void shim_set_cpu(int cpu)
{
	SHIM_BUG_ON(cpu < 0 || (unsigned int)cpu >= nr_cpu_ids, "no CPU %d", cpu);
	shim_thread_self();
	shim_switch_cpu(cpu);
}

#ifndef SHIM_BENCH
void shim_section_enter(void)
{
	struct shim_thread *t = shim_self;

	/* seq_cst store then fence: the section's loads come after it */
	__atomic_store_n(&t->nest, t->nest + 1, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void shim_section_exit(void)
{
	struct shim_thread *t = shim_self;

	SHIM_BUG_ON(t->nest <= 0, "section exit without enter");
	if (t->nest == 1)
		__atomic_store_n(&t->epoch, t->epoch + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&t->nest, t->nest - 1, __ATOMIC_RELEASE);
}
#endif

void shim_might_sleep(const char *file, int line)
{
#ifndef SHIM_BENCH
	SHIM_BUG_ON(shim_irqs_off || (shim_self && shim_self->nest),
		    "sleeping function called from invalid context at %s:%d",
		    file, line);
#endif
}

/* ---- IPIs ---- */

struct shim_cpu_state shim_cpus[SHIM_MAX_CPUS];

#ifndef SHIM_BENCH
/*
 * A CPU runs one interrupt-off section at a time, whichever of its
 * threads runs it: the owner's lock relies on that (pcslab_internal.h).
 */
void shim_cpu_claim(int cpu)
{
	struct shim_cpu_state *c = &shim_cpus[cpu];
	struct shim_thread *none;

	if (__atomic_load_n(&c->irq_owner, __ATOMIC_RELAXED) != shim_self) {
		for (;;) {
			none = NULL;
			if (__atomic_compare_exchange_n(&c->irq_owner, &none, shim_self,
							false, __ATOMIC_ACQUIRE,
							__ATOMIC_RELAXED))
				break;
			sched_yield();
		}
	}
	c->irq_nest++;
}

void shim_cpu_release(int cpu)
{
	struct shim_cpu_state *c = &shim_cpus[cpu];

	SHIM_BUG_ON(__atomic_load_n(&c->irq_owner, __ATOMIC_RELAXED) != shim_self, "CPU %d released by a thread that does not hold it", cpu);
	if (!--c->irq_nest)
		__atomic_store_n(&c->irq_owner, NULL, __ATOMIC_RELEASE);
}
#endif

/* An IPI's handler starts on @cpu: between two of its sections. */
static int shim_ipi_enter(int cpu)
{
	int saved = shim_irqs_off;

	shim_cpu_claim(cpu);
	shim_irqs_off = 1;
	shim_in_ipi++;
	shim_section_enter();
	return saved;
}

static void shim_ipi_exit(int cpu, int saved)
{
	shim_section_exit();
	shim_in_ipi--;
	shim_irqs_off = saved;
	shim_cpu_release(cpu);
}

static void shim_run_ipis(int cpu)
{
	struct llist_node *list = llist_del_all(&shim_cpus[cpu].ipis);
	int saved;

	if (!list)
		return;
	list = llist_reverse_order(list);	/* in the order queued */
	saved = shim_ipi_enter(cpu);
	while (list) {
		call_single_data_t *csd = container_of(list, call_single_data_t, node);
		smp_call_func_t func = csd->func;
		void *info = csd->info;

		list = list->next;
		/* async csd: unlocked before the call, as the kernel does */
		__atomic_store_n(&csd->flags, 0, __ATOMIC_RELEASE);
		func(info);
	}
	shim_ipi_exit(cpu, saved);
}

void shim_irq_enabled(void)
{
	if (unlikely(__atomic_load_n(&shim_cpus[shim_cpu].ipis.first, __ATOMIC_RELAXED)))
		shim_run_ipis(shim_cpu);
}

#ifdef SHIM_BENCH
/* shim_irq_entry's C half, called from its asm below: this CPU's IPIs */
static __attribute__((__used__)) void shim_irq_enabled_pending(void)
{
	shim_run_ipis(shim_cpu);
}

/*
 * Called from local_irq_restore()'s asm (pcslab_shim.h) with an IPI
 * pending, as an interrupt is taken at sti: saves the registers the C
 * half may clobber (the flags are the asm's clobber; the core holds no
 * value in a vector register), aligns the stack for it, restores them.
 */
asm(".pushsection .text\n"
    ".globl shim_irq_entry\n"
    ".type shim_irq_entry, @function\n"
    "shim_irq_entry:\n\t"
    "push %rbp\n\t"
    "mov %rsp, %rbp\n\t"
    "and $-16, %rsp\n\t"
    "push %rax\n\tpush %rcx\n\tpush %rdx\n\tpush %rsi\n\t"
    "push %rdi\n\tpush %r8\n\tpush %r9\n\tpush %r10\n\t"
    "push %r11\n\t"
    "push %r11\n\t"		/* keeps the call 16-byte aligned */
    "call shim_irq_enabled_pending\n\t"
    "pop %r11\n\t"
    "pop %r11\n\tpop %r10\n\tpop %r9\n\tpop %r8\n\t"
    "pop %rdi\n\tpop %rsi\n\tpop %rdx\n\tpop %rcx\n\t"
    "pop %rax\n\t"
    "leave\n\t"
    "ret\n"
    ".size shim_irq_entry, .-shim_irq_entry\n"
    ".popsection");
#endif

int smp_call_function_single_async(int cpu, call_single_data_t *csd)
{
	shim_event(SHIM_EV_CSD_SEND, csd, cpu);
	/*
	 * The kernel leaves serialising a csd to its user and only notices a
	 * reuse when its plain check happens to see the lock: here any send of
	 * a pending csd is the bug it is.
	 */
	SHIM_BUG_ON(__atomic_fetch_or(&csd->flags, CSD_FLAG_LOCK, __ATOMIC_ACQ_REL) &
		    CSD_FLAG_LOCK, "csd %p queued while still pending", (void *)csd);
	if (!cpu_online(cpu)) {
		__atomic_store_n(&csd->flags, 0, __ATOMIC_RELEASE);
		return -ENXIO;
	}
	if (cpu == shim_cpu) {
		unsigned long flags;

		__atomic_store_n(&csd->flags, 0, __ATOMIC_RELEASE);
		local_irq_save(flags);
		csd->func(csd->info);
		local_irq_restore(flags);
		return 0;
	}
	llist_add(&csd->node, &shim_cpus[cpu].ipis);
	return 0;
}

/*
 * A waited-for IPI: run @func as @cpu between two of its sections, on
 * the calling thread (the CPU's threads may all be busy elsewhere).
 */
int smp_call_function_single(int cpu, smp_call_func_t func, void *info, int wait)
{
	int saved_cpu = shim_cpu, saved;

	SHIM_BUG_ON(shim_irqs_off, "smp_call_function_single() with interrupts off");
	if (!cpu_online(cpu))
		return -ENXIO;
	shim_switch_cpu(cpu);
	saved = shim_ipi_enter(cpu);
	func(info);
	shim_ipi_exit(cpu, saved);
	shim_switch_cpu(saved_cpu);
	return 0;
}

void on_each_cpu(smp_call_func_t func, void *info, int wait)
{
	unsigned int cpu;

	for_each_online_cpu(cpu)
		smp_call_function_single(cpu, func, info, wait);
}

/* ---- CPU hotplug lock ---- */

static pthread_rwlock_t shim_hotplug_lock = PTHREAD_RWLOCK_INITIALIZER;

void cpus_read_lock(void)
{
	might_sleep();
	pthread_rwlock_rdlock(&shim_hotplug_lock);
}

bool cpus_read_trylock(void)
{
	return !pthread_rwlock_tryrdlock(&shim_hotplug_lock);
}

void cpus_read_unlock(void)
{
	pthread_rwlock_unlock(&shim_hotplug_lock);
}

/**
 * shim_run_cpu_ipis - deliver @cpu's pending IPIs on the calling thread.
 * @cpu: the CPU they were sent to (the thread acts as it meanwhile).
 */
void shim_run_cpu_ipis(int cpu)
{
	int saved = shim_cpu;

	shim_switch_cpu(cpu);
	shim_run_ipis(cpu);
	shim_switch_cpu(saved);
}

/* One thread plays every CPU: while it waits, the others take their IPIs. */
bool shim_single_thread;

void shim_wait_a_bit(void)
{
	unsigned int cpu;

	if (!shim_irqs_off)
		shim_irq_enabled();
	if (shim_single_thread)
		for (cpu = 0; cpu < nr_cpu_ids; cpu++)
			if (cpu != (unsigned int)shim_cpu && cpu_online(cpu))
				shim_run_cpu_ipis(cpu);
	sched_yield();
}

/* ---- RCU ---- */

void synchronize_rcu(void)
{
	might_sleep();
	shim_event(SHIM_EV_SYNC_RCU, NULL, 0);
#ifndef SHIM_BENCH
	struct shim_thread *t;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	pthread_mutex_lock(&shim_threads_lock);
	for (t = shim_threads; t; t = t->next) {
		unsigned long epoch = __atomic_load_n(&t->epoch, __ATOMIC_ACQUIRE);

		if (t == shim_self)
			continue;
		while (__atomic_load_n(&t->nest, __ATOMIC_ACQUIRE) &&
		       __atomic_load_n(&t->epoch, __ATOMIC_ACQUIRE) == epoch)
			shim_wait_a_bit();
	}
	pthread_mutex_unlock(&shim_threads_lock);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

/* ---- time: real milliseconds, or a clock the test moves ---- */

static bool shim_manual_clock;
static unsigned long shim_clock_ms;

unsigned long shim_jiffies(void)
{
	struct timespec ts;

	if (shim_manual_clock)
		return __atomic_load_n(&shim_clock_ms, __ATOMIC_RELAXED);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000UL + ts.tv_nsec / 1000000;
}

/** shim_clock_manual - time moves only by shim_clock_advance() from now on. */
void shim_clock_manual(void)
{
	shim_manual_clock = true;
}

void shim_clock_advance(unsigned long ms)
{
	__atomic_fetch_add(&shim_clock_ms, ms, __ATOMIC_RELAXED);
}

/* ---- per-CPU areas ---- */

void *shim_alloc_percpu(size_t size, size_t align)
{
	void *p;

	SHIM_BUG_ON(size > SHIM_PERCPU_STRIDE || align > SHIM_PERCPU_STRIDE,
		    "per-CPU object of %zu bytes too big for the stride", size);
	p = aligned_alloc(SHIM_PERCPU_STRIDE, SHIM_PERCPU_STRIDE * nr_cpu_ids);
	if (p)
		memset(p, 0, SHIM_PERCPU_STRIDE * nr_cpu_ids);
	return p;
}

void shim_free_percpu(void *p)
{
	free(p);
}

/* ---- pages: a reserved arena of naturally aligned blocks ---- */

#define SHIM_ARENA_BYTES	(8UL << 30)
#define SHIM_MAX_ORDER		10
#define SHIM_QUARANTINE		64	/* freed blocks waiting before reuse */

static char *shim_arena;
static struct page *shim_pages;
static unsigned long shim_arena_used;
static pthread_mutex_t shim_pages_lock = PTHREAD_MUTEX_INITIALIZER;
/* per order: a FIFO of freed blocks, linked through a side table */
static unsigned long shim_free_head[SHIM_MAX_ORDER + 1];
static unsigned long shim_free_tail[SHIM_MAX_ORDER + 1];
static unsigned long shim_free_count[SHIM_MAX_ORDER + 1];
static unsigned long *shim_free_next;	/* by page index, +1; 0 ends */
long shim_pages_in_use;			/* pages handed out, not freed */
int shim_fail_pages;			/* fail this many page allocations */
bool (*shim_fail_page_hook)(unsigned int order);

static void shim_arena_init(void)
{
	unsigned long npages = SHIM_ARENA_BYTES >> PAGE_SHIFT;
	char *p;

	p = mmap(NULL, SHIM_ARENA_BYTES + (PAGE_SIZE << SHIM_MAX_ORDER),
		 PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	SHIM_BUG_ON(p == MAP_FAILED, "cannot reserve the page arena");
	shim_arena = (char *)ALIGN((unsigned long)p, PAGE_SIZE << SHIM_MAX_ORDER);
	shim_pages = mmap(NULL, npages * sizeof(struct page), PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	shim_free_next = mmap(NULL, npages * sizeof(unsigned long), PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	SHIM_BUG_ON(shim_pages == MAP_FAILED || shim_free_next == MAP_FAILED,
		    "cannot reserve the page table");
	SHIM_POISON(shim_arena, SHIM_ARENA_BYTES);
}

/* Fail the next @n page allocations (from any thread). */
void shim_set_fail_pages(int n)
{
	pthread_mutex_lock(&shim_pages_lock);
	shim_fail_pages = n;
	pthread_mutex_unlock(&shim_pages_lock);
}

struct page *shim_alloc_pages(gfp_t gfp, unsigned int order)
{
	unsigned long idx, bytes = PAGE_SIZE << order;

	SHIM_BUG_ON(order > SHIM_MAX_ORDER, "order %u", order);
	if (gfpflags_allow_blocking(gfp))
		might_sleep();
	pthread_mutex_lock(&shim_pages_lock);
	if (shim_fail_pages > 0 ||
	    (shim_fail_page_hook && shim_fail_page_hook(order))) {
		if (shim_fail_pages > 0)
			shim_fail_pages--;
		pthread_mutex_unlock(&shim_pages_lock);
		return NULL;
	}
	if (shim_free_count[order] > SHIM_QUARANTINE) {
		idx = shim_free_head[order] - 1;
		shim_free_head[order] = shim_free_next[idx];
		if (!shim_free_head[order])
			shim_free_tail[order] = 0;
		shim_free_count[order]--;
	} else {
		shim_arena_used = ALIGN(shim_arena_used, bytes);
		SHIM_BUG_ON(shim_arena_used + bytes > SHIM_ARENA_BYTES, "arena exhausted");
		idx = shim_arena_used >> PAGE_SHIFT;
		shim_arena_used += bytes;
	}
	shim_pages_in_use += 1L << order;
	pthread_mutex_unlock(&shim_pages_lock);
	SHIM_UNPOISON(shim_arena + (idx << PAGE_SHIFT), bytes);
	if (gfp & __GFP_ZERO)
		memset(shim_arena + (idx << PAGE_SHIFT), 0, bytes);
	return &shim_pages[idx];
}

void free_pages(unsigned long addr, unsigned int order)
{
	unsigned long idx = (addr - (unsigned long)shim_arena) >> PAGE_SHIFT;

	SHIM_BUG_ON(!shim_virt_addr_valid((void *)addr) ||
		    !IS_ALIGNED(addr, PAGE_SIZE << order), "free_pages(%#lx, %u)", addr, order);
	/* scribble, then poison: a use after free shows either way */
	memset((void *)addr, 0x5a, PAGE_SIZE << order);
	SHIM_POISON((void *)addr, PAGE_SIZE << order);
	pthread_mutex_lock(&shim_pages_lock);
	shim_free_next[idx] = 0;
	if (shim_free_tail[order])
		shim_free_next[shim_free_tail[order] - 1] = idx + 1;
	else
		shim_free_head[order] = idx + 1;
	shim_free_tail[order] = idx + 1;
	shim_free_count[order]++;
	shim_pages_in_use -= 1L << order;
	pthread_mutex_unlock(&shim_pages_lock);
}

bool shim_virt_addr_valid(const void *addr)
{
	return (const char *)addr >= shim_arena &&
	       (const char *)addr < shim_arena + SHIM_ARENA_BYTES;
}

struct page *shim_virt_to_page(const void *addr)
{
	return &shim_pages[((const char *)addr - shim_arena) >> PAGE_SHIFT];
}

void *shim_page_address(const struct page *page)
{
	return shim_arena + ((unsigned long)(page - shim_pages) << PAGE_SHIFT);
}

/* ---- delayed work ---- */

static LIST_HEAD(shim_work_list);
static pthread_mutex_t shim_work_lock = PTHREAD_MUTEX_INITIALIZER;

bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *dw,
			unsigned long delay)
{
	bool queued = false;

	pthread_mutex_lock(&shim_work_lock);
	if (!dw->pending) {
		__atomic_store_n(&dw->pending, 1, __ATOMIC_RELEASE);
		dw->due = jiffies + delay;
		list_add_tail(&dw->entry, &shim_work_list);
		queued = true;
	}
	pthread_mutex_unlock(&shim_work_lock);
	return queued;
}

bool mod_delayed_work(struct workqueue_struct *wq, struct delayed_work *dw,
		      unsigned long delay)
{
	bool was;

	pthread_mutex_lock(&shim_work_lock);
	was = dw->pending;
	if (!dw->pending) {
		__atomic_store_n(&dw->pending, 1, __ATOMIC_RELEASE);
		list_add_tail(&dw->entry, &shim_work_list);
	}
	dw->due = jiffies + delay;
	pthread_mutex_unlock(&shim_work_lock);
	return was;
}

/* As the kernel's: one read of the pending bit, no lock. */
bool delayed_work_pending(struct delayed_work *dw)
{
	return __atomic_load_n(&dw->pending, __ATOMIC_ACQUIRE);
}

bool cancel_delayed_work_sync(struct delayed_work *dw)
{
	bool was;

	pthread_mutex_lock(&shim_work_lock);
	was = dw->pending;
	if (dw->pending) {
		list_del(&dw->entry);
		__atomic_store_n(&dw->pending, 0, __ATOMIC_RELEASE);
	}
	while (dw->running) {
		pthread_mutex_unlock(&shim_work_lock);
		shim_wait_a_bit();
		pthread_mutex_lock(&shim_work_lock);
	}
	pthread_mutex_unlock(&shim_work_lock);
	return was;
}

/**
 * shim_run_work - run queued delayed work, on the calling thread's CPU.
 * @all: also work whose delay has not passed yet.
 *
 * Return: items run.
 */
int shim_run_work(bool all)
{
	struct delayed_work *dw;
	int n = 0;

	pthread_mutex_lock(&shim_work_lock);
	for (;;) {
		bool found = false;

		list_for_each_entry(dw, &shim_work_list, entry) {
			if (all || (long)(jiffies - dw->due) >= 0) {
				found = true;
				break;
			}
		}
		if (!found)
			break;
		list_del(&dw->entry);
		__atomic_store_n(&dw->pending, 0, __ATOMIC_RELEASE);
		dw->running = 1;
		pthread_mutex_unlock(&shim_work_lock);
		dw->work.func(&dw->work);
		n++;
		pthread_mutex_lock(&shim_work_lock);
		dw->running = 0;
	}
	pthread_mutex_unlock(&shim_work_lock);
	return n;
}

/* ---- shrinkers ---- */

static LIST_HEAD(shim_shrinkers);
static pthread_mutex_t shim_shrinker_lock = PTHREAD_MUTEX_INITIALIZER;

struct shrinker *shrinker_alloc(unsigned int flags, const char *fmt, ...)
{
	struct shrinker *s = calloc(1, sizeof(*s));
	va_list ap;

	if (!s)
		return NULL;
	INIT_LIST_HEAD(&s->list);
	va_start(ap, fmt);
	vsnprintf(s->name, sizeof(s->name), fmt, ap);
	va_end(ap);
	return s;
}

void shrinker_register(struct shrinker *s)
{
	pthread_mutex_lock(&shim_shrinker_lock);
	list_add_tail(&s->list, &shim_shrinkers);
	pthread_mutex_unlock(&shim_shrinker_lock);
}

void shrinker_free(struct shrinker *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&shim_shrinker_lock);
	if (!list_empty(&s->list) && s->list.next != (struct list_head *)0x100)
		list_del(&s->list);
	pthread_mutex_unlock(&shim_shrinker_lock);
	free(s);
}

/**
 * shim_shrink_all - memory pressure: count and scan every shrinker.
 *
 * Return: objects the scans reported freed.
 */
unsigned long shim_shrink_all(void)
{
	struct shrinker *s;
	unsigned long freed = 0;

	pthread_mutex_lock(&shim_shrinker_lock);
	list_for_each_entry(s, &shim_shrinkers, list) {
		struct shrink_control sc = { .gfp_mask = GFP_KERNEL };
		unsigned long n = s->count_objects(s, &sc), r;

		if (!n || n == SHRINK_EMPTY)
			continue;
		sc.nr_to_scan = n;
		r = s->scan_objects(s, &sc);
		if (r != SHRINK_STOP)
			freed += r;
	}
	pthread_mutex_unlock(&shim_shrinker_lock);
	return freed;
}

/* ---- CPU hotplug ---- */

static int (*shim_cpu_dead_cb)(unsigned int cpu);

int cpuhp_setup_state_nocalls(enum cpuhp_state state, const char *name,
			      int (*startup)(unsigned int cpu),
			      int (*teardown)(unsigned int cpu))
{
	shim_cpu_dead_cb = teardown;
	return 1;
}

void cpuhp_remove_state_nocalls(enum cpuhp_state state)
{
	shim_cpu_dead_cb = NULL;
}

/**
 * shim_cpu_down - take @cpu offline, from a thread of another CPU.
 * @cpu: an online CPU no thread runs as any more.
 *
 * What pcslab relies on from stop_machine: once this returns from the
 * grace period, no section that saw @cpu online is still running.
 */
void shim_cpu_down(int cpu)
{
	SHIM_BUG_ON(cpu == shim_cpu, "a CPU cannot take itself down");
	pthread_rwlock_wrlock(&shim_hotplug_lock);
	clear_bit(cpu, shim_online_mask);
	synchronize_rcu();
	shim_run_cpu_ipis(cpu);		/* smpcfd_dying_cpu() flushes them */
	if (shim_cpu_dead_cb)
		shim_cpu_dead_cb(cpu);
	pthread_rwlock_unlock(&shim_hotplug_lock);
}

void shim_cpu_up(int cpu)
{
	pthread_rwlock_wrlock(&shim_hotplug_lock);
	set_bit(cpu, shim_online_mask);
	pthread_rwlock_unlock(&shim_hotplug_lock);
}

/**
 * shim_init - set up @ncpus CPUs, all online; the caller becomes CPU 0.
 * @ncpus: 1..SHIM_MAX_CPUS.
 */
void shim_init(unsigned int ncpus)
{
	unsigned int cpu;

	SHIM_BUG_ON(!ncpus || ncpus > SHIM_MAX_CPUS, "%u CPUs", ncpus);
	nr_cpu_ids = ncpus;
	for (cpu = 0; cpu < ncpus; cpu++)
		set_bit(cpu, shim_online_mask);
	shim_arena_init();
	shim_set_cpu(0);
}
