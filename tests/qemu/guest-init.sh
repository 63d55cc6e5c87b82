#!/bin/sh
# shellcheck shell=sh
# tests/qemu/guest-init.sh — /init of the qemu test guests (busybox ash).
#
# Why this exists: every guest boot needs the same setup (mounts, ramoops
# module, knowing whether this is the first boot or one after a crash) and
# the same way to talk to the host (marker lines on the serial console), so
# test scripts only contain the test. qemu_make_initramfs installs this as
# /init and the test script as /sigrec-test; the test script is sourced in
# a subshell on every boot, with these available:
#   SIGREC_BOOT            1 on a cold boot, N+1 after boot N crashed/rebooted
#   sigrec_param NAME      value of sigrec.NAME=... from the kernel cmdline
#   sigrec_result TEXT     print "SIGREC-RESULT: TEXT" for the host
#   sigrec_log TEXT        print "SIGREC-LOG: TEXT" (informational)
#   sigrec_panic           crash the kernel (sysrq c); next boot follows
#   sigrec_reboot          `reboot -f`; next boot follows
#   sigrec_export_file PATH [NAME]  send a file to the host (qemu_extract_file)
# When the test script returns, /init prints "SIGREC-DONE: boot=N rc=RC" and
# powers the guest off.

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs tmpfs /dev/shm 2>/dev/null
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run

sigrec_log() { echo "SIGREC-LOG: $*"; }
sigrec_result() { echo "SIGREC-RESULT: $*"; }

# A marker the host watches for, also put into the kernel log at debug
# level (kept in the log, so in pstore dumps, but not echoed to the console
# twice). Nothing is written to /dev/pmsg0: that belongs to the test.
sigrec_mark() {
  echo "$*"
  echo "<7>$*" >/dev/kmsg 2>/dev/null
}

# sigrec_param NAME — value of sigrec.NAME=VALUE on the kernel command line.
sigrec_param() {
  read -r _cmdline </proc/cmdline
  for _w in $_cmdline; do
    case $_w in "sigrec.$1="*) echo "${_w#*=}"; return 0 ;; esac
  done
  return 1
}

# Parameters for module M from the cmdline (M.key=val), as insmod arguments.
_sigrec_modparams() {
  read -r _cmdline </proc/cmdline
  for _w in $_cmdline; do
    case $_w in "$1."*) printf '%s ' "${_w#"$1".}" ;; esac
  done
}

if [ -f /etc/sigrec/modules ]; then
  while read -r _m; do
    # shellcheck disable=SC2046  # one word per parameter
    insmod "/lib/modules/$_m.ko" $(_sigrec_modparams "$_m") ||
      sigrec_log "insmod $_m failed"
  done </etc/sigrec/modules
fi

_sigrec_mount() { # TYPE DIR: mount if the kernel offers the mount point
  if [ -d "$2" ]; then
    mount -t "$1" "$1" "$2" 2>/dev/null || sigrec_log "mount $1 on $2 failed"
  fi
}
_sigrec_mount pstore /sys/fs/pstore
_sigrec_mount bpf /sys/fs/bpf
_sigrec_mount tracefs /sys/kernel/tracing
_sigrec_mount debugfs /sys/kernel/debug
_sigrec_mount cgroup2 /sys/fs/cgroup

# Which boot is this? Every boot leaves "SIGREC-BOOT: N" in the kernel log
# (and "SIGREC-BOOT-END: N" right before sigrec_panic/sigrec_reboot), which
# ramoops keeps; RAM starts zeroed in a fresh qemu, so pstore is empty on
# boot 1.
_prev=0
_any=0
for _f in /sys/fs/pstore/*; do
  [ -f "$_f" ] || continue
  _any=1
  _n=$(grep -ao 'SIGREC-BOOT[A-Z-]*: [0-9]*' "$_f" 2>/dev/null | sed 's/.*: //' | sort -n | tail -n 1)
  if [ -n "$_n" ] && [ "$_n" -gt "$_prev" ]; then _prev=$_n; fi
done
if [ "$_prev" -eq 0 ] && [ "$_any" -eq 1 ]; then _prev=1; fi
SIGREC_BOOT=$((_prev + 1))
export SIGREC_BOOT
read -r _up _ </proc/uptime
sigrec_mark "SIGREC-BOOT: $SIGREC_BOOT uptime=$_up kernel=$(uname -r)"

_sigrec_end() {
  sigrec_mark "SIGREC-BOOT-END: $SIGREC_BOOT $*"
  sync
}

sigrec_panic() {
  _sigrec_end panic
  echo c >/proc/sysrq-trigger
  sleep 30
  sigrec_log "sysrq c did not crash the kernel"
}

sigrec_reboot() {
  _sigrec_end reboot
  (reboot -f)
  sleep 30
  sigrec_log "reboot -f did not reboot"
}

# sigrec_export_file PATH [NAME] — base64 over the console, with kernel
# console messages muted meanwhile so they cannot interleave.
sigrec_export_file() {
  _name=${2:-$(basename "$1")}
  _sum=$(sha256sum <"$1" | cut -d' ' -f1)
  read -r _lvl _ </proc/sys/kernel/printk
  echo 1 >/proc/sys/kernel/printk
  echo "SIGREC-FILE-BEGIN: $_name"
  base64 "$1"
  echo "SIGREC-FILE-END: $_name sha256=$_sum"
  echo "$_lvl" >/proc/sys/kernel/printk
}

_sigrec_poweroff() {
  sync
  # isa-debug-exit (qemu_boot adds it): qemu exits at once.
  if [ -c /dev/port ]; then
    printf '\001' | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
  fi
  # ACPI power-off where the kernel has it; run as a child so init survives
  # (and does not panic into another boot) if it cannot power off.
  (poweroff -f)
  while :; do sleep 3600; done
}

# shellcheck source=/dev/null
(. /sigrec-test)
_rc=$?
sigrec_mark "SIGREC-DONE: boot=$SIGREC_BOOT rc=$_rc"
_sigrec_poweroff
