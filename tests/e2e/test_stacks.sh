#!/usr/bin/env bash
# test_stacks.sh - the sender's stack and the fault site (issue 15).
# stacksend sends from known functions (send_the_kill -> kill), twice: as
# built (symbols) and stripped, its debug file in a --debug-dir with the
# .build-id layout.  sigdump must name send_the_kill in sender.stack for
# both; the stripped one without the debug dir keeps build_id + offset,
# which --symbolize DIR resolves where the binary is gone.  A storm records
# stacks for its first signals only, every signal still counted; a SIGSEGV
# gives its fault site; cgroup.kill gives the kernel's stack; --no-stacks
# and a refused stack program record none, saying so.
source "$(dirname "$0")/../lib.sh"
NAMES="symbols stripped-raw debug-dir symbolize-elsewhere storm-limited storm-counted fault-site
	fault-json kernel-stack why timeline logfmt export no-stacks refused-one-line refused-records"
skip_all_unless_bpf $NAMES
SS="$BIN/stacksend"
[ -x "$SS" ] || { for n in $NAMES; do not_ok "$n: $SS not built"; done; tap_done; exit 1; }

# the twins and the debug file, in the layouts sigdump looks in
FULL="$TMPD/stacksend-full" STRIPPED="$TMPD/stacksend-stripped"
cp "$SS" "$FULL"
objcopy --only-keep-debug "$SS" "$TMPD/stacksend.debug"
cp "$SS" "$STRIPPED" && strip "$STRIPPED"
BID=$(readelf -n "$SS" | sed -n 's/.*Build ID: *//p')
mkdir -p "$TMPD/dbg/.build-id/${BID:0:2}" "$TMPD/flat"
cp "$TMPD/stacksend.debug" "$TMPD/dbg/.build-id/${BID:0:2}/${BID:2}.debug"
cp "$TMPD/stacksend.debug" "$TMPD/flat/anything-named.dbg"
diag "build id $BID"

RING="$TMPD/s.ring"
start_rec "$RING" -s 16M || { not_ok "sigrec starts"; tap_done; exit 1; }
"$FULL" kill 15 >"$TMPD/full.json"
"$STRIPPED" kill 15 >"$TMPD/stripped.json"
"$FULL" segv >"$TMPD/segv.json" 2>/dev/null
# a kernel-raised SIGKILL: cgroup.kill of a cgroup v2
CG=
for root in /sys/fs/cgroup /sys/fs/cgroup/unified; do
	[ -e "$root/cgroup.procs" ] && [ -e "$root/cgroup.controllers" ] || continue
	CG="$root/sigrec-stacks.$$"
	mkdir "$CG" 2>/dev/null || { CG=; continue; }
	[ -e "$CG/cgroup.kill" ] || { rmdir "$CG"; CG=; continue; }
	break
done
if [ -n "$CG" ]; then
	sleep 30 & VICTIM=$!
	echo "$VICTIM" >"$CG/cgroup.procs"
	sleep 0.1
	echo 1 >"$CG/cgroup.kill"
	wait "$VICTIM" 2>/dev/null
	rmdir "$CG" 2>/dev/null
fi
"$FULL" storm 15 10000 >"$TMPD/storm.json"
sleep 0.5
check "sigrec exits 0 on SIGTERM" stop_rec
sed 's/^/#   /' "$REC_LOG"

