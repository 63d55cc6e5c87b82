#!/usr/bin/env bash
# test_reader_bounds.sh - the work and memory of sigdump stay bounded
# whatever a recording holds: one pid with 100,000 start times in one clock
# tick (once one hash chain of all of them: minutes), millions of exec
# records of one process (once a 650-byte copy each: gigabytes).  Times are
# checked with a generous timeout, memory with the peak RSS.  No BPF needed.
source "$(dirname "$0")/../lib.sh"
D="$BIN/sigdump" C="$BIN/tests/test_craft"
NAMES=("one pid, 100,000 start times: JSON within 60 s" "one pid, 100,000 start times: every event"
	"one pid, 100,000 start times: --tree within 60 s"
	"2,000,000 identical execs: peak RSS under 64 MiB"
	"1,000,000 different execs: peak RSS under 64 MiB"
	"history cut: the early event is marked exec_history_cut"
	"history cut: a warning on stderr" "history cut: --stats with a filter that models counts it"
	"history cut: --stats alone models nothing and cuts nothing")
if [ ! -x "$C" ] || [ ! -x "$D" ]; then
	echo "# SKIP: $C or $D not built (make all unit-bin)" >&2
	for n in "${NAMES[@]}"; do skip "$n" "test_craft or sigdump not built"; done
	tap_done
	exit 0
fi

# timed SECONDS OUT CMD...: CMD within SECONDS, stdout to OUT; sets RC and MS
timed() {
	local secs=$1 out=$2 start; shift 2
	start=$(date +%s%N)
	RC=0
	timeout "$secs" "$@" >"$out" 2>"$TMPD/err" || RC=$?
	MS=$((($(date +%s%N) - start) / 1000000))
}

"$C" pidstorm "$TMPD/pid.ring" 100000
timed 60 "$TMPD/pid.json" "$D" --no-pager --json "$TMPD/pid.ring"
diag "100,000 signals of one pid pair: exit $RC in $MS ms"
check "${NAMES[0]}" test "$RC" -eq 0
check "${NAMES[1]}" test "$(grep -c '"type":"signal"' "$TMPD/pid.json")" -eq 100000
timed 60 /dev/null "$D" --no-pager --tree "$TMPD/pid.ring"
diag "the same with --tree: exit $RC in $MS ms"
check "${NAMES[2]}" test "$RC" -eq 0

# peak RSS in KiB of CMD (stdout to OUT), or nothing without GNU time; a
# sanitizer build keeps freed memory in quarantine (256 MiB), which is not
# sigdump's: it is turned off for the measurement
peak_rss() {
	local out=$1; shift
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0" /usr/bin/time -f '%M' -o "$TMPD/rss" "$@" >"$out" 2>"$TMPD/err" && cat "$TMPD/rss"
}
if [ ! -x /usr/bin/time ]; then
	echo "# SKIP: /usr/bin/time (GNU time) is missing: no peak RSS to check" >&2
	for n in "${NAMES[@]:3:2}"; do skip "$n" "/usr/bin/time missing"; done
else
	"$C" execstorm "$TMPD/same.ring" 2000000 same
	kb=$(peak_rss /dev/null timeout 120 "$D" --no-pager --json "$TMPD/same.ring")
	diag "2,000,000 identical execs: peak RSS ${kb:-?} KiB"
	check "${NAMES[3]}" test "${kb:-999999999}" -lt 65536
	"$C" execstorm "$TMPD/vary.ring" 1000000 vary
	kb=$(peak_rss "$TMPD/vary.json" timeout 120 "$D" --no-pager --json "$TMPD/vary.ring")
	diag "1,000,000 different execs: peak RSS ${kb:-?} KiB"
	check "${NAMES[4]}" test "${kb:-999999999}" -lt 65536
fi

"$C" execstorm "$TMPD/vary.ring" 1000000 vary
"$D" --no-pager --json "$TMPD/vary.ring" >"$TMPD/vary.json" 2>"$TMPD/vary.err"
check "${NAMES[5]}" test "$(jq -c 'select(.type=="signal" and .sig==10 and
	.sender.exec_history_cut==true)' "$TMPD/vary.json" | wc -l)" -eq 1
check "${NAMES[6]}" grep -q "exec history cut: 999936 exec images of 1 processes" "$TMPD/vary.err"
check "${NAMES[7]}" bash -c "'$D' --stats --cause syscall '$TMPD/vary.ring' 2>/dev/null | jq -e '.exec_images_cut == 999936' >/dev/null"
check "${NAMES[8]}" bash -c "'$D' --stats '$TMPD/vary.ring' 2>/dev/null | jq -e '.exec_images_cut == 0' >/dev/null"
tap_done
