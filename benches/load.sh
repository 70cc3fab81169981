#!/usr/bin/env bash
# Mixed load of every role for minutes, from three wrk streams on loopback against `quotient serve`
# on the demo organisation, all at once:
#   - dashboards: the manager's and the executive's, over DASHBOARD_CONNECTIONS (default 32);
#   - other reads: scorecards, leaderboard, pipeline, CRM lists, goals and the API, as the admin,
#     the executive, the manager and the rep, over OTHER_CONNECTIONS (default 8);
#   - writes through the API at a steady WRITES_PER_S (default 2, about twenty times what 40 reps
#     log in a working hour; 0 for none): activities logged by a rep and a manager, a deal edited.
# Prints each stream's throughput, latency percentiles and failed requests, and the server's
# resident memory over the run (sampled every 5 s) to show whether it stays flat.
#   [DASHBOARD_CONNECTIONS=32] [OTHER_CONNECTIONS=8] [WRITES_PER_S=2] \
#   benches/load.sh [SECONDS=180] [WORKDIR=/tmp/quotient-load] [DATABASE_URL]
# Without DATABASE_URL, a fresh demo organisation (40 reps, 2 years) in WORKDIR/load.db.
# Needs wrk (Debian: apt install wrk).
set -euo pipefail
seconds=${1:-180}; work=${2:-/tmp/quotient-load}; url=${3:-}
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is not installed (Debian: apt install wrk)" >&2; exit 1; }
cargo build --quiet --release
quotient=$PWD/target/release/quotient
mkdir -p "$work"
if [ -z "$url" ]; then
  rm -f "$work"/load.db*
  url="sqlite://$work/load.db"
  "$quotient" --database-url "$url" demo --no-serve >/dev/null
fi

port=18081; base="http://127.0.0.1:$port"
"$quotient" --database-url "$url" serve --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
sampler=""
trap 'kill $server $sampler 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -s -o /dev/null "$base/sign-in" && break; sleep 0.1; done

# One session per role (cookie and CSRF token), and an API token for the writes of the manager
# and the rep.
declare -A cookie csrf
for role in admin executive manager rep; do
  jar="$work/$role.jar"
  curl -s -c "$jar" -o /dev/null -H "Origin: $base" \
    --data-urlencode "email=$role@northwind.example" --data-urlencode "password=quotient-demo" "$base/sign-in"
  cookie[$role]="quotient_session=$(awk '$6 == "quotient_session" { print $7 }' "$jar")"
  csrf[$role]=$(curl -s -H "Cookie: ${cookie[$role]}" "$base/me" | grep -o 'name="_csrf" value="[0-9a-f]*"' | head -n 1 | cut -d'"' -f4)
  [ -n "${csrf[$role]}" ] || { echo "$role could not sign in" >&2; exit 1; }
done
token() {
  curl -s -H "Cookie: ${cookie[$1]}" -H "Origin: $base" --data "name=load&_csrf=${csrf[$1]}" "$base/me/tokens" \
    | grep -o 'id="new-token">[0-9a-f]*' | cut -d'>' -f2
}
rep_token=$(token rep); manager_token=$(token manager)
[ -n "$rep_token" ] && [ -n "$manager_token" ] || { echo "could not create the API tokens" >&2; exit 1; }
# The rep's scorecard is where their home page sends them; a deal of theirs to edit.
rep_page=$(curl -s -o /dev/null -w '%{redirect_url}' -H "Cookie: ${cookie[rep]}" "$base/" | sed "s|$base||")
deal=$(curl -s -H "Authorization: Bearer $rep_token" "$base/api/v1/opportunities?page_size=1" \
  | grep -o '"id": *[0-9]*' | head -n 1 | grep -o '[0-9]*$')
[ -n "$rep_page" ] && [ -n "$deal" ] || { echo "no scorecard or deal for the rep" >&2; exit 1; }

