#!/bin/sh
# postgres_fixture.sh start|stop STATE: a throwaway PostgreSQL 15 server for
# the tests, on 127.0.0.1 at a free port, with its data and socket in a new
# directory under /tmp (reachable by the server's user). PostgreSQL refuses
# to run as root, so as root the server runs as the `postgres` system user.
# `start` writes STATE: line 1 a libpq URI of the superuser `tokenfab`
# (trust auth, loopback only), line 2 the directory. `stop` stops that
# server and removes the directory and STATE. Exits non-zero, saying why,
# when PostgreSQL 15 is missing or does not start.
set -eu
action=$1
state=$2
bin=/usr/lib/postgresql/15/bin
as_server_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
stop_server() {
  dir=$(sed -n 2p "$state" 2>/dev/null || true)
  case "$dir" in
    /tmp/tokenfab-pg.*)
      as_server_user "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
      rm -rf "$dir" ;;
  esac
  rm -f "$state"
}
case "$action" in
  start)
    if [ ! -x "$bin/initdb" ]; then
      echo "postgres_fixture: $bin/initdb is missing: install postgresql-15 (make deps)" >&2
      exit 1
    fi
    stop_server
    dir=$(mktemp -d /tmp/tokenfab-pg.XXXXXX)
    chmod 755 "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; fi
    as_server_user "$bin/initdb" -D "$dir/data" -U tokenfab -A trust --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null ||
      { cat "$dir/server.log" >&2; exit 1; }
    mkdir -p "$(dirname "$state")"
    printf 'postgres://tokenfab@127.0.0.1:%s/postgres\n%s\n' "$port" "$dir" >"$state"
    ;;
  stop) stop_server ;;
  *)
    echo "usage: postgres_fixture.sh start|stop STATE" >&2
    exit 2
    ;;
esac
