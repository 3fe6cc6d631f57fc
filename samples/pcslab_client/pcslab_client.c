// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab_client - a module that uses pcslab, as your own module would.
 *
 * A "request" is allocated where work arrives (here: this module's init,
 * in process context, and a timer, in softirq context) and freed where
 * the work completes (a work item on another CPU): the cross-CPU pattern
 * pcslab is for.  Every request is checked when it completes; the module
 * loads only if all were freed and the cache was left empty.
 *
 * Build against an installed pcslab (see samples/pcslab_client/Makefile
 * and the README's "Use pcslab from your module").
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/llist.h>
#include <linux/module.h>
#include <linux/smp.h>
#include <linux/timer.h>
#include <linux/workqueue.h>
#include <pcslab.h>

#define NR_REQUESTS	4096

struct request {
	struct llist_node node;		/* waiting for completion */
	unsigned int id;
	unsigned int alloc_cpu;
	u8 payload[40];
};

static struct pcslab_cache *requests;
static LLIST_HEAD(to_complete);
static atomic_t completed, bad;
static DECLARE_COMPLETION(all_done);
static unsigned int complete_cpu;

/* Completion side: another CPU frees what the submit side allocated. */
static void complete_fn(struct work_struct *work)
{
	struct llist_node *list = llist_del_all(&to_complete);
	struct request *req, *next;

	llist_for_each_entry_safe(req, next, list, node) {
		if (req->payload[0] != (u8)req->id || req->payload[39] != (u8)~req->id)
			atomic_inc(&bad);
		pcslab_free(requests, req);	/* remote free when CPUs differ */
		if (atomic_inc_return(&completed) == NR_REQUESTS)
			complete(&all_done);
	}
}

static DECLARE_WORK(complete_work, complete_fn);

static bool submit(unsigned int id, gfp_t gfp)
{
	struct request *req = pcslab_alloc(requests, gfp);

	if (!req)
		return false;
	req->id = id;
	req->alloc_cpu = raw_smp_processor_id();
	req->payload[0] = id;
	req->payload[39] = ~id;
	llist_add(&req->node, &to_complete);
	queue_work_on(complete_cpu, system_wq, &complete_work);
	return true;
}

/* Softirq context: the second half of the requests. */
static unsigned int timer_next;
static void submit_timer_fn(struct timer_list *t)
{
	unsigned int i;

	for (i = 0; i < 256 && timer_next < NR_REQUESTS; i++, timer_next++)
		if (!submit(timer_next, GFP_ATOMIC))
			atomic_inc(&bad);
	if (timer_next < NR_REQUESTS)
		mod_timer(t, jiffies + 1);
}

static DEFINE_TIMER(submit_timer, submit_timer_fn);

static int __init pcslab_client_init(void)
{
	unsigned int i, here;
	unsigned long left;

	requests = pcslab_cache_create("pcslab_client", sizeof(struct request), 0,
				       PCSLAB_HWCACHE_ALIGN, NULL);
	if (IS_ERR(requests))
		return PTR_ERR(requests);
	here = get_cpu();
	complete_cpu = cpumask_any_but(cpu_online_mask, here);
	if (complete_cpu >= nr_cpu_ids)
		complete_cpu = here;	/* one CPU: all frees are local */
	put_cpu();

	/* process context: the first half, may sleep for a new slab */
	for (i = 0; i < NR_REQUESTS / 2; i++)
		if (!submit(i, GFP_KERNEL))
			atomic_inc(&bad);
	timer_next = NR_REQUESTS / 2;
	mod_timer(&submit_timer, jiffies + 1);

	if (!wait_for_completion_timeout(&all_done, 10 * HZ) || atomic_read(&bad)) {
		timer_delete_sync(&submit_timer);
		flush_work(&complete_work);
		pr_err("FAILED: %d of %u requests completed, %d bad\n",
		       atomic_read(&completed), NR_REQUESTS, atomic_read(&bad));
		pcslab_cache_destroy(requests);
		return -EIO;
	}
	timer_delete_sync(&submit_timer);
	flush_work(&complete_work);
	/* destroy returns the queued frees; anything left is a leak */
	left = pcslab_cache_destroy(requests);
	if (left) {
		pr_err("FAILED: %lu requests still allocated\n", left);
		return -EIO;
	}
	pr_info("ok: %u requests allocated on CPU %u and in a timer, freed on CPU %u\n",
		NR_REQUESTS, here, complete_cpu);
	return 0;
}

static void __exit pcslab_client_exit(void)
{
}

module_init(pcslab_client_init);
module_exit(pcslab_client_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pcslab sample client: allocate in one context, free in another");
