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
# Counting 2 GB of records takes minutes: kept in WORKDIR for the next call.
counted() { local file="$work/.records-$(basename "$1")"; [ -s "$file" ] || records "$1"/*.csv > "$file"; cat "$file"; }
bundle_rows=$(counted "$bundle")
crm_rows=$(counted "$export_dir")
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

# Runs one import RUNS times into a fresh database; sets run_seconds, run_median and run_peak_kb.
# A failed run stops the benchmark with the import's output and how it ended.
run() { # label, then the import command's arguments
  local label=$1; shift
  local seconds=() kb=() s k
  for _ in $(seq "$runs"); do
    fresh
    if ! /usr/bin/time -f "%e %M" -o "$work/time" "$bin" --database-url "$url" import "$@" >/dev/null 2>"$work/stderr"; then
      echo "$label: the import failed" >&2; cat "$work/stderr" "$work/time" >&2; exit 1
    fi
    read -r s k < <(tail -n 1 "$work/time")
    seconds+=("$s"); kb+=("$k")
  done
  run_seconds="${seconds[*]}"
  run_median=$(printf '%s\n' "${seconds[@]}" | median)
  run_peak_kb=$(printf '%s\n' "${kb[@]}" | sort -n | tail -n 1)
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
run bundle "$bundle"
bundle_runs=$run_seconds; bundle_s=$run_median; bundle_kb=$run_peak_kb
# The first run proposed stages.toml beside the export; every run reads it.
run salesforce --from salesforce "$export_dir"
crm_runs=$run_seconds; crm_s=$run_median; crm_kb=$run_peak_kb
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
rate() { python3 -c "print(f'{$1 / $2:,.0f}')"; }
echo "| import | rows | runs (s) | median (s) | rows/s | peak memory |"
echo "| --- | --- | --- | --- | --- | --- |"
echo "| bundle into $backend | $bundle_rows | $bundle_runs | $bundle_s | $(rate "$bundle_rows" "$bundle_s") | $((bundle_kb / 1024)) MB |"
echo "| Salesforce export into $backend | $crm_rows | $crm_runs | $crm_s | $(rate "$crm_rows" "$crm_s") | $((crm_kb / 1024)) MB |"
python3 -c "print(f'Salesforce rows/s ÷ bundle rows/s = {($crm_rows / $crm_s) / ($bundle_rows / $bundle_s):.2f}')"
