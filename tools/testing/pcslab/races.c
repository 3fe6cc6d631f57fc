// SPDX-License-Identifier: GPL-2.0
/*
 * The review's race windows (issue "reliability", R1-R3), stepped through
 * deterministically: a thread is stopped at a shim event (an unlock, a
 * bit clear, a csd send) inside the window, another thread does what a
 * concurrent CPU could do there, and the outcome is checked.  Each test
 * fails on the code before its fix (kept in the commit log).  Then the
 * free tag's cases, one CPU after the other.
 *
 * usage: races            (runs every case; exits non-zero on a failure)
 */
#include <semaphore.h>
#include <unistd.h>

#include "check.h"

unsigned long long check_seed;
char check_where[128];

/* ---- stopping a thread at an event ---- */

struct stop {
	enum shim_event ev;
	const void *addr;	/* NULL: any */
	long arg;		/* -1: any */
	bool armed, reached;
	sem_t at, go;
};

static __thread struct stop *my_stop;

static void stop_hook(enum shim_event ev, const void *addr, long arg)
{
	struct stop *s = my_stop;

	if (!s || !s->armed || ev != s->ev || (s->addr && addr != s->addr) ||
	    (s->arg >= 0 && arg != s->arg))
		return;
	s->armed = false;
	s->reached = true;
	sem_post(&s->at);
	sem_wait(&s->go);
}

static void stop_init(struct stop *s, enum shim_event ev, const void *addr, long arg)
{
	memset(s, 0, sizeof(*s));
	s->ev = ev;
	s->addr = addr;
	s->arg = arg;
	s->armed = true;
	sem_init(&s->at, 0, 0);
	sem_init(&s->go, 0, 0);
}

/* Wait until the thread stopped, with a deadline. */
static bool stop_wait(struct stop *s, int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L)
		ts.tv_sec++, ts.tv_nsec -= 1000000000L;
	return sem_timedwait(&s->at, &ts) == 0;
}

struct job {
	int cpu;
	struct stop *stop;
	void (*fn)(struct job *j);
	struct pcslab_cache *c;
	void *obj;
	unsigned long ret;
	bool done;
	pthread_t t;
};

static void *job_main(void *arg)
{
	struct job *j = arg;

	shim_set_cpu(j->cpu);
	my_stop = j->stop;
	j->fn(j);
	__atomic_store_n(&j->done, true, __ATOMIC_RELEASE);
	return NULL;
}

static void job_start(struct job *j)
{
	pthread_create(&j->t, NULL, job_main, j);
}

static void do_free(struct job *j)
{
	pcslab_free(j->c, j->obj);
}

static void do_destroy(struct job *j)
{
	j->ret = pcslab_cache_destroy(j->c);
}

static void do_drain_cpu0(struct job *j)
{
	pcslab_drain_cpu(j->c, 0);
}

static void *alloc_on(struct pcslab_cache *c, int cpu)
{
	int saved = shim_cpu;
	void *p;

	shim_set_cpu(cpu);
	p = pcslab_alloc(c, GFP_KERNEL);
	shim_set_cpu(saved);
	CHECK(p, "alloc on cpu %d", cpu);
	return p;
}

static struct pcslab_cache *new_cache(const char *name)
{
	struct pcslab_cache *c = pcslab_cache_create(name, 64, 0, 0, NULL);

	CHECK(!IS_ERR(c), "create %s", name);
	/* these races step through single hand-offs: no wait in an outbox */
	CHECK(pcslab_cache_set_outbox_batch(c, 1) == 0, "outbox batch 1");
	return c;
}

/*
 * Start @drain, which stops at @s (failing with @what if it never gets
 * there), run @second to its end meanwhile, reports quiet, then let the
 * drain finish.
 */
static void second_free_while_stopped(struct stop *s, struct job *drain,
				      struct job *second, const char *what)
{
	job_start(drain);
	CHECK(stop_wait(s, 5000), "%s", what);
	shim_quiet = true;
	job_start(second);
	pthread_join(second->t, NULL);
	sem_post(&s->go);
	pthread_join(drain->t, NULL);
	shim_quiet = false;
}

/* Every object of @obj's slab, allocated on CPU 0: @obj among them once. */
static void check_handed_out_once(struct pcslab_cache *c, void *obj)
{
	unsigned int n = pcslab_obj_to_slab(obj)->nr_objects, i, seen = 0;
	void **all = calloc(n, sizeof(void *));

	CHECK(all, "calloc");
	shim_set_cpu(0);
	for (i = 0; i < n; i++) {
		all[i] = pcslab_alloc(c, GFP_KERNEL);
		seen += all[i] == obj;
	}
	CHECK(seen == 1, "the object was handed out %u times", seen);
	pcslab_free_bulk(c, n, all);
	free(all);
}

