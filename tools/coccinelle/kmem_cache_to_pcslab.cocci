// SPDX-License-Identifier: GPL-2.0
/// Convert kmem_cache users to pcslab.
//
// A cache is converted when it is created with kmem_cache_create() and
// flags pcslab has an equivalent for: 0, SLAB_HWCACHE_ALIGN (becomes
// PCSLAB_HWCACHE_ALIGN) and SLAB_POISON (PCSLAB_POISON).  Its variable
// becomes a struct pcslab_cache *, and in the same file
//   kmem_cache_alloc(c, gfp)            -> pcslab_alloc(c, gfp)
//   kmem_cache_zalloc(c, gfp)           -> pcslab_alloc(c, gfp | __GFP_ZERO)
//   kmem_cache_free(c, p)               -> pcslab_free(c, p)
//   kmem_cache_alloc_bulk(c, gfp, n, p) -> pcslab_alloc_bulk(c, gfp, n, p)
//   kmem_cache_free_bulk(c, n, p)       -> pcslab_free_bulk(c, n, p)
//   kmem_cache_destroy(c)               -> pcslab_cache_destroy(c)
// and <pcslab.h> is included after <linux/slab.h>.  A kmem_cache_create()
// with any other flag (SLAB_TYPESAFE_BY_RCU, SLAB_ACCOUNT, SLAB_PANIC,
// ...) is left alone with a comment saying why; so are
// kmem_cache_create_usercopy() (no usercopy regions in pcslab) and
// KMEM_CACHE().  Limits: one file at a time; a cache passed to other
// files, or freed with kfree()/kfree_rcu(), must be converted by hand.
//
// Usage: spatch --sp-file kmem_cache_to_pcslab.cocci --in-place FILE.c
//        (PCSLAB_CONVERT=NAME in the environment: only the cache variable NAME)
//
// Confidence: High for what it converts; the comments mark the rest.
// Options: --no-includes --include-headers

@initialize:python@
@@
import os
convertible = set()
refused = set()
wanted = {"cache": os.environ.get("PCSLAB_CONVERT") or None}

def flags_ok(f):
    parts = [p.strip(" ()") for p in f.split("|")]
    return all(p in ("0", "SLAB_HWCACHE_ALIGN", "SLAB_POISON") for p in parts)

def chosen(c):
    return wanted.get("cache") in (None, c)

// ---- which caches: created by kmem_cache_create() with mappable flags ----

@created@
identifier c;
expression nm, size, align, flags, ctor;
position p;
@@
c@p = kmem_cache_create(nm, size, align, flags, ctor)

@script:python keep@
c << created.c;
flags << created.flags;
@@
if not chosen(c):
    pass
elif flags_ok(flags):
    convertible.add(c)
else:
    refused.add(c)

@refuse@
identifier c : script:python() { c in refused };
expression list args;
@@
+/* pcslab: not converted: a flag pcslab has no equivalent for */
 c = kmem_cache_create(args);

@usercopy@
identifier c;
expression list args;
@@
+/* pcslab: not converted: pcslab has no usercopy regions */
c = kmem_cache_create_usercopy(args);

@kmemcache@
identifier c;
expression list args;
@@
+/* pcslab: not converted: expand KMEM_CACHE() into kmem_cache_create() first */
c = KMEM_CACHE(args);

// ---- rewrite the convertible ones ----

@conv@
identifier c : script:python() { c in convertible };
expression nm, size, align, flags, ctor, gfp, obj, n, arr;
@@
(
- c = kmem_cache_create(nm, size, align, flags, ctor)
+ c = pcslab_cache_create(nm, size, align, flags, ctor)
|
- kmem_cache_alloc(c, gfp)
+ pcslab_alloc(c, gfp)
|
- kmem_cache_zalloc(c, gfp)
+ pcslab_alloc(c, gfp | __GFP_ZERO)
|
- kmem_cache_free(c, obj)
+ pcslab_free(c, obj)
|
- kmem_cache_alloc_bulk(c, gfp, n, arr)
+ pcslab_alloc_bulk(c, gfp, n, arr)
|
- kmem_cache_free_bulk(c, n, arr)
+ pcslab_free_bulk(c, n, arr)
|
- kmem_cache_destroy(c)
+ pcslab_cache_destroy(c)
)

// pcslab_cache_create() returns an ERR_PTR, never NULL
@errcheck depends on conv@
identifier c : script:python() { c in convertible };
expression list args;
@@
 c = pcslab_cache_create(args);
 if (
-    !c
+    IS_ERR(c)
 ) { ... }

@flagmap depends on conv@
identifier c : script:python() { c in convertible };
expression nm, size, align, ctor;
@@
c = pcslab_cache_create(nm, size, align,
 <+...
(
- SLAB_HWCACHE_ALIGN
+ PCSLAB_HWCACHE_ALIGN
|
- SLAB_POISON
+ PCSLAB_POISON
)
 ...+>
 , ctor)

@decl depends on conv@
identifier c : script:python() { c in convertible };
@@
- struct kmem_cache
+ struct pcslab_cache
  *c;

@inc depends on conv@
@@
  #include <linux/slab.h>
+ #include <pcslab.h>
