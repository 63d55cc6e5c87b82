#!/usr/bin/env bash
# tests/qemu/test_matrix.sh — the BPF object built here, on every kernel
# people run: Debian 12's 6.1, Debian 13's 6.12 and 6.12 PREEMPT_RT, Debian
# unstable's newest, and this host's own kernel.
#
# Why this exists: build/sigrec embeds a BPF object compiled against this
# host's kernel BTF. CO-RE has to make the same binary load and record
# correctly on other kernels, whose verifiers, hooks and preemption models
# differ (DESIGN.md, "Kernels"). Each guest kernel is fetched from Debian's
# archive through the harness's private apt configuration (lib.sh,
# qemu_kernel; never installed) and booted once under qemu (TCG), two at a
# time (SIGREC_QEMU_JOBS); the host's kernel runs the same guest script
# directly (host-run.sh). On every kernel (guest side: matrix-guest.sh):
#   - the object loads with default options; `sigrec --check` exits 0;
#   - every sigsend scenario is recorded with the right sender, code,
#     result and syscall return, under the default hooks and again under
#     each hook kind (fentry, tracepoint, none);
#   - the default picks fentry/fexit where the kernel allows it, and no
#     syscall hooks otherwise; failed attempts are recorded by default
#     with fentry, and with --hooks tracepoint everywhere;
#   - timer signals (POSIX timer, itimer) raised while a bystander spins on
#     the same CPU are all recorded, in interrupt context, never blamed on
#     the bystander, each naming its timer (posix with its clock, and
#     itimer_real) and the target as its owner;
#   - every timersend scenario (alarm, setitimer, POSIX timers to the
#     process and to a thread, CPU-clock timer, RLIMIT_CPU, ITIMER_PROF,
#     ITIMER_VIRTUAL) is recorded with its timer's kind and owner;
#   - a SIGKILLed recorder's pinned set is taken over by the next start;
#   - sigrec restarted SIGREC_QEMU_RESTARTS times under hrtimer load never
#     records a plain kill() as interrupt context;
#   - the getppid() tax of each hook kind (storm getppid, the best of the runs);
#   - the pair storm (storm kill) bare, under the floor (a tp_btf hook that
#     only counts, build/floor) and under sigrec: the ratio to the guest's
#     own floor (figures, not asserted; missing figures are a failure);
#   - (guests) a sigrec --pstore line survives `reboot -f` in ramoops.
# The results are written to docs/KERNELS.md (SIGREC_KERNELS_MD; empty:
# not written; a partial SIGREC_MATRIX_KERNELS writes only where
# SIGREC_KERNELS_MD says) as a kernel x capability table with the figures.
# TAP. A kernel that cannot be fetched (or qemu that cannot run) is a loud
# SKIP with the reason; a kernel that boots but where the object does not
# load is a failure. Exit 1 if any check failed.
# Knobs: SIGREC_MATRIX_KERNELS ("host deb12 deb13 deb13-rt sid"),
# SIGREC_QEMU_JOBS (2), SIGREC_QEMU_TIMEOUT (per boot, 2400 s),
# SIGREC_QEMU_STORM (getppid calls per tax run, 1000000),
# SIGREC_QEMU_TAX_RUNS (3; also the pair storm's runs), SIGREC_QEMU_PAIR
# (kill() calls per pair-storm run, 200000; 0: no pair storm),
# SIGREC_QEMU_RESTARTS (30 per kernel; 0 skips), SIGREC_QEMU_TIMER (timer
# signals of each kind, 20), SIGREC_QEMU_ONLY_TAX=1 (only the figures:
# guests make only their -icount tax boot, the host runs part=tax; no
# other check; docs/KERNELS.md only where SIGREC_KERNELS_MD says),
# KEEP=1 (keep logs).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
bin=$root/${BUILD:-build}
jobs=${SIGREC_QEMU_JOBS:-2}
boot_timeout=${SIGREC_QEMU_TIMEOUT:-2400}
storm_n=${SIGREC_QEMU_STORM:-1000000}
tax_runs=${SIGREC_QEMU_TAX_RUNS:-3}
pair_n=${SIGREC_QEMU_PAIR:-200000}
# 1: only the figures (the guests' tax boots, the host's part=tax)
only_tax=${SIGREC_QEMU_ONLY_TAX:-0}
# guests measure the tax in a second, short boot under qemu -icount
# (guest time = instruction count: figures independent of the host's load);
# 0: measure it in the main boot, in wall-clock time
icount=${SIGREC_QEMU_ICOUNT:-1}
((only_tax)) && icount=1
restarts=${SIGREC_QEMU_RESTARTS:-10}
restarts_rt=${SIGREC_QEMU_RESTARTS_RT:-20}
timer_n=${SIGREC_QEMU_TIMER:-20}
read -r -a kernels <<<"${SIGREC_MATRIX_KERNELS:-host deb12 deb13 deb13-rt sid}"
kmd=${SIGREC_KERNELS_MD-$root/docs/KERNELS.md}
params="storm=$storm_n runs=$tax_runs timer=$timer_n pairn=$pair_n"
# restarts_for ID — recorder restarts for kernel ID (more on PREEMPT_RT,
# where a plain kill() was once recorded as interrupt context)
restarts_for() { if [[ $1 == *-rt ]]; then echo "$restarts_rt"; else echo "$restarts"; fi; }

t_start=$EPOCHREALTIME
elapsed() { awk -v s="$1" -v n="$EPOCHREALTIME" 'BEGIN{printf "%.1f", n - s}'; }

# ---- TAP, with per-kernel counts ----
TAP_N=0 FAILS=0 K_OK=0 K_FAIL=0 K_SKIP=0
ok() {
  TAP_N=$((TAP_N + 1))
  echo "ok $TAP_N - $*"
  if [[ $* == *"# SKIP"* ]]; then K_SKIP=$((K_SKIP + 1)); else K_OK=$((K_OK + 1)); fi
}
K_WHY=()
not_ok() {
  TAP_N=$((TAP_N + 1)) FAILS=$((FAILS + 1)) K_FAIL=$((K_FAIL + 1))
  K_WHY+=("$*")
  echo "not ok $TAP_N - $*"
}
diag() { echo "# $*"; }
tap_done() { echo "1..$TAP_N"; }
check_if() { # COND-STATUS TEXT: ok when the status is 0
  if (($1 == 0)); then ok "$2"; else not_ok "$2"; fi
}

bail() { not_ok "$1"; tap_done; exit 1; }
for b in sigrec sigdump sigsend storm timersend floor; do
  [[ -x $bin/$b ]] || bail "$bin/$b not built (run make all)"
done
command -v jq >/dev/null || bail "jq missing on the host (scripts/deps.sh installs it)"

work=$(mktemp -d "${TMPDIR:-/tmp}/sigrec-matrix.XXXXXX")
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  if ((FAILS)) || [[ -n ${KEEP:-} ]]; then echo "# logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# timersig: the timer-attribution workload (static, so it runs anywhere)
if ! ${CC:-cc} -O2 -Wall -static -o "$work/timersig" "$here/timersig.c" 2>"$work/timersig.err" &&
  ! ${CC:-cc} -O2 -Wall -o "$work/timersig" "$here/timersig.c" 2>>"$work/timersig.err"; then
  sed 's/^/# /' "$work/timersig.err"
  bail "tests/qemu/timersig.c compiles"
fi

host_kernel=$(uname -r)
diag "BPF object: compiled against $host_kernel BTF ($bin/vmlinux.h), embedded in $bin/sigrec"
diag "kernels: ${kernels[*]}; $jobs guests at a time; per kernel: $params restarts=$restarts (PREEMPT_RT: $restarts_rt)$( ((only_tax)) && echo '; only the tax boots')"

# ---- run: the host first (its tax figures want an idle machine), then
# the guests, SIGREC_QEMU_JOBS at a time; each kernel's output goes to
# $work/ID/serial.log, a reason to skip to $work/ID/skip ----

run_host() {
  local d=$work/host
  mkdir -p "$d/bin"
  ln -sf "$work/timersig" "$d/bin/timersig"
  if [[ $(id -u) != 0 ]]; then
    echo "not root: BPF programs cannot be loaded" >"$d/skip"
    return
  fi
  local t0=$EPOCHREALTIME rc=0 part=all
  ((only_tax)) && part=tax
  # shellcheck disable=SC2086  # $params: one NAME=VALUE per word
  PATH=$bin:$d/bin:$PATH timeout -k 10 "$boot_timeout" sh "$here/host-run.sh" \
    "$here/matrix-guest.sh" "$d/tmp" $params part=$part restarts="$(restarts_for host)" pstore=0 ring=64M >"$d/serial.log" 2>&1 || rc=$?
  echo "host run: $(elapsed "$t0")s rc=$rc" >"$d/boot"
  # a recorder the script left behind (timeout) must not keep the pins
  rm -rf "$d/tmp"
}

