#!/usr/bin/env bash
# image-run.sh RING - builds deploy/kubernetes/Containerfile with podman and
# runs the image as the DaemonSet's init container and sigrec container
# would run.  test_package.sh starts it as the root of the clean root, in a
# mount namespace of its own, with /root/img holding the build context, the
# base image tarball and each container's podman arguments (k8s_podman.py:
# init.args, sigrec.args, sigrec.live); it leaves key=value results in
# /root/img/result.  Not a test of its own.
set -u
RING=$1
IMG=/root/img
res() { echo "$*" >>"$IMG/result"; }
: >"$IMG/result"
umount -l /mnt/oldroot 2>/dev/null
P=(podman --runtime runc --cgroup-manager cgroupfs --events-backend file)
# no container outlives this script, stopped early or not
trap '"${P[@]}" rm -f -t 0 pkgtest-sigrec >/dev/null 2>&1' EXIT
trap 'exit 1' INT TERM

# debootstrap's minbase stands in for debian:bookworm-slim (no registry here)
"${P[@]}" import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
	--change 'CMD ["bash"]' "$IMG/base.tar" docker.io/library/debian:bookworm-slim \
	>"$IMG/import.log" 2>&1
"${P[@]}" build --network host --pull=never -f /root/img/Containerfile -t localhost/sigrec:pkgtest \
	"$IMG/ctx" >"$IMG/build.log" 2>&1
res built=$?

# a hostPath directory as the kubelet makes it
mkdir -p /srv/node/var/lib/node_exporter/textfile
install -d -m 0755 /srv/node/var/lib/sigrec
extra=(--security-opt seccomp=unconfined)
# root without CAP_SYS_RESOURCE cannot raise the rlimits podman sets
grep -q '^CapBnd:.*' /proc/self/status &&
	(( (0x$(awk '/^CapBnd/ {print $2}' /proc/self/status) >> 24) & 1 )) ||
	extra+=(--ulimit "nofile=$(ulimit -Sn):$(ulimit -Sn)" --ulimit nproc=4096:4096)

# load NAME: the container's podman arguments, rendered by the test
load() {
	mapfile -t ARGS <"$IMG/$1.args"
	LIVE=()
	[ -s "$IMG/$1.live" ] && mapfile -t LIVE <"$IMG/$1.live"
	local i
	for i in "${!ARGS[@]}"; do [ "${ARGS[$i]}" = IMAGE ] && ARGS[$i]=localhost/sigrec:pkgtest; done
}

load init
"${P[@]}" run --rm "${extra[@]}" "${ARGS[@]}" >"$IMG/init.log" 2>&1
res init=$? dirmode=$(stat -c %a /srv/node/var/lib/sigrec)

load sigrec
"${P[@]}" run -d --name pkgtest-sigrec "${extra[@]}" "${ARGS[@]}" >"$IMG/run.log" 2>&1
res run=$?
started=0
for _ in $(seq 1 150); do
	"${P[@]}" logs pkgtest-sigrec 2>&1 | grep -q 'recording to' && { started=1; break; }
	[ "$("${P[@]}" inspect -f '{{.State.Running}}' pkgtest-sigrec 2>/dev/null)" = true ] || break
	sleep 0.1
done
res started=$started
if [ "$started" = 1 ]; then
	pid=$("${P[@]}" inspect -f '{{.State.Pid}}' pkgtest-sigrec)
	res capeff=$(awk '$1 == "CapEff:" {print $2}' "/proc/$pid/status") \
		capbnd=$(awk '$1 == "CapBnd:" {print $2}' "/proc/$pid/status") \
		nnp=$(awk '$1 == "NoNewPrivs:" {print $2}' "/proc/$pid/status")
	"${P[@]}" exec pkgtest-sigrec "${LIVE[@]}" >"$IMG/liveness.log" 2>&1
	res liveness=$?
	# a process of the node, signalled by the test
	sh -c 'cp /bin/sleep /tmp/ctvictim && exec /tmp/ctvictim 30' &
	v=$!
	sleep 0.3
	kill -USR1 "$v"
	wait "$v"
	sleep 1
	# as `kubectl exec ds/sigrec -- sigdump ...` and `kubectl cp` do
	"${P[@]}" exec pkgtest-sigrec sigdump --json --comm ctvictim "$RING" >"$IMG/dump.json" 2>"$IMG/dump.err"
	"${P[@]}" exec pkgtest-sigrec sigdump --last 10m --export /tmp/incident.sdump --redact "$RING" \
		>"$IMG/export.log" 2>&1
	res export=$?
	"${P[@]}" exec pkgtest-sigrec tar -C /tmp -cf - incident.sdump 2>>"$IMG/export.log" |
		tar -C "$IMG" -xf - 2>>"$IMG/export.log"
	res copied=$([ -s "$IMG/incident.sdump" ] && echo 1 || echo 0)
	res mem="$("${P[@]}" stats --no-stream --format '{{.MemUsage}}' pkgtest-sigrec 2>/dev/null | tr ' ' _)"
	"${P[@]}" stop -t 20 pkgtest-sigrec >/dev/null 2>&1
	res exit="$("${P[@]}" inspect -f '{{.State.ExitCode}}' pkgtest-sigrec)"
	prom=/srv/node/var/lib/node_exporter/textfile/sigrec.prom
	res metrics=$([ -s "$prom" ] && echo 1 || echo 0)
	[ -s "$prom" ] && cp "$prom" "$IMG/sigrec.prom"
fi
"${P[@]}" logs pkgtest-sigrec >"$IMG/sigrec.log" 2>&1
exit 0
