#!/usr/bin/env bash
# test_pstore_ftrace.sh - sigrec --pstore=ftrace refuses what is no
# persistent trace instance, saying how to boot one, and sigdump --pstore
# reads sigrec lines out of the text this kernel's ftrace really prints for
# trace_marker writes (with its display options on and off), from a live
# tracefs instance and from a copy of one.  No BPF needed; root for tracefs.
# The reboot itself is tests/qemu/test_pstore.sh (cases 6 and 7).
source "$(dirname "$0")/../lib.sh"
NAMES=("--pstore=ftrace without the instance: exit 1, naming the kernel command line"
	"--pstore=ftrace on an instance made with mkdir: exit 1, not persistent"
	"sigdump --pstore=INSTANCE: each marker line of this kernel's trace once, nothing else"
	"sigdump --pstore=COPY of the instance: the same events, source INSTANCE/trace")
T=/sys/kernel/tracing
why=""
[ "$(id -u)" -eq 0 ] || why="not root"
[ -z "$why" ] && { [ -d $T/instances ] || mount -t tracefs tracefs $T 2>/dev/null; }
[ -z "$why" ] && [ ! -d $T/instances ] && why="no tracefs instances in $T"
[ -z "$why" ] && ! command -v jq >/dev/null && why="jq missing"
if [ -n "$why" ]; then
	echo "# SKIP: $why" >&2
	for n in "${NAMES[@]}"; do skip "$n" "$why"; done
	tap_done
	exit 0
fi
NAME="sigrec-e2e-$$"
I="$T/instances/$NAME"
trap 'rmdir "$I" 2>/dev/null; cleanup' EXIT
mkdir -m 700 "$TMPD/r"

"$BIN/sigrec" --pstore="ftrace:$NAME" -r "$TMPD/r/x.ring" -s 4M --duration 1s 2>"$TMPD/e1"
rc=$?
check "${NAMES[0]}" bash -c "[ $rc -eq 1 ] && grep -q 'no persistent trace instance $NAME: boot with reserve_mem=20M:2M:trace trace_instance=$NAME@trace' '$TMPD/e1'"
sed 's/^/#   /' "$TMPD/e1"

mkdir "$I"
"$BIN/sigrec" --pstore="ftrace:$NAME" -r "$TMPD/r/x.ring" -s 4M --duration 1s 2>"$TMPD/e2"
rc=$?
check "${NAMES[1]}" bash -c "[ $rc -eq 1 ] && grep -q 'trace instance $NAME is not persistent' '$TMPD/e2'"
sed 's/^/#   /' "$TMPD/e2"

# sigrec lines as the writer formats them (docs/PSTORE.md), between marker
# writes that are not sigrec lines; ftrace renders them at each read with
# the display options of that moment: each set is read
line() { echo "sigrec: sh($1) --SIGTERM--> sleep($2) [kill] ok t=179531166$1.000000001 b=80a8af2c"; }
opt() { echo "$2" >"$I/options/$1" 2>/dev/null; }
echo "not a sigrec line" >"$I/trace_marker"
for i in 1 2 3; do line $i 10$i >"$I/trace_marker"; done
echo "sched_switch: sigrec: x(1) --SIGKILL--> y(2) [kill] ok t=1.0 b=80a8af2c" >"$I/trace_marker"
three() { # FILE SOURCE: the three targets once each, nothing else
	[ "$(jq -c 'select(.type=="signal")' "$1" | wc -l)" -eq 3 ] || return 1
	for p in 101 102 103; do
		[ "$(jq -c --argjson P $p --arg S "$2" 'select(.target.pid==$P and .source==$S and .signal=="SIGTERM")' "$1" | wc -l)" -eq 1 ] || return 1
	done
}
bad=""
for set in "" "irq-info=0" "record-tgid=1 sym-offset=1" "irq-info=1 print-parent=0 context-info=1"; do
	for o in $set; do opt "${o%=*}" "${o#*=}"; done
	grep -v '^#' "$I/trace" | head -n 2 | sed "s/^/#   trace (${set:-defaults}): /"
	"$BIN/sigdump" --pstore="$I" --json >"$TMPD/live.json" 2>"$TMPD/live.err" &&
		three "$TMPD/live.json" "pstore:$NAME/trace" || bad+=" [${set:-defaults}]"
done
check "${NAMES[2]}" test -z "$bad"
[ -n "$bad" ] && diag "wrong with the options:$bad"
mkdir -p "$TMPD/copy/boot_map"
cp "$I/trace" "$TMPD/copy/boot_map/trace"
: >"$TMPD/copy/boot_map/trace_marker"
"$BIN/sigdump" --pstore="$TMPD/copy/boot_map" --json >"$TMPD/copy.json" 2>"$TMPD/copy.err"
rc=$?
check "${NAMES[3]}" bash -c "[ $rc -eq 0 ] && $(declare -f three); three '$TMPD/copy.json' 'pstore:boot_map/trace'"
[ -s "$TMPD/live.err" ] && sed 's/^/#   stderr: /' "$TMPD/live.err"
tap_done
