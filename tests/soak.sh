#!/usr/bin/env bash
# soak.sh - the differential comparison against ftrace (see
# tests/e2e/test_differential.sh) for SOAK_SECONDS (default 600), in rounds
# of 30 s, with a small ring that wraps (SOAK_RING_SIZE, default 4M) and the
# recorder SIGKILLed and restarted in the middle of every round, under a
# storm: one restart every 30 s.  Reports sigrec's RSS at the start and at
# the end of each recorder life, and what each round compared.
#
# A round: clear the ftrace instance, begin marker, the mixed load (timers
# for 18 s; forks and sigsend; at 8 s a kill storm with the recorder
# SIGKILLed and restarted under it, then a mix storm; at 15 s sigsend,
# failed calls, overflows, threads: the newest part, which a wrapped ring
# still holds),
# end marker; a sentinel signal, waited for in the ring, and one more poll
# (the recorder has then written everything of the round); a copy of the
# ring that holds the sentinel (sigdump reading the live ring can miss the
# chunk sealed meanwhile), its sigdump --json and --stats; ftrace_diff.py
# in the background while the next round runs.  A CPU whose ftrace buffer
# overran (other loads on the machine) moves the window's start past its
# oldest event left.
#
# What is compared in a wrapped ring: the ring drops whole chunks, so every
# record written after the oldest remaining chunk began is still there; a
# record is written at most 5 s after its time (poll, restart, run flush),
# so the window is [max(round begin, ring oldest + 5 s), round end], where
# "ring oldest" is sigdump --stats' oldest (the smallest record time of the
# chunks left), once every slot of the ring is in use (before that nothing
# was dropped and the window is the whole round).  Repeat records that straddle a window edge move that edge,
# for their identity only, past the record.
#
# Output in SOAK_OUT (default $BUILD/soak): one diff-N.out per round,
# rss.txt, summary.txt (also printed).  Exit 0 when every round's checks
# pass, 1 otherwise.
set -u
source "$(dirname "$0")/lib.sh"
# a directory of its own, outside the tests' /tmp/sigrec-test.* (tests
# running meanwhile clean up after themselves)
rmdir "$TMPD" 2>/dev/null
TMPD=$(mktemp -d /var/tmp/sigrec-soak.XXXXXX)
SOAK_SECONDS=${SOAK_SECONDS:-600}
ROUND=30
RESTART_AT=8
RING_SIZE=${SOAK_RING_SIZE:-4M}
OUT=${SOAK_OUT:-$ROOT/$BUILD/soak}
E2E="$ROOT/tests/e2e"
TRACEFS=/sys/kernel/tracing

why=$(bpf_unavailable)
[ -d "$TRACEFS/instances" ] || mount -t tracefs nodev "$TRACEFS" 2>/dev/null
[ -z "$why" ] && [ ! -d "$TRACEFS/instances" ] && why="no tracefs instances"
[ -z "$why" ] && ! command -v python3 >/dev/null && why="python3 missing"
[ -z "$why" ] && ! command -v clang >/dev/null && why="clang missing"
if [ -n "$why" ]; then
	echo "soak: cannot run here: $why" >&2
	exit 1
fi
mkdir -p "$OUT"
rm -f "$OUT"/diff-*.out "$OUT"/sum-*.json "$OUT"/rss.txt "$OUT"/summary.txt "$OUT"/sigdump.err \
	"$OUT"/trace-*.txt.gz "$OUT"/ring-*.json.gz "$OUT"/r*.stats "$OUT"/ring-* "$OUT"/stats-*.json
