# SPDX-License-Identifier: GPL-2.0
#
# pinledger developer targets.  Kbuild holds the object list.
#
#   make                    build pinledger.ko for the running kernel
#   make KVER=<release>     ... for another kernel (KDIR=<headers> also works)
#   make modules-all        ... for make check's kernels, each in its release's
#                           root (scripts/rel-make.sh), with that release's tools
#   make demo               boot a stock kernel with pmem and show pinledger
#   make check              provision, build, run every test on the default
#                           kernel of each release in scripts/releases.conf
#   make check-matrix       every series x generic/cloud/rt of those releases:
#                           smoke suite in a guest of each; builds for every
#                           older kernel the archive serves
#   make stress             long pin/layout storm with reloads, both kernels
#   make bench              measure pinledger against the stock kernels
#   make debug-kernel       build (once, cached) the KASAN/lockdep 6.12 kernel
#   make check-debug        run the guest suite on that kernel (not in check)
#   make provision          fetch kernels and host tools (idempotent)
#   make cli                build the pinledger tool ($(TOOLDIR)/pinledger)
#   make install            install the tool and pinledger(8) (DESTDIR, PREFIX)
#   make deb                pinledger-dkms and pinledger-tools .debs (build/deb/)
#   make check-fresh        make check and the package test in clean
#                           debootstrap'd roots (RELEASES="bookworm trixie")
#   make clean

ROOT     := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
CACHE    ?= $(ROOT)/.cache
KVER     ?= $(shell uname -r)
KDIR     ?= $(firstword $(wildcard $(CACHE)/$(KVER)/build) /lib/modules/$(KVER)/build)
BUILD    := $(ROOT)/build/$(KVER)
SRCDIRS  := Kbuild module hooks include
# Where the userspace tools go: build/tools natively; scripts/rel-make.sh
# builds each release's in build/<codename>/tools.
TOOLDIR  ?= $(ROOT)/build/tools
VERSION  := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' $(ROOT)/dkms.conf)

-include $(CACHE)/kernels.env

.PHONY: all module modules-all pinholder floor tools provision check check-host \
	demo bench clean install dkms-test cli debug-kernel check-debug stress \
	deb check-fresh check-matrix

all: module

# Out-of-tree kbuild writes objects next to the sources; to build for two
# kernels side by side, each kernel gets a tree of symlinks under build/.
$(BUILD)/.tree: FORCE
	@mkdir -p $(BUILD)
	@cp -asn $(addprefix $(ROOT)/,$(SRCDIRS)) $(BUILD)/
	@touch $@

$(BUILD)/pinledger_config.h: $(wildcard $(ROOT)/scripts/probes/*.c) $(ROOT)/scripts/probe.sh
	@mkdir -p $(BUILD)
	@echo "  PROBE   $(KVER)"
	@$(ROOT)/scripts/probe.sh $(KDIR) $@

module: $(BUILD)/.tree $(BUILD)/pinledger_config.h
	$(MAKE) -C $(KDIR) M=$(BUILD) PINLEDGER_VERSION=$(VERSION) modules

pinholder: $(BUILD)/pinledger_config.h
	@mkdir -p $(BUILD)/pinholder
	@cp -asn $(ROOT)/tests/pinholder/* $(BUILD)/pinholder/
	$(MAKE) -C $(KDIR) M=$(BUILD)/pinholder PINLEDGER_CONFIG=$(BUILD) modules

# Bench-only probe floor (tests/floor/plfloor.c): make bench's floor phase.
floor: $(BUILD)/pinledger_config.h
	@mkdir -p $(BUILD)/floor
	@cp -asn $(ROOT)/tests/floor/* $(BUILD)/floor/
	$(MAKE) -C $(KDIR) M=$(BUILD)/floor PINLEDGER_CONFIG=$(BUILD) \
		PINLEDGER_INCLUDE=$(ROOT)/include modules

# Userspace test tools, run inside the guests (same Debian userland).
tools: $(TOOLDIR)/pinctl $(TOOLDIR)/plbench

$(TOOLDIR)/pinctl: $(ROOT)/tests/tools/pinctl.c $(ROOT)/tests/pinholder/pinholder_uapi.h
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -o $@ $< -Wl,-Bstatic -luring -Wl,-Bdynamic -lpthread

$(TOOLDIR)/plbench: $(ROOT)/tests/tools/plbench.c $(ROOT)/tests/pinholder/pinholder_uapi.h
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -static -o $@ $<

# Bad input on /dev/pinledger (tests/guest/t-uapi-bad-input.sh).
tools: $(TOOLDIR)/uapibad

$(TOOLDIR)/uapibad: $(ROOT)/tests/tools/uapibad.c $(ROOT)/include/uapi/linux/pinledger.h
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -I$(ROOT)/include/uapi -o $@ $<

# Page-cache pin scenarios (tests/guest/t-pagecache-*.sh).
tools: $(TOOLDIR)/pcpin

$(TOOLDIR)/pcpin: $(ROOT)/tests/tools/pcpin.c $(ROOT)/tests/pinholder/pinholder_uapi.h
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -o $@ $<

# The pinledger command-line tool (tools/pinledger): C on libbpf, with a
# BPF object compiled by clang and embedded as a bpftool skeleton.  No BTF
# needed at build or run time: the BPF programs use raw tracepoints.
CLI      := $(TOOLDIR)/pinledger
CLI_OUT  := $(TOOLDIR)/pinledger.d
CLI_SRC  := $(wildcard $(ROOT)/tools/pinledger/*.c)
CLI_HDR  := $(wildcard $(ROOT)/tools/pinledger/*.h)
CLI_USER := $(filter-out %.bpf.c,$(CLI_SRC))
CLANG    ?= clang
BPFTOOL  ?= $(firstword $(wildcard /usr/sbin/bpftool) bpftool)
# libbpf statically when libbpf.a is there (it is in libbpf-dev).
CLI_STATIC := -Wl,-Bstatic -lbpf -Wl,-Bdynamic
CLI_LIBS := $(if $(wildcard /usr/lib/*/libbpf.a),$(CLI_STATIC),-lbpf) -lelf -lz
PREFIX   ?= /usr/local
DESTDIR  ?=

