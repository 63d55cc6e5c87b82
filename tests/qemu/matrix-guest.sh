# shellcheck shell=sh
# tests/qemu/matrix-guest.sh — one kernel's side of tests/qemu/test_matrix.sh.
#
# Why this exists: build/sigrec embeds a BPF object compiled against the
# build host's kernel; it has to load and record correctly on the kernels
# people run. This script runs every check of the kernel matrix on the
# kernel it finds itself on, and reports facts; the host
# (test_matrix.sh) judges them. It runs in a qemu guest, sourced by /init
# (guest-init.sh), or directly on the host through host-run.sh, which
# provides the same helpers (sigrec_param, sigrec_result, sigrec_log,
# sigrec_export_file, SIGREC_BOOT). Files go in $SIGREC_WORKDIR
# (/tmp/sigrec-matrix, mode 0700).
# Parameters (kernel command line sigrec.NAME=..., or host-run.sh's
# arguments): storm (getppid calls per tax run), runs (tax runs per hook
# kind), restarts (recorder restarts under timer load), timer (timer
# signals of each kind), pstore (1: end with the pstore check), ring (ring
# size, 8M), pairn (kill() calls per pair-storm run, 200000; 0: none),
# part (all: everything, the host; checks: everything but the tax and the
# pair storms, a guest's main boot; tax: only the tax and the pair storms,
# a guest's -icount boot).
#
# Boot 1 (the only boot on the host):
#   1. facts about the kernel; `sigrec --check` where sigrec has it.
#   2. sigrec with default options: every sigsend scenario, timersig
#      (a POSIX timer and an itimer firing at a task while a bystander
#      spins on the same CPU) and every timersend scenario (each kind of
#      timer, its facts in facts-timers.json); SIGTERM; sigdump --json
#      and text.
#   3. If the default did not pick fentry: `sigrec -v --hooks fentry` for
#      the reason.
#   4. For fentry, tracepoint and no syscall hooks: (part=all) `storm
#      getppid N` runs times bare, then runs times with sigrec under that
#      hook kind; every sigsend scenario again under that hook kind.
#      (part=tax does only the storms.) Then (part=all, part=tax) the
#      pair storm `storm kill M`, runs times each bare, under the floor
#      (a tp_btf hook that only counts) and under sigrec.
#   5. Takeover: sigrec SIGKILLed, a kill while it is down, a new sigrec on
#      the same ring must take the pinned set over; a kill after; clean
#      stop; nothing pinned left.
#   6. restarts times: sigrec started while a POSIX timer fires every
#      500 us and a `usleep 1` loop runs, one kill, stop: the kill must
#      read as task context (with its syscall where there are hooks).
#   7. pstore=1: sigrec --pstore, a SIGTERM from a known shell, then
#      `reboot -f` with sigrec running (RAM survives inside qemu).
# Boot 2 (pstore only): sigdump --pstore --json of /sys/fs/pstore.
# Facts for the host are "SIGREC-RESULT: ..." lines and exported files.

# sigrec refuses a ring in a directory others can write (/tmp is 1777)
W=${SIGREC_WORKDIR:-/tmp/sigrec-matrix}
mkdir -p "$W" && chmod 700 "$W"
storm_n=$(sigrec_param storm) || storm_n=2000000
runs=$(sigrec_param runs) || runs=3
restarts=$(sigrec_param restarts) || restarts=0
timer_n=$(sigrec_param timer) || timer_n=20
pstore=$(sigrec_param pstore) || pstore=0
ring_size=$(sigrec_param ring) || ring_size=8M
pair_n=$(sigrec_param pairn) || pair_n=200000
part=$(sigrec_param part) || part=all

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
  [ -f "$1" ] || return 0
  while IFS= read -r _l; do sigrec_log "$2: $_l"; done <"$1"
}

