#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""ftrace_diff.py - compare what the kernel's own tracer saw with a sigrec ring.

    ftrace_diff.py --trace TRACE --ring RING.json [options]

TRACE is the text `trace` file of an ftrace instance with trace_clock boot
and the events signal:signal_generate, sched:sched_process_fork and
syscalls:sys_{enter,exit}_{kill,tkill,tgkill,rt_sigqueueinfo,
rt_tgsigqueueinfo,pidfd_send_signal} enabled.  RING.json is `sigdump --json`
of the ring that recorded beside it.

The window is the time between two trace_marker lines (--begin, --end).
A ring that wrapped dropped its oldest chunks whole: every record written
after the oldest remaining chunk's first one is still there, and a record is
written at most --settle seconds after its time (the recorder's poll, a
restart's takeover, a run's flush), so with --ring-oldest (the smallest time
in the oldest chunk) the window starts --settle seconds after it.  Every signal_generate ftrace saw in the window must be in
the ring with the same signal, si_code, target tid and comm, group flag,
result, context (interrupt or task), sender tid and, when raised inside a
kill-family call, that call's name, raw arguments and return value; repeat
records count by their `count`.  Every kill-family call that returned an
error without raising a signal must be a `failed` record with the same
call, arguments, return value and sender.  Counts must be exact in both
directions; lost records in the ring are accepted only where they account
exactly for what is missing (same CPU or, for `nested`, an interrupt-raised
signal, inside the record's time range).

Wall times in the ring and boot times in the trace differ by the ring's
clock offset, which is measured from the events both saw once (the median
difference), so the comparison matches by identity and counts; times only
place the window's edges and the lost records.

Prints `# ...` diagnostics and one `CHECK ok|fail NAME` line per check;
--summary FILE gets the figures as JSON.  Exit status 0 when every check
passes, 1 otherwise, 2 when the inputs cannot be used.
"""
import argparse
import calendar
import collections
import json
import re
import statistics
import sys

SYSCALLS = {
    # name: (index of the first target argument, of the second or None, of sig)
    "kill": (0, None, 1),
    "tkill": (0, None, 1),
    "tgkill": (0, 1, 2),
    "rt_sigqueueinfo": (0, None, 1),
    "rt_tgsigqueueinfo": (0, 1, 2),
    "pidfd_send_signal": (0, None, 1),
}
RESULTS = {0: "delivered", 1: "ignored", 2: "already_pending", 3: "overflow", 4: "lose_info"}
IRQ_FLAGS = set("hHsZz")

LINE = re.compile(r"^\s*(?P<comm>.*?)-(?P<tid>\d+)\s+\[(?P<cpu>\d+)\]\s+(?P<flags>\S+)\s+"
                  r"(?P<ts>\d+)\.(?P<us>\d+):\s(?P<payload>.*)$")
GEN = re.compile(r"^signal_generate: sig=(-?\d+) errno=(-?\d+) code=(-?\d+) comm=(.*) "
                 r"pid=(-?\d+) grp=(\d+) res=(\d+)\s*$")
FORK = re.compile(r"^sched_process_fork: comm=.* pid=(\d+) child_comm=.* child_pid=(\d+)\s*$")
ENTER = re.compile(r"^sys_(\w+)\((.*)\)\s*$")
EXIT = re.compile(r"^sys_(\w+) -> (\S+)\s*$")
MARK = re.compile(r"^tracing_mark_write: (.*?)\s*$")
ENTRIES = re.compile(r"entries-in-buffer/entries-written: (\d+)/(\d+)")
LOSTLINE = re.compile(r"^CPU:(\d+) \[LOST (\d+) EVENTS\]")


def s32(v):
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v & 0x80000000 else v


def s64(v):
    v &= 0xFFFFFFFFFFFFFFFF
    return v - (1 << 64) if v & (1 << 63) else v


def num(text):
    try:
        return int(text, 0)
    except ValueError:
        return None


def wall_ns(text):
    """RFC 3339 UTC with nanoseconds -> ns since the epoch."""
    m = re.match(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?Z$", text)
    if not m:
        raise ValueError("bad time %r" % text)
    secs = calendar.timegm(tuple(int(x) for x in m.groups()[:6]) + (0, 0, 0))
    frac = (m.group(7) or "0").ljust(9, "0")
    return secs * 1000000000 + int(frac)


class Event:
    """One signal (or failed call) as either side saw it."""
    __slots__ = ("key", "t", "to", "n", "cpu", "raw", "ctx", "left")

    def __init__(self, key, t, to=None, n=1, cpu=None, raw=None, ctx=None):
        self.key, self.t, self.to, self.n = key, t, t if to is None else to, n
        self.cpu, self.raw, self.ctx, self.left = cpu, raw, ctx, n


KEY_FIELDS = ("kind", "sig", "code", "target_tid", "target_comm", "group", "result", "context",
              "sender_tid", "syscall", "arg", "arg2", "ret")


def key_str(k):
    d = dict(zip(KEY_FIELDS, k))
    if d["kind"] == "failed":
        return ("failed %s(%s%s) sig=%s ret=%s sender=%s" %
                (d["syscall"], d["arg"], "" if d["arg2"] is None else ", %s" % d["arg2"],
                 d["sig"], d["ret"], d["sender_tid"]))
    how = ("%s(%s%s) ret=%s" % (d["syscall"], d["arg"],
                                 "" if d["arg2"] is None else ", %s" % d["arg2"], d["ret"])
           if d["syscall"] else "no syscall")
    return ("sig=%s code=%s -> %s[%s] grp=%d %s ctx=%s sender=%s %s" %
            (d["sig"], d["code"], d["target_comm"], d["target_tid"], d["group"], d["result"],
             d["context"], d["sender_tid"], how))


def parse_trace(path, begin, end, overrun=()):
    """-> (events in window, forks, window (b, e) in boot ns, problems, first
    time kept per CPU).  With CPUs whose buffer overran (their oldest events
    were overwritten, perhaps the begin marker too), events count from the
    begin marker or, when it is gone, from the first line on."""
    events, forks, problems = [], [], []
    open_calls = {}
    first = {}
    b = e = None
    skipped = 0
    with open(path, errors="replace") as f:
        for raw in f:
            raw = raw.rstrip("\n")
            if not raw:
                continue
            if raw.startswith("#"):
                m = ENTRIES.search(raw)
                if m and int(m.group(2)) > int(m.group(1)):
                    problems.append("ftrace lost %d events (buffer overrun: %s in the buffer "
                                    "of %s written)" % (int(m.group(2)) - int(m.group(1)),
                                                       m.group(1), m.group(2)))
                continue
            m = LOSTLINE.match(raw.strip())
            if m:
                problems.append("ftrace lost %s events on CPU %s" % (m.group(2), m.group(1)))
                continue
            m = LINE.match(raw)
            if not m:
                skipped += 1
                if skipped <= 5:
                    problems.append("unparsed trace line: %s" % raw[:160])
                continue
            tid, cpu, flags = int(m.group("tid")), int(m.group("cpu")), m.group("flags")
            ts = int(m.group("ts")) * 1000000000 + int(m.group("us").ljust(9, "0")[:9])
            first.setdefault(cpu, ts)
            p = m.group("payload")
            ctx = "interrupt" if len(flags) > 2 and flags[2] in IRQ_FLAGS else "task"
            mk = MARK.match(p) if p.startswith("tracing_mark") else None
            if mk:
                if mk.group(1) == begin and b is None:
                    b = ts
                elif mk.group(1) == end and (b is not None or overrun) and e is None:
                    e = ts
                continue
            inside = (b is not None or overrun) and e is None
            g = GEN.match(p) if p.startswith("signal_generate") else None
            if g:
                sig, _err, code, comm, ptid, grp, res = g.groups()
                call = open_calls.get(tid) if ctx == "task" else None
                ev = Event(None, ts, cpu=cpu, raw=raw, ctx=ctx)
                ev.key = ["signal", int(sig), int(code), int(ptid), comm, int(grp),
                          RESULTS.get(int(res), res), ctx, tid]
                if call:
                    call["signals"].append(ev)
                else:
                    ev.key += [None, None, None, None]
                    ev.key = tuple(ev.key)
                if inside:
                    events.append(ev)
                continue
            fk = FORK.match(p) if p.startswith("sched_process_fork") else None
            if fk:
                if inside:
                    forks.append((int(fk.group(1)), int(fk.group(2))))
                continue
            if not p.startswith("sys_"):
                continue
            en = ENTER.match(p)
            if en and en.group(1) in SYSCALLS:
                args = []
                for part in en.group(2).split(", "):
                    name, _, val = part.partition(": ")
                    args.append(num(val.strip()))
                i0, i1, isig = SYSCALLS[en.group(1)]
                try:
                    sig = s32(args[isig])
                    a0 = s32(args[i0])
                    a1 = s32(args[i1]) if i1 is not None else None
                except (IndexError, TypeError):
                    problems.append("unparsed syscall arguments: %s" % raw[:160])
                    continue
                # sig 0 (an existence probe) raises nothing and is not recorded
                open_calls[tid] = None if sig == 0 else {
                    "name": en.group(1), "sig": sig, "a0": a0, "a1": a1, "signals": [],
                    "inside": inside}
                continue
            ex = EXIT.match(p)
            if ex and ex.group(1) in SYSCALLS:
                call = open_calls.pop(tid, None)
                ret = num(ex.group(2))
                if not call or ret is None:
                    continue
                ret = s64(ret)
                for ev in call["signals"]:
                    ev.key = tuple(ev.key + [call["name"], call["a0"], call["a1"], ret])
                if ret < 0 and not call["signals"] and inside:
                    events.append(Event(("failed", call["sig"], None, None, None, None, "failed",
                                         "task", tid, call["name"], call["a0"], call["a1"],
                                         ret), ts, cpu=cpu, raw=raw, ctx="task"))
    # calls still open when the trace stopped: their signals keep no ret
    for call in open_calls.values():
        for ev in (call or {}).get("signals", []):
            if not isinstance(ev.key, tuple):
                ev.key = tuple(ev.key + [call["name"], call["a0"], call["a1"], "open"])
    if skipped > 5:
        problems.append("%d unparsed trace lines in all" % skipped)
    return events, forks, (b, e), problems, first


def parse_ring(path):
    """-> (signal events with wall times, lost records)."""
    sigs, lost = [], []
    with open(path, errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            j = json.loads(line)
            if j.get("type") == "lost":
                lost.append(j)
                continue
            if j.get("type") != "signal":
                continue
            sc = j.get("syscall") or {}
            t = wall_ns(j["time"])
            to = wall_ns(j["to"]) if j.get("to") else t
            snd, tgt = j.get("sender") or {}, j.get("target") or {}
            if snd.get("tid") is None:
                # a kernel sender (interrupt, OOM): the task that was running
                # is "interrupted", the one ftrace names as current; none
                # named is the idle task
                snd = j.get("interrupted") or (
                    {"tid": 0} if snd.get("kernel") and snd.get("cause") != "oom" else snd)
            ctx = {"interrupt": "interrupt"}.get(j.get("context"), j.get("context"))
            name = sc.get("name")
            arg2 = sc.get("arg2") if name in ("tgkill", "rt_tgsigqueueinfo") else None
            if name in ("tgkill", "rt_tgsigqueueinfo") and arg2 is None:
                arg2 = 0
            if j.get("result") == "failed":
                key = ("failed", j["sig"], None, None, None, None, "failed", "task",
                       snd.get("tid"), name, sc.get("arg"), arg2, sc.get("ret"))
            else:
                key = ("signal", j["sig"], j["si_code"], tgt.get("tid"), tgt.get("comm"),
                       1 if j.get("group") else 0, j.get("result"), ctx, snd.get("tid"),
                       name, sc.get("arg") if name else None, arg2 if name else None,
                       sc.get("ret") if name else None)
            sigs.append(Event(key, t, to, j.get("count") or 1, raw=line[:400], ctx=ctx))
    return sigs, lost


def calibrate(fevents, rsigs, fallback):
    """The ring's wall - boot offset, from events each side saw exactly once."""
    fc = collections.Counter(ev.key for ev in fevents)
    rc = collections.Counter(ev.key for ev in rsigs)
    fby = {ev.key: ev for ev in fevents if fc[ev.key] == 1}
    diffs = [r.t - fby[r.key].t for r in rsigs
             if rc[r.key] == 1 and r.n == 1 and r.key in fby]
    if len(diffs) >= 3:
        return int(statistics.median(diffs)), len(diffs)
    if fallback is None:
        raise SystemExit("ftrace_diff: no common events to measure the clock offset with")
    return fallback, 0


def compare(fevents, rsigs, lo, hi, guard):
    """Count per key inside [lo, hi] (boot ns).  Each key's edges move off its
    own signals: to the end (start) of the run of its ftrace events and ring
    records, each widened by guard, that the edge falls in, so that an edge
    never splits a repeat record nor falls between a signal's ftrace time and
    its ring time (they differ by the clocks' mapping, well under guard).
    -> {key: (ftrace events, ring records)}"""
    fby = collections.defaultdict(list)
    rby = collections.defaultdict(list)
    for ev in fevents:
        fby[ev.key].append(ev)
    for ev in rsigs:
        rby[ev.key].append(ev)
    out = {}
    for k in set(fby) | set(rby):
        recs = rby.get(k, [])
        spans = sorted([(ev.t - guard, ev.t + guard) for ev in fby.get(k, [])] +
                       [(r.t - guard, r.to + guard) for r in recs])
        merged = []
        for s0, s1 in spans:
            if merged and s0 <= merged[-1][1]:
                if s1 > merged[-1][1]:
                    merged[-1][1] = s1
            else:
                merged.append([s0, s1])
        a, b = lo, hi
        for s0, s1 in merged:
            if s0 <= a <= s1:
                a = s1 + 1
            if s0 <= b <= s1:
                b = s0 - 1
        fin = [ev for ev in fby.get(k, []) if a <= ev.t <= b]
        rin = [r for r in recs if a <= r.t and r.to <= b]
        # records just outside the window, matchable by an event inside it
        # whose record was written late (see edge_match); never extra
        edge = [r for r in recs if not (a <= r.t and r.to <= b) and
                r.to >= a - EDGE and r.t <= b + EDGE]
        if fin or rin:
            out[k] = (fin, rin, edge)
    return out


# How far past an edge of the window a signal's record may lie.  The
# recorder's probe runs after ftrace's in the same tracepoint call, and a
# virtual CPU the host preempts between the two can put the record's time
# well past the guard, and past the window's end when the signal was raised
# just before it (the test's last SIGCHLD is a few hundred us before the end
# marker).
EDGE = 10000000


def edge_match(missing, edge):
    """Missing events that a record just outside the window of the same key
    accounts for, within EDGE of it: -> (still missing, matched across)."""
    for r in edge:
        r.left = r.n
    still, across = [], []
    for ev in missing:
        for r in edge:
            if r.left and r.t - EDGE <= ev.t <= r.to + EDGE:
                r.left -= 1
                across.append(ev)
                break
        else:
            still.append(ev)
    return still, across


def assign(fin, rin, tol):
    """Match ftrace events to ring records by time; -> (unmatched ftrace, ring left)."""
    for r in rin:
        r.left = r.n
    rs = sorted(rin, key=lambda r: r.t)
    missing = []
    for ev in sorted(fin, key=lambda e: e.t):
        best = None
        for r in rs:
            if r.left and r.t - tol <= ev.t <= r.to + tol:
                if best is None or abs(r.t - ev.t) < abs(best.t - ev.t):
                    best = r
        if best is None:
            for r in rs:	# any record of the key with room
                if r.left:
                    best = r
                    break
        if best is None:
            missing.append(ev)
        else:
            best.left -= 1
    return missing, [r for r in rs if r.left]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--trace", required=True)
    ap.add_argument("--ring", required=True, help="sigdump --json output")
    ap.add_argument("--begin", default="sigrec-diff begin")
    ap.add_argument("--end", default="sigrec-diff end")
    ap.add_argument("--offset", type=int, help="wall - boot ns, when no event calibrates it")
    ap.add_argument("--ring-oldest", help="a wrapped ring's oldest time (sigdump --stats "
                    "oldest, RFC 3339): compare only from --settle seconds after it")
    ap.add_argument("--settle", type=float, default=5.0,
                    help="longest a signal's record can take to be written (s)")
    ap.add_argument("--roots", default="", help="pids whose descendants count as 'ours'")
    ap.add_argument("--expect", default="", help="comma list of kinds the load must show")
    ap.add_argument("--bpf-seen", help="bpfsee output: TID COUNT of signal_generate events "
                    "the kernel handed to a BPF program, by the running task")
    ap.add_argument("--overrun", default="",
                    help="comma list of CPUs whose ftrace buffer overran (per_cpu/cpuN/stats): "
                    "the window starts 10 ms after the newest of their oldest events")
    ap.add_argument("--summary")
    ap.add_argument("--max-detail", type=int, default=12)
    a = ap.parse_args()

    overrun = [int(c) for c in a.overrun.split(",") if c.strip()]
    fevents, forks, (b, e), problems, first = parse_trace(a.trace, a.begin, a.end, overrun)
    cut = None
    if overrun:
        kept = [first[c] for c in overrun if c in first]
        if kept:
            cut = max(kept) + 10000000
            problems.append("ftrace overran on CPU %s: its oldest events were overwritten; "
                            "compared from %.6f" % (",".join(map(str, overrun)), cut / 1e9))
        if b is None:
            b = cut
    if b is None or e is None:
        print("# ftrace_diff: window markers %r / %r not both in the trace" % (a.begin, a.end))
        return 2
    rsigs, lost = parse_ring(a.ring)
    off, ncal = calibrate(fevents, rsigs, a.offset)
    for r in rsigs:
        r.t -= off
        r.to -= off
    lo, hi = b, e
    if cut is not None:
        lo = max(lo, cut)
    if a.ring_oldest:
        lo = max(lo, wall_ns(a.ring_oldest) - off + int(a.settle * 1e9))
    fevents = [ev for ev in fevents if lo <= ev.t <= hi]
    tol = 200000	# 200 us: ftrace prints microseconds; the probes run apart

    tree = set(int(p) for p in a.roots.split(",") if p.strip())
    for parent, child in forks:
        if parent in tree:
            tree.add(child)

    def ours(k):
        return k[3] in tree or k[8] in tree

    res = compare(fevents, rsigs, lo, hi, tol)
    fail = {}
    n_f = n_r = n_keys = n_ours = n_repeat = 0
    missing_all, extra_all, across_all = [], [], []
    for k, (fin, rin, edge) in res.items():
        n_keys += 1
        n_f += len(fin)
        n_r += sum(r.n for r in rin)
        n_repeat += sum(1 for r in rin if r.n > 1)
        if ours(k):
            n_ours += len(fin)
        if len(fin) != sum(r.n for r in rin):
            miss, left = assign(fin, rin, tol)
            miss, across = edge_match(miss, edge)
            missing_all += miss
            across_all += across
            extra_all += [(r, r.left) for r in left]

    print("# window %.6f .. %.6f boot s (%.1f s), clock offset %d ns from %d events" %
          (lo / 1e9, hi / 1e9, max(0, hi - lo) / 1e9, off, ncal))
    if hi <= lo:
        print("# the window is empty: the ring or the ftrace buffer kept nothing of it "
              "(other loads on the machine filled them)")
    print("# ftrace saw %d signals and failed calls in %d distinct identities; the ring "
          "%d (%d repeat records); %d of them to or from the test's processes" %
          (n_f, n_keys, n_r, n_repeat, n_ours))
    for p in problems:
        print("# ftrace: " + p)

    # lost records inside the window
    wl = []
    for l in lost:
        t = wall_ns(l["time"]) - off
        fr = wall_ns(l["from"]) - off if l.get("from") else t
        to = wall_ns(l["to"]) - off if l.get("to") else t
        if to >= lo - tol and fr <= hi + tol:
            wl.append({"rec": l, "from": fr, "to": to, "left": l.get("count")})
    # a lost record accounts for missing signals on its CPU (nested: raised
    # from an interrupt) inside its time range, exactly its count
    unaccounted = []
    for ev in sorted(missing_all, key=lambda x: x.t):
        for w in wl:
            l = w["rec"]
            if l.get("gap") or not w["left"]:
                continue
            if not (w["from"] - tol <= ev.t <= w["to"] + tol):
                continue
            if l.get("reason") == "nested" and ev.ctx != "interrupt":
                continue
            if l.get("reason") is None and l.get("cpu") is not None and l["cpu"] != ev.cpu:
                continue
            w["left"] -= 1
            break
        else:
            unaccounted.append(ev)
    lost_left = sum(w["left"] or 0 for w in wl)
    # tasks the kernel ran no BPF program for: ftrace saw them raise signals
    # (as the running task), the independent BPF witness never did
    hidden, partial = {}, {}
    if a.bpf_seen:
        seen = {}
        with open(a.bpf_seen) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2:
                    seen[int(parts[0])] = int(parts[1])
        by_cur = collections.Counter()
        comm_of = {}
        for ev in fevents:
            if ev.key[0] == "signal":
                by_cur[ev.key[8]] += 1
                m = LINE.match(ev.raw)
                comm_of[ev.key[8]] = m.group("comm").strip() if m else "?"
        for tid, n in by_cur.items():
            if not seen.get(tid):
                hidden[tid] = (n, comm_of[tid])
            elif seen[tid] < n:
                partial[tid] = (n, seen[tid], comm_of[tid])
    invisible = [ev for ev in unaccounted if ev.key[8] in hidden]
    unaccounted = [ev for ev in unaccounted if ev.key[8] not in hidden]
    if hidden:
        print("# tasks the kernel ran no BPF program for (ftrace saw them current at "
              "signal_generate, the BPF witness never): %s" %
              ", ".join("%s[%d] x%d" % (c, t, n) for t, (n, c) in sorted(hidden.items())))
    if partial:
        print("# tasks the BPF witness saw less often than ftrace: %s" %
              ", ".join("%s[%d] %d of %d" % (c, t, s_, n) for t, (n, s_, c) in
                        sorted(partial.items())))
    gaps = [w for w in wl if w["rec"].get("gap")]
    for w in wl:
        print("# ring lost record in the window: %s" % json.dumps(w["rec"]))

    def detail(title, items, fmt):
        if not items:
            return
        print("# %s: %d" % (title, len(items)))
        for it in items[:a.max_detail]:
            print("#   " + fmt(it))
        if len(items) > a.max_detail:
            print("#   ... and %d more" % (len(items) - a.max_detail))

    detail("signals ftrace saw that the ring lacks, no lost record accounting for them",
           unaccounted, lambda ev: "%s\n#     ftrace: %s" % (key_str(ev.key), ev.raw.strip()))
    detail("signals ftrace saw that the ring lacks, raised while the running task was one "
           "the kernel runs no BPF program for (neither recorded nor counted as lost)",
           invisible, lambda ev: "%s\n#     ftrace: %s" % (key_str(ev.key), ev.raw.strip()))
    detail("signals in the window whose record lies just past its edge (written late)",
           across_all, lambda ev: "%s\n#     ftrace: %s" % (key_str(ev.key), ev.raw.strip()))
    detail("ring records (count left over) that ftrace did not see",
           extra_all, lambda x: "x%d of %s\n#     ring: %s" % (x[1], key_str(x[0].key), x[0].raw))
    # identities that differ in one field only: likely the same signal
    near = []
    mk = collections.Counter(ev.key for ev in unaccounted)
    ek = collections.Counter()
    for r, n in extra_all:
        ek[r.key] += n
    for k1 in mk:
        for k2 in ek:
            d = [KEY_FIELDS[i] for i in range(len(k1)) if k1[i] != k2[i]]
            if len(d) == 1:
                near.append("%s: ftrace %r, ring %r (x%d / x%d) in %s" %
                            (d[0], k1[KEY_FIELDS.index(d[0])], k2[KEY_FIELDS.index(d[0])],
                             mk[k1], ek[k2], key_str(k1)))
    detail("identities that differ in one field only", near, str)

    missing_n = len(missing_all)
    extra_n = sum(n for _, n in extra_all)
    failed_f = sum(len(fin) for k, (fin, _, _) in res.items() if k[0] == "failed")
    failed_bad = sum(1 for ev in unaccounted + invisible if ev.key[0] == "failed") + \
        sum(n for r, n in extra_all if r.key[0] == "failed")
    checks = []
    n_inv = sum(1 for ev in invisible if ev.key[0] != "failed")
    checks.append(("every signal the kernel handed to BPF programs is in the ring, exact counts "
                   "(%d signals; %d missing, %d of them accounted by lost records)" %
                   (n_f - failed_f - n_inv, missing_n - len(invisible),
                    missing_n - len(invisible) - len(unaccounted)),
                   not [ev for ev in unaccounted if ev.key[0] != "failed"]))
    # A signal no BPF program ran for (neither sigrec's nor the witness's) is
    # beyond what a BPF recorder can see or count: said loudly and counted as
    # skipped, never as passed; any other missing signal fails check 1.
    checks.append(("the ring lacks no signal ftrace saw (%d raised while the running task was "
                   "one the kernel runs no BPF program for: %s)" %
                   (n_inv, ", ".join("%s[%d]" % (c, t) for t, (n, c) in sorted(hidden.items()))
                    or "none"), True if n_inv == 0 else "skip"))
    checks.append(("nothing in the ring twice or that ftrace did not see (%d extra)" % extra_n,
                   extra_n == 0))
    checks.append(("every failed kill-family call is a failed record with its return value "
                   "(%d calls)" % failed_f, failed_bad == 0))
    checks.append(("no lost records, or each accounted exactly (%d in the window, %d of their "
                   "count unaccounted, %d gaps)" % (len(wl), lost_left, len(gaps)),
                   lost_left == 0 and not gaps))
    overran = [p for p in problems if p.startswith("ftrace overran")]
    checks.append(("the ftrace reference is complete over the compared window (%s)" %
                   ("; ".join(overran) if overran else "no ftrace overruns"),
                   not [p for p in problems if p.startswith("ftrace lost") and not overrun]))

    # the load showed what it was meant to
    seen = collections.Counter()
    for k, (fin, rin, _) in res.items():
        n = len(fin)
        if k[0] == "failed":
            seen["failed:%d" % -k[12]] += n
            continue
        seen[k[6]] += n
        seen["ctx:" + k[7]] += n
        seen["code:%d" % k[2]] += n
        seen["sig:%d" % k[1]] += n
        if k[9]:
            seen["sc:" + k[9]] += n
    seen["repeat"] = n_repeat
    want = [w for w in a.expect.split(",") if w]
    absent = [w for w in want if not seen.get(w)]
    if want:
        # an overrun ftrace keeps only the end of the load: kinds raised
        # before the compared window cannot be seen, which is not a failure
        checks.append(("the load raised every kind it is meant to (%s)" %
                       " ".join("%s=%d" % (w, seen.get(w, 0)) for w in want),
                       True if not absent else "overrun" if overrun else False))
    for name, good in checks:
        print("CHECK %s %s" % (good if good in ("skip", "overrun") else "ok" if good else "fail",
                               name))
    if a.summary:
        with open(a.summary, "w") as f:
            json.dump({"signals": n_f - failed_f, "failed_calls": failed_f, "ring": n_r,
                       "identities": n_keys, "ours": n_ours, "repeat_records": n_repeat,
                       "missing": missing_n, "unaccounted": len(unaccounted), "extra": extra_n,
                       "invisible_to_bpf": len(invisible),
                       "hidden_tasks": {str(t): c for t, (n, c) in hidden.items()},
                       "lost_records": len(wl), "window_s": max(0, hi - lo) / 1e9,
                       "offset_ns": off, "kinds": seen}, f)
    return 0 if all(g for _, g in checks) else 1	# "skip" is truthy: not a failure


if __name__ == "__main__":
    sys.exit(main())
