/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcslab's workload engine, shared by the driver modules (pcslab_test
 * checks, pcslab_bench measures) and the KUnit stress case: a
 * single-producer single-consumer ring that hands objects from one CPU's
 * thread to another's, and a launcher that runs one kthread per CPU and
 * releases them together.  Header-only, as each driver is its own module.
 *
 * Context: process context; the ring's two ends may run on any two CPUs,
 * one thread each (one producer, one consumer; they may be the same).
 */
#ifndef _PCSLAB_WORKLOAD_H
#define _PCSLAB_WORKLOAD_H

#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/completion.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/topology.h>

#define PCSLAB_WL_RING_SIZE	1024U

/*
 * One producer, one consumer; each end's index on a line of its own, with
 * its copy of the other end's, which it reads again only when the ring
 * looks full (the producer) or empty (the consumer): the handoff costs a
 * transfer of the slot's line, not of both indices, per object.  What the
 * bench times is then the allocator more than the ring.
 */
struct pcslab_wl_ring {
	void *slot[PCSLAB_WL_RING_SIZE];
	unsigned long head ____cacheline_aligned;	/* the producer's */
	unsigned long tail_seen;			/* the producer's */
	unsigned long tail ____cacheline_aligned;	/* the consumer's */
	unsigned long head_seen;			/* the consumer's */
};

/* Return: false if the ring is full. */
static inline bool pcslab_wl_ring_push(struct pcslab_wl_ring *r, void *p)
{
	unsigned long h = r->head;

	if (h - r->tail_seen >= PCSLAB_WL_RING_SIZE) {
		/* acquire: the consumer is done with the slot before we reuse it */
		r->tail_seen = smp_load_acquire(&r->tail);
		if (h - r->tail_seen >= PCSLAB_WL_RING_SIZE)
			return false;
	}
	r->slot[h % PCSLAB_WL_RING_SIZE] = p;
	/* release: the slot is written before the consumer can see it */
	smp_store_release(&r->head, h + 1);
	return true;
}

/* Return: the oldest object, or NULL if the ring is empty. */
static inline void *pcslab_wl_ring_pop(struct pcslab_wl_ring *r)
{
	unsigned long t = r->tail;
	void *p;

	if (t == r->head_seen) {
		/* acquire: pairs with the producer's release of head */
		r->head_seen = smp_load_acquire(&r->head);
		if (t == r->head_seen)
			return NULL;
	}
	p = r->slot[t % PCSLAB_WL_RING_SIZE];
	/* release: we read the slot before the producer may overwrite it */
	smp_store_release(&r->tail, t + 1);
	return p;
}

static inline bool pcslab_wl_ring_empty(const struct pcslab_wl_ring *r)
{
	return READ_ONCE(r->head) == READ_ONCE(r->tail);
}

struct pcslab_wl_thread;
typedef void (*pcslab_wl_fn)(struct pcslab_wl_thread *t);

/* Threads of one run wait for each other, then start together. */
struct pcslab_wl_start {
	atomic_t ready;
	bool go;
	bool abort;	/* not all could be created: none runs */
};

/**
 * struct pcslab_wl_thread - one thread of a workload run.
 * @fn: what it runs; embed the struct to give it more state.
 * @cpu: the CPU it is bound to (set by the caller).
 * @idx: its index in the run (set by pcslab_wl_run()).
 * @start: the run's start gate.
 * @done: completed when @fn returned.
 */
struct pcslab_wl_thread {
	pcslab_wl_fn fn;
	unsigned int cpu, idx;
	struct pcslab_wl_start *start;
	struct completion done;
};

static int pcslab_wl_thread_main(void *data)
{
	struct pcslab_wl_thread *t = data;

	atomic_inc(&t->start->ready);
	/*
	 * May share a CPU with the starter: yield until released.  Acquire
	 * pairs with the starter's release, so the setup is visible.
	 */
	while (!smp_load_acquire(&t->start->go))
		cond_resched();
	if (!t->start->abort)
		t->fn(t);
	kthread_complete_and_exit(&t->done, 0);
}

/**
 * pcslab_wl_run - run threads bound to their CPUs, released together.
 * @t: the threads, with @fn and @cpu set.
 * @n: how many.
 * @name: thread name prefix ("<name>/<idx>").
 * @ns: set to the wall time in ns from the release to the end of the
 *	last thread.
 *
 * All or nothing: if a thread cannot be created, the others are released
 * without running @fn.
 *
 * Return: 0, or the error of the thread that could not be created.
 */
static inline int pcslab_wl_run(struct pcslab_wl_thread *const *t,
				unsigned int n, const char *name, u64 *ns)
{
	struct pcslab_wl_start start = { .ready = ATOMIC_INIT(0) };
	unsigned int i, nr = 0;
	int err = 0;
	ktime_t t0;

	for (i = 0; i < n; i++) {
		struct task_struct *task;

		t[i]->idx = i;
		t[i]->start = &start;
		init_completion(&t[i]->done);
		task = kthread_create_on_node(pcslab_wl_thread_main, t[i],
					      cpu_to_node(t[i]->cpu), "%s/%u",
					      name, i);
		if (IS_ERR(task)) {
			err = PTR_ERR(task);
			start.abort = true;
			break;
		}
		kthread_bind(task, t[i]->cpu);
		wake_up_process(task);
		nr++;
	}
	while (atomic_read(&start.ready) < nr)
		schedule_timeout_uninterruptible(1);
	t0 = ktime_get();
	/* release: the threads' setup (and @abort) before they see go */
	smp_store_release(&start.go, true);
	for (i = 0; i < nr; i++)
		wait_for_completion(&t[i]->done);
	*ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
	return err;
}

#endif /* _PCSLAB_WORKLOAD_H */
