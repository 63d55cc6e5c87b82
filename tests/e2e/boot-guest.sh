#!/bin/sh
# boot-guest.sh RING PINHASH - (PINHASH: a fallback; the pin directory is read from
# the recorder's "capture pinned in" line) runs as a unit inside the clean root booted by
# systemd-nspawn (test_package.sh): drives the packaged sigrec.service,
# writes what it saw to /root/boot/ as key=value lines and sigdump output,
# then powers the container off.  Not a test of its own.
RING=$1
PIN=/sys/fs/bpf/sigrec/$2
OUT=/root/boot
mkdir -p "$OUT"
exec >"$OUT/result" 2>"$OUT/log"
echo booted=1

journal() { journalctl -u sigrec.service -o cat --no-pager; }
field() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$2/status"; }
# wait until the recorder says it records (and is not the one before)
wait_recording() {
	i=0
	while [ $i -lt 150 ]; do
		p=$(systemctl show -p MainPID --value sigrec.service)
		[ "$p" != 0 ] && [ "$p" != "$1" ] &&
			[ "$(journal | grep -c 'recording to')" -ge "$2" ] && { echo "$p"; return 0; }
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
victim() {
	cp /bin/sleep "/tmp/$1" && "/tmp/$1" 30 &
	v=$!
	sleep 0.3
	kill -USR1 "$v"
	wait "$v"
}

pid=$(wait_recording 0 1) || pid=0
# the pin directory, as the recorder names it (its ring's path and inode)
p=$(journal | sed -n 's/.*capture pinned in \([^;)]*\).*/\1/p' | tail -n 1)
[ -n "$p" ] && PIN=$p
echo active=$(systemctl is-active sigrec.service)
if [ "$pid" != 0 ]; then
	echo capeff=$(field CapEff "$pid") capbnd=$(field CapBnd "$pid")
	echo nnp=$(field NoNewPrivs "$pid") seccomp=$(field Seccomp "$pid")
	echo pin_running=$([ -d "$PIN" ] && echo 1 || echo 0)
	victim bootvictim
	# a crash: capture goes on in the kernel, the restart takes it over
	kill -KILL "$pid"
	victim crashvictim
	pid2=$(wait_recording "$pid" 2) || pid2=0
	echo restarted=$([ "$pid2" != 0 ] && echo 1 || echo 0) took_over=$(journal | grep -c 'took over')
	sleep 0.5
	systemctl stop sigrec.service
	echo stopped=$(systemctl show -p ExecMainStatus --value sigrec.service)
	echo pin_after=$([ -d "$PIN" ] && echo 1 || echo 0)
	sigdump --json --comm bootvictim "$RING" >"$OUT/boot.json"
	sigdump --json --comm crashvictim "$RING" >"$OUT/crash.json"
fi
journal >"$OUT/journal"
systemctl poweroff
