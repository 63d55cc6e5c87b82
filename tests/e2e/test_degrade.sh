#!/usr/bin/env bash
# test_degrade.sh - a kernel that refuses a program.  The test build
# build/tests/sigrec-refuse carries a program the verifier of every kernel
# refuses, picked by SIGREC_TEST_REFUSE: an optional one (on_fork) must cost
# one line and a recording that says what it lacks; the core one must stop
# sigrec with exit 4 and a short message.  Also --check, and what the
# default options say on this kernel.
source "$(dirname "$0")/../lib.sh"
NAMES="check-exit check-parts optional-one-line optional-records optional-start-record why-says timeline-says core-exit core-short default-says-once"
skip_all_unless_bpf $NAMES
REFUSE="$BIN/tests/sigrec-refuse"
[ -x "$REFUSE" ] || { for n in $NAMES; do not_ok "$n: $REFUSE not built (make unit-bin)"; done; tap_done; exit 1; }

# --check: exit 0 here, a line per part
"$BIN/sigrec" --check >"$TMPD/check.out" 2>&1
check "--check exits 0 where the core loads" test $? -eq 0
ok_parts=1
for p in signals "failed attempts" "interrupt attribution" forks execs exits "comm changes" "OOM kills" coalescing; do
	grep -qE "^  $p +(on|off) " "$TMPD/check.out" || { diag "no line for '$p'"; ok_parts=0; }
done
grep -qE '^  signals +on ' "$TMPD/check.out" || ok_parts=0
check "--check names every part, on or off, and how" test "$ok_parts" -eq 1

# an optional program refused: one line, recording goes on and says so
RING="$TMPD/d.ring"
SIGREC_TEST_REFUSE=2 "$REFUSE" -r "$RING" -s 4M --no-pin 2>"$TMPD/opt.log" &
REC_PID=$!
for _ in $(seq 1 100); do grep -q 'recording to' "$TMPD/opt.log" && break; sleep 0.1; done
sleep 5 & SL=$!
sleep 0.2	# exec'd: the TERM must reach sleep, not a copy of this script
kill -TERM "$SL"; wait "$SL" 2>/dev/null
sleep 0.5
kill -TERM "$REC_PID"; wait "$REC_PID"; RC=$?; REC_PID=
sed 's/^/#   /' "$TMPD/opt.log"
n=$(grep -c 'on_fork' "$TMPD/opt.log")
check "refused optional program: one line saying what it costs" \
	grep -q '^sigrec: forks are not recorded: the kernel refused on_fork: .*invalid mem access' "$TMPD/opt.log"
[ "$n" -eq 1 ] || diag "on_fork named $n times"
check "refused optional program: still records (exit $RC, the SIGTERM to sleep[$SL] is there)" \
	test "$RC" -eq 0 -a "$("$BIN/sigdump" --json --pid "$SL" --signal TERM "$RING" | jq -s 'map(select(.type=="signal")) | length')" -ge 1
check "refused optional program: the start record says forks are missing" \
	test "$("$BIN/sigdump" --stats "$RING" | jq -r '.missing // [] | index("forks") != null')" = true
check "--why says what the recording lacks" \
	grep -q '^Note: *this recording has no failed attempts, no forks$' <("$BIN/sigdump" --why "$SL" "$RING")
# on a terminal (script gives sigdump one) the timeline's first line says it
first=$(script -qec "$BIN/sigdump --no-pager $RING" /dev/null | head -n 1 | tr -d '\r')
diag "first line on a terminal: $first"
check "the timeline on a terminal starts by saying what the recording lacks" \
	test "$first" = "# this recording has no failed attempts, no forks"

# the core refused: exit 4, a short message naming program, kernel, last verifier line
SIGREC_TEST_REFUSE=1 "$REFUSE" -r "$TMPD/c.ring" -s 4M --no-pin 2>"$TMPD/core.log"
RC=$?
sed 's/^/#   /' "$TMPD/core.log"
check "refused core program: exit 4" test "$RC" -eq 4
check "refused core program: one short line with program, kernel release, verifier's reason, --verbose" \
	bash -c "[ \$(grep -vc '^sigrec: failed attempts' '$TMPD/core.log') -eq 1 ] &&
		grep -q 'refused the signal program on_signal_generate.*$(uname -r).*\\|$(uname -r).*refused the signal program' '$TMPD/core.log' &&
		grep -q 'invalid mem access' '$TMPD/core.log' && grep -q -- '--verbose' '$TMPD/core.log' &&
		! grep -q '^libbpf' '$TMPD/core.log'"

# the default options on this kernel say once what they do not record
"$BIN/sigrec" -r "$TMPD/e.ring" -s 4M --no-pin --duration 1s 2>"$TMPD/def.log"
RC=$?
sed 's/^/#   /' "$TMPD/def.log"
if grep -qE '^  failed attempts +on ' "$TMPD/check.out"; then
	check "default options: fentry, nothing said about failed attempts" \
		bash -c "[ $RC -eq 0 ] && ! grep -q 'failed attempts' '$TMPD/def.log' && grep -q 'syscall hooks: fentry' '$TMPD/def.log'"
else
	check "default options: no syscall hooks, said once with how to opt in" \
		bash -c "[ $RC -eq 0 ] && [ \$(grep -c 'failed attempts' '$TMPD/def.log') -eq 1 ] &&
			grep -q -- '--hooks tracepoint' '$TMPD/def.log' && grep -q 'syscall hooks: off' '$TMPD/def.log'"
fi
tap_done
