#!/usr/bin/env python3
"""golden_check.py KIND EXPECTED ACTUAL - compare sigdump output with a golden file.

KIND json: one JSON object per line; every expected line's object must be
  in the actual line with the same values (objects compared key by key,
  recursively; lists element by element, same length).  New keys are
  allowed: docs/OUTPUT.md says fields are only added.
KIND logfmt: one record per line; every expected key=value pair must be in
  the actual line (new keys allowed, for the same reason).
KIND text: the lines must be equal.
Prints the first difference and exits 1 when they do not match.
"""
import json
import shlex
import sys


def sub(exp, act, path):
    if isinstance(exp, dict):
        if not isinstance(act, dict):
            return f"{path}: expected an object, got {act!r}"
        for k, v in exp.items():
            if k not in act:
                return f"{path}.{k}: missing"
            d = sub(v, act[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(exp, list):
        if not isinstance(act, list) or len(act) != len(exp):
            return f"{path}: expected a list of {len(exp)}, got {act!r}"
        for i, (e, a) in enumerate(zip(exp, act)):
            d = sub(e, a, f"{path}[{i}]")
            if d:
                return d
        return None
    return None if exp == act else f"{path}: expected {exp!r}, got {act!r}"


def logfmt(line):
    pairs = {}
    for tok in shlex.split(line, posix=True):
        k, _, v = tok.partition("=")
        pairs[k] = v
    return pairs


def main():
    kind, exp_path, act_path = sys.argv[1:4]
    exp = open(exp_path, encoding="utf-8").read().splitlines()
    act = open(act_path, encoding="utf-8").read().splitlines()
    if len(exp) != len(act):
        print(f"{len(exp)} lines expected, {len(act)} printed")
        return 1
    for n, (e, a) in enumerate(zip(exp, act), 1):
        if kind == "json":
            d = sub(json.loads(e), json.loads(a), "")
        elif kind == "logfmt":
            d = sub(logfmt(e), logfmt(a), "")
        else:
            d = None if e == a else f"expected {e!r}, got {a!r}"
        if d:
            print(f"line {n}: {d}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
