#!/usr/bin/env bash
# tests/qemu/selftest.sh — proves the qemu harness (tests/qemu/lib.sh) works.
#
# Why this exists: later pstore/CO-RE tests trust this harness to boot a
# guest, crash or reboot it inside the same qemu and read what ramoops kept;
# this checks exactly that on both guest kernels, and reports boot times and
# the harness' cold/warm cost. Output is TAP; exit 0 on pass/skip, 1 on
# failure. Logs are kept (path printed) when a case fails.
#   (a) Debian 6.1 kernel: line to /dev/kmsg, sysrq panic, found in dmesg-ramoops-*
#   (b) Debian 6.1 kernel: same with `reboot -f`
#   (c) built pmsg kernel: line to /dev/pmsg0, panic, found in pmsg-ramoops-*
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

t_start=$EPOCHREALTIME
elapsed() { awk -v s="$1" -v n="$EPOCHREALTIME" 'BEGIN{printf "%.1f", n - s}'; }
boot_timeout=${SIGREC_QEMU_TIMEOUT:-240}

echo "1..3"
names=("debian-6.1 kmsg survives sysrq panic in dmesg-ramoops"
  "debian-6.1 kmsg survives reboot -f in dmesg-ramoops"
  "pmsg kernel /dev/pmsg0 survives sysrq panic in pmsg-ramoops")

if ! reason=$(qemu_can_run); then
  for i in 1 2 3; do echo "ok $i - ${names[$((i - 1))]} # SKIP $reason"; done
  echo "qemu-selftest: 0 passed, 0 failed, 3 skipped"
  exit 0
fi

npass=0 nfail=0
work=$(mktemp -d "${TMPDIR:-/tmp}/sigrec-qemu-selftest.XXXXXX")
failed=0
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  if ((failed)); then echo "# logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

cache=$(qemu_cache_dir)
# Cold or warm: were the guest kernels already in the cache?
state=warm
qemu_kernel_cached deb12 || state=cold
compgen -G "$cache/pmsg-*/bzImage" >/dev/null || state=cold
echo "# cache: $cache ($state)"

# run_case N KERNEL INITRD VIA HOW HEADER_REGEX
run_case() {
  local n=$1 kernel=$2 initrd=$3 via=$4 how=$5 header=$6
  local name=${names[$((n - 1))]} log=$work/case$n.log rc=0
  local token
  token="t$(date +%s%N)-$$-$RANDOM"
  qemu_boot "$kernel" "$initrd" "$log" "$boot_timeout" \
    "sigrec.token=$token sigrec.via=$via sigrec.how=$how" || rc=$?
  local results
  results=$(qemu_results "$log")
  echo "# case $n boot times (host clock from qemu start): ${QEMU_BOOT_TIMES:+$QEMU_BOOT_TIMES }total=${QEMU_BOOT_ELAPSED}s"
  while IFS= read -r line; do
    [[ -z $line ]] || echo "#   guest: $line"
  done <<<"$results"
  local why=""
  if ((rc != 0)); then
    why="qemu_boot returned $rc"
  elif ! grep -aq 'SIGREC-BOOT: 2 ' "$log"; then
    why="guest never reached boot 2"
  elif ! grep -qx "PASS token=$token" <<<"$results"; then
    why="token not found in pstore after $how"
  elif ! grep -Eq "^found in .*: ($header)" <<<"$results"; then
    why="pstore record header does not match /$header/"
  fi
  if [[ -z $why ]]; then
    npass=$((npass + 1))
    echo "ok $n - $name"
  else
    failed=1 nfail=$((nfail + 1))
    echo "not ok $n - $name"
    echo "#   $why; last lines of $log:"
    tail -n 25 "$log" | tr -d '\r' | sed 's/^/#   | /'
  fi
}

# (a), (b): Debian's kernel, ramoops as a module.
t0=$EPOCHREALTIME
deb_ok=1
if kout=$(qemu_debian_kernel); then
  { read -r deb_kernel; read -r deb_moddir; } <<<"$kout"
  echo "# debian kernel: $deb_kernel ($(elapsed "$t0")s to fetch or find)"
  if ! qemu_make_initramfs -m "$deb_moddir" "$work/debian.cpio.gz" "$here/selftest-guest.sh"; then
    deb_ok=0 deb_why="qemu_make_initramfs failed"
  fi
else
  deb_ok=0 deb_why="qemu_debian_kernel failed"
fi
if ((deb_ok)); then
  run_case 1 "$deb_kernel" "$work/debian.cpio.gz" kmsg panic 'Panic|Emergency'
  run_case 2 "$deb_kernel" "$work/debian.cpio.gz" kmsg reboot 'Shutdown'
else
  failed=1 nfail=$((nfail + 2))
  echo "not ok 1 - ${names[0]} # $deb_why"
  echo "not ok 2 - ${names[1]} # $deb_why"
fi

# (c): the small kernel built with PSTORE_PMSG (built once, then cached).
t0=$EPOCHREALTIME
if pmsg_kernel=$(qemu_pmsg_kernel); then
  echo "# pmsg kernel: $pmsg_kernel ($(elapsed "$t0")s to build or find)"
  if qemu_make_initramfs "$work/pmsg.cpio.gz" "$here/selftest-guest.sh"; then
    run_case 3 "$pmsg_kernel" "$work/pmsg.cpio.gz" pmsg panic 'Panic|Emergency|SIGREC-SELFTEST'
  else
    failed=1 nfail=$((nfail + 1))
    echo "not ok 3 - ${names[2]} # qemu_make_initramfs failed"
  fi
else
  failed=1 nfail=$((nfail + 1))
  echo "not ok 3 - ${names[2]} # qemu_pmsg_kernel failed (see $cache/pmsg-*/build.log)"
fi

echo "# harness run ($state): $(elapsed "$t_start")s"
echo "qemu-selftest: $npass passed, $nfail failed, 0 skipped"
exit "$failed"
