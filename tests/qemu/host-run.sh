#!/bin/sh
# shellcheck shell=sh disable=SC2317  # the helpers are called by the sourced script
# tests/qemu/host-run.sh — run a guest script on this machine, not in qemu.
#
# Why this exists: the kernel matrix (test_matrix.sh) runs the same checks
# on the host's own kernel as on the guest kernels, and judges them from
# the same report. This gives a guest script (matrix-guest.sh) what
# guest-init.sh gives it in a guest, writing to stdout what the guest
# writes to its serial console, so qemu_results and qemu_extract_file read
# the output unchanged:
#   SIGREC_BOOT=1, SIGREC_WORKDIR=WORKDIR (the guest's /tmp),
#   sigrec_param NAME   value of NAME=VALUE among PARAM arguments
#   sigrec_result TEXT  "SIGREC-RESULT: TEXT"
#   sigrec_log TEXT     "SIGREC-LOG: TEXT"
#   sigrec_export_file PATH [NAME]  base64 between markers, with sha256
#   sigrec_panic, sigrec_reboot     refused (this is the host)
# Usage: host-run.sh SCRIPT WORKDIR [NAME=VALUE...]
# Ends with "SIGREC-DONE: boot=1 rc=RC" like a guest; exit status RC.

script=$1
SIGREC_WORKDIR=$2
shift 2
SIGREC_HOST_PARAMS="$*"
SIGREC_BOOT=1
export SIGREC_WORKDIR SIGREC_BOOT
mkdir -p "$SIGREC_WORKDIR" || exit 1

sigrec_log() { echo "SIGREC-LOG: $*"; }
sigrec_result() { echo "SIGREC-RESULT: $*"; }
sigrec_param() {
  for _w in $SIGREC_HOST_PARAMS; do
    case $_w in "$1="*) echo "${_w#*=}"; return 0 ;; esac
  done
  return 1
}
sigrec_export_file() {
  _name=${2:-$(basename "$1")}
  _sum=$(sha256sum <"$1" | cut -d' ' -f1)
  echo "SIGREC-FILE-BEGIN: $_name"
  base64 "$1"
  echo "SIGREC-FILE-END: $_name sha256=$_sum"
}
sigrec_panic() { sigrec_log "sigrec_panic refused: this is the host"; return 1; }
sigrec_reboot() { sigrec_log "sigrec_reboot refused: this is the host"; return 1; }

read -r _up _ </proc/uptime
echo "SIGREC-BOOT: 1 uptime=$_up kernel=$(uname -r) (host)"
# shellcheck source=/dev/null
(. "$script")
_rc=$?
echo "SIGREC-DONE: boot=1 rc=$_rc"
exit "$_rc"
