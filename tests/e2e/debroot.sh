#!/usr/bin/env bash
# debroot.sh - a clean Debian 12 root for installing the package into,
# sourced by test_package.sh.  debootstrap (minbase) from the mirror the
# system's apt sources name runs once; the result is cached as a tarball in
# $DEBROOT_CACHE (delete it to start over), and each test unpacks a fresh
# copy.  Mounts are made in the caller's mount namespace, which the caller
# makes private (unshare --mount) so that none outlives it.

DEBROOT_CACHE=${DEBROOT_CACHE:-/var/cache/sigrec-chroot}
DEBROOT_SUITE=bookworm
DEBROOT_TAR="$DEBROOT_CACHE/$DEBROOT_SUITE-minbase.tar"

# The first deb URI the system's apt sources give for the suite.
debroot_mirror() {
	local f uri
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		uri=$(awk -v suite="$DEBROOT_SUITE" 'BEGIN { RS = "" }
			$0 ~ "(^|\n)Types:[^\n]*deb([ \t]|\n|$)" &&
			$0 ~ "(^|\n)Suites:[^\n]*[ \t]" suite "([ \t]|\n|$)" {
				if (match($0, /URIs:[ \t]*[^ \t\n]+/)) {
					s = substr($0, RSTART, RLENGTH); sub(/URIs:[ \t]*/, "", s); print s; exit
				}
			}' "$f")
		[ -n "$uri" ] && { echo "$uri"; return 0; }
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		uri=$(awk -v suite="$DEBROOT_SUITE" '$1 == "deb" {
			for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) break
			if ($(i + 1) == suite) { print $i; exit } }' "$f")
		[ -n "$uri" ] && { echo "$uri"; return 0; }
	done
	return 1
}

# debroot_mount ROOT: the kernel's file systems the recorder needs, and
# name resolution and the system's apt sources for apt
debroot_mount() {
	local r=$1
	mount -t proc proc "$r/proc" &&
	mount --rbind /sys "$r/sys" && mount --make-rslave "$r/sys" &&
	mount --rbind /dev "$r/dev" && mount --make-rslave "$r/dev" &&
	cp -L /etc/resolv.conf "$r/etc/resolv.conf"
}

debroot_umount() {
	local r=$1 m left=0
	for m in var/cache/apt/archives dev sys proc; do
		mountpoint -q "$r/$m" || continue
		# busy: detach it; never remove what is under it
		umount -R "$r/$m" 2>/dev/null || umount -R -l "$r/$m" 2>/dev/null
		mountpoint -q "$r/$m" && left=1
	done
	return $left
}

# debroot_remove ROOT: unmount, then delete, staying on ROOT's file system
debroot_remove() {
	local r=$1
	[ -d "$r" ] || return 0
	debroot_umount "$r" || { echo "# $r: still mounted, left in place" >&2; return 1; }
	rm -rf --one-file-system "$r"
}

# debroot_cache: make the cached tarball if there is none (a few minutes)
debroot_cache() {
	local mirror tmp rc=0
	[ -s "$DEBROOT_TAR" ] && return 0
	mirror=$(debroot_mirror) || { echo "# no deb source for $DEBROOT_SUITE in /etc/apt" >&2; return 1; }
	mkdir -p "$DEBROOT_CACHE"
	tmp=$(mktemp -d "$DEBROOT_CACHE/make.XXXXXX")
	echo "# debootstrap --variant=minbase $DEBROOT_SUITE from $mirror" >&2
	if debootstrap --variant=minbase "$DEBROOT_SUITE" "$tmp" "$mirror" >"$tmp.log" 2>&1; then
		# the system's own sources (same mirror, with updates and security)
		if ls /etc/apt/sources.list.d/*.sources >/dev/null 2>&1; then
			cp /etc/apt/sources.list.d/*.sources "$tmp/etc/apt/sources.list.d/"
			rm -f "$tmp/etc/apt/sources.list"
		fi
		printf '#!/bin/sh\n# no daemons start in this root\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
		chmod 0755 "$tmp/usr/sbin/policy-rc.d"
		debroot_mount "$tmp" &&
			chroot "$tmp" apt-get update -qq >>"$tmp.log" 2>&1 &&
			chroot "$tmp" apt-get clean || rc=1
		debroot_umount "$tmp" || rc=1
		[ "$rc" -eq 0 ] && tar -C "$tmp" -cf "$DEBROOT_TAR.tmp" . && mv "$DEBROOT_TAR.tmp" "$DEBROOT_TAR" || rc=1
	else
		rc=1
	fi
	[ "$rc" -eq 0 ] || sed 's/^/#   /' "$tmp.log" | tail -n 20 >&2
	debroot_remove "$tmp"
	rm -f "$tmp.log" "$DEBROOT_TAR.tmp"
	return $rc
}

# debroot_new ROOT: a fresh copy of the cached root, mounted
debroot_new() {
	local r=$1
	mkdir -p "$r" && tar -C "$r" -xf "$DEBROOT_TAR" && debroot_mount "$r" &&
	mkdir -p "$DEBROOT_CACHE/archives/partial" &&
	mount --bind "$DEBROOT_CACHE/archives" "$r/var/cache/apt/archives"
}

# debroot_apt ROOT ARGS...: apt-get in ROOT; refreshes the package lists
# once when the cached ones are out of date
debroot_apt() {
	local r=$1; shift
	DEBIAN_FRONTEND=noninteractive chroot "$r" apt-get -y -q --no-install-recommends "$@" && return 0
	DEBIAN_FRONTEND=noninteractive chroot "$r" apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive chroot "$r" apt-get -y -q --no-install-recommends "$@"
}
