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
# Reader: --last 10m, --stats and --why (time, peak RSS) on full rings.
#
# PEERS=1: the peers measured the same way in the same run, beside sigrec:
# the kernel's own ftrace ring (a tracefs instance with only
# signal:signal_generate enabled, nobody reading it during the storm) and
# libbpf-tools sigsnoop (installed on demand, writing to a file).
#
# Guests (BENCH_PARTS=guests, not in "all": it boots qemu guests, 80-110 s
# each under TCG, 5 minutes for the three): tests/qemu/test_matrix.sh's tax
# boots only (SIGREC_QEMU_ONLY_TAX=1, qemu -icount: guest time counts instructions) on
# BENCH_GUESTS ("deb13 deb13-rt sid", fentry kernels), one at a time: the
# getppid() tax per syscall hook kind and the pair storm bare, under the
# floor and under sigrec, as the guest table; a kernel that cannot be
# fetched (or qemu that cannot run) is a SKIP with the reason.
#
# BENCH_PARTS: "all" (default: every part but guests), or a comma list of
# storms, costs, idle, tax, fork, mixed, reader, guests.  costs: the mix
# storm under builds that leave a part of a new signal's path out (the
# clock read, the ring buffer write, both), built into $BUILD/costs/.
#
# PIN=0 (default): every storm runs on CPU 0 (taskset), bare, under the
# floor, under sigrec and under the peers alike, so that a run does not
# measure where the scheduler put the sender; the recorder and the peers'
# readers have the other CPUs.  PIN= (empty) lets the storm float.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/${BUILD:-build}"
N=${N:-1000000}
RUNS=${RUNS:-5}
FORKS=${FORKS:-3000}
PIN=${PIN-0}
PEERS=${PEERS:-0}
BENCH_PARTS=${BENCH_PARTS:-all}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sigrec-bench.XXXXXX")
REC=
FTI=	# the ftrace peer's tracefs instance, while it exists
SSPID=	# the sigsnoop peer, while it runs
cleanup() {
	[ -n "$REC" ] && kill -KILL "$REC" 2>/dev/null
	[ -n "$SSPID" ] && kill -KILL "$SSPID" 2>/dev/null
	if [ -n "$FTI" ] && [ -d "$FTI" ]; then
		echo 0 >"$FTI/tracing_on" 2>/dev/null
		echo 0 >"$FTI/events/signal/signal_generate/enable" 2>/dev/null
		rmdir "$FTI" 2>/dev/null || echo "bench: could not remove $FTI" >&2
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
set -E
trap 'echo "bench: line $LINENO failed (exit $?): $BASH_COMMAND" >&2' ERR
trap 'exit 130' INT TERM
part() { { [ "$BENCH_PARTS" = all ] && [ "$1" != guests ]; } || [[ ",$BENCH_PARTS," == *",$1,"* ]]; }

[ "$(id -u)" -eq 0 ] || { echo "bench: needs root to load BPF" >&2; exit 1; }

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
# storm LOAD N: the load generator, on CPU $PIN when set
storm() { if [ -n "$PIN" ]; then taskset -c "$PIN" "$BIN/storm" "$@"; else "$BIN/storm" "$@"; fi; }

start() {	# start RING ARGS...: recorder in the background
	local ring=$1; shift
	"${SIGREC_BIN:-$BIN/sigrec}" -r "$ring" --stats "$@" 2>"$TMP/rec.log" &
	REC=$!
	for _ in $(seq 1 200); do
		grep -q 'recording to' "$TMP/rec.log" && return 0
		sleep 0.05
	done
	echo "bench: sigrec did not start" >&2; cat "$TMP/rec.log" >&2; exit 1
}
stop() { kill -TERM "$REC"; wait "$REC" || true; REC=; }
# CPU time of the recorder so far, ns, all threads (schedstat: ns on CPU)
# (a thread that exits between the glob and cat is not an error)
cpu_ns() { { cat /proc/"$REC"/task/*/schedstat 2>/dev/null || true; } | awk '{s += $1} END {print s + 0}'; }
# BPF run time: the sum of every loaded program's run_time_ns, and the
# signal programs' runs and run time (bpf_stats, kernel.bpf_stats_enabled)
bpf_run_ns() {
	bpftool prog show -j | jq -r '[.[] | select(.name | test("^(on_signal_gen|count_signal)"))] as $sig
		| [([.[] | .run_time_ns // 0] | add // 0), ([$sig[] | .run_cnt // 0] | add // 0),
		   ([$sig[] | .run_time_ns // 0] | add // 0)] | @tsv'
}
# bpf_time LOAD: one more storm with bpf_stats on, while the programs under
# test are attached: "ns_all ns_sig" (BPF ns per signal sent, every program;
# ns per run of the signal program).  The stats take two clock reads per
# run, part of which they count: compare these figures with each other only.
bpf_time() {
	local was a b
	was=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -q -w kernel.bpf_stats_enabled=1
	a=$(bpf_run_ns)
	storm "$1" "$N" >/dev/null
	b=$(bpf_run_ns)
	sysctl -q -w kernel.bpf_stats_enabled="$was"
	awk -v a="$a" -v b="$b" -v n="$N" 'BEGIN { split(a, x, "\t"); split(b, y, "\t")
		printf "%.1f %.1f\n", (y[1] - x[1]) / n, (y[2] > x[2]) ? (y[3] - x[3]) / (y[2] - x[2]) : 0 }'
}

echo "sigrec benchmark: $(uname -r), $(nproc) CPUs, N=$N, RUNS=$RUNS, storms on CPU ${PIN:-any}"
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

# floor_on / floor_off: the floor program attached, then detached
floor_on() {
	local ready
	coproc FLOOR { "$BIN/floor"; }
	read -r ready <&"${FLOOR[0]}" || ready=
	[ "$ready" = ready ] || { echo "bench: floor program did not attach" >&2; exit 1; }
}
floor_off() { exec {FLOOR[1]}>&-; wait "$FLOOR_PID" || true; }

# floor_series LOAD: the ratio under a tp_btf hook that only counts
floor_series() {
	local load=$1 b r
	: >"$TMP/ratios3"
	for _ in $(seq 1 "$RUNS"); do
		b=$(storm "$load" "$N" | field rate)
		floor_on
		r=$(storm "$load" "$N" | field rate)
		floor_off
		awk -v a="$r" -v b="$b" 'BEGIN {printf "%.3f\n", a / b}' >>"$TMP/ratios3"
	done
	FLOOR_RATIO[$load]=$(median <"$TMP/ratios3")
	floor_on
	BPFT=$(bpf_time "$load")
	floor_off
	: >"$TMP/sum.$load"
	summary "$load" "floor (tp_btf hook that only counts)" "${FLOOR_RATIO[$load]}" - - "${BPFT% *}"
	echo
	echo "$load storm: the floor (a tp_btf hook on signal_generate that only counts)"
	printf '  ratio (median of pairs)     %12s   (runs: %s)\n' "${FLOOR_RATIO[$load]}" \
		"$(tr '\n' ' ' <"$TMP/ratios3" | sed 's/ $//')"
	bpf_time_line
}
# the figures of bpf_time (in BPFT), as printed under a series
bpf_time_line() {
	printf '  BPF time per signal         %12s ns (bpf_stats, one more storm: every program; %s ns per run of the signal program)\n' \
		"${BPFT% *}" "${BPFT#* }"
}

# storm_series LOAD LABEL [sigrec args...]: RUNS paired runs, then the figures
storm_series() {
	local load=$1 label=$2; shift 2
	local sent=0 got=0 lost=0 i b r out st n stats stored recs cpu c0 c1 ratio bar
	: >"$TMP/ratios"; : >"$TMP/bare"; : >"$TMP/rec"; : >"$TMP/cpu"; : >"$TMP/rss"; : >"$TMP/bps"
	: >"$TMP/recs"; : >"$TMP/got"
	for i in $(seq 1 "$RUNS"); do
		b=$(storm "$load" "$N" | field rate)
		rm -f "$TMP/s.ring"
		start "$TMP/s.ring" -s 256M "$@"
		c0=$(cpu_ns)
		out=$(storm "$load" "$N")
		sleep 0.3	# the reader's last batch
		c1=$(cpu_ns)
		stop
		r=$(field rate <<<"$out")
		st=$(grep 'records=' "$TMP/rec.log") || {
			echo "bench: sigrec $* stopped without its --stats line:" >&2; cat "$TMP/rec.log" >&2; exit 1; }
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
		echo "$n" >>"$TMP/got"
	done
	rm -f "$TMP/s.ring"
	start "$TMP/s.ring" -s 256M "$@"
	BPFT=$(bpf_time "$load")
	stop
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
	printf '  sent / recorded / lost      %d / %d / %d   (recorded per run: %s)\n' "$sent" "$got" "$lost" \
		"$(tr '\n' ' ' <"$TMP/got" | sed 's/ $//')"
	printf '  records in the ring         %12s   (median; every record of the run)\n' "$(median <"$TMP/recs")"
	printf '  bytes on disk per signal    %12s   (bar <= 2 for the pair storm; all bytes of the ring / signals sent)\n' \
		"$(median <"$TMP/bps")"
	printf '  recorder CPU per signal     %12s us (bar <= 0.3; CPU used during the storm / signals)\n' \
		"$(median <"$TMP/cpu")"
	printf '  recorder peak RSS           %12s KiB (bar <= 32768)\n' "$(sort -n "$TMP/rss" | tail -1)"
	bpf_time_line
	summary "$load" "sigrec $label" "$ratio" "$got / $sent" "$lost" "${BPFT% *}"
}

# summary LOAD LABEL RATIO RECORDED/SENT LOST: one row of the side-by-side table
summary() {	# [BPF ns per signal]
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$2" "$3" "$(awk -v a="$3" -v f="${FLOOR_RATIO[$1]}" \
		'BEGIN {printf "%.3f", a / f}')" "$4" "$5" "${6:--}" >>"$TMP/sum.$1"
}
summary_table() {	# summary_table LOAD
	local name
	name=$([ "$1" = kill ] && echo pair || echo mix)
	echo
	echo "$name storm ($1), side by side in this run (ratio: median of $RUNS pairs with bare)"
	printf '  %-64s %7s %8s %21s %9s %8s\n' recorder ratio '/ floor' 'recorded / sent' lost 'BPF ns'
	while IFS=$'\t' read -r l r f rs lo bt; do
		printf '  %-64s %7s %8s %21s %9s %8s\n' "$l" "$r" "$f" "$rs" "$lo" "$bt"
	done <"$TMP/sum.$1"
	if [ "$PEERS" = 1 ]; then
		printf '  (bars: pair >= 0.95 of the floor, mix >= 0.85, ahead of ftrace on both;\n'
		printf '   ftrace lost: overrun + dropped events of its instance; sigsnoop lost: its "lost N events"\n'
		printf '   lines, all signals of the machine, not only the storm'"'"'s)\n'
	fi
	printf '  (BPF ns: BPF run time per signal, every program, from bpf_stats in one more storm)\n'
}

# ---- peers (PEERS=1) ----
# targets_of LOAD OUT: the storm's target pids, comma-separated
targets_of() {
	if [ "$1" = kill ]; then field target <<<"$2"; else sed -n 's/.*targets=\([0-9,]*\).*/\1/p' <<<"$2"; fi
}
# signos_of LOAD: the storm's signal numbers, comma-separated (not the SIGKILL that ends it)
signos_of() {
	local s out=
	if [ "$1" = kill ]; then kill -l USR1; return; fi
	for s in ${MIXSIGS//,/ }; do out=$out${out:+,}$(kill -l "$s"); done
	echo "$out"
}

TRACEFS=/sys/kernel/tracing
PEER_FTRACE_SKIP='' PEER_SNOOP_SKIP='' SNOOP=
peers_setup() {
	# the kernel's ftrace ring: its own instance, only signal_generate
	[ -d "$TRACEFS/instances" ] || mount -t tracefs nodev "$TRACEFS" 2>/dev/null || true
	if [ ! -d "$TRACEFS/instances" ]; then
		PEER_FTRACE_SKIP="no tracefs instances at $TRACEFS (mount -t tracefs failed)"
	elif [ ! -d "$TRACEFS/events/signal/signal_generate" ]; then
		PEER_FTRACE_SKIP="no signal:signal_generate event in $TRACEFS"
	elif ! mkdir "$TRACEFS/instances/sigrec-bench-$$" 2>"$TMP/ft.err"; then
		PEER_FTRACE_SKIP="cannot create a tracefs instance: $(cat "$TMP/ft.err")"
	else
		FTI=$TRACEFS/instances/sigrec-bench-$$
		echo 0 >"$FTI/tracing_on"
		# per CPU, room for a whole storm on one CPU: an event takes 52-56 bytes
		# of the ring (header, time delta, 44 bytes of fields), 80 allowed
		echo $((N * 80 / 1024 + 1024)) >"$FTI/buffer_size_kb"
		echo 1 >"$FTI/events/signal/signal_generate/enable"
		if [ "$(cat "$FTI/set_event")" != signal:signal_generate ]; then
			PEER_FTRACE_SKIP="instance has other events enabled: $(tr '\n' ' ' <"$FTI/set_event")"
		fi
	fi
	# libbpf-tools sigsnoop, installed the way test-only packages are
	if ! "$ROOT/packaging/need.sh" libbpf-tools >"$TMP/need.log" 2>&1; then
		PEER_SNOOP_SKIP="libbpf-tools could not be installed: $(tail -1 "$TMP/need.log")"
	else
		SNOOP=$(dpkg -L libbpf-tools 2>/dev/null | grep '/sigsnoop$' | head -1)
		[ -n "$SNOOP" ] && [ -x "$SNOOP" ] || PEER_SNOOP_SKIP="libbpf-tools has no sigsnoop binary"
	fi
	[ -z "$PEER_FTRACE_SKIP" ] || echo "bench: SKIP ftrace peer: $PEER_FTRACE_SKIP" >&2
	[ -z "$PEER_SNOOP_SKIP" ] || echo "bench: SKIP sigsnoop peer: $PEER_SNOOP_SKIP" >&2
}
ftrace_lost() {	# overrun + dropped events of the instance, all CPUs
	cat "$FTI"/per_cpu/cpu*/stats | awk -F: '$1 == "overrun" || $1 == "commit overrun" ||
		$1 == "dropped events" {s += $2} END {print s + 0}'
}
# count_ftrace TARGETS SIGNOS: signal_generate lines of the instance for them
count_ftrace() {
	awk -v t="$1" -v g="$2" 'BEGIN {
			n = split(t, a, ","); for (i = 1; i <= n; i++) T[a[i]] = 1
			n = split(g, a, ","); for (i = 1; i <= n; i++) G[a[i]] = 1 }
		/ signal_generate: / && match($0, / pid=[0-9]+ grp=/) &&
		(substr($0, RSTART + 5, RLENGTH - 10) in T) && match($0, /: sig=[0-9]+ /) &&
		(substr($0, RSTART + 6, RLENGTH - 7) in G) {c++}
		END {print c + 0}' "$FTI/trace"
}
# count_snoop TARGETS SIGNOS FILE: sigsnoop lines (TIME PID COMM SIG TPID RESULT)
count_snoop() {
	awk -v t="$1" -v g="$2" 'BEGIN {
			n = split(t, a, ","); for (i = 1; i <= n; i++) T[a[i]] = 1
			n = split(g, a, ","); for (i = 1; i <= n; i++) G[a[i]] = 1 }
		NF >= 6 && ($(NF - 1) in T) && ($(NF - 2) in G) {c++}
		END {print c + 0}' "$3"
}
has_link() {	# has_link PID: the process holds a BPF link (its program is attached)
	local f
	for f in /proc/"$1"/fd/*; do
		[ "$(readlink "$f" 2>/dev/null)" = anon_inode:bpf_link ] && return 0
	done
	return 1
}
snoop_start() {	# sigsnoop in the background, returns once its program is attached
	"$SNOOP" >"$TMP/ss.out" 2>"$TMP/ss.err" &
	SSPID=$!
	for _ in $(seq 1 200); do
		kill -0 "$SSPID" 2>/dev/null || break
		has_link "$SSPID" && { sleep 0.1; return 0; }
		sleep 0.05
	done
	kill -KILL "$SSPID" 2>/dev/null; wait "$SSPID" 2>/dev/null || true; SSPID=
	PEER_SNOOP_SKIP="sigsnoop did not attach: $(tail -1 "$TMP/ss.err")"
	echo "bench: SKIP sigsnoop peer: $PEER_SNOOP_SKIP" >&2
	return 1
}
snoop_stop() {	# let it drain what it still can (output stops growing), then SIGINT
	local s0 s1
	s1=$(stat -c %s "$TMP/ss.out")
	for _ in $(seq 1 100); do
		sleep 0.2
		s0=$s1 s1=$(stat -c %s "$TMP/ss.out")
		[ "$s0" = "$s1" ] && break
	done
	kill -INT "$SSPID"; wait "$SSPID" || true; SSPID=
}

# peer_series LOAD ftrace|sigsnoop: RUNS paired runs, the same way as sigrec's
peer_series() {
	local load=$1 peer=$2 sent=0 got=0 lost=0 b r out n l label ratio
	case $peer in
	ftrace) label="ftrace ring (tracefs instance, signal_generate only)"
		[ -z "$PEER_FTRACE_SKIP" ] || { summary_skip "$load" "$label" "$PEER_FTRACE_SKIP"; return; } ;;
	sigsnoop) label="libbpf-tools sigsnoop (to a file)"
		[ -z "$PEER_SNOOP_SKIP" ] || { summary_skip "$load" "$label" "$PEER_SNOOP_SKIP"; return; } ;;
	esac
	: >"$TMP/ratios"; : >"$TMP/bare"; : >"$TMP/rec"
	for _ in $(seq 1 "$RUNS"); do
		b=$(storm "$load" "$N" | field rate)
		if [ "$peer" = ftrace ]; then
			: >"$FTI/trace"	# clears the instance's buffer and its counters
			l=$(ftrace_lost)
			echo 1 >"$FTI/tracing_on"
			out=$(storm "$load" "$N")
			echo 0 >"$FTI/tracing_on"
			n=$(count_ftrace "$(targets_of "$load" "$out")" "$(signos_of "$load")")
			l=$(($(ftrace_lost) - l))
			: >"$FTI/trace"
		else
			snoop_start || { summary_skip "$load" "$label" "$PEER_SNOOP_SKIP"; return; }
			out=$(storm "$load" "$N")
			snoop_stop
			n=$(count_snoop "$(targets_of "$load" "$out")" "$(signos_of "$load")" "$TMP/ss.out")
			l=$(sed -n 's/^lost \([0-9]*\) events.*/\1/p' "$TMP/ss.err" | awk '{s += $1} END {print s + 0}')
			rm -f "$TMP/ss.out"
		fi
		r=$(field rate <<<"$out")
		echo "$b" >>"$TMP/bare"; echo "$r" >>"$TMP/rec"
		awk -v a="$r" -v b="$b" 'BEGIN {printf "%.3f\n", a / b}' >>"$TMP/ratios"
		sent=$((sent + N)) got=$((got + n)) lost=$((lost + l))
	done
	ratio=$(median <"$TMP/ratios")
	echo
	echo "$load storm: peer: $label"
	printf '  bare rate (median)          %12.0f signals/s\n' "$(median <"$TMP/bare")"
	printf '  recording rate (median)     %12.0f signals/s\n' "$(median <"$TMP/rec")"
	printf '  ratio to bare (median)      %12s   (runs: %s)\n' "$ratio" \
		"$(tr '\n' ' ' <"$TMP/ratios" | sed 's/ $//')"
	printf '  ratio to the floor          %12s\n' \
		"$(awk -v a="$ratio" -v f="${FLOOR_RATIO[$load]}" 'BEGIN {printf "%.3f", a / f}')"
	printf '  sent / recorded / lost      %d / %d / %d   (lost: %s)\n' "$sent" "$got" "$lost" \
		"$([ "$peer" = ftrace ] && echo "overrun + dropped events of the instance" ||
			echo "its \"lost N events\" lines, all signals of the machine")"
	summary "$load" "$label" "$ratio" "$got / $sent" "$lost"
}
summary_skip() {	# summary_skip LOAD LABEL REASON
	echo
	echo "$1 storm: peer: $2: SKIP: $3"
	printf '%s\tSKIP\t-\t%s\t-\t-\n' "$2" "${3:0:60}" >>"$TMP/sum.$1"
}

