#!/usr/bin/env bash
# Prepares this machine for the demo and the tests: Postgres and Redis running (installed from
# Debian's packages when missing), Debian's Chromium present, the database created, the Prisma
# client generated and migrations applied. Safe to run again. Needs root for apt-get/starting
# services only when something is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/eldersthuis}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
export DATABASE_URL

say() { printf '[setup] %s\n' "$*"; }
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then apt-get update -qq >/dev/null 2>&1 || true; apt_updated=1; fi
  say "installing Debian packages: $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
wait_for() { # wait_for <seconds> <command...>
  local n=$1; shift
  for _ in $(seq 1 "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  return 1
}

# --- PostgreSQL ---------------------------------------------------------------------------
if ! wait_for 1 pg_isready -h 127.0.0.1 -p 5432 -q; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    apt_install postgresql
    # A fresh cluster asks for passwords on TCP; this is a local development machine: trust loopback.
    hba=$(ls /etc/postgresql/*/main/pg_hba.conf | head -1)
    sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
  fi
  say "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  wait_for 30 pg_isready -h 127.0.0.1 -p 5432 -q || { say "PostgreSQL did not start"; exit 1; }
fi

# --- Redis --------------------------------------------------------------------------------
redis_port=$(node -e 'console.log(new URL(process.argv[1]).port || 6379)' "$REDIS_URL")
if ! wait_for 1 redis-cli -p "$redis_port" ping; then
  command -v redis-server >/dev/null || apt_install redis-server
  say "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/eldersthuis.log
  wait_for 15 redis-cli -p "$redis_port" ping || { say "Redis did not start"; exit 1; }
fi

# --- Chromium (Debian's; never a downloaded browser) ----------------------------------------
if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then apt_install chromium; fi

# --- Database, Prisma client, migrations ---------------------------------------------------
db_name=$(node -e 'console.log(new URL(process.argv[1]).pathname.slice(1))' "$DATABASE_URL")
admin_url=$(node -e 'const u=new URL(process.argv[1]); u.pathname="/postgres"; console.log(u.toString())' "$DATABASE_URL")
if ! psql "$admin_url" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db_name'" | grep -q 1; then
  say "creating database $db_name"
  psql "$admin_url" -qc "CREATE DATABASE \"$db_name\""
fi
npx prisma generate >/dev/null
npx prisma migrate deploy 2>&1 | grep -E "applied|No pending|Error" || true
npx prisma migrate status >/dev/null 2>&1 || { say "migrations are not up to date"; npx prisma migrate status; exit 1; }
say "ready: $db_name"
