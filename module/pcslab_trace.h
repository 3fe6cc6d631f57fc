/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcslab tracepoints: drains, drain level changes, slab growth and
 * release, remote frees at capacity, owner kicks and detected errors.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM pcslab

#if !defined(_PCSLAB_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _PCSLAB_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(pcslab_drain,
	TP_PROTO(const char *cache, unsigned int cpu, unsigned int objects,
		 unsigned int level),
	TP_ARGS(cache, cpu, objects, level),
	TP_STRUCT__entry(
		__string(cache, cache)
		__field(unsigned int, cpu)
		__field(unsigned int, objects)
		__field(unsigned int, level)
	),
	TP_fast_assign(
		__assign_str(cache);
		__entry->cpu = cpu;
		__entry->objects = objects;
		__entry->level = level;
	),
	TP_printk("cache=%s cpu=%u objects=%u level=%u", __get_str(cache),
		  __entry->cpu, __entry->objects, __entry->level)
);

TRACE_EVENT(pcslab_level_change,
	TP_PROTO(const char *cache, unsigned int cpu, unsigned int old_level,
		 unsigned int new_level, unsigned int pending),
	TP_ARGS(cache, cpu, old_level, new_level, pending),
	TP_STRUCT__entry(
		__string(cache, cache)
		__field(unsigned int, cpu)
		__field(unsigned int, old_level)
		__field(unsigned int, new_level)
		__field(unsigned int, pending)
	),
	TP_fast_assign(
		__assign_str(cache);
		__entry->cpu = cpu;
		__entry->old_level = old_level;
		__entry->new_level = new_level;
		__entry->pending = pending;
	),
	TP_printk("cache=%s cpu=%u level=%u->%u pending=%u", __get_str(cache),
		  __entry->cpu, __entry->old_level, __entry->new_level,
		  __entry->pending)
);

DECLARE_EVENT_CLASS(pcslab_slab_event,
	TP_PROTO(const char *cache, unsigned int cpu, unsigned int order),
	TP_ARGS(cache, cpu, order),
	TP_STRUCT__entry(
		__string(cache, cache)
		__field(unsigned int, cpu)
		__field(unsigned int, order)
	),
	TP_fast_assign(
		__assign_str(cache);
		__entry->cpu = cpu;
		__entry->order = order;
	),
	TP_printk("cache=%s cpu=%u order=%u", __get_str(cache),
		  __entry->cpu, __entry->order)
);

DEFINE_EVENT(pcslab_slab_event, pcslab_slab_new,
	TP_PROTO(const char *cache, unsigned int cpu, unsigned int order),
	TP_ARGS(cache, cpu, order));

DEFINE_EVENT(pcslab_slab_event, pcslab_slab_free,
	TP_PROTO(const char *cache, unsigned int cpu, unsigned int order),
	TP_ARGS(cache, cpu, order));

DECLARE_EVENT_CLASS(pcslab_queue_event,
	TP_PROTO(const char *cache, unsigned int owner, unsigned int depth),
	TP_ARGS(cache, owner, depth),
	TP_STRUCT__entry(
		__string(cache, cache)
		__field(unsigned int, owner)
		__field(unsigned int, depth)
	),
	TP_fast_assign(
		__assign_str(cache);
		__entry->owner = owner;
		__entry->depth = depth;
	),
	TP_printk("cache=%s owner=%u depth=%u", __get_str(cache),
		  __entry->owner, __entry->depth)
);

DEFINE_EVENT(pcslab_queue_event, pcslab_remote_full,
	TP_PROTO(const char *cache, unsigned int owner, unsigned int depth),
	TP_ARGS(cache, owner, depth));

DEFINE_EVENT(pcslab_queue_event, pcslab_kick,
	TP_PROTO(const char *cache, unsigned int owner, unsigned int depth),
	TP_ARGS(cache, owner, depth));

/*
 * Every error pcslab_report_error() counts, printed or not: what a test
 * probes to see the errors it provokes, in any context (an IPI included).
 */
TRACE_EVENT(pcslab_error,
	TP_PROTO(const char *cache, unsigned int kind, const char *what,
		 const void *obj),
	TP_ARGS(cache, kind, what, obj),
	TP_STRUCT__entry(
		__string(cache, cache)
		__field(unsigned int, kind)
		__string(what, what)
		__field(const void *, obj)
	),
	TP_fast_assign(
		__assign_str(cache);
		__entry->kind = kind;
		__assign_str(what);
		__entry->obj = obj;
	),
	TP_printk("cache=%s kind=%u %s obj=%p", __get_str(cache),
		  __entry->kind, __get_str(what), __entry->obj)
);

#endif /* _PCSLAB_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE pcslab_trace
#include <trace/define_trace.h>
