// SPDX-License-Identifier: GPL-2.0
/*
 * flowtab - a flow table, written for kmem_cache as most drivers are: the
 * input of the Coccinelle conversion test (tools/adoption).  Flows are
 * allocated where packets arrive and expired by a work item on another
 * CPU; routes live in a SLAB_TYPESAFE_BY_RCU cache, which pcslab has no
 * equivalent for, so the conversion must leave that cache alone.  The
 * module checks itself at load: it loads only if every flow came back
 * zeroed, every expiry freed its flow and nothing leaked.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#define FLOW_BUCKETS	256
#define NR_FLOWS	3000

struct flow {
	struct hlist_node hnode;
	struct list_head expire;
	__be32 saddr, daddr;
	__be16 sport, dport;
	u64 packets, bytes;
};

struct route {
	struct rcu_head rcu;
	__be32 dst;
	int ifindex;
};

static struct kmem_cache *flow_cache;
static struct kmem_cache *route_cache;
static struct hlist_head flow_table[FLOW_BUCKETS];
static DEFINE_SPINLOCK(flow_lock);
static LIST_HEAD(expire_list);
static unsigned int nr_flows, nr_expired, nr_dirty, expire_cpu;
static DECLARE_COMPLETION(expired);

static u32 flow_hash(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport)
{
	return jhash_3words((__force u32)saddr, (__force u32)daddr,
			    ((u32)(__force u16)sport << 16) | (__force u16)dport, 0) %
	       FLOW_BUCKETS;
}

static struct flow *flow_add(__be32 saddr, __be32 daddr, __be16 sport, __be16 dport)
{
	struct flow *f = kmem_cache_zalloc(flow_cache, GFP_KERNEL);

	if (!f)
		return NULL;
	if (f->packets || f->bytes || f->saddr)
		nr_dirty++;
	f->saddr = saddr;
	f->daddr = daddr;
	f->sport = sport;
	f->dport = dport;
	spin_lock_bh(&flow_lock);
	hlist_add_head(&f->hnode, &flow_table[flow_hash(saddr, daddr, sport, dport)]);
	nr_flows++;
	spin_unlock_bh(&flow_lock);
	return f;
}

/* Expiry runs on another CPU: the flows are freed far from where they were made. */
static void expire_fn(struct work_struct *work)
{
	struct flow *f, *next;
	LIST_HEAD(batch);

	spin_lock_bh(&flow_lock);
	list_splice_init(&expire_list, &batch);
	list_for_each_entry(f, &batch, expire)
		hlist_del(&f->hnode);
	spin_unlock_bh(&flow_lock);
	list_for_each_entry_safe(f, next, &batch, expire) {
		kmem_cache_free(flow_cache, f);
		spin_lock_bh(&flow_lock);
		nr_flows--;
		if (++nr_expired == NR_FLOWS)
			complete(&expired);
		spin_unlock_bh(&flow_lock);
	}
}

static DECLARE_WORK(expire_work, expire_fn);

static void flow_expire(struct flow *f)
{
	spin_lock_bh(&flow_lock);
	list_add_tail(&f->expire, &expire_list);
	spin_unlock_bh(&flow_lock);
	queue_work_on(expire_cpu, system_wq, &expire_work);
}

static int route_check(void)
{
	struct route *r = kmem_cache_alloc(route_cache, GFP_KERNEL);

	if (!r)
		return -ENOMEM;
	r->dst = htonl(0x0a000001);
	r->ifindex = 1;
	kfree_rcu(r, rcu);
	return 0;
}

static int __init flowtab_init(void)
{
	struct flow *f;
	unsigned int i;
	int ret;

	flow_cache = kmem_cache_create("flowtab_flow", sizeof(struct flow), 0,
				       SLAB_HWCACHE_ALIGN, NULL);
	if (!flow_cache)
		return -ENOMEM;
	route_cache = kmem_cache_create("flowtab_route", sizeof(struct route), 0,
					SLAB_TYPESAFE_BY_RCU | SLAB_ACCOUNT, NULL);
	if (!route_cache) {
		kmem_cache_destroy(flow_cache);
		return -ENOMEM;
	}
	expire_cpu = cpumask_any_but(cpu_online_mask, raw_smp_processor_id());
	if (expire_cpu >= nr_cpu_ids)
		expire_cpu = raw_smp_processor_id();

	ret = route_check();
	for (i = 0; !ret && i < NR_FLOWS; i++) {
		f = flow_add(htonl(0x0a000000 + i), htonl(0x0a010000 + i),
			     htons(1024 + i % 60000), htons(80));
		if (!f) {
			ret = -ENOMEM;
			break;
		}
		f->packets = i;
		f->bytes = 1500ULL * i;
		flow_expire(f);
	}
	if (!ret && !wait_for_completion_timeout(&expired, 10 * HZ))
		ret = -ETIMEDOUT;
	flush_work(&expire_work);
	if (!ret && (nr_dirty || nr_flows))
		ret = -EIO;
	if (ret) {
		pr_err("FAILED: %d (%u flows left, %u not zeroed)\n", ret, nr_flows, nr_dirty);
		rcu_barrier();
		kmem_cache_destroy(route_cache);
		kmem_cache_destroy(flow_cache);
		return ret;
	}
	pr_info("ok: %u flows made on CPU %u, expired on CPU %u\n",
		NR_FLOWS, raw_smp_processor_id(), expire_cpu);
	return 0;
}

static void __exit flowtab_exit(void)
{
	rcu_barrier();
	kmem_cache_destroy(route_cache);
	kmem_cache_destroy(flow_cache);
}

module_init(flowtab_init);
module_exit(flowtab_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("A kmem_cache flow table: input of the pcslab conversion test");
