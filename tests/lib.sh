#!/usr/bin/env bash
# lib.sh - TAP helpers and recorder control shared by the end-to-end tests.
# Each test prints TAP ("ok N - name", "not ok N - name", "ok N - name # SKIP why");
# tests/run.sh adds them up.

BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN="$ROOT/$BUILD"
TAP_N=0
TAP_FAILS=0

ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"; }
not_ok() { TAP_N=$((TAP_N + 1)); TAP_FAILS=$((TAP_FAILS + 1)); echo "not ok $TAP_N - $*"; }
skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1 # SKIP $2"; }
diag() { echo "# $*"; }
# check NAME CMD...: ok when CMD succeeds
check() { local n=$1; shift; if "$@"; then ok "$n"; else not_ok "$n"; fi; }
tap_done() { echo "1..$TAP_N"; [ "$TAP_FAILS" -eq 0 ]; }

# Why this machine cannot run BPF tests, or nothing when it can.
bpf_unavailable() {
	[ "$(id -u)" -eq 0 ] || { echo "not root"; return; }
	[ -r /sys/kernel/btf/vmlinux ] || { echo "kernel has no BTF"; return; }
	[ -x "$BIN/sigrec" ] || { echo "$BIN/sigrec not built"; return; }
	command -v jq >/dev/null || { echo "jq missing (run scripts/deps.sh)"; return; }
}

# skip_all_unless_bpf NAMES...: prints a SKIP per name and exits when BPF can't run
skip_all_unless_bpf() {
	local why
	why=$(bpf_unavailable)
	[ -z "$why" ] && return 0
	echo "# SKIP: cannot run BPF end-to-end tests here: $why" >&2
	for n in "$@"; do skip "$n" "$why"; done
	tap_done
	exit 0
}

TMPD=$(mktemp -d /tmp/sigrec-test.XXXXXX)
REC_PID=
cleanup() {
	[ -n "${KEEP:-}" ] && { echo "# kept $TMPD" >&2; return; }
	# a clean stop, so no pinned capture outlives the test
	if [ -n "$REC_PID" ] && kill -TERM "$REC_PID" 2>/dev/null; then
		wait "$REC_PID" 2>/dev/null
	fi
	rm -rf "$TMPD"
}
trap cleanup EXIT

# start_rec RING [ARGS...]: start sigrec in the background, wait until it records
start_rec() {
	local ring=$1; shift
	REC_LOG="$TMPD/rec.$RANDOM.log"
	"$BIN/sigrec" -r "$ring" "$@" 2>"$REC_LOG" &
	REC_PID=$!
	for _ in $(seq 1 300); do
		grep -q 'recording to' "$REC_LOG" 2>/dev/null && return 0
		kill -0 "$REC_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "# sigrec did not start:" >&2
	sed 's/^/#   /' "$REC_LOG" >&2
	return 1
}

# stop_rec: SIGTERM, wait; returns sigrec's exit status
stop_rec() {
	local rc=0
	kill -TERM "$REC_PID" 2>/dev/null
	wait "$REC_PID" || rc=$?
	REC_PID=
	return $rc
}

# syscall_hooks: the hook kind that records failed attempts and raw syscall
# arguments here, for tests that check them: fentry where this kernel allows
# it, else syscall tracepoints, asked for explicitly (by default sigrec uses
# none where fentry is refused: they tax every syscall on the machine).
syscall_hooks() {
	if "$BIN/sigrec" --check 2>/dev/null | grep -qE '^  failed attempts +on '; then
		echo fentry
	else
		echo tracepoint
	fi
}

# bg_sleep SECONDS: a sleep in the background, $! its pid.  A signal that
# reaches it before it execs must not run this script's EXIT trap.
bg_sleep() {
	(trap - EXIT TERM; exec sleep "$1") &
	local i
	for i in $(seq 1 50); do
		[ "$(cat /proc/$!/comm 2>/dev/null)" = sleep ] && return 0
		sleep 0.02
	done
}

# quiet CMD...: run CMD with its output discarded (for use under check)
quiet() { "$@" >/dev/null 2>&1; }
