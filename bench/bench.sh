#!/usr/bin/env bash
# bench.sh - the benchmark behind `make bench`.  Prints figures; asserts nothing.
#
#   N=1000000 RUNS=5 ./bench/bench.sh     (BENCH_PARTS=storms: the storms only)
#
# Signal storms (pair: kill() to one blocked target; mix: 8 targets, 7
# signals round-robin): paired runs (bare, then recording), median of RUNS;
# the ratio of the rates to bare and to the floor (a hook that only counts,
# measured in the same run), sent vs recorded vs lost, bytes on disk per
# signal, recorder CPU per signal and peak RSS, per configuration.
# Unrelated-syscall tax: a getppid() loop bare, with default options, with
# syscall tracepoint hooks, and with --no-syscall-hooks.  Fork+exec+exit
# storm: ratio and bytes per process lifecycle.  Mixed workload bytes/event.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/${BUILD:-build}"
N=${N:-1000000}
RUNS=${RUNS:-5}
FORKS=${FORKS:-3000}
TMP=$(mktemp -d /tmp/sigrec-bench.XXXXXX)
REC=
trap '[ -n "$REC" ] && kill -KILL $REC 2>/dev/null; rm -rf "$TMP"' EXIT

[ "$(id -u)" -eq 0 ] || { echo "bench: needs root to load BPF" >&2; exit 1; }

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }

start() {	# start RING ARGS...: recorder in the background
	local ring=$1; shift
	"$BIN/sigrec" -r "$ring" --stats "$@" 2>"$TMP/rec.log" &
	REC=$!
	for _ in $(seq 1 200); do
		grep -q 'recording to' "$TMP/rec.log" && return 0
		sleep 0.05
	done
	echo "bench: sigrec did not start" >&2; cat "$TMP/rec.log" >&2; exit 1
}
stop() { kill -TERM "$REC"; wait "$REC" || true; REC=; }
# CPU time of the recorder so far, ns, all threads (schedstat: ns on CPU)
cpu_ns() { cat /proc/"$REC"/task/*/schedstat | awk '{s += $1} END {print s}'; }

echo "sigrec benchmark: $(uname -r), $(nproc) CPUs, N=$N, RUNS=$RUNS"
echo

# ---- signal storms ----
# pair: kill() storm to one blocked target (coalescing folds it).  mix: one
# sender, 8 blocked targets, 7 signals round-robin: nothing to fold.
MIXSIGS=USR1,USR2,HUP,ALRM,WINCH,URG,PROF
declare -A FLOOR_RATIO

# recorded LOAD OUT RING: signals of the storm in the ring (repeats by count)
recorded() {
	local load=$1 out=$2 ring=$3
	if [ "$load" = kill ]; then
		"$BIN/sigdump" --pid "$(field target <<<"$out")" --signal USR1 --stats "$ring" | jq .signals
	else
		"$BIN/sigdump" --sender-comm storm --signal "$MIXSIGS" --stats "$ring" | jq .signals
	fi
}

# floor_series LOAD: the ratio under a tp_btf hook that only counts
floor_series() {
	local load=$1 b r ready
	: >"$TMP/ratios3"
	for _ in $(seq 1 "$RUNS"); do
		b=$("$BIN/storm" "$load" "$N" | field rate)
		coproc FLOOR { "$BIN/floor"; }
		read -r ready <&"${FLOOR[0]}" || ready=
		[ "$ready" = ready ] || { echo "bench: floor program did not attach" >&2; exit 1; }
		r=$("$BIN/storm" "$load" "$N" | field rate)
		exec {FLOOR[1]}>&-
		wait "$FLOOR_PID" || true
		awk -v a="$r" -v b="$b" 'BEGIN {printf "%.3f\n", a / b}' >>"$TMP/ratios3"
	done
	FLOOR_RATIO[$load]=$(median <"$TMP/ratios3")
	echo
	echo "$load storm: the floor (a tp_btf hook on signal_generate that only counts)"
	printf '  ratio (median of pairs)     %12s   (runs: %s)\n' "${FLOOR_RATIO[$load]}" \
		"$(tr '\n' ' ' <"$TMP/ratios3" | sed 's/ $//')"
}

# storm_series LOAD LABEL [sigrec args...]: RUNS paired runs, then the figures
storm_series() {
	local load=$1 label=$2; shift 2
	local sent=0 got=0 lost=0 i b r out st n stats stored recs cpu c0 c1 ratio bar
	: >"$TMP/ratios"; : >"$TMP/bare"; : >"$TMP/rec"; : >"$TMP/cpu"; : >"$TMP/rss"; : >"$TMP/bps"
	: >"$TMP/recs"
	for i in $(seq 1 "$RUNS"); do
		b=$("$BIN/storm" "$load" "$N" | field rate)
		rm -f "$TMP/s.ring"
		start "$TMP/s.ring" -s 256M "$@"
		c0=$(cpu_ns)
		out=$("$BIN/storm" "$load" "$N")
		sleep 0.3	# the reader's last batch
		c1=$(cpu_ns)
		stop
		r=$(field rate <<<"$out")
		st=$(grep 'records=' "$TMP/rec.log")
		n=$(recorded "$load" "$out" "$TMP/s.ring")
		stats=$("$BIN/sigdump" --stats "$TMP/s.ring")
		stored=$(jq .stored_bytes <<<"$stats") recs=$(jq .records <<<"$stats")
		cpu=$(awk -v a="$c0" -v b="$c1" -v n="$N" 'BEGIN {printf "%.3f", (b - a) / 1000 / n}')
		echo "$b" >>"$TMP/bare"; echo "$r" >>"$TMP/rec"; echo "$recs" >>"$TMP/recs"
		awk -v a="$r" -v b="$b" 'BEGIN {printf "%.3f\n", a / b}' >>"$TMP/ratios"
		echo "$cpu" >>"$TMP/cpu"
		field maxrss_kb <<<"$st" >>"$TMP/rss"
		awk -v s="$stored" -v n="$N" 'BEGIN {printf "%.3f\n", s / n}' >>"$TMP/bps"
		sent=$((sent + N)) got=$((got + n)) lost=$((lost + $(field lost <<<"$st")))
	done
	hooks=$(sed -n 's/.*syscall hooks: \([a-z]*\).*/\1/p' "$TMP/rec.log")
	ratio=$(median <"$TMP/ratios")
	bar=$([ "$load" = kill ] && echo 0.95 || echo 0.85)
	echo
	echo "$load storm: $label (syscall hooks: $hooks)"
	printf '  bare rate (median)          %12.0f signals/s\n' "$(median <"$TMP/bare")"
	printf '  recording rate (median)     %12.0f signals/s\n' "$(median <"$TMP/rec")"
	printf '  ratio to bare (median)      %12s   (runs: %s)\n' "$ratio" \
		"$(tr '\n' ' ' <"$TMP/ratios" | sed 's/ $//')"
	printf '  ratio to the floor          %12s   (bar >= %s with default options)\n' \
		"$(awk -v a="$ratio" -v f="${FLOOR_RATIO[$load]}" 'BEGIN {printf "%.3f", a / f}')" "$bar"
	printf '  sent / recorded / lost      %d / %d / %d\n' "$sent" "$got" "$lost"
	printf '  records in the ring         %12s   (median; every record of the run)\n' "$(median <"$TMP/recs")"
	printf '  bytes on disk per signal    %12s   (bar <= 2 for the pair storm; all bytes of the ring / signals sent)\n' \
		"$(median <"$TMP/bps")"
	printf '  recorder CPU per signal     %12s us (bar <= 0.3; CPU used during the storm / signals)\n' \
		"$(median <"$TMP/cpu")"
	printf '  recorder peak RSS           %12s KiB (bar <= 32768)\n' "$(sort -n "$TMP/rss" | tail -1)"
}

for load in kill mix; do
	floor_series "$load"
	storm_series "$load" "default"
	# the signal program's other ways of reading siginfo (capture.c), for comparison
	SIGREC_SIGNAL_READ=probe storm_series "$load" "default, siginfo by bpf_probe_read_kernel"
	storm_series "$load" "--hooks tracepoint (failed attempts; taxes every syscall)" --hooks tracepoint
	storm_series "$load" "--no-coalesce (one record per signal)" --no-coalesce
done
[ "${BENCH_PARTS:-all}" = storms ] && exit 0

# ---- idle: recorder CPU when no signals flow ----
echo
echo "idle"
rm -f "$TMP/i.ring"
start "$TMP/i.ring" -s 16M
sleep 1
c0=$(cpu_ns); sleep 10; c1=$(cpu_ns)
stop
printf '  recorder CPU while idle      %11s ms per minute (10 s sampled; the machine'"'"'s own signals still flow)\n' \
	"$(awk -v a="$c0" -v b="$c1" 'BEGIN {printf "%.2f", (b - a) / 1e6 * 6}')"

