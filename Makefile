# pventry - a Xen PV x86-64 guest kernel entry layer.
#
#   make [O=DIR] [V=1]    build DIR/pventry (default DIR: build)
#   make defconfig        start DIR/.config from arch/x86/configs/defconfig
#   make menuconfig       edit DIR/.config (kconfig-mconf)
#   make oldconfig        bring DIR/.config up to date, asking about new options
#   make run              boot Xen 4.17 + the kernel under QEMU, once
#   make check            every test: both CPU vendors, the runner's own test,
#                         check-no-selftests
#   make check-no-selftests  a CONFIG_SELFTESTS=n kernel has no test in it
#   make check-xen        the guest alone on XEN= (default: Debian's Xen 4.17),
#                         VCPUS= vCPUs (default 2)
#   make check-hv         the guest alone on hv/ (FRED too with BOCHS=)
#   make check-xl         the guest as a domU: `xl create` in a Linux dom0 of Xen 4.17
#   make bench            instruction counts of the entry paths, pventry against
#                         the floor, Xen against hv (BOCHS= for FRED and exact
#                         counts; BENCH_RECORD=1 writes the baseline)
#   make clean            remove DIR
#
# Kbuild style: each directory's Kbuild file lists its objects as
# obj-y / obj-$(CONFIG_FOO); this file collects them.

O ?= build
override O := $(patsubst %/,%,$(O))
srctree := $(CURDIR)

ifeq ($(V),1)
Q :=
quiet = @:
else
Q := @
quiet = @printf '  %-8s %s\n'
endif

CC      ?= gcc
ifeq ($(origin CC),default)
CC      := gcc
endif
LD      := ld
NM      := nm
OBJCOPY := objcopy
PYTHON  := python3

KCONFIG_ENV = KCONFIG_CONFIG=.config \
	KCONFIG_AUTOCONFIG=include/config/auto.conf \
	KCONFIG_AUTOHEADER=include/generated/autoconf.h srctree=$(srctree)

# Images must not depend on where the tree was checked out: the user
# programs the kernel embeds carry their debug info, so a longer path
# would move everything after them.
PREFIX_MAP := -ffile-prefix-map=$(srctree)=.
CFLAGS := $(PREFIX_MAP) -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter -Werror=implicit-function-declaration \
	-ffreestanding -fno-pic -fno-pie -fno-stack-protector -fno-builtin \
	-fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
	-mcmodel=kernel -mno-red-zone -mgeneral-regs-only -m64 \
	-I$(srctree)/include -I$(O)/include
AFLAGS := $(PREFIX_MAP) -D__ASSEMBLY__ -I$(srctree)/include -I$(O)/include -m64
LDFLAGS := -nostdlib -static -z max-page-size=4096 -z noexecstack --no-warn-rwx-segments

# ---- configuration ----

.PHONY: all defconfig menuconfig oldconfig olddefconfig config-check
all: $(O)/pventry

# The first command on a fresh machine lands here before any goal runs
# (make rebuilds the included auto.conf first): get the tools, then configure.
$(O)/.config:
	$(Q)$(srctree)/scripts/deps.sh $(O)
	$(Q)mkdir -p $(O)
	$(quiet) DEFCONFIG $@
	$(Q)cd $(O) && $(KCONFIG_ENV) kconfig-conf -s --defconfig=$(srctree)/arch/x86/configs/defconfig $(srctree)/Kconfig >/dev/null

defconfig:
	$(Q)$(srctree)/scripts/deps.sh $(O)
	$(Q)mkdir -p $(O)
	$(Q)cd $(O) && $(KCONFIG_ENV) kconfig-conf --defconfig=$(srctree)/arch/x86/configs/defconfig $(srctree)/Kconfig
menuconfig: $(O)/.config
	$(Q)cd $(O) && $(KCONFIG_ENV) kconfig-mconf $(srctree)/Kconfig
oldconfig: $(O)/.config
	$(Q)cd $(O) && $(KCONFIG_ENV) kconfig-conf --oldconfig $(srctree)/Kconfig
olddefconfig: $(O)/.config
	$(Q)cd $(O) && $(KCONFIG_ENV) kconfig-conf -s --olddefconfig $(srctree)/Kconfig

