#!/usr/bin/env bash
# test_follow_shippers.sh - what log shippers (Loki's promtail, Vector,
# Fluent Bit) read: `sigdump --follow --json` and `--follow --logfmt` on a
# live ring, across a recorder SIGKILL and restart.  Every line must parse
# as one JSON object (python's json) / one logfmt record (a strict parser
# below) with the documented keys, and every signal sent must be printed
# exactly once: no line lost or repeated by --follow.
source "$(dirname "$0")/../lib.sh"
NAMES="json-lines-parse logfmt-lines-parse json-exactly-once logfmt-exactly-once documented-keys"
skip_all_unless_bpf $NAMES
RING="$TMPD/f.ring"
start_rec "$RING" -s 8M -S USR1 --no-coalesce || { not_ok "sigrec starts"; tap_done; exit 1; }
"$BIN/sigdump" --follow --json "$RING" >"$TMPD/f.json" 2>"$TMPD/fj.err" & FJ=$!
"$BIN/sigdump" --follow --logfmt "$RING" >"$TMPD/f.logfmt" 2>"$TMPD/fl.err" & FL=$!
sleep 1
(trap '' USR1; exec sleep 300) & T=$!
send() { for _ in $(seq 1 "$1"); do kill -USR1 "$T"; done; }
send 300
sleep 0.5
kill -KILL "$REC_PID"; wait "$REC_PID" 2>/dev/null; REC_PID=
send 200	# while no recorder runs: the pinned capture keeps them
start_rec "$RING" -s 8M -S USR1 --no-coalesce || not_ok "sigrec restarts"
send 300
sleep 2.5	# --follow polls
stop_rec
sleep 1.5
kill "$FJ" "$FL"; wait "$FJ" "$FL" 2>/dev/null
kill -KILL "$T"; wait "$T" 2>/dev/null

python3 - "$TMPD/f.json" "$TMPD/f.logfmt" "$T" >"$TMPD/check.out" <<'PY'
import json, re, sys
jpath, lpath, target = sys.argv[1], sys.argv[2], int(sys.argv[3])
bad_j = bad_l = 0
sig_j = []
for line in open(jpath, encoding="utf-8"):
    try:
        o = json.loads(line)
        assert isinstance(o, dict) and "type" in o
    except Exception as e:
        bad_j += 1
        continue
    if o["type"] == "signal" and o.get("target", {}).get("pid") == target:
        sig_j.append((o["time"], o.get("count", 1)))
# logfmt: key=value pairs, values bare (no space, quote or =) or "quoted" with \" and \\
pair = re.compile(r'([A-Za-z0-9_.]+)=("(?:[^"\\]|\\.)*"|[^\s"=]*)(?:\s+|$)')
sig_l = []
for line in open(lpath, encoding="utf-8"):
    line = line.rstrip("\n")
    pos, kv = 0, {}
    while pos < len(line):
        m = pair.match(line, pos)
        if not m:
            break
        kv[m.group(1)] = m.group(2)
        pos = m.end()
    if pos != len(line) or "time" not in kv or "type" not in kv:
        bad_l += 1
        continue
    if kv["type"] == "signal" and kv.get("target.pid") == str(target):
        sig_l.append((kv["time"], int(kv.get("count", "1"))))
print("bad_json", bad_j)
print("bad_logfmt", bad_l)
print("json_signals", sum(c for _, c in sig_j), "json_dups", len(sig_j) - len(set(sig_j)))
print("logfmt_signals", sum(c for _, c in sig_l), "logfmt_dups", len(sig_l) - len(set(sig_l)))
PY
sed 's/^/# /' "$TMPD/check.out"
v() { awk -v k="$1" '{for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}' "$TMPD/check.out"; }
check "every --follow --json line is one JSON object" test "$(v bad_json)" -eq 0 -a -s "$TMPD/f.json"
check "every --follow --logfmt line is one logfmt record" test "$(v bad_logfmt)" -eq 0 -a -s "$TMPD/f.logfmt"
check "--follow --json: the 800 signals once each across the restart" \
	test "$(v json_signals)" -eq 800 -a "$(v json_dups)" -eq 0
check "--follow --logfmt: the 800 signals once each across the restart" \
	test "$(v logfmt_signals)" -eq 800 -a "$(v logfmt_dups)" -eq 0
K=$(grep -m1 '"type":"signal"' "$TMPD/f.json" | jq -r 'keys_unsorted | join(" ")')
diag "keys: $K"
ok_keys=1
for k in time type sig signal code cause result context sender_is_task sender target; do
	[[ " $K " == *" $k "* ]] || { diag "missing key $k"; ok_keys=0; }
done
check "signal lines carry the documented keys" test "$ok_keys" -eq 1
tap_done
