#!/usr/bin/env bash
# test_pager.sh - the pager on a terminal: a user's own $PAGER runs for
# that user; as root, or with SUDO_UID set (sudo -E keeps the invoking
# user's PAGER), $PAGER is ignored and less runs with LESSSECURE=1, so its
# "!cmd" cannot run commands with sigdump's privileges.  The terminal is a
# pty from script(1); less and $PAGER are stand-ins that record how they
# were run.  No BPF needed.
source "$(dirname "$0")/../lib.sh"
D="$BIN/sigdump" C="$BIN/tests/test_craft"
NAMES=("root: \$PAGER ignored" "root: less runs, with LESSSECURE=1" "root: less gets the timeline"
	"user: own \$PAGER runs" "user with SUDO_UID: \$PAGER ignored, less with LESSSECURE=1"
	"--no-pager: no pager at all")
why=
[ -x "$C" ] && [ -x "$D" ] || why="test_craft or sigdump not built"
[ "$(id -u)" -eq 0 ] || why=${why:-"not root"}
command -v script >/dev/null || why=${why:-"script (util-linux) missing: no pty"}
command -v setpriv >/dev/null || why=${why:-"setpriv missing"}
if [ -n "$why" ]; then
	echo "# SKIP: $why" >&2
	for n in "${NAMES[@]}"; do skip "$n" "$why"; done
	tap_done
	exit 0
fi

chmod 755 "$TMPD"
OUT="$TMPD/out"
mkdir -m 1777 "$OUT"
mkdir "$TMPD/bin"
"$C" ring "$TMPD/r.ring"
# stand-ins: each writes its environment and what it was given, then reads its input
for who in less mypager; do
	printf '#!/bin/sh\nenv >"%s/%s.env"\ncat >"%s/%s.in"\n' "$OUT" "$who" "$OUT" "$who" >"$TMPD/bin/$who"
	chmod 755 "$TMPD/bin/$who"
done

# on_tty [ENV...] -- CMD...: CMD with stdout on a pty, PATH finding the stand-ins first
on_tty() {
	rm -f "$OUT"/*
	script -qec "$(printf '%q ' env PATH="$TMPD/bin:$PATH" "$@")" /dev/null >/dev/null 2>&1 </dev/null
}
nobody() { echo setpriv --reuid=65534 --regid=65534 --clear-groups; }

on_tty PAGER="$TMPD/bin/mypager" LESS=FRX "$D" "$TMPD/r.ring"
check "${NAMES[0]}" test ! -e "$OUT/mypager.env"
check "${NAMES[1]}" grep -qx "LESSSECURE=1" "$OUT/less.env"
check "${NAMES[2]}" grep -q "SIGTERM .*sh\[100\] -> sleep\[200\]" "$OUT/less.in"

on_tty PAGER="$TMPD/bin/mypager" $(nobody) "$D" "$TMPD/r.ring"
check "${NAMES[3]}" bash -c "[ -e '$OUT/mypager.env' ] && ! grep -q LESSSECURE '$OUT/mypager.env' &&
	grep -q 'SIGTERM' '$OUT/mypager.in'"

on_tty PAGER="$TMPD/bin/mypager" SUDO_UID=1000 $(nobody) "$D" "$TMPD/r.ring"
check "${NAMES[4]}" bash -c "[ ! -e '$OUT/mypager.env' ] && grep -qx LESSSECURE=1 '$OUT/less.env'"

on_tty PAGER="$TMPD/bin/mypager" "$D" --no-pager "$TMPD/r.ring"
check "${NAMES[5]}" bash -c "[ ! -e '$OUT/mypager.env' ] && [ ! -e '$OUT/less.env' ]"
tap_done