$(O)/include/config/auto.conf $(O)/include/generated/autoconf.h: $(O)/.config $(srctree)/Kconfig
	$(Q)mkdir -p $(O)/include/config $(O)/include/generated
	$(quiet) KCONFIG $(O)/include/generated/autoconf.h
	@# An option added to Kconfig since .config was written takes its
	@# default (without a terminal there is nobody to ask).
	$(Q)cd $(O) && $(KCONFIG_ENV) kconfig-conf -s --olddefconfig $(srctree)/Kconfig
	$(Q)cd $(O) && $(KCONFIG_ENV) kconfig-conf -s --silentoldconfig $(srctree)/Kconfig
	$(Q)touch $(O)/include/config/auto.conf $(O)/include/generated/autoconf.h

ifeq ($(filter defconfig menuconfig oldconfig olddefconfig clean deps,$(MAKECMDGOALS)),)
-include $(O)/include/config/auto.conf
endif

# ---- the kernel ----

kernel-dirs := arch/x86/xen entry hypercall kernel kernel/user lib selftests/kernel selftests/user
objs :=
define collect-dir
obj-y :=
include $(srctree)/$(1)/Kbuild
objs += $$(addprefix $(O)/$(1)/,$$(obj-y))
endef
$(foreach d,$(kernel-dirs),$(eval $(call collect-dir,$(d))))

LDS := $(srctree)/arch/x86/xen/pventry.lds

$(O)/%.o: $(srctree)/%.c $(O)/include/generated/autoconf.h
	$(Q)mkdir -p $(@D)
	$(quiet) CC $@
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(O)/%.o: $(srctree)/%.S $(O)/include/generated/autoconf.h
	$(Q)mkdir -p $(@D)
	$(quiet) AS $@
	$(Q)$(CC) $(AFLAGS) -MMD -MP -c $< -o $@

# Link twice: the second time with the symbol table of the first.
$(O)/pventry.tmp: $(objs) $(LDS)
	$(quiet) LD $@
	$(Q)$(LD) $(LDFLAGS) -T $(LDS) -o $@ $(objs)

$(O)/kallsyms.S: $(O)/pventry.tmp $(srctree)/scripts/kallsyms.sh
	$(quiet) KSYMS $@
	$(Q)$(srctree)/scripts/kallsyms.sh $(NM) $< > $@

$(O)/kallsyms.o: $(O)/kallsyms.S
	$(Q)$(CC) $(AFLAGS) -c $< -o $@

$(O)/pventry: $(objs) $(O)/kallsyms.o $(LDS)
	$(quiet) LD $@
	$(Q)$(LD) $(LDFLAGS) -T $(LDS) -o $@ $(objs) $(O)/kallsyms.o
	$(Q)$(NM) -n $(O)/pventry.tmp | grep -i ' t ' > $(O)/.syms1
	$(Q)$(NM) -n $@ | grep -i ' t ' | grep -v kallsyms > $(O)/.syms2 || true
	$(Q)cmp -s $(O)/.syms1 $(O)/.syms2 || { echo "kallsyms: text moved between links" >&2; exit 1; }

# Only the selftests see their own headers.
$(O)/selftests/%.o: CFLAGS += -I$(srctree)/selftests/include
$(O)/selftests/%.o: AFLAGS += -I$(srctree)/selftests/include

-include $(objs:.o=.d)

# ---- user programs (selftests/user): 64-bit and compat ELF files ----

UCFLAGS := $(PREFIX_MAP) -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-builtin -fno-asynchronous-unwind-tables -mgeneral-regs-only \
	-I$(srctree)/include -I$(srctree)/selftests/include -I$(O)/include
ulib-objs := ulib.o ulib_asm.o lib-vsprintf.o lib-string.o
user-dir := $(O)/selftests/user
USER_LDS := $(srctree)/selftests/user/user.lds

$(user-dir)/64/%.o: $(srctree)/selftests/user/%.c $(O)/include/generated/autoconf.h
	$(Q)mkdir -p $(@D)
	$(quiet) UCC64 $@
	$(Q)$(CC) $(UCFLAGS) -m64 -MMD -MP -c $< -o $@
$(user-dir)/64/%.o: $(srctree)/selftests/user/%.S
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(AFLAGS) -m64 -c $< -o $@
$(user-dir)/64/lib-%.o: $(srctree)/lib/%.c $(O)/include/generated/autoconf.h
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(UCFLAGS) -m64 -c $< -o $@
$(user-dir)/32/%.o: $(srctree)/selftests/user/%.c $(O)/include/generated/autoconf.h
	$(Q)mkdir -p $(@D)
	$(quiet) UCC32 $@
	$(Q)$(CC) $(UCFLAGS) -m32 -march=i686 -MMD -MP -c $< -o $@
