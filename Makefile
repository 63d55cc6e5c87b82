# sigrec - top-level build.  `make` builds sigrec and sigdump into build/.
# make run     set-up + build + record to the default ring (as root)
# make test    set-up + build + every test (unit, end to end, qemu)
# make bench   benchmark figures
# make san     ASan/UBSan build in build-san/ (make test SAN=1 runs it)
# V=1 shows full commands.  VMLINUX_BTF=path overrides the BTF source.

.DELETE_ON_ERROR:
.SUFFIXES:

ifeq ($(SAN),1)
BUILD     ?= build-san
SANFLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD     ?= build
SANFLAGS  :=
endif

CC        ?= gcc
CLANG     ?= clang
BPFTOOL   ?= bpftool
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
ARCH      := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

CFLAGS    ?= -O2 -g
CFLAGS    += -Wall -Wextra -Werror -std=gnu11 -MMD -MP $(SANFLAGS)
LDFLAGS   += $(SANFLAGS)
LDLIBS_BPF := $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz)
LDLIBS    := -llz4

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# The format and model library (lib/): ring file, codec, process model,
# names, the pstore line format.  One list: sigrec, sigdump, the tests and
# the benchmarks link $(BUILD)/libsigrec.a; tests/fuzz/run.sh asks for it
# (make print-lib-src).
LIB_SRC := lib/format.c lib/ring_write.c lib/ring_read.c lib/ring_pack.c lib/codec.c lib/crc32c.c lib/util.c lib/names.c lib/model.c lib/pstore.c lib/cgroup.c lib/stacks.c
SIGREC_SRC := recorder/sigrec.c recorder/options.c recorder/session.c recorder/capture.c recorder/rbuf.c \
	recorder/check.c recorder/place.c recorder/metrics.c recorder/journal.c recorder/procscan.c \
	recorder/privs.c recorder/stacks_rec.c recorder/pinset.c pstore/writer.c
SIGDUMP_SRC := tools/sigdump.c tools/options.c tools/query.c tools/events.c tools/stats.c tools/select.c \
	tools/follow.c tools/pager.c tools/pstore_in.c tools/why.c tools/needs.c tools/export.c tools/output.c \
	tools/perfetto.c tools/strings.c tools/stackout.c tools/symbolize.c
LIB       := $(BUILD)/libsigrec.a

# Include paths per layer: lib/ sees only itself and the ABI (bpf/sigrec.h);
# the recorder and sigdump see lib/, never each other.
INC_lib      := -Ilib -Ibpf
INC_pstore   := -Ipstore -Ilib -Ibpf
INC_recorder := -Irecorder -Ipstore -Ilib -Ibpf -I$(BUILD)
INC_tools    := -Itools -Ilib -Ibpf
INC_tests    := -Itools -Ilib -Ibpf
INC_bench    := -Ilib -Ibpf
layer_inc = $(INC_$(firstword $(subst /, ,$(1))))

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))

PREFIX    ?= /usr/local
VERSION   := $(shell sed -n 's/.*SIGREC_VERSION_STR.*"\(.*\)".*/\1/p' lib/util.h)

.PHONY: all run test bench san clean deps unit-bin man install fuzz deb soak print-lib-src
all: $(BUILD)/sigrec $(BUILD)/sigdump $(BUILD)/sigsend $(BUILD)/storm $(BUILD)/mkring \
	$(BUILD)/decode $(BUILD)/floor $(BUILD)/stacksend $(BUILD)/timersend

deps:
	$(Q)./scripts/deps.sh

