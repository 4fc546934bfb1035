#!/usr/bin/env bash
# Checks the demo site's feeds, calendars, JSON API, badges, sitemaps and
# every HTML page with real, independent parsers (feedparser, icalendar,
# jsonschema, the W3C Nu HTML Checker), then checks that those validators
# catch deliberately broken copies of the site.
#
# usage: tests/validate/run.sh [SITE_DIR]   (default: build the demo)
# Sets itself up on first use: a Python venv under target/ with
# requirements.txt, and tests/node_modules with vnu-jar (needs `java`).
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=target/validate-venv
if ! "$venv/bin/python" -c 'import feedparser, icalendar, jsonschema' 2>/dev/null; then
  echo "== setting up $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r tests/validate/requirements.txt
fi
jar=tests/node_modules/vnu-jar/build/dist/vnu.jar  # installed by npm ci in tests/
if [ ! -f "$jar" ]; then
  echo "== installing vnu-jar (npm ci)"
  (cd tests && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
command -v java >/dev/null || { echo "java is needed for vnu.jar (apt-get install default-jre-headless)" >&2; exit 1; }

site="${1:-}"
if [ -z "$site" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  site="$tmp/public"
  cargo run --locked -q -- build --offline --out "$site"
fi
"$venv/bin/python" tests/validate/validate.py "$site" --vnu "$jar"
"$venv/bin/python" tests/validate/test_validate.py "$site" --vnu "$jar"
