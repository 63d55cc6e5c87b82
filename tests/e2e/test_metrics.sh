#!/usr/bin/env bash
# test_metrics.sh - --metrics-file against the real components: promtool
# checks the format, the real prometheus-node-exporter serves the textfile
# directory on a loopback port, and a real Prometheus scrapes it and
# answers sigrec_signals_total{signal="SIGTERM"} through its HTTP API with
# the number of SIGTERMs this test sent (a storm of them, coalesced in the
# kernel, counted exactly).  Debian packages are installed on demand.
source "$(dirname "$0")/../lib.sh"
NAMES="promtool written-at-exit fatal-by-unit node-exporter-serves prometheus-answers"
skip_all_unless_bpf $NAMES
if ! "$ROOT/packaging/need.sh" prometheus prometheus-node-exporter curl >"$TMPD/apt.log" 2>&1; then
	sed 's/^/#   /' "$TMPD/apt.log"
	for n in $NAMES; do skip "$n" "cannot install prometheus, prometheus-node-exporter"; done
	tap_done; exit 0
fi
TF="$TMPD/textfile" TF2="$TMPD/textfile2"; mkdir -m 0755 "$TF" "$TF2"; chmod 0755 "$TMPD"
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null; cleanup' EXIT

# session 1: a SIGTERM storm to one target that ignores SIGTERM (coalesced)
(trap '' TERM; exec sleep 300) & T=$!
start_rec "$TMPD/m.ring" -s 4M --pid "$T" --metrics-file "$TF/sigrec.prom" --metrics-interval 1s ||
	{ not_ok "sigrec starts"; tap_done; exit 1; }
N=2000
for _ in $(seq 1 $N); do kill -TERM "$T"; done
sleep 1.5
stop_rec
kill -KILL "$T"; wait "$T" 2>/dev/null

# session 2: a victim in a cgroup named like a unit (cgroup2, or the
# name=systemd hierarchy of a v1 host) dies of SIGKILL
CGROOT=/sys/fs/cgroup
[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] || CGROOT=/sys/fs/cgroup/systemd
CG=$CGROOT/sigrec-metrics-$$.service
mkdir "$CG" 2>/dev/null || CG=
bg_sleep 300; V=$!
[ -n "$CG" ] && echo "$V" >"$CG/cgroup.procs"
start_rec "$TMPD/m2.ring" -s 4M --metrics-file "$TF2/sigrec.prom" --metrics-interval 1s
kill -KILL "$V"; wait "$V" 2>/dev/null
# a lone event reaches the file within a poll timeout (up to 1 s on an idle
# machine) plus the metrics interval: wait up to 10 s for it
for _ in $(seq 1 100); do
	grep -q '^sigrec_fatal_signals_total{signal="SIGKILL"' "$TF2/sigrec.prom" 2>/dev/null && break
	sleep 0.1
done
cp "$TF2/sigrec.prom" "$TMPD/live.prom"
stop_rec
[ -n "$CG" ] && rmdir "$CG" 2>/dev/null

promtool check metrics <"$TMPD/live.prom" >"$TMPD/promtool.out" 2>&1
RC=$?
sed 's/^/#   /' "$TMPD/promtool.out"
check "promtool check metrics accepts the file" test "$RC" -eq 0
check "the file written at exit says sigrec_up 0" grep -qx 'sigrec_up 0' "$TF2/sigrec.prom"
if [ -n "$CG" ]; then
	UNIT=$(basename "$CG")
	grep '^sigrec_fatal' "$TMPD/live.prom" | sed 's/^/#   /'
	check "the SIGKILL is counted under the victim's unit ($UNIT)" \
		grep -q "^sigrec_fatal_signals_total{signal=\"SIGKILL\",unit=\"$UNIT\"} 1$" "$TMPD/live.prom"
else
	skip "the SIGKILL is counted under the victim's unit" "cannot create a cgroup here"
fi

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
NE_PORT=$(port)
prometheus-node-exporter --web.listen-address=127.0.0.1:$NE_PORT --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$TF" >"$TMPD/ne.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$NE_PORT/metrics" >"$TMPD/ne.out" && break; sleep 0.3; done
check "node_exporter serves sigrec's metrics" grep -q '^sigrec_signals_total{' "$TMPD/ne.out" ||
	sed 's/^/#   /' "$TMPD/ne.log"

P_PORT=$(port)
cat >"$TMPD/prom.yml" <<EOC
global: { scrape_interval: 1s }
scrape_configs:
  - job_name: node
    static_configs: [ { targets: ["127.0.0.1:$NE_PORT"] } ]
EOC
prometheus --config.file="$TMPD/prom.yml" --storage.tsdb.path="$TMPD/tsdb" \
	--web.listen-address=127.0.0.1:$P_PORT >"$TMPD/prom.log" 2>&1 &
PIDS+=($!)
GOT=
for _ in $(seq 1 120); do
	GOT=$(curl -sf "http://127.0.0.1:$P_PORT/api/v1/query" \
		--data-urlencode 'query=sum(sigrec_signals_total{signal="SIGTERM"})' |
		jq -r '.data.result[0].value[1] // empty' 2>/dev/null)
	[ -n "$GOT" ] && break
	sleep 0.5
done
diag "Prometheus: sum(sigrec_signals_total{signal=\"SIGTERM\"}) = ${GOT:-nothing}; sent $N"
check "Prometheus answers with the number of SIGTERMs sent" test "${GOT:-0}" = "$N"
tap_done
