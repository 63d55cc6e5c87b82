#!/usr/bin/env bash
# run.sh - runs every test (unit, end to end, qemu) and prints one summary
# line: "N passed, N failed, N skipped".  Each test program speaks TAP; a
# program that dies without reporting counts as one failure.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
export BUILD
cd "$ROOT"

# SIGREC_SUITES: which suites to run (default all): unit e2e qemu
SUITES=" ${SIGREC_SUITES:-unit e2e qemu} "
pass=0 fail=0 skipped=0
LOG=$(mktemp /tmp/sigrec-run.XXXXXX)

run_one() {
	local name=$1; shift
	local start end rc
	start=$(date +%s)
	echo "== $name"
	"$@" >"$LOG" 2>&1
	rc=$?
	end=$(date +%s)
	local p f s
	p=$(grep -cE '^ok [0-9]+' "$LOG" | tr -d ' ')
	s=$(grep -ciE '^ok [0-9]+.*# *skip' "$LOG" | tr -d ' ')
	f=$(grep -cE '^not ok [0-9]+' "$LOG" | tr -d ' ')
	p=$((p - s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc without reporting a failure" >>"$LOG"
	fi
	grep -E '^(not ok|ok .*# *[Ss][Kk][Ii][Pp])|^# ' "$LOG" | sed 's/^/   /'
	[ "$f" -gt 0 ] && tail -n 40 "$LOG" | sed 's/^/   | /'
	echo "   $p passed, $f failed, $s skipped ($((end - start))s)"
	pass=$((pass + p)) fail=$((fail + f)) skipped=$((skipped + s))
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] && [[ $SUITES == *" unit "* ]] || continue
	run_one "unit/$(basename "$t")" env CMOCKA_MESSAGE_OUTPUT=TAP "$t"
done
for t in tests/e2e/test_*.sh tests/qemu/test_*.sh; do
	[ -f "$t" ] || continue
	suite=${t#tests/}
	[[ $SUITES == *" ${suite%%/*} "* ]] || continue
	run_one "${t#tests/}" bash "$t"
done
rm -f "$LOG"
echo
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