/*
 * R1: two freers cross the kick threshold of one owner together.  The
 * first is stopped just before its csd send; the second must not send
 * (the csd is claimed), or the shim aborts when the first sends a csd
 * that is already queued.
 */
static void r1_kick_sent_once(void)
{
	struct pcslab_cache *c = new_cache("r1");
	struct pcslab_cpu *owner = per_cpu_ptr(c->cpu, 0);
	struct stop s;
	struct job a = { .cpu = 1, .stop = &s, .fn = do_free, .c = c };
	struct job b = { .cpu = 2, .fn = do_free, .c = c };

	snprintf(check_where, sizeof(check_where), "R1");
	pcslab_cache_set_policy(c, 1000);		/* no owner tick drains */
	CHECK(pcslab_cache_set_queue_capacity(c, 2) == 0, "capacity");	/* threshold 1 */
	a.obj = alloc_on(c, 0);
	b.obj = alloc_on(c, 0);
	stop_init(&s, SHIM_EV_CSD_SEND, &owner->kick, -1);
	job_start(&a);
	CHECK(stop_wait(&s, 5000), "the first freer never sent a kick");
	job_start(&b);
	pthread_join(b.t, NULL);	/* its push is at the threshold too */
	sem_post(&s.go);
	pthread_join(a.t, NULL);
	CHECK(stat_sum(c, PCSLAB_STAT_KICK) == 1, "%lu kicks sent", stat_sum(c, PCSLAB_STAT_KICK));
	CHECK(stat_sum(c, PCSLAB_STAT_PENDING) == 2, "pending %lu", stat_sum(c, PCSLAB_STAT_PENDING));
	shim_irq_enabled();		/* the one kick arrives on CPU 0 */
	CHECK(stat_sum(c, PCSLAB_STAT_PENDING) == 0, "the kick did not drain");
	CHECK(atomic_read(&owner->kick_scheduled) == 0, "kick still scheduled");
	CHECK(atomic_read(&c->kicks_inflight) == 0, "kick still in flight");
	CHECK(pcslab_cache_destroy(c) == 0, "destroy");
	printf("races: R1 kick sent once with two senders at the threshold: ok\n");
}

/*
 * R2: a free that finds the cache dead puts the object back itself; it
 * is stopped just after the put (objects in use now 0) while destroy,
 * stopped after its last shrink, resumes.  Destroy must wait for that
 * free to leave its non-preemptible section before freeing the cache.
 */
static void r2_destroy_waits_for_running_free(void)
{
	struct pcslab_cache *c = new_cache("r2");
	struct stop sd, sf;
	struct job d = { .cpu = 0, .stop = &sd, .fn = do_destroy, .c = c };
	struct job f = { .cpu = 1, .stop = &sf, .fn = do_free, .c = c };
	int i;

	snprintf(check_where, sizeof(check_where), "R2");
	f.obj = alloc_on(c, 2);
	stop_init(&sd, SHIM_EV_UNLOCK, &per_cpu_ptr(c->cpu, nr_cpu_ids - 1)->lock, -1);
	stop_init(&sf, SHIM_EV_UNLOCK, &per_cpu_ptr(c->cpu, 2)->lock, -1);
	job_start(&d);
	CHECK(stop_wait(&sd, 5000), "destroy never reached its shrink");
	job_start(&f);
	CHECK(stop_wait(&sf, 5000), "the free never reached its put");
	sem_post(&sd.go);
	for (i = 0; i < 20 && !__atomic_load_n(&d.done, __ATOMIC_ACQUIRE); i++)
		usleep(10000);
	CHECK(!__atomic_load_n(&d.done, __ATOMIC_ACQUIRE),
	      "destroy returned (%lu) while a free was still running in the cache", d.ret);
	sem_post(&sf.go);
	pthread_join(f.t, NULL);
	pthread_join(d.t, NULL);
	CHECK(d.ret == 0, "destroy saw %lu live objects", d.ret);
	printf("races: R2 destroy waits for a free still in its section: ok\n");
}

/*
 * R3: the owner drains a remotely freed object and is stopped right after
 * it clears the queued mark; another CPU frees the object again.  The
 * second free must be reported, and the object must end up free exactly
 * once, neither queued nor handed out twice.
 */
