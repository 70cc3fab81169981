#!/usr/bin/env bash
# The /forecast page with curl against `quotient serve` (release build), as the demo's executive
# (the whole organisation), manager (their team) and rep: 5 requests each right after a write the
# data forecast reads (a setting saved from the command line, which moves the pipeline revision),
# and 5 warm requests after them; prints each time and the medians, in milliseconds.
#   benches/forecast_page.sh DATABASE_URL [PORT=18090]
# The database needs the demo's users (executive@, manager@, rep@northwind.example, password
# quotient-demo): `quotient demo` adds them; for an imported bundle add them with `quotient user add`.
set -euo pipefail
url=$1; port=${2:-18090}
cd "$(dirname "$0")/.."
. benches/web_lib.sh
trap 'kill ${server:-} 2>/dev/null || true' EXIT
serve "$url" "$port"

ms() { curl -s -o /dev/null -w '%{time_total}' -H "Cookie: $1" "$base/forecast" | awk '{ printf "%.1f", $1 * 1000 }'; }
median() { tr ' ' '\n' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
write=0
for who in executive manager rep; do
  cookie=$(sign_in "$who@northwind.example")
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$base/forecast")
  [ "$status" = 200 ] || { echo "$who: /forecast answered $status" >&2; exit 1; }
  after=()
  for _ in 1 2 3 4 5; do
    write=$((write + 1))
    $quotient --database-url "$url" setting method.forecast_stale_after_days $((7 + write % 2)) >/dev/null
    after+=("$(ms "$cookie")")
  done
  warm=()
  for _ in 1 2 3 4 5; do warm+=("$(ms "$cookie")"); done
  echo "$who after a write: ${after[*]} (median $(echo "${after[*]}" | median)); warm: ${warm[*]} (median $(echo "${warm[*]}" | median))"
done