$(user-dir)/32/%.o: $(srctree)/selftests/user/%.S
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(AFLAGS) -m32 -c $< -o $@
$(user-dir)/32/lib-%.o: $(srctree)/lib/%.c $(O)/include/generated/autoconf.h
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(UCFLAGS) -m32 -march=i686 -c $< -o $@

define user-prog
$(user-dir)/$(1): $$(addprefix $(user-dir)/$(2)/,$$(or $$($(1)-objs),$(1).o) $(ulib-objs)) $(USER_LDS)
	$$(quiet) ULD$(2) $$@
	$$(Q)$(LD) -m $(3) -nostdlib -static --no-warn-rwx-segments -T $(USER_LDS) -o $$@ \
		$$(filter %.o,$$^) $$(shell $(CC) -m$(2) -print-libgcc-file-name)
user-elfs += $(user-dir)/$(1)
endef
user-elfs :=
$(foreach p,$(user-progs-64),$(eval $(call user-prog,$(p),64,elf_x86_64)))
$(foreach p,$(user-progs-32),$(eval $(call user-prog,$(p),32,elf_i386)))

# The kernel embeds them, in this order, as user_programs[].
$(user-dir)/programs.S: $(user-elfs) $(srctree)/selftests/user/Kbuild $(srctree)/scripts/user-programs.sh
	$(quiet) GEN $@
	$(Q)$(srctree)/scripts/user-programs.sh $(user-elfs) > $@

$(user-dir)/programs.o: $(user-dir)/programs.S $(user-elfs)
	$(quiet) AS $@
	$(Q)$(CC) $(AFLAGS) -c $< -o $@