static void r3_double_free_during_drain(void)
{
	struct pcslab_cache *c = new_cache("r3");
	struct pcslab_slab *slab;
	struct stop s;
	struct job first = { .cpu = 1, .fn = do_free, .c = c };
	struct job drain = { .cpu = 0, .stop = &s, .fn = do_drain_cpu0, .c = c };
	struct job second = { .cpu = 2, .fn = do_free, .c = c };
	int idx;

	snprintf(check_where, sizeof(check_where), "R3");
	pcslab_cache_set_policy(c, 1000);
	first.obj = alloc_on(c, 0);
	second.obj = first.obj;
	slab = pcslab_obj_to_slab(first.obj);
	idx = pcslab_slab_obj_index(slab, &c->geo, first.obj);
	job_start(&first);
	pthread_join(first.t, NULL);
	CHECK(pcslab_is_marked(c, first.obj) && stat_sum(c, PCSLAB_STAT_PENDING) == 1,
	      "the first free was not queued");
	stop_init(&s, SHIM_EV_STORE_RELEASE, pcslab_mark_word(first.obj), 0);
	second_free_while_stopped(&s, &drain, &second,
				  "the drain never cleared the queued mark");
	/* before anything drains again: reported now, and not queued again */
	CHECK(stat_sum(c, PCSLAB_STAT_DOUBLE_FREE) == 1, "%lu double frees reported",
	      stat_sum(c, PCSLAB_STAT_DOUBLE_FREE));
	check_cache_structure(c);
	CHECK(!pcslab_is_marked(c, first.obj) && test_bit(idx, slab->free_map),
	      "the object is not simply free");
	CHECK(stat_sum(c, PCSLAB_STAT_OBJECTS_IN_USE) == 0, "in use %lu",
	      stat_sum(c, PCSLAB_STAT_OBJECTS_IN_USE));
	/* every object of the slab, once: the twice-freed one among them */
	check_handed_out_once(c, first.obj);
	CHECK(pcslab_cache_destroy(c) == 0, "destroy");
	printf("races: R3 double free while the owner drains it is reported: ok\n");
}

/* Free @obj as CPU @cpu would, from this thread. */
static void free_on(struct pcslab_cache *c, int cpu, void *obj)
{
	int saved = shim_cpu;

	shim_set_cpu(cpu);
	pcslab_free(c, obj);
	shim_set_cpu(saved);
}

/*
 * Carried objects are claimed by their owner when it puts them back: it
 * sets the bit, then exchanges the free tag for what the object held.  A
 * second free from another CPU that makes the object a link of its own
 * chain in between (the mark exchanged in) must win: the owner reports
 * the second free, gives the bit back and leaves the object to that
 * chain, which puts it back once.  Without the exchange the object would
 * be free and a link at once.
 */
static void carried_claimed_during_put(void)
{
	struct pcslab_cache *c = pcslab_cache_create("carried", 64, 0, 0, NULL);
	struct pcslab_slab *slab;
	struct stop s;
	struct job drain = { .cpu = 0, .stop = &s, .fn = do_drain_cpu0 };
	struct job second = { .cpu = 2, .fn = do_free };
	void *link, *x;
	int idx;

	snprintf(check_where, sizeof(check_where), "carried");
	CHECK(!IS_ERR(c) && c->carry, "a cache with carriers");
	drain.c = c;
	second.c = c;
	pcslab_cache_set_policy(c, 1000);		/* no owner tick drains */
	CHECK(pcslab_cache_set_outbox_batch(c, 2) == 0, "outbox batch 2");
	link = alloc_on(c, 0);
	x = alloc_on(c, 0);
	free_on(c, 1, link);				/* a link, claimed */
	free_on(c, 1, x);				/* carried: untouched; sent */
	CHECK(pcslab_is_marked(c, link) && !pcslab_is_marked(c, x) &&
	      stat_sum(c, PCSLAB_STAT_PENDING) == 2, "setup: link %d, carried %d, pending %lu",
	      pcslab_is_marked(c, link), pcslab_is_marked(c, x),
	      stat_sum(c, PCSLAB_STAT_PENDING));
	slab = pcslab_obj_to_slab(x);
	idx = pcslab_slab_obj_index(slab, &c->geo, x);

	stop_init(&s, SHIM_EV_TRY_CMPXCHG, pcslab_mark_word(x), -1);
	second.obj = x;				/* a link in CPU 2's outbox */
	second_free_while_stopped(&s, &drain, &second,
				  "the drain never put the carried object back");
	CHECK(stat_sum(c, PCSLAB_STAT_DOUBLE_FREE) == 1, "%lu double frees reported",
	      stat_sum(c, PCSLAB_STAT_DOUBLE_FREE));
	CHECK(pcslab_is_marked(c, x) && !test_bit(idx, slab->free_map),
	      "the object is not simply the second chain's link");
	CHECK(stat_sum(c, PCSLAB_STAT_OBJECTS_IN_USE) == 1 &&
	      stat_sum(c, PCSLAB_STAT_OUTBOX) == 1, "in use %lu, in outboxes %lu",
	      stat_sum(c, PCSLAB_STAT_OBJECTS_IN_USE), stat_sum(c, PCSLAB_STAT_OUTBOX));
	check_cache_structure(c);
	CHECK(pcslab_cache_drain(c) == 1, "the second chain drained");
	CHECK(stat_sum(c, PCSLAB_STAT_OBJECTS_IN_USE) == 0 &&
	      stat_sum(c, PCSLAB_STAT_DOUBLE_FREE) == 1, "in use %lu, %lu reported",
	      stat_sum(c, PCSLAB_STAT_OBJECTS_IN_USE), stat_sum(c, PCSLAB_STAT_DOUBLE_FREE));
	check_cache_structure(c);
	/* every object of the slab, once: the twice-freed one among them */
	check_handed_out_once(c, x);
	CHECK(pcslab_cache_destroy(c) == 0, "destroy");
	printf("races: a carried object claimed by a second free while put back stays its: ok\n");
}

