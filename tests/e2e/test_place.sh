#!/usr/bin/env bash
# test_place.sh - the ring's place: sigrec refuses (exit 3, file untouched)
# a ring or directory another user owns or can write, a ring that is a
# symbolic link, a --group it cannot apply; applies --group to a new ring
# (also a gid above INT_MAX); and a ring truncated under the recorder makes
# it stop with a message (exit 3), not die of SIGBUS.
source "$(dirname "$0")/../lib.sh"
NAMES="foreign-ring foreign-dir group-writable-dir symlink-ring group-mismatch group-new group-big shrink"
skip_all_unless_bpf $NAMES
R="$BIN/sigrec"

# refused RC_LOG_NAME FILE ARGS...: exit 3, file bytes unchanged, a message naming the problem
refused() {
	local name=$1 file=$2 pat=$3; shift 3
	local before after rc
	before=$(sha256sum "$file" 2>/dev/null)
	timeout 20 "$R" --no-pin --duration 1s "$@" 2>"$TMPD/err"
	rc=$?
	after=$(sha256sum "$file" 2>/dev/null)
	sed 's/^/#   /' "$TMPD/err"
	check "$name (exit $rc)" bash -c "[ $rc -eq 3 ] && [ '$before' = '$after' ] && grep -q -- '$pat' '$TMPD/err'"
}

D="$TMPD/d"; mkdir -m 0700 "$D"
# a ring made by root, then given to nobody
"$R" -r "$D/a.ring" -s 1M --no-pin --duration 1s 2>/dev/null
chown nobody "$D/a.ring"
refused "a ring owned by another user is refused" "$D/a.ring" "owned by uid" -r "$D/a.ring"
chown root "$D/a.ring"

mkdir -m 0700 "$TMPD/n"; cp "$D/a.ring" "$TMPD/n/a.ring"; chown nobody "$TMPD/n"
refused "a directory owned by another user is refused" "$TMPD/n/a.ring" "owned by uid" -r "$TMPD/n/a.ring"

mkdir -m 0770 "$TMPD/g"; chmod 0770 "$TMPD/g"; cp "$D/a.ring" "$TMPD/g/a.ring"
refused "a directory writable by its group is refused" "$TMPD/g/a.ring" "writable by its group" -r "$TMPD/g/a.ring"

ln -s "$D/a.ring" "$D/link.ring"
refused "a ring that is a symbolic link is refused" "$D/a.ring" "symbolic link" -r "$D/link.ring"

refused "--group on an existing ring of another group is refused" "$D/a.ring" "exists with group" \
	-r "$D/a.ring" --group nogroup

"$R" -r "$D/new.ring" -s 1M --group nogroup --no-pin --duration 1s 2>"$TMPD/err"
check "--group gives a new ring its group" test "$(stat -c %G "$D/new.ring")" = nogroup
"$R" -r "$D/big.ring" -s 1M --group 4000000000 --no-pin --duration 1s 2>"$TMPD/err"
check "--group above INT_MAX is applied, not ignored" test "$(stat -c %g "$D/big.ring")" = 4000000000

# shrink under the mapping: a clean stop with a message, not SIGBUS
start_rec "$D/s.ring" -s 4M -S USR1 --no-coalesce
truncate -s 64K "$D/s.ring"
"$BIN/storm" kill 20000 >/dev/null
RC=0
for _ in $(seq 1 50); do kill -0 "$REC_PID" 2>/dev/null || break; sleep 0.1; done
wait "$REC_PID"; RC=$?; REC_PID=
sed 's/^/#   /' "$REC_LOG"
check "a ring truncated under the recorder: exit 3 with a message, no SIGBUS death (exit $RC)" \
	bash -c "[ $RC -eq 3 ] && grep -q 'shrank under the recorder' '$REC_LOG'"
"$R" -r "$D/s.ring" --unpin 2>/dev/null
tap_done
