#!/usr/bin/env bash
# test_fullfs.sh - the ring's file system fills up while sigrec records.
# The ring is preallocated, so a full disk must cost nothing: every signal
# sent after the disk filled is in the ring, the ring reads back without a
# warning, and sigrec reports any write that did fail (and then writes a
# lost record saying how many records it could not write).
source "$(dirname "$0")/../lib.sh"
NAMES="fs-full records-after-full ring-consistent failures-accounted"
skip_all_unless_bpf $NAMES
M="$TMPD/small"
mkdir -m 0700 "$M"
if ! mount -t tmpfs -o size=8M,mode=0700 tmpfs "$M" 2>/dev/null; then
	for n in $NAMES; do skip "$n" "cannot mount a tmpfs"; done
	tap_done; exit 0
fi
trap 'umount "$M" 2>/dev/null; cleanup' EXIT
start_rec "$M/r.ring" -s 4M -S USR1 --no-coalesce --sync-interval 100ms || { not_ok "sigrec starts"; tap_done; exit 1; }
dd if=/dev/zero of="$M/fill" bs=64K 2>/dev/null
check "the file system is full" test "$(df --output=avail "$M" | tail -1 | tr -d ' ')" -eq 0
OUT=$("$BIN/storm" kill 5000)
T=$(sed -n 's/.*target=\([0-9]*\).*/\1/p' <<<"$OUT")
sleep 0.5
stop_rec
sed 's/^/#   /' "$REC_LOG"
N=$("$BIN/sigdump" --pid "$T" --signal USR1 --stats "$M/r.ring" 2>"$TMPD/dump.err" | jq .signals)
LOSTW=$("$BIN/sigdump" --json "$M/r.ring" 2>/dev/null | jq -s '[.[] | select(.type=="lost" and .reason=="write") | .count] | add // 0')
FAILS=$(grep -c 'cannot append to the ring' "$REC_LOG")
diag "sent 5000, in the ring $N, lost by write failures $LOSTW, failures said $FAILS"
if [ "$N" != 5000 ]; then	# what else the recording says, to tell why
	diag "storm: $OUT"
	"$BIN/sigdump" --stats "$M/r.ring" 2>&1 | sed 's/^/#   stats: /'
	"$BIN/sigdump" --json "$M/r.ring" 2>/dev/null | jq -c 'select(.type=="lost")' | head -n 5 | sed 's/^/#   /'
fi
check "every signal sent after the disk filled is recorded" test "$N" -eq 5000
check "the ring reads back without a warning" test ! -s "$TMPD/dump.err"
check "write failures, if any, were said and accounted" \
	bash -c "[ $FAILS -eq 0 -a $LOSTW -eq 0 ] || [ $FAILS -ge 1 -a \$(( $N + $LOSTW )) -ge 5000 ]"
tap_done
