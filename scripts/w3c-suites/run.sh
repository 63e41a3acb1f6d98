#!/usr/bin/env bash
# Run the five W3C interoperability suites offline against this worktree's credstack, on loopback.
#
#   scripts/w3c-suites/run.sh SRC [SUITE...]
#
# SRC holds the fetched GitHub repositories as SRC/OWNER/NAME (git clone, or a `git archive` of a mirror):
#   w3c/vc-di-eddsa-test-suite  w3c/vc-data-model-2.0-test-suite  w3c/vc-bitstring-status-list-test-suite
#   w3c-ccg/vc-api-issuer-test-suite  w3c-ccg/vc-api-verifier-test-suite
#   w3c/vc-test-suite-implementations  w3c-ccg/vc-test-suite-implementations
#   w3c-ccg/data-integrity-test-suite-assertion
# SUITE names a subset (e.g. vc-di-eddsa-test-suite); all five by default.
#
# What it does (nothing is written into the repository):
#   1. `npm pack`s the GitHub-only dependencies into WORK/tarballs, copies each suite to WORK/suites/NAME,
#      points its package.json at the tarballs (prepare.py) and `npm install`s the rest from the registry.
#   2. Starts credstack on a throwaway CREDSTACK_HOME (WORK/home: migrate, demo, an OAuth client for the
#      demo organization) on http://127.0.0.1:$BACKEND_PORT, behind tls_proxy.py on https://127.0.0.1:$PORT
#      with a self-signed certificate (NODE_EXTRA_CA_CERTS for node). The proxy logs every exchange to
#      WORK/exchanges.jsonl.
#   3. Copies localConfig.cjs (read from the environment set here) into each suite and runs its mocha
#      tests with the JSON reporter: WORK/results/NAME.json, plus WORK/results/NAME.log (stderr), and
#      prints passed / failed / pending per suite (summary.py).
# Environment: WORK (default SRC/../run), PORT (8443), BACKEND_PORT (8441), PYTHON (the venv's python),
# KEEP_HOME=1 to reuse WORK/home, ORG=SLUG to issue as that organization, DID_METHOD=key to issue as an
# organization under a did:key (made for the run).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SRC=$(cd "${1:?usage: run.sh SRC [SUITE...]}" && pwd)
shift
WORK=${WORK:-$(dirname "$SRC")/run}
PORT=${PORT:-8443}
BACKEND_PORT=${BACKEND_PORT:-8441}
PYTHON=${PYTHON:-$REPO/.venv/bin/python}
[ -x "$PYTHON" ] || PYTHON=/work/main/.venv/bin/python
ALL_SUITES=(w3c/vc-di-eddsa-test-suite w3c/vc-data-model-2.0-test-suite w3c/vc-bitstring-status-list-test-suite
  w3c-ccg/vc-api-issuer-test-suite w3c-ccg/vc-api-verifier-test-suite)
DEPENDENCIES=(w3c/vc-test-suite-implementations w3c-ccg/vc-test-suite-implementations
  w3c-ccg/data-integrity-test-suite-assertion)
