# shellcheck shell=sh
# tests/qemu/core-guest.sh — guest side of tests/qemu/test_core.sh.
#
# Why this exists: the BPF object inside build/sigrec was compiled against
# the build host's kernel (6.18); CO-RE must make it load and record
# correctly on Debian 12's 6.1 kernel too, and that kernel allows
# fentry/fexit, so the syscall-hook choice and its cost can be seen there.
# Sourced by /init (guest-init.sh). One boot, no crash:
#   1. sigrec with default options on a ring in /tmp; every sigsend
#      scenario; SIGTERM; sigdump --json; files sent to the host, which
#      checks each event (test_core.sh).
#   2. If the default did not pick fentry: sigrec --hooks fentry -v, to
#      get the reason.
#   3. The tax on an unrelated syscall: `storm getppid N` bare, and with
#      sigrec --hooks fentry, --hooks tracepoint, --no-syscall-hooks
#      (sigrec.runs=3 runs each, N = sigrec.storm=2000000).
#   4. sigrec.restarts=N times: start sigrec while two `usleep 1` loops (a
#      fork, exec and hrtimer each) keep timers firing, kill a `sleep`,
#      stop; the kill must be recorded in task context, with its syscall.
#      (Attaching hrtimer_expire_entry before hrtimer_expire_exit leaves
#      the per-CPU irq depth stuck at 1 when a timer fires in between:
#      every later signal on that CPU then looks like interrupt context.)
# Facts for the host are "SIGREC-RESULT: key=value ..." lines.

storm_n=$(sigrec_param storm) || storm_n=2000000
runs=$(sigrec_param runs) || runs=3
restarts=$(sigrec_param restarts) || restarts=0

# wait_ready LOGFILE PID — until sigrec printed "recording to" (0), died
# (1) or 180 s passed (2). TCG loads BPF programs slowly.
wait_ready() {
  _i=0
  while [ "$_i" -lt 900 ]; do
    grep -q 'recording to' "$1" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.2
    _i=$((_i + 1))
  done
  return 2
}

# show FILE TAG — every line of FILE as "SIGREC-LOG: TAG: line".
show() {
  while IFS= read -r _l; do sigrec_log "$2: $_l"; done <"$1"
}

# start_rec NAME ARGS... — start sigrec on /tmp/NAME.ring, log in
# /tmp/NAME.log; sets REC (pid) and HOOKS; returns non-zero (and reports)
# if it did not become ready.
start_rec() {
  _name=$1
  shift
  read -r _t0 _ </proc/uptime
  rm -f "/tmp/$_name.log"
  sigrec -r "/tmp/$_name.ring" -s 8M "$@" 2>"/tmp/$_name.log" &
  REC=$!
  wait_ready "/tmp/$_name.log" "$REC"
  _st=$?
  read -r _t1 _ </proc/uptime
  show "/tmp/$_name.log" "sigrec $_name"
  _secs=$(awk -v a="$_t0" -v b="$_t1" 'BEGIN{printf "%.1f", b - a}')
  if [ "$_st" -ne 0 ]; then
    _rc=running
    [ "$_st" -eq 1 ] && { wait "$REC"; _rc=$?; }
    sigrec_result "rec $_name ready=no rc=$_rc after=${_secs}s args=$* error: $(tr '\n' ' ' <"/tmp/$_name.log")"
    return 1
  fi
  HOOKS=$(sed -n 's/.*syscall hooks: \([a-z]*\).*/\1/p' "/tmp/$_name.log" | head -n 1)
  sigrec_result "rec $_name ready=yes hooks=$HOOKS start=${_secs}s args=$*"
}

# stop_rec NAME — SIGTERM, wait, report the exit status.
stop_rec() {
  kill -TERM "$REC"
  wait "$REC"
  _rc=$?
  show "/tmp/$1.log" "sigrec $1 (after stop)"
  sigrec_result "rec $1 stopped rc=$_rc"
}

# measure CFG — storm getppid, $runs times.
measure() {
  _i=0
  while [ "$_i" -lt "$runs" ]; do
    _i=$((_i + 1))
    sigrec_result "tax cfg=$1 run=$_i $(storm getppid "$storm_n" 2>&1 | tr '\n' ' ')"
  done
}

