# SPDX-License-Identifier: GPL-2.0
#
# pinledger developer targets.  Kbuild holds the object list.
#
#   make                    build pinledger.ko for the running kernel
#   make KVER=<release>     ... for another kernel (KDIR=<headers> also works)
#   make modules-all        ... for both stock Debian kernels of the test rig
#   make demo               boot a stock kernel with pmem and show pinledger
#   make check              provision, build, run every test on both kernels
#   make bench              measure pinledger against the stock kernels
#   make provision          fetch kernels and host tools (idempotent)
#   make clean

ROOT     := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
CACHE    ?= $(ROOT)/.cache
KVER     ?= $(shell uname -r)
KDIR     ?= $(firstword $(wildcard $(CACHE)/$(KVER)/build) /lib/modules/$(KVER)/build)
BUILD    := $(ROOT)/build/$(KVER)
SRCDIRS  := Kbuild module hooks include
VERSION  := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' $(ROOT)/dkms.conf)

-include $(CACHE)/kernels.env

.PHONY: all module modules-all pinholder tools provision check check-host \
	demo bench clean install dkms-test

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

# Userspace test tools, run inside the guests (same Debian userland).
tools: $(ROOT)/build/tools/pinctl $(ROOT)/build/tools/plbench

$(ROOT)/build/tools/pinctl: $(ROOT)/tests/tools/pinctl.c $(ROOT)/tests/pinholder/pinholder_uapi.h
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -o $@ $< -Wl,-Bstatic -luring -Wl,-Bdynamic -lpthread

$(ROOT)/build/tools/plbench: $(ROOT)/tests/tools/plbench.c $(ROOT)/tests/pinholder/pinholder_uapi.h
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -static -o $@ $<

# Page-cache pin scenarios (tests/guest/t-pagecache-*.sh).
tools: $(ROOT)/build/tools/pcpin

$(ROOT)/build/tools/pcpin: $(ROOT)/tests/tools/pcpin.c $(ROOT)/tests/pinholder/pinholder_uapi.h
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -Wextra -o $@ $<

modules-all: provision
	$(MAKE) KVER=$(K61) module
	$(MAKE) KVER=$(K612) module

provision:
	@$(ROOT)/scripts/provision.sh

check:
	@$(ROOT)/scripts/check.sh

check-host:
	@$(ROOT)/scripts/check.sh --host-only

demo:
	@$(ROOT)/scripts/demo.sh

bench:
	@$(ROOT)/scripts/bench.sh

dkms-test:
	@$(ROOT)/tests/host/dkms.sh

clean:
	rm -rf $(ROOT)/build

FORCE:
