// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: pcslab_free() and pcslab_free_obj() of whatever the
 * input says: live objects, objects already freed, pointers inside or
 * beside objects, slab headers, other pages of the arena, the stack, the
 * heap, from any of four CPUs.  Properties: a valid free is counted once;
 * every bad one is reported (double_free or invalid_free, exactly one per
 * call) and changes nothing; the structure of the cache stays consistent;
 * live objects keep their contents; at the end everything balances.
 */
#include "../check.h"

unsigned long long check_seed;
char check_where[128] = "fuzz-free";

#define LIVE 128

static struct pcslab_cache *cache;
static struct page *foreign;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	shim_init(4);
	shim_single_thread = true;
	shim_quiet = true;
	cache = pcslab_cache_create("fuzz", 48, 0, 0, NULL);
	foreign = alloc_pages(GFP_KERNEL, 0);	/* arena page, not a slab */
	set_page_private(foreign, 0x1234);
	return 0;
}

static unsigned long errors(void)
{
	return stat_sum(cache, PCSLAB_STAT_DOUBLE_FREE) + stat_sum(cache, PCSLAB_STAT_INVALID_FREE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *live[LIVE], *dead[LIVE];
	unsigned int nlive = 0, ndead = 0, i;
	unsigned long e0 = errors(), valid = 0;
	unsigned long f0 = stat_sum(cache, PCSLAB_STAT_FREE_LOCAL) +
			   stat_sum(cache, PCSLAB_STAT_FREE_REMOTE);
	char stack[64];

	for (i = 0; i + 1 < size; i += 2) {
		unsigned int op = data[i], arg = data[i + 1], j;
		void *p = NULL;
		bool bad = true, twice = false;

		shim_set_cpu(op & 3);
		shim_irq_enabled();
		switch ((op >> 2) % 8) {
		case 0:
		case 1:
			p = nlive < LIVE ? pcslab_alloc(cache, GFP_KERNEL) : NULL;
			if (p) {
				memset(p, 0xa5, 48);
				live[nlive++] = p;
			}
			continue;
		case 2:		/* a valid free */
			if (!nlive)
				continue;
			j = arg % nlive;
			p = live[j];
			CHECK(!memchr_inv(p, 0xa5, 48), "live object %p changed", p);
			live[j] = live[--nlive];
			if (ndead < LIVE)
				dead[ndead++] = p;
			bad = false;
			break;
		case 3:		/* again: a double free, unless reallocated */
			if (!ndead)
				continue;
			p = dead[arg % ndead];
			for (j = 0; j < nlive; j++)
				if (live[j] == p)
					p = NULL;
			if (!p)
				continue;
			/*
			 * One a carrier carries is caught when its owner takes
			 * it back (PCSLAB_STRICT_FREE catches it at once):
			 * every queue goes back before and after it.
			 */
			twice = true;
			pcslab_cache_drain(cache);
			break;
		case 4:		/* inside or beside a live object */
			if (!nlive)
				continue;
			p = (char *)live[arg % nlive] + 1 + arg % 47 - (arg & 64 ? 48 : 0);
			if (arg & 64 && pcslab_obj_to_slab(p) &&
			    pcslab_slab_obj_index(pcslab_obj_to_slab(p), &cache->geo, p) >= 0)
				continue;	/* landed on another object: not bad */
			break;
		case 5:		/* the slab header */
			if (!nlive)
				continue;
			p = pcslab_obj_to_slab(live[arg % nlive]);
			p = (char *)p + (arg % (cache->geo.data_offset / 8)) * 8;
			break;
		case 6:
			p = (char *)page_address(foreign) + arg * 16;
			break;
		default:
			p = arg & 1 ? (void *)&stack[arg % 64] : (void *)&errors;
			break;
		}
		if (op & 0x80)
			pcslab_free_obj(p);
		else
			pcslab_free(cache, p);
		if (twice)
			pcslab_cache_drain(cache);
		valid += !bad;
		/* pcslab_free_obj() can count only against a slab it found */
		if (bad && (!(op & 0x80) || pcslab_obj_to_slab(p)))
			e0++;
		CHECK(errors() == e0, "op %#x: after a %s free of %p: %lu errors, expected %lu", op,
		      bad ? "bad" : "valid", p, errors(), e0);
	}
	for (i = 0; i < nlive; i++) {
		CHECK(!memchr_inv(live[i], 0xa5, 48), "live object %p changed", live[i]);
		pcslab_free(cache, live[i]);
		valid++;
	}
	shim_set_cpu(0);
	pcslab_cache_drain(cache);
	check_cache_structure(cache);
	CHECK(stat_sum(cache, PCSLAB_STAT_FREE_LOCAL) + stat_sum(cache, PCSLAB_STAT_FREE_REMOTE) - f0 ==
	      valid,
	      "%lu valid frees counted as %lu", valid,
	      stat_sum(cache, PCSLAB_STAT_FREE_LOCAL) + stat_sum(cache, PCSLAB_STAT_FREE_REMOTE) - f0);
	CHECK(stat_sum(cache, PCSLAB_STAT_OBJECTS_IN_USE) == 0, "objects left in use");
	return 0;
}
