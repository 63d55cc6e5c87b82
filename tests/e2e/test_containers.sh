#!/usr/bin/env bash
# test_containers.sh - containers and pods named from the recorded cgroup
# path: real cgroups named as docker, podman, containerd (kubelet, systemd
# driver), the kubelet's cgroupfs driver and systemd-nspawn name theirs,
# real processes in them, real signals; then sigdump's JSON container
# objects and cgroup_hierarchy, logfmt keys, the timeline tag, --why's
# Container line, --container and --pod selecting exactly the right events,
# a process moved into a container after sigrec started, and the same
# identities read back from an export.
#
# On a cgroup2 host the cgroups are made under /sys/fs/cgroup; on a v1
# hybrid under the name=systemd hierarchy (/sys/fs/cgroup/systemd) and the
# memory one (/sys/fs/cgroup/memory), each process at the root of the
# others, so that the recorder names the one it is in.  The kubepods
# layouts need /kubepods and /kubepods.slice at the hierarchy's root: they
# are skipped where a kubelet already has them.  The recorder keeps 254
# bytes of a path (a longer one keeps its end): the systemd driver's
# layouts (about 200 bytes) keep the pod, the QoS and the container id.
source "$(dirname "$0")/../lib.sh"
NAMES=("json: docker (systemd driver) container" "json: podman container"
	"json: docker (cgroupfs) container" "json: nspawn machine"
	"json: kubelet cgroupfs, guaranteed pod" "json: kubelet cgroupfs, burstable pod"
	"json: kubelet systemd driver, containerd, besteffort pod"
	"json: no container object outside one" "json: cgroup_hierarchy"
	"json: the sender's container" "logfmt: container keys"
	"moved into a container after sigrec started: named at the event"
	"--container selects sender or target, exactly" "--container: another id"
	"--pod selects exactly, '_' or '-'" "--pod: a long path keeps the pod"
	"--container: fewer than 4 hex digits is a usage error" "--container: not hex is a usage error"
	"timeline: container tag" "timeline: a pod's container tag" "timeline: line without container unchanged"
	"--why: Container line under Cgroup" "export: container identities survive"
	"export: --container works on the dump")
skip_all_unless_bpf "${NAMES[@]}"
D="$BIN/sigdump"

if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
	MODE=cgroup2 SD=/sys/fs/cgroup MEM=/sys/fs/cgroup UNI= SDP= MEMP=
else
	MODE=hybrid SD=/sys/fs/cgroup/systemd MEM=/sys/fs/cgroup/memory
	SDP=name=systemd: MEMP=memory:
	UNI=/sys/fs/cgroup/unified
	[ "$(stat -fc %T $UNI 2>/dev/null)" = cgroup2fs ] || UNI=
	if [ "$(stat -fc %T $SD 2>/dev/null)" != cgroupfs ] ||
	   [ "$(stat -fc %T $MEM 2>/dev/null)" != cgroupfs ]; then
		for n in "${NAMES[@]}"; do skip "$n" "no cgroup2, name=systemd or memory hierarchy"; done
		tap_done; exit 0
	fi
fi
diag "mode $MODE"

hex64() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
uuid() { cat /proc/sys/kernel/random/uuid; }
R=sigrec-$$
DIRS=() PIDS=()
K8S=1
for d in "$MEM/kubepods" "$SD/kubepods.slice"; do
	[ -e "$d" ] && K8S=
