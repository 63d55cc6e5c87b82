#!/usr/bin/env bash
# test_journal.sh - --journal against a real systemd-journald, started by
# the test in a private mount namespace (tmpfs over /run/systemd, /run/log
# and /var/log/journal, so the host's journal is not touched): a process in
# a .../x.service cgroup is killed by a known sender, and `journalctl -u
# x.service -o json` shows sigrec's entry naming that sender, with the
# SIGREC_* fields; an ignored signal makes no entry.
source "$(dirname "$0")/../lib.sh"
NAMES="journald-runs entry-in-unit sender-named fields ignored-no-entry"
if [ "${1:-}" != --inner ]; then
	skip_all_unless_bpf $NAMES
	JD=/lib/systemd/systemd-journald
	if [ ! -x "$JD" ] || ! command -v journalctl >/dev/null; then
		for n in $NAMES; do skip "$n" "systemd-journald not installed"; done
		tap_done; exit 0
	fi
	unshare -m --propagation private bash "$0" --inner
	exit $?
fi

for d in /run/systemd /run/log /var/log/journal; do
	mkdir -p "$d" && mount -t tmpfs -o mode=0755 tmpfs "$d" || { not_ok "journald-runs: cannot mount a tmpfs on $d"; tap_done; exit 1; }
done
mkdir -p /run/systemd/journal
/lib/systemd/systemd-journald >"$TMPD/journald.log" 2>&1 &
JPID=$!
trap 'kill "$JPID" 2>/dev/null; cleanup' EXIT
for _ in $(seq 1 50); do [ -S /run/systemd/journal/socket ] && break; sleep 0.1; done
check "a private systemd-journald runs" test -S /run/systemd/journal/socket

CGROOT=/sys/fs/cgroup
[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] || CGROOT=/sys/fs/cgroup/systemd
UNIT=sigrec-jtest-$$.service
CG=$CGROOT/system.slice/$UNIT
mkdir -p "$CG"
bg_sleep 300; V=$!
echo "$V" >"$CG/cgroup.procs"
(trap '' USR1; exec sleep 300) & I=$!	# ignores SIGUSR1: no entry for that
start_rec "$TMPD/j.ring" -s 4M --journal --pstore-signals KILL,TERM,USR1 ||
	{ not_ok "sigrec starts"; tap_done; exit 1; }
kill -USR1 "$I"
bash -c 'kill -KILL '"$V"'; echo $$ >'"$TMPD/killer" &
wait $! ; wait "$V" 2>/dev/null
sleep 1
stop_rec
kill -KILL "$I" 2>/dev/null
rmdir "$CG" 2>/dev/null
KILLER=$(cat "$TMPD/killer")
journalctl --no-pager -u "$UNIT" -o json >"$TMPD/j.json" 2>"$TMPD/jctl.err"
jq -c '{MESSAGE, SIGREC_SENDER_PID, OBJECT_SYSTEMD_UNIT}' <"$TMPD/j.json" | sed 's/^/#   /'
E=$(jq -c --arg v "$V" 'select(.MESSAGE_ID=="8a4f2e1c9b7d4e6fa3c5b1d09e7f6a21" and .SIGREC_TARGET_PID==$v)' <"$TMPD/j.json")
check "journalctl -u $UNIT shows sigrec's entry for the kill" test "$(grep -c . <<<"$E")" -eq 1
check "the entry names the real sender (bash[$KILLER]) and the victim" \
	bash -c "jq -e --arg k '$KILLER' --arg v '$V' '.SIGREC_SENDER_PID==\$k and (.MESSAGE|test(\"^SIGKILL from bash\\\\[\"+\$k+\"\\\\].* to sleep\\\\[\"+\$v+\"\\\\].*: delivered\$\"))' <<<'$E' >/dev/null"
check "the entry has the SIGREC_* fields, OBJECT_SYSTEMD_UNIT and OBJECT_PID" \
	bash -c "jq -e --arg u '$UNIT' --arg v '$V' '.SIGREC_SIGNAL==\"SIGKILL\" and .SIGREC_CODE==\"SI_USER\" and .SIGREC_CAUSE!=null and .SIGREC_RESULT==\"delivered\" and .OBJECT_SYSTEMD_UNIT==\$u and .OBJECT_PID==\$v and .SIGREC_TARGET_UNIT==\$u and .PRIORITY==\"4\"' <<<'$E' >/dev/null"
journalctl --no-pager MESSAGE_ID=8a4f2e1c9b7d4e6fa3c5b1d09e7f6a21 -o json >"$TMPD/all.json" 2>/dev/null
check "an ignored signal makes no entry" \
	test "$(jq -c --arg i "$I" 'select(.SIGREC_TARGET_PID==$i)' <"$TMPD/all.json" | grep -c .)" -eq 0
tap_done
