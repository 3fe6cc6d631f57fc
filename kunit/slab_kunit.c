// SPDX-License-Identifier: GPL-2.0
/*
 * pcslab KUnit suite: slab geometry and the object index by multiply:
 * module/slab.c.
 */
#include <kunit/test.h>
#include <linux/log2.h>
#include <linux/mm.h>

#include "pcslab_kunit.h"

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

static void geometry_sizes_and_alignments(struct kunit *test)
{
	static const unsigned int aligns[] = { 0, 8, 16, 64, 256 };
	struct pcslab_geometry geo;
	unsigned int size, a;

	for (size = 8; size <= 4096; size = size < 64 ? size + 8 : size * 2 - size / 2) {
		for (a = 0; a < ARRAY_SIZE(aligns); a++) {
			unsigned int align = aligns[a] ? aligns[a] : sizeof(void *);
			unsigned long bytes;

			KUNIT_ASSERT_EQ(test, pcslab_geometry_init(&geo, size, aligns[a]), 0);
			bytes = PAGE_SIZE << geo.order;
			KUNIT_EXPECT_GE(test, geo.nr_objects, 2U);
			KUNIT_EXPECT_LE(test, geo.nr_objects, PCSLAB_MAX_OBJECTS);
			KUNIT_EXPECT_GE(test, geo.obj_size, size);
			KUNIT_EXPECT_EQ(test, geo.obj_size % align, 0U);
			KUNIT_EXPECT_EQ(test, geo.data_offset % align, 0U);
			KUNIT_EXPECT_GE(test, geo.data_offset,
					(unsigned int)PCSLAB_SLAB_HEADER_BYTES);
			KUNIT_EXPECT_LE(test, geo.data_offset + geo.nr_objects * geo.obj_size,
					bytes);
			KUNIT_EXPECT_LE(test, geo.order, PCSLAB_MAX_ORDER);
		}
	}
	/* 64-byte objects: at least 95% of the slab holds objects */
	KUNIT_ASSERT_EQ(test, pcslab_geometry_init(&geo, 64, 0), 0);
	KUNIT_EXPECT_GE(test, geo.nr_objects * 64 * 100, 95 * (PAGE_SIZE << geo.order));
}

/*
 * Every byte offset of a slab, for every object stride, powers of two
 * and the rest: the multiply that stands in for a division gives the slot
 * at each slot start and rejects everything else (before the first slot,
 * inside a slot, past the last); the slot's address from its index is
 * that start again.
 */
static void geometry_object_index_is_exact(struct kunit *test)
{
	/* never dereferenced: the index is pointer arithmetic */
	const struct pcslab_slab *slab = (void *)(PAGE_OFFSET + (1UL << 30));
	struct pcslab_geometry geo;
	unsigned int size, bad, pow2 = 0;
	unsigned long off;

	for (size = 8; size <= 8192; size += size < 256 ? 8 : size < 1024 ? 24 : 200) {
		KUNIT_ASSERT_EQ(test, pcslab_geometry_init(&geo, size, 0), 0);
		if (is_power_of_2(size))
			pow2++;
		bad = 0;
		for (off = 0; off < (PAGE_SIZE << geo.order); off++) {
			unsigned long rel = off - geo.data_offset;
			int want = off >= geo.data_offset && rel % geo.obj_size == 0 &&
				   rel / geo.obj_size < geo.nr_objects ?
				   (int)(rel / geo.obj_size) : -EINVAL;

			if (pcslab_slab_obj_index(slab, &geo, (void *)slab + off) != want)
				bad++;
			if (want >= 0 && pcslab_slab_obj(slab, &geo, want) !=
					 (void *)slab + off)
				bad++;
		}
		KUNIT_EXPECT_EQ_MSG(test, bad, 0U, "object size %u", geo.obj_size);
	}
	/* 8, 16, 32, 64, 128, 256 and 1024 among the strides */
	KUNIT_EXPECT_EQ(test, pow2, 7U);
}

static void geometry_rejects_impossible(struct kunit *test)
{
	struct pcslab_geometry geo;

	KUNIT_EXPECT_EQ(test, pcslab_geometry_init(&geo, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, pcslab_geometry_init(&geo, 4, 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, pcslab_geometry_init(&geo, 1, 1), -EINVAL);
	KUNIT_EXPECT_EQ(test, pcslab_geometry_init(&geo, 64, 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, pcslab_geometry_init(&geo, 64, 24), -EINVAL);
	KUNIT_EXPECT_EQ(test, pcslab_geometry_init(&geo, 20000, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, pcslab_geometry_init(&geo, 64, PAGE_SIZE << PCSLAB_MAX_ORDER),
			-EINVAL);
	KUNIT_EXPECT_TRUE(test, IS_ERR(pcslab_cache_create("bad", 4, 4, 0, NULL)));
	KUNIT_EXPECT_TRUE(test, IS_ERR(pcslab_cache_create("bad", 64, 3, 0, NULL)));
	KUNIT_EXPECT_TRUE(test, IS_ERR(pcslab_cache_create("bad", 64, 0, 0x80, NULL)));
	KUNIT_EXPECT_TRUE(test, IS_ERR(pcslab_cache_create("", 64, 0, 0, NULL)));
	KUNIT_EXPECT_TRUE(test, IS_ERR(pcslab_cache_create("a/b", 64, 0, 0, NULL)));
	KUNIT_EXPECT_TRUE(test, IS_ERR(pcslab_cache_create(NULL, 64, 0, 0, NULL)));
}

static struct kunit_case pcslab_slab_cases[] = {
	KUNIT_CASE(geometry_sizes_and_alignments),
	KUNIT_CASE(geometry_object_index_is_exact),
	KUNIT_CASE(geometry_rejects_impossible),
	{}
};

static struct kunit_suite pcslab_slab_suite = {
	.name = "pcslab_slab",
	.test_cases = pcslab_slab_cases,
};

kunit_test_suite(pcslab_slab_suite);
