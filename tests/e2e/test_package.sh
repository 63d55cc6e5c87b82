#!/usr/bin/env bash
# test_package.sh - `make deb` builds a package lintian accepts; its unit
# is hardened (systemd-analyze exposure 4.5 or better) with exactly the
# capabilities sigrec uses; apt installs it in a clean Debian 12 root
# (debootstrap, cached), where `sigrec --check`, a short recording and
# `sigdump` work; the package purges cleanly.  Mounts are made in a private
# mount namespace so that none outlives the test.
if [ -z "${SIGREC_PKG_NS:-}" ] && [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null; then
	exec env SIGREC_PKG_NS=1 unshare --mount --propagation private bash "$0" "$@"
fi
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/debroot.sh"

T_BUILD="make deb builds the package"
T_VER="the package's version is sigrec's (debian/changelog, lib/util.h)"
T_LINTIAN="lintian reports no errors"
T_BDEPS="Build-Depends names every library scripts/deps.sh installs for the build"
T_FILES="package ships sigrec, sigdump, manual pages, the unit and /etc/default/sigrec"
T_DIR="package makes /var/lib/sigrec mode 0700 root"
T_ENV="unit runs /usr/sbin/sigrec with SIGREC_OPTS from /etc/default/sigrec"
T_SCORE="unit exposure is 4.5 or better (systemd-analyze security)"
T_CAPS="unit's capabilities are those privs.c keeps plus those used before the drop"
T_ROOT="clean Debian 12 root from debootstrap"
T_INST="apt installs the package in the clean root"
T_INSTD="installed: /var/lib/sigrec 0700 root, conffile, unit"
T_CHECK="sigrec --check passes in the clean root"
T_REC="sigrec records in the clean root"
T_DUMP="sigdump in the clean root shows the signal the test sent"
T_UNIT="under the unit's bounding set, no_new_privs and a read-only root sigrec records and keeps what privs.c keeps"
T_BOOT="systemd boots the clean root (systemd-nspawn) and starts the packaged sigrec.service"
T_BCAPS="under the unit sigrec holds only what privs.c keeps, no_new_privs, a seccomp filter"
T_BDUMP="under the unit sigrec records the signal the test sent"
T_BCRASH="under the unit a SIGKILLed sigrec restarts and takes the pinned capture over, losing nothing"
T_BSTOP="systemctl stop: exit 0 and the capture unpinned"
BOOT=("$T_BOOT" "$T_BCAPS" "$T_BDUMP" "$T_BCRASH" "$T_BSTOP")
T_IMG="deploy/kubernetes/Containerfile builds (podman; the cached Debian 12 root stands in for debian:bookworm-slim)"
T_IINIT="the DaemonSet's init container makes the node's /var/lib/sigrec 0700"
T_IRUN="the image runs sigrec with the DaemonSet's capabilities, hostPID, read-only root, no_new_privs, limits and volumes; its liveness probe passes"
T_IDUMP="sigdump in the container shows the signal the test sent; an export copied out with tar (as kubectl cp) reads back"
T_IPROM="--metrics-file: node_exporter's textfile directory on the node gets sigrec.prom"
T_ISTOP="the container stops cleanly"
IMAGE=("$T_IMG" "$T_IINIT" "$T_IRUN" "$T_IDUMP" "$T_IPROM" "$T_ISTOP")
T_PURGE="purging removes the package and /var/lib/sigrec"
ALL=("$T_BUILD" "$T_BDEPS" "$T_VER" "$T_LINTIAN" "$T_FILES" "$T_DIR" "$T_ENV" "$T_SCORE" "$T_CAPS" "$T_ROOT"
     "$T_INST" "$T_INSTD" "$T_CHECK" "$T_REC" "$T_DUMP" "$T_UNIT" "${BOOT[@]}" "${IMAGE[@]}" "$T_PURGE")

if [ "$(id -u)" -ne 0 ] || [ -z "${SIGREC_PKG_NS:-}" ]; then
	why="needs root and unshare(1) (dpkg-buildpackage, debootstrap, chroot)"
	echo "# SKIP: $why" >&2
	for n in "${ALL[@]}"; do skip "$n" "$why"; done
	tap_done
	exit 0
fi
"$ROOT/packaging/need.sh" debootstrap systemd dpkg-dev jq python3-yaml >&2 ||
	diag "could not install debootstrap, systemd, dpkg-dev, jq, python3-yaml"

# the rest of the file system as root sees it: the clean root is removed
# (unmounted first) before lib.sh removes $TMPD
CR=
HELPER_PID=
teardown() {
	# nspawn powers its container off, image-run.sh removes its container
	if [ -n "$HELPER_PID" ] && kill -TERM "$HELPER_PID" 2>/dev/null; then
		wait "$HELPER_PID" 2>/dev/null
	fi
	if [ -n "$CR" ]; then
		[ -n "$REC_PID" ] && kill -TERM "$REC_PID" 2>/dev/null && wait "$REC_PID" 2>/dev/null
		REC_PID=
		[ -n "${PIN_RING:-}" ] && chroot "$CR" /usr/sbin/sigrec --unpin -r "$PIN_RING" >/dev/null 2>&1
		debroot_remove "$CR"
	fi
	cleanup
}
trap teardown EXIT

# pin_hash RING: the name of the recorder's pin directory for RING
# (/sys/fs/bpf/sigrec/HASH, FNV-1a of the ring's real path, sigrec.c)
pin_hash() {
	local s=$1 h=$((0xcbf29ce484222325)) i c
	for ((i = 0; i < ${#s}; i++)); do
		printf -v c '%d' "'${s:i:1}"
		h=$(( (h ^ c) * 0x100000001b3 ))
	done
	printf '%016x\n' "$h"
}

# cap_mask CAP_X...: the /proc/PID/status bit mask of those capabilities
CAP_NAMES=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP
	LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER
	SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE
	SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP
	MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF
	CHECKPOINT_RESTORE)
cap_mask() {
	local m=0 c i
	for c in "$@"; do
		for i in "${!CAP_NAMES[@]}"; do
			[ "CAP_${CAP_NAMES[$i]}" = "$c" ] && m=$((m | (1 << i)))
		done
	done
	printf '%016x\n' "$m"
}

# The packaged unit as systemd runs it: systemd and systemd-nspawn are
# installed in the clean root, which then boots in a container made by
# that nspawn (run from the root, so nothing is installed on this
# machine).  boot-guest.sh, started as a unit after sigrec.service, drives
# the service and reports to /root/boot/.
boot_test() {
	local ring=/var/lib/sigrec/boot-$$.ring t0 rc=0 r
	t0=$(date +%s)
	if ! debroot_apt "$CR" install systemd systemd-sysv systemd-container >"$TMPD/apt-systemd.log" 2>&1; then
		tail -n 5 "$TMPD/apt-systemd.log" | sed 's/^/#   /'
		for n in "${BOOT[@]}"; do skip "$n" "systemd could not be installed in the clean root"; done
		return
	fi
	sed -i "s|^SIGREC_OPTS=.*|SIGREC_OPTS=\"--ring $ring --size 4M\"|" "$CR/etc/default/sigrec"
	install -m 0755 "$ROOT/tests/e2e/boot-guest.sh" "$CR/usr/local/sbin/boot-guest"
	cat >"$CR/etc/systemd/system/boot-guest.service" <<-EOF
	[Unit]
	Description=drive sigrec.service for test_package.sh
	After=sigrec.service
	[Service]
	Type=oneshot
	ExecStart=/usr/local/sbin/boot-guest $ring $(pin_hash "$ring")
	[Install]
	WantedBy=multi-user.target
	EOF
	ln -sf /etc/systemd/system/boot-guest.service "$CR/etc/systemd/system/multi-user.target.wants/"
	# the root's own machine id would equal the container's: let it make one
	: >"$CR/etc/machine-id"
	rm -rf "$CR/root/boot"
	mkdir -p "$CR/mnt/self"
	# nspawn wants / to be a mount point; its container sees the kernel's
	# bpffs and tracefs, and may use bpf and perf_event_open
	unshare --mount --propagation private bash -c '
		r=$1
		mount --rbind "$r" "$r" && mount --bind "$r" "$r/mnt/self" || exit 99
		exec chroot "$r" timeout 240 systemd-nspawn --quiet --register=no --keep-unit \
			--link-journal=no --console=pipe -D /mnt/self -b \
			--capability=CAP_BPF,CAP_PERFMON --system-call-filter="bpf perf_event_open" \
			--bind=/sys/fs/bpf --bind-ro=/sys/kernel/tracing' _ "$CR" \
		</dev/null >"$TMPD/nspawn.log" 2>&1 &
	HELPER_PID=$!
	wait "$HELPER_PID" || rc=$?
	HELPER_PID=
	diag "systemd in the clean root (install, boot, test, power off): $(($(date +%s) - t0)) s, nspawn exit $rc"
	r="$CR/root/boot/result"
	val() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" "$r" 2>/dev/null | head -n 1; }
	if [ "$(val booted)" != 1 ]; then
		tail -n 8 "$TMPD/nspawn.log" | sed 's/^/#   nspawn: /'
		for n in "${BOOT[@]}"; do skip "$n" "systemd does not boot in systemd-nspawn on this machine"; done
		return
	fi
	check "$T_BOOT" test "$(val active)" = active
	[ "$(val active)" = active ] || sed 's/^/#   journal: /' "$CR/root/boot/journal" | tail -n 8
	local want
	want=$(cap_mask $PRIVS_KEEP)
	check "$T_BCAPS" test "$(val capeff)" = "$want" -a "$(val capbnd)" = "$want" \
		-a "$(val nnp)" = 1 -a "$(val seccomp)" = 2
	check "$T_BDUMP" test "$(jq -c 'select(.type == "signal" and .sig == 10 and
		.target.comm == "bootvictim")' "$CR/root/boot/boot.json" 2>/dev/null | wc -l)" -eq 1
	check "$T_BCRASH" test "$(val restarted)" = 1 -a "$(val took_over)" -ge 1 -a \
		"$(jq -c 'select(.type == "signal" and .sig == 10 and .target.comm == "crashvictim")' \
		"$CR/root/boot/crash.json" 2>/dev/null | wc -l)" -eq 1
	# the recorder's own pin directory: there while it ran, gone after the stop
	check "$T_BSTOP" test "$(val stopped)" = 0 -a "$(val pin_running)" = 1 -a "$(val pin_after)" = 0
}

# The image of deploy/kubernetes: podman (installed in the clean root, not
# on this machine) builds the Containerfile and runs the image with the
# settings k8s_podman.py reads from the DaemonSet; image-run.sh does it in
# a mount namespace of its own and reports to /root/img/result.  seccomp is
# left unconfined: podman's default profile (Debian 12) allows bpf only
# with CAP_SYS_ADMIN, unlike containerd's, which the DaemonSet's
# RuntimeDefault assumes.
image_test() {
	local img="$CR/root/img" t0 r n ring=/var/lib/sigrec/ct-$$.ring
	t0=$(date +%s)
	# the booted root has replaced it; apt here and in the build need it
	rm -f "$CR/etc/resolv.conf" && cp -L /etc/resolv.conf "$CR/etc/resolv.conf"
	if ! debroot_apt "$CR" install podman runc >"$TMPD/apt-podman.log" 2>&1; then
		tail -n 5 "$TMPD/apt-podman.log" | sed 's/^/#   /'
		for n in "${IMAGE[@]}"; do skip "$n" "podman could not be installed in the clean root"; done
		return
	fi
	rm -rf "$img" && mkdir -p "$img/ctx" && cp "$DEB" "$img/ctx/" &&
		cp "$ROOT/deploy/kubernetes/Containerfile" "$img/"
	# each container's podman arguments, from the manifest
	local k8s=("$ROOT/tests/e2e/k8s_podman.py" "$ROOT/deploy/kubernetes/sigrec.yaml" /srv/node)
	local drop=()
	"$CR/usr/sbin/sigrec" --help 2>&1 | grep -q -- --metrics-file || drop=(--drop --metrics-file)
	python3 "${k8s[@]}" --container ring-dir >"$img/init.args" &&
		python3 "${k8s[@]}" --ring "$ring" "${drop[@]}" >"$img/sigrec.all" || return
	sed '/^--liveness$/,$d' "$img/sigrec.all" >"$img/sigrec.args"
	sed '1,/^--liveness$/d' "$img/sigrec.all" >"$img/sigrec.live"
	install -m 0755 "$ROOT/tests/e2e/image-run.sh" "$img/image-run.sh"
	touch "$img/base.tar"
	# podman's runtime needs / to be a real root: pivot into the clean root
	unshare --mount --propagation private bash -c '
		r=$1 base=$2 ring=$3
		mount --rbind "$r" "$r" && mount --bind "$base" "$r/root/img/base.tar" &&
			mkdir -p "$r/mnt/oldroot" && cd "$r" && pivot_root . mnt/oldroot || exit 99
		exec chroot . /root/img/image-run.sh "$ring"' _ "$CR" "$DEBROOT_TAR" "$ring" \
		</dev/null >"$TMPD/image.log" 2>&1 &
	HELPER_PID=$!
	wait "$HELPER_PID"
	HELPER_PID=
	[ "${#drop[@]}" -gt 0 ] && echo no_metrics_file=1 >>"$img/result"
	diag "image (install podman, build, run): $(($(date +%s) - t0)) s"
	r="$img/result"
	val() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" "$r" 2>/dev/null | head -n 1; }
	check "$T_IMG" test "$(val built)" = 0
	[ "$(val built)" = 0 ] || tail -n 8 "$img/build.log" | sed 's/^/#   podman build: /'
	if [ "$(val built)" != 0 ]; then
		for n in "${IMAGE[@]:1}"; do skip "$n" "no image"; done
		return
	fi
	check "$T_IINIT" test "$(val init)" = 0 -a "$(val dirmode)" = 700
	[ -n "$(val mem)" ] && diag "container memory: $(val mem | tr _ ' ')"
	local want
	want=$(cap_mask $PRIVS_KEEP)
	check "$T_IRUN" test "$(val started)" = 1 -a "$(val liveness)" = 0 -a "$(val capeff)" = "$want" \
		-a "$(val capbnd)" = "$want" -a "$(val nnp)" = 1
	[ "$(val started)" = 1 ] || tail -n 5 "$img/sigrec.log" "$img/run.log" 2>/dev/null | sed 's/^/#   /'
	[ "$(val liveness)" = 0 ] || sed 's/^/#   liveness: /' "$img/liveness.log" 2>/dev/null | tail -n 5
	diag "container: $(grep -v '^mem=' "$r" | tr '\n' ' ')"
	n=$(chroot "$CR" /usr/bin/sigdump --json --comm ctvictim /root/img/incident.sdump 2>/dev/null |
		jq -c 'select(.type == "signal" and .sig == 10)' | wc -l)
	check "$T_IDUMP" test "$(jq -c 'select(.type == "signal" and .sig == 10 and .target.comm == "ctvictim")' \
		"$img/dump.json" 2>/dev/null | wc -l)" -eq 1 -a "$(val copied)" = 1 -a "$n" -eq 1
	[ -s "$img/dump.err" ] && sed 's/^/#   sigdump: /' "$img/dump.err" | tail -n 3
	[ "$(val copied)" = 1 ] || sed 's/^/#   export: /' "$img/export.log" | tail -n 3
	if [ "$(val no_metrics_file)" = 1 ]; then
		skip "$T_IPROM" "this sigrec has no --metrics-file: the container ran without it"
	else
		check "$T_IPROM" grep -q '^sigrec_' "$img/sigrec.prom"
	fi
	check "$T_ISTOP" test "$(val exit)" = 0
}

# ---- the package ----
DEBDIR="$TMPD/deb"
t0=$(date +%s)
check "$T_BUILD" quiet "$ROOT/packaging/deb.sh" "$DEBDIR"
diag "make deb (build and lintian): $(($(date +%s) - t0)) s"
DEB=$(ls "$DEBDIR"/sigrec_*.deb 2>/dev/null | head -n 1)
# the -dev packages of the build (cmocka is for the unit tests only)
BDEPS=$(sed -n '/^Build-Depends:/,/^[A-Z][a-z-]*:/p' "$ROOT/debian/control" | tr ', ' '\n\n' | grep -- '-dev$' | sort -u)
DEVS=$(grep -o '[a-z0-9.+-]*-dev\b' "$ROOT/scripts/deps.sh" | grep -vx libcmocka-dev | sort -u)
MISSING=$(comm -13 <(echo "$BDEPS") <(echo "$DEVS"))
[ -z "$MISSING" ] || diag "not in Build-Depends: $(echo $MISSING)"
check "$T_BDEPS" test -n "$DEVS" -a -z "$MISSING"
UPSTREAM=$(sed -n 's/.*SIGREC_VERSION_STR.*"\(.*\)".*/\1/p' "$ROOT/lib/util.h")
PKGVER=$(sed -n '1s/^sigrec (\([^-)]*\)-[^)]*).*/\1/p' "$ROOT/debian/changelog")
check "$T_VER" test -n "$UPSTREAM" -a "$PKGVER" = "$UPSTREAM"
if [ -s "$DEBDIR/lintian.txt" ] || [ -n "$DEB" ]; then
	grep -E '^[EW]: ' "$DEBDIR/lintian.txt" | sed 's/^/# lintian: /'
	diag "lintian: $(grep -c '^E: ' "$DEBDIR/lintian.txt") errors, $(grep -c '^W: ' "$DEBDIR/lintian.txt") warnings"
	check "$T_LINTIAN" bash -c "[ -n '$DEB' ] && ! grep -q '^E: ' '$DEBDIR/lintian.txt'"
else
	not_ok "$T_LINTIAN"
fi

X="$TMPD/x"
if [ -n "$DEB" ] && mkdir -p "$X" && dpkg-deb -x "$DEB" "$X"; then
	check "$T_FILES" bash -c "test -x '$X/usr/sbin/sigrec' -a -x '$X/usr/bin/sigdump' \
		-a -s '$X/usr/share/man/man8/sigrec.8.gz' -a -s '$X/usr/share/man/man1/sigdump.1.gz' \
		-a -s '$X/lib/systemd/system/sigrec.service' -a -s '$X/etc/default/sigrec' &&
		dpkg-deb -f '$DEB' Depends | grep -q libbpf && dpkg-deb --ctrl-tarfile '$DEB' |
		tar -xOf - ./conffiles | grep -qx /etc/default/sigrec"
	check "$T_DIR" test "$(dpkg-deb -c "$DEB" | awk '$6 == "./var/lib/sigrec/" {print $1, $2}')" = \
		"drwx------ root/root"
	UNIT="$X/lib/systemd/system/sigrec.service"
	check "$T_ENV" bash -c "grep -qx 'EnvironmentFile=-/etc/default/sigrec' '$UNIT' &&
		grep -qx 'ExecStart=/usr/sbin/sigrec \$SIGREC_OPTS' '$UNIT' &&
		grep -q '^SIGREC_OPTS=' '$X/etc/default/sigrec'"
else
	not_ok "$T_FILES"; not_ok "$T_DIR"; not_ok "$T_ENV"
	UNIT="$ROOT/packaging/sigrec.service"
fi

# systemd-analyze's overall line, e.g. "→ Overall exposure level for sigrec.service: 1.7 OK 🙂"
exposure() {
	systemd-analyze security --offline=true "$1" 2>/dev/null |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p'
}
SCORE=$(exposure "$UNIT")
diag "systemd-analyze security --offline=true: $(basename "$UNIT") ${SCORE:-unrated}"
if [ -n "$SCORE" ]; then
	check "$T_SCORE" awk -v s="$SCORE" 'BEGIN { exit !(s <= 4.5) }'
else
	not_ok "$T_SCORE"
fi

# what privs.c keeps, plus what is used only before the drop: CAP_PERFMON
# (attaching: perf_event_open), CAP_SYS_PTRACE (/proc/PID/exe of other
# users' processes in the first snapshot) and CAP_SETPCAP (dropping the
# bounding set); docs/SECURITY.md, "What the recorder needs"
PRIVS_KEEP=$(sed -n '/keep\[\] *=/p' "$ROOT/recorder/privs.c" | grep -o 'CAP_[A-Z_]*' | sort -u)
WANT=$(printf '%s\n' $PRIVS_KEEP CAP_PERFMON CAP_SYS_PTRACE CAP_SETPCAP | sort -u)
HAVE=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT" | tr ' ' '\n' | grep . | sort -u)
diag "privs.c keeps: $(echo $PRIVS_KEEP); unit: $(echo $HAVE)"
check "$T_CAPS" test -n "$PRIVS_KEEP" -a "$HAVE" = "$WANT"

# ---- a clean root ----
t0=$(date +%s)
cached=cached; [ -s "$DEBROOT_TAR" ] || cached="made"
CR=$(mktemp -d /var/tmp/sigrec-debroot.XXXXXX)
if command -v debootstrap >/dev/null && debroot_cache && debroot_new "$CR"; then
	ok "$T_ROOT"
	diag "clean root ($cached in $DEBROOT_TAR): $(($(date +%s) - t0)) s"
else
	not_ok "$T_ROOT"
	for n in "$T_INST" "$T_INSTD" "$T_CHECK" "$T_REC" "$T_DUMP" "$T_UNIT" "${BOOT[@]}" "${IMAGE[@]}" "$T_PURGE"; do
		skip "$n" "no clean root"
	done
	tap_done; exit 1
fi

t0=$(date +%s)
installed=0
if [ -n "$DEB" ] && cp "$DEB" "$CR/tmp/" &&
	debroot_apt "$CR" install "/tmp/$(basename "$DEB")" >"$TMPD/apt.log" 2>&1 &&
	chroot "$CR" dpkg-query -W -f='${Status}' sigrec | grep -q 'install ok installed'; then
	installed=1
	ok "$T_INST"
else
	not_ok "$T_INST"
	tail -n 20 "$TMPD/apt.log" 2>/dev/null | sed 's/^/#   /'
fi
diag "apt install in the clean root: $(($(date +%s) - t0)) s"
if [ "$installed" -eq 1 ]; then
	check "$T_INSTD" bash -c "test \"\$(stat -c '%a %U %G' '$CR/var/lib/sigrec')\" = '700 root root' &&
		chroot '$CR' dpkg-query -W -f='\${Conffiles}' sigrec | grep -q /etc/default/sigrec &&
		test -s '$CR/lib/systemd/system/sigrec.service'"
else
	skip "$T_INSTD" "package not installed"
fi

why=$(bpf_unavailable)
[ "$installed" -eq 1 ] || why="package not installed"
if [ -n "$why" ]; then
	for n in "$T_CHECK" "$T_REC" "$T_DUMP" "$T_UNIT" "${BOOT[@]}" "${IMAGE[@]}"; do skip "$n" "$why"; done
else
	# --check: can this machine record?  Its words go to the TAP log
	rc=0
	chroot "$CR" /usr/sbin/sigrec --check >"$TMPD/check.log" 2>&1 || rc=$?
	# its verdict; everything it said when it fails
	if [ "$rc" -eq 0 ]; then
		tail -n 1 "$TMPD/check.log" | sed 's/^/#   sigrec --check: /'
	else
		sed 's/^/#   sigrec --check: /' "$TMPD/check.log" | head -n 30
	fi
	check "$T_CHECK" test "$rc" -eq 0

	# a short recording with the package's binaries, its own ring and pins
	PIN_RING=/var/lib/sigrec/pkgtest-$$.ring
	REC_LOG="$TMPD/rec.log"
	chroot "$CR" /usr/sbin/sigrec --ring "$PIN_RING" --size 4M 2>"$REC_LOG" &
	REC_PID=$!
	started=0
	for _ in $(seq 1 300); do
		grep -q 'recording to' "$REC_LOG" && { started=1; break; }
		kill -0 "$REC_PID" 2>/dev/null || break
		sleep 0.1
	done
	if [ "$started" -eq 1 ]; then
		# a victim with a name of its own, signalled from the test
		chroot "$CR" sh -c 'cp /bin/sleep /tmp/pkgvictim && exec /tmp/pkgvictim 30' &
		VPID=$!
		sleep 0.5
		kill -USR1 "$VPID"
		wait "$VPID" 2>/dev/null
		sleep 0.5
		rc=0; stop_rec || rc=$?
		check "$T_REC" test "$rc" -eq 0
		chroot "$CR" /usr/bin/sigdump --json --pid "$VPID" "$PIN_RING" >"$TMPD/dump.json" 2>"$TMPD/dump.err"
		check "$T_DUMP" test "$(jq -c "select(.type == \"signal\" and .sig == 10 and .target.pid == $VPID \
			and .target.comm == \"pkgvictim\")" "$TMPD/dump.json" 2>/dev/null | wc -l)" -eq 1
	else
		sed 's/^/#   sigrec: /' "$REC_LOG" | tail -n 5
		not_ok "$T_REC"
		skip "$T_DUMP" "sigrec did not start"
		kill -TERM "$REC_PID" 2>/dev/null; wait "$REC_PID" 2>/dev/null; REC_PID=
	fi

	# the unit's restrictions that apply outside systemd: its bounding
	# set, no_new_privs, a read-only root but for the ring's directory
	UCAPS=$(sed -n 's/^CapabilityBoundingSet=//p' "$CR/lib/systemd/system/sigrec.service" |
		tr 'A-Z' 'a-z' | sed -e 's/cap_//g' -e 's/ \+/,+/g' -e 's/^/-all,+/')
	URING=/var/lib/sigrec/pkgunit-$$.ring
	REC_LOG="$TMPD/unit.log"
	unshare --mount --propagation private bash -c '
		r=$1; caps=$2; ring=$3
		mount --bind "$r" "$r" && mount --bind "$r/var/lib/sigrec" "$r/var/lib/sigrec" &&
		mount -o remount,bind,ro "$r" &&
		mount -t proc proc "$r/proc" && mount --rbind /sys "$r/sys" && mount --rbind /dev "$r/dev" &&
		mount -t tmpfs tmpfs "$r/tmp" || exit 99
		exec chroot "$r" setpriv --bounding-set "$caps" --no-new-privs \
			/usr/sbin/sigrec --ring "$ring" --size 4M' _ "$CR" "$UCAPS" "$URING" 2>"$REC_LOG" &
	REC_PID=$!
	started=0
	for _ in $(seq 1 300); do
		grep -q 'recording to' "$REC_LOG" && { started=1; break; }
		kill -0 "$REC_PID" 2>/dev/null || break
		sleep 0.1
	done
	if [ "$started" -eq 1 ]; then
		SPID=$(pgrep -P "$REC_PID" -x sigrec || echo "$REC_PID")
		st() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$SPID/status"; }
		CAPW=$(cap_mask $PRIVS_KEEP)
		capsok=0
		[ "$(st CapEff)" = "$CAPW" ] && [ "$(st CapBnd)" = "$CAPW" ] && [ "$(st NoNewPrivs)" = 1 ] && capsok=1
		[ "$capsok" -eq 1 ] || diag "sigrec under the unit's set: CapEff $(st CapEff) CapBnd $(st CapBnd) NoNewPrivs $(st NoNewPrivs)"
		K=$(chroot "$CR" sh -c 'cp /bin/sleep /tmp/pkgvictim2 && /tmp/pkgvictim2 30 & p=$!; sleep 0.3; kill -USR1 $p; echo $p')
		sleep 0.5
		rc=0; stop_rec || rc=$?
		n=$(chroot "$CR" /usr/bin/sigdump --json --pid "$K" "$URING" 2>/dev/null | jq -c 'select(.type == "signal" and .sig == 10)' | wc -l)
		check "$T_UNIT" test "$capsok" -eq 1 -a "$rc" -eq 0 -a "$n" -eq 1
	else
		sed 's/^/#   sigrec: /' "$REC_LOG" | tail -n 5
		not_ok "$T_UNIT"
		kill -TERM "$REC_PID" 2>/dev/null; wait "$REC_PID" 2>/dev/null; REC_PID=
	fi
	PIN_RING=
	boot_test
	image_test
fi

if [ "$installed" -eq 1 ]; then
	check "$T_PURGE" bash -c "source '$ROOT/tests/e2e/debroot.sh' &&
		debroot_apt '$CR' purge sigrec >'$TMPD/purge.log' 2>&1 &&
		! chroot '$CR' dpkg-query -W -f='\${Status}' sigrec 2>/dev/null | grep -q installed &&
		test ! -e '$CR/var/lib/sigrec' -a ! -e '$CR/usr/sbin/sigrec' -a ! -e '$CR/etc/default/sigrec'"
else
	skip "$T_PURGE" "package not installed"
fi
tap_done
