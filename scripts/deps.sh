#!/usr/bin/env bash
# deps.sh - install the Debian packages sigrec needs to build and test, if
# any are missing.  Runs `apt-get update` once, only when something is missing.
set -euo pipefail

PKGS=(build-essential pkg-config clang llvm libbpf-dev bpftool liblz4-dev libelf-dev
      zlib1g-dev libcmocka-dev libcap-dev libseccomp-dev libsystemd-dev jq lz4 python3 help2man util-linux procps)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages: ${missing[*]}; run as root to install them" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