# start_rec NAME ARGS... — start sigrec on $W/NAME.ring, log in
# $W/NAME.log; sets REC (pid) and HOOKS; returns non-zero (and reports)
# if it did not become ready.
start_rec() {
  _name=$1
  shift
  read -r _t0 _ </proc/uptime
  rm -f "$W/$_name.log"
  sigrec -r "$W/$_name.ring" -s "$ring_size" "$@" 2>"$W/$_name.log" &
  REC=$!
  wait_ready "$W/$_name.log" "$REC"
  _st=$?
  read -r _t1 _ </proc/uptime
  show "$W/$_name.log" "sigrec $_name"
  _secs=$(awk -v a="$_t0" -v b="$_t1" 'BEGIN{printf "%.1f", b - a}')
  if [ "$_st" -ne 0 ]; then
    _rc=running
    if [ "$_st" -eq 1 ]; then
      wait "$REC"
      _rc=$?
    else
      kill -KILL "$REC" 2>/dev/null
      wait "$REC"
    fi
    sigrec_result "rec $_name ready=no rc=$_rc after=${_secs}s args=$* error: $(tr '\n' ' ' <"$W/$_name.log")"
    return 1
  fi
  HOOKS=$(sed -n 's/.*syscall hooks: \([a-z]*\).*/\1/p' "$W/$_name.log" | head -n 1)
  _took=no
  grep -q 'took over' "$W/$_name.log" && _took=yes
  sigrec_result "rec $_name ready=yes hooks=$HOOKS took_over=$_took start=${_secs}s args=$*"
}

# stop_rec NAME — SIGTERM, wait, report the exit status.
stop_rec() {
  kill -TERM "$REC"
  wait "$REC"
  _rc=$?
  show "$W/$1.log" "sigrec $1 (after stop)"
  sigrec_result "rec $1 stopped rc=$_rc"
}

# scenarios FACTS — every sigsend scenario, one JSON fact line each.
scenarios() {
  for _s in $(sigsend --list); do
    sigsend "$_s" >>"$1" 2>>"$W/sigsend.err" ||
      echo "{\"scenario\":\"$_s\",\"error\":true}" >>"$1"
  done
}

# dump NAME TAG — NAME.ring as the host needs it, sent as out-TAG.json
# (the signals to sigsend's and timersig's tasks and the failed attempts: a
# busy host's own signals would make the export huge; a record two of the
# filters match is sent twice, the host keeps one), lost-TAG.json (the ring's lost records,
# unfiltered), dump-TAG.err and, for TAG default, out-TAG.txt.
dump() {
  sigdump --json --comm sigsend "$W/$1.ring" >"$W/out-$2.json" 2>"$W/dump-$2.err"
  _rc=$?
  sigdump --json --comm timertarget "$W/$1.ring" >>"$W/out-$2.json" 2>>"$W/dump-$2.err"
  for _c in timersend timerwaiter; do
    sigdump --json --comm "$_c" "$W/$1.ring" >>"$W/out-$2.json" 2>>"$W/dump-$2.err"
  done
  # a failed attempt's target is only the pid the syscall named (no comm)
  sigdump --json --result failed "$W/$1.ring" >>"$W/out-$2.json" 2>>"$W/dump-$2.err"
  sigdump --json "$W/$1.ring" 2>>"$W/dump-$2.err" | grep '"type":"lost"' >"$W/lost-$2.json"
  if [ "$2" = default ]; then
    sigdump --comm sigsend "$W/$1.ring" >"$W/out-$2.txt" 2>>"$W/dump-$2.err"
    sigrec_export_file "$W/out-$2.txt" "out-$2.txt"
  fi
  sigrec_result "sigdump $2 json_rc=$_rc lines=$(wc -l <"$W/out-$2.json") lost_lines=$(wc -l <"$W/lost-$2.json")"
  show "$W/dump-$2.err" "sigdump-stderr $2"
  sigrec_export_file "$W/out-$2.json" "out-$2.json"
  sigrec_export_file "$W/lost-$2.json" "lost-$2.json"
  sigrec_export_file "$W/dump-$2.err" "dump-$2.err"
}