ARCH=$(uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
cc -O2 -o "$TMPD/diffload" "$E2E/diffload.c" -lpthread &&
	clang -O2 -g -target bpf -D__TARGET_ARCH_$ARCH -I"$BIN" -c "$E2E/bpfsee.bpf.c" \
		-o "$TMPD/bpfsee.bpf.o" &&
	cc -O2 -o "$TMPD/bpfsee" "$E2E/bpfsee.c" $(pkg-config --libs libbpf 2>/dev/null || echo -lbpf) ||
	{ echo "soak: the load helpers do not build" >&2; exit 1; }
LOAD="$TMPD/diffload"
# the binaries under test, copied: a rebuild meanwhile does not change them
mkdir -p "$TMPD/bin" && cp "$BIN/sigrec" "$BIN/sigdump" "$BIN/sigsend" "$BIN/storm" "$TMPD/bin/" || exit 1
BIN="$TMPD/bin"

INST="$TRACEFS/instances/sigrec-soak-$$"
SEE_PID=
ftrace_remove() {
	[ -d "$INST" ] || return 0
	echo 0 >"$INST/tracing_on" 2>/dev/null
	for e in "$INST"/events/*/*/enable; do echo 0 >"$e" 2>/dev/null; done
	rmdir "$INST" 2>/dev/null
}
trap '[ -n "$SEE_PID" ] && kill -TERM "$SEE_PID" 2>/dev/null; ftrace_remove; cleanup' EXIT
mkdir "$INST" && echo 0 >"$INST/tracing_on" && echo boot >"$INST/trace_clock" &&
	echo $((65536 / $(getconf _NPROCESSORS_CONF))) >"$INST/buffer_size_kb" || {
	echo "soak: cannot set up $INST" >&2; exit 1; }
for e in signal/signal_generate sched/sched_process_fork; do echo 1 >"$INST/events/$e/enable"; done
for s in kill tkill tgkill rt_sigqueueinfo rt_tgsigqueueinfo pidfd_send_signal; do
	echo 1 >"$INST/events/syscalls/sys_enter_$s/enable"
	echo 1 >"$INST/events/syscalls/sys_exit_$s/enable"
done

now() { echo "${EPOCHREALTIME/./}"; }	# microseconds
sleep_until() {	# sleep_until EPOCH_US
	local d=$(($1 - $(now)))
	[ "$d" -gt 0 ] && sleep "$(printf '%d.%06d' $((d / 1000000)) $((d % 1000000)))"
	return 0
}
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

RING="$TMPD/soak.ring"
LIFE=0
LIFE_START=
life_begin() {
	LIFE=$((LIFE + 1))
	LIFE_START=$(rss_kib "$REC_PID")
	LIFE_T0=$(now)
}
life_end() {
	local r
	r=$(rss_kib "$REC_PID")
	printf '%d %d %d %d %d\n' "$LIFE" "$REC_PID" "$LIFE_START" "$r" \
		$((($(now) - LIFE_T0) / 1000000)) >>"$OUT/rss.txt"
}
restart_rec() {
	life_end
	kill -KILL "$REC_PID"; wait "$REC_PID" 2>/dev/null; REC_PID=
	start_rec "$RING" -s "$RING_SIZE" --hooks tracepoint || return 1
	grep -q 'took over' "$REC_LOG" || echo "round $N: the restart did not take over" >>"$TMPD/load.err"
	life_begin
}

sigsend_all() {
	local s
	for s in $("$BIN/sigsend" --list); do
		"$BIN/sigsend" "$s" >/dev/null 2>>"$TMPD/load.err" || echo "sigsend $s failed" >>"$TMPD/load.err"
	done
}

EXPECT="delivered,ignored,already_pending,overflow,lose_info,ctx:interrupt,ctx:task,failed:1,failed:3,repeat"
COMPARE_PID= COMPARE_OLD=
# compare N: ftrace_diff.py on round N's files, then remove the big ones
compare() {
	local n=$1 oldest=
	trap - EXIT	# run in the background: the main shell cleans up
	# a ring with every slot used has dropped (or is about to drop) its
	# oldest chunks: compare from its oldest time left plus the settle time
	[ "$(jq '.chunks >= .ring.slots' "$TMPD/r$n.stats")" = true ] &&
		oldest=$(jq -r '.oldest // empty' "$TMPD/r$n.stats")
	cp "$TMPD/r$n.stats" "$OUT/stats-$n.json"
	python3 "$E2E/ftrace_diff.py" --trace "$TMPD/t$n.txt" --ring "$TMPD/r$n.json" \
		--begin "sigrec-soak begin $n" --end "sigrec-soak end $n" \
		${oldest:+--ring-oldest "$oldest"} --settle 5 --bpf-seen "$TMPD/seen$n.txt" \
		--overrun "$(cat "$TMPD/ovr$n")" --offset "$(cat "$TMPD/off$n")" \
		--expect "$EXPECT" --summary "$OUT/sum-$n.json" --max-detail 6 >"$OUT/diff-$n.out" 2>&1
	echo "exit $?" >>"$OUT/diff-$n.out"
	if [ -n "${SOAK_KEEP:-}" ] || [ "$(jq '.unaccounted + .extra' "$OUT/sum-$n.json" 2>/dev/null || echo 1)" != 0 ]; then
		gzip -c "$TMPD/t$n.txt" >"$OUT/trace-$n.txt.gz"
		gzip -c "$TMPD/r$n.json" >"$OUT/ring-$n.json.gz"
		cp "$TMPD/r$n.stats" "$TMPD/seen$n.txt" "$TMPD/ovr$n" "$OUT/"
	fi
	rm -f "$TMPD/t$n.txt" "$TMPD/r$n.json"
}

start_rec "$RING" -s "$RING_SIZE" --hooks tracepoint || { echo "soak: sigrec does not start" >&2; exit 1; }
life_begin
T_START=$(now)
ROUNDS=$(( (SOAK_SECONDS + ROUND - 1) / ROUND ))
echo "soak: $ROUNDS rounds of ${ROUND}s, ring $RING_SIZE, restart at ${RESTART_AT}s of each round; results in $OUT"
for ((N = 1; N <= ROUNDS; N++)); do
	R0=$(now)
	echo >"$INST/trace"
	"$TMPD/bpfsee" "$TMPD/bpfsee.bpf.o" >"$TMPD/seen$N.txt" 2>>"$TMPD/load.err" &
	SEE_PID=$!
	for _ in $(seq 1 100); do grep -q ready "$TMPD/seen$N.txt" 2>/dev/null && break; sleep 0.05; done
	echo 1 >"$INST/tracing_on"
	echo "sigrec-soak begin $N" >"$INST/trace_marker"
	"$LOAD" timers 18000 2000 >/dev/null 2>>"$TMPD/load.err" &
	TIMERS=$!
	"$BIN/storm" fork 50 >/dev/null 2>>"$TMPD/load.err"
	sigsend_all
	sleep_until $((R0 + RESTART_AT * 1000000))
	"$BIN/storm" kill 100000 >/dev/null 2>>"$TMPD/load.err" &
	STORM=$!
	sleep 0.2
	restart_rec || { echo "soak: round $N: sigrec does not restart" >&2; exit 1; }
	wait "$STORM"
	"$BIN/storm" mix 5000 >/dev/null 2>>"$TMPD/load.err"
	sleep_until $((R0 + 15 * 1000000))
	sigsend_all
	"$LOAD" failures 50 >/dev/null 2>>"$TMPD/load.err"
	"$LOAD" overflow >/dev/null 2>>"$TMPD/load.err"
	"$LOAD" threads 100 >/dev/null 2>>"$TMPD/load.err"
	wait "$TIMERS"
	sleep 0.3
	echo "sigrec-soak end $N" >"$INST/trace_marker"
	echo 0 >"$INST/tracing_on"
	kill -TERM "$SEE_PID"; wait "$SEE_PID"; SEE_PID=
	# the recorder writes the round's tail: a sentinel signal sent now is
	# written after everything before it (the BPF buffer is read in
	# order); then one more poll flushes the runs' last repeats
	SENT=$("$BIN/sigsend" kill | jq -r .target)
	for _ in $(seq 1 100); do
		[ -n "$("$BIN/sigdump" --json --pid "$SENT" --signal USR1 "$RING" 2>/dev/null)" ] && break
		sleep 0.2
	done
	sleep 1.2
	# read a copy: sigdump reading the live ring can miss the chunk being
	# sealed meanwhile; a copy that holds the sentinel holds every chunk
	# up to the newest
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		cp "$RING" "$TMPD/copy.ring"
		[ -n "$("$BIN/sigdump" --json --pid "$SENT" --signal USR1 "$TMPD/copy.ring" 2>/dev/null)" ] && break
		echo "round $N: a copy of the ring lacked the sentinel; copied again" >>"$TMPD/load.err"
	done
	[ -n "${SOAK_KEEP:-}" ] && cp "$TMPD/copy.ring" "$OUT/ring-$N"
	"$BIN/sigdump" --json "$TMPD/copy.ring" >"$TMPD/r$N.json" 2>>"$OUT/sigdump.err"
	"$BIN/sigdump" --stats "$TMPD/copy.ring" >"$TMPD/r$N.stats" 2>>"$OUT/sigdump.err"
	OVR=
	for c in "$INST"/per_cpu/cpu*; do
		[ "$(awk '/^overrun:/ {print $2}' "$c/stats")" -gt 0 ] && OVR+="${OVR:+,}${c##*cpu}"
	done
	echo "$OVR" >"$TMPD/ovr$N"
	python3 -c 'import time; print(time.clock_gettime_ns(time.CLOCK_REALTIME) - time.clock_gettime_ns(time.CLOCK_BOOTTIME))' >"$TMPD/off$N"
	cat "$INST/trace" >"$TMPD/t$N.txt"
	# at most two comparisons at a time, so that a busy machine does not
	# delay the rounds
	[ -n "$COMPARE_OLD" ] && wait "$COMPARE_OLD"
	COMPARE_OLD=$COMPARE_PID
	compare "$N" &
	COMPARE_PID=$!
	echo "soak: round $N/$ROUNDS done at $((($(now) - T_START) / 1000000))s, recorder RSS $(rss_kib "$REC_PID") KiB"
	[ "$N" -lt "$ROUNDS" ] && sleep_until $((R0 + ROUND * 1000000))
done
life_end
REC_RC=0
stop_rec || REC_RC=$?
wait $COMPARE_OLD $COMPARE_PID
T_END=$(now)

python3 - "$OUT" "$ROUNDS" "$(( (T_END - T_START) / 1000000 ))" "$REC_RC" "$RING_SIZE" <<'EOF' | tee "$OUT/summary.txt"
import json, os, sys, collections
out, rounds, secs, rec_rc, ring = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
tot = collections.Counter()
bad = []
hidden = collections.Counter()
for n in range(1, rounds + 1):
    try:
        s = json.load(open(os.path.join(out, "sum-%d.json" % n)))
    except (OSError, ValueError):
        bad.append("round %d: no summary" % n)
        continue
    for k in ("signals", "failed_calls", "ring", "repeat_records", "missing", "unaccounted",
              "extra", "invisible_to_bpf", "lost_records"):
        tot[k] += s.get(k, 0)
    tot["window_s"] += s.get("window_s", 0)
    for t, c in s.get("hidden_tasks", {}).items():
        hidden["%s[%s]" % (c, t)] += 1
    txt = open(os.path.join(out, "diff-%d.out" % n)).read()
    for line in txt.splitlines():
        if line.startswith("CHECK fail"):
            bad.append("round %d: %s" % (n, line[len("CHECK fail "):]))
rss = [tuple(int(x) for x in l.split()) for l in open(os.path.join(out, "rss.txt"))]
rows = []
for n in range(1, rounds + 1):
    try:
        s = json.load(open(os.path.join(out, "sum-%d.json" % n)))
        st = json.load(open(os.path.join(out, "stats-%d.json" % n)))
    except (OSError, ValueError):
        continue
    rows.append("  %3d %6.1f %8d %6d %6d %4d %4d %5d %4s %3d/%d  %s .. %s" % (
        n, s["window_s"], s["signals"], s["failed_calls"], s["repeat_records"],
        s["invisible_to_bpf"], s["unaccounted"], s["extra"], s["lost_records"],
        st["chunks"], st["ring"]["slots"], st["oldest"][11:19], st["newest"][11:19]))
print("sigrec soak: %d s, %d rounds, ring %s, %d recorder lives (%d SIGKILL restarts), "
      "sigrec exit %d" % (secs, rounds, ring, len(rss), len(rss) - 1, rec_rc))
print("compared: %d signals and %d failed calls in %.0f s of windows (%d repeat records); "
      "missing %d (%d accounted by lost records, %d raised while the kernel ran no BPF "
      "program, %d unexplained); extra %d; lost records %d" %
      (tot["signals"], tot["failed_calls"], tot["window_s"], tot["repeat_records"],
       tot["missing"], tot["missing"] - tot["unaccounted"] - tot["invisible_to_bpf"],
       tot["invisible_to_bpf"], tot["unaccounted"], tot["extra"], tot["lost_records"]))
if hidden:
    print("tasks the kernel ran no BPF program for, rounds seen: " +
          ", ".join("%s x%d" % kv for kv in sorted(hidden.items())))
print("per round: round window_s signals failed repeats invisible unexplained extra lost "
      "chunks/slots ring-oldest..newest (UTC)")
for r in rows:
    print(r)
print("RSS (KiB) per recorder life: life pid start end seconds")
for r in rss:
    print("  %3d %7d %6d %6d %4d" % r)
starts = [r[2] for r in rss]
ends = [r[3] for r in rss]
# the first and the last life are partial (8 s, and until the last round ends)
steady = ends[1:-1] if len(ends) > 3 else ends
third = max(1, len(steady) // 3)
med = lambda v: sorted(v)[len(v) // 2]
# medians: a life that met a burst of other loads (its process table grows
# with the processes it sees) does not make a trend
trend = med(steady[-third:]) - med(steady[:third])
flat = max(starts) - min(starts) <= 1024 and trend <= 1024
print("RSS overall: first start %d KiB, last end %d KiB; every life starts at %d..%d KiB and "
      "ends at %d..%d KiB (median %d); median end of the last third of lives minus the first "
      "third %+d KiB: %s" %
      (rss[0][2], rss[-1][3], min(starts), max(starts), min(ends), max(ends), med(ends), trend,
       "flat" if flat else "NOT flat"))
if bad:
    print("failed checks:")
    for b in bad:
        print("  " + b)
sys.exit(1 if bad or rec_rc else 0)
EOF
RC=${PIPESTATUS[0]}
[ -s "$TMPD/load.err" ] && { echo "load messages:"; sort "$TMPD/load.err" | uniq -c | head -20; } | tee -a "$OUT/summary.txt"
exit "$RC"
