#!/usr/bin/env bash
# test_delivery.sh - what the target did with a signal.  The sigsend
# dispo helper's targets handle SIGUSR1 and go on, ignore SIGTERM, block SIGUSR2
# for a second and then die of it, die of SIGSEGV (core limit 0), are
# stopped and continued, leave a blocked signal pending, and take a queued
# burst of real-time signals.  Each signal event must carry the target's
# disposition and blocked state, each delivery its action (a burst coalesced
# with an exact count), and --why must say what became of each signal.
# Then the degrade: a kernel that refuses the delivery program (both of its
# forms) costs one line and a recording that says it has no deliveries; one
# that refuses only its tp_btf form gets the raw_tp one.
source "$(dirname "$0")/../lib.sh"
NAMES=("sigrec records the scenarios" "handle: disposition handler, delivery action handler"
	"handle: --why says it was handled and the process went on"
	"ignore: ignored at generation (SIG_IGN), no delivery" "ignore: --why says ignored (SIG_IGN)"
	"blocked: disposition default, blocked, delivered ~1 s later to terminate"
	"blocked: --why says blocked for 1 s, then default action terminate"
	"segv: delivery action core, --why says default action terminate"
	"stop: deliveries stop and group-exit SIGKILL; --why says stop, continued"
	"pending: --why says still pending when the process ended"
	"queue: a burst of 1000 deliveries coalesces with an exact count"
	"timeline and logfmt show deliveries" "an export keeps the deliveries"
	"refused: one line, no deliveries, the recording says so in --stats and --why"
	"refused tp_btf form: the raw_tp form records deliveries")
skip_all_unless_bpf "${NAMES[@]}"
D="$BIN/sigdump"
SD_BIN="$BIN/sigsend"
SD() { "$SD_BIN" dispo "$@"; }
[ -x "$SD_BIN" ] || { for n in "${NAMES[@]}"; do not_ok "$n: $SD_BIN not built (make)"; done; tap_done; exit 1; }

# only signals to the helper's tasks: other work on the machine stays out
RING="$TMPD/d.ring"
FACTS="$TMPD/facts.json"
start_rec "$RING" -s 8M -c sigsend || { not_ok "sigrec starts"; tap_done; exit 1; }
ulimit -c 0
for s in handle ignore blocked segv stop pending; do SD "$s" >>"$FACTS"; done
SD queue 1000 >>"$FACTS"
sleep 0.3
stop_rec
check "${NAMES[0]}" test "$(wc -l <"$FACTS")" -eq 7
"$D" --json "$RING" >"$TMPD/all.json"

tgt() { jq -r --arg s "$1" 'select(.scenario==$s) | .target' "$FACTS"; }
# n PID JQ-CONDITION: how many events of PID satisfy it
n() { jq -c --argjson T "$1" "select((.target // .task).pid==\$T and ($2))" "$TMPD/all.json" | wc -l; }
why() { "$D" --why "$1" "$RING" >"$TMPD/why.$1"; grep -q -- "$2" "$TMPD/why.$1" || sed 's/^/# /' "$TMPD/why.$1"; grep -q -- "$2" "$TMPD/why.$1"; }
why_re() { "$D" --why "$1" "$RING" >"$TMPD/why.$1"; grep -qE -- "$2" "$TMPD/why.$1" || sed 's/^/# /' "$TMPD/why.$1"; grep -qE -- "$2" "$TMPD/why.$1"; }

T=$(tgt handle)
check "${NAMES[1]}" test "$(n "$T" '.type=="signal" and .signal=="SIGUSR1" and .disposition=="handler" and .blocked==false')" -eq 1 \
	-a "$(n "$T" '.type=="deliver" and .signal=="SIGUSR1" and .action=="handler" and .disposition=="handler" and .code=="SI_USER"')" -eq 1
check "${NAMES[2]}" why_re "$T" '→ handled by the process(, which went on running|; it (exited with code [0-9]+|was killed by SIG[A-Z0-9]+) [0-9.]+ [mun]?s later)$'

T=$(tgt ignore)
check "${NAMES[3]}" test "$(n "$T" '.type=="signal" and .signal=="SIGTERM" and .result=="ignored" and .disposition=="ignored"')" -eq 1 \
	-a "$(n "$T" '.type=="deliver" and .signal=="SIGTERM"')" -eq 0
check "${NAMES[4]}" why "$T" '→ ignored (SIG_IGN)$'

