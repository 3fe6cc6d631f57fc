/* SPDX-License-Identifier: GPL-2.0 */
/* What the harness programs call on the shim (see pcslab_shim.h). */
#ifndef _PCSLAB_SHIM_API_H
#define _PCSLAB_SHIM_API_H

#include <pcslab_shim.h>

void shim_init(unsigned int ncpus);
void shim_set_cpu(int cpu);
void shim_run_cpu_ipis(int cpu);
void shim_cpu_down(int cpu);
void shim_cpu_up(int cpu);
int shim_run_work(bool all);
unsigned long shim_shrink_all(void);
void shim_clock_manual(void);
void shim_clock_advance(unsigned long ms);
extern bool shim_single_thread;
extern long shim_pages_in_use;
extern int shim_fail_pages;
void shim_set_fail_pages(int n);
extern bool (*shim_fail_page_hook)(unsigned int order);

#endif
