#!/usr/bin/env bash
# One bounded schemathesis campaign against a running Quotient, as the holder of one API token:
# every operation of /api/v1/openapi.json is called with examples, boundary values and random
# (also invalid) input, and every response must be no 5xx and match the document (status code,
# content type, body schema). Writes are real: run it against a scratch database.
#
#   tests/api-fuzz/campaign.sh http://127.0.0.1:8080 TOKEN [REPORT_DIR]
#
# SCHEMATHESIS names the binary (default: target/api-fuzz-venv/bin/schemathesis, else PATH);
# QUOTIENT_FUZZ_EXAMPLES (default 12) and QUOTIENT_FUZZ_SEED (default 20261204) bound the run.
# Install: python3 -m venv target/api-fuzz-venv && target/api-fuzz-venv/bin/pip install -r tests/api-fuzz/requirements.txt
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
base="${1:?usage: campaign.sh BASE_URL TOKEN [REPORT_DIR]}"
token="${2:?usage: campaign.sh BASE_URL TOKEN [REPORT_DIR]}"
reports="${3:-$root/target/api-fuzz-report}"
schemathesis="${SCHEMATHESIS:-$root/target/api-fuzz-venv/bin/schemathesis}"
[ -x "$schemathesis" ] || schemathesis="$(command -v schemathesis || true)"
if [ -z "$schemathesis" ]; then
  echo "schemathesis is not installed: python3 -m venv target/api-fuzz-venv && target/api-fuzz-venv/bin/pip install -r tests/api-fuzz/requirements.txt" >&2
  exit 2
fi
mkdir -p "$reports"
# schemathesis keeps a cache in the working folder: keep it beside the reports.
cd "$reports"
# No example database: a run depends on its seed alone, not on what earlier runs found.
exec "$schemathesis" run "$base/api/v1/openapi.json" \
  --url "$base" \
  --header "Authorization: Bearer $token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --phases examples,coverage,fuzzing \
  --max-examples "${QUOTIENT_FUZZ_EXAMPLES:-12}" \
  --seed "${QUOTIENT_FUZZ_SEED:-20261204}" \
  --generation-database none \
  --suppress-health-check all \
  --workers 2 \
  --request-timeout 30 \
  --no-color \
  --report junit --report-dir "$reports"
