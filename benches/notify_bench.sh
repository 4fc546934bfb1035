#!/usr/bin/env bash
# Notification benchmark: N customers (default 10000) with three
# subscribers each (mail, Teams, signed webhook) and the partner's helpdesk,
# under DIR (default /dev/shm/statusfleet-notify-bench, tmpfs). Sets the
# baseline, then one Microsoft incident hits every customer at once, and
# reports:
#   queue   `notify --offline`: events derived, every message rendered (in
#           its subscriber's language) and queued: messages per second;
#   deliver `notify` against local receivers (benches' notify_sink: SMTP
#           and HTTP on 127.0.0.1 that only accept): messages per second;
# each with wall time and peak RSS (GNU time).
# Usage: benches/notify_bench.sh [N] [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"
dir="${2:-/dev/shm/statusfleet-notify-bench}"
command -v /usr/bin/time >/dev/null || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
cargo build --release --locked -q
cargo build --release --locked -q --example notify_sink
rm -rf "$dir"
mkdir -p "$dir"
# The receivers, until their stdin (this script's pipe) closes.
coproc SINK { "${CARGO_TARGET_DIR:-target}/release/examples/notify_sink" 3600; }
read -r smtp_port http_port <&"${SINK[0]}"
python3 benches/gen_notify.py "$n" "$dir" "$smtp_port" "$http_port" before
export BENCH_SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw STATUSFLEET_NOW=2026-11-30T09:10:00Z
run() {
  local name="$1"; shift
  /usr/bin/time -f "%e %M" -o "$dir/time.txt" "${CARGO_TARGET_DIR:-target}/release/statusfleet" notify \
    --config "$dir/statusfleet.yaml" "$@" > "$dir/$name.txt"
  read -r secs rss_kb < "$dir/time.txt"
  echo "$secs $((rss_kb / 1024))"
}
read -r s rss < <(run baseline --offline)
printf '%-9s customers=%s wall=%ss peak_rss=%sMB (%s)\n' baseline "$n" "$s" "$rss" "$(cat "$dir/baseline.txt")"
python3 benches/gen_notify.py "$n" "$dir" "$smtp_port" "$http_port" after
read -r s rss < <(run queue --offline)
queued=$(grep -o '[0-9]* notifications queued' "$dir/queue.txt" | grep -o '^[0-9]*')
printf '%-9s messages=%s wall=%ss messages/s=%s peak_rss=%sMB outbox=%sMB\n' queue "$queued" "$s" \
  "$(python3 -c "print(round($queued/max($s,0.001)))")" "$rss" "$(du -sm "$dir/data/_outbox" | cut -f1)"
read -r s rss < <(run deliver)
sent=$(grep -o '[0-9]* sent' "$dir/deliver.txt" | grep -o '^[0-9]*')
printf '%-9s messages=%s wall=%ss messages/s=%s peak_rss=%sMB (%s)\n' deliver "$sent" "$s" \
  "$(python3 -c "print(round($sent/max($s,0.001)))")" "$rss" "$(head -1 "$dir/deliver.txt")"
exec {SINK[1]}>&-
read -r mails posts <&"${SINK[0]}"
echo "received: $mails mails, $posts posts"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%F)"