# measure CFG — storm getppid, $runs times.
measure() {
  _i=0
  while [ "$_i" -lt "$runs" ]; do
    _i=$((_i + 1))
    sigrec_result "tax cfg=$1 run=$_i $(storm getppid "$storm_n" 2>&1 | tr '\n' ' ')"
  done
}

# phase NAME — note where the time goes (uptime at the start of a step)
phase() {
  read -r _up _ </proc/uptime
  sigrec_result "phase $1 uptime=$_up"
}

# a sleep of a microsecond: a fork, an exec and an hrtimer
if command -v usleep >/dev/null 2>&1; then tick() { usleep 1; }; else tick() { sleep 0.000001; }; fi

# hook_args CFG — sigrec's options for hook kind CFG, as "$@".
hook_args() {
  case $1 in
    fentry) set -- --hooks fentry ;;
    tracepoint) set -- --hooks tracepoint ;;
    off) set -- --no-syscall-hooks ;;
  esac
  HOOK_ARGS=$*
}

# floor_start [--fexit] — the floor (build/floor: a tp_btf/signal_generate
# hook that only counts; --fexit: and an fexit on kill() that only counts)
# in the background, FLOOR its pid; returns non-zero (and reports) if it
# did not print "ready". Its stdin is a FIFO opened read-write: read()
# blocks until SIGTERM.
floor_start() {
  rm -f "$W/floor.fifo" "$W/floor.out"
  mkfifo "$W/floor.fifo"
  floor "$@" <>"$W/floor.fifo" >"$W/floor.out" 2>&1 &
  FLOOR=$!
  _i=0
  while [ "$_i" -lt 900 ]; do
    grep -qx ready "$W/floor.out" 2>/dev/null && return 0
    kill -0 "$FLOOR" 2>/dev/null || break
    sleep 0.2
    _i=$((_i + 1))
  done
  kill -KILL "$FLOOR" 2>/dev/null
  wait "$FLOOR"
  sigrec_result "pair floor ready=no $(tr '\n' ' ' <"$W/floor.out")"
  return 1
}

# floor_stop — SIGTERM, wait; FLOOR_HITS: the signals it counted
# (FLOOR_RETS: the kill() returns, with --fexit).
floor_stop() {
  kill -TERM "$FLOOR"
  wait "$FLOOR"
  FLOOR_HITS=$(sed -n 's/^hits=//p' "$W/floor.out")
  FLOOR_RETS=$(sed -n 's/^rets=//p' "$W/floor.out")
}

# pair_storms [SIGREC ARGS...] — the pair storm (`storm kill $pair_n`: one
# sender, one target that blocks SIGUSR1), runs times: bare, under the
# floor, (with --hooks fentry) under the floor with an fexit on kill()
# (floorx), under sigrec with ARGS, in that order in each run, so the
# ratios of a run compare neighbours. "pair cfg=bare|floor|floorx|sigrec
# run=I" lines.
pair_storms() {
  [ "$pair_n" -gt 0 ] || return 0
  phase pair
  _p=0
  while [ "$_p" -lt "$runs" ]; do
    _p=$((_p + 1))
    sigrec_result "pair cfg=bare run=$_p $(storm kill "$pair_n" 2>&1 | tr '\n' ' ')"
    if floor_start; then
      _o=$(storm kill "$pair_n" 2>&1 | tr '\n' ' ')
      floor_stop
      sigrec_result "pair cfg=floor run=$_p $_o hits=${FLOOR_HITS:-none}"
    fi
    if [ "$*" = "--hooks fentry" ] && floor_start --fexit; then
      _o=$(storm kill "$pair_n" 2>&1 | tr '\n' ' ')
      floor_stop
      sigrec_result "pair cfg=floorx run=$_p $_o hits=${FLOOR_HITS:-none} rets=${FLOOR_RETS:-none}"
    fi
    pair_rec sigrec "pair-$_p" "$@"
    # the same without syscall hooks: what the hooks cost, apart
    [ "$HOOKS" != off ] && pair_rec nohooks "pairnh-$_p" --no-syscall-hooks
  done
}