-include $(wildcard $(user-dir)/64/*.d $(user-dir)/32/*.d)

# ---- running and testing ----

.PHONY: deps run check check-xen check-xl bench clean

deps:
	$(Q)$(srctree)/scripts/deps.sh $(O)

XEN ?= $(O)/xen/xen-4.17.elf
VENDOR ?= GenuineIntel
# vCPUs of the guest (Xen: QEMU -smp and dom0_max_vcpus; hv: vcpus=, all on
# one CPU): the secondary vCPUs run the suite too (Documentation/smp.md).
VCPUS ?= 2
GUEST_ARGS ?=

run: deps $(O)/pventry
	$(Q)$(PYTHON) $(srctree)/selftests/runner.py --xen $(XEN) --kernel $(O)/pventry \
		--vendor $(VENDOR) --vcpus $(VCPUS) --show --args "$(GUEST_ARGS)"

BOCHS ?=
XEN_FRED ?=
# Paths given on the command line are relative to where make started;
# sub-makes and scripts change directory, so make them absolute here.
override XEN := $(abspath $(XEN))
override BOCHS := $(if $(BOCHS),$(abspath $(BOCHS)))
override XEN_FRED := $(if $(XEN_FRED),$(abspath $(XEN_FRED)))

# Everything: hv's host unit tests and bad guests, the guest on Xen 4.17
# (both vendors, plus the runner's own test), the guest on hv with IDT
# delivery, the guest as a domU of Xen 4.17 created by xl in a Linux dom0;
# with BOCHS= (a Bochs built with FRED) the guest on hv with FRED delivery,
# and with XEN_FRED= also on that Xen with fred=1.
check: deps $(O)/pventry hv
	$(Q)$(MAKE) --no-print-directory O=$(O) check-runner-build
	$(Q)$(srctree)/scripts/check.sh $(O) $(XEN) "$(BOCHS)" "$(XEN_FRED)"

# The guest alone, on the Xen given by XEN= (both vendors).
check-xen: deps $(O)/pventry
	$(Q)$(PYTHON) $(srctree)/selftests/runner.py --xen $(XEN) --kernel $(O)/pventry \
		--vcpus $(VCPUS) --vendor GenuineIntel --vendor AuthenticAMD --args "$(GUEST_ARGS)"

# The guest alone as a domU of Xen 4.17, created by xl in a Linux dom0
# (both vendors, plus the runner's own test).
check-xl: deps $(O)/pventry
	$(Q)$(MAKE) --no-print-directory O=$(O) check-runner-build
	$(Q)$(PYTHON) $(srctree)/selftests/runner.py --xl $(O)/dom0 --xen $(O)/xen/xen-4.17.elf \
		--kernel $(O)/pventry --vendor GenuineIntel --vendor AuthenticAMD \
		--broken-kernel $(O)/broken/pventry --args "$(GUEST_ARGS)"

# The guest alone, on hv (IDT delivery, both vendors; FRED too with BOCHS=).
check-hv: deps $(O)/pventry hv
	$(Q)$(PYTHON) $(srctree)/selftests/runner.py --hv $(O)/hv/pventry-hv --kernel $(O)/pventry \
		--vcpus $(VCPUS) --vendor GenuineIntel --vendor AuthenticAMD --delivery idt
	$(Q)if [ -n "$(BOCHS)" ]; then $(PYTHON) $(srctree)/selftests/runner.py --bochs $(BOCHS) \
		--hv $(O)/hv/pventry-hv --kernel $(O)/pventry --vcpus $(VCPUS) --delivery fred; \
	else echo "SKIP: hv delivery=fred: no FRED-capable emulator (make check-hv BOCHS=/path/to/bochs)"; fi

.PHONY: hv check-hv
hv: $(O)/include/generated/autoconf.h
	$(Q)$(MAKE) --no-print-directory -C $(srctree)/hv O=$(abspath $(O))

# The runner's own test: a kernel whose stubs skip restoring RCX/R11
# (CONFIG_TEST_BROKEN_ENTRY) must make the runner report failure, and one
# that plays a hypervisor breaking one rule (CONFIG_TEST_BROKEN_HV, the
# rule on its command line) must fail that rule's checks.
.PHONY: check-runner-build
check-runner-build:
	$(Q)for b in broken:CONFIG_TEST_BROKEN_ENTRY broken-hv:CONFIG_TEST_BROKEN_HV; do \
		dir=$(O)/$${b%%:*} opt=$${b#*:}; \
		mkdir -p $$dir; \
		sed "/$$opt/d" $(srctree)/arch/x86/configs/defconfig > $$dir/.config; \
		echo $$opt=y >> $$dir/.config; \
		$(MAKE) --no-print-directory O=$$dir olddefconfig >/dev/null || exit 1; \
		$(MAKE) --no-print-directory O=$$dir $$dir/pventry || exit 1; \
	done

# The product does not know its tests: nothing outside selftests/ includes
# a selftests header, and a kernel built without them (CONFIG_SELFTESTS=n)
# holds no test symbol and, having no programs to run, no user runtime.
NO_SELFTEST_SYMS := tap_|probe|run_user|test|user_mm_init|kernel_setjmp|enter_user|user_exec
.PHONY: check-no-selftests
check-no-selftests:
	$(Q)if grep -rnE '^\s*#\s*include\s*[<"]selftests/' $(srctree) --include='*.[chS]' \
		--exclude-dir=selftests --exclude-dir=$(notdir $(O)) --exclude-dir=.git; then \
		echo "not ok 1 - no file outside selftests/ includes a selftests header (above)"; exit 1; fi
	$(Q)echo "ok 1 - no file outside selftests/ includes a selftests header"
	$(Q)mkdir -p $(O)/no-selftests
	$(Q)sed '/CONFIG_SELFTESTS\|CONFIG_USER_SELFTESTS/d' $(srctree)/arch/x86/configs/defconfig \
		> $(O)/no-selftests/.config
	$(Q)echo '# CONFIG_SELFTESTS is not set' >> $(O)/no-selftests/.config
	$(Q)$(MAKE) --no-print-directory O=$(O)/no-selftests olddefconfig >/dev/null
	$(Q)$(MAKE) --no-print-directory O=$(O)/no-selftests $(O)/no-selftests/pventry
	$(Q)if $(NM) $(O)/no-selftests/pventry | grep -iE '$(NO_SELFTEST_SYMS)'; then \
		echo "not ok 2 - a CONFIG_SELFTESTS=n kernel has no test symbol (above)"; exit 1; fi
	$(Q)echo "ok 2 - a CONFIG_SELFTESTS=n kernel has no test symbol"

# Round-trip cost of each entry path: instruction counts under hv (QEMU
# -icount), wall-clock TSC ticks under Xen (QEMU 10 can't count there).
# With BOCHS= also hv's per-stage counts, from an hv built with HV_STAGES=1.
bench: deps $(O)/pventry hv
	$(Q)$(if $(BOCHS),$(MAKE) --no-print-directory -C $(srctree)/hv O=$(abspath $(O))/hv-stages HV_STAGES=1 >/dev/null)
	$(Q)$(PYTHON) $(srctree)/selftests/bench.py --xen $(XEN) --hv $(O)/hv/pventry-hv \
		--kernel $(O)/pventry $(if $(BOCHS),--bochs $(BOCHS) --hv-stages $(O)/hv-stages/hv/pventry-hv) \
		$(if $(BENCH_RECORD),--record)

clean:
	rm -rf $(O)
