#!/usr/bin/env bash
# test_powerloss.sh - power loss simulated on copies of a real ring: pages
# the kernel had not written back revert to zeros or to old bytes, a seal
# is cut short, the file is cut short.  For every damaged copy sigdump
# must exit 0, name the damage on stderr, print no event that differs from
# the undamaged file's, and still print every event of the chunks that
# were not damaged.
#
# "Differs" allows one thing: an event whose target's exit record was in
# the lost part prints without "target.exit" (sigdump adds the exit from a
# later record; it cannot know it once that record is gone).  Everything
# else, records and enrichment alike, must be byte-identical.  Events are
# compared as sets of JSON lines; presence by a key (time, signal, sender
# and target pid/tid) against the same file with the damaged slots wiped
# clean, because losing a chunk may legitimately strip enrichment.
source "$(dirname "$0")/../lib.sh"

# case letter, what is done to the copy (docs/FORMAT.md has the layout)
CASES=(a b b2 c d e)
declare -A WHAT=(
	[a]="active slot: pages with the last 8 KiB of records reverted to zeros"
	[b]="sealed chunk torn half-way: second half of its payload zeros"
	[b2]="sealed chunk torn half-way: second half of its payload old bytes"
	[c]="sealed chunk header written, payload not (zeros)"
	[d]="sealed chunk magic zeroed (seal cut short)"
	[e]="file truncated in the middle of a sealed slot"
)
NAMES=("ring recorded with several sealed chunks and an active one")
for c in "${CASES[@]}"; do
	NAMES+=("($c) sigdump exits 0" "($c) damage reported on stderr"
		"($c) no event differs from the original" "($c) undamaged chunks all present")
done
skip_all_unless_bpf "${NAMES[@]}"

RING="$TMPD/pl.ring"
HDR=4096 CHDR=128 SEALED=1262703187	# file header, chunk header, "SRCK"

# ---- byte access (little-endian, byte by byte like the format says) ----