# pair_rec CFG NAME [SIGREC ARGS...] — one pair storm under sigrec: a
# "pair cfg=CFG run=$_p" line with the hooks it got and what it recorded.
pair_rec() {
  _c=$1 _n=$2
  shift 2
  start_rec "$_n" "$@" || return 0
  _o=$(storm kill "$pair_n" 2>&1 | tr '\n' ' ')
  stop_rec "$_n"
  _t=$(echo "$_o" | sed -n 's/.*target=\([0-9]*\).*/\1/p')
  _got=$(sigdump --stats --pid "${_t:-0}" --signal USR1 "$W/$_n.ring" 2>/dev/null |
    sed -n 's/^{"type":"stats",[^}]*"signals":\([0-9]*\).*/\1/p')
  sigrec_result "pair cfg=$_c run=$_p $_o hooks=$HOOKS recorded=${_got:-none}"
  rm -f "$W/$_n.ring"
}

# tax_boot — part=tax: only the getppid() tax, per hook kind, bare runs
# right before each, then the pair storms (a boot of its own under qemu
# -icount: guest time is the instruction count, so the figures do not move
# with the host's load).
tax_boot() {
  phase tax
  for cfg in fentry tracepoint off; do
    hook_args "$cfg"
    measure "bare-$cfg"
    # shellcheck disable=SC2086  # one option per word
    if start_rec "tax-$cfg" $HOOK_ARGS; then
      measure "$cfg"
      [ "$cfg" = fentry ] && tax_fentry=$HOOKS
      stop_rec "tax-$cfg"
    fi
  done
  # default options; --hooks fentry (the default there) where the tax's
  # fentry recorder got fentry hooks
  if [ "${tax_fentry:-}" = fentry ]; then pair_storms --hooks fentry; else pair_storms; fi
  phase end
  sigrec_result "core done"
}