$(BUILD)/vmlinux.h:
	$(call msg,BTF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

$(BUILD)/sigrec.bpf.o: bpf/sigrec.bpf.c $(wildcard bpf/*.bpf.h) bpf/sigrec.h $(BUILD)/vmlinux.h
$(BUILD)/floor.bpf.o: bench/floor.bpf.c $(BUILD)/vmlinux.h
# BPF_DEFS: bench/bench.sh's cost parts only (SIGREC_BENCH_PART, sigrec.bpf.c)
$(BUILD)/%.bpf.o:
	$(call msg,BPF,$@)
	$(Q)$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror $(BPF_DEFS) \
		-I$(BUILD) -Ibpf -c $< -o $@
	$(Q)llvm-strip -g $@ 2>/dev/null || true

# test build: an object whose verifier refusals tests/e2e/test_degrade.sh picks
$(BUILD)/refuse/sigrec.bpf.o: bpf/sigrec.bpf.c $(wildcard bpf/*.bpf.h) bpf/sigrec.h $(BUILD)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -DSIGREC_TEST_REFUSE -Wall -Werror \
		-I$(BUILD) -Ibpf -c $< -o $@
	$(Q)llvm-strip -g $@ 2>/dev/null || true
$(BUILD)/refuse/sigrec.skel.h: $(BUILD)/refuse/sigrec.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name sigrec_bpf > $@
$(BUILD)/refuse/capture.o: recorder/capture.c $(BUILD)/refuse/sigrec.skel.h
	$(call msg,CC,$@)
	$(Q)$(CC) -I$(BUILD)/refuse -DSIGREC_TEST_REFUSE $(CFLAGS) $(INC_recorder) -c $< -o $@
$(BUILD)/tests/sigrec-refuse: $(BUILD)/refuse/capture.o \
		$(call obj,$(filter-out recorder/capture.c,$(SIGREC_SRC))) $(LIB)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS_BPF) $(LDLIBS) -lcap -lseccomp -lsystemd

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $*_bpf > $@

# the skeleton must exist before any recorder object is compiled
$(call obj,recorder/capture.c): $(BUILD)/sigrec.skel.h

$(BUILD)/%.o: %.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(call layer_inc,$*) -c $< -o $@

$(LIB): $(call obj,$(LIB_SRC))
	$(call msg,AR,$@)
	$(Q)rm -f $@
	$(Q)$(AR) rcs $@ $^

print-lib-src:
	@echo $(LIB_SRC)

$(BUILD)/sigrec: $(call obj,$(SIGREC_SRC)) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS_BPF) $(LDLIBS) -lcap -lseccomp -lsystemd

$(BUILD)/sigdump: $(call obj,$(SIGDUMP_SRC)) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS) -lelf

# test helpers are built without sanitizers: sigsend's faults must reach the kernel
HELPER_CFLAGS := -O2 -g -Wall -Wextra -Werror -std=gnu11
$(BUILD)/sigsend: tests/e2e/sigsend.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(HELPER_CFLAGS) $< -o $@ -lpthread

$(BUILD)/timersend: tests/e2e/timersend.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(HELPER_CFLAGS) $< -o $@ -lpthread -lrt

# known functions in the sender's stack: frame pointers, no inlining
$(BUILD)/stacksend: tests/e2e/stacksend.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O0 -g -fno-omit-frame-pointer -Wall -Wextra -Werror -std=gnu11 $< -o $@

$(BUILD)/storm: bench/storm.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(HELPER_CFLAGS) $< -o $@

$(BUILD)/floor: bench/floor.c $(BUILD)/floor.skel.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(HELPER_CFLAGS) -I$(BUILD) $< -o $@ $(LDLIBS_BPF)

$(BUILD)/mkring: $(call obj,bench/mkring.c) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

$(BUILD)/decode: $(call obj,bench/decode.c) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS)

# ---- unit tests (cmocka), linked against the modules, not main ----
UNIT_TESTS := test_ring test_codec test_util test_craft test_model test_output test_format test_pstore test_cgroup \
	test_symbolize test_stacks test_names test_rbuf
$(BUILD)/tests/test_ring: $(call obj,tests/unit/test_ring.c) $(LIB)
$(BUILD)/tests/test_codec: $(call obj,tests/unit/test_codec.c) $(LIB)
$(BUILD)/tests/test_format: $(call obj,tests/unit/test_format.c) $(LIB)
$(BUILD)/tests/test_pstore: $(call obj,tests/unit/test_pstore.c) $(LIB)
$(BUILD)/tests/test_stacks: $(call obj,tests/unit/test_stacks.c) $(LIB)
$(BUILD)/tests/test_names: $(call obj,tests/unit/test_names.c) $(LIB)
$(BUILD)/tests/test_rbuf: $(call obj,tests/unit/test_rbuf.c recorder/rbuf.c) $(LIB)
$(BUILD)/tests/unit/test_rbuf.o: CFLAGS += -Irecorder
# it reads docs/FORMAT.md of this tree
$(BUILD)/tests/unit/test_format.o: CFLAGS += -DSRCDIR='"$(CURDIR)"'
$(BUILD)/tests/test_util: $(call obj,tests/unit/test_util.c) $(LIB)
$(BUILD)/tests/test_craft: $(call obj,tests/unit/test_craft.c) $(LIB)
$(BUILD)/tests/test_model: $(call obj,tests/unit/test_model.c) $(LIB)
$(BUILD)/tests/test_cgroup: $(call obj,tests/unit/test_cgroup.c) $(LIB)
$(BUILD)/tests/test_output: $(call obj,tests/unit/test_output.c tools/output.c tools/strings.c tools/stackout.c \
	tools/symbolize.c) $(LIB)
# the ELF it reads: built with the tests, never run
$(BUILD)/tests/symtest.elf: tests/unit/symtest_elf.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O1 -g -Wl,--build-id $< -o $@
$(BUILD)/tests/test_symbolize: $(call obj,tests/unit/test_symbolize.c tools/symbolize.c) $(LIB)
$(BUILD)/tests/unit/test_symbolize.o: CFLAGS += -DSYMTEST_ELF='"$(CURDIR)/$(BUILD)/tests/symtest.elf"'
$(BUILD)/tests/unit/test_symbolize.o: $(BUILD)/tests/symtest.elf
$(BUILD)/tests/test_%:
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $^ -o $@ $(LDLIBS) -lcmocka -lelf

unit-bin: $(addprefix $(BUILD)/tests/,$(UNIT_TESTS)) $(BUILD)/tests/sigrec-refuse

run: deps
	$(Q)$(MAKE) --no-print-directory all
	./$(BUILD)/sigrec

test: deps
	$(Q)$(MAKE) --no-print-directory all unit-bin
	$(Q)BUILD=$(BUILD) ./tests/run.sh

bench: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)BUILD=$(BUILD) ./bench/bench.sh

san:
	$(Q)$(MAKE) --no-print-directory SAN=1 all unit-bin

# man pages are made from --help, the one place usage is written
man: $(BUILD)/man/sigrec.8 $(BUILD)/man/sigdump.1
$(BUILD)/man/sigrec.8: $(BUILD)/sigrec
	$(call msg,MAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)help2man --no-info --section 8 --version-string "$(VERSION)" \
		--name "flight recorder for Linux signals" ./$< > $@
$(BUILD)/man/sigdump.1: $(BUILD)/sigdump
	$(call msg,MAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)help2man --no-info --section 1 --version-string "$(VERSION)" \
		--name "read what sigrec recorded: timelines, process trees, exports" ./$< > $@

install: all man
	install -D -m 0755 $(BUILD)/sigrec $(DESTDIR)$(PREFIX)/sbin/sigrec
	install -D -m 0755 $(BUILD)/sigdump $(DESTDIR)$(PREFIX)/bin/sigdump
	install -D -m 0644 $(BUILD)/man/sigrec.8 $(DESTDIR)$(PREFIX)/share/man/man8/sigrec.8
	install -D -m 0644 $(BUILD)/man/sigdump.1 $(DESTDIR)$(PREFIX)/share/man/man1/sigdump.1
	install -d $(DESTDIR)$(PREFIX)/lib/systemd/system
	sed 's#/usr/sbin/sigrec#$(PREFIX)/sbin/sigrec#g; s#/usr/local/sbin/sigrec#$(PREFIX)/sbin/sigrec#g' \
		packaging/sigrec.service > $(DESTDIR)$(PREFIX)/lib/systemd/system/sigrec.service

FUZZ_SECONDS ?= 60
fuzz: deps
	$(Q)BUILD=$(BUILD) ./tests/fuzz/run.sh $(FUZZ_SECONDS)

# Debian package from a copy of the tree, then lintian: $(BUILD)/deb/*.deb
deb:
	$(Q)./packaging/deb.sh $(BUILD)/deb

clean:
	rm -rf build build-san

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# The differential comparison against ftrace for SOAK_SECONDS (default 600),
# a 4M ring that wraps, a recorder SIGKILL and restart every 30 s; reports
# sigrec's RSS per recorder life (tests/soak.sh, docs/SOAK.md)
SOAK_SECONDS ?= 600
soak: all
	$(Q)SOAK_SECONDS=$(SOAK_SECONDS) BUILD=$(BUILD) ./tests/soak.sh
