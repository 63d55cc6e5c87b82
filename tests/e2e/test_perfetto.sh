#!/usr/bin/env bash
# test_perfetto.sh - sigdump --perfetto: the Chrome JSON trace, checked by
# perfetto_check.py (structure, flows, tracks).  First crafted rings (no
# root: exact structure, pid reuse, the output file), then real signals
# recorded by sigrec: a shell's kill, SIGCHLD, a fault, a reused pid.
source "$(dirname "$0")/../lib.sh"
D="$BIN/sigdump"
CHK="$ROOT/tests/e2e/perfetto_check.py"
CRAFT="$BIN/tests/test_craft"

# ---- crafted rings: no root needed ----
if [ -x "$CRAFT" ] && [ -x "$D" ]; then
	"$CRAFT" ring "$TMPD/c.ring"
	"$D" --perfetto "$TMPD/c.json" "$TMPD/c.ring" 2>/dev/null
	check "crafted: trace valid, kill flow sh -> sleep, fork and exit marks" quiet \
		python3 "$CHK" "$TMPD/c.json" --flow SIGTERM 100 200 --mark fork 200 \
		--mark exec 200 --mark exit 200
	python3 "$CHK" "$TMPD/c.json" --dump | grep -v '^ok ' >"$TMPD/c.dump"
	cat >"$TMPD/c.want" <<'EOF'
X SIGTERM sh [100]/sh [100] ts=1001.0 dur=1.0 flow_out {"cause": "syscall", "code": "SI_USER", "result": "delivered", "ret": 0, "role": "sender", "sender": "sh [100/100]", "si_code": 0, "sig": 15, "syscall": "kill", "syscall_arg": 200, "target": "sleep [200/200]"}
X SIGTERM sleep [200]/sleep [200] ts=1001.0 dur=1.0 flow_in {"cause": "syscall", "code": "SI_USER", "result": "delivered", "ret": 0, "role": "target", "sender": "sh [100/100]", "si_code": 0, "sig": 15, "syscall": "kill", "syscall_arg": 200, "target": "sleep [200/200]"}
i exec sh [100]/sh [100] ts=0.0 {"cmdline": "sh -c kill", "comm": "sh", "exe": "/bin/sh"}
i fork sleep [200]/sleep [200] ts=2.234 {"ppid": 100}
i exec sleep [200]/sleep [200] ts=6.0 {"cmdline": "sleep 1000", "comm": "sleep", "exe": "/usr/bin/sleep"}
i exit sleep [200]/sleep [200] ts=1001.5 {"code": 0, "core": false, "killed_by": "SIGTERM", "signal": 15}
M process_name sh [100]/sh [100] {'name': 'sh [100]'}
M process_sort_index sh [100]/sh [100] {'sort_index': 1}
M thread_name sh [100]/sh [100] {'name': 'sh [100]'}
M thread_sort_index sh [100]/sh [100] {'sort_index': 0}
M process_name sleep [200]/sleep [200] {'name': 'sleep [200]'}
M process_sort_index sleep [200]/sleep [200] {'sort_index': 2}
M thread_name sleep [200]/sleep [200] {'name': 'sleep [200]'}
M thread_sort_index sleep [200]/sleep [200] {'sort_index': 0}
EOF
	check "crafted: exact structure (golden)" diff -u "$TMPD/c.want" "$TMPD/c.dump"
	check "crafted: ts origin and ns precision" bash -c "grep -q '\"ts_origin\":\"2025-06-15T15:06:39.999999000Z\"' '$TMPD/c.json' &&
		grep -q '\"ts\":2.234' '$TMPD/c.json'"
	cp "$TMPD/c.json" "$TMPD/c.keep"
	check "an existing FILE is refused and left alone" bash -c "
		! '$D' --perfetto '$TMPD/c.json' '$TMPD/c.ring' 2>'$TMPD/exists.err' &&
		grep -q 'exists; refusing to overwrite' '$TMPD/exists.err' && cmp -s '$TMPD/c.json' '$TMPD/c.keep'"
	ln -s "$TMPD/nowhere" "$TMPD/link.json"
	check "a symlink as FILE is refused, nothing created behind it" bash -c "
		! '$D' --perfetto '$TMPD/link.json' '$TMPD/c.ring' 2>/dev/null && [ ! -e '$TMPD/nowhere' ]"
	check "- writes the trace to stdout" bash -c "'$D' --perfetto - '$TMPD/c.ring' >'$TMPD/out.json' 2>/dev/null &&
		cmp -s '$TMPD/out.json' '$TMPD/c.keep'"
	"$D" --perfetto "$TMPD/f.json" --signal KILL "$TMPD/c.ring" 2>/dev/null
	check "filters apply (--signal KILL: no slice)" bash -c "python3 '$CHK' '$TMPD/f.json' >/dev/null &&
		! grep -q '\"ph\":\"X\"' '$TMPD/f.json'"
	check "--perfetto does not go with --stats" bash -c "'$D' --perfetto - --stats '$TMPD/c.ring' >/dev/null 2>&1; [ \$? -eq 2 ]"
	"$CRAFT" pidstorm "$TMPD/p.ring" 3
	"$D" --perfetto "$TMPD/p.json" "$TMPD/p.ring" 2>/dev/null
	check "crafted: three processes with pid 4242 are three tracks" quiet \
		python3 "$CHK" "$TMPD/p.json" --tracks 4242 3 --tracks 4243 3 --flow SIGUSR1 4242 4243
