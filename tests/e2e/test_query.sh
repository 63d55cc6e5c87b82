#!/usr/bin/env bash
# test_query.sh - sigdump's query and output options against a recording
# of real signals: time windows, every filter, logfmt and JSON parsed back
# by real parsers, --follow on a live ring, --stats, colour and the pager.
source "$(dirname "$0")/../lib.sh"
HOOKS=$(syscall_hooks)	# these checks need failed attempts and syscall arguments
NAMES=("--since/--until split the recording at a marker" "--last keeps recent events"
	"--sender-pid" "--sender-comm" "--comm" "--signal list" "--cause fault" "--result ignored"
	"--failed" "--cgroup prefix" "--boot current keeps all, unknown boot refused"
	"logfmt parsed by python, keys and values match JSON" "JSON parsed by python"
	"--follow prints an event recorded after it started" "--stats counts by signal and top targets"
	"colour on a terminal, none with NO_COLOR" "pager on a terminal, never for pipes")
skip_all_unless_bpf "${NAMES[@]}"
D="$BIN/sigdump"
RING="$TMPD/q.ring"
start_rec "$RING" -s 8M --hooks "$HOOKS" || { not_ok "sigrec starts"; tap_done; exit 1; }
A=$("$BIN/sigsend" kill)
sleep 1.1
MARK=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
sleep 0.3
B=$("$BIN/sigsend" tgkill); E=$("$BIN/sigsend" esrch); S=$("$BIN/sigsend" segv)
I=$("$BIN/sigsend" ignored)

# --follow on the live ring: start it, then send one more signal
"$D" --follow --json "$RING" >"$TMPD/follow.json" 2>/dev/null &
FOL=$!
sleep 1
F=$("$BIN/sigsend" kill)
sleep 1.5
kill -INT $FOL; wait $FOL 2>/dev/null
stop_rec
"$D" --json "$RING" >"$TMPD/all.json"

t() { jq .target <<<"$1"; }
# sigsend reaps its targets with SIGKILL: match on the scenario's own signal
T() { echo "(.target.pid==$(jq .target <<<"$1") and .sig==$(jq .sig <<<"$1"))"; }
n() { jq -c "select(.type==\"signal\" and ($1))" "$2" | wc -l; }
q() { local f=$TMPD/q.$RANDOM; "$D" --json "$@" "$RING" >"$f" 2>/dev/null; echo "$f"; }

f=$(q --since "$MARK")
g=$(q --until "$MARK")
check "--since/--until split the recording at a marker" bash -c "
	[ $(n "$(T "$A")" "$f") -eq 0 ] && [ $(n "$(T "$B")" "$f") -eq 1 ] &&
	[ $(n "$(T "$A")" "$g") -eq 1 ] && [ $(n "$(T "$B")" "$g") -eq 0 ]"
