#!/usr/bin/env bash
# Install and start a local ClickHouse server for the integration tests.
#
# Uses Debian 12's own package (clickhouse-server 18.16) and starts it without
# systemd, in the background, as the `clickhouse` user. Its HTTP interface
# listens on 127.0.0.1:8123 (user `default`, empty password).
#
# Idempotent: if the server already answers /ping it only prints the URL.
# Progress messages go to stderr; stdout gets exactly one line,
#   CLICKHOUSE_TEST_URL=http://127.0.0.1:8123
# so a caller can do:  export "$(bash .ci/clickhouse-server.sh)"
#
# Usage: bash .ci/clickhouse-server.sh [start|stop]    (default: start)
# Env:   CLICKHOUSE_START_TIMEOUT  seconds to wait for /ping (default 60)
set -euo pipefail

URL="http://127.0.0.1:8123"
TIMEOUT="${CLICKHOUSE_START_TIMEOUT:-60}"
DAEMON=/usr/sbin/clickhouse-server
CONFIG=/etc/clickhouse-server/config.xml
CONFIG_D=/etc/clickhouse-server/config.d
DATA_DIR=/var/lib/clickhouse
LOG_DIR=/var/log/clickhouse-server
STDOUT_LOG="$LOG_DIR/stdout.log"
PIDFILE=/run/clickhouse-server-ci.pid
APT_LOG=/tmp/clickhouse-apt.log
CH_USER=clickhouse

log() { echo "clickhouse-server.sh: $*" >&2; }
die() {
  echo "clickhouse-server.sh: ERROR: $*" >&2
  exit 1
}

# Only the first line of a response: 18.16 answers "Ok.\n".
ping_ok() { [ "$(curl -s --max-time 2 "$URL/ping" 2>/dev/null | head -n1)" = "Ok." ]; }

server_running() { start-stop-daemon --status --exec "$DAEMON" >/dev/null 2>&1; }

show_logs() {
  local f
  for f in "$STDOUT_LOG" "$LOG_DIR/clickhouse-server.err.log"; do
    if [ -s "$f" ]; then
      echo "----- last lines of $f -----" >&2
      tail -n 30 "$f" >&2 || true
    fi
  done
}

finish() {
  local version
  version="$(curl -s --max-time 5 "$URL/?query=SELECT%20version()" | head -n1)" ||
    die "server answers /ping but SELECT version() failed"
  log "ClickHouse $version is up at $URL (user 'default', empty password)"
  echo "CLICKHOUSE_TEST_URL=$URL"
  exit 0
}

as_root() {
  [ "$(id -u)" -eq 0 ] || die "must run as root to $1 (or start ClickHouse yourself on $URL)"
}

apt_install() {
  # Installs the given packages; runs `apt-get update` once if a package has no
  # candidate or the install fails (stale package lists).
  local updated=0 pkg
  export DEBIAN_FRONTEND=noninteractive
  for pkg in "$@"; do
    if ! apt-cache policy "$pkg" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
      log "running apt-get update ($pkg not found in the package lists)"
      apt-get update -q >>"$APT_LOG" 2>&1 </dev/null || { tail -n 20 "$APT_LOG" >&2; die "apt-get update failed"; }
      updated=1
      break
    fi
  done
  local install=(apt-get install -y -q -o DPkg::Lock::Timeout=120
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@")
  if ! "${install[@]}" >>"$APT_LOG" 2>&1 </dev/null; then
    if [ "$updated" -eq 0 ]; then
      log "apt-get install failed; retrying after apt-get update"
      apt-get update -q >>"$APT_LOG" 2>&1 </dev/null || true
      "${install[@]}" >>"$APT_LOG" 2>&1 </dev/null || { tail -n 30 "$APT_LOG" >&2; die "apt-get install $* failed (log: $APT_LOG)"; }
    else
      tail -n 30 "$APT_LOG" >&2
      die "apt-get install $* failed (log: $APT_LOG)"
    fi
  fi
}

stop_server() {
  as_root "stop the server"
  if server_running; then
    log "stopping clickhouse-server"
    start-stop-daemon --stop --quiet --retry=TERM/30/KILL/5 --exec "$DAEMON" ||
      die "could not stop clickhouse-server"
  else
    log "clickhouse-server is not running"
  fi
  rm -f "$PIDFILE"
}

case "${1:-start}" in
  start) ;;
  stop)
    stop_server
    exit 0
    ;;
  *) die "usage: $0 [start|stop]" ;;
