#!/usr/bin/env bash
# deb.sh [OUTDIR] - build the Debian package (make deb) from a copy of the
# source tree in OUTDIR (default build/deb), then run lintian on it.
# Installs the build dependencies debian/control names, and lintian, when
# they are missing.  Leaves OUTDIR/sigrec_VERSION_ARCH.deb and
# OUTDIR/lintian.txt; exits non-zero when the build fails or lintian
# reports an error.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$(realpath -m "${1:-$ROOT/build/deb}")
cd "$ROOT"

# the build dependencies, from debian/control, and the tools around them
"$ROOT/packaging/need.sh" dpkg-dev debhelper lintian $(
	sed -n '/^Build-Depends:/,/^[A-Z]/p' debian/control | sed '$d' |
	sed -e 's/^Build-Depends://' -e 's/([^)]*)//g' | tr ',' '\n' |
	awk 'NF {print $1}' | grep -v '^debhelper-compat$')

version=$(dpkg-parsechangelog -S Version)
src="$OUT/sigrec-${version%-*}"
rm -rf "$OUT"
mkdir -p "$src"
# the working tree as it is (tracked and new files), without build output:
# the package's clean step would otherwise remove build/ here
if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$ROOT" ls-files -z --cached --others --exclude-standard |
		tar -C "$ROOT" --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -C "$src" -xf -
else
	tar -C "$ROOT" --exclude=./build --exclude=./build-san --exclude=./.git -cf - . |
		tar -C "$src" -xf -
fi

echo "deb.sh: building sigrec $version in $src" >&2
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$OUT/build.log" 2>&1 || {
	tail -n 40 "$OUT/build.log" >&2
	echo "deb.sh: dpkg-buildpackage failed; full log in $OUT/build.log" >&2
	exit 1
}
changes=$(ls "$OUT"/sigrec_*.changes)
# lintian exits non-zero on errors; its full report is kept either way
rc=0
lintian --info --display-info --pedantic --fail-on error "$changes" >"$OUT/lintian.txt" 2>&1 || rc=$?
cat "$OUT/lintian.txt" >&2
ls "$OUT"/*.deb >&2
if [ "$rc" -ne 0 ]; then
	echo "deb.sh: lintian reports errors (exit $rc)" >&2
	exit 1
fi
