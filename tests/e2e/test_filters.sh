#!/usr/bin/env bash
# test_filters.sh - in-kernel filters: --pid follows threads created after
# recording started, --exclude-signals drops a signal everywhere,
# --failed-only keeps only failed attempts.
source "$(dirname "$0")/../lib.sh"
HOOKS=$(syscall_hooks)	# these checks need failed attempts and syscall arguments
skip_all_unless_bpf "pid filter starts" "pid filter: late thread recorded" \
	"pid filter: other process left out" "exclude SIGCHLD: none recorded" \
	"exclude SIGCHLD: kill still recorded" "failed-only: ESRCH recorded" \
	"failed-only: nothing else recorded"

# --pid: the target's thread does not exist yet when sigrec starts
RING="$TMPD/pid.ring"
coproc LT { "$BIN/sigsend" late_thread; }
read -r TPID <&"${LT[0]}"
if start_rec "$RING" -s 4M --pid "$TPID" --hooks "$HOOKS"; then
	ok "pid filter starts"
	echo go >&"${LT[1]}"
	read -r FACTS <&"${LT[0]}"
	wait "$LT_PID" 2>/dev/null
	stop_rec
	TID=$(jq -r .tid <<<"$FACTS") OTHER=$(jq -r .other <<<"$FACTS")
	"$BIN/sigdump" --json "$RING" >"$TMPD/pid.json"
	check "pid filter: late thread recorded" \
		test "$(jq -c "select(.target.pid==$TPID and .target.tid==$TID and .sig==12 and .syscall.name==\"tgkill\")" "$TMPD/pid.json" | wc -l)" -eq 1
	check "pid filter: other process left out" \
		test "$(jq -c "select(.type==\"signal\" and .target.pid!=$TPID)" "$TMPD/pid.json" | wc -l)" -eq 0
else
	not_ok "pid filter starts"
	kill "$LT_PID" 2>/dev/null
fi

# --exclude-signals
RING="$TMPD/x.ring"
start_rec "$RING" -s 4M --exclude-signals SIGCHLD --hooks "$HOOKS"
"$BIN/sigsend" sigchld >/dev/null
K=$("$BIN/sigsend" kill)
stop_rec
"$BIN/sigdump" --json "$RING" >"$TMPD/x.json"
check "exclude SIGCHLD: none recorded" test "$(jq -c 'select(.sig==17)' "$TMPD/x.json" | wc -l)" -eq 0
KT=$(jq .target <<<"$K")
check "exclude SIGCHLD: kill still recorded" \
	test "$(jq -c "select(.sig==10 and .target.pid==$KT)" "$TMPD/x.json" | wc -l)" -eq 1

# --failed-only
RING="$TMPD/f.ring"
start_rec "$RING" -s 4M --failed-only --hooks "$HOOKS"
"$BIN/sigsend" kill >/dev/null
E=$("$BIN/sigsend" esrch)
stop_rec
"$BIN/sigdump" --json "$RING" >"$TMPD/f.json"
ET=$(jq .target <<<"$E")
check "failed-only: ESRCH recorded" \
	test "$(jq -c "select(.target.pid==$ET and .result==\"failed\" and .syscall.ret==-3)" "$TMPD/f.json" | wc -l)" -eq 1
check "failed-only: nothing else recorded" \
	test "$(jq -c 'select(.type=="signal" and .result!="failed" and .result!="overflow")' "$TMPD/f.json" | wc -l)" -eq 0
tap_done
