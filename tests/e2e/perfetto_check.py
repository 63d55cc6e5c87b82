#!/usr/bin/env python3
# perfetto_check.py - check a `sigdump --perfetto` trace (Chrome JSON trace
# format, as ui.perfetto.dev and chrome://tracing read it).  Prints one
# "ok"/"FAIL" line per check; exits 1 if any failed.
#
#   perfetto_check.py TRACE [checks...]
#     --flow SIG SENDER TARGET   a slice SIG on a track of SENDER (a pid, or
#                                "kernel") with a flow to one on TARGET's
#     --self SIG PID             a slice SIG that PID sent itself (no flow)
#     --tracks PID N             exactly N process tracks of real pid PID
#     --mark NAME PID            an instant NAME (fork, exec, exit) on PID's track
#     --count SIG N              a slice SIG whose args say count N
#     --dump                     print the trace's structure, one line an event,
#                                without times (for golden comparisons)
import json
import re
import sys

KNOWN_KEYS = {"traceEvents", "displayTimeUnit", "otherData", "systemTraceEvents", "metadata"}
fails = 0


def check(name, cond):
    global fails
    print(("ok   " if cond else "FAIL ") + name)
    if not cond:
        fails += 1


def main(argv):
    with open(argv[1], encoding="utf-8") as f:
        text = f.read()
    doc = json.loads(text)
    check("a JSON object with traceEvents", isinstance(doc, dict) and
          isinstance(doc.get("traceEvents"), list))
    keys = list(doc)
    # Perfetto stops reading at a key it does not know, and reads
    # displayTimeUnit only at the start
    check("only keys Perfetto knows, traceEvents last", set(keys) <= KNOWN_KEYS and
          keys[-1] == "traceEvents")
    check("displayTimeUnit ms (ts in microseconds)", doc.get("displayTimeUnit") == "ms")
    evs = doc["traceEvents"]

    bad = []
    for e in evs:
        need = ["name", "ph", "ts", "pid", "tid"] + (["dur"] if e.get("ph") == "X" else [])
        if any(k not in e for k in need) or not isinstance(e["name"], str) or \
           not isinstance(e["pid"], int) or not isinstance(e["tid"], int) or \
           not isinstance(e["ts"], (int, float)):
            bad.append(e)
        elif e["ph"] == "X" and not (isinstance(e["dur"], (int, float)) and e["dur"] >= 0):
            bad.append(e)
        elif e["ph"] == "i" and e.get("s") not in ("t", "p", "g"):
            bad.append(e)
        elif e["ph"] not in ("X", "i", "M"):
            bad.append(e)
    check("every event has the fields its ph needs (%d events)" % len(evs), not bad)
    for e in bad[:3]:
        print("#   bad event:", e)

    pname, tname, tid_pid = {}, {}, {}
    for e in evs:
        if e["ph"] == "M" and e["name"] == "process_name":
            pname[e["pid"]] = e["args"]["name"]
        if e["ph"] == "M" and e["name"] == "thread_name":
            tname[e["tid"]] = e["args"]["name"]
    used_p = {e["pid"] for e in evs}
    used_t = {e["tid"] for e in evs}
    check("every pid has a process_name", used_p <= set(pname))
    check("every tid has a thread_name", used_t <= set(tname))
    for e in evs:
        tid_pid.setdefault(e["tid"], set()).add(e["pid"])
    check("every tid belongs to one pid (unique in the trace)",
          all(len(v) == 1 for v in tid_pid.values()))

    slices = [e for e in evs if e["ph"] == "X"]
    outs, ins = {}, {}
    for e in slices:
        if "bind_id" in e:
            (outs if e.get("flow_out") else ins).setdefault(e["bind_id"], []).append(e)
    check("every flow_out has exactly one flow_in (%d flows)" % len(outs),
          all(len(outs[b]) == 1 and len(ins.get(b, [])) == 1 for b in outs) and
          set(ins) <= set(outs))

    # slices on a thread nest: none ends inside another it started in
    nest = True
    by_tid = {}
    for e in slices:
        by_tid.setdefault(e["tid"], []).append(e)
    for lst in by_tid.values():
        stack = []
        for e in sorted(lst, key=lambda x: (x["ts"], -x["dur"])):
            while stack and stack[-1] <= e["ts"] + 1e-9:
                stack.pop()
            end = e["ts"] + e["dur"]
            if stack and end > stack[-1] + 1e-6:
                nest = False
            stack.append(end)
    check("slices on each thread nest, never overlap in part", nest)

    def real_pid(pid):
        m = re.search(r"\[(\d+)\]", pname.get(pid, ""))
        return m.group(1) if m else ("kernel" if pname.get(pid, "").startswith("kernel") else "?")

    i = 2
    while i < len(argv):
        a = argv[i]
        if a == "--flow":
            sig, snd, tgt = argv[i + 1:i + 4]
            i += 4
            found = any(o[0]["name"] == sig and real_pid(o[0]["pid"]) == snd and
                        b in ins and real_pid(ins[b][0]["pid"]) == tgt
                        for b, o in outs.items())
            check("flow %s %s -> %s" % (sig, snd, tgt), found)
        elif a == "--self":
            sig, pid = argv[i + 1:i + 3]
            i += 3
            check("%s that %s sent itself" % (sig, pid),
                  any(e["name"] == sig and real_pid(e["pid"]) == pid and "bind_id" not in e and
                      e["args"].get("role") == "sender and target" for e in slices))
        elif a == "--tracks":
            pid, n = argv[i + 1], int(argv[i + 2])
            i += 3
            got = [v for v in pname.values() if re.match(r".* \[%s\]( |$)" % pid, v)]
            check("%d process tracks of pid %s: %s" % (n, pid, got), len(got) == n)
        elif a == "--mark":
            name, pid = argv[i + 1:i + 3]
            i += 3
            check("%s mark on %s" % (name, pid), any(e["ph"] == "i" and e["name"] == name and
                                                     real_pid(e["pid"]) == pid for e in evs))
        elif a == "--count":
            sig, n = argv[i + 1], int(argv[i + 2])
            i += 3
            check("%s slice with count %d" % (sig, n), any(
                e["name"] == sig and e["args"].get("count") == n for e in slices))
        elif a == "--dump":
            i += 1
            for e in evs:
                where = "%s/%s" % (pname.get(e["pid"], "?"), tname.get(e["tid"], "?"))
                if e["ph"] == "M":
                    print("M %s %s %s" % (e["name"], where, e["args"]))
                    continue
                args = {k: v for k, v in e.get("args", {}).items() if k != "time"}
                flow = ""
                if "bind_id" in e:
                    flow = " flow_out" if e.get("flow_out") else " flow_in"
                print("%s %s %s ts=%s%s%s %s" % (e["ph"], e["name"], where, e["ts"],
                      " dur=%s" % e["dur"] if "dur" in e else "", flow,
                      json.dumps(args, sort_keys=True)))
        else:
            print("perfetto_check.py: unknown check %s" % a, file=sys.stderr)
            return 2
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
