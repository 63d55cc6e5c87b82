#!/usr/bin/env bash
# test_crash.sh - sigrec SIGKILLed in the middle of a kill() storm: every
# event it had taken from the kernel is still readable after a restart, the
# file opens without warnings, and recording continues.
source "$(dirname "$0")/../lib.sh"
skip_all_unless_bpf "storm recorded before the kill" "nothing lost across SIGKILL" \
	"capture went on while sigrec was down" \
	"restart opens the ring cleanly" "recording continues after restart" \
	"restarted ring reads without warnings"

RING="$TMPD/crash.ring"
# one record per signal: the check below compares the timeline line by line
start_rec "$RING" -s 32M -S USR1 --no-coalesce || { not_ok "sigrec starts"; tap_done; exit 1; }
"$BIN/storm" kill 2000000 >"$TMPD/storm.out" &
STORM=$!
sleep 0.4
kill -STOP "$REC_PID"	# what the file holds now is all sigrec had written
cp "$RING" "$TMPD/snapshot.ring"
kill -KILL "$REC_PID"
wait "$REC_PID" 2>/dev/null
REC_PID=
wait "$STORM"
TGT=$(sed -n 's/.*target=\([0-9]*\).*/\1/p' "$TMPD/storm.out")

# the timeline's lines for the storm target, before and after (text: the
# JSON of a million events with their ancestry is slow to produce and parse)
"$BIN/sigdump" --utc --pid "$TGT" --signal USR1 "$TMPD/snapshot.ring" >"$TMPD/before" 2>/dev/null
N=$(wc -l <"$TMPD/before")
diag "storm target $TGT: $N events in the ring at SIGKILL time"
check "storm recorded before the kill" test "$N" -gt 1000

if start_rec "$RING" -s 32M -S USR1 --no-coalesce; then
	ok "restart opens the ring cleanly"
else
	not_ok "restart opens the ring cleanly"
fi
M=$("$BIN/sigsend" kill)
stop_rec
"$BIN/sigdump" --utc --pid "$TGT" --signal USR1 "$RING" 2>"$TMPD/after.err" >"$TMPD/after"
"$BIN/sigdump" --json --pid "$(jq .target <<<"$M")" "$RING" >"$TMPD/after.json"
# what sigrec had written is all there, in order; the pinned BPF programs
# kept capturing while it was down, so more follows
check "nothing lost across SIGKILL" cmp -s "$TMPD/before" <(head -n "$N" "$TMPD/after")
diag "after restart: $(wc -l <"$TMPD/after") events for the storm target"
check "capture went on while sigrec was down" test "$(wc -l <"$TMPD/after")" -gt "$N"
MT=$(jq .target <<<"$M")
check "recording continues after restart" \
	test "$(jq -c "select(.target.pid==$MT and .sig==10)" "$TMPD/after.json" | wc -l)" -eq 1
check "restarted ring reads without warnings" test ! -s "$TMPD/after.err"
tap_done
