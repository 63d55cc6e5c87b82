#!/usr/bin/env bash
# test_probes.sh - kill(pid, 0) raises no signal: it is not recorded by
# default, and with --probes (and syscall hooks) it is, as sig 0 with result
# "probe", or "failed" with its errno.
source "$(dirname "$0")/../lib.sh"
NAMES="default-no-probes probe-recorded failed-probe-recorded"
skip_all_unless_bpf $NAMES
HOOKS=$(syscall_hooks)	# probes are seen by the kill-family syscall hooks only

probe_run() {	# probe_run RING ARGS...: a successful and a failed probe
	start_rec "$1" -s 2M --hooks "$HOOKS" "${@:2}" || return 1
	bg_sleep 30; P=$!
	kill -0 "$P"
	kill -0 999999 2>/dev/null
	kill "$P"; wait "$P" 2>/dev/null
	sleep 0.3
	stop_rec
}
probe_run "$TMPD/a.ring"
check "without --probes, kill(pid, 0) is not recorded" \
	test "$("$BIN/sigdump" --json "$TMPD/a.ring" | jq -s 'map(select(.type=="signal" and .sig==0)) | length')" -eq 0
probe_run "$TMPD/b.ring" --probes
J=$("$BIN/sigdump" --json "$TMPD/b.ring" | jq -c 'select(.type=="signal" and .sig==0)')
diag "$J"
check "--probes: kill(pid, 0) recorded as a probe" \
	test "$(jq -s --argjson p "$P" 'map(select(.result=="probe" and .target.pid==$p and .syscall.ret==0)) | length' <<<"$J")" -eq 1
check "--probes: a failed probe recorded with its errno" \
	test "$(jq -s 'map(select(.result=="failed" and .syscall.errno=="ESRCH" and .syscall.arg==999999)) | length' <<<"$J")" -eq 1
tap_done
