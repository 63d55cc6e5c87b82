#!/usr/bin/env bash
# test_honest_sender.sh - a signal raised from interrupt context never names
# the task the interrupt happened to hit as its sender.  A process arms
# ITIMER_REAL at 1 ms and sleeps; a busy loop runs on the same CPU, so the
# timer interrupt hits the loop.  In JSON the sender is {"kernel":true,...}
# (the loop only as "interrupted"), in logfmt source.kernel=true with no
# source.pid, in the text timeline kernel(irq); --sender-pid of the loop
# finds nothing and --stats does not count it as a sender.
source "$(dirname "$0")/../lib.sh"
NAMES="irq-signals-seen json-sender-kernel logfmt-source-kernel text-kernel-irq sender-filter stats-senders"
skip_all_unless_bpf $NAMES
RING="$TMPD/h.ring"
start_rec "$RING" -s 8M -S ALRM || { not_ok "sigrec starts"; tap_done; exit 1; }
taskset -c 0 sh -c 'exec sh -c "while :; do :; done"' & B=$!
sleep 0.2
taskset -c 0 python3 -c '
import signal, time
n = [0]
def h(s, f): n[0] += 1
signal.signal(signal.SIGALRM, h)
signal.setitimer(signal.ITIMER_REAL, 0.001, 0.001)
end = time.time() + 2
while time.time() < end:
    signal.pause()
signal.setitimer(signal.ITIMER_REAL, 0)
' & A=$!
wait "$A"
kill -KILL "$B"; wait "$B" 2>/dev/null
sleep 0.5
stop_rec
"$BIN/sigdump" --json --pid "$A" --signal ALRM "$RING" >"$TMPD/h.json"
"$BIN/sigdump" --logfmt --pid "$A" --signal ALRM "$RING" >"$TMPD/h.logfmt"
"$BIN/sigdump" --no-pager --pid "$A" --signal ALRM "$RING" >"$TMPD/h.txt"
IRQ=$(jq -s 'map(select(.context=="interrupt")) | length' "$TMPD/h.json")
ALL=$(jq -s 'length' "$TMPD/h.json")
diag "SIGALRM records to python[$A]: $ALL, raised in interrupt context: $IRQ (busy loop: sh[$B])"
check "timer signals raised in interrupt context were recorded" test "$IRQ" -ge 1
check "JSON: an interrupt-raised signal's sender is the kernel, never a task" \
	test "$(jq -s 'map(select(.context=="interrupt" and (.sender.kernel != true or .sender.pid != null or .sender_is_task))) | length' "$TMPD/h.json")" -eq 0
check "logfmt: source.kernel=true and no source.pid on those lines" \
	bash -c "! grep 'context=interrupt' '$TMPD/h.logfmt' | grep -q 'source\\.pid=' && grep 'context=interrupt' '$TMPD/h.logfmt' | grep -q 'source.kernel=true'"
check "text: the timeline says kernel(irq) as the sender" grep -q 'kernel(irq) ->' "$TMPD/h.txt"
check "--sender-pid of the interrupted loop finds none of them" \
	test "$("$BIN/sigdump" --json --sender-pid "$B" --signal ALRM "$RING" | grep -c .)" -eq 0
check "--stats does not count the interrupted loop as a sender" \
	test "$("$BIN/sigdump" --stats --signal ALRM "$RING" | jq --argjson b "$B" '[.top_senders[] | select(.pid==$b)] | length')" -eq 0
tap_done
