# SPDX-License-Identifier: GPL-2.0
# ccheap workbench. The two commands that matter:
#   make demo    boot an emulated confidential guest and show what ccheap does
#   make check   the full suite: host tests, then every variant built, booted
#                and tested; ends with "N passed, N failed[, N skipped]"
# Edit-test loop:
#   make test VARIANT=7.3 TESTS=heap-smoke      one variant, selected tests
# See README.md for the rest.

VARIANT ?= 7.3

# The knobs the scripts read, exported only when they are set: an exported
# variable reaches every child even when unset (as empty), and some also
# mean something to the kernel's own build (KVM to virt/kvm/Makefile.kvm,
# which then builds a path without its directory), or differ when empty
# (deb.sh tells an empty LOCALVERSION, no suffix, from an unset one).
KNOBS := TESTS EXTRA_TESTS CMDLINE TIMEOUT KVM DEBUG STRICT_PIN FORCE RESULTS \
	FLAVOUR MINIMAL EXCLUDE DEB_REVISION DBG CONFIG_ONLY \
	CCACHE DEB_MAINTAINER KERNEL_DEB MIRROR SECURITY_MIRROR APT_ETC \
	FRESH_TMPFS FRESH_KEEP KCACHE KCACHE_DIR KCACHE_KEEP
$(foreach k,$(KNOBS),$(if $(filter undefined,$(origin $(k))),,$(eval export $(k))))

S := scripts

# make would print its own "*** Error" line after the summary. A failed
# check therefore ends make with SIGPIPE, which neither make nor the shell
# reports: the summary stays the last line and the exit status is 141.
QUIET_FAIL = kill -PIPE $$PPID

.PHONY: all check check-debug test demo deps host-test table skips series-verify \
	series-export series-check series-mail cross-check install clean distclean help \
	deb-cli deb-dkms deb deb-test deb-test-dkms bench reliability fresh-check

all: help

help:
	@sed -n '2,8s/^# \{0,1\}//p' Makefile

deps:
	@$(S)/deps.sh

check: deps
	@$(S)/check.sh || $(QUIET_FAIL)

check-debug: deps
	@DEBUG=1 $(S)/check.sh || $(QUIET_FAIL)

test: deps
	@$(S)/run-guest.sh $(VARIANT) || $(QUIET_FAIL)

demo: deps
	@$(S)/demo.sh

# Ours (7.3) and mainline (7.3-stock) in an emulated confidential guest,
# the same ccheap bench on each: one table, also build/results/bench.md.
bench: deps
	@$(S)/bench.sh || $(QUIET_FAIL)

host-test:
	@tests/host/run.sh

# The install step tested (as root): scripts/deps.sh and the host tests in
# a new minimal Debian 12 root; build/results/fresh/. make check runs it.
fresh-check: deps
	@$(S)/fresh-check.sh || $(QUIET_FAIL)

table:
	@python3 $(S)/results.py table --out build/results/table.md \
		$(wildcard $(addprefix build/results/,6.12 7.3 7.3-stock 7.3-dkms))
	@echo build/results/table.md

# cc-stress, cc-fuzz, the exhaustion test and cc-points' table of failure
# points, from the guest runs in build/results: build/results/reliability.md
reliability:
	@python3 $(S)/reliability.py --out build/results/reliability.md \
		$(wildcard $(foreach v,6.12 7.3 7.3-stock,build/results/$(v) build/results/$(v)-debug))
	@echo build/results/reliability.md

# The skips in build/results that tests/expected-skips does not expect yet,
# as lines of that file (every variant and debug flavour that has results).
RESULT_DIRS = $(wildcard $(foreach v,6.12 7.3 7.3-stock 7.3-dkms,build/results/$(v) build/results/$(v)-debug))
skips:
	@$(if $(RESULT_DIRS),python3 $(S)/results.py skips --new $(RESULT_DIRS),echo "no results in build/results")

# Patch queue: BASE=6.12 or BASE=7.3
BASE ?= 7.3
series-export:
	@$(S)/export-series.sh $(BASE)

series-verify:
	@$(S)/verify-series.sh $(BASE)

# checkpatch, round trip and a build after every patch, for BASE (or
# BASE=all); writes build/results/series/*.tap and a summary.
series-check:
	@$(S)/deps.sh --series
	@$(S)/series-suite.sh $(if $(filter all,$(BASE)),6.12 7.3,$(BASE)) || $(QUIET_FAIL)

# The posting kit: the fixes of BASE with a cover letter, To/Cc from
# get_maintainer.pl, checkpatch-clean, in build/mail/BASE/.
series-mail:
	@$(S)/deps.sh --series
	@$(S)/series-mail.sh $(BASE) || $(QUIET_FAIL)

# Objects the series touches, built for arm64, s390, riscv and i386 HIGHMEM.
cross-check:
	@$(S)/deps.sh --series
	@$(S)/series-suite.sh --cross $(if $(filter all,$(BASE)),6.12 7.3,$(BASE)) || $(QUIET_FAIL)

# The CLI: make install PREFIX=/usr/local DESTDIR=
PREFIX ?= /usr/local
install:
	@$(MAKE) -C tools/ccheap install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)

# The CLI as a Debian package: build/deb/ccheap_VERSION_ARCH.deb
deb-cli:
	@$(S)/deb-cli.sh

# The heap as a DKMS module for 7.1+ kernels without it (Debian's 7.3):
# build/deb/ccheap-dkms_VERSION_all.deb, from kernel/common and dkms/
deb-dkms:
	@$(S)/deb-dkms.sh

# Kernel packages of BASE with the product part only and Debian's config:
#   make deb BASE=6.12 [FLAVOUR=cloud-amd64] [MINIMAL=1]   -> build/deb/
# deb-test: build the cloud-amd64 packages, install them in a Debian
# trixie root file system and boot it in QEMU; the checks are TAP in
# build/results/deb-test/BASE.tap.
deb:
	@$(S)/deps.sh --deb
	@$(S)/deb.sh $(BASE) || $(QUIET_FAIL)

deb-test:
	@$(S)/deps.sh --deb-test
	@$(S)/deb-test.sh $(BASE) || $(QUIET_FAIL)

# ccheap-dkms on Debian's own trixie-backports 7.3 cloud kernel and
# headers: dpkg -i, DKMS builds, the kernel boots in QEMU (not a
# confidential VM), the module refuses and says why; TAP in
# build/results/deb-test/dkms.tap.
deb-test-dkms:
	@$(S)/deps.sh --deb-test
	@$(S)/deb-test-dkms.sh || $(QUIET_FAIL)

clean:
	rm -rf build/obj build/guest build/results build/logs

distclean:
	rm -rf build
