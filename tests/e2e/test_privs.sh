#!/usr/bin/env bash
# test_privs.sh - least privilege: after attaching, sigrec keeps only
# CAP_BPF and CAP_SYS_PTRACE (bounding set too) with no_new_privs, still
# records; the ring is 0640 in the configured group, which can read it
# with sigdump without root.
source "$(dirname "$0")/../lib.sh"
skip_all_unless_bpf "capabilities dropped to CAP_BPF+CAP_SYS_PTRACE" "bounding set dropped" \
	"no_new_privs set" "still records after dropping" "ring is 0640 in its group" \
	"sigdump reads it as an unprivileged group member"

chmod 0755 "$TMPD"
RING="$TMPD/p.ring"
start_rec "$RING" -s 2M --group nogroup || { not_ok "sigrec starts"; tap_done; exit 1; }
WANT=$(printf '%016x' $(( (1 << 39) | (1 << 19) )))
st() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$REC_PID/status"; }
check "capabilities dropped to CAP_BPF+CAP_SYS_PTRACE" test "$(st CapEff)" = "$WANT" -a "$(st CapPrm)" = "$WANT"
check "bounding set dropped" test "$(st CapBnd)" = "$WANT"
check "no_new_privs set" test "$(st NoNewPrivs)" = 1
K=$("$BIN/sigsend" kill)
stop_rec
KT=$(jq .target <<<"$K")
check "still records after dropping" \
	test "$("$BIN/sigdump" --json --pid "$KT" "$RING" | jq -c 'select(.sig==10)' | wc -l)" -eq 1
check "ring is 0640 in its group" test "$(stat -c '%a %G' "$RING")" = "640 nogroup"
check "sigdump reads it as an unprivileged group member" bash -c \
	"setpriv --reuid=65534 --regid=65534 --clear-groups '$BIN/sigdump' --pid $KT '$RING' | grep -q SIGUSR1"
tap_done
