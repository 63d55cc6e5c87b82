#!/usr/bin/env bash
# test_trees.sh - identities that outlive the processes: short-lived senders,
# processes older than the recorder, pid reuse, pid namespaces, the OOM
# killer, a ring that wrapped several times, and --why.
source "$(dirname "$0")/../lib.sh"
HOOKS=$(syscall_hooks)	# these checks need failed attempts and syscall arguments
NAMES=("short-lived sender resolved" "pre-existing sender and target resolved"
	"pid reuse: first process named" "pid reuse: second process named"
	"pid namespace: host and namespace pids" "OOM kill attributed" "ring wrapped"
	"after wrap: kill resolves both processes" "--why: grandchild killer with ancestry"
	"--why: text names the end")
skip_all_unless_bpf "${NAMES[@]}"

D="$BIN/sigdump"
ME=$BASHPID
sel() { jq -c "select(.type==\"signal\" and $1)" "$2"; }
count() { sel "$1" "$2" | wc -l; }
# execd PID NAME: wait until PID runs NAME (a fork not yet exec'd is still bash)
execd() { for _ in $(seq 1 100); do [ "$(cat /proc/$1/comm 2>/dev/null)" = "$2" ] && return; sleep 0.01; done; }

# processes that exist before the recorder starts
sleep 1000 & OLD_T=$!
mkfifo "$TMPD/go"
bash -c "read -r _ <'$TMPD/go'; kill -TERM $OLD_T; sleep 0.2" & OLD_S=$!
sleep 0.3

RING="$TMPD/trees.ring"
start_rec "$RING" -s 16M --hooks "$HOOKS" || { not_ok "sigrec starts"; tap_done; exit 1; }

# 1. a sender that lives about a millisecond
sleep 1000 & T1=$!
execd $T1 sleep
bash -c "exec /bin/kill -TERM $T1"
wait $T1 2>/dev/null

# 2. pre-existing sender kills pre-existing target
echo go >"$TMPD/go"
wait $OLD_S $OLD_T 2>/dev/null

# 3. pid reuse: two processes with the same pid, one signal each
reuse() {	# prints PID once two sleeps got the same pid
	local a b
	for _ in $(seq 1 50); do
		sleep 301 & a=$!
		execd $a sleep
		kill -TERM $a; wait $a 2>/dev/null
		echo $((a - 1)) >/proc/sys/kernel/ns_last_pid
		sleep 302 & b=$!
		if [ "$a" = "$b" ]; then
			execd $b sleep
			kill -USR1 $b; wait $b 2>/dev/null
			echo "$a"
			return 0
		fi
		kill -KILL $b; wait $b 2>/dev/null
	done
	return 1
}
REUSED=$(reuse)

# 4. a kill inside a new pid namespace
unshare --pid --fork sh -c 'sleep 1000 & sleep 0.2; kill -HUP $!; wait' 2>/dev/null

# 5. an OOM kill in a memory-limited cgroup (v2 or v1 memory controller)
OOM_PID= OOMCG=
if [ -f /sys/fs/cgroup/cgroup.controllers ] && grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
	OOMCG=/sys/fs/cgroup/sigrec-oom-$$
	mkdir "$OOMCG" && echo 32M >"$OOMCG/memory.max" && echo 0 >"$OOMCG/memory.swap.max" 2>/dev/null
elif [ -d /sys/fs/cgroup/memory ]; then
	OOMCG=/sys/fs/cgroup/memory/sigrec-oom-$$
	mkdir "$OOMCG" && echo 32M >"$OOMCG/memory.limit_in_bytes"
	echo 32M >"$OOMCG/memory.memsw.limit_in_bytes" 2>/dev/null
fi
if [ -n "$OOMCG" ] && [ -d "$OOMCG" ]; then
	sh -c "echo \$\$ >'$OOMCG/cgroup.procs' && exec '$BIN/sigsend' hog" & OOM_PID=$!
	wait $OOM_PID 2>/dev/null
fi

# 7. --why: victim killed by a short-lived grandchild of another process
sleep 1000 & VICTIM=$!
execd $VICTIM sleep
bash -c "bash -c '/bin/kill -TERM $VICTIM; true'; true"
wait $VICTIM 2>/dev/null
sleep 0.3
stop_rec
[ -n "$OOMCG" ] && rmdir "$OOMCG" 2>/dev/null
"$D" --json "$RING" >"$TMPD/t.json" 2>"$TMPD/t.err"

