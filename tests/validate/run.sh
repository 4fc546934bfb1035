#!/usr/bin/env bash
# Checks the demo site's feeds, calendars, JSON API, badges, sitemaps and
# every HTML page with real, independent parsers (feedparser, icalendar,
# jsonschema, the W3C Nu HTML Checker), then checks that those validators
# catch deliberately broken copies of the site. Then checks every formatted
# time, duration, percentage, day label and list against an independent
# CLDR implementation (Babel, and ICU4C through Debian's python3-icu), with
# its self-test.
#
# usage: tests/validate/run.sh [SITE_DIR]   (default: build the demo)
# Sets itself up on first use: a Python venv under target/ with
# requirements.txt, and tests/node_modules with vnu-jar (needs `java`); a
# second venv of the system's python3 for the CLDR check, with
# requirements-cldr.txt (needs python3-icu).
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

cldr_venv=target/cldr-venv
if ! "$cldr_venv/bin/python" -c 'import babel, icu' 2>/dev/null; then
  /usr/bin/python3 -c 'import icu' 2>/dev/null \
    || { echo "the CLDR check needs ICU4C for Python (apt-get install python3-icu)" >&2; exit 1; }
  echo "== setting up $cldr_venv"
  rm -rf "$cldr_venv"
  /usr/bin/python3 -m venv --system-site-packages "$cldr_venv"
  "$cldr_venv/bin/pip" install -q --disable-pip-version-check -r tests/validate/requirements-cldr.txt
fi

site="${1:-}"
if [ -z "$site" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  site="$tmp/public"
  cargo run --locked -q -- build --offline --out "$site"
fi
"$venv/bin/python" tests/validate/validate.py "$site" --vnu "$jar"
"$venv/bin/python" tests/validate/test_validate.py "$site" --vnu "$jar"
"$cldr_venv/bin/python" tests/validate/cldr.py "$site"
"$cldr_venv/bin/python" tests/validate/cldr.py "$site" --self-test
