#!/usr/bin/env bash
# CRM import benchmark: a demo bundle, the same data as a Salesforce Data Export
# (benches/bundle_to_salesforce.py), and both imported into a fresh database, median of RUNS runs:
# seconds, rows/s and peak memory of `quotient import --from salesforce` against `quotient import`.
#   benches/crm_import.sh [REPS=100] [YEARS=3] [RUNS=5] [WORKDIR=/tmp/quotient-crm-bench] [DATABASE=sqlite]
# DATABASE is `sqlite` (a new file in WORKDIR each run) or a PostgreSQL URL (a new schema
# `crm_bench` in that database each run, left there after the last). BUNDLE=DIR in the environment
# takes that bundle (only read) instead of generating one; QUOTIENT_BIN=FILE takes that binary
# instead of building one (a release build of the commit measured, kept apart from the tree). The
# export is written once into WORKDIR and kept for the next call (remove WORKDIR to write it again).
set -euo pipefail
reps=${1:-100}; years=${2:-3}; runs=${3:-5}; work=${4:-/tmp/quotient-crm-bench}; database=${5:-sqlite}
cd "$(dirname "$0")/.."
if [ -z "${QUOTIENT_BIN:-}" ]; then
  CARGO_BUILD_JOBS=1 nice -n 10 cargo build --release --quiet -p quotient
fi
bin=${QUOTIENT_BIN:-$PWD/target/release/quotient}
mkdir -p "$work"
bundle=${BUNDLE:-$work/bundle-$reps-$years}; export_dir="$work/salesforce-$reps-$years"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
timed() { /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr"; exit 1; }; cat "$work/time"; }
records() { python3 -c "import csv,glob,sys; print(sum(sum(1 for _ in csv.reader(open(f, newline='', encoding='utf-8'))) - 1 for f in sys.argv[1:]))" "$@"; }

if [ -z "${BUNDLE:-}" ] && [ ! -e "$bundle/.complete" ]; then
  rm -rf "$bundle"
  "$bin" demo --reps "$reps" --years "$years" --as-of 2026-11-20 --seed 42 --out "$bundle" >/dev/null
  touch "$bundle/.complete"
fi
if [ ! -e "$export_dir/.complete" ]; then
  rm -rf "$export_dir"
  python3 benches/bundle_to_salesforce.py "$bundle" "$export_dir"
  touch "$export_dir/.complete"
fi
bundle_rows=$(records "$bundle"/*.csv)
crm_rows=$(records "$export_dir"/*.csv)
echo "bundle: $bundle_rows rows, $(du -sh "$bundle" | cut -f1); Salesforce export: $crm_rows records, $(du -sh "$export_dir" | cut -f1)"

# A fresh, empty database for each run, its earlier writes on disk first (the kernel writing them
# back during the next run, or PostgreSQL checkpointing them, would slow it by up to half).
case $database in
  sqlite)
    url="sqlite://$work/bench.db"; backend=SQLite
    fresh() { rm -f "$work"/bench.db*; sync; } ;;
  postgres://* | postgresql://*)
    sep='?'; [[ $database == *\?* ]] && sep='&'
    url="$database${sep}options=-csearch_path%3Dcrm_bench"; backend=PostgreSQL
    fresh() { psql "$database" -qc "DROP SCHEMA IF EXISTS crm_bench CASCADE; CREATE SCHEMA crm_bench" 2>/dev/null; sync; psql "$database" -qc CHECKPOINT; } ;;
  *) echo "DATABASE is sqlite or a postgres:// URL, not $database" >&2; exit 2 ;;
esac

run() { # label, then the import command's arguments
  local label=$1; shift
  local seconds=() kb=()
  for _ in $(seq "$runs"); do
    fresh
    read -r s k < <(timed "$bin" --database-url "$url" import "$@")
    seconds+=("$s"); kb+=("$k")
  done
  local med; med=$(printf '%s\n' "${seconds[@]}" | median)
  local peak; peak=$(printf '%s\n' "${kb[@]}" | sort -n | tail -n 1)
  echo "$label|${seconds[*]}|$med|$peak"
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
IFS='|' read -r _ bundle_runs bundle_s bundle_kb < <(run bundle "$bundle")
# The first run proposed stages.toml beside the export; every run reads it.
IFS='|' read -r _ crm_runs crm_s crm_kb < <(run salesforce --from salesforce "$export_dir")
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
rate() { python3 -c "print(f'{$1 / $2:,.0f}')"; }
echo "| import | rows | runs (s) | median (s) | rows/s | peak memory |"
echo "| --- | --- | --- | --- | --- | --- |"
echo "| bundle into $backend | $bundle_rows | $bundle_runs | $bundle_s | $(rate "$bundle_rows" "$bundle_s") | $((bundle_kb / 1024)) MB |"
echo "| Salesforce export into $backend | $crm_rows | $crm_runs | $crm_s | $(rate "$crm_rows" "$crm_s") | $((crm_kb / 1024)) MB |"
python3 -c "print(f'Salesforce rows/s ÷ bundle rows/s = {($crm_rows / $crm_s) / ($bundle_rows / $bundle_s):.2f}')"
