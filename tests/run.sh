#!/usr/bin/env bash
# Every test, as the README's quick start runs them:
#   1. cargo test: unit, end-to-end, snapshot and fetch-against-mock tests;
#   2. the output validators (feedparser, icalendar, jsonschema, vnu) on the
#      demo site, and their self-test (tests/validate/run.sh);
#   3. the XSS detector (tests/browser/xss.mjs) on the site tests/it/xss.rs
#      built with every payload in every field, and its self-test;
#   4. the browser suite (playwright-core + axe-core in Debian's chromium) on
#      the demo site, and its self-test (tests/browser/suite.mjs); the same
#      checks on the partner console beside it (tests/browser/console.mjs);
#   5. notifications against a real SMTP server and webhook receivers
#      (tests/notify/run.sh: aiosmtpd, standardwebhooks, slack-sdk in its own
#      venv; Teams cards parsed by the adaptivecards npm package);
#   6. a site made by `statusfleet init` (branding, logos): the validators and
#      the browser suite; then `statusfleet serve` driven in chromium
#      (tests/browser/serve.mjs);
#   7. the README's hosting and scheduling recipes, tried for real
#      (tests/recipes/run.sh: installs nginx, caddy, rclone, shellcheck and
#      a venv with moto, the aws CLI and kubernetes-validate itself).
# Sets up its Python venv and npm packages itself; system packages (java,
# python3-venv, chromium, fonts-noto-cjk) come from .ci/run or the machine.
#
# usage: tests/run.sh [SITE_DIR]   (default: build the demo into a temp dir)
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/stages.sh
trap stages_report EXIT

stage "cargo test"
cargo test --locked

site="${1:-}"
if [ -z "$site" ]; then
  tmp="$(mktemp -d)"
  stages_cleanup+=("$tmp")
  site="$tmp/public"
  cargo run --locked -q -- build --offline --out "$site"
fi
if [ ! -d tests/node_modules/playwright-core ] || [ ! -d tests/node_modules/axe-core ] \
  || [ ! -f tests/node_modules/vnu-jar/build/dist/vnu.jar ] || [ ! -d tests/node_modules/adaptivecards ]; then
  echo "== npm ci (tests/package-lock.json)"
  (cd tests && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi

stage "output validators (feedparser, icalendar, jsonschema, vnu)"
tests/validate/run.sh "$site"

stage "XSS detector (chromium) on the payload site tests/it/xss.rs built"
target="$(cargo metadata --format-version 1 --no-deps --locked \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
[ -x /usr/bin/chromium ] || { echo "needs /usr/bin/chromium (apt-get install chromium fonts-noto-cjk)" >&2; exit 1; }
node tests/browser/xss.mjs "$target/tmp/xss-site/public"
node tests/browser/xss.mjs "$target/tmp/xss-site/public" --self-test

stage "browser suite (chromium, playwright-core, axe-core)"
[ -x /usr/bin/chromium ] || { echo "needs /usr/bin/chromium (apt-get install chromium fonts-noto-cjk)" >&2; exit 1; }
node tests/browser/suite.mjs "$site"
node tests/browser/suite.mjs "$site" --self-test
stage "partner console in chromium (axe, links, screenshots)"
node tests/browser/console.mjs "$site-console"
node tests/browser/console.mjs "$site-console" --self-test

stage "notifications: aiosmtpd (STARTTLS, AUTH), webhook receivers, standardwebhooks, faults"
tests/notify/run.sh "$target/debug/statusfleet"

stage "a new site from statusfleet init: validators and browser suite"
bin="$target/debug/statusfleet"
fresh="$(mktemp -d)"
"$bin" init "$fresh/site" >/dev/null
(cd "$fresh/site" && "$bin" build --offline)
target/validate-venv/bin/python tests/validate/validate.py "$fresh/site/public" --vnu tests/node_modules/vnu-jar/build/dist/vnu.jar
node tests/browser/suite.mjs "$fresh/site/public" --one-history-page --screenshots="$target/screenshots-init"
rm -rf "$fresh"

stage "statusfleet serve in chromium: live reload, build errors, recovery"
node tests/browser/serve.mjs "$bin"

stage "hosting and scheduling recipes: systemd, cron, actionlint, kubernetes-validate, nginx, caddy, S3 publish order"
tests/recipes/run.sh "$bin"
