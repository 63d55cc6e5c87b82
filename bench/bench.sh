#!/usr/bin/env bash
# bench.sh - the benchmark behind `make bench`.  Prints figures; asserts nothing.
#
#   N=1000000 RUNS=5 ./bench/bench.sh
#
# kill() storm: paired runs (bare, then recording), median of RUNS; ratio of
# the rates, sent vs recorded vs lost, bytes on disk per signal, recorder CPU
# per signal and peak RSS; with and without coalescing and syscall hooks;
# the same ratio for a hook that only counts (the ceiling on this machine).  Unrelated-syscall tax: a getppid() loop bare, with
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

# ---- kill() storm ----
# storm_series LABEL [sigrec args...]: RUNS paired runs, then the figures
storm_series() {
	local label=$1; shift
	local sent=0 recorded=0 lost=0 i b r out tgt st n stats stored recs cpu c0 c1
	: >"$TMP/ratios"; : >"$TMP/bare"; : >"$TMP/rec"; : >"$TMP/cpu"; : >"$TMP/rss"; : >"$TMP/bps"
	: >"$TMP/recs"
	for i in $(seq 1 "$RUNS"); do
		b=$("$BIN/storm" kill "$N" | field rate)
		rm -f "$TMP/s.ring"
		start "$TMP/s.ring" -s 256M "$@"
		c0=$(cpu_ns)
		out=$("$BIN/storm" kill "$N")
		sleep 0.3	# the reader's last batch
		c1=$(cpu_ns)
		stop
		r=$(field rate <<<"$out") tgt=$(field target <<<"$out")
		st=$(grep 'records=' "$TMP/rec.log")
		# a repeat record stands for "count" signals
		n=$("$BIN/sigdump" --pid "$tgt" --signal USR1 --stats "$TMP/s.ring" | jq .signals)
		stats=$("$BIN/sigdump" --stats "$TMP/s.ring")
		stored=$(jq .stored_bytes <<<"$stats") recs=$(jq .records <<<"$stats")
		cpu=$(awk -v a="$c0" -v b="$c1" -v n="$N" 'BEGIN {printf "%.3f", (b - a) / 1000 / n}')
		echo "$b" >>"$TMP/bare"; echo "$r" >>"$TMP/rec"; echo "$recs" >>"$TMP/recs"
		awk -v a="$r" -v b="$b" 'BEGIN {printf "%.3f\n", a / b}' >>"$TMP/ratios"
		echo "$cpu" >>"$TMP/cpu"
		field maxrss_kb <<<"$st" >>"$TMP/rss"
		awk -v s="$stored" -v n="$N" 'BEGIN {printf "%.3f\n", s / n}' >>"$TMP/bps"
		sent=$((sent + N)) recorded=$((recorded + n)) lost=$((lost + $(field lost <<<"$st")))
	done
	hooks=$(sed -n 's/.*syscall hooks: \([a-z]*\).*/\1/p' "$TMP/rec.log")
	echo
	echo "kill() storm to a blocked target: $label (syscall hooks: $hooks)"
	printf '  bare rate (median)          %12.0f signals/s\n' "$(median <"$TMP/bare")"
	printf '  recording rate (median)     %12.0f signals/s\n' "$(median <"$TMP/rec")"
	printf '  ratio (median of pairs)     %12s   (bar >= 0.90; runs: %s)\n' "$(median <"$TMP/ratios")" \
		"$(tr '\n' ' ' <"$TMP/ratios" | sed 's/ $//')"
	printf '  sent / recorded / lost      %d / %d / %d\n' "$sent" "$recorded" "$lost"
	printf '  records in the ring         %12s   (median; every record of the run)\n' "$(median <"$TMP/recs")"
	printf '  bytes on disk per signal    %12s   (bar <= 2; all bytes of the ring / signals sent)\n' \
		"$(median <"$TMP/bps")"
	printf '  recorder CPU per signal     %12s us (bar <= 0.3; CPU used during the storm / signals)\n' \
		"$(median <"$TMP/cpu")"
	printf '  recorder peak RSS           %12s KiB (bar <= 32768)\n' "$(sort -n "$TMP/rss" | tail -1)"
}

storm_series "default (coalescing)"
storm_series "--no-syscall-hooks" --no-syscall-hooks
storm_series "--no-coalesce (one record per signal)" --no-coalesce
storm_series "--no-coalesce --no-syscall-hooks" --no-coalesce --no-syscall-hooks

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

# ---- the floor: a hook that only counts ----
: >"$TMP/ratios3"
for i in $(seq 1 "$RUNS"); do
	b=$("$BIN/storm" kill "$N" | field rate)
	coproc FLOOR { "$BIN/floor"; }
	read -r ready <&"${FLOOR[0]}" || ready=
	[ "$ready" = ready ] || { echo "bench: floor program did not attach" >&2; exit 1; }
	r=$("$BIN/storm" kill "$N" | field rate)
	exec {FLOOR[1]}>&-
	wait "$FLOOR_PID" || true
	awk -v a="$r" -v b="$b" 'BEGIN {printf "%.3f\n", a / b}' >>"$TMP/ratios3"
done
printf '  ratio, counter-only hook    %12s   (floor: tp_btf program that only counts)\n' \
	"$(median <"$TMP/ratios3")"

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
gt=$(tax tracepoint --hooks tracepoint)
gn=$(tax none --no-syscall-hooks)
printf '  bare                        %8.1f\n' "$gb"
printf '  syscall tracepoint hooks    %8.1f  (+%.1f%%)\n' "$gt" "$(awk -v a="$gt" -v b="$gb" 'BEGIN {print (a/b-1)*100}')"
printf '  --no-syscall-hooks          %8.1f  (+%.1f%%)\n' "$gn" "$(awk -v a="$gn" -v b="$gb" 'BEGIN {print (a/b-1)*100}')"

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
