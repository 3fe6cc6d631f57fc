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
#   make docs       render Documentation/ to HTML, warnings are errors
#   make boot-stress  boot the 4-vCPU test VM N=200 times, count retries
#   make install    modules into /lib/modules/KVER/extra/pcslab, pcslab.h and
#                   Module.symvers into /usr/lib/pcslab/KVER (DESTDIR=)
#   make uninstall  remove what make install put there
#   make dist       pcslab-VERSION.tar.gz: the tracked tree, for DKMS
#   make adoption   DKMS install, client module, conversion script, in the VM
KVER ?= $(shell ls -d /usr/src/linux-headers-6.12*-amd64 2>/dev/null | sort -V | tail -n1 | sed 's|.*/linux-headers-||')
KDIR ?= /lib/modules/$(KVER)/build
PCSLAB_CACHE ?= $(HOME)/.cache/pcslab
KSRC ?= $(PCSLAB_CACHE)/linux-source-6.12
KERNEL ?= stock
# pcslab's version is written once, in dkms.conf
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' dkms.conf)
DEVDIR = $(DESTDIR)/usr/lib/pcslab/$(KVER)
export KVER KSRC PCSLAB_CACHE VERSION

.PHONY: all modules deps lint run check selftests selftests-build kunit harness fuzz \
	kunit-kcsan clean docs bench bench-quick boot-stress native-bench soak \
	install uninstall dist adoption

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
	sphinx-build -q -W -b html Documentation Documentation/output
	@echo "docs: Documentation/output/index.html"

# Without DKMS: pcslab.ko and the workload modules into extra/pcslab
# (unsigned: distribution headers carry no signing key), what a client
# module builds against into $(DEVDIR).
install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=extra/pcslab \
		CONFIG_MODULE_SIG_ALL= modules_install
	install -D -m 0644 include/pcslab.h $(DEVDIR)/include/pcslab.h
	install -D -m 0644 Module.symvers $(DEVDIR)/Module.symvers
	depmod $(if $(DESTDIR),-b $(DESTDIR)) $(KVER)

uninstall:
	rm -rf $(DESTDIR)/lib/modules/$(KVER)/extra/pcslab $(DEVDIR)
	-rmdir $(DESTDIR)/lib/modules/$(KVER)/extra $(DESTDIR)/usr/lib/pcslab 2>/dev/null
	depmod $(if $(DESTDIR),-b $(DESTDIR)) $(KVER)

dist:
	tools/dist

adoption: deps
	tools/adoption

clean:
	$(MAKE) -C tools/testing/pcslab clean
	-test -d "$(KDIR)" && $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf selftests/out selftests/build results Documentation/output
