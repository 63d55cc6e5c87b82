# shellcheck shell=bash
# tests/qemu/lib.sh — helpers for tests that boot a guest kernel under qemu.
#
# Why this exists: sigrec's pstore mode (and BPF CO-RE on an older kernel)
# can only be tested for real on a kernel with ramoops, and the host kernel
# has neither ramoops nor modules. These helpers fetch/build guest kernels,
# pack a busybox initramfs with the project's binaries, boot it under
# qemu-system-x86_64 (TCG, no KVM), let the guest crash or reboot inside the
# same qemu (so the ramoops RAM survives) and hand the results back as marker
# lines on the serial log. See tests/qemu/README.md.
#
# Source it:  . tests/qemu/lib.sh   (API and usage: tests/qemu/README.md)
# It sets no shell options; the functions check their own steps and are
# safe to call under `set -euo pipefail`. Bash 4+ only (associative arrays).

# Directory of this file (for guest-init.sh).
QEMU_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# ramoops layout shared by every guest (see DESIGN.md, "pstore mode").
QEMU_RAMOOPS_ADDR=0x7000000
QEMU_RAMOOPS_PARAMS="mem_address=0x7000000 mem_size=0x100000 record_size=0x10000 pmsg_size=0x10000 console_size=0x10000 max_reason=4"
# Port of qemu's isa-debug-exit device; the guest writes one byte there to
# make qemu exit (works on kernels without ACPI power-off).
QEMU_DEBUG_EXIT_PORT=0xf4

_qemu_log() { printf 'qemu-lib: %s\n' "$*" >&2; }

# qemu_cache_dir — print the cache directory (created on demand).
qemu_cache_dir() {
  local d=${SIGREC_QEMU_CACHE:-/var/cache/sigrec-qemu}
  mkdir -p "$d"
  printf '%s\n' "$d"
}

# Packages the harness needs: running guests, then building the pmsg kernel.
QEMU_RUN_PKGS=(qemu-system-x86 busybox-static cpio xz-utils kmod)
QEMU_BUILD_PKGS=(linux-source-6.1 bc flex bison libssl-dev libelf-dev dwarves gcc make)

_qemu_missing_pkgs() {
  local p st
  for p in "$@"; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ $st == "install ok installed" ]] || printf '%s\n' "$p"
  done
}