btf=no
[ -f /sys/kernel/btf/vmlinux ] && btf=yes
sigrec_result "info kernel=$(uname -r) btf=$btf cpus=$(grep -c ^processor /proc/cpuinfo)"

# 1. every scenario, default options
if start_rec core; then
  for s in $(sigsend --list); do
    sigsend "$s" >>/tmp/facts.json 2>>/tmp/sigsend.err ||
      echo "{\"scenario\":\"$s\",\"error\":true}" >>/tmp/facts.json
  done
  sleep 1
  stop_rec core
  sigdump --json /tmp/core.ring >/tmp/out.json 2>/tmp/dump.err
  _rc=$?
  sigrec_result "sigdump json_rc=$_rc lines=$(wc -l </tmp/out.json)"
  sigdump /tmp/core.ring >/tmp/out.txt 2>>/tmp/dump.err
  _rc=$?
  sigrec_result "sigdump text_rc=$_rc"
  show /tmp/dump.err sigdump-stderr
  [ -s /tmp/sigsend.err ] && show /tmp/sigsend.err sigsend-stderr
  sigrec_export_file /tmp/facts.json facts.json
  sigrec_export_file /tmp/out.json out.json
  sigrec_export_file /tmp/out.txt out.txt
  sigrec_export_file /tmp/dump.err dump.err
  default_hooks=$HOOKS
else
  default_hooks=none
fi

# 2. why not fentry?
if [ "$default_hooks" != fentry ]; then
  sigrec -v --hooks fentry -r /tmp/fentry-probe.ring -s 8M --duration 2s 2>/tmp/fentry-probe.log
  _rc=$?
  sigrec_result "fentry probe rc=$_rc"
  sigrec_export_file /tmp/fentry-probe.log fentry-probe.log
fi

# 3. the tax on getppid()
measure bare
for cfg in fentry tracepoint off; do
  case $cfg in
    fentry) set -- --hooks fentry ;;
    tracepoint) set -- --hooks tracepoint ;;
    off) set -- --no-syscall-hooks ;;
  esac
  if start_rec "tax-$cfg" "$@"; then
    measure "$cfg"
    stop_rec "tax-$cfg"
  fi
done
# 4. restarts under hrtimer load
if [ "$restarts" -gt 0 ]; then
  gens=""
  for _k in 1 2; do
    (while :; do usleep 1; done) &
    gens="$gens $!"
  done
  _n=0
  bad=""
  while [ "$_n" -lt "$restarts" ]; do
    _n=$((_n + 1))
    # a fresh log: wait_ready must not find the last run's line before
    # the new sigrec's shell truncated the file
    rm -f /tmp/restart.log /tmp/restart.ring
    sigrec -r /tmp/restart.ring -s 1M 2>/tmp/restart.log &
    REC=$!
    if ! wait_ready /tmp/restart.log "$REC"; then
      bad="$bad $_n:not-ready"
      kill "$REC" 2>/dev/null
      wait "$REC"
      rm -f /tmp/restart.ring
      continue
    fi
    sleep 1000 &
    _t=$!
    kill -TERM "$_t"
    wait "$_t"
    sleep 0.3
    kill -TERM "$REC"
    wait "$REC"
    _ev=$(sigdump --json -s TERM /tmp/restart.ring | grep "\"target\":{\"pid\":$_t,")
    _ctx=$(echo "$_ev" | sed -n 's/.*"context":"\([a-z]*\)".*/\1/p' | head -n 1)
    _sc=$(echo "$_ev" | sed -n 's/.*"syscall":{"name":"\([a-z_]*\)".*/\1/p' | head -n 1)
    [ "$_ctx" = task ] && [ "$_sc" = kill ] || bad="$bad $_n:context=${_ctx:-none},syscall=${_sc:-none}"
    rm -f /tmp/restart.ring
  done
  # shellcheck disable=SC2086  # pids
  kill $gens
  sigrec_result "restarts n=$restarts bad=$(echo "$bad" | wc -w) iterations:${bad:- none}"
fi
sigrec_result "core done"
