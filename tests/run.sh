#!/usr/bin/env bash
# Every test, as the README's quick start runs them: the Rust suite (unit,
# end-to-end, snapshot, fetch-against-mock), then the independent output
# validators on the demo site. Sets up its Python and npm tools itself
# (tests/validate/run.sh); system packages (java, python3-venv) come from
# .ci/run or the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== cargo test"
cargo test --locked
echo "== output validators (feedparser, icalendar, jsonschema, vnu)"
tests/validate/run.sh "$@"