pid() { jq -r ".$2" "$TMPD/$1.json"; }
S_FULL=$(pid full sender) S_STRIPPED=$(pid stripped sender) S_STORM=$(pid storm sender)
S_SEGV=$(pid segv sender)
"$BIN/sigdump" --json "$RING" >"$TMPD/out.json" 2>"$TMPD/dump.err"
"$BIN/sigdump" --json --debug-dir "$TMPD/dbg" "$RING" >"$TMPD/dbg.json" 2>>"$TMPD/dump.err"
# only the stripped sender's events: the unstripped twin (same build id) is not looked at
"$BIN/sigdump" --json --sender-pid "$S_STRIPPED" "$RING" >"$TMPD/raw.json" 2>>"$TMPD/dump.err"
# SIGTERM from pid $2: its stack's functions, one a line
funcs() { jq -r --argjson S "$2" 'select(.type=="signal" and .sig==15 and .sender.pid==$S) |
	.sender.stack // [] | .[] | .function // empty' "$1"; }

check "symbols: sender.stack of the unstripped sender names send_the_kill" \
	grep -qx send_the_kill <(funcs "$TMPD/out.json" "$S_FULL")
jq -c --argjson S "$S_STRIPPED" 'select(.sig==15 and .sender.pid==$S) | .sender.stack' \
	"$TMPD/raw.json" | head -1 | sed 's/^/# stripped: /'
raw_ok() {
	! grep -qx send_the_kill <(funcs "$TMPD/raw.json" "$S_STRIPPED") &&
	jq -es --argjson S "$S_STRIPPED" --arg B "$BID" 'map(select(.sig==15 and .sender.pid==$S) |
		.sender.stack[] | select(.build_id==$B and (.offset|type)=="number")) | length > 0' \
		"$TMPD/raw.json" >/dev/null
}
check "stripped, no debug dir: frames keep build_id and offset, no send_the_kill" raw_ok
check "stripped, --debug-dir with the .build-id layout: send_the_kill" \
	grep -qx send_the_kill <(funcs "$TMPD/dbg.json" "$S_STRIPPED")
# another machine: the binaries gone, only the debug file, flat in a directory
mv "$STRIPPED" "$FULL" "$TMPD/flat/.." 2>/dev/null; rm -f "$STRIPPED" "$FULL"
"$BIN/sigdump" --json --symbolize "$TMPD/flat" "$RING" >"$TMPD/flat.json" 2>>"$TMPD/dump.err"
check "--symbolize DIR: the build id + offset resolve from a debug file alone" \
	grep -qx send_the_kill <(funcs "$TMPD/flat.json" "$S_STRIPPED")

# the storm: stacks for its first signals only, every signal counted
read -r NSIG NSTK < <(jq -rs --argjson S "$S_STORM" 'map(select(.type=="signal" and .sig==15 and .sender.pid==$S)) |
	"\(map(.count // 1) | add) \(map(select(.sender.stack)) | length)"' "$TMPD/out.json")
diag "storm: $NSIG SIGTERMs recorded, $NSTK with a stack"
check "storm: stacks for the first signals only (8 a burst, then 10/s per CPU)" \
	test "${NSTK:-0}" -ge 1 -a "${NSTK:-99}" -le 24
check "storm: every one of the 10000 signals recorded" test "${NSIG:-0}" -eq 10000

# the fault site
jq -c --argjson S "$S_SEGV" 'select(.sig==11 and .sender.pid==$S) | .fault' "$TMPD/dbg.json" | sed 's/^/# fault: /'
check "fault: SIGSEGV's fault site is crash_here, at address 0x0" \
	quiet jq -es --argjson S "$S_SEGV" 'map(select(.sig==11 and .sender.pid==$S and .fault.function=="crash_here" and
		.fault.addr=="0x0" and (.fault.ip|startswith("0x")))) | length == 1' "$TMPD/out.json"
check "fault JSON: build_id, offset and file of the fault site" \
	quiet jq -es --argjson S "$S_SEGV" 'map(select(.sig==11 and .sender.pid==$S and (.fault.build_id|length)==40 and
		(.fault.offset|type)=="number" and (.fault.file|length)>0)) | length == 1' "$TMPD/out.json"