f=$(q --last 1h)
check "--last keeps recent events" test "$(n "$(T "$B")" "$f")" -eq 1
f=$(q --sender-pid "$(jq .sender <<<"$B")")
check "--sender-pid" bash -c "[ $(n "true" "$f") -ge 1 ] && [ $(n ".sender.pid!=$(jq .sender <<<"$B")" "$f") -eq 0 ]"
f=$(q --sender-comm sigsend)
check "--sender-comm" bash -c "[ $(n "true" "$f") -ge 5 ] && [ $(n ".sender.comm!=\"sigsend\"" "$f") -eq 0 ]"
f=$(q --comm sigsend --signal USR1,SIGUSR2)
check "--comm" test "$(n ".target.comm!=\"sigsend\"" "$f")" -eq 0
check "--signal list" bash -c "[ $(n ".sig!=10 and .sig!=12" "$f") -eq 0 ] && [ $(n ".sig==12" "$f") -ge 1 ]"
f=$(q --cause fault)
check "--cause fault" bash -c "[ $(n ".target.pid==$(t "$S") and .sig==11" "$f") -eq 1 ] && [ $(n ".cause!=\"fault\"" "$f") -eq 0 ]"
f=$(q --result ignored)
check "--result ignored" bash -c "[ $(n ".target.pid==$(t "$I")" "$f") -eq 1 ] && [ $(n ".result!=\"ignored\"" "$f") -eq 0 ]"
f=$(q --failed)
check "--failed" bash -c "[ $(n ".target.pid==$(t "$E") and .syscall.ret==-3" "$f") -eq 1 ] && [ $(n ".result!=\"failed\" and .result!=\"overflow\"" "$f") -eq 0 ]"
CG=$(jq -r "select(.type==\"signal\" and .target.pid==$(t "$A")) | .target.cgroup // empty" "$TMPD/all.json" | head -n 1)
if [ -n "$CG" ]; then
	f=$(q --cgroup "$CG")
	check "--cgroup prefix" bash -c "[ $(n "$(T "$A")" "$f") -eq 1 ] && [ $(n "(.target.cgroup // \"\") | startswith(\"$CG\") | not" "$f") -eq 0 ]"
else
	skip "--cgroup prefix" "no cgroup path recorded for the target"
fi
f=$(q --boot current)
check "--boot current keeps all, unknown boot refused" bash -c "[ $(n true "$f") -eq $(n true "$TMPD/all.json") ] &&
	! '$D' --boot 0000ffff '$RING' >/dev/null 2>&1"

"$D" --logfmt "$RING" >"$TMPD/all.logfmt"
cat >"$TMPD/lf.py" <<'PY'
import json, re, shlex, sys
def parse(line):
    out = {}
    for tok in shlex.split(line, posix=True):
        k, _, v = tok.partition("=")
        # logfmt writes control bytes as \xNN (docs/OUTPUT.md)
        out[k] = re.sub(r"\\x([0-9a-f]{2})", lambda m: chr(int(m.group(1), 16)), v)
    return out
lf = [parse(l) for l in open(sys.argv[1]) if l.strip()]
js = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
assert len(lf) == len(js) and len(js) > 5, (len(lf), len(js))
for a, b in zip(lf, js):
    assert a["type"] == b["type"] and a["time"] == b["time"]
    if b["type"] != "signal":
        continue
    assert int(a["signal"]) == b["sig"] and a["signal_name"] == b["signal"]
    if b["sender_is_task"]:
        assert int(a["source.pid"]) == b["sender"]["pid"]
    else:	# the kernel: no pid names a sender in either format
        assert a["source.kernel"] == "true" and "source.pid" not in a and "pid" not in b["sender"]
    assert int(a["target.pid"]) == b["target"]["pid"]
    assert a["target.comm"] == b["target"]["comm"] and a["result"] == b["result"]
    assert a["target.cmdline"] == b["target"].get("cmdline", a["target.cmdline"])
    if "syscall" in b:
        assert int(a["syscall.ret"]) == b["syscall"]["ret"]
print("ok")
PY
check "logfmt parsed by python, keys and values match JSON" quiet python3 "$TMPD/lf.py" "$TMPD/all.logfmt" "$TMPD/all.json"
check "JSON parsed by python" quiet python3 -c "import json,sys; [json.loads(l) for l in open('$TMPD/all.json')]"
check "--follow prints an event recorded after it started" test "$(n ".target.pid==$(t "$F") and .sig==10" "$TMPD/follow.json")" -eq 1
"$D" --stats "$RING" >"$TMPD/stats.json"
check "--stats counts by signal and top targets" bash -c "jq -e '.by_signal.SIGUSR1 >= 2 and (.top_targets|length) >= 1 and .ring.slots > 0' '$TMPD/stats.json' >/dev/null"
script -qc "'$D' --no-pager '$RING'" /dev/null >"$TMPD/tty.txt" </dev/null
NO_COLOR=1 script -qc "'$D' --no-pager '$RING'" /dev/null >"$TMPD/nocolor.txt" </dev/null
check "colour on a terminal, none with NO_COLOR" bash -c "grep -q \$'\\033\\[' '$TMPD/tty.txt' && ! grep -q \$'\\033\\[' '$TMPD/nocolor.txt'"
# as root $PAGER is ignored for less (LESSSECURE=1; test_pager.sh): a stand-in less marks the lines
mkdir -p "$TMPD/bin" && printf '#!/bin/sh\nexec sed s/^/PAGED:/\n' >"$TMPD/bin/less" && chmod 755 "$TMPD/bin/less"
PATH="$TMPD/bin:$PATH" PAGER="sed s/^/PAGED:/" script -qc "'$D' '$RING'" /dev/null >"$TMPD/paged.txt" </dev/null
PATH="$TMPD/bin:$PATH" PAGER="sed s/^/PAGED:/" "$D" "$RING" >"$TMPD/piped.txt"
check "pager on a terminal, never for pipes" bash -c "grep -q '^PAGED:' '$TMPD/paged.txt' && ! grep -q PAGED '$TMPD/piped.txt'"
tap_done
