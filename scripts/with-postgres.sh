#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster on loopback: initdb into a temporary
# directory, pg_ctl on a free port, CIIGUARD_TEST_POSTGRES pointing at it, and
# CIIGUARD_TEST_TEMPLATES at a directory beside it for the seeded test installations the
# run's test binaries share; both are stopped and removed when the command ends, whatever
# its outcome.
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ]; then
  echo "with-postgres: no PostgreSQL server found under /usr/lib/postgresql (run scripts/install-test-deps.sh)" >&2
  exit 1
fi
dir=$(mktemp -d /tmp/ciiguard-pg.XXXXXX)
runas=()
if [ "$(id -u)" -eq 0 ]; then
  # initdb refuses to run as root; the cluster belongs to the postgres user (or nobody).
  owner=postgres
  id -u postgres >/dev/null 2>&1 || owner=nobody
  chown "$owner" "$dir"
  runas=(runuser -u "$owner" --)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 55432)
cleanup() {
  "${runas[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
"${runas[@]}" "$bin/initdb" -D "$dir/data" -U ciiguard --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
"${runas[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/pg.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" start >/dev/null \
  || { cat "$dir/pg.log" >&2; exit 1; }
export CIIGUARD_TEST_POSTGRES="postgres://ciiguard@127.0.0.1:$port/postgres?sslmode=disable"
# The test binaries of this run share their seeded installations (apptest.EnvTemplates):
# one seeding per engine for the whole run instead of one per package. The templates'
# PostgreSQL databases live in this cluster, and both go when the run ends.
export CIIGUARD_TEST_TEMPLATES="$dir/templates"
echo "with-postgres: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
"$@"
