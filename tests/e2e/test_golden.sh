#!/usr/bin/env bash
# test_golden.sh - sigdump's output for a committed recording
# (tests/data/basic.sdump) against the golden files beside it: the text
# timeline, --why and --tree exactly, JSON, logfmt and --stats as the
# output contract allows (fields only added).  Needs neither root nor BPF.
source "$(dirname "$0")/../lib.sh"
DATA="$ROOT/tests/data"
D="$BIN/sigdump"
export TZ=UTC

golden() {	# NAME KIND GOLDEN-FILE sigdump-args...
	local name=$1 kind=$2 gold=$3; shift 3
	"$D" --no-pager "$@" >"$TMPD/out" 2>"$TMPD/err"
	local rc=$?
	if [ "$rc" -ne 0 ]; then
		not_ok "$name (sigdump exit $rc)"
		sed 's/^/#   /' "$TMPD/err" | head -n 5
		return
	fi
	if python3 "$DATA/golden_check.py" "$kind" "$DATA/$gold" "$TMPD/out" >"$TMPD/diff"; then
		ok "$name"
	else
		not_ok "$name"
		sed 's/^/#   /' "$TMPD/diff"
	fi
}

golden "timeline text is the golden one" text basic.txt "$DATA/basic.sdump"
golden "JSON has every golden field with its value" json basic.json --json "$DATA/basic.sdump"
golden "logfmt has every golden key with its value" logfmt basic.logfmt --logfmt "$DATA/basic.sdump"
golden "--why tells the golden story" text basic.why.txt --why 1062 "$DATA/basic.sdump"
golden "--tree draws the golden tree" text basic.tree.txt --tree --pid 1062 "$DATA/basic.sdump"
golden "--stats has every golden figure" json basic.stats.json --stats "$DATA/basic.sdump"

# the checker itself can fail: a changed value and a missing field are caught
sed 's/"result":"delivered"/"result":"ignored"/' "$DATA/basic.json" >"$TMPD/changed.json"
fails() { ! "$@" >/dev/null; }
check "the JSON check catches a changed value" \
	fails python3 "$DATA/golden_check.py" json "$TMPD/changed.json" "$DATA/basic.json"
sed 's/"signal":"SIGTERM",//' "$DATA/basic.json" >"$TMPD/less.json"
check "the JSON check catches a missing field" \
	fails python3 "$DATA/golden_check.py" json "$DATA/basic.json" "$TMPD/less.json"
tap_done
