#!/usr/bin/env bash
# The whole test suite, as `make test` runs it.
#
# 1. Everything on the embedded default: SQLite, eager tasks, local files (plus Redis/worker and
#    browser tests when those are available).
# 2. The database-backed platform tests again on PostgreSQL when a server answers.
# Without PostgreSQL, Redis or a browser the run still passes and says what it skipped and why;
# with CI=true a missing service is a failure, never a skip.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
export CREDSTACK_TEST_REDIS_URL=${CREDSTACK_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}
PG_URL=${CREDSTACK_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/credstack}
JOBS=${TEST_JOBS:-2}
status=0
skipped=()

say() { printf '\n== %s ==\n' "$*"; }

pg_up() {
  "$BIN/python" - "$PG_URL" <<'PY' 2>/dev/null
import sys, psycopg, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
psycopg.connect(host=u.hostname, port=u.port or 5432, user=u.username or "postgres",
                dbname="postgres", connect_timeout=3).close()
PY
}

say "credstack test suite on SQLite (eager tasks, local files)"
env -u DATABASE_URL "$BIN/python" -m pytest -n "$JOBS" -q "$@" || status=$?

if pg_up; then
  say "platform tests on PostgreSQL ($PG_URL)"
  DATABASE_URL=$PG_URL "$BIN/python" -m pytest -n "$JOBS" -q tests/platform "$@" || status=$?
else
  skipped+=("PostgreSQL run: no server answered at $PG_URL")
fi

if [ ${#skipped[@]} -gt 0 ]; then
  say "skipped"
  for s in "${skipped[@]}"; do echo "- $s"; done
  if [ "${CI:-}" = "true" ]; then
    echo "CI=true: a service the suite needs is missing; failing." >&2
    status=1
  fi
fi
exit $status
