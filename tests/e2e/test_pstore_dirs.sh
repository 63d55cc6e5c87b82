#!/usr/bin/env bash
# test_pstore_dirs.sh - sigdump --pstore reads /sys/fs/pstore and what
# systemd-pstore moved to /var/lib/systemd/pstore (flat dmesg-ramoops-N and
# pmsg-ramoops-N, the dmesg.txt it rebuilds, per-record directories named
# by the record id), and shows a line found in several places once.  The
# lines are real: sigrec --pstore=kmsg writes them to the kernel log, and
# the test copies them from dmesg into fake directories of both layouts.
source "$(dirname "$0")/../lib.sh"
D="$BIN/sigdump"
NAMES=("sigrec --pstore=kmsg wrote three lines" "both directories: each signal once"
	"systemd-pstore's directory alone: flat files and a record directory"
	"a record directory's file is named ID/file in the source"
	"a missing directory in the list is skipped, a lone missing one refused"
	"with the ring too: each signal once, from the ring"
	"a FIFO in a record directory is refused, not read" "--help names /var/lib/systemd/pstore")
skip_all_unless_bpf "${NAMES[@]}"

RING="$TMPD/r.ring"
start_rec "$RING" -s 8M --pstore=kmsg || { not_ok "sigrec starts"; tap_done; exit 1; }
P=()
for s in TERM KILL TERM; do
	bg_sleep 100; p=$!
	bash -c "kill -$s $p"
	wait "$p" 2>/dev/null
	P+=("$p")
	sleep 0.3	# under the kmsg rate limit (1 a second, bursts of 5)
done
sleep 0.5	# the recorder polls every 100 ms with --pstore
stop_rec
dmesg >"$TMPD/dmesg"
L=()
for p in "${P[@]}"; do
	L+=("$(grep -a -m1 -- "--> sleep($p) " "$TMPD/dmesg" | sed 's/^.*\(sigrec: \)/\1/')")
done
check "${NAMES[0]}" bash -c "[ -n '${L[0]}' ] && [ -n '${L[1]}' ] && [ -n '${L[2]}' ]"
printf '%s\n' "${L[@]}" | sed 's/^/#   /'

# /sys/fs/pstore as the kernel shows it after a panic
SYS="$TMPD/sys"; SD="$TMPD/systemd"; ID=1795311661
mkdir -p "$SYS" "$SD/$ID"
printf '<6>[    1.000000] kernel noise\n<12>[    5.235350] %s\n<12>[    5.5] %s\n' \
	"${L[0]}" "${L[1]}" >"$SYS/dmesg-ramoops-0"
printf '%s\n' "${L[2]}" >"$SYS/pmsg-ramoops-0"
# what systemd-pstore leaves: ramoops files flat (a short record id), the
# dmesg.txt it rebuilds, an EFI-style record in a directory named by its id
cp "$SYS/dmesg-ramoops-0" "$SD/dmesg-ramoops-0"
{ echo "dmesg-ramoops-0:"; cat "$SYS/dmesg-ramoops-0"; } >"$SD/dmesg.txt"
printf 'Panic#1 Part1\n<12>[    6.0] %s\n<12>[    5.235350] %s\n' "${L[2]}" "${L[0]}" \
	>"$SD/$ID/dmesg-efi-${ID}100001"

# the events once each: 3 signal lines, the three targets
once() {	# once FILE: each target exactly once, nothing else
	local p
	[ "$(jq -c 'select(.type=="signal")' "$1" | wc -l)" -eq 3 ] || return 1
	for p in "${P[@]}"; do
		[ "$(jq -c "select(.type==\"signal\" and .target.pid==$p)" "$1" | wc -l)" -eq 1 ] || return 1
	done
}
"$D" --json --pstore="$SYS:$SD" >"$TMPD/both.json" 2>"$TMPD/both.err"
check "${NAMES[1]}" once "$TMPD/both.json"
"$D" --json --pstore="$SD" >"$TMPD/sd.json" 2>/dev/null
check "${NAMES[2]}" once "$TMPD/sd.json"
check "${NAMES[3]}" bash -c "jq -e 'select(.target.pid==${P[2]}) |
	.source == \"pstore:$ID/dmesg-efi-${ID}100001\"' '$TMPD/sd.json' >/dev/null"
"$D" --json --pstore="$TMPD/none:$SD" >"$TMPD/none.json" 2>/dev/null
"$D" --json --pstore="$TMPD/none" >/dev/null 2>&1; rc=$?
once "$TMPD/none.json"; ok_list=$?
check "${NAMES[4]}" test "$ok_list" -eq 0 -a "$rc" -eq 3
# with the ring: the same signals are ring events, each shown once, from the ring
"$D" --json --pstore="$SYS:$SD" "$RING" >"$TMPD/ring.json" 2>/dev/null
check "${NAMES[5]}" bash -c "for p in ${P[*]}; do
	[ \$(jq -c \"select(.type==\\\"signal\\\" and .target.pid==\$p and .sig!=17)\" '$TMPD/ring.json' | wc -l) -eq 1 ] || exit 1
	[ \$(jq -c \"select(.target.pid==\$p and (.source | startswith(\\\"pstore\\\")))\" '$TMPD/ring.json' | wc -l) -eq 0 ] || exit 1
done"
mkdir "$TMPD/fifo" "$TMPD/fifo/$ID" && mkfifo "$TMPD/fifo/$ID/dmesg.txt"
timeout 10 "$D" --pstore="$TMPD/fifo" >/dev/null 2>"$TMPD/fifo.err"; rc=$?
check "${NAMES[6]}" bash -c "[ $rc -eq 3 ] && grep -q 'dmesg.txt' '$TMPD/fifo.err'"
check "${NAMES[7]}" bash -c "'$D' --help | grep -q /var/lib/systemd/pstore"
tap_done
