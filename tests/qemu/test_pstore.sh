#!/usr/bin/env bash
# tests/qemu/test_pstore.sh — sigrec --pstore survives a crash, for real.
#
# Why this exists: the pstore mode only matters if its lines really come
# back from persistent RAM after the machine died, and the host kernel has
# no ramoops. So this boots guest kernels under qemu (tests/qemu/lib.sh),
# runs the real sigrec there, kills a process with SIGTERM from a known
# sender, crashes or reboots the guest with sigrec still running, and checks
# in the next boot that `sigdump --pstore --json` shows exactly that kill.
# Seven cases (the four of {Debian kmsg, pmsg kernel} x {panic, reboot -f},
# the kmsg path under the kernel's default rate limit, and the ftrace
# persistent ring buffer x {panic, reboot -f}):
#   1. Debian 6.1 kernel (no pmsg: /dev/kmsg -> dmesg-ramoops-*), sysrq panic
#   2. Debian 6.1 kernel, reboot -f
#   3. small pmsg kernel (/dev/pmsg0 -> pmsg-ramoops-*), sysrq panic
#   4. small pmsg kernel, reboot -f
#   5. Debian 6.1 kernel with the kernel's default /dev/kmsg rate limit
#      (printk.devkmsg=ratelimit, as on a real machine): after the kill, a
#      burst of 20 SIGTERMs ~0.25 s apart, a pause, a final SIGTERM, panic.
#      Every SIGTERM must be in pstore or counted by a "sigrec: suppressed
#      N lines" line: nothing may vanish silently.
#   6. Debian 13's 6.12 kernel, sigrec --pstore=ftrace: the line goes to the
#      trace_marker of the instance boot_map, whose ring buffer the kernel
#      keeps in reserved memory (reserve_mem=20M:2M:trace
#      trace_instance=boot_map@trace, nokaslr so the reservation lands at
#      the same address, -m 1G), sysrq panic
#   7. the same, reboot -f
#   Where the kernel throws the buffer away at the next boot (its own
#   "Ring buffer boot meta ..." verdict in dmesg), cases 6 and 7 SKIP with
#   that verdict, loudly: they never pass without the line.
# For each case a second check: the ring file from boot 1 (sent to the host
# just before the crash) merged with boot 2's pstore files by
# `sigdump --pstore=DIR RING` shows each SIGTERM exactly once (pstore
# duplicates of ring events dropped), and a "late" SIGTERM sent after the
# ring was copied shows up from pstore.
# Guest side: tests/qemu/pstore-guest.sh. Output is TAP; exit 1 if a case
# failed. Logs are kept (path printed) when a case fails, or with KEEP=1.
# SKIPs only when qemu cannot run here at all (and cases 6-7 as above).
# SIGREC_PSTORE_CASES (default "1 2 3 4 5 6 7"): the cases to run;
# SIGREC_QEMU_FTRACE_MEM (1G): guest RAM of cases 6 and 7.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
bin=$root/${BUILD:-build}
boot_timeout=${SIGREC_QEMU_TIMEOUT:-420}

t_start=$EPOCHREALTIME
elapsed() { awk -v s="$1" -v n="$EPOCHREALTIME" 'BEGIN{printf "%.1f", n - s}'; }

names=("debian-6.1 kmsg: SIGTERM line survives sysrq panic (dmesg-ramoops)"
  "debian-6.1 kmsg: SIGTERM line survives reboot -f (dmesg-ramoops)"
  "pmsg kernel pmsg: SIGTERM line survives sysrq panic (pmsg-ramoops)"
  "pmsg kernel pmsg: SIGTERM line survives reboot -f (pmsg-ramoops)"
  "debian-6.1 kmsg, kernel rate limit on: every SIGTERM of a burst is in pstore or counted as suppressed"
  "debian-6.12 ftrace: SIGTERM line survives sysrq panic (persistent trace instance boot_map)"
  "debian-6.12 ftrace: SIGTERM line survives reboot -f (persistent trace instance boot_map)")