done
cleanup_cg() {
	local i
	kill -KILL "${PIDS[@]}" 2>/dev/null
	wait 2>/dev/null	# reaped: their cgroups are empty
	for ((i = ${#DIRS[@]} - 1; i >= 0; i--)); do
		rmdir "${DIRS[i]}" 2>/dev/null || diag "could not remove ${DIRS[i]}"
	done
	cleanup
}
trap cleanup_cg EXIT

# mkcg DIR: make DIR and each missing parent, remembered for the cleanup
mkcg() {
	local d=$1 todo=()
	while [ ! -d "$d" ]; do todo=("$d" "${todo[@]}"); d=${d%/*}; done
	for d in "${todo[@]}"; do mkdir "$d" && DIRS+=("$d") || return 1; done
}
# put PID DIR: into DIR; on a hybrid into the roots of the other hierarchies
put() {
	if [ $MODE = hybrid ]; then
		[ -n "$UNI" ] && echo "$1" >"$UNI/cgroup.procs"
		case $2 in $MEM/*) echo "$1" >"$SD/cgroup.procs" ;; esac
	fi
	echo "$1" >"$2/cgroup.procs"
}
# recorded DIR: the cgroup path of a process in DIR, as /proc and the recorder
# name it (the recorder keeps 127 bytes of it)
recorded() {
	case $1 in $SD/*) echo "$SDP${1#$SD}" ;; *) echo "$MEMP${1#$MEM}" ;; esac
}
# ignoring: a sleep that ignores USR1 and USR2 (alive when the recorder
# looks it up), $! its pid
ignoring() {
	(trap - EXIT TERM; trap '' USR1 USR2; exec sleep 300) &
	PIDS+=($!)
	for _ in $(seq 1 50); do
		[ "$(cat /proc/$!/comm 2>/dev/null)" = sleep ] && return 0
		sleep 0.02
	done
}
# sleeper DIR: such a sleep in DIR; $! its pid
sleeper() {
	mkcg "$1" || return 1
	ignoring
	put $! "$1"
}
# mirror PID DIR: on a hybrid, also into DIR's twin in the unified
# hierarchy, as systemd places a unit there: the move changes the cgroup2
# id the kernel hands BPF, which is how the recorder sees it
mirror() {
	[ -n "$UNI" ] || return 0
	mkcg "$UNI${2#$SD}" && echo "$1" >"$UNI${2#$SD}/cgroup.procs"
}

IDA=$(hex64) IDB=$(hex64) IDC=$(hex64) IDD=$(hex64) IDE=$(hex64) IDF=$(hex64) IDM=$(hex64)
UIDD=$(uuid) UIDE=$(uuid) UIDF=$(uuid)
A=$SD/$R/system.slice/docker-$IDA.scope
B=$SD/$R/machine.slice/libpod-$IDB.scope
C=$MEM/$R/docker/$IDC
G=$SD/$R/machine.slice/'machine-web\x2d1.scope'
DD=$MEM/kubepods/pod$UIDD/$IDD
E=$MEM/kubepods/burstable/pod$UIDE/$IDE
F=$SD/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UIDF//-/_}.slice/cri-containerd-$IDF.scope
M=$SD/$R/system.slice/docker-$IDM.scope

sleeper "$A" && TA=$!
sleeper "$B" && TB=$!
sleeper "$C" && TC=$!
sleeper "$G" && TG=$!
if [ -n "$K8S" ]; then
	sleeper "$DD" && TD=$!
	sleeper "$E" && TE=$!
	sleeper "$F" && TF=$!
fi
ignoring; TN=$!	# in no container
ignoring; TM=$!	# moved into one after sigrec starts
mkcg "$M"

RING="$TMPD/c.ring"
start_rec "$RING" -s 4M -S USR1,USR2 || { not_ok "sigrec starts"; tap_done; exit 1; }
for t in $TA $TC $TG $TN ${TD:-} ${TE:-} ${TF:-}; do kill -USR1 "$t"; done
# a sender put in container A after sigrec saw it fork signals B (the
# subshell runs the builtin kill, then stays until the recorder has read it)
(trap - EXIT; sleep 0.5; kill -USR2 "$TB"; sleep 2) & S=$!; PIDS+=($S)
put $S "$A"
mirror $S "$A"
# a move after sigrec described the process
put $TM "$M"
mirror $TM "$M"
kill -USR1 $TM
sleep 1.5
stop_rec

"$D" --json "$RING" >"$TMPD/all.json"
ctr() { jq -c "select(.type==\"signal\" and .target.pid==$1) | .target.container" "$TMPD/all.json"; }
expect_ctr() {	# NAME PID JSON
	local got
	got=$(ctr "$2")
	[ "$got" = "$3" ] || diag "$1: got '$got', want '$3' ($(jq -r "select(.target.pid==$2) | .target.cgroup" "$TMPD/all.json"))"
	check "$1" test "$got" = "$3"
}
expect_ctr "${NAMES[0]}" $TA "{\"runtime\":\"docker\",\"id\":\"$IDA\"}"
expect_ctr "${NAMES[1]}" $TB "{\"runtime\":\"podman\",\"id\":\"$IDB\"}"
expect_ctr "${NAMES[2]}" $TC "{\"runtime\":\"docker\",\"id\":\"$IDC\"}"
expect_ctr "${NAMES[3]}" $TG '{"runtime":"systemd-nspawn","id":"web-1"}'
if [ -n "$K8S" ]; then
	expect_ctr "${NAMES[4]}" $TD "{\"id\":\"$IDD\",\"pod_uid\":\"$UIDD\",\"qos\":\"guaranteed\"}"
	P=$(recorded "$E")
	diag "burstable pod: the recorded path has ${#P} bytes"
	expect_ctr "${NAMES[5]}" $TE "{\"id\":\"$IDE\",\"pod_uid\":\"$UIDE\",\"qos\":\"burstable\"}"
	# longer than a record's first 127 bytes of path: kept whole all the same
	P=$(recorded "$F")
	diag "systemd-driver pod: the recorded path has ${#P} bytes"
	expect_ctr "${NAMES[6]}" $TF "{\"runtime\":\"containerd\",\"id\":\"$IDF\",\"pod_uid\":\"$UIDF\",\"qos\":\"besteffort\"}"
else
	for i in 4 5 6; do skip "${NAMES[i]}" "a kubelet's kubepods cgroups exist here"; done
fi
check "${NAMES[7]}" test "$(ctr $TN)" = null
HA=$(jq -r "select(.type==\"signal\" and .target.pid==$TA) | .target.cgroup_hierarchy" "$TMPD/all.json")
HC=$(jq -r "select(.type==\"signal\" and .target.pid==$TC) | .target.cgroup_hierarchy" "$TMPD/all.json")
diag "hierarchies: $HA $HC"
if [ $MODE = hybrid ]; then
	check "${NAMES[8]}" test "$HA/$HC" = "name=systemd/memory"
else
	check "${NAMES[8]}" test "$HA/$HC" = "cgroup2/cgroup2"
fi
check "${NAMES[9]}" test "$(jq -c "select(.type==\"signal\" and .target.pid==$TB) | [.sender.pid, .sender.container.id]" \
	"$TMPD/all.json")" = "[$S,\"$IDA\"]"
"$D" --logfmt --pid $TA "$RING" >"$TMPD/a.lf"
check "${NAMES[10]}" grep -q "target.container.runtime=docker target.container.id=$IDA" "$TMPD/a.lf"
expect_ctr "${NAMES[11]}" $TM "{\"runtime\":\"docker\",\"id\":\"$IDM\"}"

# --container: a prefix of A's id picks TA's signal (target) and S's (sender)
sel() { "$D" --json "$@" "$RING" | jq -r 'select(.type=="signal") | .target.pid' | sort | tr '\n' ' '; }
check "${NAMES[12]}" test "$(sel --container "${IDA:0:8}")" = "$(printf '%s\n' $TA $TB | sort | tr '\n' ' ')"
check "${NAMES[13]}" test "$(sel --container "${IDC:0:12}")" = "$TC "
if [ -n "$K8S" ]; then
	U=${UIDD//-/_}
	check "${NAMES[14]}" test "$(sel --pod "$UIDD")/$(sel --pod "${U:0:13}")" = "$TD /$TD "
	check "${NAMES[15]}" test "$(sel --pod "${UIDE:0:8}")/$(sel --pod "$UIDF")" = "$TE /$TF "
else
	for i in 14 15; do skip "${NAMES[i]}" "a kubelet's kubepods cgroups exist here"; done
fi
"$D" --container 3f2 "$RING" >/dev/null 2>"$TMPD/u.err"; RC=$?
diag "$(head -1 "$TMPD/u.err")"
check "${NAMES[16]}" test $RC -eq 2
"$D" --container zzzz "$RING" >/dev/null 2>&1; RC=$?
check "${NAMES[17]}" test $RC -eq 2

# timeline
"$D" --no-pager "$RING" >"$TMPD/t.txt"
diag "$(grep -F "[$TA]" "$TMPD/t.txt")"
check "${NAMES[18]}" grep -qF -- "-> sleep[$TA] [docker:${IDA:0:12}]  ignored" "$TMPD/t.txt"
if [ -n "$K8S" ]; then
	diag "$(grep -F "[$TF]" "$TMPD/t.txt")"
	check "${NAMES[19]}" grep -qF -- "-> sleep[$TF] [containerd:${IDF:0:12}]  ignored" "$TMPD/t.txt"
else
	skip "${NAMES[19]}" "a kubelet's kubepods cgroups exist here"
fi
check "${NAMES[20]}" grep -qE -- "^[0-9-]+ [0-9:.]+  SIGUSR1   bash\[$$\] -> sleep\[$TN\]  ignored  (kill\($TN\)|user SI_USER)$" \
	"$TMPD/t.txt"

# --why
"$D" --why $TA "$RING" >"$TMPD/why.txt"
grep -A1 '^Cgroup:' "$TMPD/why.txt" | sed 's/^/# /'
check "${NAMES[21]}" bash -c "grep -A1 '^Cgroup:' '$TMPD/why.txt' | grep -qx 'Container: docker $IDA'"

# export round trip: the cgroup paths travel, the identities with them
"$D" --export "$TMPD/x.sdump" "$RING" 2>/dev/null
cids() { "$D" --json "$1" | jq -c 'select(.type=="signal") | [.target.pid, .target.container, .sender.container]' | sort; }
check "${NAMES[22]}" test -s "$TMPD/x.sdump" -a "$(cids "$RING")" = "$(cids "$TMPD/x.sdump")"
check "${NAMES[23]}" test "$("$D" --json --container "${IDB:0:6}" "$TMPD/x.sdump" |
	jq -r 'select(.type=="signal") | .target.pid')" = "$TB"
tap_done
