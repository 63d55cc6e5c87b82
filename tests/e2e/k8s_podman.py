#!/usr/bin/env python3
"""k8s_podman.py - the DaemonSet's sigrec container as `podman run` arguments.

Usage: k8s_podman.py MANIFEST NODE_ROOT [--container NAME] [--ring PATH]
                     [--drop OPTION]...

Prints one argument per line: the container's capabilities, user, read-only
root, no_new_privs, hostPID, memory and CPU limits, volumes and command, so
that a test can run the image as the kubelet would.  hostPath volumes under
/var are taken from NODE_ROOT (a scratch directory standing for the node);
those under /sys are the machine's own.  --drop OPTION leaves a sigrec
option (and its value) out of the arguments, --ring replaces the ring's
path.  --container picks another container of the pod (an init container)
instead of sigrec.  The liveness command, if any, is printed last, after a
line "--liveness".
"""
import sys

import yaml


def quantity(q):
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "m": 1e-3}
    for u, m in units.items():
        if str(q).endswith(u):
            return float(str(q)[:-len(u)]) * m
    return float(q)


def main():
    manifest, node = sys.argv[1], sys.argv[2].rstrip("/")
    opt_of = lambda o: [sys.argv[i + 1] for i, a in enumerate(sys.argv) if a == o]
    drop, name, ring = opt_of("--drop"), (opt_of("--container") or ["sigrec"])[0], opt_of("--ring")
    with open(manifest) as fh:
        ds = next(d for d in yaml.safe_load_all(fh) if d and d.get("kind") == "DaemonSet")
    pod = ds["spec"]["template"]["spec"]
    c = next(c for c in pod.get("initContainers", []) + pod["containers"] if c["name"] == name)
    sc = c.get("securityContext", {})
    out = ["--network", "none"]
    if pod.get("hostPID"):
        out += ["--pid", "host"]
    if "runAsUser" in sc:
        out += ["--user", str(sc["runAsUser"])]
    if sc.get("readOnlyRootFilesystem"):
        out += ["--read-only"]
    if sc.get("allowPrivilegeEscalation") is False:
        out += ["--security-opt", "no-new-privileges"]
    caps = sc.get("capabilities", {})
    for cap in caps.get("drop", []):
        out += ["--cap-drop", cap.lower()]
    for cap in caps.get("add", []):
        out += ["--cap-add", cap]
    limits = c.get("resources", {}).get("limits", {})
    if "memory" in limits:
        out += ["--memory", str(int(quantity(limits["memory"])))]
    if "cpu" in limits:
        out += ["--cpus", str(quantity(limits["cpu"]))]
    vols = {v["name"]: v for v in pod.get("volumes", [])}
    for m in c.get("volumeMounts", []):
        v = vols[m["name"]]
        if "emptyDir" in v:
            out += ["--tmpfs", m["mountPath"]]
            continue
        path = v["hostPath"]["path"]
        src = path if path.startswith("/sys/") else node + path
        out += ["-v", f"{src}:{m['mountPath']}" + (":ro" if m.get("readOnly") else "")]
    cmd = c.get("command", [])
    args = list(c.get("args", []))
    for opt in drop:
        if opt in args:
            i = args.index(opt)
            del args[i:i + 2]
    if ring and "--ring" in args:
        args[args.index("--ring") + 1] = ring[0]
    out += ["--entrypoint", cmd[0], "IMAGE"] + cmd[1:] + args
    if "livenessProbe" in c:
        out += ["--liveness"] + c["livenessProbe"]["exec"]["command"]
    print("\n".join(out))


if __name__ == "__main__":
    main()
