#!/usr/bin/env bash
# One large customer, side by side with Zola on the same incidents.
#
# For N incidents (1,000, 10,000, 40,000) and 1 or 4 locales, generates the
# customer (benches/gen_large.py) and the same incidents as a Zola site
# (benches/zola_adapter.py), then builds each with each tool, interleaved,
# ROUNDS times (default 3), output on tmpfs, and prints the median wall time
# and peak RSS of each and the ratio (Zola's wall time / statusfleet's).
#
# Zola is built from source here, never in CI: ZOLA_SRC is a checkout of
# Zola (default: the mirror the tool library fetches, at tag v0.22.1), built
# with its own release profile (LTO) into /work/zola-target; or set ZOLA to
# a zola binary to use.
#
# usage: benches/vs_zola.sh [N...]      (default: 1000 10000 40000)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
if [ $# -eq 0 ]; then sizes=(1000 10000 40000); else sizes=("$@"); fi
rounds="${ROUNDS:-3}"
work="${WORK:-/dev/shm/statusfleet-vs-zola}"
if [ -z "${ZOLA:-}" ]; then
  src="${ZOLA_SRC:-/work/.mirror/getzola+zola/repo}"
  tree=/work/zola-src
  if [ ! -d "$tree" ]; then
    # Without docs/: the mirror may lack its screenshots.
    git clone -q --no-checkout "$src" "$tree"
    git -C "$tree" checkout -q v0.22.1 -- . ':!docs'
  fi
  CARGO_TARGET_DIR=/work/zola-target cargo build --release --manifest-path "$tree/Cargo.toml" -q
  ZOLA=/work/zola-target/release/zola
fi
# BIN=<binary> measures that one instead of building this checkout.
if [ -z "${BIN:-}" ]; then
  cargo build --release --locked -q
fi
sf="${BIN:-${CARGO_TARGET_DIR:-target}/release/statusfleet}"
"$ZOLA" --version
mkdir -p "$work"
measure() { # label out-file command…
  local label=$1 out=$2; shift 2
  /usr/bin/time -f "%e %M" -o "$out" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '%-22s %10s %10s %8s %14s %12s\n' "work" "statusfleet s" "Zola s" "ratio" "RSS sf MiB" "RSS Zola MiB"
for n in "${sizes[@]}"; do
  for l in 1 4; do
    d="$work/sf-$n-$l"; z="$work/zola-$n-$l"
    rm -rf "$d" "$z"
    python3 benches/gen_large.py "$n" "$l" "$d"
    python3 benches/zola_adapter.py "$d/data-files/big.json" "$l" "$z"
    : > "$work/sf.txt"; : > "$work/zola.txt"
    for _ in $(seq "$rounds"); do
      rm -rf "$d/public" "$d/public-console"
      measure sf "$work/t" "$sf" build --offline --config "$d/statusfleet.yaml" --out "$d/public"
      cat "$work/t" >> "$work/sf.txt"
      rm -rf "$z/public"
      (cd "$z" && measure zola "$work/t" "$ZOLA" build --output-dir public)
      cat "$work/t" >> "$work/zola.txt"
    done
    sf_s=$(cut -d' ' -f1 "$work/sf.txt" | median); zola_s=$(cut -d' ' -f1 "$work/zola.txt" | median)
    sf_m=$(cut -d' ' -f2 "$work/sf.txt" | median); zola_m=$(cut -d' ' -f2 "$work/zola.txt" | median)
    printf '%-22s %10s %10s %7.2fx %14s %12s\n' "$n incidents, $l locale(s)" "$sf_s" "$zola_s" \
      "$(python3 -c "print($zola_s/$sf_s)")" "$((sf_m / 1024))" "$((zola_m / 1024))"
  done
done
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%F)"