# The dashboards, and the other reads, by weight.
reads() {
  cat <<EOF
local requests = {}
local function add(weight, path, headers)
  for _ = 1, weight do requests[#requests + 1] = wrk.format("GET", path, headers) end
end
local function page(role_cookie) return { ["Cookie"] = role_cookie } end
local function api(token) return { ["Authorization"] = "Bearer " .. token } end
$1
local next = 0
function setup(thread) thread:set("offset", math.random(#requests)) end
function init(args) next = offset or 0 end
function request()
  next = next % #requests + 1
  return requests[next]
end
EOF
}
reads "add(2, \"/dashboard\", page(\"${cookie[manager]}\"))
add(1, \"/dashboard\", page(\"${cookie[executive]}\"))" >"$work/dashboards.lua"
reads "add(3, \"$rep_page\", page(\"${cookie[rep]}\"))
add(2, \"/leaderboard\", page(\"${cookie[manager]}\"))
add(2, \"/pipeline\", page(\"${cookie[rep]}\"))
add(1, \"/records/opportunities\", page(\"${cookie[admin]}\"))
add(1, \"/records/accounts?q=a\", page(\"${cookie[manager]}\"))
add(1, \"/goals\", page(\"${cookie[manager]}\"))
add(1, \"/reps/$(basename "$rep_page")/one-on-ones\", page(\"${cookie[manager]}\"))
add(1, \"/plan\", page(\"${cookie[executive]}\"))
add(2, \"/api/v1/scorecards\", api(\"$manager_token\"))
add(2, \"/api/v1/opportunities\", api(\"$rep_token\"))" >"$work/others.lua"

# The writes, one connection, each after a pause.
writes="$work/writes.lua"
cat >"$writes" <<EOF
local function api(token) return { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" } end
local requests = {
  wrk.format("POST", "/api/v1/activities", api("$rep_token"), '{"type": "call_back", "outcome": "connected"}'),
  wrk.format("POST", "/api/v1/activities", api("$manager_token"), '{"type": "email"}'),
  wrk.format("POST", "/api/v1/activities", api("$rep_token"), '{"type": "cold_call"}'),
  wrk.format("PATCH", "/api/v1/opportunities/$deal", api("$rep_token"), '{"expected_close_on": "2027-01-15"}'),
}
local next = 0
function request()
  next = next % #requests + 1
  return requests[next]
end
function delay() return $((1000 / (${WRITES_PER_S:-2} > 0 ? ${WRITES_PER_S:-2} : 1))) end
EOF

sample() { while kill -0 "$server" 2>/dev/null; do ps -o rss= -p "$server" >>"$work/rss"; sleep 5; done; }
: >"$work/rss"; sample & sampler=$!

summary() {
  awk -v label="$1" '
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 }
    /requests in/ { total = $1 }
    /Non-2xx/ { bad = $NF } /Socket errors/ { sock = $0 }
    END { printf "%s: %s requests, %s req/s, p50 %s, p99 %s, non-2xx/3xx %d%s\n", label, total, rps, p50, p99, bad, (sock ? ", " sock : "") }'
}
writer=""
if [ "${WRITES_PER_S:-2}" -gt 0 ]; then
  wrk -t1 -c1 -d"${seconds}s" --latency -s "$writes" "$base" >"$work/writes.txt" &
  writer=$!
fi
wrk -t1 -c"${OTHER_CONNECTIONS:-8}" -d"${seconds}s" --latency -s "$work/others.lua" "$base" >"$work/others.txt" &
others=$!
wrk -t2 -c"${DASHBOARD_CONNECTIONS:-32}" -d"${seconds}s" --latency -s "$work/dashboards.lua" "$base" >"$work/dashboards.txt"
wait $writer "$others"
summary "dashboards (manager 2 : executive 1), ${seconds}s" <"$work/dashboards.txt"
summary "other reads of every role, ${seconds}s" <"$work/others.txt"
[ -z "$writer" ] || summary "writes, ${seconds}s" <"$work/writes.txt"
kill "$sampler" 2>/dev/null || true
awk '{ if ($1 > max) max = $1 } NR % 12 == 1 { minutes = minutes sep int($1 / 1024); sep = ", " }
  END { printf "server memory (RSS, MB) at the start and after each minute: %s; at most %d\n", minutes, max / 1024 }' "$work/rss"
grep -ci ' error ' "$work/server.log" | xargs printf 'errors in the server log: %s\n'
