#!/usr/bin/env bash
# test_install.sh - make install puts binaries, man pages built from --help,
# and the systemd unit under DESTDIR.
source "$(dirname "$0")/../lib.sh"
ROOTD="$TMPD/root"
check "make install succeeds" quiet make -C "$ROOT" --no-print-directory BUILD="$BUILD" install \
	DESTDIR="$ROOTD" PREFIX=/usr
check "sigrec and sigdump installed" test -x "$ROOTD/usr/sbin/sigrec" -a -x "$ROOTD/usr/bin/sigdump"
check "sigrec(8) documents its options" grep -q 'pstore\\fR' "$ROOTD/usr/share/man/man8/sigrec.8"
check "sigdump(1) documents its options" grep -q 'why\\fR' "$ROOTD/usr/share/man/man1/sigdump.1"
check "systemd unit installed" grep -q '^ExecStart=' "$ROOTD/usr/lib/systemd/system/sigrec.service"
tap_done
