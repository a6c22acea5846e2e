#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster.
#
#   scripts/with-postgres.sh npm test
#
# Starts a temporary PostgreSQL (15 preferred) cluster on a free loopback port,
# creates the databases `app` and `test`, exports
#   DATABASE_URL=postgres://postgres@127.0.0.1:<port>/app
#   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:<port>/test
# runs the command, then always stops the cluster and deletes its directory
# (on success, failure or Ctrl-C). Exits with the command's exit code.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 <command> [args...]" >&2
  exit 2
fi

log() { echo "with-postgres: $*" >&2; }

is_root() { [ "$(id -u)" -eq 0 ]; }

find_bindir() {
  local d
  if [ -x /usr/lib/postgresql/15/bin/initdb ]; then
    echo /usr/lib/postgresql/15/bin
    return 0
  fi
  # Otherwise the newest installed version.
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -V -r); do
    if [ -x "$d/initdb" ]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

bindir="$(find_bindir || true)"
if [ -z "$bindir" ]; then
  log "PostgreSQL server binaries not found; installing them with apt-get"
  sudo_cmd=()
  if ! is_root; then sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  bindir="$(find_bindir || true)"
  if [ -z "$bindir" ]; then
    log "still no initdb under /usr/lib/postgresql/*/bin after installing postgresql"
    exit 1
  fi
fi

# A private directory for the data, the Unix socket and the server log.
# /tmp rather than $TMPDIR: the postgres user must be able to reach it.
tmp="$(mktemp -d /tmp/with-postgres.XXXXXX)"
data="$tmp/data"
logfile="$tmp/postgres.log"
started=0

# Run a PostgreSQL server program as the postgres user when we are root
# (the server refuses to run as root), from a directory it can read.
as_pg() {
  if is_root; then
    (cd "$tmp" && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM HUP
  if [ "$started" -eq 1 ]; then
    as_pg "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 \
      || log "pg_ctl stop failed (server may already be gone)"
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

if is_root; then
  chown postgres: "$tmp"
fi
chmod 700 "$tmp"

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}

as_pg "$bindir/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 || {
  cat "$tmp/initdb.log" >&2
  log "initdb failed"
  exit 1
}

# The port is free when chosen but could be taken before the server binds it; retry a few times.
port=""
for attempt in 1 2 3 4 5; do
  port="$(free_port)"
  if as_pg "$bindir/pg_ctl" -D "$data" -l "$logfile" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $tmp -c fsync=off" start >/dev/null 2>&1; then
    started=1
    break
  fi
  log "start on port $port failed (attempt $attempt)"
  port=""
done
if [ "$started" -ne 1 ]; then
  [ -f "$logfile" ] && cat "$logfile" >&2
  log "could not start PostgreSQL"
  exit 1
fi

for db in app test; do
  "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres "$db"
done

export DATABASE_URL="postgres://postgres@127.0.0.1:$port/app"
export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/test"
log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (databases app, test)"

rc=0
"$@" || rc=$?
exit "$rc"
