#!/usr/bin/env bash
# test_cgroup_move.sh - a signal names the cgroup its target was in at the
# time: a process signalled in cgroup A, moved to cgroup B, then signalled
# again shows A on the first event and B on the second (the recorder sees
# the cgroup id change and describes the process again).  Needs cgroup2;
# on a v1 host it is mounted at /sys/fs/cgroup/unified for the test.
source "$(dirname "$0")/../lib.sh"
NAMES="before-move after-move"
skip_all_unless_bpf $NAMES
V2=/sys/fs/cgroup
MOUNTED=
if [ "$(stat -fc %T $V2)" != cgroup2fs ]; then
	V2=/sys/fs/cgroup/unified
	if [ "$(stat -fc %T $V2 2>/dev/null)" != cgroup2fs ]; then
		mkdir -p $V2 2>/dev/null && mount -t cgroup2 none $V2 2>/dev/null && MOUNTED=1
	fi
fi
if [ "$(stat -fc %T $V2 2>/dev/null)" != cgroup2fs ]; then
	for n in $NAMES; do skip "$n" "no cgroup2 hierarchy here"; done
	tap_done; exit 0
fi
A=$V2/sigrec-move-a-$$ B=$V2/sigrec-move-b-$$
mkdir "$A" "$B"
trap 'for p in $(cat "$A/cgroup.procs" "$B/cgroup.procs" 2>/dev/null); do echo "$p" >$V2/cgroup.procs; done
	rmdir "$A" "$B" 2>/dev/null; [ -n "$MOUNTED" ] && umount $V2; cleanup' EXIT
(trap '' USR1 USR2; exec sleep 300) & T=$!
echo "$T" >"$A/cgroup.procs"
start_rec "$TMPD/c.ring" -s 4M -S USR1,USR2 || { not_ok "sigrec starts"; tap_done; exit 1; }
kill -USR1 "$T"; sleep 0.3
echo "$T" >"$B/cgroup.procs"
kill -USR2 "$T"; sleep 0.5
stop_rec
kill -KILL "$T"
J=$("$BIN/sigdump" --json --pid "$T" "$TMPD/c.ring" | jq -c 'select(.type=="signal") | {sig, cg: .target.cgroup}')
diag "$J"
check "before the move: the event names cgroup A" \
	test "$(jq -r 'select(.sig==10) | .cg' <<<"$J")" = "${A#$V2}"
check "after the move: the event names cgroup B" \
	test "$(jq -r 'select(.sig==12) | .cg' <<<"$J")" = "${B#$V2}"
tap_done
