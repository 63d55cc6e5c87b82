#!/usr/bin/env bash
# test_hostile_values.sh - times, clock offsets and counts at their extremes
# (boottime 2^64 - 1, offsets INT64_MAX and INT64_MIN, repeat and lost
# counts of 2^64 - 1) meet no signed overflow in any output, and a repeat
# record claiming 2^64 - 1 signals is refused, so --stats cannot wrap.
# The overflow checks run the UBSan build (make san: build-san/sigdump),
# which aborts at the first undefined operation.  No BPF needed.
source "$(dirname "$0")/../lib.sh"
C="$BIN/tests/test_craft"
SAN="$BIN/sigdump"
[ "$BUILD" = build-san ] || SAN="$ROOT/build-san/sigdump"
MODES=("--json" "--logfmt" "--no-pager --tree" "--stats" "--why 400" "--json --why 401" "--json --boot current")
NAMES=()
for m in "${MODES[@]}"; do NAMES+=("UBSan: sigdump $m, no undefined behaviour"); done
NAMES+=("UBSan: --export of it and the dump read back" "--stats: counts saturate, never wrap"
	"a repeat of 2^64 - 1 signals is refused as a bad record")
if [ ! -x "$C" ] || [ ! -x "$BIN/sigdump" ]; then
	echo "# SKIP: test_craft or sigdump not built (make all unit-bin)" >&2
	for n in "${NAMES[@]}"; do skip "$n" "test_craft or sigdump not built"; done
	tap_done
	exit 0
fi
"$C" hostile "$TMPD/h.ring"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# clean NAME CMD...: CMD exits 0 without a sanitizer report
clean() {
	local name=$1 rc=0; shift
	"$@" >"$TMPD/out" 2>"$TMPD/err" || rc=$?
	if [ "$rc" -eq 0 ] && ! grep -q "runtime error\|Sanitizer" "$TMPD/err"; then
		ok "$name"
	else
		not_ok "$name (exit $rc: $(grep -m1 "runtime error\|Sanitizer" "$TMPD/err"))"
	fi
}

if [ -x "$SAN" ]; then
	for i in "${!MODES[@]}"; do
		# shellcheck disable=SC2086
		clean "${NAMES[$i]}" "$SAN" ${MODES[$i]} "$TMPD/h.ring"
	done
	clean "${NAMES[7]}" bash -c "'$SAN' --export '$TMPD/h.sdump' '$TMPD/h.ring' &&
		'$SAN' --json --tree '$TMPD/h.sdump' >/dev/null && '$SAN' --stats '$TMPD/h.sdump'"
else
	echo "# SKIP: $SAN not built: run make san for the overflow checks" >&2
	for n in "${NAMES[@]:0:8}"; do skip "$n" "$SAN not built (make san)"; done
fi

# 3 boots x 5 times x 2 valid repeats of 2^32 signals; the 3 of 2^64 - 1 refused
"$BIN/sigdump" --stats "$TMPD/h.ring" >"$TMPD/st.json" 2>"$TMPD/st.err"
check "${NAMES[8]}" quiet jq -e '.signals == 128849018880 and .failed == 64424509440 and
	.lost == 18446744073709551615' "$TMPD/st.json"
check "${NAMES[9]}" test "$(grep -c 'bad record stream; rest of chunk skipped' "$TMPD/st.err")" -eq 3
tap_done