/*
 * The free tag (a cache without hooks): a remote freer tells a free
 * object from one in use by the object's mark word, without the bitmap.
 * An object freed on its owner and freed again from another CPU is
 * reported and not queued; an object a bulk allocation handed out still
 * carries the tag, and its remote free is an ordinary one (the bit
 * decides); pcslab_alloc() clears the tag.
 */
static void free_tag_decides_with_the_bit(void)
{
	struct pcslab_cache *c = new_cache("tag");
	void *p, *bulk[8];
	unsigned int i;

	snprintf(check_where, sizeof(check_where), "free tag");
	pcslab_cache_set_policy(c, 1000);
	CHECK(!c->hooks, "a cache without hooks");
	p = alloc_on(c, 0);
	CHECK(*pcslab_mark_word(p) != pcslab_free_tag_key(c->mark_key, p),
	      "pcslab_alloc() left the free tag");
	free_on(c, 0, p);
	CHECK(*pcslab_mark_word(p) == pcslab_free_tag_key(c->mark_key, p),
	      "the owner's free wrote no free tag");
	shim_quiet = true;
	free_on(c, 1, p);	/* a double free from another CPU */
	shim_quiet = false;
	CHECK(stat_sum(c, PCSLAB_STAT_DOUBLE_FREE) == 1 &&
	      stat_sum(c, PCSLAB_STAT_FREE_REMOTE) == 0 &&
	      stat_sum(c, PCSLAB_STAT_PENDING) == 0 &&
	      stat_sum(c, PCSLAB_STAT_OUTBOX) == 0,
	      "remote double free of a free object: %lu reported, %lu queued",
	      stat_sum(c, PCSLAB_STAT_DOUBLE_FREE), stat_sum(c, PCSLAB_STAT_FREE_REMOTE));
	CHECK(*pcslab_mark_word(p) == pcslab_free_tag_key(c->mark_key, p),
	      "the reported free did not put the tag back");
	check_cache_structure(c);
	/* every object of the slab, once: the twice-freed one among them */
	check_handed_out_once(c, p);
	shim_set_cpu(0);

	/* a bulk allocation leaves the tag: the bit says in use */
	CHECK(pcslab_alloc_bulk(c, GFP_KERNEL, 8, bulk) == 8, "bulk alloc");
	CHECK(*pcslab_mark_word(bulk[3]) == pcslab_free_tag_key(c->mark_key, bulk[3]),
	      "the bulk allocation touched its objects");
	for (i = 0; i < 8; i++)
		free_on(c, 1, bulk[i]);
	CHECK(stat_sum(c, PCSLAB_STAT_FREE_REMOTE) == 8 &&
	      stat_sum(c, PCSLAB_STAT_DOUBLE_FREE) == 1,
	      "remote frees of bulk objects: %lu queued, %lu reported",
	      stat_sum(c, PCSLAB_STAT_FREE_REMOTE), stat_sum(c, PCSLAB_STAT_DOUBLE_FREE));
	CHECK(pcslab_cache_drain(c) == 8, "the eight drained");
	CHECK(stat_sum(c, PCSLAB_STAT_OBJECTS_IN_USE) == 0, "in use %lu",
	      stat_sum(c, PCSLAB_STAT_OBJECTS_IN_USE));
	CHECK(*pcslab_mark_word(bulk[3]) == pcslab_free_tag_key(c->mark_key, bulk[3]),
	      "the drain wrote no free tag");
	check_cache_structure(c);
	CHECK(pcslab_cache_destroy(c) == 0, "destroy");
	printf("races: free tag: a free object's second free reported, a bulk object's tag only a hint: ok\n");
}

