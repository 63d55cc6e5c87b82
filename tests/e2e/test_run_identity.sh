#!/usr/bin/env bash
# test_run_identity.sh - a storm of identical signals coalesces into repeat
# records, and the kernel side recognises a repeat by a key of reads rather
# than by building the whole record: this checks the key misses nothing.
# One sender (this shell's builtin kill, one process) sends runs of the
# same SIGUSR1 to one target that blocks it; between the runs the target
# changes one thing at a time (its disposition to a handler, then to
# ignored, its name, its cgroup, its uid), and every run must come back as
# exactly its own signals with its own identity: no signal of a run counted
# under the identity of the one before.
source "$(dirname "$0")/../lib.sh"
NAMES=("every signal of every run recorded, none lost"
	"each run's signals carry the identity the target had during it"
	"runs in time order: no record of a run before the end of the one before it")
skip_all_unless_bpf "${NAMES[@]}"

K=400
coproc TGT { exec "$BIN/sigsend" runtarget; }
read -r word T <&"${TGT[0]}"
[ "$word" = ready ] || { not_ok "target starts"; tap_done; exit 1; }
# order (command, what changes) from the start state: default, uid 0, sigsend
STEPS=(h i n c u)

# cgroup v2, for the move step (a v1 host gets the unified hierarchy mounted)
V2=/sys/fs/cgroup MOUNTED=
if [ "$(stat -fc %T $V2)" != cgroup2fs ]; then
	V2=/sys/fs/cgroup/unified
	if [ "$(stat -fc %T $V2 2>/dev/null)" != cgroup2fs ]; then
		mkdir -p $V2 2>/dev/null && mount -t cgroup2 none $V2 2>/dev/null && MOUNTED=1
	fi
fi
CG=
if [ "$(stat -fc %T $V2 2>/dev/null)" = cgroup2fs ] && mkdir "$V2/sigrec-runid-$$" 2>/dev/null; then
	CG=$V2/sigrec-runid-$$
else
	diag "no cgroup2 hierarchy here: the cgroup step is left out"
	STEPS=(h i n u)
fi
trap 'kill -KILL "$T" 2>/dev/null; wait "$T" 2>/dev/null
	[ -n "$CG" ] && rmdir "$CG" 2>/dev/null; [ -n "$MOUNTED" ] && umount $V2; cleanup' EXIT

start_rec "$TMPD/r.ring" -s 8M -S USR1 || { not_ok "sigrec starts"; tap_done; exit 1; }
burst() { local i; for ((i = 0; i < K; i++)); do kill -USR1 "$T"; done; }
burst
for s in "${STEPS[@]}"; do
	if [ "$s" = c ]; then
		echo "$T" >"$CG/cgroup.procs"
	else
		echo "$s" >&"${TGT[1]}"
		read -r word got <&"${TGT[0]}"
		[ "$word $got" = "ok $s" ] || diag "target did not do '$s': $word $got"
	fi
	burst
done
sleep 0.3
stop_rec

RUNS=$((${#STEPS[@]} + 1))
"$BIN/sigdump" --json --pid "$T" --signal USR1 "$TMPD/r.ring" |
	jq -c 'select(.type=="signal") | {t: .time, n: (.count // 1), d: .disposition,
		c: .target.comm, g: .target.cgroup, u: .target.uid}' >"$TMPD/r.json"
diag "records: $(wc -l <"$TMPD/r.json"), distinct identities:"
jq -s -c 'group_by([.d, .c, .g, .u]) | map({id: (.[0] | [.d, .c, .g, .u]), signals: (map(.n) | add)})[]' \
	"$TMPD/r.json" | sed 's/^/#   /'

TOTAL=$(jq -s 'map(.n) | add // 0' "$TMPD/r.json")
check "${NAMES[0]}" test "$TOTAL" -eq $((RUNS * K))

# what each run should say, in order
want=() d=default c=sigsend g=$(jq -rs '.[0].g' "$TMPD/r.json") u=0
want+=("$d|$c|$g|$u")
for s in "${STEPS[@]}"; do
	case $s in
	h) d=handler ;; i) d=ignored ;; n) c=runtarget2 ;; c) g=${CG#$V2} ;; u) u=65534 ;;
	esac
	want+=("$d|$c|$g|$u")
done
ok_ids=1 ok_order=1 prev_end=
for ((r = 0; r < RUNS; r++)); do
	IFS='|' read -r d c g u <<<"${want[$r]}"
	sel=$(jq -c --arg d "$d" --arg c "$c" --arg g "$g" --argjson u "$u" \
		'select(.d == $d and .c == $c and .g == $g and .u == $u)' "$TMPD/r.json")
	n=$(jq -s 'map(.n) | add // 0' <<<"$sel")
	first=$(jq -rs 'map(.t) | min // ""' <<<"$sel")
	last=$(jq -rs 'map(.t) | max // ""' <<<"$sel")
	diag "run $r ($d, $c, $g, uid $u): $n signals"
	[ "$n" -eq "$K" ] || ok_ids=0
	# RFC 3339 with nanoseconds, all UTC: text order is time order
	[[ $first < $prev_end ]] && ok_order=0
	prev_end=$last
done
check "${NAMES[1]}" test "$ok_ids" = 1
check "${NAMES[2]}" test "$ok_order" = 1
tap_done