# qemu_prepare_deps [--run-only] — install missing Debian packages.
# Idempotent and quiet: does nothing when all are installed; runs
# `apt-get update` only when an install fails (e.g. package not found).
qemu_prepare_deps() {
  local pkgs=("${QEMU_RUN_PKGS[@]}")
  [[ ${1:-} == --run-only ]] || pkgs+=("${QEMU_BUILD_PKGS[@]}")
  local missing
  mapfile -t missing < <(_qemu_missing_pkgs "${pkgs[@]}")
  ((${#missing[@]} == 0)) && return 0
  if [[ $(id -u) != 0 ]]; then
    _qemu_log "missing packages (need root to install): ${missing[*]}"
    return 1
  fi
  local log
  log="$(qemu_cache_dir)/apt.log"
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -y -q
    -o DPkg::Lock::Timeout=600 -o APT::Sandbox::User=root)
  _qemu_log "installing: ${missing[*]} (log: $log)"
  if ! "${apt[@]}" install --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
    _qemu_log "install failed; running apt-get update and retrying"
    "${apt[@]}" update >>"$log" 2>&1 || true
    if ! "${apt[@]}" install --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
      _qemu_log "apt-get install failed, see $log"
      return 1
    fi
  fi
}

# qemu_can_run — succeed if guests can be booted here; otherwise print the
# reason on stdout and return 1 (tests print "ok N - name # SKIP <reason>").
qemu_can_run() {
  if [[ -n ${SIGREC_QEMU_SKIP:-} ]]; then
    echo "SIGREC_QEMU_SKIP is set"
    return 1
  fi
  if ! command -v dpkg-query >/dev/null 2>&1; then
    command -v qemu-system-x86_64 >/dev/null 2>&1 ||
      { echo "qemu-system-x86_64 missing and this is not Debian (cannot install)"; return 1; }
  elif ! qemu_prepare_deps --run-only 2>/dev/null; then
    echo "qemu-system-x86 busybox-static cpio not installed and not installable ($(_qemu_missing_pkgs "${QEMU_RUN_PKGS[@]}" | tr '\n' ' '))"
    return 1
  fi
  if ! qemu-system-x86_64 --version >/dev/null 2>&1; then
    echo "qemu-system-x86_64 does not run"
    return 1
  fi
  if [[ ! -x /bin/busybox ]] || ! /bin/busybox true 2>/dev/null; then
    echo "/bin/busybox (busybox-static) missing"
    return 1
  fi
  if ! command -v timeout >/dev/null 2>&1; then
    echo "timeout(1) missing"
    return 1
  fi
  local c
  if ! c=$(qemu_cache_dir 2>/dev/null) || [[ ! -w $c ]]; then
    echo "cache dir ${SIGREC_QEMU_CACHE:-/var/cache/sigrec-qemu} not writable"
    return 1
  fi
  return 0
}

# ---- Debian kernels: a private apt configuration, never the system's ----
#
# Guest kernels come from Debian's archive with `apt-get download` through
# an apt configuration of the harness's own, under $(qemu_cache_dir)/apt:
# its own sources list (the suites below on the mirror the system's apt
# sources name, signed by the system's Debian archive keyring), its own
# package lists, cache, status file and an empty sources.list.d and
# preferences.d. Nothing of the system's apt lists or sources is read or
# written (its apt.conf.d settings, e.g. a proxy, still apply). Packages are
# unpacked with dpkg-deb -x, never installed.

# The kernels the harness knows: ID -> "SUITE META-PACKAGE". The meta
# package names the kernel (newest in that suite) through its Depends.
declare -gA QEMU_KERNELS=(
  [deb12]="bookworm linux-image-amd64"
  [deb13]="trixie linux-image-amd64"
  [deb13-rt]="trixie linux-image-rt-amd64"
  [sid]="sid linux-image-amd64"
)
# shellcheck disable=SC2034  # used by the tests
QEMU_KERNEL_IDS=(deb12 deb13 deb13-rt sid)
QEMU_APT_SUITES=(bookworm trixie sid)
QEMU_APT_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# _qemu_apt_mirror — print the Debian mirror URI the system's apt sources
# name (deb822 *.sources first, then sources.list): the first "deb" entry
# for a release suite (no "-security"/"-updates" suffix) that is not a
# security mirror.
_qemu_apt_mirror() {
  local f uri=""
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    uri=$(awk 'BEGIN { RS = ""; FS = "\n" }
      {
        types = ""; uris = ""; suites = ""; off = 0
        for (i = 1; i <= NF; i++) {
          l = $i
          if (l ~ /^[Tt]ypes:/) { sub(/^[^:]*:/, "", l); types = l }
          else if (l ~ /^URIs:/) { sub(/^[^:]*:/, "", l); uris = l }
          else if (l ~ /^Suites:/) { sub(/^[^:]*:/, "", l); suites = l }
          else if (l ~ /^Enabled: *[Nn]o/) off = 1
        }
        if (off || (" " types " ") !~ / deb /) next
        n = split(suites, s, " "); rel = 0
        for (j = 1; j <= n; j++) if (s[j] !~ /-/) rel = 1
        m = split(uris, u, " ")
        for (j = 1; j <= m; j++)
          if (rel && u[j] !~ /security/) { print u[j]; exit }
      }' "$f")
    [[ -n $uri ]] && break
  done
  if [[ -z $uri ]]; then
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [[ -f $f ]] || continue
      uri=$(awk '$1 == "deb" {
          i = 2
          if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
          if ($(i + 1) !~ /-/ && $i !~ /security/) { print $i; exit }
        }' "$f")
      [[ -n $uri ]] && break
    done
  fi
  [[ -n $uri ]] || return 1
  printf '%s\n' "${uri%/}"
}

# _qemu_apt_dir — create the private apt tree, write its sources list and
# print its path. Fails (with a message) without a mirror or keyring.
_qemu_apt_dir() {
  local d mirror s
  d=$(qemu_cache_dir)/apt
  if ! mirror=$(_qemu_apt_mirror); then
    _qemu_log "no Debian mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list"
    return 1
  fi
  if [[ ! -s $QEMU_APT_KEYRING ]]; then
    _qemu_log "$QEMU_APT_KEYRING missing (package debian-archive-keyring): cannot verify the archive"
    return 1
  fi
  mkdir -p "$d/etc/sources.list.d" "$d/etc/preferences.d" "$d/etc/trusted.gpg.d" \
    "$d/lists/partial" "$d/cache/archives/partial" "$d/state" || return 1
  [[ -f $d/state/status ]] || : >"$d/state/status"
  {
    for s in "${QEMU_APT_SUITES[@]}"; do
      printf 'deb [arch=amd64 signed-by=%s] %s %s main\n' "$QEMU_APT_KEYRING" "$mirror" "$s"
    done
  } >"$d/etc/sources.list.new" || return 1
  if cmp -s "$d/etc/sources.list.new" "$d/etc/sources.list"; then
    rm -f "$d/etc/sources.list.new"
  else
    mv "$d/etc/sources.list.new" "$d/etc/sources.list" && rm -f "$d/updated"
  fi
  printf '%s\n' "$d"
}

# _qemu_apt DIR CMD ARGS... — run apt-get/apt-cache CMD with the private
# configuration in DIR.
_qemu_apt() {
  local d=$1 cmd=$2
  shift 2
  "$cmd" -q \
    -o Dir::Etc::sourcelist="$d/etc/sources.list" \
    -o Dir::Etc::sourceparts="$d/etc/sources.list.d" \
    -o Dir::Etc::preferences="$d/etc/preferences" \
    -o Dir::Etc::preferencesparts="$d/etc/preferences.d" \
    -o Dir::Etc::trustedparts="$d/etc/trusted.gpg.d" \
    -o Dir::Etc::trusted="$d/etc/trusted.gpg" \
    -o Dir::State="$d/state" \
    -o Dir::State::Lists="$d/lists" \
    -o Dir::State::status="$d/state/status" \
    -o Dir::Cache="$d/cache" \
    -o Dir::Cache::archives="$d/cache/archives" \
    -o APT::Sandbox::User=root \
    "$@"
}

# _qemu_apt_update DIR — refresh the private package lists (log appended
# to DIR/update.log); a failed signature check fails here.
_qemu_apt_update() {
  local d=$1 t0=$SECONDS
  _qemu_log "updating the harness's package lists (${QEMU_APT_SUITES[*]}; log: $d/update.log)"
  if ! _qemu_apt "$d" apt-get -o APT::Update::Error-Mode=any update >>"$d/update.log" 2>&1; then
    _qemu_log "apt-get update (private lists) failed: $(grep -E '^(E|W):' "$d/update.log" | tail -n 2 | tr '\n' ' ')"
    return 1
  fi
  touch "$d/updated"
  _qemu_log "package lists updated in $((SECONDS - t0))s"
}

# _qemu_apt_field DIR PKG/SUITE FIELD — FIELD of the package's record in
# SUITE (the first record if several).
_qemu_apt_field() {
  _qemu_apt "$1" apt-cache show "$2" 2>/dev/null |
    awk -v f="$3" 'BEGIN { n = length(f) + 1 }
      $0 == "" { exit }
      substr($0, 1, n) == f ":" { print substr($0, n + 2); exit }'
}

# _qemu_kernel_plan DIR SUITE META — print the kernel package's name, then
# the packages to download (unsigned twins where they exist), one a line.
#   classic layout (bookworm, trixie): linux-image-V[-unsigned] with
#     /boot/vmlinuz-V and /lib/modules/V.
#   split layout (sid 7.x): linux-image-V is a meta package depending on
#     linux-binary-V (image in /usr/lib/modules/V/vmlinuz; its twin
#     linux-binary-unsigned-V has vmlinuz.unsigned), linux-modules-V and
#     linux-base-V (config, System.map, modules.builtin).
_qemu_kernel_plan() {
  local d=$1 suite=$2 meta=$3 img deps dep p
  img=$(_qemu_apt_field "$d" "$meta/$suite" Depends | tr ',' '\n' |
    sed -n 's/^ *\(linux-image-[0-9][^ ]*\).*/\1/p' | head -n 1)
  if [[ -z $img ]]; then
    _qemu_log "$meta in $suite names no linux-image-<version> package"
    return 1
  fi
  printf '%s\n' "$img"
  deps=$(_qemu_apt_field "$d" "$img/$suite" Depends)
  if grep -q 'linux-binary-' <<<"$deps"; then
    local ver=${img#linux-image-}
    while IFS= read -r dep; do
      read -r dep _ <<<"$dep"
      [[ $dep == linux-*-"$ver" ]] || continue
      p=$dep
      if [[ $dep == linux-binary-"$ver" ]] &&
        [[ -n $(_qemu_apt_field "$d" "linux-binary-unsigned-$ver/$suite" Package) ]]; then
        p=linux-binary-unsigned-$ver
      fi
      printf '%s\n' "$p"
    done < <(tr ',' '\n' <<<"$deps")
  elif [[ -n $(_qemu_apt_field "$d" "$img-unsigned/$suite" Package) ]]; then
    printf '%s\n' "$img-unsigned"
  else
    printf '%s\n' "$img"
  fi
}

# _qemu_kernel_fetch ID BASE APTDIR — resolve, download, unpack and
# depmod kernel ID into BASE/<image package>/ and point BASE/current at it.
_qemu_kernel_fetch() {
  local id=$1 base=$2 d=$3 suite meta plan img t0=$SECONDS
  read -r suite meta <<<"${QEMU_KERNELS[$id]}"
  plan=$(_qemu_kernel_plan "$d" "$suite" "$meta") || return 1
  img=$(head -n 1 <<<"$plan")
  local dir=$base/$img
  if [[ -f $dir/ok ]]; then
    printf '%s\n' "$img" >"$base/current"
    return 0
  fi
  local -a pkgs=()
  mapfile -t pkgs < <(tail -n +2 <<<"$plan" | sed "s|\$|/$suite|")
  rm -rf "$dir" && mkdir -p "$dir/dl" || return 1
  _qemu_log "$id: downloading ${pkgs[*]}"
  if ! (cd "$dir/dl" && _qemu_apt "$d" apt-get download "${pkgs[@]}") >"$dir/download.log" 2>&1; then
    _qemu_log "$id: apt-get download ${pkgs[*]} failed: $(grep -E '^(E|W):' "$dir/download.log" | tail -n 2 | tr '\n' ' ')"
    return 1
  fi
  local deb
  for deb in "$dir"/dl/*.deb; do
    [[ -f $deb ]] || { _qemu_log "$id: nothing downloaded"; return 1; }
    dpkg-deb -x "$deb" "$dir/root" || { _qemu_log "$id: dpkg-deb -x $deb failed"; return 1; }
    basename "$deb" >>"$dir/package"
  done
  # merged /usr: /lib is usr/lib (depmod -b looks in BASE/lib/modules)
  if [[ ! -e $dir/root/lib && -d $dir/root/usr/lib ]]; then
    ln -s usr/lib "$dir/root/lib" || return 1
  fi
  local mdir ver kernel config
  mdir=$(find "$dir/root/lib/modules/" -mindepth 1 -maxdepth 1 -type d | head -n 1)
  [[ -n $mdir ]] || { _qemu_log "$id: no lib/modules/<version> in ${pkgs[*]}"; return 1; }
  ver=$(basename "$mdir")
  for kernel in "$dir/root/boot/vmlinuz-$ver" "$mdir/vmlinuz.unsigned" "$mdir/vmlinuz" ""; do
    [[ -z $kernel || -f $kernel ]] && break
  done
  [[ -n $kernel ]] || { _qemu_log "$id: no kernel image (boot/vmlinuz-$ver, modules/$ver/vmlinuz[.unsigned])"; return 1; }
  for config in "$dir/root/boot/config-$ver" "$mdir/config" ""; do
    [[ -z $config || -f $config ]] && break
  done
  depmod -b "$dir/root" "$ver" || { _qemu_log "$id: depmod failed"; return 1; }
  {
    printf 'kernel=%s\n' "${kernel#"$dir/root"/}"
    printf 'moddir=%s\n' "lib/modules/$ver"
    printf 'config=%s\n' "${config#"$dir/root"/}"
    printf 'version=%s\n' "$ver"
    printf 'suite=%s\n' "$suite"
    printf 'image_package=%s\n' "$img"
    printf 'packages=%s\n' "$(tr '\n' ' ' <"$dir/package" | sed 's/ $//')"
    printf 'fetch_seconds=%s\n' "$((SECONDS - t0))"
  } >"$dir/info" || return 1
  rm -rf "$dir/dl" && touch "$dir/ok" || return 1
  printf '%s\n' "$img" >"$base/current"
  _qemu_log "$id: fetched $(tr '\n' ' ' <"$dir/package")in $((SECONDS - t0))s"
}

# _qemu_kernel_dir ID — the cached, complete kernel dir of ID, if any.
_qemu_kernel_dir() {
  local base cur
  base=$(qemu_cache_dir)/debian/$1
  [[ -f $base/current ]] || return 1
  cur=$(<"$base/current")
  [[ -n $cur && -f $base/$cur/ok ]] || return 1
  printf '%s\n' "$base/$cur"
}

# qemu_kernel_cached ID — succeed if kernel ID is in the cache.
qemu_kernel_cached() { _qemu_kernel_dir "$1" >/dev/null; }

# qemu_kernel ID — fetch kernel ID (deb12, deb13, deb13-rt, sid; see
# QEMU_KERNELS) into $(qemu_cache_dir)/debian/ID/<image package>/ once and
# print two lines: the kernel image and its module dir. A cached kernel is
# used without touching apt or the network; SIGREC_QEMU_DEBIAN_REFRESH=1
# resolves the newest version again. On failure the last "qemu-lib:" line
# on stderr says why.
qemu_kernel() {
  local id=$1 base dir
  if [[ -z ${QEMU_KERNELS[$id]:-} ]]; then
    _qemu_log "unknown kernel '$id' (known: ${QEMU_KERNEL_IDS[*]})"
    return 2
  fi
  base=$(qemu_cache_dir)/debian/$id
  mkdir -p "$base" || return 1
  if [[ -n ${SIGREC_QEMU_DEBIAN_REFRESH:-} ]] || ! qemu_kernel_cached "$id"; then
    (
      flock 9
      if [[ -z ${SIGREC_QEMU_DEBIAN_REFRESH:-} ]] && qemu_kernel_cached "$id"; then exit 0; fi
      command -v dpkg-deb >/dev/null && command -v apt-get >/dev/null ||
        { _qemu_log "apt-get/dpkg-deb missing: cannot fetch Debian kernels"; exit 1; }
      qemu_prepare_deps --run-only || exit 1
      d=$(_qemu_apt_dir) || exit 1
      # one writer of the private lists at a time
      exec 8>"$d/.lock"
      flock 8
      if [[ ! -f $d/updated ]]; then _qemu_apt_update "$d" || exit 1; fi
      if ! _qemu_kernel_fetch "$id" "$base" "$d"; then
        # stale lists (the archive moved on): refresh once and retry
        _qemu_apt_update "$d" || exit 1
        _qemu_kernel_fetch "$id" "$base" "$d" || exit 1
      fi
    ) 9>"$base/.lock" || return 1
  fi
  dir=$(_qemu_kernel_dir "$id") || { _qemu_log "$id: not in the cache after fetching"; return 1; }
  printf '%s\n%s\n' "$dir/root/$(sed -n 's/^kernel=//p' "$dir/info")" \
    "$dir/root/$(sed -n 's/^moddir=//p' "$dir/info")"
}

# qemu_kernel_info ID [KEY] — the cached kernel's facts (kernel=, moddir=,
# config= relative to its root; version=, suite=, image_package=,
# packages=, fetch_seconds=), or the value of one KEY.
qemu_kernel_info() {
  local dir
  dir=$(_qemu_kernel_dir "$1") || return 1
  if (($# > 1)); then sed -n "s/^$2=//p" "$dir/info"; else cat "$dir/info"; fi
}

# qemu_kernel_root ID — the cached kernel's unpacked tree.
qemu_kernel_root() {
  local dir
  dir=$(_qemu_kernel_dir "$1") || return 1
  printf '%s\n' "$dir/root"
}

# qemu_debian_kernel — Debian 12's kernel (qemu_kernel deb12): two lines,
# the vmlinuz path and the module dir.
qemu_debian_kernel() { qemu_kernel deb12; }

# Kernel config fragment for the pmsg kernel (applied on top of tinyconfig).
# Changing it changes the cache key, so the kernel is rebuilt.
_qemu_pmsg_fragment() {
  cat <<'EOF'
# sigrec pmsg guest kernel, recipe v2 (tinyconfig + these)
64BIT=y
SMP=y
ACPI=y
PRINTK=y
PRINTK_TIME=y
TTY=y
UNIX98_PTYS=y
SERIAL_8250=y
SERIAL_8250_CONSOLE=y
BLK_DEV_INITRD=y
RD_GZIP=y
KERNEL_XZ=n
KERNEL_GZIP=y
BINFMT_ELF=y
BINFMT_SCRIPT=y
PROC_FS=y
PROC_SYSCTL=y
SYSFS=y
DEVTMPFS=y
DEVTMPFS_MOUNT=y
TMPFS=y
SHMEM=y
MISC_FILESYSTEMS=y
PSTORE=y
PSTORE_RAM=y
PSTORE_PMSG=y
PSTORE_CONSOLE=y
MAGIC_SYSRQ=y
PCI=y
DEVMEM=y
DEVPORT=y
FUTEX=y
EPOLL=y
EVENTFD=y
SIGNALFD=y
TIMERFD=y
POSIX_TIMERS=y
HIGH_RES_TIMERS=y
FILE_LOCKING=y
INOTIFY_USER=y
FHANDLE=y
MULTIUSER=y
SYSVIPC=y
ADVISE_SYSCALLS=y
IKCONFIG=y
IKCONFIG_PROC=y
SLUB=y
SLOB=n
NET=y
UNIX=y
CGROUPS=y
MEMCG=y
CGROUP_PIDS=y
CGROUP_FREEZER=y
NAMESPACES=y
PID_NS=y
UTS_NS=y
IPC_NS=y
USER_NS=y
SECCOMP=y
SECCOMP_FILTER=y
EOF
  if [[ ${SIGREC_QEMU_PMSG_BPF:-1} == 1 ]]; then
    cat <<'EOF'
# BPF + BTF so the recorder can load (pahole from Debian's dwarves)
MODULES=y
BPF_SYSCALL=y
BPF_JIT=y
CGROUP_BPF=y
KALLSYMS=y
KALLSYMS_ALL=y
PERF_EVENTS=y
DEBUG_KERNEL=y
DEBUG_INFO_NONE=n
DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT=y
DEBUG_INFO_BTF=y
FTRACE=y
FUNCTION_TRACER=y
DYNAMIC_FTRACE=y
FTRACE_SYSCALLS=y
KPROBES=y
KPROBE_EVENTS=y
BPF_EVENTS=y
EOF
  fi
}

# _qemu_pmsg_configure SRC_TARBALL BUILD_DIR FRAGMENT_FILE — unpack the
# source, make tinyconfig, apply the fragment with scripts/config, run
# olddefconfig and check that every requested option survived.
_qemu_pmsg_configure() {
  local src=$1 build=$2 frag=$3 line opt val
  tar -xJf "$src" -C "$build" --strip-components=1 || return 1
  make -C "$build" ARCH=x86_64 tinyconfig || return 1
  while IFS= read -r line; do
    [[ -z $line || $line == \#* ]] && continue
    opt=${line%%=*} val=${line#*=}
    case $val in
      y) "$build/scripts/config" --file "$build/.config" --enable "$opt" ;;
      n) "$build/scripts/config" --file "$build/.config" --disable "$opt" ;;
      *) "$build/scripts/config" --file "$build/.config" --set-val "$opt" "$val" ;;
    esac || return 1
  done <"$frag"
  make -C "$build" ARCH=x86_64 olddefconfig || return 1
  local bad=()
  while IFS= read -r line; do
    [[ -z $line || $line == \#* ]] && continue
    opt=${line%%=*} val=${line#*=}
    if [[ $val == n ]]; then
      if grep -q "^CONFIG_$opt=" "$build/.config"; then bad+=("$opt=n"); fi
    elif ! grep -qx "CONFIG_$opt=$val" "$build/.config"; then
      bad+=("$opt=$val")
    fi
  done <"$frag"
  if ((${#bad[@]})); then
    echo "options not applied by olddefconfig: ${bad[*]}" >&2
    return 1
  fi
}

# qemu_pmsg_kernel — build (once) a small 6.1 kernel with ramoops, pmsg and
# BPF/BTF from /usr/src/linux-source-6.1.tar.xz and print its bzImage path.
# Cached in $(qemu_cache_dir)/pmsg-<hash of the config fragment>/ with the
# build log (build.log), the final .config (config) and the build time.
# SIGREC_QEMU_PMSG_BPF=0 leaves out BPF/BTF/tracing (faster build).
qemu_pmsg_kernel() {
  local cache frag key dir
  cache=$(qemu_cache_dir)
  frag=$(_qemu_pmsg_fragment)
  key=$(printf '%s\n' "$frag" | sha256sum | cut -c1-16)
  dir=$cache/pmsg-$key
  if [[ -f $dir/bzImage ]]; then
    printf '%s\n' "$dir/bzImage"
    return 0
  fi
  mkdir -p "$dir"
  (
    flock 9
    [[ -f $dir/bzImage ]] && exit 0
    qemu_prepare_deps || exit 1
    local src=/usr/src/linux-source-6.1.tar.xz
    [[ -f $src ]] || { _qemu_log "$src missing"; exit 1; }
    local build=$cache/build-$key log=$dir/build.log t0=$SECONDS
    rm -rf "$build" && mkdir -p "$build" || exit 1
    _qemu_log "building pmsg kernel in $build (log: $log)"
    printf '%s\n' "$frag" >"$dir/fragment"
    if ! _qemu_pmsg_configure "$src" "$build" "$dir/fragment" >"$log" 2>&1; then
      _qemu_log "configuring the pmsg kernel failed, see $log"
      exit 1
    fi
    if ! (cd "$build" && make ARCH=x86_64 -j"$(nproc)" bzImage) >>"$log" 2>&1; then
      _qemu_log "kernel build failed, see $log"
      exit 1
    fi
    cp "$build/.config" "$dir/config" &&
      cp "$build/arch/x86/boot/bzImage" "$dir/bzImage.tmp" &&
      mv "$dir/bzImage.tmp" "$dir/bzImage" || exit 1
    echo "$((SECONDS - t0))" >"$dir/build-seconds"
    rm -rf "$build"
    _qemu_log "pmsg kernel built in $((SECONDS - t0))s: $dir/bzImage"
  ) 9>"$dir/.lock" || return 1
  printf '%s\n' "$dir/bzImage"
}

# _qemu_copy_with_libs STAGE SRC DEST — copy SRC to STAGE/DEST and, for a
# dynamic ELF, every shared library ldd resolves plus the ELF interpreter,
# each at its host path.
_qemu_copy_with_libs() {
  local stage=$1 src=$2 dest=$3
  mkdir -p "$stage/$(dirname "$dest")"
  cp -L "$src" "$stage/$dest"
  [[ $(head -c 4 "$src" | od -An -c | tr -d ' ') == '177ELF' ]] || return 0
  local lib
  while IFS= read -r lib; do
    [[ -n $lib && -e $lib ]] || continue
    [[ -e $stage/$lib ]] && continue
    mkdir -p "$stage/$(dirname "$lib")"
    cp -L "$lib" "$stage/$lib"
  done < <(ldd "$src" 2>/dev/null |
    sed -n -e 's/^.*=> \(\/[^ ]*\) (0x.*$/\1/p' -e 's/^[[:space:]]*\(\/[^ ]*\) (0x.*$/\1/p')
}

# _qemu_module_order MODDIR NAME... — print module paths (relative to
# MODDIR) in load order: dependencies first, per modules.dep.
_qemu_module_order() {
  local moddir=$1
  shift
  awk -v want="$*" '
    {
      sub(/:$/, "", $1); key = $1
      n = split(key, p, "/"); m = p[n]; sub(/\.ko(\.(xz|gz|zst))?$/, "", m)
      gsub(/-/, "_", m); path[m] = key; deps[key] = ""
      for (i = 2; i <= NF; i++) deps[key] = deps[key] " " $i
    }
    function visit(k,   d, i, a) {
      if (k in seen) return
      seen[k] = 1
      d = split(deps[k], a, " ")
      for (i = d; i >= 1; i--) visit(a[i])
      print k
    }
    END {
      c = split(want, w, " ")
      for (j = 1; j <= c; j++) {
        m = w[j]; gsub(/-/, "_", m)
        if (!(m in path)) { print "missing module " w[j] > "/dev/stderr"; exit 1 }
        visit(path[m])
      }
    }' "$moddir/modules.dep"
}

# qemu_make_initramfs [-m MODDIR] [-M "MOD..."] OUT INIT_SCRIPT [FILE...]
#   Build a gzip'd newc cpio at OUT: busybox-static with all applet links,
#   tests/qemu/guest-init.sh as /init (mounts, modules, boot counting, guest
#   helpers), INIT_SCRIPT as /sigrec-test (run by /init each boot), and each
#   FILE given as SRC or SRC:DEST (default DEST /usr/local/bin/<basename>)
#   with every shared library it needs (ldd, plus the ELF interpreter).
#   -m MODDIR: kernel module dir (from qemu_debian_kernel); -M names the
#   modules to load (default "ramoops"); their modules.dep dependencies are
#   added and everything is stored decompressed and insmod'ed in order.
qemu_make_initramfs() {
  local moddir="" mods="ramoops" OPTIND=1 opt
  local usage="usage: qemu_make_initramfs [-m MODDIR] [-M MODS] OUT INIT_SCRIPT [FILE...]"
  while getopts 'm:M:' opt; do
    case $opt in
      m) moddir=$OPTARG ;;
      M) mods=$OPTARG ;;
      *) _qemu_log "$usage"; return 2 ;;
    esac
  done
  shift $((OPTIND - 1))
  if (($# < 2)); then
    _qemu_log "$usage"
    return 2
  fi
  local stage rc=0
  stage=$(mktemp -d "${TMPDIR:-/tmp}/sigrec-initramfs.XXXXXX") || return 1
  _qemu_initramfs_fill "$stage" "$moddir" "$mods" "$@" || rc=$?
  rm -rf "$stage"
  return "$rc"
}

# _qemu_initramfs_fill STAGE MODDIR MODS OUT INIT_SCRIPT [FILE...]
_qemu_initramfs_fill() {
  local stage=$1 moddir=$2 mods=$3 out=$4 script=$5
  shift 5
  [[ -f $script ]] || { _qemu_log "no such init script: $script"; return 1; }
  local d
  for d in bin sbin usr/bin usr/sbin usr/local/bin lib lib64 etc/sigrec proc sys dev tmp run root mnt var/log lib/modules; do
    mkdir -p "$stage/$d" || return 1
  done
  cp /bin/busybox "$stage/bin/busybox" || return 1
  local a
  while IFS= read -r a; do
    [[ -n $a && ! -e $stage/$a ]] || continue
    mkdir -p "$stage/$(dirname "$a")"
    ln -s /bin/busybox "$stage/$a"
  done < <(/bin/busybox --list-full)
  mknod -m 600 "$stage/dev/console" c 5 1 2>/dev/null || true
  mknod -m 666 "$stage/dev/null" c 1 3 2>/dev/null || true
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$stage/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$stage/etc/group"
  install -m 755 "$QEMU_LIB_DIR/guest-init.sh" "$stage/init" || return 1
  install -m 755 "$script" "$stage/sigrec-test" || return 1
  local f src dest
  for f in "$@"; do
    src=${f%%:*}
    if [[ $f == *:* ]]; then dest=${f#*:}; else dest=/usr/local/bin/$(basename "$src"); fi
    [[ -e $src ]] || { _qemu_log "no such file: $src"; return 1; }
    _qemu_copy_with_libs "$stage" "$src" "$dest" || { _qemu_log "cannot copy $src"; return 1; }
  done
  if [[ -n $moddir ]]; then
    local rel name order
    order=$(_qemu_module_order "$moddir" "$mods") || return 1
    : >"$stage/etc/sigrec/modules"
    while IFS= read -r rel; do
      name=$(basename "$rel")
      case $name in
        *.ko.xz) xz -dc "$moddir/$rel" >"$stage/lib/modules/${name%.xz}" ;;
        *.ko.gz) gzip -dc "$moddir/$rel" >"$stage/lib/modules/${name%.gz}" ;;
        *.ko.zst) zstd -qdc "$moddir/$rel" >"$stage/lib/modules/${name%.zst}" ;;
        *) cp "$moddir/$rel" "$stage/lib/modules/$name" ;;
      esac || { _qemu_log "cannot copy module $rel"; return 1; }
      printf '%s\n' "${name%%.ko*}" >>"$stage/etc/sigrec/modules"
    done <<<"$order"
  fi
  (cd "$stage" && find . -print0 | LC_ALL=C sort -z |
    cpio --null -o -H newc --owner=0:0 --quiet) | gzip -1 >"$out.tmp" || return 1
  mv "$out.tmp" "$out"
}

# Results of the last qemu_boot, for the caller.
# shellcheck disable=SC2034
QEMU_BOOT_TIMES="" QEMU_BOOT_ELAPSED="" QEMU_GUEST_RC=""

# qemu_boot KERNEL INITRD LOGFILE TIMEOUT_S [EXTRA_CMDLINE]
#   Boot the guest under TCG with the ramoops region reserved
#   (memmap=1M!0x7000000) and ramoops.* parameters on the command line
#   (built-in ramoops takes them directly; /init passes them to insmod for
#   a modular one). No -no-reboot: panic=1 and `reboot -f` reset inside the
#   same qemu, so RAM (and pstore) survives into the next boot. The serial
#   console goes to LOGFILE. Returns 0 once the guest printed SIGREC-DONE
#   (guest /init does so when the test script returns, then powers off),
#   124 on timeout, 1 if qemu ended without it. Sets QEMU_BOOT_TIMES, e.g.
#   "boot1=4.2s(guest-uptime=3.0s) boot2=8.4s(guest-uptime=2.9s) done=8.6s"
#   (host seconds since qemu started when the marker appeared, to ~0.3s, and
#   the guest's /proc/uptime at /init), and QEMU_BOOT_ELAPSED (seconds),
#   and QEMU_GUEST_RC (exit status of the test script in the last boot, from
#   the SIGREC-DONE line), and writes the times to LOGFILE.times.
#   Env: SIGREC_QEMU_MEM (512M), SIGREC_QEMU_SMP (1), SIGREC_QEMU_OPTS
#   (extra qemu arguments, split on spaces).
qemu_boot() {
  if (($# < 4)); then
    _qemu_log "usage: qemu_boot KERNEL INITRD LOGFILE TIMEOUT_S [EXTRA_CMDLINE]"
    return 2
  fi
  local kernel=$1 initrd=$2 log=$3 tmo=$4 extra=${5:-}
  local p cmdline="console=ttyS0 panic=1 printk.devkmsg=on memmap=1M!$QEMU_RAMOOPS_ADDR"
  for p in $QEMU_RAMOOPS_PARAMS; do cmdline+=" ramoops.$p"; done
  cmdline+=" rdinit=/init $extra"
  local -a extra_opts=()
  # shellcheck disable=SC2206  # word splitting of user-provided options is intended
  [[ -n ${SIGREC_QEMU_OPTS:-} ]] && extra_opts=($SIGREC_QEMU_OPTS)
  : >"$log"
  local start=$EPOCHREALTIME
  timeout -k 5 "$tmo" qemu-system-x86_64 -accel tcg -m "${SIGREC_QEMU_MEM:-512M}" \
    -smp "${SIGREC_QEMU_SMP:-1}" -nographic -monitor none -nic none \
    -serial "file:$log" -device "isa-debug-exit,iobase=$QEMU_DEBUG_EXIT_PORT,iosize=0x04" \
    -kernel "$kernel" -initrd "$initrd" -append "$cmdline" \
    "${extra_opts[@]}" </dev/null >"$log.qemu" 2>&1 &
  local qpid=$! seen="" done_at="" now
  local -A mark=()
  while kill -0 "$qpid" 2>/dev/null; do
    now=$(_qemu_elapsed "$start")
    _qemu_boot_scan
    # Give a finished guest a moment to power itself off, then stop qemu.
    if [[ -n $done_at ]] && awk -v a="$now" -v b="$done_at" 'BEGIN{exit !(a - b > 5)}'; then
      kill "$qpid" 2>/dev/null || true
    fi
    sleep 0.2
  done
  local rc=0
  wait "$qpid" || rc=$?
  QEMU_BOOT_ELAPSED=$(_qemu_elapsed "$start")
  now=$QEMU_BOOT_ELAPSED
  _qemu_boot_scan
  QEMU_BOOT_TIMES="${seen# }"
  # shellcheck disable=SC2034  # read by callers
  QEMU_GUEST_RC=$(grep -ao 'SIGREC-DONE: boot=[0-9]* rc=[0-9]*' "$log" | tail -n 1 | sed 's/.*rc=//' || true)
  printf '%s total=%ss qemu_rc=%s\n' "$QEMU_BOOT_TIMES" "$QEMU_BOOT_ELAPSED" "$rc" >"$log.times"
  if [[ -n $done_at ]]; then return 0; fi
  if ((rc == 124 || rc == 137)); then
    _qemu_log "guest timed out after ${tmo}s (log: $log)"
    return 124
  fi
  _qemu_log "qemu exited ($rc) before the guest finished (log: $log, $log.qemu)"
  return 1
}

# Part of qemu_boot (uses its locals log, now, mark, seen, done_at): note
# when each boot's marker, and the final one, first shows up in the log.
_qemu_boot_scan() {
  local m up
  while read -r m up; do
    [[ -n $m && -z ${mark[$m]:-} ]] || continue
    mark[$m]=$now
    seen+=" boot${m}=${now}s(guest-uptime=${up}s)"
  done < <(grep -ao 'SIGREC-BOOT: [0-9]* uptime=[0-9.]*' "$log" 2>/dev/null |
    sed 's/^SIGREC-BOOT: \([0-9]*\) uptime=/\1 /' | sort -un -k1,1)
  if [[ -z $done_at ]] && grep -aq 'SIGREC-DONE:' "$log" 2>/dev/null; then
    done_at=$now
    seen+=" done=${now}s"
  fi
}

_qemu_elapsed() {
  awk -v s="$1" -v n="$EPOCHREALTIME" 'BEGIN{printf "%.1f", n - s}'
}

# qemu_results LOGFILE — print the payload of every "SIGREC-RESULT: ..."
# line the guest printed, in order (CRs stripped); nothing if none.  The
# kernel writes its messages to the same serial console, and one can land
# inside a result line ("final=182[   21.933047] sigrec: suppressed ..."):
# such a console message (a timestamp not after a syslog prefix's ">") is
# cut off the line.
qemu_results() {
  { grep -a 'SIGREC-RESULT: ' "$1" || true; } | tr -d '\r' |
    sed -E 's/^.*SIGREC-RESULT: //; s/([^>])\[ *[0-9]+\.[0-9]{6}\] .*$/\1/'
}

# qemu_extract_file LOGFILE NAME OUT — decode a file the guest sent with
# `sigrec_export_file PATH NAME` (base64 between markers, sha256-checked;
# if it was sent more than once, the last copy).
qemu_extract_file() {
  local log=$1 name=$2 out=$3 want got
  want=$(tr -d '\r' <"$log" | awk -v n="$name" '
    index($0, "SIGREC-FILE-END: " n " sha256=") {
      s = substr($0, index($0, " sha256=") + 8); sub(/[^0-9a-f].*$/, "", s); w = s
    }
    END { print w }')
  [[ -n $want ]] || { _qemu_log "no file $name in $log"; return 1; }
  tr -d '\r' <"$log" | awk -v n="$name" '
    index($0, "SIGREC-FILE-BEGIN: " n) && substr($0, length($0) - length(n) + 1) == n {
      on = 1; buf = ""; next
    }
    on && index($0, "SIGREC-FILE-END: " n " ") { on = 0; last = buf; next }
    on && /^[A-Za-z0-9+\/=]+$/ { buf = buf $0 "\n" }
    END { printf "%s", last }' | base64 -d >"$out" 2>/dev/null || true
  got=$(sha256sum <"$out" | cut -d' ' -f1)
  [[ $got == "$want" ]] || { _qemu_log "file $name: checksum mismatch (serial noise?)"; return 1; }
}