# le FILE OFFSET BYTES: unsigned little-endian integer
le() {
	local -a b
	local v=0 i
	read -ra b < <(od -An -v -tu1 -j "$2" -N "$3" "$1" | tr '\n' ' ')
	for ((i = ${#b[@]} - 1; i >= 0; i--)); do v=$(((v << 8) | b[i])); done
	echo "$v"
}
# zero FILE OFFSET LEN: overwrite with zeros in place
zero() {
	head -c "$3" /dev/zero |
		dd of="$1" bs=64K seek="$2" oflag=seek_bytes conv=notrunc status=none
}
# copy_bytes SRC SOFF DST DOFF LEN: overwrite DST bytes with SRC bytes
copy_bytes() {
	dd if="$1" bs=64K skip="$2" count="$5" iflag=skip_bytes,count_bytes status=none |
		dd of="$3" bs=64K seek="$4" oflag=seek_bytes conv=notrunc status=none
}
slot_off() { echo $((HDR + (1 + $1) * CHUNK)); }

# ---- sigdump output as sets ----

# stats FILE FIELD: one figure of sigdump --stats
stats() { "$BIN/sigdump" --stats "$1" 2>/dev/null | jq -r ".$2"; }
# events FILE OUT: sorted JSON lines into OUT, stderr into OUT.err; returns sigdump's status
events() {
	local rc
	"$BIN/sigdump" --json "$1" 2>"$2.err" | LC_ALL=C sort >"$2"
	rc=${PIPESTATUS[0]}
	return "$rc"
}
# keys < JSON: sorted, one identity per event (time, sig, sender and target
# pid/tid), robust to enrichment; awk index() because a regex over 2 KiB
# lines of ancestry is slow
keys() {
	LC_ALL=C awk '
	function task(k,   i, s) {
		i = index($0, k)
		s = substr($0, i + length(k), 48)
		sub(/,"comm".*/, "", s)
		return s
	}
	index($0, "{\"type\":\"signal\",") != 1 { print; next }
	{ print substr($0, 1, index($0, ",\"signal\":")) task("\"sender\":{") " " task("\"target\":{") }
	' | LC_ALL=C sort -u
}

# ---- record a real ring ----

record() {
	local scen s
	# --no-pin: the SIGKILL below must not leave a pinned capture running
	start_rec "$RING" -s 4M --no-pin --no-coalesce || return 1
	scen=$("$BIN/sigsend" --list)
	for _ in 1 2 3 4; do
		for s in $scen; do "$BIN/sigsend" "$s" >/dev/null 2>&1; done
	done
	"$BIN/storm" kill 200000 >/dev/null
	for _ in 1 2; do
		for s in $scen; do "$BIN/sigsend" "$s" >/dev/null 2>&1; done
	done
	# cut the power once the active chunk holds 16 KiB, so case (a) keeps a
	# prefix: freeze the recorder, look, and top up with more signals if a
	# seal just emptied it.  SIGKILL then leaves the file as the page cache
	# holds it; the undamaged copy is that file, whatever it caught.
	for _ in $(seq 1 300); do
		kill -STOP "$REC_PID"
		[ "$(le "$RING" $((HDR + 60)) 4)" -ge 16384 ] && break
		kill -CONT "$REC_PID"
		"$BIN/sigsend" kill >/dev/null 2>&1
		sleep 0.1
	done
	kill -KILL "$REC_PID"
	wait "$REC_PID" 2>/dev/null
	REC_PID=
}

# Sealed chunks as "seq slot stored_len nrec" lines, oldest first.
list_sealed() {
	local s off
	for ((s = 0; s < NSLOTS; s++)); do
		off=$(slot_off "$s")
		[ "$(le "$RING" "$off" 4)" -eq "$SEALED" ] || continue
		echo "$(le "$RING" $((off + 8)) 8) $s $(le "$RING" $((off + 68)) 4) $(le "$RING" $((off + 56)) 4)"
	done | sort -n
}

if ! record; then
	not_ok "${NAMES[0]}: sigrec did not record"
	tap_done
	exit 1
fi
CHUNK=$(le "$RING" 16 4)
NSLOTS=$(le "$RING" 20 4)
mapfile -t SEALED_CHUNKS < <(list_sealed)
M=${#SEALED_CHUNKS[@]}
ACTIVE_RAW=$(le "$RING" $((HDR + 60)) 4)
ACTIVE_NREC=$(le "$RING" $((HDR + 56)) 4)
diag "ring: $CHUNK-byte chunks, $NSLOTS slots, $M sealed chunks, active chunk $ACTIVE_NREC records in $ACTIVE_RAW bytes"
if [ "$M" -ge 6 ] && [ "$ACTIVE_RAW" -ge 16384 ]; then
	ok "${NAMES[0]}"
else
	not_ok "${NAMES[0]} (want >= 6 sealed chunks and >= 16 KiB active)"
	tap_done
	exit 1
fi

events "$RING" "$TMPD/orig" || diag "sigdump of the undamaged ring failed: $(head -c 300 "$TMPD/orig.err")"
[ -s "$TMPD/orig.err" ] && diag "undamaged ring warns: $(head -c 300 "$TMPD/orig.err")"
ORIG_RECORDS=$(stats "$RING" records)
ORIG_EVENTS=$(wc -l <"$TMPD/orig")
# the original with the exit of each target removed: what an event looks
# like when the target's exit record is lost (built when first needed)
strip_exit() {
	[ -s "$TMPD/orig.noexit" ] && return
	sed 's/,"exit":{[^{}]*}//' "$TMPD/orig" | LC_ALL=C sort >"$TMPD/orig.noexit"
}

# chunk INDEX: fields of the INDEXth oldest sealed chunk into SEQ SLOT STORED NREC
chunk() { read -r SEQ SLOT STORED NREC <<<"${SEALED_CHUNKS[$1]}"; OFF=$(slot_off "$SLOT"); }

# damage CASE COPY REF: apply the case to COPY and wipe the same chunks
# cleanly in REF; set WARN (the stderr pattern) and LOST_MIN..LOST_MAX (the
# records the damage costs: a whole chunk exactly, or part of the active one)
damage() {
	local c=$1 f=$2 ref=$3 end start s sl n src
	case $c in
	a)	# the header page with raw_len was written back, the last pages not
		end=$((HDR + CHDR + ACTIVE_RAW))
		start=$(((end - 8192) / 4096 * 4096))
		[ "$start" -lt $((HDR + CHDR)) ] && start=$((HDR + CHDR))
		zero "$f" "$start" $((end - start))
		zero "$ref" "$HDR" "$CHUNK"
		WARN="active chunk [0-9]+: bad record"
		LOST_MIN=1 LOST_MAX=$((ACTIVE_NREC - 1)) ;;
	b)	chunk $((M / 4))
		zero "$f" $((OFF + CHDR + STORED / 2)) $((STORED - STORED / 2)) ;;
	b2)	# what the slot held before this seal: another chunk's bytes
		chunk $((M / 4 + 1))
		read -r _ src _ _ <<<"${SEALED_CHUNKS[0]}"
		copy_bytes "$RING" $(($(slot_off "$src") + CHDR + STORED / 2)) "$f" \
			$((OFF + CHDR + STORED / 2)) $((STORED - STORED / 2)) ;;
	c)	chunk $((M / 2))
		zero "$f" $((OFF + CHDR)) $((CHUNK - CHDR)) ;;
	d)	chunk $((3 * M / 4))
		zero "$f" "$OFF" 4 ;;
	e)	chunk $((M / 2 + 1))
		truncate -s $((OFF + CHDR + STORED / 2)) "$f"
		LOST_MAX=0
		for ((s = SLOT; s < NSLOTS; s++)); do
			zero "$ref" "$(slot_off "$s")" "$CHUNK"
		done
		for x in "${SEALED_CHUNKS[@]}"; do
			read -r _ sl _ n <<<"$x"
			[ "$sl" -ge "$SLOT" ] && LOST_MAX=$((LOST_MAX + n))
		done
		WARN="file is truncated" LOST_MIN=$LOST_MAX ;;
	esac
	case $c in
	b|b2|c)	WARN="chunk $SEQ \(slot $SLOT\): payload checksum mismatch" ;;
	d)	WARN="slot $SLOT: chunk was being written" ;;
	esac
	case $c in
	b|b2|c|d) zero "$ref" "$OFF" "$CHUNK"; LOST_MIN=$NREC LOST_MAX=$NREC ;;
	esac
}

