#!/usr/bin/env bash
# need.sh PKG... - install the Debian packages named, if any are missing.
# Runs `apt-get update` once, only when something is missing.  Used by
# `make deb` and the packaging tests, whose tools the build does not need.
set -euo pipefail

missing=()
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "need.sh: missing packages: ${missing[*]}; run as root to install them" >&2
	exit 1
fi
echo "need.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