SUITES=()
if [ $# -eq 0 ]; then SUITES=("${ALL_SUITES[@]}"); else
  for wanted in "$@"; do
    for suite in "${ALL_SUITES[@]}"; do [ "${suite#*/}" = "$wanted" ] && SUITES+=("$suite"); done
  done
  [ ${#SUITES[@]} -gt 0 ] || { echo "unknown suite(s): $*" >&2; exit 2; }
fi
mkdir -p "$WORK"/{tarballs,suites,results}
say() { printf '\n== %s ==\n' "$*"; }

# -- 1. the suites and their dependencies -----------------------------------------------------------------
for dependency in "${DEPENDENCIES[@]}"; do
  [ -f "$SRC/$dependency/package.json" ] || { echo "missing $SRC/$dependency (fetch it)" >&2; exit 2; }
  target="$WORK/tarballs/$dependency.tgz"
  if [ ! -f "$target" ] || [ -n "$(find "$SRC/$dependency" -newer "$target" -print -quit)" ]; then
    say "npm pack $dependency"
    mkdir -p "$(dirname "$target")" "$WORK/tarballs/.pack"
    packed=$(cd "$SRC/$dependency" && npm pack --ignore-scripts --silent --pack-destination "$WORK/tarballs/.pack")
    mv "$WORK/tarballs/.pack/$packed" "$target"
  fi
done
for suite in "${SUITES[@]}"; do
  name=${suite#*/}
  [ -f "$SRC/$suite/package.json" ] || { echo "missing $SRC/$suite (fetch it)" >&2; exit 2; }
  dest="$WORK/suites/$name"
  if [ ! -d "$dest/node_modules" ] || [ -n "$(find "$SRC/$suite" -newer "$dest/node_modules" -print -quit)" ]; then
    say "install $suite"
    rm -rf "$dest"
    mkdir -p "$dest"
    (cd "$SRC/$suite" && tar --exclude=./node_modules -cf - .) | tar -xf - -C "$dest"
    rm -f "$dest/package-lock.json"  # it pins the GitHub commits; the tarballs replace them
    "$PYTHON" "$HERE/prepare.py" "$dest/package.json" "$WORK/tarballs"
    (cd "$dest" && npm install --no-audit --no-fund --loglevel=error)
  fi
done

# -- 2. credstack behind https on loopback ------------------------------------------------------------------
export PYTHONPATH="$REPO/src:$REPO"
export CREDSTACK_HOME="$WORK/home"
export CREDSTACK_BASE_URL="https://127.0.0.1:$PORT"
# Every request comes from the proxy on 127.0.0.1; the suites send hundreds a minute.
export CREDSTACK_VERIFIER_RATE_LIMIT_EXEMPT=127.0.0.1
unset DATABASE_URL REDIS_URL
cli() { "$PYTHON" -m credstack.cli "$@"; }
if [ "${KEEP_HOME:-0}" != 1 ] || [ ! -d "$CREDSTACK_HOME" ]; then
  say "credstack: fresh CREDSTACK_HOME $CREDSTACK_HOME"
  rm -rf "$CREDSTACK_HOME"
  mkdir -p "$CREDSTACK_HOME"
  cli migrate --no-input -v 0
  cli demo >"$WORK/demo.log"
fi
if [ "${DID_METHOD:-web}" = key ]; then
  # An organization that issues under a did:key (the eddsa suite resolves only did:key)
  ORG=$("$PYTHON" - <<'PY'
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credstack.settings")
django.setup()
from credstack.organizations.actions import do_create_organization
from credstack.organizations.models import Organization
from credstack.signing.actions import do_ensure_signing_key
org = Organization.objects.filter(slug="w3c-did-key").first() or do_create_organization(
    slug="w3c-did-key", name="W3C suites (did:key)", actor=None, did_method="key")
do_ensure_signing_key(organization=org)
print(org.slug)
PY
)
fi
ORG=${ORG:-$("$PYTHON" - <<'PY'
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credstack.settings")
django.setup()
from credstack.organizations.models import Organization
print(Organization.objects.order_by("created_at").first().slug)
PY
)}
client=$(cli oauth-clients --org "$ORG" --create "W3C suites $(date -u +%FT%TZ)" 2>/dev/null)
export CREDSTACK_W3C_CLIENT_ID=$(awk '/^client_id/ {print $2}' <<<"$client")
export CREDSTACK_W3C_CLIENT_SECRET=$(awk '/^client_secret/ {print $2}' <<<"$client")
export CREDSTACK_W3C_ISSUER_ID=$("$PYTHON" - "$ORG" <<'PY'
import django, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credstack.settings")
django.setup()
from credstack.organizations.models import Organization
print(Organization.objects.get(slug=sys.argv[1]).issuer_id)
PY
)
export CREDSTACK_W3C_BASE_URL=$CREDSTACK_BASE_URL

CERT="$WORK/tls/cert.pem"
KEY="$WORK/tls/key.pem"
if [ ! -f "$CERT" ]; then
  mkdir -p "$WORK/tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$KEY" -out "$CERT" 2>/dev/null
fi
export NODE_EXTRA_CA_CERTS="$CERT"

pids=()
stop() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap stop EXIT
trap 'exit 130' INT TERM
: >"$WORK/exchanges.jsonl"
"$PYTHON" -m credstack.cli serve --host 127.0.0.1 --port "$BACKEND_PORT" >"$WORK/serve.log" 2>&1 &
pids+=($!)
"$PYTHON" "$HERE/tls_proxy.py" --listen "127.0.0.1:$PORT" --backend "127.0.0.1:$BACKEND_PORT" \
  --cert "$CERT" --key "$KEY" --log "$WORK/exchanges.jsonl" >"$WORK/proxy.log" 2>&1 &
pids+=($!)
for _ in $(seq 60); do
  curl -fsS --cacert "$CERT" "$CREDSTACK_BASE_URL/healthz" >/dev/null 2>&1 && break
  sleep 1
done
curl -fsS --cacert "$CERT" "$CREDSTACK_BASE_URL/healthz" >/dev/null || { echo "credstack did not start" >&2; exit 1; }
say "credstack on $CREDSTACK_BASE_URL (organization $ORG, issuer $CREDSTACK_W3C_ISSUER_ID)"

# -- 3. the suites ---------------------------------------------------------------------------------------
for suite in "${SUITES[@]}"; do
  name=${suite#*/}
  dest="$WORK/suites/$name"
  say "$name"
  cp "$HERE/localConfig.cjs" "$dest/localConfig.cjs"
  echo "{\"suite\": \"$name\", \"at\": \"$(date -u +%T)\"}" >>"$WORK/exchanges.jsonl"
  (cd "$dest" && npx mocha tests/ --timeout 15000 --preserve-symlinks --reporter json \
    --reporter-option "output=$WORK/results/$name.json" >"$WORK/results/$name.log" 2>&1) || true
  "$PYTHON" "$HERE/summary.py" "$WORK/results/$name.json"
done
say "results in $WORK/results, every exchange in $WORK/exchanges.jsonl"
