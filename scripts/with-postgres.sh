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
#
# With WITH_PGBOUNCER=1 it also starts Debian's PgBouncer in transaction-pooling
# mode in front of the cluster, points DATABASE_URL and TEST_DATABASE_URL at it,
# and exports the server's own URLs as DATABASE_DIRECT_URL and
# TEST_DATABASE_DIRECT_URL (for LISTEN and migrations, which need a session).
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
  if [ -n "${bouncer_pid:-}" ]; then
    kill "$bouncer_pid" 2>/dev/null
    wait "$bouncer_pid" 2>/dev/null
  fi
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

if [ "${WITH_PGBOUNCER:-}" = "1" ]; then
  bouncer="$(command -v pgbouncer || echo /usr/sbin/pgbouncer)"
  if [ ! -x "$bouncer" ]; then
    log "pgbouncer not found (apt-get install pgbouncer)"
    exit 1
  fi
  bport="$(free_port)"
  cat >"$tmp/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$port user=postgres

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bport
unix_socket_dir =
auth_type = any
pool_mode = transaction
max_client_conn = 2000
default_pool_size = 20
ignore_startup_parameters = extra_float_digits,options
logfile = $tmp/pgbouncer.log
INI
  if is_root; then chown postgres: "$tmp/pgbouncer.ini"; fi
  as_pg "$bouncer" "$tmp/pgbouncer.ini" >/dev/null 2>&1 &
  bouncer_pid=$!
  for _ in $(seq 1 50); do
    if node -e 'require("net").connect(+process.argv[1],"127.0.0.1").on("connect",()=>process.exit(0)).on("error",()=>process.exit(1))' "$bport"; then
      break
    fi
    sleep 0.1
  done
  export DATABASE_DIRECT_URL="$DATABASE_URL"
  export TEST_DATABASE_DIRECT_URL="$TEST_DATABASE_URL"
  export DATABASE_URL="postgres://postgres@127.0.0.1:$bport/app"
  export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$bport/test"
  log "PgBouncer $("$bouncer" --version | awk 'NR==1{print $2}') (transaction pooling) on 127.0.0.1:$bport"
fi

rc=0
"$@" || rc=$?
exit "$rc"
