#!/usr/bin/env bash
# Scorecard and write latency (median of RUNS warm runs) on the organisations benches/import.sh
# left behind, on SQLite and PostgreSQL, with DuckDB's plain SQL over the raw bundle's typed tables
# as reference (DuckDB from PyPI, in a virtualenv under target/), and how many times faster each
# backend's organisation scorecard is than DuckDB's, from the same run.
#   benches/scorecards.sh [WORKDIR=/tmp/quotient-bench] [REPS=1000] [YEARS=3] [PERIOD=2026-Q3] [RUNS=5]
# BACKENDS (default "sqlite postgres duckdb") chooses what runs; the ratios to DuckDB are printed for
# each backend whose figures are in WORKDIR. IN_PLACE=1 works on the SQLite import itself instead
# of a copy (the writes change it), for want of disk for two.
set -euo pipefail
work=${1:-/tmp/quotient-bench}; reps=${2:-1000}; years=${3:-3}; period=${4:-2026-Q3}; runs=${5:-5}
backends=" ${BACKENDS:-sqlite postgres duckdb} "
pg=${QUOTIENT_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
as_of=$(date -u +%F)
cd "$(dirname "$0")/.."
# The organisation scorecard's median (ms) in a bench's output.
org_median() { awk '/^organisation scorecard/ { for (i = 1; i < NF; i++) if ($i == "median") print $(i + 1) }' "$1"; }
if [[ $backends == *" sqlite "* ]]; then
  # The writes change the database: work on a copy.
  rm -f "$work/scorecards.db-wal" "$work/scorecards.db-shm"  # a stale log would be replayed onto the copy
  if [ "${IN_PLACE:-0}" = 1 ]; then
    mv "$work/bench.db" "$work/scorecards.db"
    for suffix in -wal -shm; do [ ! -e "$work/bench.db$suffix" ] || mv "$work/bench.db$suffix" "$work/scorecards.db$suffix"; done
  else
    cp "$work/bench.db" "$work/scorecards.db"
  fi
  cargo bench --quiet -p quotient-store --bench scorecards -- "sqlite://$work/scorecards.db" "$period" "$as_of" "$runs" | tee "$work/scorecards-sqlite.txt"
fi
if [[ $backends == *" postgres "* ]]; then
  # The state autovacuum brings a server to after a bulk load (index-only reads stop visiting the
  # table); done here because it may be off, as it is on the build machines.
  tables=$(psql "$pg" -Atc "SELECT string_agg(format('%I.%I', schemaname, tablename), ', ') FROM pg_tables WHERE schemaname = 'quotient_bench'")
  psql "$pg" -qc "VACUUM (ANALYZE) $tables"
  # And the vacuum's writes on disk before timing: scorecards read while they are being written back
  # are slower by a fifth, and that is the disk's time, not the store's.
  sync; psql "$pg" -qc CHECKPOINT
  cargo bench --quiet -p quotient-store --bench scorecards -- "$pg?options=-csearch_path%3Dquotient_bench" "$period" "$as_of" "$runs" | tee "$work/scorecards-postgres.txt"
fi
if [[ $backends == *" duckdb "* ]]; then
  venv=target/duckdb-venv
  [ -x "$venv/bin/python" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet duckdb; }
  year=${period%-Q*}; quarter=${period#*-Q}
  start=$(printf '%s-%02d-01' "$year" $((3 * quarter - 2)))
  if [ "$quarter" = 4 ]; then end="$((year + 1))-01-01"; else end=$(printf '%s-%02d-01' "$year" $((3 * quarter + 1))); fi
  "$venv/bin/python" benches/duckdb_scorecard.py "$work/bundle-$reps-$years" "$start" "$end" "$as_of" "$runs" | tee "$work/scorecards-duckdb.txt"
fi
[ -f "$work/scorecards-duckdb.txt" ] || exit 0
duckdb_ms=$(org_median "$work/scorecards-duckdb.txt")
for backend in sqlite postgres; do
  [ -f "$work/scorecards-$backend.txt" ] || continue
  ms=$(org_median "$work/scorecards-$backend.txt")
  awk -v b="$backend" -v q="$ms" -v d="$duckdb_ms" \
    'BEGIN { printf "organisation scorecard, %-10s %9.2f ms, DuckDB %9.2f ms: %.1f× faster than DuckDB\n", b, q, d, d / q }'
done
