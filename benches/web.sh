#!/usr/bin/env bash
# The web application under load from wrk on loopback: the manager's dashboard, and logging an
# activity through the API, on a database made by `quotient demo` (its users sign in with the demo
# password). Prints each run's requests/s and latency percentiles.
#   [POOL=8] benches/web.sh DATABASE_URL [RUNS=3] [SECONDS=20] [CONNECTIONS=64]
# POOL is the server's database connections (`quotient serve --connections`).
set -euo pipefail
url=$1; runs=${2:-3}; seconds=${3:-20}; connections=${4:-64}
cd "$(dirname "$0")/.."
. benches/web_lib.sh
cargo build --quiet --release
script=$(mktemp --suffix=.lua)
trap 'kill ${server:-} 2>/dev/null || true; rm -f "$script"' EXIT
serve "$url" 18080

# Sign in as the manager; an API token of theirs.
cookie=$(sign_in manager@northwind.example)
token=$(api_token "$cookie" bench)

# The first page after a write computes what it shows; later ones reuse it until the next write
# (for the goal-setting view's seasonality: until a write into a past month). Five of each, one at
# a time: after logging a call today, and after logging one of last month.
last_month=$(date -u -d "$(date -u +%Y-%m-01) -1 day" +%Y-%m-%dT12:00:00Z)
for path in /dashboard /goals; do
  for occurred_at in now "$last_month"; do
    for i in 1 2 3 4 5; do
      body='{"type": "cold_call"}'
      [ "$occurred_at" = now ] || body="{\"type\": \"cold_call\", \"occurred_at\": \"$occurred_at\"}"
      curl -s -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        --data "$body" "$base/api/v1/activities"
      cold=$(curl -s -o /dev/null -w '%{time_total}' -H "Cookie: $cookie" "$base$path")
      warm=$(curl -s -o /dev/null -w '%{time_total}' -H "Cookie: $cookie" "$base$path")
      echo "$path right after a write dated $occurred_at: ${cold}s; the next one: ${warm}s"
    done
  done
done

run_wrk() { # label, then wrk's arguments
  local label=$1; shift
  for i in $(seq 1 "$runs"); do
    wrk -t2 -c"$connections" -d"${seconds}s" --latency "$@" \
      | awk -v label="$label" -v run="$i" '
          /Requests\/sec/ { rps = $2 }
          $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 }
          /Non-2xx/ { bad = $NF }
          END { printf "%s run %d: %s req/s, p50 %s, p99 %s%s\n", label, run, rps, p50, p99, (bad ? ", non-2xx " bad : "") }'
  done
}

run_wrk "dashboard" -H "Cookie: $cookie" "$base/dashboard"

cat > "$script" <<EOF
wrk.method = "POST"
wrk.body = '{"type": "cold_call", "outcome": "connected"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
EOF
run_wrk "log activity (API)" -s "$script" "$base/api/v1/activities"