# check_case CASE: damage a copy, read it, compare with the original
check_case() {
	local c=$1 f="$TMPD/$1.ring" ref="$TMPD/$1.ref.ring" rc=0 recs lost extra n
	cp "$RING" "$f"
	cp "$RING" "$ref"
	damage "$c" "$f" "$ref"
	events "$f" "$TMPD/dmg" || rc=$?
	check "($c) sigdump exits 0" test "$rc" -eq 0
	if grep -qE "$WARN" "$TMPD/dmg.err"; then
		ok "($c) damage reported on stderr"
	else
		not_ok "($c) damage reported on stderr (want /$WARN/, got: $(head -c 300 "$TMPD/dmg.err"))"
	fi

	# every printed event is the original's (or lacks only a lost exit)
	LC_ALL=C comm -23 "$TMPD/dmg" "$TMPD/orig" >"$TMPD/differ"
	n=$(wc -l <"$TMPD/differ")
	extra=0
	if [ "$n" -gt 0 ]; then
		strip_exit
		LC_ALL=C comm -23 "$TMPD/differ" "$TMPD/orig.noexit" >"$TMPD/wrong"
		extra=$(wc -l <"$TMPD/wrong")
	fi
	if [ "$extra" -eq 0 ]; then
		ok "($c) no event differs from the original"
	else
		not_ok "($c) no event differs from the original: $extra events are not in the original"
		head -n 3 "$TMPD/wrong" | cut -c 1-400 | sed 's/^/# wrong: /'
	fi

	# every event of the undamaged chunks is still there
	"$BIN/sigdump" --json "$ref" 2>"$TMPD/ref.err" | keys >"$TMPD/ref.keys"
	keys <"$TMPD/dmg" >"$TMPD/dmg.keys"
	LC_ALL=C comm -23 "$TMPD/ref.keys" "$TMPD/dmg.keys" >"$TMPD/missing"
	recs=$(stats "$f" records)
	lost=$((ORIG_RECORDS - recs))
	if [ -s "$TMPD/missing" ] || [ "$lost" -gt "$LOST_MAX" ] || [ "$lost" -lt "$LOST_MIN" ]; then
		not_ok "($c) undamaged chunks all present: $(wc -l <"$TMPD/missing") events missing, $lost records lost (want $LOST_MIN..$LOST_MAX)"
		head -n 3 "$TMPD/missing" | sed 's/^/# missing: /'
	else
		ok "($c) undamaged chunks all present"
	fi
	[ -s "$TMPD/ref.err" ] && diag "($c) reference copy warns: $(head -c 200 "$TMPD/ref.err")"
	diag "($c) ${WHAT[$c]}${SEQ:+ (chunk $SEQ, slot $SLOT)}: records $ORIG_RECORDS -> $recs" \
		"(lost $lost), events $ORIG_EVENTS -> $(wc -l <"$TMPD/dmg")," \
		"$((n - extra)) of them printed without a target.exit whose record was lost"
	rm -f "$f" "$ref" "$TMPD/dmg" "$TMPD/differ" "$TMPD/wrong"
}

for c in "${CASES[@]}"; do
	SEQ='' SLOT=''
	check_case "$c"
done
tap_done
