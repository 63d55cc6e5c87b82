#!/usr/bin/env bash
# test_input_kinds.sh - sigdump reads regular files only, and reads them by
# their data: a FIFO (as FILE, or named like a record in a --pstore
# directory), a device or a directory is refused at once, saying what it
# is; a 1 TiB sparse file is read in moments, not one read per empty slot.
# Needs no BPF: the files are made by test_craft.
source "$(dirname "$0")/../lib.sh"
D="$BIN/sigdump" C="$BIN/tests/test_craft"
NAMES=("FIFO as FILE refused at once" "FIFO in --pstore refused at once"
	"character device refused" "directory refused"
	"sparse 1 TiB ring: read in moments" "sparse 1 TiB ring: the event at the start"
	"sparse 1 TiB ring: the torn slot at the end" "sparse 1 TiB header only: empty, quickly"
	"sparse 1 TiB garbage: refused quickly" "sparse 1 TiB LZ4 frame: refused quickly")
if [ ! -x "$C" ] || [ ! -x "$D" ]; then
	echo "# SKIP: $C or $D not built (make all unit-bin)" >&2
	for n in "${NAMES[@]}"; do skip "$n" "test_craft or sigdump not built"; done
	tap_done
	exit 0
fi

# refused CODE PATTERN NAME CMD...: CMD ends within 10 s with CODE, stderr matching PATTERN
refused() {
	local code=$1 pat=$2 name=$3 rc=0; shift 3
	timeout 10 "$@" >"$TMPD/out" 2>"$TMPD/err" </dev/null || rc=$?
	if [ "$rc" -eq "$code" ] && grep -qE "$pat" "$TMPD/err"; then
		ok "$name"
	else
		not_ok "$name (exit $rc, want $code; stderr: $(head -c 300 "$TMPD/err"))"
	fi
}

mkfifo "$TMPD/fifo"
refused 3 "fifo is a FIFO \(named pipe\), not a regular file" "${NAMES[0]}" "$D" --no-pager "$TMPD/fifo"
mkdir "$TMPD/pstore"
mkfifo "$TMPD/pstore/dmesg-ramoops-0"
refused 3 "dmesg-ramoops-0 is a FIFO \(named pipe\), not a regular file" "${NAMES[1]}" \
	"$D" --no-pager --pstore="$TMPD/pstore"
refused 3 "/dev/null is a character device, not a regular file" "${NAMES[2]}" "$D" --no-pager /dev/null
refused 3 "is a directory, not a regular file" "${NAMES[3]}" "$D" --no-pager "$TMPD"

# a sparse 1 TiB ring of 4 KiB slots: 268 million slots, two with data
if ! "$C" sparse "$TMPD/sparse.ring" 2>"$TMPD/craft.err"; then
	why="cannot make a 1 TiB sparse file in $TMPD: $(head -c 200 "$TMPD/craft.err")"
	echo "# SKIP: $why" >&2
	for n in "${NAMES[@]:4}"; do skip "$n" "$why"; done
	tap_done
	exit 0
fi
diag "sparse.ring: $(stat -c '%s bytes, %b blocks of %B' "$TMPD/sparse.ring")"
start=$(date +%s%N)
rc=0; timeout 60 "$D" --no-pager --json "$TMPD/sparse.ring" >"$TMPD/sp.json" 2>"$TMPD/sp.err" || rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
diag "sigdump on the sparse ring: exit $rc in $ms ms"
check "${NAMES[4]}" test "$rc" -eq 0
check "${NAMES[5]}" test "$(jq -c 'select(.type=="signal" and .sig==15 and .target.pid==200)' \
	"$TMPD/sp.json" | wc -l)" -eq 1
check "${NAMES[6]}" grep -q "slot 268435453: not a chunk header" "$TMPD/sp.err"

head -c 4096 "$TMPD/sparse.ring" >"$TMPD/hdr.ring"
truncate -s 1T "$TMPD/hdr.ring"
rc=0; timeout 60 "$D" --no-pager --stats "$TMPD/hdr.ring" >"$TMPD/hdr.json" 2>"$TMPD/hdr.err" || rc=$?
check "${NAMES[7]}" bash -c "[ $rc -eq 0 ] && jq -e '.records == 0' '$TMPD/hdr.json' >/dev/null"
head -c 4096 /dev/urandom >"$TMPD/garbage"
truncate -s 1T "$TMPD/garbage"
refused 3 "not a sigrec ring" "${NAMES[8]}" "$D" --no-pager "$TMPD/garbage"
printf '\x04\x22\x4d\x18' >"$TMPD/frame"
truncate -s 1T "$TMPD/frame"
refused 3 "larger than" "${NAMES[9]}" "$D" --no-pager "$TMPD/frame"
tap_done
