#!/usr/bin/env bash
# The growth curve (docs/BENCHMARKS.md): for each organisation size, the import (benches/import.sh,
# one run: time and peak memory on SQLite and PostgreSQL), the team and organisation scorecards and
# the writes beside DuckDB's reference (benches/scorecards.sh), and the peak memory of
# `quotient report` of the whole organisation as JSON. Each size keeps its own work folder.
#   benches/growth.sh [YEARS=1] [WORKDIR=/tmp/quotient-growth] [SIZES="100 1000 5000 10000"]
set -euo pipefail
years=${1:-1}; work=${2:-/tmp/quotient-growth}; sizes=${3:-100 1000 5000 10000}
period=${PERIOD:-2026-Q3}; runs=${RUNS:-5}
cd "$(dirname "$0")/.."
for reps in $sizes; do
  dir="$work/$reps"
  echo "== $reps reps, $years years"
  benches/import.sh "$reps" "$years" 1 "$dir"
  benches/scorecards.sh "$dir" "$reps" "$years" "$period" "$runs"
  for format in json csv; do
    /usr/bin/time -f "%e %M" -o "$dir/report-time" target/release/quotient --database-url "sqlite://$dir/bench.db" \
      report --period "$period" --format "$format" >/dev/null
    read -r seconds kb < "$dir/report-time"
    echo "quotient report (organisation, $format): ${seconds}s, peak $((kb / 1024)) MB"
  done
done