else
	for n in "crafted rings"; do skip "$n" "$CRAFT or $D not built"; done
fi

# ---- real signals ----
NAMES=("recorded: trace valid" "recorded: kill from a shell to a sleep" "recorded: SIGCHLD to the shell"
	"recorded: SIGSEGV of a crashing child" "recorded: exit mark of the killed sleep"
	"recorded: a reused pid has two tracks" "recorded: a timer's SIGALRM starts on the kernel track")
skip_all_unless_bpf "${NAMES[@]}"
RING="$TMPD/r.ring"
start_rec "$RING" -s 8M || { not_ok "sigrec starts"; tap_done; exit 1; }
bg_sleep 100; SLP=$!
bash -c "kill -TERM $SLP" & SH=$!
wait "$SH" "$SLP" 2>/dev/null
# a child that crashes: SIGSEGV raised by the kernel for its fault
S=$("$BIN/sigsend" segv)
SEGV=$(jq .target <<<"$S")
# a timer's SIGALRM: raised from the timer interrupt, no sending task
timeout 0.2 sleep 5 & TO=$!
wait "$TO" 2>/dev/null
# pid reuse: ns_last_pid hands the next fork the pid of one that died
reused() {
	local a b
	for _ in $(seq 1 50); do
		bg_sleep 301; a=$!
		kill -TERM "$a"; wait "$a" 2>/dev/null
		echo $((a - 1)) >/proc/sys/kernel/ns_last_pid
		bg_sleep 302; b=$!
		kill -USR1 "$b"; wait "$b" 2>/dev/null
		[ "$a" = "$b" ] && { echo "$a"; return 0; }
	done
	return 1
}
REUSED=$(reused)
sleep 0.5
stop_rec
"$D" --perfetto "$TMPD/r.json" "$RING" 2>/dev/null
python3 "$CHK" "$TMPD/r.json" >"$TMPD/r.check"
check "recorded: trace valid" test $? -eq 0
sed 's/^/#   /' "$TMPD/r.check"
check "recorded: kill from a shell to a sleep" quiet python3 "$CHK" "$TMPD/r.json" --flow SIGTERM "$SH" "$SLP"
check "recorded: SIGCHLD to the shell" quiet python3 "$CHK" "$TMPD/r.json" --flow SIGCHLD "$SLP" $$
check "recorded: SIGSEGV of a crashing child" bash -c "python3 '$CHK' '$TMPD/r.json' --self SIGSEGV $SEGV >/dev/null ||
	python3 '$CHK' '$TMPD/r.json' --flow SIGSEGV kernel $SEGV >/dev/null"
check "recorded: exit mark of the killed sleep" quiet python3 "$CHK" "$TMPD/r.json" --mark exit "$SLP"
check "recorded: a timer's SIGALRM starts on the kernel track" quiet python3 "$CHK" "$TMPD/r.json" \
	--flow SIGALRM kernel "$TO"
if [ -n "$REUSED" ]; then
	check "recorded: a reused pid has two tracks" quiet python3 "$CHK" "$TMPD/r.json" --tracks "$REUSED" 2
else
	skip "recorded: a reused pid has two tracks" "could not get a pid reused via ns_last_pid"
fi
tap_done
