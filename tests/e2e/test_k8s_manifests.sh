#!/usr/bin/env bash
# test_k8s_manifests.sh - deploy/kubernetes: the YAML parses, every field is
# one Kubernetes knows, the pod is not privileged, its capabilities are the
# systemd unit's and spelled the Kubernetes way, resources and the
# liveness probe are set, the volumes are the node's, the image is the
# package on debian:bookworm-slim (k8s_check.py, no cluster needed).
source "$(dirname "$0")/../lib.sh"
if ! python3 -c 'import yaml' 2>/dev/null; then
	"$ROOT/packaging/need.sh" python3 python3-yaml >&2 ||
		echo "# could not install python3-yaml" >&2
fi
if ! python3 -c 'import yaml' 2>/dev/null; then
	skip "deploy/kubernetes manifests" "python3-yaml missing (not root?)"
	tap_done
	exit 0
fi
exec python3 "$ROOT/tests/e2e/k8s_check.py" "$ROOT/deploy/kubernetes" \
	"$ROOT/packaging/sigrec.service" "$BIN/sigrec"
