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
T_LINTIAN="lintian reports no errors"
T_FILES="package ships sigrec, sigdump, manual pages, the unit and /etc/default/sigrec"
T_DIR="package makes /var/lib/sigrec mode 0700 root"
T_ENV="unit runs /usr/sbin/sigrec with SIGREC_OPTS from /etc/default/sigrec"
T_SCORE="unit exposure is 4.5 or better (systemd-analyze security)"
T_CAPS="unit's capabilities are those privs.c keeps plus the two used before the drop"
T_ROOT="clean Debian 12 root from debootstrap"
T_INST="apt installs the package in the clean root"
T_INSTD="installed: /var/lib/sigrec 0700 root, conffile, unit"
T_CHECK="sigrec --check passes in the clean root"
T_REC="sigrec records in the clean root"
T_DUMP="sigdump in the clean root shows the signal the test sent"
T_UNIT="under the unit's bounding set, no_new_privs and a read-only root sigrec records and keeps CAP_BPF+CAP_SYS_PTRACE"
T_PURGE="purging removes the package and /var/lib/sigrec"
ALL=("$T_BUILD" "$T_LINTIAN" "$T_FILES" "$T_DIR" "$T_ENV" "$T_SCORE" "$T_CAPS" "$T_ROOT"
     "$T_INST" "$T_INSTD" "$T_CHECK" "$T_REC" "$T_DUMP" "$T_UNIT" "$T_PURGE")

if [ "$(id -u)" -ne 0 ] || [ -z "${SIGREC_PKG_NS:-}" ]; then
	why="needs root and unshare(1) (dpkg-buildpackage, debootstrap, chroot)"
	echo "# SKIP: $why" >&2
	for n in "${ALL[@]}"; do skip "$n" "$why"; done
	tap_done
	exit 0
fi
"$ROOT/packaging/need.sh" debootstrap systemd dpkg-dev jq >&2 ||
	diag "could not install debootstrap, systemd, dpkg-dev, jq"

# the rest of the file system as root sees it: the clean root is removed
# (unmounted first) before lib.sh removes $TMPD
CR=
teardown() {
	if [ -n "$CR" ]; then
		[ -n "$REC_PID" ] && kill -TERM "$REC_PID" 2>/dev/null && wait "$REC_PID" 2>/dev/null
		REC_PID=
		[ -n "${PIN_RING:-}" ] && chroot "$CR" /usr/sbin/sigrec --unpin -r "$PIN_RING" >/dev/null 2>&1
		debroot_remove "$CR"
	fi
	cleanup
}
trap teardown EXIT

# ---- the package ----
DEBDIR="$TMPD/deb"
t0=$(date +%s)
check "$T_BUILD" quiet "$ROOT/packaging/deb.sh" "$DEBDIR"
diag "make deb (build and lintian): $(($(date +%s) - t0)) s"
DEB=$(ls "$DEBDIR"/sigrec_*.deb 2>/dev/null | head -n 1)
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
# (attaching: perf_event_open) and CAP_SETPCAP (emptying the bounding set)
PRIVS_KEEP=$(sed -n '/keep\[\] *=/p' "$ROOT/recorder/privs.c" | grep -o 'CAP_[A-Z_]*' | sort -u)
WANT=$(printf '%s\n' $PRIVS_KEEP CAP_PERFMON CAP_SETPCAP | sort -u)
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
	for n in "$T_INST" "$T_INSTD" "$T_CHECK" "$T_REC" "$T_DUMP" "$T_UNIT" "$T_PURGE"; do
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
	for n in "$T_CHECK" "$T_REC" "$T_DUMP" "$T_UNIT"; do skip "$n" "$why"; done
else
	# --check: can this machine record?  Its words go to the TAP log
	rc=0
	chroot "$CR" /usr/sbin/sigrec --check >"$TMPD/check.log" 2>&1 || rc=$?
	sed 's/^/#   sigrec --check: /' "$TMPD/check.log" | head -n 20
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
		CAPW=$(printf '%016x' $(( (1 << 39) | (1 << 19) )))
		capsok=0
		[ "$(st CapEff)" = "$CAPW" ] && [ "$(st CapBnd)" = "$CAPW" ] && [ "$(st NoNewPrivs)" = 1 ] && capsok=1
		[ "$capsok" -eq 1 ] || diag "sigrec under the unit's set: CapEff $(st CapEff) CapBnd $(st CapBnd) NoNewPrivs $(st NoNewPrivs)"
		K=$(chroot "$CR" sh -c 'cp /bin/sleep /tmp/pkgvictim2 && /tmp/pkgvictim2 30 & p=$!; sleep 0.3; kill -USR1 $p; echo $p')
		sleep 0.5
		rc=0; stop_rec || rc=$?
		n=$(chroot "$CR" /usr/bin/sigdump --json --pid "$K" "$URING" 2>/dev/null | jq -c 'select(.sig == 10)' | wc -l)
		check "$T_UNIT" test "$capsok" -eq 1 -a "$rc" -eq 0 -a "$n" -eq 1
	else
		sed 's/^/#   sigrec: /' "$REC_LOG" | tail -n 5
		not_ok "$T_UNIT"
		kill -TERM "$REC_PID" 2>/dev/null; wait "$REC_PID" 2>/dev/null; REC_PID=
	fi
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
