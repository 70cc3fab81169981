#!/usr/bin/env bash
# The growth curve (docs/BENCHMARKS.md): for each organisation size, the import (benches/import.sh,
# one run: time and peak memory on SQLite and PostgreSQL, psql's COPY as the reference), the team
# and organisation scorecards and the writes beside DuckDB's reference (benches/scorecards.sh), and
# the peak memory of `quotient report` of the whole organisation. Each size keeps its own work
# folder; one backend's database is on disk at a time, and a size's bundle and databases are
# deleted once it is measured (KEEP=1 keeps them), so that 10,000 reps fit on a smaller disk.
#   benches/growth.sh [YEARS=1] [WORKDIR=/tmp/quotient-growth] [SIZES="100 1000 5000 10000"]
# BACKENDS="sqlite" (or "postgres") measures one backend, with DuckDB beside it.
set -euo pipefail
years=${1:-1}; work=${2:-/tmp/quotient-growth}; sizes=${3:-100 1000 5000 10000}
backends=" ${BACKENDS:-sqlite postgres} "
period=${PERIOD:-2026-Q3}; runs=${RUNS:-5}
pg=${QUOTIENT_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
cd "$(dirname "$0")/.."
state() { echo "-- $(date -u +%H:%M:%S) load average $(cut -d' ' -f1-3 /proc/loadavg), $(df -h --output=avail "$work" | tail -n 1 | tr -d ' ') free"; }
for reps in $sizes; do
  dir="$work/$reps"
  rm -rf "$dir"; mkdir -p "$dir"
  echo "== $reps reps, $years years"
  state
  if [[ $backends == *" sqlite "* ]]; then
    BACKENDS=sqlite benches/import.sh "$reps" "$years" 1 "$dir"
    state
    for format in json csv; do
      /usr/bin/time -f "%e %M" -o "$dir/report-time" target/release/quotient --database-url "sqlite://$dir/bench.db" \
        report --period "$period" --format "$format" >/dev/null
      read -r seconds kb < "$dir/report-time"
      echo "quotient report (organisation, $format): ${seconds}s, peak $((kb / 1024)) MB"
    done
    state
    BACKENDS=sqlite IN_PLACE=1 benches/scorecards.sh "$dir" "$reps" "$years" "$period" "$runs"
    [ "${KEEP:-0}" = 1 ] || rm -f "$dir"/bench.db* "$dir"/scorecards.db*
    state
  fi
  if [[ $backends == *" postgres "* ]]; then
    BACKENDS="copy postgres" REUSE_BUNDLE=1 benches/import.sh "$reps" "$years" 1 "$dir"
    state
    BACKENDS="postgres duckdb" benches/scorecards.sh "$dir" "$reps" "$years" "$period" "$runs"
    [ "${KEEP:-0}" = 1 ] || psql "$pg" -qc "DROP SCHEMA IF EXISTS quotient_bench CASCADE"
  else
    BACKENDS=duckdb benches/scorecards.sh "$dir" "$reps" "$years" "$period" "$runs"
  fi
  [ "${KEEP:-0}" = 1 ] || rm -rf "$dir/bundle-$reps-$years"
  state
done
