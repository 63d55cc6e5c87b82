# shellcheck shell=sh
# tests/qemu/selftest-guest.sh — guest side of tests/qemu/selftest.sh.
#
# Why this exists: proves inside the guest that a line written before a
# crash/reboot comes back from pstore after it. Sourced by /init each boot
# (see guest-init.sh for SIGREC_BOOT, sigrec_param, sigrec_result, ...).
# Cmdline parameters: sigrec.token=UNIQUE sigrec.via=kmsg|pmsg
# sigrec.how=panic|reboot.

token=$(sigrec_param token)
via=$(sigrec_param via)
how=$(sigrec_param how)
line="SIGREC-SELFTEST $token"

case $SIGREC_BOOT in
1)
  n=$(find /sys/fs/pstore -type f | wc -l)
  sigrec_result "boot1 pstore_files=$n"
  [ -d /sys/fs/pstore ] || sigrec_result "FAIL no /sys/fs/pstore"
  if [ "$via" = pmsg ]; then
    [ -c /dev/pmsg0 ] || { sigrec_result "FAIL no /dev/pmsg0"; exit 1; }
    echo "$line" >/dev/pmsg0
  else
    echo "$line" >/dev/kmsg
  fi
  # Facts about this kernel, for the host's report.
  btf=no
  [ -f /sys/kernel/btf/vmlinux ] && btf=yes
  sigev=no
  [ -d /sys/kernel/tracing/events/signal/signal_generate ] && sigev=yes
  bpffs=no
  grep -q ' /sys/fs/bpf bpf ' /proc/mounts && bpffs=yes
  sigrec_result "info kernel=$(uname -r) btf=$btf bpffs=$bpffs signal_tracepoints=$sigev pmsg=$([ -c /dev/pmsg0 ] && echo yes || echo no)"
  sigrec_result "boot1 wrote token via $via, now $how"
  if [ "$how" = reboot ]; then sigrec_reboot; else sigrec_panic; fi
  sigrec_result "FAIL still running after $how"
  exit 1
  ;;
2)
  ls -l /sys/fs/pstore
  if [ "$via" = pmsg ]; then pat='pmsg-ramoops-*'; else pat='dmesg-ramoops-*'; fi
  found=""
  for f in /sys/fs/pstore/$pat; do
    [ -f "$f" ] || continue
    if grep -aq "$line" "$f"; then found=$f; break; fi
  done
  if [ -n "$found" ]; then
    sigrec_result "found in $(basename "$found"): $(head -n 1 "$found" | tr -d '\r\000')"
    sigrec_result "PASS token=$token"
  else
    sigrec_result "FAIL token=$token not in /sys/fs/pstore/$pat"
  fi
  ;;
*)
  sigrec_result "FAIL unexpected boot $SIGREC_BOOT"
  ;;
esac
