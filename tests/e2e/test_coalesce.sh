#!/usr/bin/env bash
# test_coalesce.sh - a storm of identical signals is recorded as repeat
# records (one per CPU and scheduler tick, with a count) that add up to
# exactly the signals sent; identities stay exact inside a storm (a sender
# that renames itself starts a new run); sparse repeats keep their own
# times; --no-coalesce writes one record per signal; a storm no coalescing
# folds keeps one record per signal, and past the first 32 new signals of
# a CPU in a tick only every 16th reads the clock (the others: time_shared);
# the new signals a CPU stages reach the live ring by the next poll.
source "$(dirname "$0")/../lib.sh"
HOOKS=$(syscall_hooks)	# these checks need failed attempts and syscall arguments
NAMES=("storm: counts add up to the signals sent" "storm: far fewer records than signals"
	"storm: repeats carry count >= 2 and from <= to" "storm: timeline in time order"
	"storm: repeat times inside the storm" "rename inside a run: both names, exact counts"
	"sparse identical signals: one event each, exact times"
	"storm: --why and --stats count every signal" "storm: an export keeps the counts"
	"--no-coalesce: one record per signal, no counts"
	"mix storm: one record per signal, none folded"
	"mix storm: shared times are the time of the record before, at most 15 in a row"
	"mix storm: the clock is read for at least one record in 16"
	"sparse and --no-coalesce signals: no shared time"
	"a few new signals: in the live ring by the next poll, recorder still running")
skip_all_unless_bpf "${NAMES[@]}"

D="$BIN/sigdump"
now_ns() { date +%s%N; }

# 1. a kill() storm to one blocked target
RING="$TMPD/c.ring"
start_rec "$RING" -s 16M -S USR1,USR2 --hooks "$HOOKS"
N=300000
T0=$(now_ns)
OUT=$("$BIN/storm" kill "$N")
T1=$(now_ns)
stop_rec
TGT=$(sed -n 's/.*target=\([0-9]*\).*/\1/p' <<<"$OUT")
"$D" --json --pid "$TGT" --signal USR1 "$RING" >"$TMPD/c.json"
SUM=$(jq -s 'map(.count // 1) | add' "$TMPD/c.json")
LINES=$(wc -l <"$TMPD/c.json")
REPEATS=$(jq -c 'select(.count)' "$TMPD/c.json" | wc -l)
diag "storm: sent $N, $LINES events in the timeline ($REPEATS repeat records), counts add up to $SUM"
check "${NAMES[0]}" test "$SUM" -eq "$N"
check "${NAMES[1]}" test "$LINES" -lt $((N / 20)) -a "$REPEATS" -gt 0
check "${NAMES[2]}" test "$(jq -c 'select(.count and (.count < 2 or .to < .time))' "$TMPD/c.json" | wc -l)" -eq 0
check "${NAMES[3]}" test "$(jq -r .time "$TMPD/c.json" | sort -c 2>&1 | wc -l)" -eq 0
# RFC 3339 UTC with 9 digits sorts as text; compare against the wall clock
# read before and after the storm
iso() { date -u -d "@$(( $1 / 1000000000 ))" +%Y-%m-%dT%H:%M:%S; printf '.%09dZ' $(( $1 % 1000000000 )); }
A=$(iso "$T0" | tr -d '\n') B=$(iso "$T1" | tr -d '\n')
# (a run's last repeats are written when it ends: "to" may be that later time)
check "${NAMES[4]}" test "$(jq -c --arg a "$A" --arg b "$B" \
	'select(.count and (.time < $a or .time > $b))' "$TMPD/c.json" | wc -l)" -eq 0
WHY=$("$D" --why "$TGT" --json "$RING" | head -1 | jq .signals_total)
ST=$("$D" --stats --pid "$TGT" --signal USR1 "$RING" | jq .signals)
diag "storm: --why counts $WHY signals received, --stats $ST"
check "${NAMES[7]}" test "$WHY" -eq "$N" -a "$ST" -eq "$N"
"$D" --pid "$TGT" --export "$TMPD/c.sdump" "$RING" 2>/dev/null
check "${NAMES[8]}" test "$("$D" --json --signal USR1 "$TMPD/c.sdump" |
	jq -s 'map(select(.type == "signal") | .count // 1) | add')" -eq "$N"

# 2. one sender, identical signals, renamed half-way: identities stay exact
RING="$TMPD/r.ring"
bash -c "trap '' USR1 USR2; exec sleep 1000" & TGT=$!
start_rec "$RING" -s 16M -S USR1 --hooks "$HOOKS"
bash -c "for i in \$(seq 2000); do kill -USR1 $TGT; done
	 printf renamed >/proc/\$\$/comm
	 for i in \$(seq 3000); do kill -USR1 $TGT; done" 2>/dev/null