ncases=${#names[@]}
cases=" ${SIGREC_PSTORE_CASES:-1 2 3 4 5 6 7} "
want() { [[ $cases == *" $1 "* ]]; }
# The kernel command line of the ftrace cases: the instance's buffer in
# memory reserve_mem finds at boot; without nokaslr the kernel can land on
# it (docs/PSTORE.md, "The ftrace persistent ring buffer").
FTRACE_CMDLINE="sigrec.mode=ftrace nokaslr reserve_mem=20M:2M:trace trace_instance=boot_map@trace"
merge_name() { echo "case $1: sigdump --pstore=DIR RING merges boot 1's ring with boot 2's pstore, each SIGTERM once"; }

# number_tap — number "ok - x" / "not ok - x" lines in order, then the plan.
number_tap() {
  awk '/^(not )?ok - / { n++; sub(/ok - /, "ok " n " - ") } { print } END { print "1.." n }'
}

if ! reason=$(qemu_can_run); then
  echo "#" >&2
  echo "# *** test_pstore.sh: SKIPPING ALL: qemu cannot run here: $reason ***" >&2
  echo "#" >&2
  echo "# SKIP: qemu cannot run here: $reason"
  for ((i = 1; i <= ncases; i++)); do
    want "$i" || continue
    echo "ok - ${names[$((i - 1))]} # SKIP $reason"
    echo "ok - $(merge_name "$i") # SKIP $reason"
  done | number_tap
  exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/sigrec-qemu-pstore.XXXXXX")
failed=0
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  if ((failed)) || [[ -n ${KEEP:-} ]]; then echo "# logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

fail_all() { # REASON: every case not ok (set-up failed)
  local i
  for ((i = 1; i <= ncases; i++)); do
    want "$i" || continue
    echo "not ok - ${names[$((i - 1))]} # $1"
    echo "not ok - $(merge_name "$i") # $1"
  done | number_tap
  failed=1
  exit 1
}

for b in sigrec sigdump; do
  [[ -x $bin/$b ]] || fail_all "$bin/$b not built (run make all)"
done
command -v jq >/dev/null || fail_all "jq missing on the host (scripts/deps.sh installs it)"

cache=$(qemu_cache_dir)
state=warm
qemu_kernel_cached deb12 || state=cold
compgen -G "$cache/pmsg-*/bzImage" >/dev/null || state=cold
echo "# cache: $cache ($state)"

# value KEY LINE — the value of KEY=... in a "k=v k=v" line.
value() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" <<<" $2" | head -n 1; }

# run_case N KERNEL INITRD KIND(kmsg|pmsg|ftrace) HOW(panic|reboot) [BURST]
run_case() {
  local n=$1 kernel=$2 initrd=$3 kind=$4 how=$5 burst=${6:-0}
  local name=${names[$((n - 1))]} log=$work/case$n.log rc=0 token extra="" mem=${SIGREC_QEMU_MEM:-512M}
  token="t$(date +%s%N)-$$-$RANDOM"
  # A later printk.devkmsg on the command line wins over qemu_boot's "on".
  ((burst)) && extra="sigrec.burst=$burst printk.devkmsg=ratelimit"
  # 1G: at the top of 512M the reserved buffer did not survive the reset here
  [[ $kind == ftrace ]] && extra=$FTRACE_CMDLINE mem=${SIGREC_QEMU_FTRACE_MEM:-1G}
  SIGREC_QEMU_MEM=$mem qemu_boot "$kernel" "$initrd" "$log" "$boot_timeout" \
    "sigrec.token=$token sigrec.how=$how $extra" || rc=$?
  local results
  results=$(qemu_results "$log")
  echo "# case $n ($kind, $how) boot times (host clock from qemu start): ${QEMU_BOOT_TIMES:+$QEMU_BOOT_TIMES }total=${QEMU_BOOT_ELAPSED}s"
  while IFS= read -r line; do
    [[ -z $line ]] || echo "#   guest: $line"
  done <<<"$results"
  tr -d '\r' <"$log" | grep -a 'SIGREC-LOG: raw: ' | sed 's/^.*SIGREC-LOG: raw: /#   pstore file: /' |
    { if ((burst)); then grep -v dmesg-ramoops-1; else cat; fi; }

  local why="" b1 ready kill boot2 want_dest want_src
  b1=$(grep -m1 '^boot1 ' <<<"$results" || true)
  ready=$(grep -m1 '^recorder ready ' <<<"$results" || true)
  kill=$(grep -m1 '^kill ' <<<"$results" || true)
  boot2=$(grep -m1 '^boot2 done ' <<<"$results" || true)
  if [[ $kind == pmsg ]]; then
    want_dest=/dev/pmsg0 want_src=pstore:pmsg-ramoops-
  elif [[ $kind == ftrace ]]; then
    want_dest=/sys/kernel/tracing/instances/boot_map/trace_marker want_src=pstore:boot_map/trace
  else
    want_dest=/dev/kmsg want_src=pstore:dmesg-ramoops-
  fi
  local S SC T TC bid bl late
  bl=$(grep -m1 '^burst ' <<<"$results" || true)
  late=$(value target "$(grep -m1 '^late kill ' <<<"$results" || true)")
  S=$(value sender "$kill") SC=$(value sender_comm "$kill")
  T=$(value target "$kill") TC=$(value target_comm "$kill")
  bid=$(value boot_id "$b1" | tr -d '-' | cut -c1-8)
  local json=$work/case$n.json skip="" ft
  ft=$(grep -m1 '^ftrace kept=' <<<"$results" || true)
  if [[ -z $b1 ]]; then
    why="guest never ran the test script (qemu_boot rc=$rc)"
  elif grep -q '^FAIL' <<<"$results"; then
    why="guest: $(grep -m1 '^FAIL' <<<"$results")"
  elif [[ -z $ready ]]; then
    why="recorder never became ready in boot 1 (qemu_boot rc=$rc)"
  elif [[ $(value dest "$ready") != "$want_dest" ]]; then
    why="sigrec --pstore (auto) chose $(value dest "$ready"), expected $want_dest"
  elif [[ -z $kill || -z $S || -z $T ]]; then
    why="boot 1 did not report the kill"
  elif ! grep -aq 'SIGREC-BOOT: 2 ' "$log"; then
    why="guest never reached boot 2 after $how (qemu_boot rc=$rc)"
  elif [[ -z $boot2 ]]; then
    why="boot 2 did not finish (qemu_boot rc=$rc)"
  elif ! grep -qx "boot2 done token=$token" <<<"$results"; then
    why="boot 2 belongs to another run (token mismatch)"
  elif [[ $kind == ftrace && -z $ft ]]; then
    why="boot 2 did not report what the kernel made of the trace buffer"
  elif [[ $kind == ftrace && $(value kept "$ft") != yes ]]; then
    skip="the kernel did not keep the trace instance's buffer across the $how ($(value verdict "$ft" | tr _ ' '))"
  elif ! qemu_extract_file "$log" pstore.json "$json" 2>/dev/null; then
    why="could not extract sigdump's JSON from the serial log"
  elif ! jq -e . "$json" >/dev/null 2>&1 && [[ -s $json ]]; then
    why="sigdump --pstore --json printed invalid JSON"
  else
    local total match cond got
    total=$(jq -c 'select(.type=="signal")' "$json" | wc -l)
    match=$(jq -c --argjson T "$T" 'select(.type=="signal" and .sig==15 and .target.pid==$T)' "$json")
    echo "#   sigdump --pstore --json: $total event(s); the kill: ${match:-none}"
    # shellcheck disable=SC2016  # jq variables
    cond='.signal=="SIGTERM" and .sender.pid==$S and .sender.comm==$SC and .target.comm==$TC
      and .cause=="syscall" and .syscall.name=="kill" and .syscall.ret==0
      and (.result=="delivered" or .result=="ok") and .boot_id==$B and (.source|startswith($W))'
    got=$(jq -c --argjson S "$S" --arg SC "$SC" --arg TC "$TC" --arg B "$bid" --arg W "$want_src" \
      "select($cond)" <<<"$match" | wc -l)
    if [[ -z $match ]]; then
      why="no SIGTERM to target $T in sigdump --pstore --json ($total other events)"
    elif (($(wc -l <<<"$match") != 1)); then
      why="the kill shows up $(wc -l <<<"$match") times, expected once"
    elif ((got != 1)); then
      why="the kill's fields are wrong: want sender $SC($S) -> $TC($T) SIGTERM [kill] delivered boot_id=$bid from $want_src*"
      if [[ $(jq -r .context <<<"$match") != task ]]; then
        why+=" (recorded as $(jq -r .context <<<"$match") context: the per-CPU irq depth was stuck above 0, see the ring's events in the merge check)"
      fi
    elif ((burst == 0 && total != 2)); then
      why="expected exactly two events in pstore (the kill and the late kill), got $total"
    else
      echo "#   found in: $(jq -r .source <<<"$match")"
      if ((burst)); then
        why=$(check_burst "$n" "$log" "$json" "$results" "$T,$(value targets "$bl"),$(value final "$bl"),$late")
        cat "$work/case$n.burst" 2>/dev/null
      fi
    fi
  fi
  if [[ -n $skip ]]; then
    echo "# *** case $n: SKIP: $skip ***" >&2
    echo "ok - $name # SKIP $skip"
    echo "ok - $(merge_name "$n") # SKIP $skip"
    return
  fi
  if [[ -z $why ]]; then
    echo "ok - $name"
  else
    echo "not ok - $name"
    echo "#   $why; last lines of $log:"
    tail -n 15 "$log" | tr -d '\r' | grep -av '^[A-Za-z0-9+/=]*$' | sed 's/^/#   | /'
  fi
  # the merge: every SIGTERM of boot 1 once, from the ring (the late one
  # from pstore)
  local mwhy="" all=$T
  ((burst)) && all="$T,$(value targets "$bl"),$(value final "$bl")"
  if [[ -z $T || -z $late ]]; then
    mwhy="boot 1 did not report the kills"
  elif [[ -z $boot2 ]]; then
    mwhy="no boot 2"
  else
    mwhy=$(check_merge "$n" "$log" "$results" "$all" "$late" "$kind")
    cat "$work/case$n.merge" 2>/dev/null
  fi
  if [[ -z $mwhy ]]; then echo "ok - $(merge_name "$n")"; else
    echo "not ok - $(merge_name "$n")"
    echo "#   $mwhy"
  fi
}

# check_merge N LOG RESULTS PIDS LATE KIND — the ring boot 1 sent (ring.gz)
# and the pstore files boot 2 sent (ps-NAME; for ftrace the instance's trace
# file, in a directory shaped like the instance), merged by the host's sigdump:
# each SIGTERM to PIDS (comma-separated) exactly once and from the ring, the
# one to LATE (sent after the ring was copied) once and from pstore. Prints
# why not; diagnostics go to $work/caseN.merge.
check_merge() {
  local n=$1 log=$2 results=$3 all=$4 late=$5 kind=$6 dir=$work/case$1.pstore ring=$work/case$1.ring
  local files f out=$work/case$1.merged.json err=$work/case$1.merged.err dirs=$work/case$1.pstore
  mkdir -p "$dir"
  if ! qemu_extract_file "$log" ring.gz "$ring.gz" 2>/dev/null || ! gzip -dc "$ring.gz" >"$ring"; then
    echo "could not extract boot 1's ring file"
    return
  fi
  files=$(grep -m1 '^pstore files:' <<<"$results" | sed 's/^pstore files://')
  for f in $files; do
    if ! qemu_extract_file "$log" "ps-$f" "$dir/$f" 2>/dev/null; then
      echo "could not extract pstore file $f"
      return
    fi
  done
  if [[ $kind == ftrace ]]; then
    mkdir -p "$dir/ft/boot_map" && : >"$dir/ft/boot_map/trace_marker"
    if ! qemu_extract_file "$log" ftrace-trace "$dir/ft/boot_map/trace" 2>/dev/null; then
      echo "could not extract the trace instance's trace file"
      return
    fi
    dirs+=":$dir/ft/boot_map"
  fi
  if ! "$bin/sigdump" --pstore="$dirs" --json "$ring" >"$out" 2>"$err"; then
    echo "sigdump --pstore=DIR --json RING failed: $(head -c 300 "$err")"
    return
  fi
  local p cnt src wrong="" nring=0 nps
  nps=$(jq -c 'select(.type=="signal" and (.source|startswith("pstore:")))' "$out" | wc -l)
  for p in ${all//,/ }; do
    cnt=$(jq -c --argjson P "$p" 'select(.type=="signal" and .sig==15 and .target.pid==$P)' "$out" | wc -l)
    src=$(jq -r --argjson P "$p" 'select(.type=="signal" and .sig==15 and .target.pid==$P) | .source' "$out" | sort -u | tr '\n' ' ')
    if ((cnt != 1)); then wrong+=" $p:${cnt}x(${src% })"; elif [[ $src == "ring " ]]; then nring=$((nring + 1)); else wrong+=" $p:from(${src% })"; fi
  done
  local lsrc
  lsrc=$(jq -r --argjson P "$late" 'select(.type=="signal" and .sig==15 and .target.pid==$P) | .source' "$out" | tr '\n' ' ')
  [[ $lsrc == pstore:* && $(wc -w <<<"$lsrc") == 1 ]] || wrong+=" late-kill-$late:(${lsrc% })"
  {
    echo "#   merge: pstore files: ${files# }; $(wc -l <"$out") lines, $nps from pstore (not in the ring); SIGTERMs once and from the ring: $nring of $(wc -w <<<"${all//,/ }"); the late kill: ${lsrc:-missing}"
    [[ -s $err ]] && sed 's/^/#   merge stderr: /' "$err"
  } >"$work/case$n.merge"
  [[ -z $wrong ]] || echo "SIGTERMs not exactly once from the ring, or the late one not from pstore (pid:count(sources)):$wrong"
}

# check_burst N LOG JSON RESULTS PIDS — case 5: every SIGTERM sent (to
# PIDS, comma-separated: the first kill, the burst, the final and the late
# one) is either an event in pstore or counted by sigrec's "suppressed N
# lines" lines. Prints why not.
check_burst() {
  local n=$1 log=$2 json=$3 results=$4 all=$5 final raw=$work/case$1.raw
  final=$(value final "$(grep -m1 '^burst ' <<<"$results" || true)")
  if [[ -z $final || $all == *,,* || $all == *, ]]; then
    echo "boot 1 did not report the burst"
    return
  fi
  if ! qemu_extract_file "$log" raw.txt "$raw" 2>/dev/null; then
    echo "could not extract the raw pstore lines"
    return
  fi
  local sent found sup kernel_sup seen_final
  sent=$(tr ',' '\n' <<<"$all" | wc -l)
  local pids missing p
  pids=$(jq -r 'select(.type=="signal" and .sig==15) | .target.pid' "$json" | sort -u)
  found=0 missing=""
  for p in ${all//,/ }; do
    if grep -qx "$p" <<<"$pids"; then found=$((found + 1)); else missing+=" $p"; fi
  done
  seen_final=$(jq -c --argjson F "$final" 'select(.sig==15 and .target.pid==$F)' "$json" | wc -l)
  # the same line sits in several dmesg records: count each kernel record once
  sup=$(sed 's/^[^:]*: //' "$raw" | sort -u |
    sed -n 's/.*sigrec: suppressed \([0-9]*\) lines.*/\1/p' | awk '{s += $1} END {print s + 0}')
  kernel_sup=$(sed 's/^[^:]*: //' "$raw" | sort -u | grep -c 'output lines suppressed' || true)
  echo "#   burst: sent $sent SIGTERMs; in pstore: $found; counted by sigrec's suppressed lines: $sup; unaccounted: $((sent - found - sup)); kernel ratelimit messages in pstore: $kernel_sup; targets missing from pstore:${missing:- none}" >"$work/case$n.burst"
  if ((seen_final != 1)); then
    echo "the final SIGTERM (after a 6 s pause) is not in pstore"
  elif ((found + sup != sent)); then
    echo "$((sent - found - sup)) of $sent SIGTERMs vanished: $found in pstore + $sup counted as suppressed"
  fi
}

# prep_debian ID CPIO LABEL — Debian kernel ID and the guest's initramfs at
# CPIO (with that kernel's ramoops module): sets prep_kernel, or prep_why.
prep_debian() {
  local t0=$EPOCHREALTIME kout moddir
  prep_kernel="" prep_why=""
  if ! kout=$(qemu_kernel "$1"); then
    prep_why="qemu_kernel $1 failed (see $cache/apt.log, $cache/apt/update.log)"
    return 1
  fi
  { read -r prep_kernel; read -r moddir; } <<<"$kout"
  echo "# $3 kernel: $prep_kernel ($(elapsed "$t0")s to fetch or find)"
  qemu_make_initramfs -m "$moddir" "$2" "$here/pstore-guest.sh" \
    "$bin/sigrec" "$bin/sigdump" || { prep_why="qemu_make_initramfs failed"; return 1; }
}

# Debian's kernel (ramoops as a module, no pmsg), the small pmsg kernel, and
# Debian 13's 6.12 (the first with the persistent ring buffer) for ftrace.
deb_ok=0 deb_why="not run"
if want 1 || want 2 || want 5; then
  if prep_debian deb12 "$work/debian.cpio.gz" debian; then deb_ok=1 deb_kernel=$prep_kernel; else deb_why=$prep_why; fi
fi
t0=$EPOCHREALTIME
pmsg_ok=1 pmsg_why=""
if ! want 3 && ! want 4; then
  pmsg_ok=0 pmsg_why="not run"
elif pmsg_kernel=$(qemu_pmsg_kernel); then
  echo "# pmsg kernel: $pmsg_kernel ($(elapsed "$t0")s to build or find)"
  qemu_make_initramfs "$work/pmsg.cpio.gz" "$here/pstore-guest.sh" \
    "$bin/sigrec" "$bin/sigdump" || { pmsg_ok=0 pmsg_why="qemu_make_initramfs failed"; }
else
  pmsg_ok=0 pmsg_why="qemu_pmsg_kernel failed (see $cache/pmsg-*/build.log)"
fi
ft_ok=0 ft_why="not run"
if want 6 || want 7; then
  if prep_debian deb13 "$work/deb13.cpio.gz" "debian 13"; then ft_ok=1 ft_kernel=$prep_kernel; else ft_why=$prep_why; fi
fi

# The cases are independent qemus: run them two at a time (TCG uses one
# host core per single-CPU guest), each into its own output file.
jobs_max=${SIGREC_QEMU_JOBS:-2}
start_case() { # N KERNEL INITRD KIND HOW [BURST]
  want "$1" || return 0
  run_case "$@" >"$work/tap.$1" 2>"$work/err.$1" &
  while (($(jobs -rp | wc -l) >= jobs_max)); do wait -n || true; done
}
not_run() { # WHY N... — the cases a kernel that is not there cannot run
  local why=$1 i
  shift
  for i in "$@"; do
    want "$i" || continue
    printf 'not ok - %s # %s\nnot ok - %s # %s\n' "${names[$((i - 1))]}" "$why" "$(merge_name "$i")" "$why" >"$work/tap.$i"
  done
}
if ((deb_ok)); then
  start_case 5 "$deb_kernel" "$work/debian.cpio.gz" kmsg panic 20
  start_case 1 "$deb_kernel" "$work/debian.cpio.gz" kmsg panic
  start_case 2 "$deb_kernel" "$work/debian.cpio.gz" kmsg reboot
else
  not_run "$deb_why" 1 2 5
fi
if ((pmsg_ok)); then
  start_case 3 "$pmsg_kernel" "$work/pmsg.cpio.gz" pmsg panic
  start_case 4 "$pmsg_kernel" "$work/pmsg.cpio.gz" pmsg reboot
else
  not_run "$pmsg_why" 3 4
fi
if ((ft_ok)); then
  start_case 6 "$ft_kernel" "$work/deb13.cpio.gz" ftrace panic
  start_case 7 "$ft_kernel" "$work/deb13.cpio.gz" ftrace reboot
else
  not_run "$ft_why" 6 7
fi
wait
npass=0 nfail=0 nskip=0
for ((i = 1; i <= ncases; i++)); do
  want "$i" || continue
  [[ -s $work/err.$i ]] && sed 's/^/# stderr: /' "$work/err.$i"
  cat "$work/tap.$i"
  nskip=$((nskip + $(grep -c '^ok - .*# SKIP' "$work/tap.$i")))
  npass=$((npass + $(grep -c '^ok - ' "$work/tap.$i")))
  nfail=$((nfail + $(grep -c '^not ok - ' "$work/tap.$i")))
done >"$work/tap.all"
((nfail)) && failed=1
number_tap <"$work/tap.all" >"$work/tap.numbered"
sed '$d' "$work/tap.numbered"
echo "# harness run ($state, ${jobs_max} qemu at a time): $(elapsed "$t_start")s"
echo "# qemu-pstore: $((npass - nskip)) passed, $nfail failed, $nskip skipped"
tail -n 1 "$work/tap.numbered"
exit "$failed"
