#!/usr/bin/env bash
# test_badinput.sh - sigrec and sigdump refuse bad input with a clear
# message and the documented exit code, and never overwrite anything.
source "$(dirname "$0")/../lib.sh"

# expect_fail NAME CODE PATTERN CMD...: CMD exits CODE and stderr matches PATTERN
expect_fail() {
	local name=$1 code=$2 pat=$3 rc=0; shift 3
	"$@" >"$TMPD/out" 2>"$TMPD/err" || rc=$?
	if [ "$rc" -eq "$code" ] && grep -qiE "$pat" "$TMPD/err"; then
		ok "$name"
	else
		not_ok "$name (exit $rc, want $code; stderr: $(head -c 300 "$TMPD/err"))"
	fi
}

R="$BIN/sigrec" D="$BIN/sigdump"
expect_fail "sigrec: unknown flag" 2 "unrecognized|Try" "$R" --bogus
expect_fail "sigrec: stray argument" 2 "unexpected argument" "$R" extra
expect_fail "sigrec: size not a number" 2 "invalid --size" "$R" --size lots
expect_fail "sigrec: size too small" 2 "invalid --size" "$R" --size 4096
expect_fail "sigrec: size not whole pages" 2 "invalid --size" "$R" --size 1000000
expect_fail "sigrec: unknown signal" 2 "invalid --signals" "$R" --signals TERM,FOO
expect_fail "sigrec: every signal excluded" 2 "exclude every signal" "$R" --signals TERM --exclude-signals TERM
expect_fail "sigrec: pid out of range" 2 "invalid --pid" "$R" --pid 0
expect_fail "sigrec: comm too long" 2 "invalid --comm" "$R" --comm abcdefghijklmnopq
expect_fail "sigdump: unknown flag" 2 "unrecognized|Try" "$D" --bogus
expect_fail "sigdump: bad duration" 2 "invalid --last" "$D" --last 10parsecs
expect_fail "sigdump: since after until" 2 "after --until" "$D" --since 1h --until 2h
expect_fail "sigdump: missing file" 3 "No such file" "$D" "$TMPD/none.ring"

printf 'precious notes\n' >"$TMPD/notes"
SUM=$(md5sum <"$TMPD/notes")
expect_fail "sigdump: not a ring" 3 "not a sigrec ring" "$D" "$TMPD/notes"
check "sigrec --help exits 0 with usage and examples" \
	bash -c "'$R' --help | grep -q Examples:"
check "sigdump --help exits 0 with usage and examples" \
	bash -c "'$D' --help | grep -q Examples:"

why=$(bpf_unavailable)
if [ -n "$why" ]; then
	for n in "not a ring refused" "not a ring untouched" "missing directory" \
		"second recorder refused" "size mismatch refused" "newer major version refused" \
		"newer ring left untouched" "full disk refused" \
		"full disk leaves nothing" "read-only directory refused"; do
		skip "sigrec: $n" "$why"
	done
	tap_done
	exit
fi

expect_fail "sigrec: not a ring refused" 3 "not a sigrec ring.*refusing to overwrite" \
	"$R" -r "$TMPD/notes" --duration 1s
check "sigrec: not a ring untouched" test "$(md5sum <"$TMPD/notes")" = "$SUM"
expect_fail "sigrec: missing directory" 3 "directory.*No such file" \
	"$R" -r "$TMPD/nodir/x.ring" --duration 1s

start_rec "$TMPD/a.ring" -s 2M
expect_fail "sigrec: second recorder refused" 3 "in use by another sigrec \(pid $REC_PID\)" \
	"$R" -r "$TMPD/a.ring" --duration 1s
stop_rec
expect_fail "sigrec: size mismatch refused" 3 "ring of 2097152 bytes but --size asks for" \
	"$R" -r "$TMPD/a.ring" -s 4M --duration 1s
cp "$TMPD/a.ring" "$TMPD/v2.ring"
printf '\x02\x00\x00\x00' | dd of="$TMPD/v2.ring" bs=1 seek=8 conv=notrunc 2>/dev/null	# 2.0
SUM2=$(md5sum <"$TMPD/v2.ring")
expect_fail "sigrec: newer major version refused" 3 "version 2.0 is not supported.*upgrade sigrec" \
	"$R" -r "$TMPD/v2.ring" --duration 1s
check "sigrec: newer ring left untouched" test "$(md5sum <"$TMPD/v2.ring")" = "$SUM2"
expect_fail "sigdump: newer major version refused" 3 "version 2.0 is not supported" "$D" "$TMPD/v2.ring"

mkdir -p "$TMPD/tiny" "$TMPD/ro"
if mount -t tmpfs -o size=1M,mode=0700 tmpfs "$TMPD/tiny" 2>/dev/null; then
	expect_fail "sigrec: full disk refused" 3 "cannot allocate.*No space" \
		"$R" -r "$TMPD/tiny/x.ring" -s 8M --duration 1s
	check "sigrec: full disk leaves nothing" test -z "$(ls -A "$TMPD/tiny")"
	umount "$TMPD/tiny"
else
	skip "sigrec: full disk refused" "cannot mount tmpfs"
	skip "sigrec: full disk leaves nothing" "cannot mount tmpfs"
fi
if mount -t tmpfs -o size=1M,ro,mode=0700 tmpfs "$TMPD/ro" 2>/dev/null; then
	expect_fail "sigrec: read-only directory refused" 3 "Read-only file system" \
		"$R" -r "$TMPD/ro/x.ring" --duration 1s
	umount "$TMPD/ro"
else
	skip "sigrec: read-only directory refused" "cannot mount tmpfs"
fi
tap_done
