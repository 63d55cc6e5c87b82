#!/usr/bin/env bash
# test_signals.sh - real signals sent every way sigsend knows; sigdump --json
# must show exactly the expected event for each, with the right sender,
# target, code, result, cause and syscall return.
source "$(dirname "$0")/../lib.sh"
HOOKS=$(syscall_hooks)	# these checks need failed attempts and syscall arguments

SCEN=$("$BIN/sigsend" --list 2>/dev/null)
skip_all_unless_bpf $SCEN

RING="$TMPD/sig.ring"
FACTS="$TMPD/facts"
start_rec "$RING" -s 8M --hooks "$HOOKS" || { not_ok "sigrec starts"; tap_done; exit 1; }
for s in $SCEN; do
	"$BIN/sigsend" "$s" >>"$FACTS" 2>"$TMPD/sigsend.err" ||
		echo "{\"scenario\":\"$s\",\"error\":true}" >>"$FACTS"
done
sleep 0.3
check "sigrec exits 0 on SIGTERM" stop_rec
"$BIN/sigdump" --json "$RING" >"$TMPD/out.json" 2>"$TMPD/dump.err"
check "sigdump reads the ring" test -s "$TMPD/out.json"
check "sigdump output is valid JSON lines" quiet jq -e . "$TMPD/out.json"

fact() { jq -r --arg s "$1" "select(.scenario==\$s) | $2" "$FACTS"; }

# expect SCENARIO COUNT JQ-CONDITION: exactly COUNT events satisfy the condition
expect() {
	local name=$1 count=$2 cond=$3 got
	if [ "$(fact "$name" .error)" = true ]; then
		not_ok "$name: sigsend failed: $(cat "$TMPD/sigsend.err")"
		return
	fi
	local S T G
	S=$(fact "$name" .sender) T=$(fact "$name" .target) G=$(fact "$name" .sig)
	got=$(jq -c --argjson S "$S" --argjson T "$T" --argjson G "$G" \
		"select(.type==\"signal\" and .sig==\$G and ($cond))" "$TMPD/out.json" | wc -l)
	if [ "$got" -eq "$count" ]; then
		ok "$name: $count matching event(s)"
	else
		not_ok "$name: expected $count event(s) matching [$cond], got $got"
		jq -c --argjson T "$T" "select(.target.pid==\$T or .sender.pid==\$T) |
			{sig,code,cause,result,sender:.sender.pid,target:.target.pid,syscall}" \
			"$TMPD/out.json" | head -5 | sed 's/^/# /'
	fi
}

SYS='.sender.pid==$S and .target.pid==$T and .cause=="syscall" and .result=="delivered" and .syscall.ret==0 and .context=="task"'
expect kill 1 "$SYS and .code==\"SI_USER\" and .syscall.name==\"kill\" and .syscall.arg==\$T and .group"
expect tkill 1 "$SYS and .code==\"SI_TKILL\" and .syscall.name==\"tkill\" and .syscall.arg==\$T and (.group|not)"
expect tgkill 1 "$SYS and .code==\"SI_TKILL\" and .syscall.name==\"tgkill\" and .syscall.arg==\$T and .syscall.arg2==\$T"
expect sigqueue 1 "$SYS and .code==\"SI_QUEUE\" and .syscall.name==\"rt_sigqueueinfo\" and .syscall.arg==\$T and .claimed.pid==\$S"
expect rt_tgsigqueueinfo 1 "$SYS and .code==\"SI_QUEUE\" and .syscall.name==\"rt_tgsigqueueinfo\" and .syscall.arg==\$T"
PIDFD=$(fact pidfd_send_signal .pidfd)
expect pidfd_send_signal 1 "$SYS and .code==\"SI_USER\" and .syscall.name==\"pidfd_send_signal\" and .syscall.arg==$PIDFD"

PG=$(fact kill_pgrp .pgid) T2=$(fact kill_pgrp .target2)
expect kill_pgrp 2 ".sender.pid==\$S and (.target.pid==\$T or .target.pid==$T2) and .syscall.name==\"kill\" and .syscall.arg==-$PG and .result==\"delivered\""

T2=$(fact kill_all .target2)
expect kill_all 2 ".sender.pid==\$S and .sender.uid==65534 and (.target.pid==\$T or .target.pid==$T2) and .syscall.name==\"kill\" and .syscall.arg==-1 and .result==\"delivered\""

FAIL='.sender.pid==$S and .target.pid==$T and .result=="failed" and .cause=="syscall" and .syscall.name=="kill" and .syscall.arg==$T'
expect eperm 1 "$FAIL and .syscall.ret==-1 and .syscall.errno==\"EPERM\" and .sender.uid==65534"
expect esrch 1 "$FAIL and .syscall.ret==-3 and .syscall.errno==\"ESRCH\""

expect segv 1 '.sender.pid==$S and .target.pid==$T and .cause=="fault" and .code=="SEGV_MAPERR" and (.syscall|not) and .target.exit.signal==11'
expect sigpipe 1 '.sender.pid==$S and .target.pid==$T and .cause=="kernel" and .code=="SI_USER" and (.syscall|not) and .target.exit.signal==13'
expect sigchld 1 '.sender.pid==$S and .target.pid==$T and .cause=="kernel" and .code=="CLD_EXITED" and (.syscall|not)'
expect ignored 1 '.sender.pid==$S and .target.pid==$T and .result=="ignored" and .syscall.name=="kill"'

# the human timeline names the same events
S=$(fact kill .sender) T=$(fact kill .target)
"$BIN/sigdump" "$RING" >"$TMPD/out.txt" 2>/dev/null
check "text timeline shows kill sender -> target" \
	grep -qE "SIGUSR1 +sigsend\[$S\] -> sigsend\[$T\]  delivered  kill\($T\)" "$TMPD/out.txt"
check "sigdump printed no warnings on a clean ring" test ! -s "$TMPD/dump.err"
tap_done
