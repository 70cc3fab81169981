#!/usr/bin/env bash
# The web application under a mixed load from wrk on loopback: the executive and the manager read
# their dashboard, leaderboard, goals and plan pages while reps log activities through the API in
# between (a write for every two reads), so that what the pages keep is out of date as in real use.
# On a database made by `quotient demo` (its users sign in with the demo password); adds a user for
# each of REPS reps (R1, R2, … of the demo) the first time. The dashboards show the month of AS_OF
# (the demo's last day of data), the leaderboards its quarter, the plans its year; the goals are
# next month's. Prints each run's p50 and p99 per page. Without THINK_MS, each connection sends its
# next request as soon as it has an answer (the most the server can answer); with it, each waits
# THINK_MS milliseconds first (a steady load of about CONNECTIONS × 1000 ÷ THINK_MS requests/s).
#   [POOL=8] [REPS=8] [AS_OF=2026-11-20] [THINK_MS=0] benches/web_mixed.sh DATABASE_URL [RUNS=3] [SECONDS=30] [CONNECTIONS=16]
# POOL is the server's database connections (`quotient serve --connections`); each of CONNECTIONS
# is a wrk thread of its own, so that the script can time each request.
set -euo pipefail
url=$1; runs=${2:-3}; seconds=${3:-30}; connections=${4:-16}
cd "$(dirname "$0")/.."
. benches/web_lib.sh
cargo build --quiet --release
trap 'kill ${server:-} 2>/dev/null || true' EXIT

# The demo's executive and manager (a database imported from a bundle has no users yet) and reps
# who sign in, with the demo password; those already there stay as they are.
add_user() { # e-mail, role, rep
  QUOTIENT_PASSWORD=quotient-demo $quotient --database-url "$url" user add "$1" --name "$1" --role "$2" \
    --rep "$3" >/dev/null 2>&1 || true
}
add_user executive@northwind.example executive E1
add_user manager@northwind.example manager M1
for i in $(seq 1 "${REPS:-8}"); do add_user "bench-r$i@northwind.example" rep "R$i"; done
serve "$url" 18081

as_of=${AS_OF:-2026-11-20}
export MONTH=${as_of:0:7} YEAR=${as_of:0:4} QUARTER="${as_of:0:4}-Q$(( (10#${as_of:5:2} + 2) / 3 ))"
export EXECUTIVE MANAGER TOKENS=""
EXECUTIVE=$(sign_in executive@northwind.example)
MANAGER=$(sign_in manager@northwind.example)
for i in $(seq 1 "${REPS:-8}"); do
  TOKENS="$TOKENS $(api_token "$(sign_in "bench-r$i@northwind.example")" bench)"
done

# A company plan for the year, if there is none (the demo plans its year; an import does not).
token=$(api_token "$EXECUTIVE" bench)
if [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$base/api/v1/plans/$YEAR")" = 404 ]; then
  curl -s -o /dev/null -X PUT -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    --data '{"revenue_cents": 150000000000}' "$base/api/v1/plans/$YEAR"
fi

# Each page once before the runs: what it keeps is then computed, as on a server that has served.
for cookie in "$EXECUTIVE" "$MANAGER"; do
  for path in "/dashboard?period=$MONTH" "/leaderboard?period=$QUARTER" /goals "/plan?year=$YEAR"; do
    curl -s -o /dev/null -w "first $path: %{http_code} in %{time_total}s\n" -H "Cookie: $cookie" "$base$path"
  done
done

for i in $(seq 1 "$runs"); do
  echo "run $i (load average $(cut -d' ' -f1-3 /proc/loadavg)):"
  wrk -t"$connections" -c"$connections" -d"${seconds}s" --timeout 30s -s benches/web_mixed.lua "$base/"
done
