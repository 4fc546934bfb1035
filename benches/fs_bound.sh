#!/usr/bin/env bash
# The file-system bound beside a full build: builds the fleet of
# benches/gen_fleet.py (N customers, 4 locales) into DIR on tmpfs, then
# writes the same files (same folders, same sizes) with
# examples/fs_writer.rs, the least any generator of that site can do;
# ROUNDS times, interleaved; prints the medians and the build's speed as a
# fraction of the writer's (writer seconds / build seconds).
#
# With BIN=path/to/statusfleet, that binary is measured (no build).
#
# Usage: benches/fs_bound.sh [N=1000] [DIR=/dev/shm/statusfleet-fsbound] [ROUNDS=3]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000}"
dir="${2:-/dev/shm/statusfleet-fsbound}"
rounds="${3:-3}"
command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
cargo build --release --locked -q --example fs_writer
if [ -z "${BIN:-}" ]; then
  cargo build --release --locked -q
fi
target="${CARGO_TARGET_DIR:-target}"
bin="${BIN:-$target/release/statusfleet}"
rm -rf "$dir"
python3 benches/gen_fleet.py "$n" "$dir" > /dev/null
echo "fleet: $n customers × 4 locales; load $(cut -d' ' -f1-3 /proc/loadavg)"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
: > "$dir/build.txt"; : > "$dir/writer.txt"
for r in $(seq "$rounds"); do
  rm -rf "$dir/public" "$dir/.public."* "$dir/public-console" "$dir/.public-console."*
  /usr/bin/time -f "%e %M" -o "$dir/time.txt" "$bin" build --offline -q \
    --config "$dir/statusfleet.yaml" --out "$dir/public" > /dev/null
  cut -d' ' -f1 "$dir/time.txt" >> "$dir/build.txt"
  rm -rf "$dir/copy"
  line=$("$target/release/examples/fs_writer" "$dir/public" "$dir/copy")
  secs=$(grep -o 'in [0-9.]* s' <<<"$line" | grep -o '[0-9.]*')
  echo "$secs" >> "$dir/writer.txt"
  echo "round $r: build $(cut -d' ' -f1 "$dir/time.txt") s (peak $(( $(cut -d' ' -f2 "$dir/time.txt") / 1024 )) MiB); $line; load $(cut -d' ' -f1 /proc/loadavg)"
done
b=$(median < "$dir/build.txt"); w=$(median < "$dir/writer.txt")
echo "median: build $b s, writer $w s: the build runs at $(python3 -c "print(f'{100*$w/$b:.1f}')") % of the file-system bound"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(date -u +%F)"
