#!/usr/bin/env bash
# CRM import benchmark: a demo bundle, the same data as a Salesforce Data Export
# (benches/bundle_to_salesforce.py), and both imported into SQLite, median of RUNS runs: seconds,
# rows/s and peak memory of `quotient import --from salesforce` against `quotient import`.
#   benches/crm_import.sh [REPS=100] [YEARS=3] [RUNS=5] [WORKDIR=/tmp/quotient-crm-bench]
set -euo pipefail
reps=${1:-100}; years=${2:-3}; runs=${3:-5}; work=${4:-/tmp/quotient-crm-bench}
cd "$(dirname "$0")/.."
cargo build --release --quiet -p quotient
bin=$PWD/target/release/quotient
mkdir -p "$work"; bundle="$work/bundle-$reps-$years"; export_dir="$work/salesforce-$reps-$years"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
timed() { /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr"; exit 1; }; cat "$work/time"; }
records() { python3 -c "import csv,glob,sys; print(sum(sum(1 for _ in csv.reader(open(f, newline='', encoding='utf-8'))) - 1 for f in sys.argv[1:]))" "$@"; }

rm -rf "$bundle" "$export_dir"
"$bin" demo --reps "$reps" --years "$years" --as-of 2026-11-20 --seed 42 --out "$bundle" >/dev/null
python3 benches/bundle_to_salesforce.py "$bundle" "$export_dir"
bundle_rows=$(records "$bundle"/*.csv)
crm_rows=$(records "$export_dir"/*.csv)
echo "bundle: $bundle_rows rows, $(du -sh "$bundle" | cut -f1); Salesforce export: $crm_rows records, $(du -sh "$export_dir" | cut -f1)"

run() { # label, then the import command's arguments
  local label=$1; shift
  local seconds=() kb=()
  for _ in $(seq "$runs"); do
    rm -f "$work"/bench.db*
    sync
    read -r s k < <(timed "$bin" --database-url "sqlite://$work/bench.db" import "$@")
    seconds+=("$s"); kb+=("$k")
  done
  local med; med=$(printf '%s\n' "${seconds[@]}" | median)
  local peak; peak=$(printf '%s\n' "${kb[@]}" | sort -n | tail -n 1)
  echo "$label|${seconds[*]}|$med|$peak"
}

IFS='|' read -r _ bundle_runs bundle_s bundle_kb < <(run bundle "$bundle")
# The first run proposed stages.toml beside the export; every run reads it.
IFS='|' read -r _ crm_runs crm_s crm_kb < <(run salesforce --from salesforce "$export_dir")
rate() { python3 -c "print(f'{$1 / $2:,.0f}')"; }
echo "| import | rows | runs (s) | median (s) | rows/s | peak memory |"
echo "| --- | --- | --- | --- | --- | --- |"
echo "| bundle (SQLite) | $bundle_rows | $bundle_runs | $bundle_s | $(rate "$bundle_rows" "$bundle_s") | $((bundle_kb / 1024)) MB |"
echo "| Salesforce export (SQLite) | $crm_rows | $crm_runs | $crm_s | $(rate "$crm_rows" "$crm_s") | $((crm_kb / 1024)) MB |"
python3 -c "print(f'Salesforce rows/s ÷ bundle rows/s = {($crm_rows / $crm_s) / ($bundle_rows / $bundle_s):.2f}')"
