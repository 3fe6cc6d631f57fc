# SPDX-License-Identifier: GPL-2.0
#
# pcslab top-level Makefile.
#   make            build module/pcslab.ko and module/pcslab_test.ko
#   make run        set up, build, run a mixed workload in the test VM
#   make check      every test layer; ends with "check: N passed, N failed"
#   make lint       checkpatch --strict, W=1 + sparse (C=2)
#   make selftests  kselftests in the test VM (KERNEL=debug: debug kernel)
#   make kunit      KUnit suites via kunit.py (UML and x86_64 debug)
#   make bench      pcslab vs SLUB in the test VM: CSV, table, plots
#   make bench-quick  guest instructions (icount), pair/bulk/cross-CPU rows
#   make soak [MINUTES=10] [KERNEL=debug|kcsan|stock]  every workload, hotplug,
#                   tuning, shrinkers and fault injection at once (4 vCPUs)
#   make native-bench [REPS=9]  the core on real cores vs glibc/mimalloc/
#                   jemalloc/tcmalloc (userspace harness; under 5 minutes)
#   make docs       render Documentation/ to HTML (needs sphinx)
#   make boot-stress  boot the 4-vCPU test VM N=200 times, count retries
KVER ?= $(shell ls -d /usr/src/linux-headers-6.12*-amd64 2>/dev/null | sort -V | tail -n1 | sed 's|.*/linux-headers-||')
KDIR ?= /lib/modules/$(KVER)/build
PCSLAB_CACHE ?= $(HOME)/.cache/pcslab
KSRC ?= $(PCSLAB_CACHE)/linux-source-6.12
KERNEL ?= stock
export KVER KSRC PCSLAB_CACHE

.PHONY: all modules deps lint run check selftests selftests-build kunit harness fuzz \
	kunit-kcsan clean docs bench bench-quick boot-stress native-bench soak

all: modules

modules:
	@test -d "$(KDIR)" || { echo "no kernel build tree at '$(KDIR)': run 'make deps' (tools/setup-deps) or set KDIR" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

deps:
	@tools/setup-deps >/dev/null

lint: deps
	tools/lint

selftests-build: deps
	tools/build-selftests

selftests: deps
	$(if $(filter debug,$(KERNEL)),,$(MAKE) modules)
	KERNEL=$(KERNEL) tools/run-selftests

run: deps
	$(MAKE) modules
	mkdir -p results; tools/testvm --quiet --smp 4 --log results/run.log tools/guest/run.sh; \
	rc=$$?; sed -n '/^===RUN-BEGIN===/,/^===RUN-END===/p' results/run.log; \
	[ $$rc -eq 0 ] || tail -n 40 results/run.log; \
	ls -d results/bench/latest-smp* >/dev/null 2>&1 && echo "plots: $$(ls results/bench/latest-smp*/*.png 2>/dev/null | tr '\n' ' ')(make bench to refresh)" || \
		echo "plots: none yet; 'make bench' writes them under results/bench/"; \
	exit $$rc

check: deps
	tools/check

kunit: deps
	tools/kunit run

bench: deps
	@tools/setup-deps --bench >/dev/null
	$(MAKE) modules
	tools/bench

N ?= 200
boot-stress: deps
	tools/boot-stress $(N) $(BOOT_ARGS)

bench-quick: deps
	$(MAKE) modules
	BENCH_VM_ARGS=--icount BENCH_ARGS="tests=pair,bulk,prodcons,xfer,sweep,sizes reps=1 ops=20000" \
		tools/bench 2

harness: deps
	tools/harness $(FUZZ_SECONDS)

# Everything at once for MINUTES (default 10) on the debug kernel, 4 vCPUs
# (KERNEL=kcsan: the KCSAN variant; KERNEL=stock: Debian's kernel).
soak: deps
	KERNEL=$(if $(filter command line environment,$(origin KERNEL)),$(KERNEL),debug) tools/soak $(MINUTES)

# pcslab's core against glibc, mimalloc, jemalloc, tcmalloc on real cores.
native-bench: deps
	@tools/setup-deps --bench >/dev/null
	tools/native-bench $(REPS)

# Fuzz longer and keep what is new in the corpus in the tree.
FUZZ_SECONDS ?= 10
fuzz: deps
	$(MAKE) -C tools/testing/pcslab all
	for t in parse policy free; do \
		tools/testing/pcslab/build/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) \
			-artifact_prefix=tools/testing/pcslab/build/ \
			tools/testing/pcslab/fuzz/corpus/$$t || exit 1; \
	done

kunit-kcsan: deps
	tools/kunit kcsan

docs: deps
	@tools/setup-deps --docs >/dev/null
	sphinx-build -q -b html Documentation Documentation/output
	@echo "docs: Documentation/output/index.html"

clean:
	$(MAKE) -C tools/testing/pcslab clean
	-test -d "$(KDIR)" && $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf selftests/out selftests/build results Documentation/output
