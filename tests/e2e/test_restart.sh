#!/usr/bin/env bash
# test_restart.sh - the pinned BPF programs keep capturing while sigrec is
# down.  Over a storm of N signals during which sigrec is SIGKILLed and
# restarted several times: recorded + counted as lost = N (give or take
# other SIGUSR1s dropped meanwhile: at most 16), and
# lost = 0 when the gaps fit in the BPF ring buffer (with coalescing, the
# repeats a killed sigrec left in the kernel are written by the next one).
# A clean stop unpins.
source "$(dirname "$0")/../lib.sh"
skip_all_unless_bpf "big buffer: every signal recorded, none lost" \
	"small buffer: recorded + lost = sent" "small buffer: drops were counted" \
	"restarts took over the pinned capture" "clean stop removes the pins" \
	"a crash leaves the capture pinned" "--unpin removes it"

D="$BIN/sigdump"
PINS_BEFORE=$(ls /sys/fs/bpf/sigrec 2>/dev/null | sort)
# storm_with_kills NAME N ROUNDS ARGS...: prints "recorded lost"
storm_with_kills() {
	local name=$1 n=$2 rounds=$3; shift 3
	local ring="$TMPD/$name.ring" tgt
	start_rec "$ring" -s 64M -S USR1 --no-lifecycle "$@" || return 1
	"$BIN/storm" kill "$n" >"$TMPD/$name.storm" &
	local storm=$!
	for _ in $(seq 1 "$rounds"); do
		sleep 0.3
		kill -KILL "$REC_PID"; wait "$REC_PID" 2>/dev/null; REC_PID=
		sleep 0.2
		start_rec "$ring" -s 64M -S USR1 --no-lifecycle "$@" || return 1
		grep -q 'took over' "$REC_LOG" && echo took-over >>"$TMPD/$name.took"
	done
	wait "$storm"
	sleep 0.3
	stop_rec
	tgt=$(sed -n 's/.*target=\([0-9]*\).*/\1/p' "$TMPD/$name.storm")
	echo "$("$D" --pid "$tgt" --signal USR1 --stats "$ring" | jq .signals) \
$("$D" --stats "$ring" | jq .lost)"
}

N=300000
read -r REC LOST < <(storm_with_kills big "$N" 3 --buffer 256M)
diag "big buffer: sent $N, recorded $REC, lost $LOST"
check "big buffer: every signal recorded, none lost" test "$REC" -eq "$N" -a "$LOST" -eq 0

# one record per signal (no coalescing), so that a 1 MiB buffer overflows
N=1500000
read -r REC LOST < <(storm_with_kills small "$N" 3 --buffer 1M --no-coalesce)
diag "small buffer: sent $N, recorded $REC, lost $LOST"
# lost counts every record the kernel could not hand over, the storm's and
# any other SIGUSR1 on the machine meanwhile (a run the kernel did not nest
# is not even known to be a SIGUSR1): a few more than the storm's own
EXTRA=$((REC + LOST - N))
[ "$EXTRA" -ne 0 ] && diag "small buffer: $EXTRA lost records were not the storm's"
check "small buffer: recorded + lost = sent" test "$REC" -le "$N" -a "$EXTRA" -ge 0 -a "$EXTRA" -le 16
check "small buffer: drops were counted" test "$LOST" -gt 0
check "restarts took over the pinned capture" test "$(cat "$TMPD"/*.took 2>/dev/null | wc -l)" -eq 6
check "clean stop removes the pins" test "$(ls /sys/fs/bpf/sigrec 2>/dev/null | sort)" = "$PINS_BEFORE"

# a crashed recorder's capture, removed by hand (e.g. before uninstalling)
start_rec "$TMPD/u.ring" -s 4M
kill -KILL "$REC_PID"; wait "$REC_PID" 2>/dev/null; REC_PID=
check "a crash leaves the capture pinned" test "$(ls /sys/fs/bpf/sigrec | sort)" != "$PINS_BEFORE"
"$BIN/sigrec" -r "$TMPD/u.ring" --unpin 2>/dev/null
check "--unpin removes it" test "$(ls /sys/fs/bpf/sigrec 2>/dev/null | sort)" = "$PINS_BEFORE"
tap_done