if part storms; then
	[ "$PEERS" = 1 ] && peers_setup
	for load in ${BENCH_LOADS:-kill mix}; do
		floor_series "$load"
		storm_series "$load" "default"
		# the signal program's other ways of reading siginfo (capture.c), for comparison
		SIGREC_SIGNAL_READ=probe storm_series "$load" "default, siginfo by bpf_probe_read_kernel"
		storm_series "$load" "--hooks tracepoint (failed attempts; taxes every syscall)" --hooks tracepoint
		storm_series "$load" "--no-coalesce (one record per signal)" --no-coalesce
		if [ "$PEERS" = 1 ]; then
			peer_series "$load" ftrace
			peer_series "$load" sigsnoop
		fi
	done
	for load in ${BENCH_LOADS:-kill mix}; do summary_table "$load"; done
	[ "$PEERS" = 1 ] || printf '\n(PEERS=1 adds the ftrace ring and sigsnoop to these tables)\n'
fi

if part costs; then
# ---- where a new signal's time goes: builds that leave a part out ----
# The mix storm (nothing to coalesce: every signal takes the path of a new
# one) under the default build and under builds of the same sources with
# SIGREC_BENCH_PART (bpf/sigrec.bpf.c), each leaving out a part of that
# path.  Those builds are not recorders; they only show what the parts cost.
echo
echo "mix storm: where a new signal's time goes (RUNS=$RUNS pairs; the rows after the first are"
echo "  benchmark builds that leave a part out and record wrongly or nothing: not recorders)"
[ -n "${FLOOR_RATIO[mix]:-}" ] || floor_series mix >/dev/null
: >"$TMP/costs"
for p in 0 1 2 3; do
	case $p in
	0) label="default build"; exe=$BIN/sigrec ;;
	1) label="no clock read (the default: 1 in 16 in a storm)" ;;
	2) label="no ring buffer write (new signals are not written)" ;;
	3) label="neither" ;;
	esac
	if [ "$p" != 0 ]; then
		exe=$BIN/costs/p$p/sigrec
		make -s -C "$ROOT" BUILD="$BIN/costs/p$p" BPF_DEFS=-DSIGREC_BENCH_PART=$p \
			"$exe" >"$TMP/make.log" 2>&1 || { echo "bench: cannot build $exe:" >&2; cat "$TMP/make.log" >&2; exit 1; }
	fi
	: >"$TMP/ratios"
	for _ in $(seq 1 "$RUNS"); do
		b=$(storm mix "$N" | field rate)
		rm -f "$TMP/c.ring"
		SIGREC_BIN=$exe start "$TMP/c.ring" -s 256M
		r=$(storm mix "$N" | field rate)
		stop
		awk -v a="$r" -v b="$b" 'BEGIN {printf "%.3f\n", a / b}' >>"$TMP/ratios"
	done
	rm -f "$TMP/c.ring"
	SIGREC_BIN=$exe start "$TMP/c.ring" -s 256M
	BPFT=$(bpf_time mix)
	stop
	printf '%s\t%s\t%s\t%s\n' "$label" "$(median <"$TMP/ratios")" "${BPFT% *}" "${BPFT#* }" >>"$TMP/costs"
