#!/usr/bin/env bash
# `npm test`: prepares the services and a separate test database, type-checks, then runs every
# test (unit, integration on real Postgres/Redis/SMTP, browser on Debian Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL="${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/eldersthuis_test}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
bash tools/setup.sh
npx tsc --noEmit -p .
npm run --silent web:build -- --logLevel warn
npx vitest run "$@"