run_guest() {
  local id=$1 d=$work/$1 kout kernel moddir t0=$EPOCHREALTIME
  mkdir -p "$d"
  if ! kout=$(qemu_kernel "$id" 2>"$d/fetch.err"); then
    local why
    why=$(grep 'qemu-lib: ' "$d/fetch.err" | tail -n 1 | sed 's/^qemu-lib: //')
    echo "cannot fetch the kernel: ${why:-qemu_kernel $id failed}" >"$d/skip"
    return
  fi
  { read -r kernel; read -r moddir; } <<<"$kout"
  elapsed "$t0" >"$d/fetch-seconds"
  if ! qemu_make_initramfs -m "$moddir" -M ramoops "$d/initrd.gz" "$here/matrix-guest.sh" \
    "$bin/sigrec" "$bin/sigdump" "$bin/sigsend" "$bin/storm" "$bin/timersend" "$bin/floor" "$work/timersig" \
    2>"$d/initramfs.err"; then
    echo "initramfs" >"$d/error"
    return
  fi
  local rc=0 part=checks
  ((icount)) || part=all
  if ((!only_tax)); then
    qemu_boot "$kernel" "$d/initrd.gz" "$d/serial.log" "$boot_timeout" \
      "sigrec.part=$part sigrec.storm=$storm_n sigrec.runs=$tax_runs sigrec.pairn=$pair_n sigrec.restarts=$(restarts_for "$id") sigrec.timer=$timer_n sigrec.pstore=1" \
      2>"$d/boot.err" || rc=$?
    echo "${QEMU_BOOT_TIMES:+$QEMU_BOOT_TIMES }total=${QEMU_BOOT_ELAPSED}s rc=$rc" >"$d/boot"
  fi
  ((icount)) || return 0
  # the tax: a short boot of its own where guest time counts instructions
  rc=0
  SIGREC_QEMU_OPTS="${SIGREC_QEMU_OPTS:+$SIGREC_QEMU_OPTS }-icount shift=0,sleep=off" \
    qemu_boot "$kernel" "$d/initrd.gz" "$d/tax.log" "$boot_timeout" \
    "sigrec.part=tax sigrec.storm=$storm_n sigrec.runs=$tax_runs sigrec.pairn=$pair_n" 2>"$d/taxboot.err" || rc=$?
  echo "${QEMU_BOOT_TIMES:+$QEMU_BOOT_TIMES }total=${QEMU_BOOT_ELAPSED}s rc=$rc" >"$d/taxboot"
  # the tax boot is the whole run
  ((only_tax)) && cp "$d/taxboot" "$d/boot"
  return 0
}

guests=()
for id in "${kernels[@]}"; do
  if [[ $id == host ]]; then
    run_host
  elif [[ -n ${QEMU_KERNELS[$id]:-} ]]; then
    guests+=("$id")
  else
    bail "unknown kernel '$id' in SIGREC_MATRIX_KERNELS (known: host ${QEMU_KERNEL_IDS[*]})"
  fi
