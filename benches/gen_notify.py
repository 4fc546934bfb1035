#!/usr/bin/env python3
"""Generate the notification benchmark's fleet: N customers, each with
three subscribers (a mail address, a Teams webhook and a signed webhook,
in `subscribers/<slug>.yaml`, as a tool managing them would write them)
and the partner's helpdesk (mail and webhook); the customers' locales
rotate through en, fr-FR, ko-KR and zh-CN.

Usage: gen_notify.py N DIR SMTP_PORT HTTP_PORT PHASE

PHASE `before` writes the config and every customer's snapshot with all
services operational; `after` rewrites the snapshots with one Microsoft
incident (the same id, title and update for every customer, as Graph
reports one incident to every tenant that has the service).
"""
import json
import os
import sys

n, out, smtp, http, phase = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
LOCALES = ["en", "fr-FR", "ko-KR", "zh-CN"]
SERVICES = [
    {"id": "exchange", "name": "Exchange Online", "platform": "microsoft365"},
    {"id": "teams", "name": "Microsoft Teams", "platform": "microsoft365"},
    {"id": "sharepoint", "name": "SharePoint Online", "platform": "microsoft365"},
]
os.makedirs(f"{out}/data-files", exist_ok=True)
os.makedirs(f"{out}/subscribers", exist_ok=True)
H = f"http://127.0.0.1:{http}"
if phase == "before":
    with open(f"{out}/statusfleet.yaml", "w") as f:
        f.write(f"""site:
  title: Service status
  partner: {{ name: Northwind IT }}
  base_url: https://status.example.net/
  locales: [en, fr-FR, ko-KR, zh-CN]
console: {{ enabled: false }}
notifications:
  from: "Northwind Status <status@northwind.example>"
  unsubscribe: "mailto:unsubscribe@northwind.example"
  smtp: {{ host: 127.0.0.1, port: {smtp}, tls: none }}
  partner:
    - email: helpdesk@northwind.example
    - {{ webhook: "{H}/partner", secret_env: BENCH_SECRET }}
customers:
""")
        for k in range(n):
            loc = LOCALES[k % 4]
            f.write(f"  - {{ slug: c{k:05}, name: Customer {k:05}, default_locale: {loc}, locales: [{loc}], sources: [{{ file: {{ path: data-files/c{k:05}.json }} }}] }}\n")
    for k in range(n):
        with open(f"{out}/subscribers/c{k:05}.yaml", "w") as f:
            f.write(f"- email: it@c{k:05}.example\n- teams: {H}/teams/c{k:05}\n- {{ webhook: {H}/hook/c{k:05}, secret_env: BENCH_SECRET }}\n")
incidents = []
health = "operational"
if phase == "after":
    health = "degraded"
    incidents = [{
        "id": "EX1001", "title": "Users may be unable to access their mailboxes",
        "classification": "incident", "status": "investigating", "impact": "degraded",
        "services": ["exchange"], "started_at": "2026-11-30T09:00:00Z",
        "updates": [{"at": "2026-11-30T09:05:00Z", "status": "investigating", "format": "text",
                     "body": "We're reviewing service telemetry to identify the cause of mailbox access failures. Users may be unable to open their mailboxes in Outlook on the web."}],
    }]
for k in range(n):
    services = [dict(s, health=(health if s["id"] == "exchange" else "operational")) for s in SERVICES]
    with open(f"{out}/data-files/c{k:05}.json", "w") as f:
        json.dump({"taken_at": "2026-11-30T09:10:00Z" if phase == "after" else "2026-11-30T08:00:00Z",
                   "services": services, "incidents": incidents}, f)
