#!/usr/bin/env bash
# Start a private clamd for tests, with the tiny EICAR-only signature database kept in
# tests/clamav/ (freshclam cannot download here). Idempotent: reuses a running one.
# Prints the socket path on the last line.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUN_DIR="${IA_CLAMD_DIR:-/tmp/ia-clamd}"
SOCKET="$RUN_DIR/clamd.sock"
CONF="$RUN_DIR/clamd.conf"
PORT="${IA_CLAMD_PORT:-3311}"

if ! command -v clamd >/dev/null 2>&1; then
  echo "installing clamav-daemon..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q clamav-daemon clamdscan >/dev/null 2>&1 || {
    apt-get update -q >/dev/null && apt-get install -y -q clamav-daemon clamdscan >/dev/null
  }
fi

mkdir -p "$RUN_DIR/db"
cp "$ROOT/tests/clamav/eicar.hdb" "$ROOT/tests/clamav/eicar.ndb" "$RUN_DIR/db/"
cat >"$CONF" <<CONF
DatabaseDirectory $RUN_DIR/db
LocalSocket $SOCKET
LocalSocketMode 666
TCPSocket $PORT
TCPAddr 127.0.0.1
PidFile $RUN_DIR/clamd.pid
LogFile $RUN_DIR/clamd.log
Foreground no
StreamMaxLength 25M
MaxFileSize 25M
MaxScanSize 100M
User root
CONF

if clamdscan --config-file="$CONF" --ping 1:1 >/dev/null 2>&1; then
  echo "$SOCKET"
  exit 0
fi
rm -f "$SOCKET"
clamd --config-file="$CONF"
clamdscan --config-file="$CONF" --ping 30:1 >/dev/null
echo "$SOCKET"
