#!/usr/bin/env bash
# Notifications end to end against real servers on 127.0.0.1 (aiosmtpd
# with STARTTLS and AUTH, HTTP receivers verifying Standard Webhooks
# signatures with the `standardwebhooks` package, Slack blocks validated by
# slack-sdk, Teams cards parsed by the adaptivecards npm package):
# tests/notify/run.py.
# Sets up its venv (target/notify-venv) from requirements.txt on first use.
#
# usage: tests/notify/run.sh STATUSFLEET_BINARY
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/notify-venv
if ! "$venv/bin/python" -c 'import aiosmtpd, standardwebhooks, slack_sdk' 2>/dev/null; then
  echo "== setting up $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r tests/notify/requirements.txt
fi
if [ ! -d tests/node_modules/adaptivecards ]; then
  (cd tests && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
command -v openssl >/dev/null || { echo "needs openssl (apt-get install openssl)" >&2; exit 1; }
"$venv/bin/python" tests/notify/run.py "$(realpath "$1")"
