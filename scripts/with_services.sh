#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL and Redis: `make test` runs the suite on
# them a second time, as production runs.
#
#   scripts/with_services.sh .venv/bin/pytest -m "not browser"
#
# Both come from Debian's packages (postgresql, redis-server; `make services-deps`
# installs them), listen on loopback only, on free ports picked here, keep their data in
# a temporary directory, and are stopped and removed when the command ends, also when it
# fails or is interrupted. The command sees DATABASE_URL and CACHE_URL pointing at them.
# PostgreSQL refuses to run as root: as root, its commands run as the `postgres` user.
set -euo pipefail

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$pg_bin" ] || ! command -v redis-server >/dev/null; then
  echo "PostgreSQL or Redis is missing: make services-deps installs both." >&2
  exit 1
fi

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

work=$(mktemp -d "${TMPDIR:-/tmp}/relaydash-services.XXXXXX")
chmod 755 "$work"
pg_data="$work/pg"
pg_port=$(free_port)
redis_port=$(free_port)
redis_pid=""
pg_started=""

stop_services() {
  status=$?
  if [ -n "$pg_started" ]; then
    as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  if [ -n "$redis_pid" ]; then
    kill "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap stop_services EXIT
trap 'exit 130' INT TERM

mkdir "$pg_data"
if [ "$(id -u)" = 0 ]; then chown postgres: "$pg_data"; fi
as_postgres "$pg_bin/initdb" -D "$pg_data" -U postgres --auth=trust --encoding=UTF8 --no-sync >"$work/initdb.log" 2>&1 \
  || { cat "$work/initdb.log" >&2; exit 1; }
# Durability is not needed for throw-away test data; fsync off keeps the suite fast.
as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_data/server.log" -w -t 60 \
  -o "-k $pg_data -p $pg_port -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null || { cat "$pg_data/server.log" >&2; exit 1; }
pg_started=yes

redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --dir "$work" \
  --logfile "$work/redis.log" &
redis_pid=$!
for _ in $(seq 1 100); do
  if redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1; then break; fi
  sleep 0.1
done
redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null || { cat "$work/redis.log" >&2; exit 1; }

export DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/relaydash"
export CACHE_URL="redis://127.0.0.1:$redis_port/0"
echo "PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port (stopped afterwards)"
"$@"