stop_rec
kill -KILL $TGT; wait $TGT 2>/dev/null
"$D" --json --pid "$TGT" --signal USR1 "$RING" >"$TMPD/r.json"
BY=$(jq -s -c 'group_by(.sender.comm) | map({(.[0].sender.comm): (map(.count // 1) | add)}) | add' "$TMPD/r.json")
diag "rename: signals by sender comm: $BY ($(wc -l <"$TMPD/r.json") events)"
check "${NAMES[5]}" test "$BY" = '{"bash":2000,"renamed":3000}'

# 3. sparse identical signals (50 ms apart): no counts, one event each
RING="$TMPD/s.ring"
bash -c "trap '' USR1 USR2; exec sleep 1000" & TGT=$!
start_rec "$RING" -s 16M -S USR2 --hooks "$HOOKS"
for _ in 1 2 3 4 5; do kill -USR2 $TGT; sleep 0.05; done
sleep 0.3
stop_rec
kill -KILL $TGT; wait $TGT 2>/dev/null
"$D" --json --pid "$TGT" --signal USR2 "$RING" >"$TMPD/s.json"
check "${NAMES[6]}" test "$(jq -c 'select(.sig == 12 and (.count | not))' "$TMPD/s.json" | wc -l)" -eq 5 \
	-a "$(jq -r .time "$TMPD/s.json" | sort -u | wc -l)" -eq 5

# 4. --no-coalesce
RING="$TMPD/x.ring"
start_rec "$RING" -s 64M -S USR1 --no-coalesce --hooks "$HOOKS"
N=50000
OUT=$("$BIN/storm" kill "$N")
stop_rec
TGT=$(sed -n 's/.*target=\([0-9]*\).*/\1/p' <<<"$OUT")
"$D" --json --pid "$TGT" --signal USR1 "$RING" >"$TMPD/x.json"
check "${NAMES[9]}" test "$(wc -l <"$TMPD/x.json")" -eq "$N" -a \
	"$(jq -c 'select(.count)' "$TMPD/x.json" | wc -l)" -eq 0
NOSHARE=$(jq -c 'select(.time_shared)' "$TMPD/x.json" "$TMPD/s.json" | wc -l)

# 5. the mix storm on one CPU: 8 targets, 7 signals, no two in a row alike
RING="$TMPD/m.ring"
start_rec "$RING" -s 64M --hooks "$HOOKS"
N=40000
OUT=$(taskset -c 0 "$BIN/storm" mix "$N")
stop_rec
# (the storm and its 8 targets are all "storm"; only the storm sends SI_USER,
# and a SIGKILL to each target at its end)
"$D" --json "$RING" | jq -c \
	'select(.type == "signal" and .sender.comm == "storm" and .code == "SI_USER" and .signal != "SIGKILL")' >"$TMPD/m.json"
LINES=$(wc -l <"$TMPD/m.json")
SHARED=$(jq -c 'select(.time_shared)' "$TMPD/m.json" | wc -l)
# a shared time is its predecessor's on the CPU (the storm has CPU 0 alone
# but for what else runs there, whose records read the clock: the next
# storm record then reads it too); the longest run of shared times
read -r BAD RUN < <(jq -r '[.time, (.time_shared // false)] | @tsv' "$TMPD/m.json" | awk -F'\t' '
	{ if ($2 == "true") { if (NR == 1 || $1 != prev) bad++; run++; if (run > max) max = run }
	  else run = 0; prev = $1 }
	END { print bad + 0, max + 0 }')
diag "mix storm: sent $N, $LINES records, $SHARED with a shared time, $BAD not their predecessor's, longest run $RUN"
check "${NAMES[10]}" test "$LINES" -eq "$N" -a "$(jq -c 'select(.count)' "$TMPD/m.json" | wc -l)" -eq 0
check "${NAMES[11]}" test "$SHARED" -gt 0 -a "$BAD" -eq 0 -a "$RUN" -le 15
check "${NAMES[12]}" test $((LINES - SHARED)) -ge $((N / 16))
check "${NAMES[13]}" test "$NOSHARE" -eq 0

# 6. 13 new signals on one CPU, nothing after them there: a CPU stages up
# to 8 for the ring buffer; the recorder's poll hands the rest over
RING="$TMPD/p.ring"
bash -c "trap '' USR1 USR2; exec sleep 1000" & TGT=$!
start_rec "$RING" -s 16M -S USR1,USR2 --hooks "$HOOKS"
# (the sender then spins, so that no exit of its hands them over; the
# rest of the test keeps off its CPU)
taskset -c 0 bash -c "for i in {1..13}; do kill -USR\$((i % 2 + 1)) $TGT; done
	t=\$SECONDS; while [ \$((SECONDS - t)) -lt 6 ]; do :; done" & SND=$!
C1=$(( $(nproc) > 1 ? 1 : 0 ))
taskset -c $C1 sleep 2.5
LIVE=$(taskset -c $C1 "$D" --json --pid "$TGT" "$RING" | jq -s 'map(select(.type == "signal")) | length')
wait $SND
stop_rec
kill -KILL $TGT; wait $TGT 2>/dev/null
diag "13 signals sent to $TGT: $LIVE in the live ring after 2.5 s"
check "${NAMES[14]}" test "$LIVE" -eq 13
tap_done
