#!/usr/bin/env bash
# test_export.sh - sigdump --export: a small self-contained dump of a window
# that reads anywhere with every option; --redact leaves no trace of command
# lines past argv[0] or of the host name, byte for byte.
source "$(dirname "$0")/../lib.sh"
HOOKS=$(syscall_hooks)	# these checks need failed attempts and syscall arguments
NAMES=("export written and small" "export holds the kill, resolved" "export keeps the filter"
	"export carries host facts" "redacted: secret absent from every byte"
	"redacted: host name replaced" "unredacted export keeps the command line"
	"foreign reading: other host name, no /proc of the pids" "existing file never overwritten"
	"corrupt dump rejected cleanly" "export read with --why and --stats")
skip_all_unless_bpf "${NAMES[@]}"
D="$BIN/sigdump"
TOKEN="s3cr3t-token-$RANDOM$RANDOM"

RING="$TMPD/e.ring"
start_rec "$RING" -s 8M --hooks "$HOOKS" || { not_ok "sigrec starts"; tap_done; exit 1; }
sleep 1000 & T=$!
for _ in $(seq 1 100); do [ "$(cat /proc/$T/comm)" = sleep ] && break; sleep 0.01; done
sh -c "kill -TERM $T; : $TOKEN"
wait $T 2>/dev/null
"$BIN/sigsend" kill >/dev/null
stop_rec

X="$TMPD/bug.sdump"
"$D" --export "$X" --redact --pid "$T" "$RING" 2>"$TMPD/x.err"
check "export written and small" test -s "$X" -a "$(stat -c %s "$X")" -lt 65536
diag "$(cat "$TMPD/x.err"), $(stat -c %s "$X") bytes"
"$D" --json "$X" >"$TMPD/x.json"
check "export holds the kill, resolved" test "$(jq -c "select(.type==\"signal\" and .target.pid==$T and
	.sig==15 and .sender.cmdline==\"sh\" and .target.cmdline==\"sleep\" and (.sender.ancestry|length)>0)" \
	"$TMPD/x.json" | wc -l)" -eq 1
check "export keeps the filter" test "$(jq -c "select(.type==\"signal\" and .target.pid!=$T)" "$TMPD/x.json" | wc -l)" -eq 0
check "export carries host facts" test "$(jq -c 'select(.type=="host" and .kernel=="'"$(uname -r)"'" and
	.arch=="'"$(uname -m)"'" and .redacted==true)' "$TMPD/x.json" | wc -l)" -eq 1
lz4 -dcq "$X" >"$TMPD/x.raw"
check "redacted: secret absent from every byte" \
	bash -c "test -s '$TMPD/x.raw' && ! grep -aq '$TOKEN' '$TMPD/x.raw' && ! grep -q '$TOKEN' '$TMPD/x.json'"
HN=$(uname -n)
check "redacted: host name replaced" \
	bash -c "[ \"\$(jq -r 'select(.type==\"host\") | .hostname' '$TMPD/x.json')\" = redacted ] &&
		{ [ ${#HN} -lt 4 ] || ! grep -aq '$HN' '$TMPD/x.raw'; }"

"$D" --export "$TMPD/full.sdump" --pid "$T" "$RING" 2>/dev/null
check "unredacted export keeps the command line" \
	bash -c "'$D' --json '$TMPD/full.sdump' | grep -q '$TOKEN'"

# another host: new uts, pid and mount namespaces, none of the recorded pids
unshare --uts --pid --fork --mount-proc sh -c "hostname elsewhere; '$D' --json --pid $T '$X'" \
	>"$TMPD/foreign.json" 2>"$TMPD/foreign.err"
check "foreign reading: other host name, no /proc of the pids" cmp -s "$TMPD/x.json" "$TMPD/foreign.json"

SUM=$(md5sum <"$X")
rc=0; "$D" --export "$X" "$RING" 2>"$TMPD/ow.err" || rc=$?
check "existing file never overwritten" bash -c "[ $rc -eq 1 ] && grep -q 'refusing to overwrite' '$TMPD/ow.err' &&
	[ \"\$(md5sum <'$X')\" = '$SUM' ]"

cp "$X" "$TMPD/bad.sdump"
printf '\xff\xff\xff\xff' | dd of="$TMPD/bad.sdump" bs=1 seek=40 conv=notrunc 2>/dev/null
rc=0; "$D" "$TMPD/bad.sdump" >/dev/null 2>"$TMPD/bad.err" || rc=$?
check "corrupt dump rejected cleanly" bash -c "[ $rc -eq 3 ] && grep -q 'corrupt dump' '$TMPD/bad.err'"
check "export read with --why and --stats" bash -c "'$D' --why $T '$X' | grep -q 'killed by SIGTERM' &&
	'$D' --stats '$X' | jq -e '.signals==1' >/dev/null"
tap_done
