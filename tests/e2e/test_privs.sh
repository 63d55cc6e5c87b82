#!/usr/bin/env bash
# test_privs.sh - least privilege: after attaching, sigrec keeps only
# CAP_BPF (bounding set too: nothing to regain through ptrace or exec) with
# no_new_privs and a seccomp filter, still records and still stops
# cleanly (its pins removed under Landlock); the ring is 0640 in the
# configured group, which can read it with sigdump without root.
source "$(dirname "$0")/../lib.sh"
skip_all_unless_bpf "capabilities dropped to CAP_BPF" "bounding set dropped" \
	"no_new_privs set" "seccomp filter" "still records after dropping" "clean stop removes its pins" "ring is 0640 in its group" \
	"sigdump reads it as an unprivileged group member"

chmod 0755 "$TMPD"
RING="$TMPD/p.ring"
start_rec "$RING" -s 2M --group nogroup || { not_ok "sigrec starts"; tap_done; exit 1; }
WANT=$(printf '%016x' $(( 1 << 39 )))
st() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$REC_PID/status"; }
check "capabilities dropped to CAP_BPF" test "$(st CapEff)" = "$WANT" -a "$(st CapPrm)" = "$WANT"
check "bounding set dropped" test "$(st CapBnd)" = "$WANT"
check "no_new_privs set" test "$(st NoNewPrivs)" = 1
check "seccomp filter" test "$(st Seccomp)" = 2
K=$("$BIN/sigsend" kill)
PIN=$(ls -d /sys/fs/bpf/sigrec/*/ 2>/dev/null | wc -l)
stop_rec
check "clean stop removes its pins" test "$(ls -d /sys/fs/bpf/sigrec/*/ 2>/dev/null | wc -l)" -lt "$PIN"
KT=$(jq .target <<<"$K")
check "still records after dropping" \
	test "$("$BIN/sigdump" --json --pid "$KT" "$RING" | jq -c 'select(.type=="signal" and .sig==10)' | wc -l)" -eq 1
check "ring is 0640 in its group" test "$(stat -c '%a %G' "$RING")" = "640 nogroup"
check "sigdump reads it as an unprivileged group member" bash -c \
	"setpriv --reuid=65534 --regid=65534 --clear-groups '$BIN/sigdump' --pid $KT '$RING' | grep -q SIGUSR1"
tap_done