T=$(tgt blocked)
# the delivery comes 0.9 s or more after the signal (RFC 3339 times: compare as dates)
GAP=$(jq -s --argjson T "$T" '[.[] | select((.target // .task).pid==$T and .signal=="SIGUSR2")] |
	(map(select(.type=="deliver"))[0].time // "") as $d | (map(select(.type=="signal"))[0].time // "") as $s |
	if $d == "" or $s == "" then -1 else (($d[0:19]+"Z"|fromdate) + ($d[19:29]|tonumber) -
	($s[0:19]+"Z"|fromdate) - ($s[19:29]|tonumber)) end' "$TMPD/all.json")
diag "blocked: delivered $GAP s after it was sent"
check "${NAMES[5]}" bash -c "[ $(n "$T" '.type=="signal" and .signal=="SIGUSR2" and .disposition=="default" and .blocked==true') -eq 1 ] &&
	[ $(n "$T" '.type=="deliver" and .signal=="SIGUSR2" and .action=="terminate" and .task.exit.signal==12') -eq 1 ] &&
	awk -v g='$GAP' 'BEGIN { exit !(g >= 0.9 && g < 5) }'"
check "${NAMES[6]}" why_re "$T" '→ blocked for (1\.[0-9] s|9[0-9]{2}\.[0-9] ms), then delivered; default action: terminate$'

T=$(tgt segv)
check "${NAMES[7]}" bash -c "[ $(n "$T" '.type=="signal" and .signal=="SIGSEGV" and .disposition=="default" and .cause=="fault"') -eq 1 ] &&
	[ $(n "$T" '.type=="deliver" and .signal=="SIGSEGV" and .action=="core" and .code=="SEGV_MAPERR"') -eq 1 ] &&
	grep -q '→ default action: terminate' <('$D' --why $T '$RING')"

T=$(tgt stop)
check "${NAMES[8]}" bash -c "[ $(n "$T" '.type=="deliver" and .signal=="SIGSTOP" and .action=="stop"') -eq 1 ] &&
	[ $(n "$T" '.type=="deliver" and .signal=="SIGKILL" and .action=="terminate" and .group_exit') -eq 1 ] &&
	'$D' --why $T '$RING' >'$TMPD/why.stop' && grep -q '→ default action: stop$' '$TMPD/why.stop' &&
	grep -q '→ continued the process' '$TMPD/why.stop'"

T=$(tgt pending)
check "${NAMES[9]}" why "$T" '→ blocked, never delivered: still pending when the process ended$'

T=$(tgt queue)
SUM=$(jq -s --argjson T "$T" 'map(select(.type=="deliver" and .task.pid==$T and .signal=="SIGRTMIN+1") | .count // 1) | add' "$TMPD/all.json")
REC=$(n "$T" '.type=="deliver" and .signal=="SIGRTMIN+1"')
diag "queue: 1000 deliveries in $REC records, counts add up to $SUM"
check "${NAMES[10]}" test "$SUM" = 1000 -a "$REC" -lt 50 -a "$(jq -r 'select(.scenario=="queue") | .status' "$FACTS")" = 0

T=$(tgt handle)
"$D" --no-pager "$RING" >"$TMPD/all.txt"
check "${NAMES[11]}" bash -c "grep -qE 'SIGUSR1 +=> sigsend\[$T\]  deliver  handler' '$TMPD/all.txt' &&
	'$D' --logfmt --pid $T '$RING' | grep -q 'type=deliver signal=10 signal_name=SIGUSR1 code=SI_USER action=handler disposition=handler task.pid=$T'"

"$D" --pid "$(tgt blocked)" --export "$TMPD/d.sdump" "$RING" 2>/dev/null
check "${NAMES[12]}" test "$("$D" --json "$TMPD/d.sdump" | jq -c 'select(.type=="deliver" and .signal=="SIGUSR2" and .action=="terminate")' | wc -l)" -eq 1

# the degrade: both forms of the delivery program refused, then only its tp_btf form
REFUSE="$BIN/tests/sigrec-refuse"
if [ -x "$REFUSE" ]; then
	SIGREC_TEST_REFUSE=3 "$REFUSE" -r "$TMPD/r.ring" -s 4M -c sigsend --no-pin 2>"$TMPD/r.log" &
	REC_PID=$!
	for _ in $(seq 1 100); do grep -q 'recording to' "$TMPD/r.log" && break; sleep 0.1; done
	SD handle >"$TMPD/r.facts"
	stop_rec
	sed 's/^/#   /' "$TMPD/r.log"
	T=$(jq -r .target "$TMPD/r.facts")
	"$D" --why "$T" "$TMPD/r.ring" >"$TMPD/r.why"
	check "${NAMES[13]}" bash -c "[ \$(grep -c 'deliver' '$TMPD/r.log') -eq 1 ] &&
		grep -q '^sigrec: deliveries are not recorded: the kernel refused on_signal_deliver_raw: .*invalid mem access' '$TMPD/r.log' &&
		[ \$('$D' --json '$TMPD/r.ring' | jq -c 'select(.type==\"deliver\")' | wc -l) -eq 0 ] &&
		[ \$('$D' --json --pid $T '$TMPD/r.ring' | jq -c 'select(.disposition==\"handler\")' | wc -l) -eq 1 ] &&
		'$D' --stats '$TMPD/r.ring' | jq -e '.missing | index(\"deliveries\") != null' >/dev/null &&
		grep -qE '^Note: *this recording has .*no deliveries' '$TMPD/r.why' && ! grep -q '→' '$TMPD/r.why'"

	SIGREC_TEST_REFUSE=4 "$REFUSE" -r "$TMPD/b.ring" -s 4M -c sigsend --no-pin 2>"$TMPD/b.log" &
	REC_PID=$!
	for _ in $(seq 1 100); do grep -q 'recording to' "$TMPD/b.log" && break; sleep 0.1; done
	SD handle >"$TMPD/b.facts"
	stop_rec
	T=$(jq -r .target "$TMPD/b.facts")
	check "${NAMES[14]}" bash -c "! grep -q deliver '$TMPD/b.log' &&
		SIGREC_TEST_REFUSE=4 '$REFUSE' --check | grep -qE '^  deliveries +on +raw_tp/signal_deliver' &&
		[ \$('$D' --json --pid $T '$TMPD/b.ring' | jq -c 'select(.type==\"deliver\" and .action==\"handler\")' | wc -l) -eq 1 ]"
else
	not_ok "${NAMES[13]}: $REFUSE not built (make unit-bin)"
	not_ok "${NAMES[14]}: $REFUSE not built (make unit-bin)"
fi
tap_done