check "short-lived sender resolved" test "$(count ".target.pid==$T1 and .sig==15 and
	.sender.cmdline==\"/bin/kill -TERM $T1\" and .sender.ancestry[0].pid==$ME and
	(.sender.ancestry|length)>1" "$TMPD/t.json")" -eq 1
check "pre-existing sender and target resolved" test "$(count ".target.pid==$OLD_T and .sig==15 and
	.sender.pid==$OLD_S and (.sender.cmdline|startswith(\"bash -c read\")) and
	.target.cmdline==\"sleep 1000\" and .target.ancestry[0].pid==$ME and .sender.ancestry[0].pid==$ME" \
	"$TMPD/t.json")" -eq 1
if [ -n "$REUSED" ]; then
	check "pid reuse: first process named" test "$(count ".target.pid==$REUSED and .sig==15 and
		.target.cmdline==\"sleep 301\"" "$TMPD/t.json")" -eq 1
	check "pid reuse: second process named" test "$(count ".target.pid==$REUSED and .sig==10 and
		.target.cmdline==\"sleep 302\"" "$TMPD/t.json")" -eq 1
	diag "pid $REUSED was used twice: $(sel ".target.pid==$REUSED" "$TMPD/t.json" | jq -r '.target.start_time' | tr '\n' ' ')"
else
	skip "pid reuse: first process named" "could not get a pid reused via ns_last_pid"
	skip "pid reuse: second process named" "could not get a pid reused via ns_last_pid"
fi
check "pid namespace: host and namespace pids" test "$(count '.sig==1 and .target.ns_pid==2 and
	.target.pid!=2 and .sender.ns_pid==1 and .sender.pid!=1 and .target.comm=="sleep"' "$TMPD/t.json")" -eq 1
if [ -n "$OOM_PID" ]; then
	check "OOM kill attributed" test "$(count ".target.pid==$OOM_PID and .sig==9 and .cause==\"oom\" and
		.oom.trigger.pid>0" "$TMPD/t.json")" -eq 1
else
	skip "OOM kill attributed" "no memory cgroup controller to limit"
fi
check "--why: grandchild killer with ancestry" test "$("$D" --why "$VICTIM" --json "$RING" |
	jq -c "select(.type==\"signal\" and .sig==15 and .sender.cmdline==\"/bin/kill -TERM $VICTIM\" and
	(.sender.ancestry[1].cmdline|startswith(\"bash -c bash -c\")) and .target.exit.signal==15)" | wc -l)" -eq 1
check "--why: text names the end" bash -c "'$D' --why $VICTIM '$RING' | grep -q 'killed by SIGTERM'"

# 6. wrap: a 1 MiB ring (16 KiB chunks) overwritten several times around one kill
RING="$TMPD/wrap.ring"
sleep 1000 & WT=$!
execd $WT sleep
mkfifo "$TMPD/go2"
bash -c "read -r _ <'$TMPD/go2'; kill -TERM $WT; sleep 0.2" & WS=$!
# one record per signal, so the storm really fills the ring
start_rec "$RING" -s 1M -S USR1,TERM --no-coalesce --hooks "$HOOKS"
"$BIN/storm" kill 400000 >/dev/null
echo go >"$TMPD/go2"
wait $WS $WT 2>/dev/null
"$BIN/storm" kill 30000 >/dev/null
stop_rec
ST=$("$D" --stats "$RING")
diag "wrap ring: $(jq -c '{chunks,records,oldest}' <<<"$ST")"
check "ring wrapped" test "$(jq .records <<<"$ST")" -lt 200000 -a \
	"$(jq .chunks <<<"$ST")" -ge "$(jq '.ring.slots - 1' <<<"$ST")"
"$D" --json --pid "$WT" "$RING" >"$TMPD/w.json"
check "after wrap: kill resolves both processes" test "$(count ".target.pid==$WT and .sig==15 and
	.sender.pid==$WS and (.sender.cmdline|startswith(\"bash -c read\")) and .target.cmdline==\"sleep 1000\" and
	(.sender.ancestry|length)>1 and (.target.ancestry|length)>1" "$TMPD/w.json")" -eq 1
tap_done
