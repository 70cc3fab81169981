#!/usr/bin/env bash
# Bundle import benchmark: generation, import into SQLite and PostgreSQL, and psql's COPY of the
# same files into plain typed tables (no keys, no indexes) as the reference, median of RUNS runs.
#   benches/import.sh [REPS=1000] [YEARS=3] [RUNS=3] [WORKDIR=/tmp/quotient-bench]
# BACKENDS (default "sqlite copy postgres") chooses the loads, so that a large organisation's
# databases need not be on disk at once; REUSE_BUNDLE=1 keeps a bundle already generated.
set -euo pipefail
reps=${1:-1000}; years=${2:-3}; runs=${3:-3}; work=${4:-/tmp/quotient-bench}
backends=" ${BACKENDS:-sqlite copy postgres} "
pg=${QUOTIENT_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/quotient
mkdir -p "$work"; bundle="$work/bundle-$reps-$years"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# Each timed run starts with the previous one's writes on disk: otherwise the kernel and
# PostgreSQL's checkpoints write them back during the next run, which then takes up to half as long
# again.
settle() { sync; psql "$pg" -qc CHECKPOINT; }
timed() { /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr"; exit 1; }; cat "$work/time"; }

gen_s=; gen_kb=
if [ "${REUSE_BUNDLE:-0}" != 1 ] || [ ! -f "$bundle/reps.csv" ]; then
  rm -rf "$bundle"
  read -r gen_s gen_kb < <(timed "$bin" demo --reps "$reps" --years "$years" --as-of 2026-11-20 --seed 42 --out "$bundle")
fi
# Quoted fields may hold newlines, so count records with a CSV reader for the exact figure (kept
# beside the bundle for the next run that reuses it).
if [ -n "$gen_s" ] || [ ! -f "$bundle.rows" ]; then
  python3 -c "import csv,glob,sys; print(sum(sum(1 for _ in csv.reader(open(f, newline=''))) - 1 for f in glob.glob(sys.argv[1] + '/*.csv')))" "$bundle" > "$bundle.rows"
fi
rows=$(cat "$bundle.rows")
echo "bundle: $rows rows, $(du -sh "$bundle" | cut -f1)${gen_s:+, generated in ${gen_s}s, peak $((gen_kb / 1024)) MB}"

if [[ $backends == *" sqlite "* ]]; then
  sqlite_s=(); sqlite_kb=()
  for _ in $(seq "$runs"); do
    rm -f "$work"/bench.db*
    settle
    read -r s kb < <(timed "$bin" --database-url "sqlite://$work/bench.db" import "$bundle")
    sqlite_s+=("$s"); sqlite_kb+=("$kb")
  done
  sqlite_size=$(du -cb "$work"/bench.db* | tail -n 1 | cut -f1)
fi

if [[ $backends == *" copy "* ]]; then
  # The reference: psql \copy of the same files into typed tables without keys or indexes.
  copy_s=()
  for _ in $(seq "$runs"); do
    psql "$pg" -q -v ON_ERROR_STOP=1 >/dev/null 2>&1 <<SQL
DROP SCHEMA IF EXISTS copy_bench CASCADE; CREATE SCHEMA copy_bench; SET search_path = copy_bench;
CREATE TABLE territories (territory_id text, name text, region text, parent_id text);
CREATE TABLE product_lines (product_line_id text, name text);
CREATE TABLE reps (rep_id text, name text, email text, manager_id text, territory_id text, role text, hired_on date);
CREATE TABLE accounts (account_id text, name text, industry text, territory_id text, owner_id text, employees bigint, annual_revenue numeric, city text, country text);
CREATE TABLE contacts (contact_id text, account_id text, first_name text, last_name text, title text, buying_role text, authority_level int, email text, phone text, address text);
CREATE TABLE leads (lead_id text, created_at timestamptz, source text, owner_id text, company text, contact_name text, email text, status text, first_touch_at timestamptz, opportunity_id text);
CREATE TABLE opportunities (opportunity_id text, account_id text, owner_id text, product_line_id text, name text, amount numeric, margin numeric, created_at timestamptz, expected_close_on date, first_appointment_at timestamptz, gateway_type text, gateway_at timestamptz, proposal_at timestamptz, closed_at timestamptz, status text, stage text, lost_reason text, lead_id text, original_amount numeric, original_currency text);
CREATE TABLE opportunity_splits (opportunity_id text, rep_id text, share_pct numeric);
CREATE TABLE stage_changes (opportunity_id text, stage text, changed_at timestamptz);
CREATE TABLE activities (activity_id text, rep_id text, type text, occurred_at timestamptz, account_id text, contact_id text, opportunity_id text, outcome text);
CREATE TABLE estimates (estimate_id text, opportunity_id text, rep_id text, product_line_id text, amount numeric, issued_on date, status text);
CREATE TABLE feedback (account_id text, rep_id text, received_on date, score int);
CREATE TABLE quotas (rep_id text, period text, metric text, product_line_id text, target numeric);
SQL
    settle
    start=$(date +%s.%N)
    for f in "$bundle"/*.csv; do
      t=$(basename "$f" .csv)
      psql "$pg" -q -v ON_ERROR_STOP=1 -c "SET search_path = copy_bench" -c "\\copy $t FROM '$f' WITH (FORMAT csv, HEADER true)"
    done
    copy_s+=("$(echo "$(date +%s.%N) - $start" | bc)")
  done
  psql "$pg" -qc "DROP SCHEMA IF EXISTS copy_bench CASCADE" 2>/dev/null
fi

if [[ $backends == *" postgres "* ]]; then
  schema=quotient_bench
  pg_s=(); pg_kb=()
  for _ in $(seq "$runs"); do
    psql "$pg" -qc "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema" 2>/dev/null
    settle
    read -r s kb < <(timed "$bin" --database-url "$pg?options=-csearch_path%3D$schema" import "$bundle")
    pg_s+=("$s"); pg_kb+=("$kb")
  done
  pg_size=$(psql "$pg" -Atc "SELECT SUM(pg_total_relation_size(c.oid)) FROM pg_class c WHERE c.relnamespace = '$schema'::regnamespace AND c.relkind = 'r'")
fi

# The last imports stay ($work/bench.db and schema $schema) for benches/scorecards.sh.
median_of() { [ "$#" -gt 0 ] && printf '%s\n' "$@" | median; }
echo
echo "| step | runs (s) | median (s) | rows/s | peak memory | size |"
echo "| --- | --- | --- | --- | --- | --- |"
if [ -n "$gen_s" ]; then
  printf '| generate (`quotient demo --out`) | %s | %s | %.0f | %d MB | %s |\n' "$gen_s" "$gen_s" "$(echo "$rows / $gen_s" | bc -l)" $((gen_kb / 1024)) "$(du -sh "$bundle" | cut -f1) of CSV"
fi
if [[ $backends == *" sqlite "* ]]; then
  sq=$(median_of "${sqlite_s[@]}"); sqm=$(median_of "${sqlite_kb[@]}")
  printf '| import into SQLite | %s | %s | %.0f | %d MB | %d MB |\n' "${sqlite_s[*]}" "$sq" "$(echo "$rows / $sq" | bc -l)" $((${sqm%.*} / 1024)) $((sqlite_size / 1048576))
fi
if [[ $backends == *" postgres "* ]]; then
  pq=$(median_of "${pg_s[@]}"); pqm=$(median_of "${pg_kb[@]}")
  printf '| import into PostgreSQL | %s | %s | %.0f | %d MB | %d MB |\n' "${pg_s[*]}" "$pq" "$(echo "$rows / $pq" | bc -l)" $((${pqm%.*} / 1024)) $((pg_size / 1048576))
fi
if [[ $backends == *" copy "* ]]; then
  cq=$(median_of "${copy_s[@]}")
  printf '| reference: psql \\copy, plain tables | %s | %.1f | %.0f | – | – |\n' "$(printf '%.1f ' "${copy_s[@]}")" "$cq" "$(echo "$rows / $cq" | bc -l)"
fi
if [ -n "${pq:-}" ] && [ -n "${cq:-}" ]; then
  printf '\nPostgreSQL import ÷ psql COPY: %.2f×\n' "$(echo "$pq / $cq" | bc -l)"
fi
