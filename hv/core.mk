# hv/core.mk - the plain-C core of hv (hv/core) and its host unit tests
# (hv/tests/unit).  Included by hv/Makefile; works from any
# directory (paths are relative to this file).
#
#   make -C hv hv-host-test     build the core + tests with the host gcc, run
#   make -C hv hv-core-check    compile the core as hv does (freestanding,
#                               kernel code model) to catch libc use
#
# For the hv build: HV_CORE_SRCS lists the core sources, HV_CORE_INC the
# include flags they need.

HV_CORE_DIR  := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
HV_CORE_SRCS := $(addprefix $(HV_CORE_DIR)/core/,event.c bounce.c elfnote.c hypercall_check.c \
                console_ring.c domu_layout.c emulate.c timer.c grant.c evtchn.c)
HV_CORE_HDRS := $(wildcard $(HV_CORE_DIR)/core/*.h)
# The project's shared headers: <x86/...> (the architecture's numbers, one
# name each) and the Xen interface version, read before any <xen/...>.
HV_SHARED_INC := -I$(HV_CORE_DIR)/../include -include $(HV_CORE_DIR)/../include/xen-interface.h
HV_CORE_INC  := -I$(HV_CORE_DIR) $(HV_SHARED_INC)

HV_HOST_CC     ?= gcc
HV_HOST_BUILD  ?= $(HV_CORE_DIR)/../build/hv-host
HV_HOST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wno-unused-parameter \
                  -fsanitize=address,undefined -fno-sanitize-recover=all $(HV_CORE_INC)
HV_TEST_SRCS   := $(wildcard $(HV_CORE_DIR)/tests/unit/*.c)
HV_TEST_HDRS   := $(wildcard $(HV_CORE_DIR)/tests/unit/*.h)
HV_TEST_BIN    := $(HV_HOST_BUILD)/hv-core-tests

.PHONY: hv-host-test hv-core-check
hv-host-test: $(HV_TEST_BIN) $(HV_TEST_BIN)-broken
	$(HV_TEST_BIN)
	@$(HV_CORE_DIR)/tests/unit/check-broken-model.sh $(HV_TEST_BIN)-broken

$(HV_TEST_BIN): $(HV_CORE_SRCS) $(HV_TEST_SRCS) $(HV_CORE_HDRS) $(HV_TEST_HDRS) $(HV_CORE_DIR)/core.mk
	@mkdir -p $(HV_HOST_BUILD)
	$(HV_HOST_CC) $(HV_HOST_CFLAGS) -o $@ $(HV_CORE_SRCS) $(HV_TEST_SRCS)

# The tests' own test: the same tests against a deliberately wrong core.
$(HV_TEST_BIN)-broken: $(HV_CORE_SRCS) $(HV_TEST_SRCS) $(HV_CORE_HDRS) $(HV_TEST_HDRS) $(HV_CORE_DIR)/core.mk
	@mkdir -p $(HV_HOST_BUILD)
	$(HV_HOST_CC) $(HV_HOST_CFLAGS) -DHV_TEST_BROKEN_MODEL -o $@ $(HV_CORE_SRCS) $(HV_TEST_SRCS)

# Same flags as a kernel build; -nostdinc keeps libc headers out: only gcc's
# own <stdint.h>/<stdbool.h>/<stddef.h> and the Xen public headers (through
# a symlink to /usr/include/xen) are visible.
HV_CORE_KFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -Wno-unused-parameter \
                  -ffreestanding -fno-pic -mno-red-zone -mcmodel=kernel \
                  -mno-sse -mno-mmx -mno-avx -fno-stack-protector -nostdinc \
                  -isystem $(shell $(HV_HOST_CC) -print-file-name=include) \
                  -isystem $(HV_HOST_BUILD)/kcheck/inc $(HV_CORE_INC)
hv-core-check: $(HV_CORE_SRCS) $(HV_CORE_HDRS)
	@mkdir -p $(HV_HOST_BUILD)/kcheck/inc
	@ln -sfn /usr/include/xen $(HV_HOST_BUILD)/kcheck/inc/xen
	@for f in $(HV_CORE_SRCS); do \
	  echo "  KCC  $$f"; \
	  $(HV_HOST_CC) $(HV_CORE_KFLAGS) -c $$f -o $(HV_HOST_BUILD)/kcheck/$$(basename $$f .c).o || exit 1; \
	done
	@nm -u $(HV_HOST_BUILD)/kcheck/*.o | grep -v '^$$\|:' | sort -u | \
	  awk '{print $$NF}' | grep -vx 'memcpy\|memset' && \
	  { echo "core uses symbols other than memcpy/memset"; exit 1; } || true