esac

# --- 0. curl is needed for the health checks ---------------------------------
if ! command -v curl >/dev/null 2>&1; then
  as_root "install curl"
  log "installing curl"
  apt_install curl
fi

# --- 1. already up? -----------------------------------------------------------
if ping_ok; then
  log "already running"
  finish
fi

as_root "install/start ClickHouse"
start_ts=$SECONDS

# --- 2. install ---------------------------------------------------------------
if [ ! -x "$DAEMON" ]; then
  log "installing Debian's clickhouse-server package (log: $APT_LOG)"
  apt_install clickhouse-server
  [ -x "$DAEMON" ] || die "clickhouse-server installed but $DAEMON is missing"
  log "installed $(dpkg-query -W -f='${Version}' clickhouse-server) in $((SECONDS - start_ts))s"
fi

# --- 3. prepare user, dirs, config override -----------------------------------
id -u "$CH_USER" >/dev/null 2>&1 ||
  adduser --disabled-password --quiet --system --home "$DATA_DIR" --gecos "ClickHouse daemon" --group "$CH_USER" ||
  die "could not create the $CH_USER user"
for d in "$DATA_DIR" "$LOG_DIR"; do
  mkdir -p "$d"
  if [ "$(stat -c %U "$d")" != "$CH_USER" ]; then
    chown -R "$CH_USER:$CH_USER" "$d"
  fi
done
# Tolerate hosts without IPv6: the packaged config listens on both ::1 and
# 127.0.0.1 and by default refuses to start if one of them can't be bound.
mkdir -p "$CONFIG_D"
override="$CONFIG_D/callboard-ci.xml"
if [ ! -f "$override" ]; then
  cat >"$override" <<'XML'
<?xml version="1.0"?>
<!-- Written by callboard's .ci/clickhouse-server.sh -->
<yandex>
    <listen_try>1</listen_try>
</yandex>
XML
fi

# --- 4. start (no systemd: start-stop-daemon, detached, as clickhouse) --------
if server_running; then
  log "clickhouse-server process exists but does not answer yet; waiting"
else
  # Something else on the port would make the wait below time out: fail now.
  rc=0
  curl -s -o /dev/null --max-time 2 "$URL/" 2>/dev/null || rc=$?
  if [ "$rc" -ne 7 ]; then
    die "another program already listens on ${URL#http://} (curl exit $rc) and it is not ClickHouse; stop it first"
  fi
  log "starting clickhouse-server"
  : >"$STDOUT_LOG"
  chown "$CH_USER:$CH_USER" "$STDOUT_LOG"
  start-stop-daemon --start --quiet --background \
    --chuid "$CH_USER:$CH_USER" --chdir "$DATA_DIR" \
    --make-pidfile --pidfile "$PIDFILE" --output "$STDOUT_LOG" \
    --exec "$DAEMON" -- --config-file="$CONFIG" </dev/null ||
    {
      show_logs
      die "start-stop-daemon could not start $DAEMON"
    }
fi

# --- 5. wait for /ping ----------------------------------------------------------
deadline=$((SECONDS + TIMEOUT))
while ! ping_ok; do
  if ! server_running; then
    show_logs
    die "clickhouse-server exited during startup (logs above, full logs in $LOG_DIR)"
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    show_logs
    die "clickhouse-server did not answer $URL/ping within ${TIMEOUT}s"
  fi
  sleep 0.5
done
log "answered /ping $((SECONDS - start_ts))s after this script began installing/starting"
finish
