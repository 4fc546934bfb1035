#!/usr/bin/env bash
# Build benchmark: generates a fleet of N customers (default 100) under DIR
# (default /dev/shm/statusfleet-bench, tmpfs, to measure the generator rather
# than the disk), builds it with the release binary, and reports wall time,
# pages, pages per second and peak RSS; then rebuilds unchanged, then after
# one customer's data changed (the incremental case).
# Usage: benches/bench.sh [N] [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100}"
dir="${2:-/dev/shm/statusfleet-bench}"
command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
cargo build --release --locked -q
rm -rf "$dir"
python3 benches/gen_fleet.py "$n" "$dir"
run() {
  # The phase times (RUST_LOG=statusfleet=debug) give the partner
  # console's share: rendering it, and writing it beside the sites.
  RUST_LOG=statusfleet=debug /usr/bin/time -f "%e %M" -o "$dir/time.txt" "${CARGO_TARGET_DIR:-target}/release/statusfleet" build --offline \
    --config "$dir/statusfleet.yaml" --out "$dir/public" > "$dir/summary.txt" 2> "$dir/phases.txt"
  read -r secs rss_kb < "$dir/time.txt"
  pages=$(grep -o '[0-9]* pages' "$dir/summary.txt" | grep -o '[0-9]*')
  written=$(grep -o '[0-9]* written' "$dir/summary.txt" | grep -o '[0-9]*')
  console_ms=$(python3 -c 'import re,sys; t=open(sys.argv[1]).read(); print(round(sum(float(m) for m in re.findall(r"phase (?:console|publish the console): ([0-9.]+) ms", t))))' "$dir/phases.txt")
  console_files=$(find "$dir/public-console" -type f | wc -l)
  printf '%-10s customers=%s pages=%s written=%s wall=%ss pages/s=%s peak_rss=%sMB console=%sms (%s files)\n' \
    "$1" "$n" "$pages" "$written" "$secs" "$(python3 -c "print(round($pages/max($secs,0.001)))")" "$((rss_kb / 1024))" "$console_ms" "$console_files"
}
run full
run unchanged
# One customer's data changes: only it is rendered and rewritten.
python3 - "$dir/data-files/c00000.json" <<'PY'
import sys
p = sys.argv[1]
t = open(p, encoding="utf-8").read()
open(p, "w", encoding="utf-8").write(t.replace('"taken_at": "2026-11-22T12:00:00Z"', '"taken_at": "2026-11-22T12:05:00Z"', 1))
PY
run one-changed
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(date -u +%F)"
