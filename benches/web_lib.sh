# What the web benchmarks share: the server on loopback, signing in with the demo password, an API
# token. Sourced by benches/web.sh and benches/web_mixed.sh, from the repository's root.
#   serve DATABASE_URL PORT   starts `quotient serve` (POOL connections, 8 by default) in the
#                             background, sets $server and $base, waits until it answers
#   sign_in EMAIL             prints the session's cookie header value
#   api_token COOKIE NAME     prints a new API token of the signed-in user
quotient=target/release/quotient

serve() {
  base="http://127.0.0.1:$2"
  $quotient --database-url "$1" serve --listen "127.0.0.1:$2" --connections "${POOL:-8}" >/dev/null 2>&1 &
  server=$!
  for _ in $(seq 1 600); do curl -s -o /dev/null "$base/sign-in" && return 0; sleep 0.1; done
  echo "the server did not start" >&2
  return 1
}

sign_in() {
  local jar
  jar=$(mktemp)
  curl -s -c "$jar" -o /dev/null -H "Origin: $base" \
    --data-urlencode "email=$1" --data-urlencode "password=quotient-demo" "$base/sign-in"
  echo "quotient_session=$(awk '$6 == "quotient_session" { print $7 }' "$jar")"
  rm -f "$jar"
}

api_token() {
  local csrf token
  csrf=$(curl -s -H "Cookie: $1" "$base/me" | grep -o 'name="_csrf" value="[0-9a-f]*"' | head -n 1 | cut -d'"' -f4)
  token=$(curl -s -H "Cookie: $1" -H "Origin: $base" --data "name=$2&_csrf=$csrf" "$base/me/tokens" \
    | grep -o 'id="new-token">[0-9a-f]*' | cut -d'>' -f2)
  [ -n "$token" ] || { echo "could not create an API token" >&2; return 1; }
  echo "$token"
}