cli: $(CLI)
tools: $(CLI)

$(CLI_OUT)/pinledger.bpf.o: $(ROOT)/tools/pinledger/pinledger.bpf.c $(CLI_HDR)
	@mkdir -p $(dir $@)
	$(CLANG) -g -O2 -Wall -target bpf -D__TARGET_ARCH_x86 \
		-I/usr/include/$(shell $(CC) -dumpmachine) -I$(ROOT)/tools/pinledger \
		-c $< -o $@

$(CLI_OUT)/pinledger.skel.h: $(CLI_OUT)/pinledger.bpf.o
	$(BPFTOOL) gen skeleton $< name pinledger_bpf > $@.tmp && mv $@.tmp $@

$(CLI): $(CLI_USER) $(CLI_HDR) $(CLI_OUT)/pinledger.skel.h $(ROOT)/include/uapi/linux/pinledger.h
	$(CC) -O2 -Wall -Wextra -Werror -I$(CLI_OUT) -I$(ROOT)/tools/pinledger \
		-I$(ROOT)/include/uapi \
		-o $@ $(CLI_USER) $(CLI_LIBS)

install: $(CLI)
	install -D -m 0755 $(CLI) $(DESTDIR)$(PREFIX)/sbin/pinledger
	install -D -m 0644 $(ROOT)/tools/pinledger/pinledger.8 \
		$(DESTDIR)$(PREFIX)/share/man/man8/pinledger.8

# Debian packages from the committed-or-not tracked tree (debian/): built
# in a copy, so the work tree gets no debhelper droppings.
DEB_OUT  := $(ROOT)/build/deb
deb:
	@rm -rf $(DEB_OUT) && mkdir -p $(DEB_OUT)/src
	@cd $(ROOT) && git ls-files -co --exclude-standard | tar -cf - -T - | tar -xf - -C $(DEB_OUT)/src
	cd $(DEB_OUT)/src && dpkg-buildpackage -b -us -uc -j2 >$(DEB_OUT)/build.log 2>&1 || \
		{ tail -30 $(DEB_OUT)/build.log; exit 1; }
	@rm -rf $(DEB_OUT)/src
	@ls $(DEB_OUT)/*.deb

RELEASES ?=
check-fresh:
	@$(ROOT)/scripts/check-fresh.sh $(RELEASES)

# kernels.env is read in the recipe: provisioning may have just written it.
modules-all: provision
	. $(CACHE)/kernels.env && for k in $$KCHECK; do \
		$(ROOT)/scripts/rel-make.sh $$k module pinholder tools || exit 1; done

provision:
	@$(ROOT)/scripts/provision.sh

check:
	@$(ROOT)/scripts/check.sh

check-matrix:
	@$(ROOT)/scripts/check-matrix.sh

stress:
	@$(ROOT)/scripts/stress.sh

check-host:
	@$(ROOT)/scripts/check.sh --host-only

demo:
	@$(ROOT)/scripts/demo.sh

bench:
	@$(ROOT)/scripts/bench.sh

# Debug kernel (issue 8): Debian's 6.12 source with KASAN, lockdep,
# DEBUG_ATOMIC_SLEEP, DEBUG_OBJECTS, KFENCE and failslab, cached in
# $(CACHE)/<kver>/ like a stock kernel.  KASAN + lockdep under TCG is
# several times slower than a stock kernel: longer guest and test timeouts.
# kasan_multi_shot: every KASAN report, not only the first of the boot;
# log_buf_len: the whole run's dmesg, boot included, for dmesg-report.sh.
debug-kernel:
	@$(ROOT)/scripts/debug-kernel.sh

check-debug: debug-kernel
	@. $(CACHE)/debug-kernel.env && \
	PL_GUEST_TIMEOUT=$${PL_GUEST_TIMEOUT:-7200} \
	PL_TEST_TIMEOUT=$${PL_TEST_TIMEOUT:-1500} \
	PL_CHECK_LOGS=$(ROOT)/build/check-debug \
	PL_GUEST_APPEND="kasan_multi_shot log_buf_len=16M" \
	$(ROOT)/scripts/check.sh --no-rig --kernel "$$KDEBUG"; rc=$$?; \
	echo "== debug kernel $$KDEBUG: its checkers over the whole guest run"; \
	$(ROOT)/scripts/dmesg-report.sh $(CACHE)/$$KDEBUG/build/.config \
		$(ROOT)/build/check-debug/guest-$$KDEBUG.dmesg || rc=1; \
	exit $$rc

dkms-test:
	@$(ROOT)/tests/host/dkms.sh

clean:
	rm -rf $(ROOT)/build

FORCE:
