#!/usr/bin/env bash
# test_escapes.sh - names chosen by processes (comm, command lines) and by
# whoever wrote a pstore directory (file names) reach no output as they
# are: the timeline replaces C0, C1 and bidi controls and invalid UTF-8,
# JSON and logfmt escape them and stay parseable, valid UTF-8 (café) passes
# unchanged.  No BPF needed: the recording and the pstore files are made.
source "$(dirname "$0")/../lib.sh"
D="$BIN/sigdump" C="$BIN/tests/test_craft"
NAMES=("timeline: no ESC, C1 or bidi control reaches the terminal"
	"timeline: UTF-8 shown as it is" "JSON: valid, café as it is, controls escaped"
	"JSON: invalid bytes are \\ufffd" "logfmt: no raw control, café as it is"
	"pstore name with quotes: one JSON object, no injected key"
	"pstore name with ESC: valid JSON, no raw ESC anywhere")
if [ ! -x "$C" ] || [ ! -x "$D" ]; then
	echo "# SKIP: $C or $D not built (make all unit-bin)" >&2
	for n in "${NAMES[@]}"; do skip "$n" "test_craft or sigdump not built"; done
	tap_done
	exit 0
fi

# bytes that act on or disguise a terminal: ESC, raw CSI, U+009B, U+202E, U+2066
BAD='\x1b|\x9b|\xc2\x9b|\xe2\x80\xae|\xe2\x81\xa6'
no_bad() { ! LC_ALL=C grep -aqP "$BAD" "$@"; }

"$C" names "$TMPD/n.ring" $'x\x9b\xe2\x80\xaey' $'café \e]0;pwned\a \xc2\x9b2J \xe2\x81\xa6ltr \xff'
"$D" --no-pager --tree "$TMPD/n.ring" >"$TMPD/n.txt" 2>&1
check "${NAMES[0]}" eval "no_bad '$TMPD/n.txt' && grep -q 'x??y\[100\]' '$TMPD/n.txt'"
check "${NAMES[1]}" grep -q "café ?]0;pwned? ?2J ?ltr ?" "$TMPD/n.txt"
"$D" --json "$TMPD/n.ring" >"$TMPD/n.json"
json_ok() {
	jq -e 'select(.type=="signal") | .sender.cmdline |
		startswith("café \u001b]0;pwned\u0007 \u009b2J \u2066ltr ")' "$1" >/dev/null &&
		no_bad "$1"
}
check "${NAMES[2]}" json_ok "$TMPD/n.json"
check "${NAMES[3]}" grep -q 'ltr \\ufffd"' "$TMPD/n.json"
"$D" --logfmt "$TMPD/n.ring" >"$TMPD/n.lf"
check "${NAMES[4]}" eval "no_bad '$TMPD/n.lf' && grep -qF 'source.cmdline=\"café \\x1b' '$TMPD/n.lf'"

# a signal line, and a rate-limit line (shown as a lost record)
LINE="sigrec: bash(1234) --SIGTERM--> nginx(5678) [kill] ok t=1763771234.123456789 b=80a8af2c
sigrec: suppressed 3 lines (rate limit) t=1763771235"
mkdir "$TMPD/ps1" "$TMPD/ps2"
printf '%s\n' "$LINE" >"$TMPD/ps1/dmesg-ramoops-0\",\"injected\":true,\"x\":\""
printf '%s\n' "$LINE" >"$TMPD/ps2/dmesg-ramoops-0"$'\e[2J\x9b'
"$D" --json --pstore="$TMPD/ps1" >"$TMPD/p1.json" 2>&1
check "${NAMES[5]}" bash -c "[ \$(wc -l <'$TMPD/p1.json') -eq 2 ] &&
	[ \$(jq -c 'select(has(\"injected\") | not) |
		select(.source == \"pstore:dmesg-ramoops-0\\\",\\\"injected\\\":true,\\\"x\\\":\\\"\")' \
		'$TMPD/p1.json' | wc -l) -eq 2 ]"
"$D" --json --pstore="$TMPD/ps2" >"$TMPD/p2.json" 2>&1
"$D" --logfmt --pstore="$TMPD/ps2" >"$TMPD/p2.lf" 2>&1
"$D" --no-pager --pstore="$TMPD/ps2" >"$TMPD/p2.txt" 2>&1
check "${NAMES[6]}" eval "[ \$(jq -c 'select(.source | startswith(\"pstore:dmesg-ramoops-0\u001b[2J\"))' \
	'$TMPD/p2.json' | wc -l) -eq 2 ] && no_bad '$TMPD/p2.json' '$TMPD/p2.lf' '$TMPD/p2.txt'"
tap_done