done
if ((${#guests[@]})); then
  if ! qemu_reason=$(qemu_can_run); then
    echo "#" >&2
    echo "# *** test_matrix.sh: SKIPPING ALL GUEST KERNELS: qemu cannot run here: $qemu_reason ***" >&2
    echo "#" >&2
    for id in "${guests[@]}"; do
      mkdir -p "$work/$id" && echo "qemu cannot run here: $qemu_reason" >"$work/$id/skip"
    done
  else
    t_guests=$EPOCHREALTIME
    # the slowest guest (PREEMPT_RT: more restarts) first, so the two
    # queues end close together
    mapfile -t queue < <(printf '%s\n' "${guests[@]}" | awk '/-rt$/ { print; next } { rest[++n] = $0 } END { for (i = 1; i <= n; i++) print rest[i] }')
    for id in "${queue[@]}"; do
      while (($(jobs -rp | wc -l) >= jobs)); do wait -n; done
      run_guest "$id" &
    done
    wait
    diag "guests: $(elapsed "$t_guests")s for ${#guests[@]} kernel(s), $jobs at a time"
  fi
fi

# ---- judge ----

# value KEY LINE — the value of KEY=... in a "k=v k=v" line.
value() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" <<<" $2" | head -n 1; }
# best: the fastest of the runs (interference only ever adds time)
best() { sort -g | head -n 1; }
# middle: the median of the lines (empty: nothing)
middle() { grep . | sort -g | awk '{ a[NR] = $1 } END { if (NR) print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a > 0 && b > 0) printf "%+.1f%%", (b / a - 1) * 100; else print "n/a" }'; }

scenarios=(kill tkill tgkill sigqueue rt_tgsigqueueinfo pidfd_send_signal kill_pgrp kill_all
  eperm esrch segv sigpipe sigchld ignored)

# expect_all MODE FACTS OUT — for each scenario, "NAME ok" or "NAME fail
# why", judged by MODE: syscall (fentry or tracepoint hooks: every signal
# with its syscall and return, failed attempts too) or nohooks (no syscall
# hooks: signals without syscall, no failed attempts).
expect_all() {
  local mode=$1 facts=$2 out=$3
  local PIDFD PG T2P T2A
  PIDFD=$(jq -r 'select(.scenario=="pidfd_send_signal") | .pidfd' "$facts")
  PG=$(jq -r 'select(.scenario=="kill_pgrp") | .pgid' "$facts")
  T2P=$(jq -r 'select(.scenario=="kill_pgrp") | .target2' "$facts")
  T2A=$(jq -r 'select(.scenario=="kill_all") | .target2' "$facts")
  local -A cond=() count=()
  # shellcheck disable=SC2016  # jq variables
  if [[ $mode == syscall ]]; then
    local SYS='.sender.pid==$S and .target.pid==$T and .cause=="syscall" and .result=="delivered" and .syscall.ret==0 and .context=="task"'
    local FAIL='.sender.pid==$S and .target.pid==$T and .result=="failed" and .cause=="syscall" and .syscall.name=="kill" and .syscall.arg==$T'
    cond[kill]="$SYS and .code==\"SI_USER\" and .syscall.name==\"kill\" and .syscall.arg==\$T and .group"
    cond[tkill]="$SYS and .code==\"SI_TKILL\" and .syscall.name==\"tkill\" and .syscall.arg==\$T and (.group|not)"
    cond[tgkill]="$SYS and .code==\"SI_TKILL\" and .syscall.name==\"tgkill\" and .syscall.arg==\$T and .syscall.arg2==\$T"
    cond[sigqueue]="$SYS and .code==\"SI_QUEUE\" and .syscall.name==\"rt_sigqueueinfo\" and .syscall.arg==\$T and .claimed.pid==\$S"
    cond[rt_tgsigqueueinfo]="$SYS and .code==\"SI_QUEUE\" and .syscall.name==\"rt_tgsigqueueinfo\" and .syscall.arg==\$T"
    cond[pidfd_send_signal]="$SYS and .code==\"SI_USER\" and .syscall.name==\"pidfd_send_signal\" and .syscall.arg==${PIDFD:-0}"
    cond[kill_pgrp]=".sender.pid==\$S and (.target.pid==\$T or .target.pid==${T2P:-0}) and .syscall.name==\"kill\" and .syscall.arg==-${PG:-0} and .syscall.ret==0 and .result==\"delivered\""
    cond[kill_all]=".sender.pid==\$S and .sender.uid==65534 and (.target.pid==\$T or .target.pid==${T2A:-0}) and .syscall.name==\"kill\" and .syscall.arg==-1 and .syscall.ret==0 and .result==\"delivered\""
    cond[eperm]="$FAIL and .syscall.ret==-1 and .syscall.errno==\"EPERM\" and .sender.uid==65534"
    cond[esrch]="$FAIL and .syscall.ret==-3 and .syscall.errno==\"ESRCH\""
    cond[ignored]='.sender.pid==$S and .target.pid==$T and .result=="ignored" and .syscall.name=="kill" and .syscall.ret==0'
    count[eperm]=1 count[esrch]=1
  else
    local USR='.sender.pid==$S and .target.pid==$T and .cause=="user" and .result=="delivered" and .context=="task" and (.syscall|not)'
    cond[kill]="$USR and .code==\"SI_USER\" and .group"
    cond[tkill]="$USR and .code==\"SI_TKILL\" and (.group|not)"
    cond[tgkill]="$USR and .code==\"SI_TKILL\""
    cond[sigqueue]="$USR and .code==\"SI_QUEUE\" and .claimed.pid==\$S"
    cond[rt_tgsigqueueinfo]="$USR and .code==\"SI_QUEUE\""
    cond[pidfd_send_signal]="$USR and .code==\"SI_USER\""
    cond[kill_pgrp]=".sender.pid==\$S and (.target.pid==\$T or .target.pid==${T2P:-0}) and (.syscall|not) and .result==\"delivered\""
    cond[kill_all]=".sender.pid==\$S and .sender.uid==65534 and (.target.pid==\$T or .target.pid==${T2A:-0}) and (.syscall|not) and .result==\"delivered\""
    # a failed attempt generates no signal: nothing to see without hooks
    cond[eperm]='.target.pid==$T'
    cond[esrch]='.target.pid==$T'
    cond[ignored]='.sender.pid==$S and .target.pid==$T and .result=="ignored" and (.syscall|not)'
    count[eperm]=0 count[esrch]=0
  fi
  # shellcheck disable=SC2016  # jq variables
  {
    cond[segv]='.sender.pid==$S and .target.pid==$T and .cause=="fault" and .code=="SEGV_MAPERR" and (.syscall|not) and .target.exit.signal==11'
    cond[sigpipe]='.sender.pid==$S and .target.pid==$T and .cause=="kernel" and .code=="SI_USER" and (.syscall|not) and .target.exit.signal==13'
    cond[sigchld]='.sender.pid==$S and .target.pid==$T and .cause=="kernel" and .code=="CLD_EXITED" and (.syscall|not)'
  }
  count[kill_pgrp]=2 count[kill_all]=2
  local name want got S T G
  for name in "${scenarios[@]}"; do
    want=${count[$name]:-1}
    if [[ -z $(jq -r --arg s "$name" 'select(.scenario==$s) | .scenario' "$facts") ]]; then
      echo "$name fail sigsend did not run it"
      continue
    fi
    if [[ $(jq -r --arg s "$name" 'select(.scenario==$s) | .error' "$facts") == true ]]; then
      echo "$name fail sigsend failed"
      continue
    fi
    S=$(jq -r --arg s "$name" 'select(.scenario==$s) | .sender' "$facts")
    T=$(jq -r --arg s "$name" 'select(.scenario==$s) | .target' "$facts")
    G=$(jq -r --arg s "$name" 'select(.scenario==$s) | .sig' "$facts")
    got=$(jq -c --argjson S "$S" --argjson T "$T" --argjson G "$G" \
      "select(.type==\"signal\" and .sig==\$G and (${cond[$name]}))" "$out" | wc -l)
    if ((got == want)); then
      echo "$name ok $want matching event(s)"
    else
      echo "$name fail expected $want event(s) matching [${cond[$name]}], got $got: $(jq -c --argjson T "$T" \
        'select(.target.pid==$T or .sender.pid==$T) | {sig,code,cause,result,context,sender:.sender.pid,target:.target.pid,syscall}' \
        "$out" | head -3 | tr '\n' ' ')"
    fi
  done
}

# Row facts for KERNELS.md, per kernel id: row[ID,field].
declare -A row=()

# config_facts ID — a few lines of the kernel's config that decide what
# sigrec gets: preemption model, HZ, BTF, fentry, pstore.
config_facts() {
  local cfg
  if [[ $1 == host ]]; then
    [[ -r /proc/config.gz ]] || return 0
    cfg=$(zcat /proc/config.gz 2>/dev/null)
  else
    local r c
    r=$(qemu_kernel_root "$1" 2>/dev/null) && c=$(qemu_kernel_info "$1" config 2>/dev/null) || return 0
    [[ -n $c && -f $r/$c ]] || return 0
    cfg=$(<"$r/$c")
  fi
  local model=none o v out=""
  for o in PREEMPT_RT PREEMPT PREEMPT_VOLUNTARY PREEMPT_NONE; do
    if grep -qx "CONFIG_$o=y" <<<"$cfg"; then model=$o; break; fi
  done
  out="$model"
  for o in HZ DEBUG_INFO_BTF DYNAMIC_FTRACE_WITH_DIRECT_CALLS FTRACE_SYSCALLS PSTORE_RAM PSTORE_PMSG MODULES; do
    v=$(sed -n "s/^CONFIG_$o=//p" <<<"$cfg")
    out+=", $o=${v:-n}"
  done
  printf '%s\n' "$out"
}

# judge_figures — (inside check_kernel: its id, d, L, R, Rt, fentry_ok)
# the getppid tax of each hook kind and the pair storm against the floor:
# figures, not asserted; a kind without figures is a failed check.
judge_figures() {
  local cfg line
  local -A med=()
  # each hook kind against the bare runs right before it
  taxruns() { grep "^tax cfg=$1 " <<<"$R" | sed -n 's/.*ns_per_op=\([0-9.]*\).*/\1/p'; }
  for cfg in fentry tracepoint off; do
    med[$cfg]=$(taxruns "$cfg" | best)
    med[bare-$cfg]=$(taxruns "bare-$cfg" | best)
    row[$id,taxb_$cfg]=${med[bare-$cfg]}
  done
  med[bare]=$(for cfg in fentry tracepoint off; do taxruns "bare-$cfg"; done | best)
  diag "  getppid tax (storm getppid $storm_n, best of $tax_runs, ns/op):"
  diag "    $(printf '%-10s' bare) ${med[bare]:-n/a} (best of every bare run)"
  row[$id,tax_bare]=${med[bare]:-}
  for cfg in fentry tracepoint off; do
    diag "    $(printf '%-10s' "$cfg") ${med[$cfg]:-n/a} (vs the bare runs before it, best ${med[bare-$cfg]:-n/a}: $(pct "${med[bare-$cfg]:-0}" "${med[$cfg]:-0}"); runs: $(taxruns "$cfg" | tr '\n' ' ')/ bare: $(taxruns "bare-$cfg" | tr '\n' ' '))"
    row[$id,tax_$cfg]=${med[$cfg]:-}
  done
  # without fentry, --hooks fentry ran with no syscall hooks: no figure
  ((fentry_ok)) || { row[$id,tax_fentry]=""; med[fentry]=""; }
  local clock="wall-clock ns"
  [[ -n $Rt ]] && clock="ns of guest time under -icount (one per instruction)"
  row[$id,taxclock]=$clock
  local tb=""
  [[ -f $d/taxboot ]] && tb=" (tax boot: $(<"$d/taxboot"))"
  if [[ -n ${med[bare]:-} && -n ${med[tracepoint]:-} && -n ${med[off]:-} ]] && { ((!fentry_ok)) || [[ -n ${med[fentry]:-} ]]; }; then
    ok "[$L] getppid tax measured: bare ${med[bare]}, fentry ${med[fentry]:-n/a}, tracepoint ${med[tracepoint]}, no syscall hooks ${med[off]} $clock$tb"
  else
    not_ok "[$L] getppid tax measured (some hook kind has no figures)$tb"
    grep '^rec tax-.* ready=no' <<<"$Rt" | sed 's/^/#   /'
    [[ -f $d/tax.log ]] && tail -n 20 "$d/tax.log" | tr -d '\r' | grep -av '^[A-Za-z0-9+/=]*$' | sed 's/^/#   | /'
  fi
  judge_pair
}

# judge_pair — (inside judge_figures) the pair storm, `storm kill
# $pair_n`, $tax_runs runs each bare, under the floor and under sigrec:
# ratios of the rates, per run (neighbours), their medians; sigrec's ratio
# to the floor is its ratio to bare over the floor's (as bench/bench.sh).
judge_pair() {
  ((pair_n > 0)) || return 0
  local c fb sb sf recd="" hk
  local -A pr=()
  for c in bare floor floorx sigrec nohooks; do
    pr[$c]=$(grep "^pair cfg=$c " <<<"$R" | sed -n 's/.* run=\([0-9]*\) .*rate=\([0-9.]*\).*/\1 \2/p')
    pr[n_$c]=$(grep -c . <<<"${pr[$c]}")
    pr[ns_$c]=$(grep "^pair cfg=$c " <<<"$R" | sed -n 's/.*ns_per_op=\([0-9.]*\).*/\1/p' | best)
  done
  hk=$(grep -m1 '^pair cfg=sigrec ' <<<"$R" | sed -n 's/.* hooks=\([a-z]*\).*/\1/p')
  recd=$(grep '^pair cfg=sigrec ' <<<"$R" | sed -n 's/.* n=\([0-9]*\) .*recorded=\([0-9]*\).*/\2 \1/p' |
    awk '{ r += $1; s += $2 } END { if (NR) printf "%d / %d", r, s }')
  # runs_of A B: per run, rate A / rate B, one line each
  runs_of() {
    awk 'FNR == NR { x[$1] = $2; next } ($1 in x) && $2 > 0 { printf "%.3f\n", x[$1] / $2 }' \
      <(printf '%s\n' "${pr[$1]}") <(printf '%s\n' "${pr[$2]}")
  }
  local rfb rsb
  rfb=$(runs_of floor bare) rsb=$(runs_of sigrec bare)
  fb=$(middle <<<"$rfb")
  sb=$(middle <<<"$rsb")
  sf=$(awk -v s="$sb" -v f="$fb" 'BEGIN { if (s > 0 && f > 0) printf "%.3f", s / f }')
  row[$id,pair_fb]=$fb row[$id,pair_sb]=$sb row[$id,pair_sf]=$sf row[$id,pair_hooks]=$hk
  # the floor with an fexit on kill() that only counts: the most a
  # recorder that sees each kill()'s return (failed attempts) can reach
  if [[ -n ${pr[floorx]} ]]; then
    local xb xf
    xb=$(middle <<<"$(runs_of floorx bare)")
    xf=$(awk -v s="$xb" -v f="$fb" 'BEGIN { if (s > 0 && f > 0) printf "%.3f", s / f }')
    row[$id,pair_xf]=$xf
    diag "  pair storm under the floor with an fexit on kill() that only counts: ns/op ${pr[ns_floorx]:-n/a}, ${xb:-n/a} of bare, ${xf:-n/a} of the floor (the most any recorder with a hook on kill()'s return can reach)"
  fi
  diag "  pair storm (storm kill $pair_n, $tax_runs runs each; ns/op, fastest): bare ${pr[ns_bare]:-n/a}, floor ${pr[ns_floor]:-n/a}, sigrec ${pr[ns_sigrec]:-n/a} (syscall hooks ${hk:-?}; recorded / sent ${recd:-n/a})"
  if [[ -n ${pr[nohooks]} ]]; then
    local nb
    nb=$(middle <<<"$(runs_of nohooks bare)")
    diag "  pair storm without syscall hooks (--no-syscall-hooks): ns/op ${pr[ns_nohooks]:-n/a}, ${nb:-n/a} of bare, $(awk -v s="$nb" -v f="$fb" 'BEGIN { if (s > 0 && f > 0) printf "%.3f", s / f; else print "n/a" }') of the floor"
  fi
  diag "  pair storm ratios (rates, median of the runs): floor to bare ${fb:-n/a} (runs: $(tr '\n' ' ' <<<"$rfb")), sigrec to bare ${sb:-n/a} (runs: $(tr '\n' ' ' <<<"$rsb")), sigrec to the floor ${sf:-n/a} (bar >= 0.90: $(awk -v r="${sf:-0}" 'BEGIN { print (r >= 0.90) ? "met" : "not met" }'))"
  if ((pr[n_bare] == tax_runs && pr[n_floor] == tax_runs && pr[n_sigrec] == tax_runs)) && [[ -n $sf ]]; then
    ok "[$L] pair storm measured: floor ${fb} of bare, sigrec ${sb} of bare, ${sf} of the floor"
  else
    not_ok "[$L] pair storm measured (runs with figures: bare ${pr[n_bare]}, floor ${pr[n_floor]}, sigrec ${pr[n_sigrec]} of $tax_runs)"
    grep -E '^(pair floor ready=no|rec pair-[0-9]* ready=no)' <<<"$R" | sed 's/^/#   /'
  fi
}

# check_kernel ID — judge one kernel's report, print its TAP lines and
# fill row[ID,*].
check_kernel() {
  local id=$1 d=$work/$1 log=$work/$1/serial.log
  K_OK=0 K_FAIL=0 K_SKIP=0 K_WHY=()
  local what
  if [[ $id == host ]]; then what="host"; else what="$id (${QEMU_KERNELS[$id]% *})"; fi
  row[$id,pkg]=$(if [[ $id == host ]]; then echo "this machine"; else qemu_kernel_info "$id" image_package 2>/dev/null || echo "${QEMU_KERNELS[$id]#* } ($(cut -d' ' -f1 <<<"${QEMU_KERNELS[$id]}"))"; fi)
  row[$id,boot]=$(cat "$d/boot" 2>/dev/null)
  if [[ -f $d/skip ]]; then
    local why
    why=$(<"$d/skip")
    echo "#" >&2
    echo "# *** test_matrix.sh: SKIPPING kernel $what: $why ***" >&2
    echo "#" >&2
    ok "[$what] kernel fetched, booted and checked # SKIP $why"
    row[$id,kernel]="$what" row[$id,status]="skipped: $why"
    return
  fi
  local R info gk
  local Rm Rt=""
  Rm=$(qemu_results "$log" 2>/dev/null)
  [[ -f $d/tax.log ]] && Rt=$(qemu_results "$d/tax.log" 2>/dev/null)
  R=$Rm${Rt:+$'\n'$Rt}
  info=$(grep -m1 '^info ' <<<"$R" || true)
  gk=$(value kernel "$info")
  local L="$id ${gk:-?}"
  [[ $id == host ]] && L="host ${gk:-$host_kernel}"
  row[$id,kernel]=${gk:-$what}
  diag "==== $L: ${row[$id,boot]:-no run}"
  while IFS= read -r line; do
    [[ -z $line ]] || diag "  report: $line"
  done <<<"$R"
  show_tail() {
    diag "  last lines of $log:"
    tail -n 40 "$log" 2>/dev/null | tr -d '\r' | grep -av '^[A-Za-z0-9+/=]*$' | sed 's/^/#   | /'
  }
  if [[ -z $info ]]; then
    not_ok "[$L] boots and runs the checks (${row[$id,boot]:-no run}; $(cat "$d/error" 2>/dev/null))"
    show_tail
    sed 's/^/#   /' "$d/initramfs.err" "$d/boot.err" 2>/dev/null
    row[$id,status]="did not run the checks"
    row[$id,pass]="$K_OK/$((K_OK + K_FAIL))"
    return
  fi
  local rt
  rt=$(value rt "$info")
  ok "[$L] boots and runs the checks (btf=$(value btf "$info") rt=$rt cpus=$(value cpus "$info"))"
  row[$id,rt]=$rt
  if ((only_tax)); then
    # only the figures: fentry where the tax's --hooks fentry got it
    local fentry_ok=0
    grep -q '^rec tax-fentry ready=yes hooks=fentry ' <<<"$R" && fentry_ok=1
    row[$id,fentry]=$( ((fentry_ok)) && echo yes || echo no)
    judge_figures
    grep -qx 'core done' <<<"$R" || not_ok "[$L] the tax boot finished (${row[$id,boot]})"
    row[$id,pass]="$K_OK/$((K_OK + K_FAIL))"
    row[$id,skips]=$K_SKIP
    row[$id,status]=checked
    local w
    for w in "${K_WHY[@]}"; do row[$id,fails]+="- ${w#\[*\] }"$'\n'; done
    return
  fi
  xf() { # NAME: extract the guest's file NAME into $d (out-*.json: each
    # record once; the guest dumps a ring with several filters)
    qemu_extract_file "$log" "$1" "$d/$1" 2>/dev/null || return 1
    if [[ $1 == out-*.json ]]; then
      awk '!seen[$0]++' "$d/$1" >"$d/$1.u" && mv "$d/$1.u" "$d/$1"
    fi
  }

  # sigrec --check
  local chk
  chk=$(grep -m1 '^check ' <<<"$R" || true)
  if [[ $chk == "check unsupported" ]]; then
    ok "[$L] sigrec --check exits 0 # SKIP this sigrec has no --check"
    row[$id,check]="n/a"
  else
    if xf check.txt; then
      sed 's/^/#   --check: /' "$d/check.txt"
      row[$id,sigprog]=$(sed -n 's/^  signals  *on  *.*(\(siginfo [^)]*\)).*/\1/p' "$d/check.txt" | head -n 1)
    fi
    check_if "$([[ $(value rc "$chk") == 0 ]]; echo $?)" "[$L] sigrec --check exits 0 (${chk:-no report})"
    row[$id,check]=$(value rc "$chk")
  fi

  # the object loads, default options
  local core hooks
  core=$(grep -m1 '^rec core ' <<<"$R" || true)
  hooks=$(value hooks "$core")
  if [[ $(value ready "$core") == yes ]]; then
    ok "[$L] the BPF object built on $host_kernel loads and attaches with default options (start $(value start "$core"))"
    row[$id,loads]=yes
  else
    not_ok "[$L] the BPF object built on $host_kernel loads and attaches with default options"
    diag "  recorder: ${core:-no report}"
    tr -d '\r' <"$log" | grep -a 'SIGREC-LOG: sigrec core: ' | sed 's/^.*SIGREC-LOG: sigrec core: //' |
      grep -v '^libbpf: *$' | tail -n 12 | sed 's/^/#   | /'
    row[$id,loads]="no: $(tr -d '\r' <"$log" | grep -a 'SIGREC-LOG: sigrec core: sigrec:' | tail -n 1 | sed 's/^.*SIGREC-LOG: sigrec core: //')"
    local vmsg
    vmsg=$(tr -d '\r' <"$log" | grep -a 'SIGREC-LOG: sigrec core: ' | grep -aE 'invalid mem access|R[0-9]+ .*(invalid|type=)|failed to load' | head -n 2 |
      sed 's/^.*SIGREC-LOG: sigrec core: //' | tr '\n' ' ')
    [[ -n $vmsg ]] && row[$id,loads]+=" ($vmsg)"
  fi

  # fentry where the kernel allows it; the default follows
  local tf fentry_ok=0
  tf=$(grep -m1 '^rec hooks-fentry ' <<<"$R" || true)
  [[ $(value ready "$tf") == yes && $(value hooks "$tf") == fentry ]] && fentry_ok=1
  if ((fentry_ok)); then
    ok "[$L] --hooks fentry attaches fentry/fexit on the kill-family syscalls"
    row[$id,fentry]=yes
  else
    local why
    why=$(tr -d '\r' <"$log" | grep -a 'SIGREC-LOG: sigrec hooks-fentry: sigrec:' | grep -v 'recording to' |
      head -n 1 | sed 's/^.*SIGREC-LOG: sigrec hooks-fentry: sigrec: //')
    if [[ $id == host && -n $tf ]]; then
      ok "[$L] --hooks fentry attaches fentry/fexit # SKIP this kernel refuses fentry: ${why:-$tf}"
    else
      not_ok "[$L] --hooks fentry attaches fentry/fexit on the kill-family syscalls (${tf:-no report}) ${why}"
    fi
    local short=${why#*the kernel refused }
    [[ $short != "$why" ]] && short="the kernel refused ${short%%;*}"
    row[$id,fentry]="no${why:+: $short}"
    if xf fentry-probe.log; then
      diag "  sigrec -v --hooks fentry says:"
      grep -v '^libbpf: *$' "$d/fentry-probe.log" | tail -n 8 | sed 's/^/#   | /'
    fi
  fi
  local want_hooks=off
  ((fentry_ok)) && want_hooks=fentry
  if [[ -n $core ]]; then
    check_if "$([[ $hooks == "$want_hooks" ]]; echo $?)" \
      "[$L] default options pick syscall hooks: $want_hooks (got: ${hooks:-none})"
  fi
  row[$id,default]=${hooks:-none}

  # clean stop, readable ring
  local stopped have_out=0 F=$d/facts-default.json O=$d/out-default.json
  stopped=$(grep -m1 '^rec core stopped ' <<<"$R" || true)
  if [[ -n $core && $(value ready "$core") == yes ]]; then
    check_if "$([[ $(value rc "$stopped") == 0 ]]; echo $?)" "[$L] sigrec exits 0 on SIGTERM (${stopped:-no report})"
    if xf facts-default.json && xf out-default.json && [[ -s $O ]] && jq -e . "$O" >/dev/null 2>&1; then
      have_out=1
      ok "[$L] sigdump --json reads the ring ($(wc -l <"$O") lines, valid JSON)"
    else
      not_ok "[$L] sigdump --json reads the ring ($(grep -m1 '^sigdump default' <<<"$R"))"
    fi
  fi

  # every scenario with the default hooks
  local mode=syscall line name st rest
  [[ $hooks == off || -z $hooks ]] && mode=nohooks
  declare -A dflt=()
  if ((have_out)); then
    while read -r name st rest; do
      dflt[$name]=$st
      if [[ $st == ok ]]; then ok "[$L] default hooks ($hooks): $name: $rest"; else not_ok "[$L] default hooks ($hooks): $name: $rest"; fi
    done < <(expect_all "$mode" "$F" "$O")
    local S T
    S=$(jq -r 'select(.scenario=="kill") | .sender' "$F") T=$(jq -r 'select(.scenario=="kill") | .target' "$F")
    local how="kill\\($T\\)"
    [[ $mode == nohooks ]] && how="user SI_USER"
    if xf out-default.txt && grep -qE "SIGUSR1 +sigsend\[$S\] -> sigsend\[$T\]  delivered  $how" "$d/out-default.txt"; then
      ok "[$L] text timeline shows the kill: sigsend[$S] -> sigsend[$T]"
    else
      not_ok "[$L] text timeline shows the kill: sigsend[$S] -> sigsend[$T] ($(grep -E "sigsend\[$S\]" "$d/out-default.txt" 2>/dev/null | head -n 1))"
    fi
    # the sigsend workload is task context only (timersig is not in it)
    local pids nirq
    pids=$(jq -c -s '[.[] | select(.scenario!="timer") | .sender, .target, .target2 | select(. != null)]' "$F")
    nirq=$(jq -c --argjson P "$pids" 'select(.type=="signal" and .context!="task" and
      ((.sender.pid as $s | $P | index($s)) or (.target.pid as $t | $P | index($t))))' "$O" | wc -l)
    if ((nirq == 0)); then
      ok "[$L] no signal of the sigsend workload recorded as interrupt context"
    else
      not_ok "[$L] no signal of the sigsend workload recorded as interrupt context ($nirq are)"
      jq -c --argjson P "$pids" 'select(.type=="signal" and .context!="task" and ((.sender.pid as $s | $P | index($s)) or (.target.pid as $t | $P | index($t)))) | {sig,code,cause,context,sender:.sender.pid,target:.target.pid}' "$O" | head -3 | sed 's/^/#   /'
    fi
    # stacks (issue 15): the segv scenario's fault site and the faulting task's stack
    local V
    V=$(jq -r 'select(.scenario=="segv") | .target' "$F")
    if jq -es --argjson V "${V:-0}" 'map(select(.type=="signal" and .sig==11 and .target.pid==$V and
        (.fault.addr|type)=="string" and (.sender.stack // [] | map(select(.build_id or .ip)) | length) >= 1)) |
        length >= 1' "$O" >/dev/null 2>&1; then
      ok "[$L] the SIGSEGV has its fault site and the faulting task's stack (bpf_get_stack with build ids)"
    else
      not_ok "[$L] the SIGSEGV has its fault site and the faulting task's stack ($(jq -c --argjson V "${V:-0}" 'select(.sig==11 and .target.pid==$V) | {fault, stack: .sender.stack}' "$O" 2>/dev/null | head -n 1))"
    fi
    if xf dump-default.err && [[ ! -s $d/dump-default.err ]]; then ok "[$L] sigdump printed no warnings"; else
      not_ok "[$L] sigdump printed no warnings"
      sed 's/^/#   /' "$d/dump-default.err" 2>/dev/null | head -5
    fi
    # lifecycle: the exit of segv's target, the command line of a target
    # forked after the recorder started
    local life_exit life_cmd
    life_exit=$(jq -c --argjson T "$(jq -r 'select(.scenario=="segv") | .target' "$F")" \
      'select(.type=="signal" and .target.pid==$T and .target.exit.signal==11)' "$O" | wc -l)
    life_cmd=$(jq -c --argjson T "$T" 'select(.type=="signal" and .target.pid==$T and (.target.cmdline // "") != "")' "$O" | wc -l)
    if ((life_exit > 0 && life_cmd > 0)); then
      ok "[$L] lifecycle: exits and command lines of processes started after the recorder are recorded"
      row[$id,life]=yes
    else
      not_ok "[$L] lifecycle: exits and command lines of processes started after the recorder are recorded (exit seen: $life_exit, cmdline seen: $life_cmd)"
      row[$id,life]="no (exit $life_exit, cmdline $life_cmd)"
    fi
  else
    row[$id,life]="n/a"
  fi

  # the timer case
  if ((have_out)); then
    local tfact TT TB RS NP NI
    tfact=$(jq -c 'select(.scenario=="timer")' "$F")
    TT=$(jq -r '.target // 0' <<<"$tfact") TB=$(jq -r '.bystander // 0' <<<"$tfact")
    RS=$(jq -r '.rtsig // 35' <<<"$tfact") NP=$(jq -r '.posix // 0' <<<"$tfact") NI=$(jq -r '.itimer // 0' <<<"$tfact")
    local tall tbad rp ri
    tall=$(jq -c --argjson T "$TT" --argjson R "$RS" 'select(.type=="signal" and .target.pid==$T and (.sig==14 or .sig==$R))' "$O")
    tbad=$(jq -c 'select(.context!="interrupt" or .sender_is_task or (.cause!="timer" and .cause!="interrupt"))' <<<"$tall" | grep -c . || true)
    rp=$(jq -s --argjson R "$RS" 'map(select(.sig==$R) | .count // 1) | add // 0' <<<"$tall")
    ri=$(jq -s 'map(select(.sig==14) | .count // 1) | add // 0' <<<"$tall")
    local blamed tkind
    blamed=$(jq -c --argjson B "$TB" 'select(.sender.pid==$B and .sender_is_task)' <<<"$tall" | grep -c . || true)
    # each names its timer: the POSIX timer with its clock, the itimer; the target owns both
    tkind=$(jq -c --argjson T "$TT" --argjson R "$RS" 'select(.timer.owner.pid!=$T or
      (.sig==$R and (.timer.kind!="posix" or .timer.clock!="CLOCK_MONOTONIC" or .code!="SI_TIMER")) or
      (.sig==14 and .timer.kind!="itimer_real"))' <<<"$tall" | grep -c . || true)
    diag "  timer case: $tkind of $((rp + ri)) do not name their timer (posix CLOCK_MONOTONIC, itimer_real) and owner"
    if ((NP > 0 && NI > 0 && tkind == 0)); then
      ok "[$L] timer signals name their timer: posix (CLOCK_MONOTONIC) and itimer_real, owned by the target"
      row[$id,tkind]=yes
    else
      not_ok "[$L] timer signals name their timer: posix (CLOCK_MONOTONIC) and itimer_real, owned by the target ($tkind wrong)"
      jq -c --argjson T "$TT" 'select(.timer.owner.pid!=$T or .timer.kind==null) | {sig,code,cause,context,timer}' <<<"$tall" |
        head -3 | sed 's/^/#   /'
      row[$id,tkind]="no ($tkind of $((rp + ri)) wrong)"
    fi
    diag "  timer case: target $TT got $NP POSIX-timer and $NI itimer signals; recorded $rp and $ri; $tbad not as interrupt/timer from no task; $blamed blamed on the bystander $TB"
    if [[ $(jq -r '.error // false' <<<"$tfact") != true ]] && ((NP > 0 && NI > 0 && rp >= NP && ri >= NI && tbad == 0)); then
      ok "[$L] timer signals ($rp POSIX timer, $ri itimer) all recorded in interrupt context, none blamed on the task that was running"
      row[$id,irq]=yes
    else
      not_ok "[$L] timer signals all recorded in interrupt context, none blamed on the task that was running (got $NP/$NI, recorded $rp/$ri, $tbad wrong, $blamed blamed on the bystander)"
      jq -c 'select(.context!="interrupt" or .sender_is_task or (.cause!="timer" and .cause!="interrupt")) | {sig,code,cause,context,sender_is_task,sender:(.sender.comm+"["+(.sender.pid|tostring)+"]")}' <<<"$tall" | head -3 | sed 's/^/#   /'
      row[$id,irq]="no ($tbad of $((rp + ri)) wrong, $blamed blamed on the bystander; got $NP/$NI, recorded $rp/$ri)"
    fi
  else
    row[$id,irq]="n/a"
  fi

  # every kind of timer (timersend): its kind, the POSIX timer's id and
  # clock, and its owner, the process that armed it
  if ((have_out)) && xf facts-timers.json; then
    local TF=$d/facts-timers.json tsn tline tgot tbadk="" tskip="" tn=0
    # shellcheck disable=SC2016  # jq variables
    local -A tk=([alarm]='.timer.kind=="itimer_real" and .context=="interrupt"'
      [itimer_real]='.timer.kind=="itimer_real" and .context=="interrupt"'
      [posix]='.timer.kind=="posix" and .timer.clock=="CLOCK_MONOTONIC" and .timer.id==$ID and .context=="interrupt"'
      [posix_thread]='.timer.kind=="posix" and .timer.clock=="CLOCK_MONOTONIC" and .timer.id==$ID'
      [posix_alarm]='.timer.kind=="alarm" and .timer.clock=="CLOCK_BOOTTIME_ALARM" and .timer.id==$ID'
      [posix_cpu]='.timer.kind=="posix_cpu" and .timer.id==$ID'
      [rlimit_cpu]='.timer.kind=="rlimit_cpu"' [itimer_prof]='.timer.kind=="itimer_prof"'
      [itimer_virtual]='.timer.kind=="itimer_virtual"')
    for tsn in "${!tk[@]}"; do
      tline=$(jq -c --arg s "$tsn" 'select(.scenario==$s)' "$TF" | head -n 1)
      if [[ -n $(jq -r '.skip // empty' <<<"$tline") ]]; then
        tskip+=" $tsn"
        continue
      fi
      tn=$((tn + 1))
      if [[ -z $tline || $(jq -r '.error // false' <<<"$tline") == true ]]; then
        tbadk+=" $tsn:not-run"
        continue
      fi
      tgot=$(jq -c --argjson T "$(jq .target <<<"$tline")" --argjson TID "$(jq .tid <<<"$tline")" \
        --argjson G "$(jq .sig <<<"$tline")" --argjson ID "$(jq '.id // -1' <<<"$tline")" \
        "select(.type==\"signal\" and .sig==\$G and .target.pid==\$T and .target.tid==\$TID and
          .cause==\"timer\" and .timer.owner.pid==\$T and (${tk[$tsn]}))" "$O" | wc -l)
      if ((tgot != 1)); then
        tbadk+=" $tsn:$(jq -c --argjson T "$(jq .target <<<"$tline")" 'select(.type=="signal" and
          .target.pid==$T) | [.cause, .context, .timer.kind // "none", .timer.clock // "-"] | join("/")' "$O" | head -n 1)"
      fi
    done
    diag "  timer kinds: $tn scenarios${tskip:+, skipped (not here):$tskip}"
    if ((tn > 0)) && [[ -z $tbadk ]]; then
      ok "[$L] every kind of timer names itself and its owner ($tn kinds)"
      row[$id,tkinds]=yes
    else
      not_ok "[$L] every kind of timer names itself and its owner (wrong:$tbadk)"
      row[$id,tkinds]="no:$tbadk"
    fi
  fi

  # failed attempts: by default with fentry; with --hooks tracepoint always
  local fa_def=no
  [[ ${dflt[esrch]:-} == ok && ${dflt[eperm]:-} == ok && $mode == syscall ]] && fa_def=yes

  # each hook kind: loads, every scenario, the tax
  local cfg want label res fo ff n_ok n_all fa_tp=no
  for cfg in fentry tracepoint off; do
    line=$(grep -m1 "^rec hooks-$cfg " <<<"$R" || true)
    label="--hooks $cfg"
    [[ $cfg == off ]] && label="--no-syscall-hooks"
    if [[ $cfg == fentry ]] && ((!fentry_ok)); then
      continue	# reported above
    fi
    want=$cfg
    if [[ $(value ready "$line") == yes && $(value hooks "$line") == "$want" ]]; then
      [[ $cfg == fentry ]] || ok "[$L] sigrec $label loads and reports syscall hooks: $want"
    else
      not_ok "[$L] sigrec $label loads and reports syscall hooks: $want (${line:-no report})"
      tr -d '\r' <"$log" | grep -a "SIGREC-LOG: sigrec hooks-$cfg: " | sed 's/^.*SIGREC-LOG: //' | grep -v 'libbpf: *$' | tail -n 6 | sed 's/^/#   /'
      continue
    fi
    ff=$d/facts-$cfg.json fo=$d/out-$cfg.json
    if xf "facts-$cfg.json" && xf "out-$cfg.json" && jq -e . "$fo" >/dev/null 2>&1; then
      res=$(expect_all "$([[ $cfg == off ]] && echo nohooks || echo syscall)" "$ff" "$fo")
      n_all=$(grep -c . <<<"$res") n_ok=$(grep -c '^[^ ]* ok' <<<"$res")
      if ((n_ok == n_all)); then
        ok "[$L] $label: all $n_all sigsend scenarios recorded as expected"
      else
        not_ok "[$L] $label: $n_ok of $n_all sigsend scenarios recorded as expected"
        grep -v '^[^ ]* ok' <<<"$res" | sed 's/^/#   /'
      fi
      if [[ $cfg == tracepoint ]] && grep -q '^esrch ok' <<<"$res" && grep -q '^eperm ok' <<<"$res"; then fa_tp=yes; fi
    else
      not_ok "[$L] $label: the scenarios' recording reads back ($(grep -m1 "^sigdump $cfg" <<<"$R"))"
    fi
  done
  if [[ $mode == syscall && $hooks == fentry ]]; then
    check_if "$([[ $fa_def == yes ]]; echo $?)" "[$L] failed attempts (EPERM, ESRCH) recorded with default options through fentry/fexit"
  fi
  check_if "$([[ $fa_tp == yes ]]; echo $?)" "[$L] failed attempts (EPERM, ESRCH) recorded with --hooks tracepoint"
  if [[ $fa_def == yes ]]; then row[$id,failed]="yes, by default (fentry)"
  elif [[ $fa_tp == yes ]]; then row[$id,failed]="with --hooks tracepoint only"
  else row[$id,failed]=no; fi
  judge_figures

  # takeover of a SIGKILLed recorder's pinned set
  local l1 l2 lf lo tk_ok=1 tk_why=""
  l1=$(grep '^rec life ready' <<<"$R" | sed -n 1p) l2=$(grep '^rec life ready' <<<"$R" | sed -n 2p)
  lf=$d/facts-life.json lo=$d/out-life.json
  if [[ $(value ready "$l1") != yes ]]; then tk_ok=0 tk_why="first recorder not ready"
  elif [[ $(value ready "$l2") != yes ]]; then tk_ok=0 tk_why="restart after SIGKILL not ready: $(grep '^rec life ready=no' <<<"$R" | head -n 1)"
  elif [[ $(value took_over "$l2") != yes ]]; then tk_ok=0 tk_why="the restart did not take the pinned set over"
  elif ! xf facts-life.json || ! xf out-life.json; then tk_ok=0 tk_why="no recording"
  else
    local fl n
    while IFS= read -r fl; do
      n=$(jq -c --argjson S "$(jq .sender <<<"$fl")" --argjson T "$(jq .target <<<"$fl")" --argjson G "$(jq .sig <<<"$fl")" \
        'select(.type=="signal" and .sig==$G and .sender.pid==$S and .target.pid==$T)' "$lo" | wc -l)
      ((n == 1)) || { tk_ok=0 tk_why+="kill $(jq -c . <<<"$fl") recorded $n times; "; }
    done <"$lf"
    (($(wc -l <"$lf") == 2)) || { tk_ok=0 tk_why+="sigsend ran $(wc -l <"$lf") of 2 kills; "; }
    if xf lost-life.json && (($(jq -c 'select(.type=="lost" and .gap==true)' "$d/lost-life.json" | grep -c .))); then
      tk_ok=0 tk_why+="a capture gap was recorded; "
    fi
    grep -q '^life unpin .*no pinned capture' <<<"$R" || { tk_ok=0 tk_why+="a pinned set was left after the clean stop ($(grep -m1 '^life unpin' <<<"$R")); "; }
  fi
  check_if "$((1 - tk_ok))" "[$L] a SIGKILLed recorder's pinned set is taken over by the next start: the kill sent while it was down and the one after are recorded once each${tk_why:+ ($tk_why)}"
  row[$id,takeover]=$([[ $tk_ok == 1 ]] && echo yes || echo "no ($tk_why)")

  # restarts under timer load
  local nr
  nr=$(restarts_for "$id")
  if ((nr > 0)); then
    line=$(grep -m1 '^restarts ' <<<"$R" || true)
    if [[ -n $line && $(value bad "$line") == 0 ]]; then
      ok "[$L] sigrec started $nr times while hrtimers fire: every kill recorded in task context ($(value seconds "$line")s)"
    else
      not_ok "[$L] sigrec started $nr times while hrtimers fire: every kill recorded in task context (${line:-no report})"
    fi
    row[$id,restarts]="$(value bad "$line") of $nr"
    [[ -z $line ]] && row[$id,restarts]="not run"
  else
    row[$id,restarts]="not run"
  fi
  # where the time went
  local ph
  ph=$(grep '^phase ' <<<"$Rm" | awk '{ sub(/uptime=/, "", $3); n[++k] = $2; t[k] = $3 }
    END { for (i = 1; i < k; i++) printf "%s %.0fs, ", n[i], t[i + 1] - t[i] }' | sed 's/, $//')
  [[ -n $ph ]] && diag "  time per step (guest clock): $ph"
  row[$id,phases]=$ph

  # pstore
  if [[ $id == host ]]; then
    ok "[$L] a sigrec --pstore line survives reboot -f # SKIP the host cannot be rebooted by a test (and has no ramoops)"
    row[$id,pstore]="not tested (host)"
  else
    local pk pu pj S2 T2 dest src got
    pk=$(grep -m1 '^pstore kill ' <<<"$R" || true)
    pu=$(grep -m1 '^pstore unavailable' <<<"$R" || true)
    pj=$d/pstore.json
    if [[ -n $pu ]]; then
      not_ok "[$L] a sigrec --pstore line survives reboot -f ($pu)"
      row[$id,pstore]="no ramoops ($pu)"
    elif [[ -z $pk ]]; then
      not_ok "[$L] a sigrec --pstore line survives reboot -f (no kill reported in boot 1)"
      row[$id,pstore]="not run"
    elif ! grep -q '^boot2 done' <<<"$R" || ! xf pstore.json; then
      not_ok "[$L] a sigrec --pstore line survives reboot -f (boot 2 did not report)"
      row[$id,pstore]="no boot 2"
    else
      S2=$(value sender "$pk") T2=$(value target "$pk") dest=$(value dest "$pk")
      src=pstore:dmesg-ramoops-
      [[ $dest == /dev/pmsg0 ]] && src=pstore:pmsg-ramoops-
      got=$(jq -c --argjson S "$S2" --argjson T "$T2" --arg W "$src" 'select(.type=="signal" and .sig==15
        and .sender.pid==$S and .target.pid==$T and .syscall.name=="kill" and (.source|startswith($W)))' "$pj" | wc -l)
      if ((got == 1)); then
        ok "[$L] a sigrec --pstore line survives reboot -f ($dest -> ${src#pstore:}*)"
        row[$id,pstore]="yes: $dest → ${src#pstore:}*"
      else
        not_ok "[$L] a sigrec --pstore line survives reboot -f (want the SIGTERM $S2 -> $T2 once from $src*, got $got of $(grep -c . "$pj") events)"
        head -n 3 "$pj" | sed 's/^/#   /'
        row[$id,pstore]="no (line not found after reboot, dest $dest)"
      fi
    fi
  fi

  if ! grep -qx 'core done' <<<"$Rm"; then
    not_ok "[$L] the guest finished every check (${row[$id,boot]})"
    show_tail
  fi
  row[$id,pass]="$K_OK/$((K_OK + K_FAIL))"
  row[$id,skips]=$K_SKIP
  row[$id,status]=checked
  local w
  for w in "${K_WHY[@]}"; do row[$id,fails]+="- ${w#\[*\] }"$'\n'; done
}

order=()
for id in "${kernels[@]}"; do order+=("$id"); done
for id in "${order[@]}"; do check_kernel "$id"; done

wall=$(elapsed "$t_start")
diag "matrix wall time: ${wall}s"

# ---- docs/KERNELS.md ----
write_md() {
  local out=$1 id
  cellv() { local v=${row[$1,$2]:-}; printf '%s' "${v:-–}" | sed 's/|/\\|/g'; }
  taxc() { # ID CFG: "ns (±%)"
    local b=${row[$1,taxb_$2]:-} v=${row[$1,tax_$2]:-}
    if [[ $2 == fentry && ${row[$1,fentry]:-} != yes ]]; then printf 'refused'; elif [[ -z $v ]]; then printf '–'; elif [[ $2 == bare ]]; then printf '%s' "$v"; else printf '%s (%s)' "$v" "$(pct "$b" "$v")"; fi
  }
  paircell() { # ID: sigrec / floor, with the hooks sigrec had
    local v=${row[$1,pair_sf]:-} h=${row[$1,pair_hooks]:-}
    if [[ -z $v ]]; then printf '–'; else printf '%s%s' "$v" "${h:+ ($h)}"; fi
  }
  {
    echo "# Kernels: what sigrec gets from each, measured"
    echo
    echo "Generated by \`tests/qemu/test_matrix.sh\` (run by \`make test\`); do not edit:"
    echo "the next run rewrites it. The BPF object is built once, on the host"
    echo "($host_kernel, its BTF), and the same \`build/sigrec\` runs on every kernel:"
    echo "Debian kernels under qemu (TCG, 1 vCPU, 512 MiB; fetched with \`apt-get"
    echo "download\` through the harness's own apt configuration, never installed),"
    echo "the host's kernel directly. How each check works: tests/qemu/README.md."
    echo
    echo "Last run: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null)$(git -C "$root" diff --quiet HEAD -- bpf recorder 2>/dev/null || echo ' (with local changes to bpf/ or recorder/)'),"
    echo "matrix wall time ${wall} s ($jobs guests at a time); per kernel: $restarts recorder restarts ($restarts_rt on PREEMPT_RT),"
    echo "timer signals of each kind: $timer_n, tax: \`storm getppid $storm_n\`, best of $tax_runs runs,"
    echo "pair storm: \`storm kill $pair_n\`, $tax_runs runs each bare, under the floor and under sigrec."
    echo
    echo "## Capabilities"
    echo
    echo "| kernel | loads (default options) | signal program (\`sigrec --check\`) | fentry | default syscall hooks | failed attempts | interrupt attribution (timer case) | lifecycle | takeover after SIGKILL | pstore (survives \`reboot -f\`) | checks passed |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
    for id in "${order[@]}"; do
      if [[ ${row[$id,status]} != checked ]]; then
        echo "| $(cellv "$id" kernel) | $(cellv "$id" status) | | | | | | | | | – |"
        continue
      fi
      echo "| $(cellv "$id" kernel)$([[ ${row[$id,rt]:-} == yes ]] && echo ' (PREEMPT_RT)') | $(cellv "$id" loads) | $(cellv "$id" sigprog) | $(cellv "$id" fentry) | $(cellv "$id" default) | $(cellv "$id" failed) | $(cellv "$id" irq) | $(cellv "$id" life) | $(cellv "$id" takeover) | $(cellv "$id" pstore) | $(cellv "$id" pass)$([[ ${row[$id,skips]:-0} != 0 ]] && echo " (+${row[$id,skips]} skipped)") |"
    done
    echo
    echo "## Figures"
    echo
    echo "Guests measure the tax in a second, short boot under \`qemu -icount"
    echo "shift=0,sleep=off\`: guest time advances one ns per executed instruction,"
    echo "so a figure is the instructions a getppid() costs and does not move with"
    echo "the host's load (wall-clock figures in a TCG guest on a shared 2-core host"
    echo "swung by ±50 %). The host's row is wall-clock, native."
    echo
    echo "getppid() in ns per call with sigrec running, by syscall hook kind (the"
    echo "fastest of the runs), and in brackets the change against the bare runs"
    echo "(no sigrec) made right before that hook kind's, so both saw the same load"
    echo "on the host; \"bare\" is the fastest bare run. In a TCG guest every figure"
    echo "is several times slower than hardware and moves with what else runs on the"
    echo "host: compare within a row, not between rows. \"restarts\": recorder"
    echo "starts under hrtimer load whose kill() was recorded as anything but task"
    echo "context."
    echo
    echo "Pair storm (\`storm kill $pair_n\`: kill(SIGUSR1) to one child that"
    echo "blocks it), in the same boot as the tax: each run a bare storm, one under"
    echo "the floor (\`build/floor\`, a tp_btf/signal_generate hook that only"
    echo "counts) and one under sigrec with default options; the ratios are of the"
    echo "rates, per run, median of the runs. \"sigrec / floor\" is sigrec's ratio"
    echo "to bare over the floor's: the ratio to this kernel's own floor (issue 13's"
    echo "bar with fentry: at least 0.90). Where fentry works, one more under the"
    echo "floor with a second hook that only counts, an fexit on kill()'s x86-64"
    echo "wrapper: \"floor + fexit / floor\" is the most a recorder that sees each"
    echo "kill()'s return (as failed attempts need) can reach on that kernel."
    echo "Figures, not asserted."
    echo
    echo "| kernel | package | bare | fentry | tracepoint | no syscall hooks | pair: floor / bare | pair: floor + fexit / floor | pair: sigrec / bare | pair: sigrec / floor | restarts: kill() not in task context | \`/init\` after | whole run |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    local b1 tot
    for id in "${order[@]}"; do
      b1=$(sed -n 's/.*boot1=\([0-9.]*s\).*/\1/p' <<<"${row[$id,boot]:-}")
      tot=$(sed -n 's/.*total=\([0-9.]*s\).*/\1/p; s/^host run: \([0-9.]*s\).*/\1/p' <<<"${row[$id,boot]:-}")
      [[ $id == host ]] && b1="(no boot)"
      if [[ ${row[$id,status]} != checked ]]; then
        echo "| $(cellv "$id" kernel) | $(cellv "$id" pkg) | ${row[$id,status]%%:*} | | | | | | | | | | |"
        continue
      fi
      echo "| $(cellv "$id" kernel) | $(cellv "$id" pkg) | $(taxc "$id" bare) | $(taxc "$id" fentry) | $(taxc "$id" tracepoint) | $(taxc "$id" off) | $(cellv "$id" pair_fb) | $(cellv "$id" pair_xf) | $(cellv "$id" pair_sb) | $(paircell "$id") | $(cellv "$id" restarts) | ${b1:-–} | ${tot:-–} |"
    done
    echo
    echo "\`/init\` after: host seconds from qemu's start to the guest's \`/init\`;"
    echo "whole run: to the end of the last check (both boots for guests)."
    echo
    echo "## What the columns mean"
    echo
    echo "- **loads**: \`sigrec\` with default options loads every program it needs"
    echo "  and attaches (\"recording to\"). A kernel that boots but refuses the"
    echo "  object is a failed check, never a skip."
    echo "- **signal program**: how the signal_generate program reads the siginfo"
    echo "  on this kernel, as \`sigrec --check\` reports it."
    echo "- **fentry**: \`--hooks fentry\` attaches fentry/fexit to the kill-family"
    echo "  syscalls. **default syscall hooks**: what default options chose (fentry"
    echo "  where it attaches, none otherwise)."
    echo "- **failed attempts**: kill() calls that raise nothing (EPERM, ESRCH)"
    echo "  recorded as \`failed\` with their errno: by default where fentry works,"
    echo "  with \`--hooks tracepoint\` everywhere."
    echo "- **interrupt attribution**: a POSIX timer and an itimer fire at a task"
    echo "  while a bystander spins on the same CPU; every timer signal must be"
    echo "  recorded in interrupt context and none named as sent by a task."
    echo "- **lifecycle**: exits and command lines of processes started after the"
    echo "  recorder are in the recording."
    echo "- **takeover**: a SIGKILLed recorder's pinned programs keep capturing, the"
    echo "  next start takes them over; the kill sent meanwhile is recorded once."
    echo "- **pstore**: a \`sigrec --pstore\` line for a SIGTERM is read back by"
    echo "  \`sigdump --pstore\` after \`reboot -f\` (Debian's kernels have ramoops as"
    echo "  a module and no pmsg, so the line goes through \`/dev/kmsg\`)."
    echo "- **checks passed**: TAP checks of this kernel that passed, of those run."
    echo
    echo "## Kernel configuration"
    echo
    echo "| kernel | preemption, and options that decide what sigrec gets |"
    echo "|---|---|"
    for id in "${order[@]}"; do
      echo "| $(cellv "$id" kernel) | $(config_facts "$id" | sed 's/|/\\|/g') |"
    done
    echo
    local any=0
    for id in "${order[@]}"; do [[ -n ${row[$id,fails]:-} ]] && any=1; done
    if ((any)); then
      echo "## Failed checks"
      echo
      for id in "${order[@]}"; do
        [[ -n ${row[$id,fails]:-} ]] || continue
        echo "$(cellv "$id" kernel):"
        echo
        printf '%s\n' "${row[$id,fails]}"
      done
    fi
    echo "## Time per step"
    echo
    echo "Guest clock (uptime) at the start of each step of matrix-guest.sh."
    echo
    echo "| kernel | steps |"
    echo "|---|---|"
    for id in "${order[@]}"; do
      echo "| $(cellv "$id" kernel) | $(cellv "$id" phases) |"
    done
    echo
    echo "## Deliveries (signal_deliver)"
    echo
    echo "Not a column of this matrix yet: each guest's \`sigrec --check\` output in"
    echo "the harness log says which form its kernel takes. sigrec attaches"
    echo "\`tp_btf/signal_deliver\`, else \`raw_tp/signal_deliver\` (every argument read"
    echo "by helper); where both are refused the recording says \"no deliveries\" and"
    echo "its signal records still carry the target's disposition."
  } >"$work/kernels.md" || return
  # a regular file is replaced whole; anything else (/dev/null, a pipe) is written to
  if [[ -e $out && ! -f $out ]]; then cat "$work/kernels.md" >"$out"
  else cp "$work/kernels.md" "$out.tmp" && mv "$out.tmp" "$out"; fi
}
# a partial matrix (SIGREC_MATRIX_KERNELS, SIGREC_QEMU_ONLY_TAX) does not overwrite the table
# unless SIGREC_KERNELS_MD names where it goes
if [[ -n ${SIGREC_MATRIX_KERNELS:-} || $only_tax == 1 ]] && [[ -z ${SIGREC_KERNELS_MD+set} ]]; then
  diag "partial matrix: $kmd left as it was (set SIGREC_KERNELS_MD to write one)"
elif [[ -n $kmd ]]; then
  write_md "$kmd" && diag "wrote $kmd"
fi
tap_done
((FAILS == 0))
