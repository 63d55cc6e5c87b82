#!/usr/bin/env bash
# test_readme_why.sh - the README's "Who killed my process?" case, run for
# real: a service `myservice` (a shell script that stops on SIGTERM with
# code 143) and a nightly `cleanup.sh` whose `pkill -f` pattern matches it
# by accident.  `sigdump --why myservice` must name pkill and its parents
# (cleanup.sh, its sh), show pkill's stack (the libc kill it called, in a
# file found by build id), say that the process handled the signal and
# exited with code 143, and end with that exit.  Its output is printed as
# diagnostics: the README's example is this output.
source "$(dirname "$0")/../lib.sh"
NAMES=("the case is recorded: a SIGTERM from pkill to myservice"
	"--why names pkill and its parents cleanup.sh and sh"
	"--why shows pkill's stack: kill in libc, found by build id"
	"--why says the process handled it and exited with code 143"
	"--why ends with the exit, code 143"
	"--why --json: the why object, then the signal with sender.stack and the delivery"
	"--why --json: the delivery, action handler, after the signal")
skip_all_unless_bpf "${NAMES[@]}"
D="$BIN/sigdump"
command -v pkill >/dev/null || { for n in "${NAMES[@]}"; do skip "$n" "pkill (procps) not installed"; done; tap_done; exit 0; }

W="$TMPD/case"
mkdir -p "$W"
cat >"$W/myservice" <<'SH'
#!/bin/sh
trap 'kill $! 2>/dev/null; exit 143' TERM
sleep "$1" & wait $!
SH
cat >"$W/cleanup.sh" <<'SH'
#!/bin/sh
pkill -TERM -f myservice
SH
chmod +x "$W/myservice" "$W/cleanup.sh"

RING="$TMPD/w.ring"
start_rec "$RING" -s 8M || { not_ok "sigrec starts"; tap_done; exit 1; }
(cd "$W" && exec ./myservice 1000) &
SVC=$!
sleep 0.5
(cd "$W" && sh -c ./cleanup.sh)
wait "$SVC"
RC=$?
sleep 0.3
stop_rec

"$D" --why myservice "$RING" >"$TMPD/why.txt" 2>"$TMPD/why.err"
sed 's/^/# /' "$TMPD/why.txt"
"$D" --json --pid "$SVC" "$RING" >"$TMPD/svc.json"
check "${NAMES[0]}" test "$RC" -eq 143 -a "$(jq -c 'select(.type=="signal" and .signal=="SIGTERM" and .sender.comm=="pkill")' "$TMPD/svc.json" | wc -l)" -ge 1
check "${NAMES[1]}" grep -qE '^  .*SIGTERM +pkill\[[0-9]+\] "pkill -TERM -f myservice"' "$TMPD/why.txt" -a \
	-n "$(grep -E '└─ cleanup.sh\[[0-9]+\] "/bin/sh ./cleanup.sh"' "$TMPD/why.txt")" -a \
	-n "$(grep -E '└─ sh\[[0-9]+\] "sh -c ./cleanup.sh"' "$TMPD/why.txt")"
# the kernel reads a frame's build id only when it can take the mmap lock
# at once; a frame left as an address is the kernel's answer, said here
if grep -qE '^ +stack +kill\+0x[0-9a-f]+ \(.*libc\.so\.6\)$' "$TMPD/why.txt"; then
	ok "${NAMES[2]}"
elif grep -qE '^ +stack +0x[0-9a-f]+' "$TMPD/why.txt"; then
	skip "${NAMES[2]}" "the kernel gave pkill's frame without its build id (mmap lock busy): only its address was recorded"
else
	not_ok "${NAMES[2]}"
fi
check "${NAMES[3]}" grep -qE '→ handled by the process; it exited with code 143 [0-9.]+ [mun]?s later$' "$TMPD/why.txt"
check "${NAMES[4]}" grep -qE '^Ended: .*exited with code 143$' "$TMPD/why.txt"
"$D" --why myservice --json "$RING" >"$TMPD/why.json"
check "${NAMES[5]}" test "$(head -1 "$TMPD/why.json" | jq -r .type)" = why -a \
	"$(jq -c 'select(.type=="signal" and .sender.comm=="pkill" and (.sender.stack | length) > 0)' "$TMPD/why.json" | wc -l)" -ge 1
check "${NAMES[6]}" test "$(jq -r 'select(.type=="signal" or .type=="deliver") | select(.signal=="SIGTERM") | .type + ":" + (.action // "")' "$TMPD/why.json" | tr '\n' ' ')" = "signal: deliver:handler "
tap_done
