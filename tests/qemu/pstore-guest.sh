# shellcheck shell=sh
# tests/qemu/pstore-guest.sh — guest side of tests/qemu/test_pstore.sh.
#
# Why this exists: proves that `sigrec --pstore` (auto mode, or the mode
# sigrec.mode names: ftrace, the persistent trace instance boot_map) leaves
# a line for a fatal signal in persistent RAM that survives a panic or
# `reboot -f`, and that `sigdump --pstore --json` reads it back after the
# reboot. Sourced by /init on every boot (guest-init.sh: SIGREC_BOOT,
# sigrec_param, ...).
# Cmdline parameters: sigrec.how=panic|reboot sigrec.token=UNIQUE
# [sigrec.burst=N] [sigrec.mode=MODE].
#
# Boot 1: start sigrec --pstore on a ring in /tmp/ring, start `sleep 1000`, kill
#   it with SIGTERM from `sh -c 'kill -TERM PID'` (whose pid and comm are
#   recorded), wait, then crash/reboot with sigrec still running.
#   With sigrec.burst=N (the rate-limit case): after that kill, N more
#   SIGTERMs ~0.25 s apart, a 6 s pause, one final SIGTERM, then the crash.
#   Just before the crash, the ring file (gzip'd) goes to the host, then
#   one more SIGTERM ("late kill", only in pstore as far as the host knows).
# Boot 2: run sigdump --pstore (JSON and text) and send the outputs, the
#   raw sigrec lines of /sys/fs/pstore/* and the pstore files themselves to
#   the host, which checks them (and merges them with the ring).
# Every fact the host needs is a "SIGREC-RESULT: key=value ..." line.

how=$(sigrec_param how)
token=$(sigrec_param token)
burst=$(sigrec_param burst) || burst=0
mode=$(sigrec_param mode) || mode=""
inst=/sys/kernel/tracing/instances/boot_map

# wait_ready LOGFILE PID — until sigrec printed "recording to" (0), died
# (1) or 180 s passed (2). TCG loads BPF programs slowly.
wait_ready() {
  _i=0
  while [ "$_i" -lt 900 ]; do
    grep -q 'recording to' "$1" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.2
    _i=$((_i + 1))
  done
  return 2
}

# show FILE TAG — every line of FILE as "SIGREC-LOG: TAG: line".
show() {
  while IFS= read -r _l; do sigrec_log "$2: $_l"; done <"$1"
}

case $SIGREC_BOOT in
1)
  read -r bootid </proc/sys/kernel/random/boot_id
  pmsg=no
  [ -c /dev/pmsg0 ] && pmsg=yes
  btf=no
  [ -f /sys/kernel/btf/vmlinux ] && btf=yes
  sigrec_result "boot1 token=$token how=$how kernel=$(uname -r) pmsg=$pmsg btf=$btf boot_id=$bootid"
  read -r up _ </proc/uptime
  rm -f /tmp/sigrec.log
  # sigrec refuses a ring in a directory others can write (/tmp is 1777)
  mkdir -p /tmp/ring && chmod 700 /tmp/ring
  sigrec --pstore${mode:+=$mode} -r /tmp/ring/pstore.ring -s 4M 2>/tmp/sigrec.log &
  rec=$!
  wait_ready /tmp/sigrec.log "$rec"
  ready=$?
  read -r up2 _ </proc/uptime
  show /tmp/sigrec.log sigrec
  if [ "$ready" -ne 0 ]; then
    rrc=running
    [ "$ready" -eq 1 ] && { wait "$rec" 2>/dev/null; rrc=$?; }
    sigrec_result "FAIL recorder not ready (state=$ready rc=$rrc after $up..${up2}s of uptime): $(tr '\n' ' ' </tmp/sigrec.log)"
    exit 1
  fi
  dest=$(sed -n 's/.*fatal signals also go to \([^ ]*\).*/\1/p' /tmp/sigrec.log)
  sigrec_result "recorder ready pid=$rec dest=${dest:-none} start_s=$(awk -v a="$up" -v b="$up2" 'BEGIN{printf "%.1f", b - a}') $(grep -o 'syscall hooks: [a-z]*' /tmp/sigrec.log | tr ' ' _)"

  sleep 1000 &
  tpid=$!
  sleep 0.5
  read -r tcomm </proc/$tpid/comm
  # The sender: a shell whose pid and comm it records itself.
  # shellcheck disable=SC2016  # expanded by the inner shell
  sh -c 'echo $$ >/tmp/spid; cat /proc/$$/comm >/tmp/scomm; kill -TERM "$1"' sh "$tpid"
  wait "$tpid"
  tstatus=$?
  read -r spid </tmp/spid
  read -r scomm </tmp/scomm
  sigrec_result "kill sender=$spid sender_comm=$scomm target=$tpid target_comm=$tcomm exit_status=$tstatus"
  # Let the recorder take the record from the BPF ring buffer (it polls
  # every 100 ms) and write its pstore line.
  sleep 2
  if kill -0 "$rec" 2>/dev/null; then alive=yes; else alive=no; fi
  if [ "$burst" -gt 0 ]; then
    # Is the kernel's /dev/kmsg rate limit on? (10 lines per 5 s per open
    # unless printk.devkmsg=on; /proc/sys/kernel/printk_devkmsg does not
    # say so when it was set on the command line.)
    _i=0
    while [ "$_i" -lt 12 ]; do
      _i=$((_i + 1))
      echo "<7>sigrec-test-probe $token $_i"
    done >/dev/kmsg
    sigrec_result "kmsg probe: $(dmesg | grep -c "sigrec-test-probe $token") of 12 lines from one writer kept"
    targets=""
    _i=0
    while [ "$_i" -lt "$burst" ]; do
      _i=$((_i + 1))
      sleep 1000 &
      _p=$!
      sleep 0.25
      kill -TERM "$_p"
      wait "$_p"
      targets="$targets,$_p"
    done
    sleep 6
    sleep 1000 &
    final=$!
    sleep 0.25
    kill -TERM "$final"
    wait "$final"
    sigrec_result "burst targets=${targets#,} final=$final"
    sleep 2
    if kill -0 "$rec" 2>/dev/null; then alive=yes; else alive=no; fi
  fi
  sigrec_result "before $how: recorder_alive=$alive"
  if [ "$dest" = /dev/kmsg ]; then
    dmesg | grep -a 'sigrec: ' >/tmp/kmsg.txt
    show /tmp/kmsg.txt "kmsg before $how"
  fi
  show /tmp/sigrec.log sigrec
  # The ring as it is now (sigrec still running), for the host's merge
  # check: it does not survive the crash (tmpfs).
  gzip -c /tmp/ring/pstore.ring >/tmp/ring.gz && sigrec_export_file /tmp/ring.gz ring.gz
  # One more SIGTERM the host's copy of the ring does not have: merged, it
  # can only come from pstore.
  sleep 1000 &
  late=$!
  sleep 0.25
  kill -TERM "$late"
  wait "$late"
  sigrec_result "late kill target=$late"
  sleep 2
  if [ "$how" = reboot ]; then sigrec_reboot; else sigrec_panic; fi
  sigrec_result "FAIL still running after $how"
  exit 1
  ;;
