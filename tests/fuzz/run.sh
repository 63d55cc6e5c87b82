#!/usr/bin/env bash
# run.sh - build the libFuzzer targets and fuzz each for a while, TAP out.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]
#
# SECONDS per target (default 60); TARGETs: fuzz_ring fuzz_codec fuzz_pstore
# (default all).  Builds with clang into ${BUILD:-build}/fuzz/, fuzzes a copy of
# tests/fuzz/corpus/<target>/ plus fresh seeds from mkseeds in a temp dir,
# and prints "ok N - fuzz_ring: X execs in S s, 0 crashes" per target, or
# "not ok" with the saved crash input and the reproducer's output.
# Crash inputs are kept in ${BUILD}/fuzz/artifacts/TARGET/; reproduce one with
#   build/fuzz/fuzz_ring -rss_limit_mb=512 -malloc_limit_mb=256 -timeout=10 FILE
# Env: CLANG (default clang), FUZZ_FLAGS (extra libFuzzer flags).
# Exits 0 when every target ran clean.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
BUILD=${BUILD:-build}
CLANG=${CLANG:-clang}
OUT="$BUILD/fuzz"
SECS=60
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then
	SECS=$1
	shift
fi
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(fuzz_ring fuzz_codec fuzz_pstore)
LIMITS=(-rss_limit_mb=512 -malloc_limit_mb=256 -timeout=10)
# the library's one source list, from the Makefile; its include path (lib/ sees
# only itself and the ABI header)
read -r -a SRC <<<"$(make -s --no-print-directory print-lib-src)"
[ ${#SRC[@]} -gt 0 ] || { echo "not ok 1 - make print-lib-src gave no sources"; exit 1; }
CFLAGS=(-g -O1 -fno-omit-frame-pointer -Wall -Wextra -Werror -std=gnu11 -Ilib -Ibpf)
SAN=("-fsanitize=fuzzer,address,undefined" -fno-sanitize-recover=all)
# ASan holds up to 256 MiB of freed (and touched) memory in quarantine:
# with that the RSS of a healthy fuzz_ring run sits near 400 MiB, too close
# to -rss_limit_mb=512 to tell a real leak from the quarantine
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=64}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

N=0 FAILS=0
ok() { N=$((N + 1)); echo "ok $N - $*"; }
not_ok() { N=$((N + 1)); FAILS=$((FAILS + 1)); echo "not ok $N - $*"; }
diag() { sed 's/^/# /'; }
done_tap() { echo "1..$N"; [ "$FAILS" -eq 0 ]; exit $?; }

TMP=$(mktemp -d /tmp/sigrec-fuzz.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# The libFuzzer runtime comes with compiler-rt (Debian: libclang-rt-N-dev);
# install it the way scripts/deps.sh installs packages, only if missing.
fuzzer_links() {
	printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ (void)d; (void)n; return 0; }\n' \
		>"$TMP/probe.c"
	"$CLANG" -fsanitize=fuzzer,address,undefined "$TMP/probe.c" -o "$TMP/probe" 2>"$TMP/probe.err"
}
ensure_runtime() {
	local major pkg
	command -v "$CLANG" >/dev/null || { echo "$CLANG not found (run scripts/deps.sh)"; return 1; }
	fuzzer_links && return 0
	major=$("$CLANG" -dumpversion | cut -d. -f1)
	pkg="libclang-rt-$major-dev"
	if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
		echo "$CLANG -fsanitize=fuzzer does not link although $pkg is installed: $(head -c 300 "$TMP/probe.err")"
		return 1
	fi
	if [ "$(id -u)" -ne 0 ]; then
		echo "$pkg is missing; run as root to install it"
		return 1
	fi
	echo "installing $pkg" >&2
	export DEBIAN_FRONTEND=noninteractive
	if ! { apt-get update -qq && apt-get install -y -qq "$pkg" >/dev/null; }; then
		echo "cannot install $pkg"
		return 1
	fi
	fuzzer_links || { echo "$CLANG -fsanitize=fuzzer still does not link: $(head -c 300 "$TMP/probe.err")"; return 1; }
}

build() {
	mkdir -p "$OUT" &&
	for t in "${TARGETS[@]}"; do
		"$CLANG" "${CFLAGS[@]}" "${SAN[@]}" "tests/fuzz/$t.c" "${SRC[@]}" -o "$OUT/$t" -llz4 ||
			return 1
	done &&
	# the seed writer is an ordinary program: no fuzzer runtime
	"$CLANG" "${CFLAGS[@]}" -O2 tests/fuzz/mkseeds.c "${SRC[@]}" -o "$OUT/mkseeds" -llz4
}

# final_stat NAME FILE: a libFuzzer -print_final_stats figure
final_stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -n 1; }

fuzz_one() {
	local t=$1 name=${1#fuzz_} corpus="$TMP/corpus-${1#fuzz_}" log="$TMP/$1.log"
	local art="$OUT/artifacts/$t" start end rc crash execs
	mkdir -p "$corpus" "$art"
	cp tests/fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null
	cp "$TMP/seeds/$name"/* "$corpus"/ 2>/dev/null
	start=$(date +%s)
	# shellcheck disable=SC2086
	"$OUT/$t" "${LIMITS[@]}" -max_total_time="$SECS" -print_final_stats=1 \
		-artifact_prefix="$art/" ${FUZZ_FLAGS:-} "$corpus" >"$log" 2>&1
	rc=$?
	end=$(date +%s)
	execs=$(final_stat number_of_executed_units "$log")
	crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
	if [ "$rc" -eq 0 ] && [ -z "$crash" ]; then
		ok "$t: ${execs:-?} execs in $((end - start)) s, 0 crashes"
		return
	fi
	if [ -z "$crash" ]; then
		not_ok "$t: libFuzzer exited with status $rc and saved no input"
		tail -n 30 "$log" | diag
		return
	fi
	not_ok "$t: crash after ${execs:-?} execs in $((end - start)) s: $crash"
	echo "reproduce: $OUT/$t ${LIMITS[*]} $crash" | diag
	reproduce "$OUT/$t" "$crash" 2>&1 | grep -v '^INFO:\|^Running:\|^MS:\|^base64:' |
		head -n 60 | diag
}

# reproduce FUZZER INPUT: run one input and show where it fails.  libFuzzer's
# malloc limit reports an oom- input without a stack; ASan's own size limit
# (same 256 MiB) names the allocation site instead.
reproduce() {
	case $(basename "$2") in
	oom-*)	ASAN_OPTIONS=$ASAN_OPTIONS:max_allocation_size_mb=256:allocator_may_return_null=0 \
			"$1" -rss_limit_mb=512 -malloc_limit_mb=0 -timeout=10 "$2" ;;
	*)	"$1" "${LIMITS[@]}" "$2" ;;
	esac
}

if why=$(ensure_runtime); then
	ok "clang -fsanitize=fuzzer links"
else
	not_ok "clang -fsanitize=fuzzer links: $why"
	done_tap
fi
if build 2>"$TMP/build.err"; then
	ok "fuzzers build into $OUT/"
else
	not_ok "fuzzers build into $OUT/"
	head -n 40 "$TMP/build.err" | diag
	done_tap
fi
if "$OUT/mkseeds" "$TMP/seeds" 2>"$TMP/mkseeds.err"; then
	ok "mkseeds writes seeds holding every record type"
else
	not_ok "mkseeds writes seeds holding every record type: $(head -n 1 "$TMP/mkseeds.err"); fuzzing the committed seeds only"
fi
for t in "${TARGETS[@]}"; do
	fuzz_one "$t"
done
done_tap
