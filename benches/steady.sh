#!/usr/bin/env bash
# Steady-state benchmark: a fleet whose customers hold two years of mostly
# shared history (benches/gen_steady.py), built whole, then ROUNDS times the
# change a steady-state fetch brings (one new update to one incident every
# customer shares, data five minutes newer) and the rebuild, then once a new
# incident every customer shares and the rebuild, then once the oldest
# shared incident ageing out of the history window (the data a day or two
# on) and the rebuild. Reports, per
# build: wall time, peak RSS, files written, pages and feeds kept without rendering.
#
# With BIN=path/to/statusfleet, that binary is measured (no build). With
# BEFORE=path/to/an/older/statusfleet, the same builds run with that
# binary too, into its own output, interleaved with this one's (the same
# data, the same moment), so the two compare under the same load.
#
# Usage: benches/steady.sh [N=100] [INCIDENTS=3000] [DIR=/dev/shm/statusfleet-steady] [ROUNDS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100}"
incidents="${2:-3000}"
dir="${3:-/dev/shm/statusfleet-steady}"
rounds="${4:-3}"
command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
# BIN=<binary> measures that one instead of building this checkout.
if [ -z "${BIN:-}" ]; then
  cargo build --release --locked -q
fi
bin="${BIN:-${CARGO_TARGET_DIR:-target}/release/statusfleet}"
rm -rf "$dir"
python3 benches/gen_steady.py "$n" "$incidents" "$dir"
echo "fleet: $n customers × 4 locales, $(du -sh "$dir/data-files" | cut -f1) of snapshots; load $(cut -d' ' -f1-3 /proc/loadavg)"
run() { # label binary out
  /usr/bin/time -f "%e %M" -o "$dir/time.txt" "$2" build --offline \
    --config "$dir/statusfleet.yaml" --out "$dir/$3" > "$dir/summary.txt"
  read -r secs rss_kb < "$dir/time.txt"
  local line
  line=$(grep '^built ' "$dir/summary.txt")
  pages=$(grep -o '[0-9]* pages (' <<<"$line" | grep -o '[0-9]*')
  written=$(grep -o '[0-9]* written' <<<"$line" | grep -o '[0-9]*')
  kept=$(grep -o '[0-9]* pages and feeds kept' <<<"$line" | grep -o '[0-9]*' || echo 0)
  printf '%-18s wall=%6.2fs peak_rss=%5sMB pages=%s written=%s kept_unrendered=%s load=%s\n' \
    "$1" "$secs" "$((rss_kb / 1024))" "$pages" "$written" "${kept:-0}" "$(cut -d' ' -f1 /proc/loadavg)"
}
run full "$bin" public
[ -n "${BEFORE:-}" ] && run full-before "$BEFORE" public-before
echo "output: $(du -sh "$dir/public" | cut -f1), $(find "$dir/public" -type f | wc -l) files"
for r in $(seq "$rounds"); do
  python3 benches/gen_steady.py --update "$dir"
  run "steady-$r" "$bin" public
  [ -n "${BEFORE:-}" ] && run "steady-$r-before" "$BEFORE" public-before
done
# The other common run: a new incident every customer shares.
python3 benches/gen_steady.py --new "$dir"
run new-incident "$bin" public
[ -n "${BEFORE:-}" ] && run new-incident-before "$BEFORE" public-before
# And the other end: the oldest incident ages out of the window.
python3 benches/gen_steady.py --age "$dir"
run aged-out "$bin" public
[ -n "${BEFORE:-}" ] && run aged-out-before "$BEFORE" public-before
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(date -u +%F)"