done
printf '  %-52s %8s %8s %10s %10s\n' build ratio '/ floor' 'BPF ns' 'signal ns'
while IFS=$'\t' read -r l r bt st; do
	printf '  %-52s %8s %8s %10s %10s\n' "$l" "$r" \
		"$(awk -v a="$r" -v f="${FLOOR_RATIO[mix]}" 'BEGIN {printf "%.3f", a / f}')" "$bt" "$st"
done <"$TMP/costs"
printf '  (BPF ns: BPF run time per signal, every program; signal ns: per run of the signal\n'
printf '   program; both from bpf_stats in one more storm, whose clock reads they partly count)\n'
fi

if part idle; then
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

fi

if part tax; then
# ---- unrelated syscall tax ----
echo
echo "unrelated syscall: getppid() loop, ns per call (median of $RUNS)"
G=$((N * 5))
tax() {	# tax LABEL [sigrec args...]
	local label=$1; shift
	: >"$TMP/g"
	for _ in $(seq 1 "$RUNS"); do
		if [ "$label" != bare ]; then rm -f "$TMP/g.ring"; start "$TMP/g.ring" -s 16M "$@"; fi
		storm getppid "$G" | field ns_per_op >>"$TMP/g"
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

fi

if part fork; then
# ---- fork + exec + exit storm ----
echo
echo "fork+exec+exit storm ($FORKS processes)"
: >"$TMP/f"
for _ in $(seq 1 "$RUNS"); do
	b=$(storm fork "$FORKS" | field rate)
	rm -f "$TMP/f.ring"
	start "$TMP/f.ring" -s 64M
	r=$(storm fork "$FORKS" | field rate)
	stop
	awk -v a="$r" -v b="$b" 'BEGIN {printf "%.3f\n", a / b}' >>"$TMP/f"
done
stats=$("$BIN/sigdump" --stats "$TMP/f.ring")
printf '  ratio (median)              %8s\n' "$(median <"$TMP/f")"
printf '  bytes per process lifecycle %8.1f  (fork+exec+exit+SIGCHLD records, all bytes / %d)\n' \
	"$(jq --argjson n "$FORKS" '.stored_bytes / $n' <<<"$stats")" "$FORKS"

fi

if part mixed; then
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

fi

if part guests; then
# ---- guests: the tax boots of the kernel matrix ----
echo
BENCH_GUESTS=${BENCH_GUESTS:-deb13 deb13-rt sid}
echo "guests (qemu TCG, 1 vCPU, -icount: ns of guest time = instructions): $BENCH_GUESTS"
g_rc=0
SIGREC_QEMU_ONLY_TAX=1 SIGREC_MATRIX_KERNELS=$BENCH_GUESTS SIGREC_QEMU_JOBS=1 \
	SIGREC_KERNELS_MD="$TMP/kernels.md" BUILD=${BUILD:-build} \
	bash "$ROOT/tests/qemu/test_matrix.sh" >"$TMP/guests.tap" 2>&1 || g_rc=$?
# per kernel: skips, failures, the figures
grep -E '^# ==== |^#   (getppid tax|pair storm)|^#     (bare|fentry|tracepoint|off) |^not ok |# SKIP ' "$TMP/guests.tap" |
	sed 's/^# //; s/^/  /' || true
if [ -s "$TMP/kernels.md" ]; then
	echo
	# kernel, the tax columns, the pair storm's (with the floor + fexit), the
	# tax boot's wall time
	sed -n '/^## Figures/,/^## What/p' "$TMP/kernels.md" | grep '^|' |
		awk -F'|' -v OFS='|' '{ print "  ", $2, $4, $5, $6, $7, $8, $9, $10, $11, $14, "" }'
fi
[ "$g_rc" = 0 ] || echo "  (the matrix's tax boots reported failures, exit $g_rc: see above)"

fi

part reader || exit 0
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
# --stats and --why read the whole ring: time and peak RSS, on the default
# 64 MiB ring and on the full 1 GiB one (bars: 0.5 s / 64 MiB, 5 s / 256 MiB),
# and --last 10m beside them (its peak RSS too).
# mkring's signals go to pids 5000-5996 ("worker0" is 5000), so --why 5000.
tmr() { /usr/bin/time -f '%e %M' "$@" 2>&1 >/dev/null | tail -1; }
whole() {	# whole RING LABEL
	local ring=$1 label=$2 o
	for o in "--stats" "--why 5000" "--last 10m"; do
		# one run each: they take seconds, not milliseconds
		# shellcheck disable=SC2086
		tmr "$BIN/sigdump" $o --no-pager "$ring" >"$TMP/w"
		printf '  sigdump %-11s %-7s %8s s  peak RSS %8s KiB\n' "$o" "$label" \
			"$(awk '{print $1}' "$TMP/w")" "$(awk '{print $2}' "$TMP/w")"
	done
}
whole "$TMP/big.ring" "1 GiB"
rm -f "$TMP/big.ring"
"$BIN/mkring" "$TMP/r64.ring" 64M 100000 600 >/dev/null
"$BIN/sigdump" --stats "$TMP/r64.ring" >/dev/null 2>&1	# warm the page cache
whole "$TMP/r64.ring" "64 MiB"
echo "  (bars: --stats and --why < 0.5 s and 64 MiB on 64 MiB, < 5 s and 256 MiB on 1 GiB;"
echo "   --last 10m < 0.5 s on 1 GiB)"
rm -f "$TMP/r64.ring"