2)
  read -r bootid </proc/sys/kernel/random/boot_id
  sigrec_result "boot2 kernel=$(uname -r) boot_id=$bootid"
  ls -l /sys/fs/pstore >/tmp/ls.txt 2>&1
  show /tmp/ls.txt pstore
  : >/tmp/raw.txt
  for f in /sys/fs/pstore/*; do
    [ -f "$f" ] || continue
    grep -a 'sigrec: ' "$f" | tr -d '\r' | sed "s|^|$(basename "$f"): |" >>/tmp/raw.txt
  done
  show /tmp/raw.txt raw
  if [ "$mode" = ftrace ]; then
    # what the kernel said of the buffer it found in reserved memory
    dmesg | grep -e 'Ring buffer.*meta' -e 'mapped boot instance' >/tmp/rb.txt
    show /tmp/rb.txt kernel
    if grep -q 'is from previous boot' /tmp/rb.txt; then kept=yes; else kept=no; fi
    sigrec_result "ftrace kept=$kept verdict=$(grep -m1 'Ring buffer.*meta' /tmp/rb.txt | sed 's/^\[[^]]*\] //' | tr ' ' _)"
    grep -a 'sigrec: ' "$inst/trace" | sed 's|^|boot_map/trace: |' >/tmp/rawft.txt
    show /tmp/rawft.txt raw
    cp "$inst/trace" /tmp/ftrace.txt
    sigrec_export_file /tmp/ftrace.txt ftrace-trace
  fi
  sigdump --pstore --json >/tmp/pstore.json 2>/tmp/pstore.err
  rc=$?
  sigdump --pstore >/tmp/pstore.txt 2>>/tmp/pstore.err
  rc2=$?
  sigrec_result "sigdump json_rc=$rc text_rc=$rc2 lines=$(wc -l </tmp/pstore.json)"
  show /tmp/pstore.txt sigdump
  show /tmp/pstore.err sigdump-stderr
  sigrec_export_file /tmp/pstore.json pstore.json
  sigrec_export_file /tmp/pstore.txt pstore.txt
  sigrec_export_file /tmp/raw.txt raw.txt
  names=""
  for f in /sys/fs/pstore/*; do
    [ -f "$f" ] || continue
    names="$names $(basename "$f")"
    sigrec_export_file "$f" "ps-$(basename "$f")"
  done
  sigrec_result "pstore files:$names"
  sigrec_result "boot2 done token=$token"
  ;;
*)
  sigrec_result "FAIL unexpected boot $SIGREC_BOOT"
  exit 1
  ;;
esac