/* Objects on an owner's remote list, counted while nothing pushes or takes. */
static unsigned int queue_len(struct pcslab_cpu *pc)
{
	struct llist_node *pos;
	unsigned int n = 0;

	llist_for_each(pos, pc->remote.head.first)
		n += pcslab_link_objects(pc->cache, pos);
	return n;
}

/*
 * Checked and sound: the owner's pending count never reads below the
 * length of its list.  A freer is stopped between raising pending and
 * pushing its object; a drain on another CPU is stopped between taking
 * the list and lowering pending; at each stop pending must cover the
 * list, and both must agree once everyone is through.
 */
static void pending_covers_the_list(void)
{
	struct pcslab_cache *c = new_cache("pending");
	struct pcslab_cpu *owner = per_cpu_ptr(c->cpu, 0);
	atomic_t *pending = &owner->remote.pending;
	struct stop sa, sd;
	struct job a = { .cpu = 1, .stop = &sa, .fn = do_free, .c = c };
	struct job q = { .cpu = 1, .fn = do_free, .c = c };
	struct job d = { .cpu = 2, .stop = &sd, .fn = do_drain_cpu0, .c = c };

	snprintf(check_where, sizeof(check_where), "pending");
	pcslab_cache_set_policy(c, 1000);		/* no owner tick drains */
	q.obj = alloc_on(c, 0);
	a.obj = alloc_on(c, 0);
	job_start(&q);					/* one already queued */
	pthread_join(q.t, NULL);
	CHECK(atomic_read(pending) == 1 && queue_len(owner) == 1, "setup");

	stop_init(&sa, SHIM_EV_ATOMIC_ADD, pending, -1);
	job_start(&a);
	CHECK(stop_wait(&sa, 5000), "the freer never raised pending");
	CHECK(atomic_read(pending) == 2 && queue_len(owner) == 1,
	      "freer raised pending: pending %d, list %u", atomic_read(pending),
	      queue_len(owner));

	stop_init(&sd, SHIM_EV_ATOMIC_SUB, pending, -1);
	job_start(&d);
	CHECK(stop_wait(&sd, 5000), "the drain never lowered pending");
	CHECK(atomic_read(pending) == 2 && queue_len(owner) == 0,
	      "drain took the list: pending %d, list %u", atomic_read(pending),
	      queue_len(owner));
	sem_post(&sd.go);
	pthread_join(d.t, NULL);
	CHECK(atomic_read(pending) == 1 && queue_len(owner) == 0,
	      "drain done, freer not pushed: pending %d, list %u",
	      atomic_read(pending), queue_len(owner));

	sem_post(&sa.go);
	pthread_join(a.t, NULL);
	CHECK(atomic_read(pending) == 1 && queue_len(owner) == 1,
	      "both done: pending %d, list %u", atomic_read(pending), queue_len(owner));
	CHECK(pcslab_drain_cpu(c, 0) == 1, "the last object drained");
	CHECK(atomic_read(pending) == 0 && queue_len(owner) == 0, "empty at the end");
	CHECK(stat_sum(c, PCSLAB_STAT_OBJECTS_IN_USE) == 0, "objects in use");
	CHECK(pcslab_cache_destroy(c) == 0, "destroy");
	printf("races: pending never below the list, push and drain interleaved: ok\n");
}

int main(void)
{
	shim_init(4);
	shim_single_thread = true;	/* waits deliver other CPUs' kicks */
	shim_hook = stop_hook;
	CHECK(pcslab_hotplug_init() == 0, "hotplug init");
	r1_kick_sent_once();
	r2_destroy_waits_for_running_free();
	r3_double_free_during_drain();
	pending_covers_the_list();
	free_tag_decides_with_the_bit();
	carried_claimed_during_put();
	pcslab_hotplug_exit();
	CHECK(shim_pages_in_use == 0, "%ld pages left", shim_pages_in_use);
	printf("races: 6 passed\n");
	return 0;
}
