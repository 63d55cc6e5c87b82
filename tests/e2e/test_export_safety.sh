#!/usr/bin/env bash
# test_export_safety.sh - sigdump --export in hostile surroundings: bytes a
# record holds after a string's end never reach the dump (redacted or
# not), and in a sticky world-writable directory another user cannot plant
# the temporary FILE.unpacked.PID (a ring of his, or a symlink) to read the
# export or add events to it.  No BPF needed: the rings are crafted.
source "$(dirname "$0")/../lib.sh"
D="$BIN/sigdump" C="$BIN/tests/test_craft"
SECRET="S3CR3T-$RANDOM"
NAMES=("export: no record holds bytes after a string's end"
	"export --redact: no record holds bytes after a string's end"
	"export: the kill and its processes still read back"
	"export --redact: argv[0] only" "export: no temporary file left behind"
	"planted ring as FILE.unpacked.PID: export refused, saying why"
	"planted ring as FILE.unpacked.PID: left untouched, nothing written through it"
	"planted symlink as FILE.unpacked.PID: export refused, its target untouched")
if [ ! -x "$C" ] || [ ! -x "$D" ]; then
	echo "# SKIP: $C or $D not built (make all unit-bin)" >&2
	for n in "${NAMES[@]}"; do skip "$n" "test_craft or sigdump not built"; done
	tap_done
	exit 0
fi

"$C" secrets "$TMPD/s.ring" "$SECRET"
"$C" scan "$TMPD/s.ring" "$SECRET" >"$TMPD/scan0" || true
diag "crafted ring: $(tail -n 1 "$TMPD/scan0")"
"$D" --export "$TMPD/full.sdump" "$TMPD/s.ring" 2>"$TMPD/x.err"
"$D" --export "$TMPD/red.sdump" --redact "$TMPD/s.ring" 2>>"$TMPD/x.err"
check "${NAMES[0]}" quiet "$C" scan "$TMPD/full.sdump" "$SECRET"
check "${NAMES[1]}" quiet "$C" scan "$TMPD/red.sdump" "$SECRET"
check "${NAMES[2]}" test "$("$D" --json "$TMPD/full.sdump" | jq -c 'select(.type=="signal" and
	.sig==15 and .sender.comm=="sh" and .sender.cmdline=="sh -c" and .target.comm=="v" and
	.target.exe=="/usr/bin/victim")' | wc -l)" -eq 1
check "${NAMES[3]}" test "$("$D" --json "$TMPD/red.sdump" | jq -r 'select(.type=="signal") |
	.sender.cmdline + "|" + .target.cmdline')" = "sh|victim"
check "${NAMES[4]}" test -z "$(find "$TMPD" -name '*.unpacked.*')"

why=
[ "$(id -u)" -eq 0 ] || why="not root: cannot act as another user"
command -v setpriv >/dev/null || why=${why:-"setpriv missing"}
if [ -n "$why" ]; then
	echo "# SKIP: $why" >&2
	for n in "${NAMES[@]:5}"; do skip "$n" "$why"; done
	tap_done
	exit 0
fi
chmod 755 "$TMPD"
SHARED="$TMPD/shared"
mkdir -m 1777 "$SHARED"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

# run_export DST PLANT: sigdump --export DST, with PLANT (a shell command
# run as nobody, $1 = the temporary name) done once its pid is known
run_export() {
	local dst=$1 plant=$2 pid rc=0
	rm -f "$TMPD/pid" "$TMPD/go"
	mkfifo "$TMPD/go"
	sh -c 'echo $$ >"$1"; read _ <"$2"; exec "$3" --export "$4" "$5"' sh \
		"$TMPD/pid" "$TMPD/go" "$D" "$dst" "$TMPD/s.ring" 2>"$TMPD/plant.err" &
	local job=$!
	for _ in $(seq 1 100); do [ -s "$TMPD/pid" ] && break; sleep 0.05; done
	pid=$(cat "$TMPD/pid")
	as_nobody sh -c "$plant" sh "$dst.unpacked.$pid"
	echo go >"$TMPD/go"
	wait "$job" || rc=$?
	echo "$rc"
}

# a ring of nobody's, writable by nobody: the old export wrote into it
"$C" ring "$TMPD/planted.ring"
chmod 644 "$TMPD/planted.ring"
rc=$(run_export "$SHARED/bug.sdump" "cp '$TMPD/planted.ring' \"\$1\" && chmod 666 \"\$1\"")
PLANTED=$(ls "$SHARED"/bug.sdump.unpacked.* 2>/dev/null | head -n 1)
check "${NAMES[5]}" bash -c "[ $rc -eq 1 ] && grep -q 'cannot create .*unpacked.*File exists' '$TMPD/plant.err' &&
	[ ! -e '$SHARED/bug.sdump' ]"
diag "$(head -c 300 "$TMPD/plant.err")"
check "${NAMES[6]}" bash -c "[ -n '$PLANTED' ] && cmp -s '$PLANTED' '$TMPD/planted.ring'"

printf 'precious\n' >"$TMPD/victim"
rc=$(run_export "$SHARED/bug2.sdump" "ln -s '$TMPD/victim' \"\$1\"")
check "${NAMES[7]}" bash -c "[ $rc -eq 1 ] && [ \"\$(cat '$TMPD/victim')\" = precious ] &&
	[ ! -e '$SHARED/bug2.sdump' ]"
tap_done