if [ -n "$CG" ]; then
	jq -c --argjson V "$VICTIM" 'select(.sig==9 and .target.pid==$V) | .sender' "$TMPD/out.json" | head -1 | sed 's/^/# cgroup.kill: /'
	check "kernel-raised SIGKILL (cgroup.kill): the kernel's stack, resolved (cgroup_kill in it)" \
		quiet jq -es --argjson V "$VICTIM" 'map(select(.sig==9 and .target.pid==$V and .cause=="kernel" and
			(.sender.stack // [] | map(.function // "") | any(test("cgroup.*kill"))))) | length >= 1' "$TMPD/out.json"
else
	skip "kernel-stack" "no cgroup v2 with cgroup.kill here (kernel-raised fatal signal)"
fi

T_FULL=$(jq -r .target "$TMPD/full.json")
"$BIN/sigdump" --why "$T_FULL" --debug-dir "$TMPD/dbg" "$RING" >"$TMPD/why.txt" 2>&1
sed -n '/Signals received/,/Ended/p' "$TMPD/why.txt" | head -12 | sed 's/^/# why: /'
check "--why: the sender's stack, symbolized, indented under the signal line" \
	grep -qE '^      (stack  |       ) send_the_kill\+0x[0-9a-f]+' "$TMPD/why.txt"
"$BIN/sigdump" --stack --no-pager --sender-pid "$S_SEGV" --debug-dir "$TMPD/dbg" "$RING" >"$TMPD/tl.txt"
check "timeline --stack: 'SIGSEGV SEGV_MAPERR at 0x0 in stacksend... crash_here+0x..'" \
	grep -qE 'fault +SIGSEGV SEGV_MAPERR at 0x0 in [^ ]+ crash_here\+0x[0-9a-f]+' "$TMPD/tl.txt"
"$BIN/sigdump" --logfmt --sender-pid "$S_STRIPPED" --debug-dir "$TMPD/dbg" "$RING" >"$TMPD/lf.txt"
check "logfmt: a compact source.stack with send_the_kill" \
	grep -qE 'source\.stack="?[^ ]*send_the_kill\+0x' "$TMPD/lf.txt"
"$BIN/sigdump" --sender-pid "$S_STRIPPED" --export "$TMPD/x.sdump" "$RING" 2>/dev/null
check "export keeps the stack records" \
	grep -qx send_the_kill <(funcs <("$BIN/sigdump" --json --debug-dir "$TMPD/dbg" "$TMPD/x.sdump") "$S_STRIPPED")

# --no-stacks: none recorded, and the recording says so
start_rec "$TMPD/n.ring" -s 4M --no-stacks || not_ok "sigrec --no-stacks starts"
"$SS" kill 15 >/dev/null
sleep 0.3
stop_rec
check "--no-stacks: no stack record, 'stacks' missing in --stats" \
	quiet jq -e '(.by_type.stack // 0) == 0 and (.missing | index("stacks") != null)' \
		<("$BIN/sigdump" --stats "$TMPD/n.ring")

# the kernel refuses the stack taking: one line, signals still recorded
REFUSE="$BIN/tests/sigrec-refuse"
if [ -x "$REFUSE" ]; then
	SIGREC_TEST_REFUSE=5 "$REFUSE" -r "$TMPD/r.ring" -s 4M --no-pin 2>"$TMPD/ref.log" &
	REC_PID=$!
	for _ in $(seq 1 100); do grep -q 'recording to' "$TMPD/ref.log" && break; sleep 0.1; done
	"$SS" kill 15 >"$TMPD/ref.json"
	sleep 0.3
	stop_rec
	sed 's/^/#   /' "$TMPD/ref.log"
	check "refused stacks: one line 'sender stacks are not recorded: ...'" \
		test "$(grep -c '^sigrec: sender stacks are not recorded: .*invalid mem access' "$TMPD/ref.log")" -eq 1
	check "refused stacks: the signal is recorded, no stack, 'stacks' missing" \
		quiet jq -es --argjson S "$(jq .sender "$TMPD/ref.json")" 'map(select(.type=="signal" and .sig==15 and
			.sender.pid==$S and (.sender.stack|not))) | length == 1' \
			<("$BIN/sigdump" --json "$TMPD/r.ring")
else
	not_ok "refused-one-line: $REFUSE not built (make unit-bin)"
	not_ok "refused-records: $REFUSE not built"
fi
[ -s "$TMPD/dump.err" ] && sed 's/^/# sigdump: /' "$TMPD/dump.err" | head -5
tap_done