boot1() {
  btf=no
  [ -f /sys/kernel/btf/vmlinux ] && btf=yes
  rt=no
  case $(uname -v) in *PREEMPT_RT*) rt=yes ;; esac
  ftrace=unknown
  _aff=/sys/kernel/tracing/available_filter_functions
  if [ -r "$_aff" ] && cat "$_aff" >/dev/null 2>&1; then
    if grep -q '^__x64_sys_kill$' "$_aff"; then ftrace=yes; else ftrace=no; fi
  elif [ -e "$_aff" ]; then
    ftrace=unreadable
  else
    ftrace=no
  fi
  pmsg=no
  [ -c /dev/pmsg0 ] && pmsg=yes
  ramoops=no
  [ -d /sys/module/ramoops ] && ramoops=yes
  pst=no
  grep -q ' /sys/fs/pstore pstore ' /proc/mounts && pst=yes
  ramoops_backend=no
  dmesg 2>/dev/null | grep -q 'Registered ramoops as persistent store' && ramoops_backend=yes
  sigrec_result "info kernel=$(uname -r) btf=$btf rt=$rt ftrace_kill=$ftrace cpus=$(grep -c ^processor /proc/cpuinfo) ramoops=$ramoops ramoops_backend=$ramoops_backend pstore_fs=$pst pmsg=$pmsg"
  sigrec_result "uname $(uname -v)"
  if [ "$part" = tax ]; then
    tax_boot
    return 0
  fi

  phase check
  # 1. sigrec --check, where this build has it
  if sigrec --help 2>&1 | grep -q -- '--check'; then
    sigrec --check >"$W/check.txt" 2>&1
    _rc=$?
    sigrec_result "check rc=$_rc"
    show "$W/check.txt" "sigrec --check"
    sigrec_export_file "$W/check.txt" check.txt
  else
    sigrec_result "check unsupported"
  fi

  phase default
  # 2. every scenario and the timer case, default options
  rm -f "$W/facts-default.json"
  if start_rec core; then
    default_hooks=$HOOKS
    scenarios "$W/facts-default.json"
    timersig "$timer_n" 10 >>"$W/facts-default.json" 2>>"$W/sigsend.err" ||
      echo '{"scenario":"timer","error":true}' >>"$W/facts-default.json"
    rm -f "$W/facts-timers.json"
    if command -v timersend >/dev/null 2>&1; then
      for _s in $(timersend --list); do
        timersend "$_s" >>"$W/facts-timers.json" 2>>"$W/sigsend.err" ||
          echo "{\"scenario\":\"$_s\",\"error\":true}" >>"$W/facts-timers.json"
      done
      sigrec_export_file "$W/facts-timers.json" facts-timers.json
    fi
    sleep 1
    stop_rec core
    dump core default
    sigrec_export_file "$W/facts-default.json" facts-default.json
  else
    default_hooks=none
  fi

  # 3. why not fentry?
  if [ "$default_hooks" != fentry ]; then
    sigrec -v --hooks fentry -r "$W/fentry-probe.ring" -s 8M --duration 2s --no-pin \
      2>"$W/fentry-probe.log"
    _rc=$?
    sigrec_result "fentry probe rc=$_rc"
    sigrec_export_file "$W/fentry-probe.log" fentry-probe.log
  fi

  phase hooks
  # 4. per hook kind: (part=all) the tax on getppid(), bare runs right
  # before the hook kind's so both see the same load; every scenario
  for cfg in fentry tracepoint off; do
    hook_args "$cfg"
    rm -f "$W/facts-$cfg.json"
    [ "$part" = all ] && measure "bare-$cfg"
    # shellcheck disable=SC2086  # one option per word
    if start_rec "hooks-$cfg" $HOOK_ARGS; then
      [ "$part" = all ] && measure "$cfg"
      scenarios "$W/facts-$cfg.json"
      sleep 1
      stop_rec "hooks-$cfg"
      dump "hooks-$cfg" "$cfg"
      sigrec_export_file "$W/facts-$cfg.json" "facts-$cfg.json"
    fi
  done
  [ "$part" = all ] && pair_storms

  phase takeover
  # 5. a SIGKILLed recorder's pinned set is taken over by the next start
  rm -f "$W/facts-life.json"
  if start_rec life; then
    kill -KILL "$REC"
    wait "$REC"
    sigsend kill >>"$W/facts-life.json" 2>>"$W/sigsend.err"
    if start_rec life; then
      sigsend kill >>"$W/facts-life.json" 2>>"$W/sigsend.err"
      sleep 1
      stop_rec life
      sigrec --unpin -r "$W/life.ring" >"$W/unpin.log" 2>&1
      sigrec_result "life unpin rc=$? $(tr '\n' ' ' <"$W/unpin.log")"
      dump life life
      sigrec_export_file "$W/facts-life.json" facts-life.json
    else
      sigrec --unpin -r "$W/life.ring" >/dev/null 2>&1
    fi
  fi

  phase restarts
  # 6. restarts under hrtimer load
  if [ "$restarts" -gt 0 ]; then
    # hrtimers firing all the time, and signals raised from them: a POSIX
    # timer every 500 us (little CPU), and a `usleep 1` loop (a fork, an
    # exec and an hrtimer each; softirqs, RCU)
    timersig --load 500 &
    gens=$!
    (while :; do tick; done) &
    gens="$gens $!"
    _n=0
    bad=""
    starts=""
    read -r _t0 _ </proc/uptime
    while [ "$_n" -lt "$restarts" ]; do
      _n=$((_n + 1))
      # a fresh log: wait_ready must not find the last run's line before
      # the new sigrec's shell truncated the file
      rm -f "$W/restart.log" "$W/restart.ring"
      read -r _s0 _ </proc/uptime
      # only SIGTERM: on a busy host other signal storms must not push
      # the kill out of the ring (the irq-depth logic runs for every signal)
      sigrec -r "$W/restart.ring" -s 4M -S TERM 2>"$W/restart.log" &
      REC=$!
      _st=0
      wait_ready "$W/restart.log" "$REC" || _st=1
      read -r _s1 _ </proc/uptime
      starts="$starts $(awk -v a="$_s0" -v b="$_s1" 'BEGIN{printf "%.1f", b - a}')"
      if [ "$_st" -ne 0 ]; then
        bad="$bad $_n:not-ready"
        kill "$REC" 2>/dev/null
        wait "$REC"
        continue
      fi
      sleep 1000 &
      _t=$!
      kill -TERM "$_t"
      wait "$_t"
      sleep 0.3
      kill -TERM "$REC"
      wait "$REC"
      _ev=$(sigdump --json -s TERM "$W/restart.ring" | grep "\"target\":{\"pid\":$_t,")
      _ctx=$(echo "$_ev" | sed -n 's/.*"context":"\([a-z]*\)".*/\1/p' | head -n 1)
      _sc=$(echo "$_ev" | sed -n 's/.*"syscall":{"name":"\([a-z_]*\)".*/\1/p' | head -n 1)
      _hk=$(sed -n 's/.*syscall hooks: \([a-z]*\).*/\1/p' "$W/restart.log" | head -n 1)
      # without syscall hooks (the default where fentry is refused) there
      # is no syscall to see; the context must still be the task's
      if [ "$_ctx" != task ] || { [ "$_hk" != off ] && [ "$_sc" != kill ]; }; then
        _lost=$(sigdump --stats "$W/restart.ring" 2>/dev/null | sed -n 's/.*"lost":\([0-9]*\).*/\1/p')
        bad="$bad $_n:context=${_ctx:-none},syscall=${_sc:-none},hooks=${_hk:-none},lost=${_lost:-?}"
      fi
    done
    read -r _t1 _ </proc/uptime
    # shellcheck disable=SC2086  # pids
    kill $gens
    rm -f "$W/restart.ring"
    sigrec_result "restarts n=$restarts bad=$(echo "$bad" | wc -w) seconds=$(awk -v a="$_t0" -v b="$_t1" 'BEGIN{printf "%.1f", b - a}') starts=$(echo "${starts# }" | tr ' ' ,) iterations:${bad:- none}"
  fi

  phase pstore
  # 7. pstore: a SIGTERM line that must survive reboot -f
  if [ "$pstore" = 1 ]; then
    if [ "$pst" != yes ] || [ "$ramoops_backend" != yes ]; then
      sigrec_result "pstore unavailable ramoops=$ramoops backend=$ramoops_backend pstore_fs=$pst"
    elif start_rec pstore --pstore; then
      _dest=$(sed -n 's/.*fatal signals also go to \([^ ]*\).*/\1/p' "$W/pstore.log")
      sleep 1000 &
      _t=$!
      # shellcheck disable=SC2016  # expanded by the inner shell
      sh -c 'echo $$ >"$2/spid"; kill -TERM "$1"' sh "$_t" "$W"
      wait "$_t"
      read -r _s <"$W/spid"
      sleep 2
      sigrec_result "pstore kill sender=$_s target=$_t dest=${_dest:-none}"
      phase end
      sigrec_result "core done"
      sigrec_reboot
      return 0
    fi
  fi
  phase end
  sigrec_result "core done"
}

boot2() {
  ls -la /sys/fs/pstore >"$W/pstore-ls.txt" 2>&1
  show "$W/pstore-ls.txt" "pstore files"
  sigdump --pstore --json >"$W/pstore.json" 2>"$W/pstore.err"
  sigrec_result "boot2 sigdump rc=$? lines=$(wc -l <"$W/pstore.json")"
  show "$W/pstore.err" "sigdump --pstore stderr"
  sigrec_export_file "$W/pstore.json" pstore.json
  sigrec_result "boot2 done"
}

case ${SIGREC_BOOT:-1} in
  1) boot1 ;;
  *) boot2 ;;
esac
