#!/usr/bin/env bash
# test_timers.sh - real timers of every kind (alarm, setitimer, POSIX
# timers to the process and to one thread, an alarm clock where the
# machine has one, a CPU-clock timer, RLIMIT_CPU, ITIMER_PROF and
# ITIMER_VIRTUAL) fire at a timersend process; sigdump must name each
# signal's timer: its kind, the POSIX timer's id and clock, and its owner
# (the process that armed it), in JSON, logfmt, the timeline and --why.
source "$(dirname "$0")/../lib.sh"

SCEN=$("$BIN/timersend" --list 2>/dev/null)
skip_all_unless_bpf $SCEN

RING="$TMPD/timers.ring"
FACTS="$TMPD/facts"
start_rec "$RING" -s 8M || { not_ok "sigrec starts"; tap_done; exit 1; }
for s in $SCEN; do
	"$BIN/timersend" "$s" >>"$FACTS" 2>>"$TMPD/timersend.err" ||
		echo "{\"scenario\":\"$s\",\"error\":true}" >>"$FACTS"
done
sleep 0.3
check "sigrec exits 0 on SIGTERM" stop_rec
"$BIN/sigdump" --json "$RING" >"$TMPD/out.json" 2>"$TMPD/dump.err"
check "sigdump output is valid JSON lines" quiet jq -e . "$TMPD/out.json"

fact() { jq -r --arg s "$1" "select(.scenario==\$s) | $2" "$FACTS"; }

# expect SCENARIO JQ-CONDITION: exactly one signal to the scenario's thread satisfies it
expect() {
	local name=$1 cond=$2 got T TID G ID
	if [ "$(fact "$name" .error)" = true ]; then
		not_ok "$name: timersend failed: $(tail -n 1 "$TMPD/timersend.err")"
		return
	fi
	if [ -n "$(fact "$name" '.skip // empty')" ]; then
		skip "$name" "$(fact "$name" .skip)"
		return
	fi
	T=$(fact "$name" .target) TID=$(fact "$name" .tid) G=$(fact "$name" .sig) ID=$(fact "$name" '.id // -1')
	got=$(jq -c --argjson T "$T" --argjson TID "$TID" --argjson G "$G" --argjson ID "$ID" \
		"select(.type==\"signal\" and .sig==\$G and .target.pid==\$T and .target.tid==\$TID and
			.cause==\"timer\" and .timer.owner.pid==\$T and .timer.owner.comm==\"timersend\" and
			.timer.owner.start_time==.target.start_time and ($cond))" "$TMPD/out.json" | wc -l)
	if [ "$got" -eq 1 ]; then
		ok "$name: recorded with its timer"
	else
		not_ok "$name: expected 1 event matching [$cond], got $got"
		jq -c --argjson T "$T" "select(.type==\"signal\" and .target.pid==\$T) |
			{sig,code,cause,context,sender_is_task,timer}" "$TMPD/out.json" | head -3 | sed 's/^/# /'
	fi
}

IRQ='.context=="interrupt" and (.sender_is_task|not) and .sender.kernel'
POSIX='.code=="SI_TIMER" and .timer.id==$ID and .timer.overrun==0'
expect alarm "$IRQ and .timer.kind==\"itimer_real\" and .timer.how==\"setitimer(ITIMER_REAL) or alarm()\" and (.timer.id|not)"
expect itimer_real "$IRQ and .timer.kind==\"itimer_real\" and .code==\"SI_KERNEL\""
expect posix "$IRQ and $POSIX and .timer.kind==\"posix\" and .timer.clock==\"CLOCK_MONOTONIC\" and .timer.how==\"timer_create(CLOCK_MONOTONIC)\""
expect posix_thread "$IRQ and $POSIX and .timer.kind==\"posix\" and .timer.clock==\"CLOCK_MONOTONIC\" and (.group|not)"
expect posix_alarm "$POSIX and .timer.kind==\"alarm\" and .timer.clock==\"CLOCK_BOOTTIME_ALARM\""
expect posix_cpu "$POSIX and .timer.kind==\"posix_cpu\" and .timer.clock==\"CLOCK_PROCESS_CPUTIME_ID\""
expect rlimit_cpu '.timer.kind=="rlimit_cpu" and .timer.how=="RLIMIT_CPU soft limit"'
expect itimer_prof '.timer.kind=="itimer_prof" and .timer.how=="setitimer(ITIMER_PROF)"'
expect itimer_virtual '.timer.kind=="itimer_virtual" and .timer.how=="setitimer(ITIMER_VIRTUAL)"'

# no other signal names a timer (SIGCHLDs, the recorder's SIGTERM)
others=$(jq -c 'select(.type=="signal" and .timer and .target.comm!="timersend" and .target.comm!="timerwaiter")' \
	"$TMPD/out.json" | wc -l)
check "only the timers' signals name a timer ($others others)" test "$others" -eq 0

# the timeline, --why and logfmt say the same
T=$(fact itimer_real .target)
"$BIN/sigdump" "$RING" >"$TMPD/out.txt" 2>/dev/null
check "timeline: 'timer: setitimer(ITIMER_REAL) or alarm() armed by timersend[$T]'" \
	grep -qE "SIGALRM +kernel\(irq\) -> timersend\[$T\]  delivered  timer: setitimer\(ITIMER_REAL\) or alarm\(\) armed by timersend\[$T\]$" \
	"$TMPD/out.txt"
T=$(fact posix .target) ID=$(fact posix .id)
check "timeline: 'timer: timer_create(CLOCK_MONOTONIC) id $ID armed by timersend[$T]'" \
	grep -qF "timer: timer_create(CLOCK_MONOTONIC) id $ID armed by timersend[$T]" "$TMPD/out.txt"
T=$(fact rlimit_cpu .target)
check "timeline: 'timer: RLIMIT_CPU soft limit reached by timersend[$T]'" \
	grep -qF "timer: RLIMIT_CPU soft limit reached by timersend[$T]" "$TMPD/out.txt"
T=$(fact alarm .target)
"$BIN/sigdump" --why "$T" "$RING" >"$TMPD/why.txt" 2>&1
check "--why: the SIGALRM from the kernel names its timer" \
	grep -qF "from the kernel in interrupt context (timer: setitimer(ITIMER_REAL) or alarm() armed by timersend[$T])" \
	"$TMPD/why.txt"
T=$(fact posix .target)
"$BIN/sigdump" --logfmt --pid "$T" "$RING" >"$TMPD/out.lf" 2>/dev/null
check "logfmt: timer.kind=posix timer.how=timer_create(CLOCK_MONOTONIC) timer.id=$ID timer.overrun=0 timer.clock=CLOCK_MONOTONIC timer.owner.pid=$T" \
	grep -qF "timer.kind=posix timer.how=timer_create(CLOCK_MONOTONIC) timer.id=$ID timer.overrun=0 timer.clock=CLOCK_MONOTONIC timer.owner.pid=$T timer.owner.comm=timersend" \
	"$TMPD/out.lf"
n=$("$BIN/sigdump" --json --cause timer "$RING" 2>/dev/null | jq -c 'select(.type=="signal" and .timer)' | wc -l)
want=$(jq -c 'select(.skip == null and .error == null)' "$FACTS" | wc -l)
check "--cause timer selects every timer's signal ($n of $want)" test "$n" -ge "$want"
check "sigdump printed no warnings" test ! -s "$TMPD/dump.err"
tap_done