# ---- unrelated syscall tax ----
echo
echo "unrelated syscall: getppid() loop, ns per call (median of $RUNS)"
G=$((N * 5))
tax() {	# tax LABEL [sigrec args...]
	local label=$1; shift
	: >"$TMP/g"
	for _ in $(seq 1 "$RUNS"); do
		if [ "$label" != bare ]; then rm -f "$TMP/g.ring"; start "$TMP/g.ring" -s 16M "$@"; fi
		"$BIN/storm" getppid "$G" | field ns_per_op >>"$TMP/g"
		if [ "$label" != bare ]; then stop; fi
	done
	median <"$TMP/g"
}
gb=$(tax bare)
gd=$(tax default)
gt=$(tax tracepoint --hooks tracepoint)
gn=$(tax none --no-syscall-hooks)
pct() { awk -v a="$1" -v b="$gb" 'BEGIN {print (a/b-1)*100}'; }
printf '  bare                        %8.1f\n' "$gb"
printf '  default options             %8.1f  (%+.1f%%; bar < 10%%)\n' "$gd" "$(pct "$gd")"
printf '  --hooks tracepoint          %8.1f  (%+.1f%%)\n' "$gt" "$(pct "$gt")"
printf '  --no-syscall-hooks          %8.1f  (%+.1f%%)\n' "$gn" "$(pct "$gn")"

# ---- fork + exec + exit storm ----
echo
echo "fork+exec+exit storm ($FORKS processes)"
: >"$TMP/f"
for _ in $(seq 1 "$RUNS"); do
	b=$("$BIN/storm" fork "$FORKS" | field rate)
	rm -f "$TMP/f.ring"
	start "$TMP/f.ring" -s 64M
	r=$("$BIN/storm" fork "$FORKS" | field rate)
	stop
	awk -v a="$r" -v b="$b" 'BEGIN {printf "%.3f\n", a / b}' >>"$TMP/f"
done
stats=$("$BIN/sigdump" --stats "$TMP/f.ring")
printf '  ratio (median)              %8s\n' "$(median <"$TMP/f")"
printf '  bytes per process lifecycle %8.1f  (fork+exec+exit+SIGCHLD records, all bytes / %d)\n' \
	"$(jq --argjson n "$FORKS" '.stored_bytes / $n' <<<"$stats")" "$FORKS"

# ---- mixed workload ----
rm -f "$TMP/m.ring"
start "$TMP/m.ring" -s 64M
for _ in $(seq 1 20); do
	for s in $("$BIN/sigsend" --list); do "$BIN/sigsend" "$s" >/dev/null 2>&1 || true; done
done
stop
stats=$("$BIN/sigdump" --stats "$TMP/m.ring")
echo
printf 'mixed workload (every sigsend scenario x20, with their processes)\n'
printf '  records %d (signals %d), bytes per record on disk %.2f, per signal %.2f\n' \
	"$(jq .records <<<"$stats")" "$(jq .by_type.signal <<<"$stats")" \
	"$(jq '.stored_bytes / .records' <<<"$stats")" "$(jq '.stored_bytes / .by_type.signal' <<<"$stats")"

# ---- reader: --last 10m on a full 1 GiB ring, raw decode throughput ----
echo
echo "reader: a full 1 GiB ring whose last 10 minutes hold 100,000 events"
"$BIN/mkring" "$TMP/big.ring" 1G 100000 600 >/dev/null
"$BIN/sigdump" --last 10m --stats "$TMP/big.ring" >/dev/null	# warm the page cache
tm() { /usr/bin/time -f %e "$@" 2>&1 >/dev/null | tail -1; }
: >"$TMP/l"; : >"$TMP/lj"
for _ in $(seq 1 "$RUNS"); do
	tm "$BIN/sigdump" --last 10m --no-pager "$TMP/big.ring" >>"$TMP/l"
	tm "$BIN/sigdump" --last 10m --json "$TMP/big.ring" >>"$TMP/lj"
done
printf '  sigdump --last 10m (text)   %8s s (median; bar < 0.5)\n' "$(median <"$TMP/l")"
printf '  sigdump --last 10m --json   %8s s (median)\n' "$(median <"$TMP/lj")"
"$BIN/decode" "$TMP/big.ring" | sed 's/^decode: /  raw decode: /'
echo "  (bar for raw decode: >= 1000 MB/s of decoded records)"
rm -f "$TMP/big.ring"
