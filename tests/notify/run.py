#!/usr/bin/env python3
"""Notifications end to end, against real servers on 127.0.0.1:

- aiosmtpd (STARTTLS required, AUTH required) receives the mail; Python's
  `email` package parses it: headers, both parts, language, threading,
  links that resolve to built pages;
- an HTTP receiver takes the Teams, Slack and webhook posts; webhooks are
  verified with the `standardwebhooks` package (and a tampered body is
  rejected); Teams and Slack payloads are checked against the shapes
  their documentation gives;
- a scripted sequence of snapshots (baseline -> new incident -> 2 updates
  -> resolved -> maintenance) gives exactly the expected messages, in
  en, fr-FR, ko-KR and zh-CN, and none to another customer's subscriber;
- faults: SMTP 451, an untrusted TLS certificate, webhook 429 with
  Retry-After, 500, connection refused: nothing lost, retried on a later
  run under the same id, reported in the summary and exit code;
- script and HTML in upstream text stay text in every channel.

usage: tests/notify/run.py STATUSFLEET_BINARY
"""
import email
import email.policy
import http.server
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
import ssl
import standardwebhooks
from slack_sdk.models.blocks import Block

BIN = sys.argv[1]
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
BASE = "https://status.example.net/"
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL", what)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


# --- SMTP ---------------------------------------------------------------
class Handler:
    def __init__(self):
        self.mails = []
        self.fail = False
        self.refuse = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.fail:
            return "451 4.3.0 Try again later"
        self.mails.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


def auth(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"status" and auth_data.password == b"s3cret"
    return AuthResult(success=ok)


tmp = Path(tempfile.mkdtemp(prefix="statusfleet-notify-"))
def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=tmp)


# A CA (what the config trusts) and the server's certificate it signs.
openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=statusfleet test CA",
        "-keyout", "ca.key", "-out", "cert.pem")
openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "key.pem", "-out", "server.csr")
(tmp / "ext.cnf").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
openssl("x509", "-req", "-in", "server.csr", "-CA", "cert.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-days", "2", "-extfile", "ext.cnf", "-out", "server.pem")
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(tmp / "server.pem", tmp / "key.pem")
handler = Handler()
smtp_port = free_port()
controller = Controller(handler, hostname="127.0.0.1", port=smtp_port, tls_context=ctx,
                        require_starttls=True, authenticator=auth, auth_required=True,
                        auth_require_tls=True)
controller.start()

# --- HTTP ---------------------------------------------------------------
posts = []
flaky = {"n": 0, "on": False}
slow = {"on": False}


class Receiver(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        if self.path == "/teams" and slow["on"]:
            time.sleep(4)  # past notifications.timeout_seconds
        if self.path == "/hook" and flaky["on"]:
            flaky["n"] += 1
            if flaky["n"] == 1:
                self.send_response(429)
                self.send_header("Retry-After", "120")
                self.end_headers()
                return
            if flaky["n"] == 2:
                self.send_response(500)
                self.end_headers()
                self.wfile.write(b"upstream trouble")
                return
        posts.append((self.path, dict(self.headers), body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")


def serve(port):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


http_port = free_port()
httpd = serve(http_port)
# Slack is served apart, so it can be stopped (connection refused).
slack_port = free_port()
slack_httpd = serve(slack_port)

# --- the site -----------------------------------------------------------
site = tmp / "site"
(site / "snap").mkdir(parents=True)
(site / "subscribers").mkdir()
H = f"http://127.0.0.1:{http_port}"


def config(ca=True, fabrikam_hook="/fab"):
    ca_line = f"    ca_file: {tmp / 'cert.pem'}\n" if ca else ""
    return f"""site:
  title: Service status
  partner: {{ name: Northwind IT }}
  base_url: {BASE}
  locales: [en]
notifications:
  timeout_seconds: 2
  from: "Northwind Status <status@northwind.example>"
  unsubscribe: "mailto:unsubscribe@northwind.example"
  smtp:
    host: 127.0.0.1
    port: {smtp_port}
    tls: starttls
    username: status
    password_env: NOTIFY_SMTP_PASSWORD
{ca_line}  partner:
    - webhook: {H}/partner
      secret_env: NOTIFY_SECRET
customers:
  - slug: contoso
    name: Contoso Markerco
    locales: [en, fr-FR, ko-KR, zh-CN]
    sources: [{{ file: {{ path: snap/contoso.yaml }} }}]
    subscribers:
      - email: it@contoso.example
      - email: it-fr@contoso.example
        locale: fr-FR
      - email: it-ko@contoso.example
        locale: ko-KR
      - email: it-zh@contoso.example
        locale: zh-CN
      - teams: {H}/teams
      - slack: http://127.0.0.1:{slack_port}/slack
      - webhook: {H}/hook
        secret_env: NOTIFY_SECRET
  - slug: fabrikam
    name: Fabrikam Markerfab
    sources: [{{ file: {{ path: snap/fabrikam.yaml }} }}]
"""


(site / "subscribers" / "fabrikam.yaml").write_text(
    f"- webhook: {H}{'/fab'}\n  secret_env: NOTIFY_SECRET\n- email: it@fabrikam.example\n")
(site / "statusfleet.yaml").write_text(config())

SERVICES = """services:
  - { id: exchange, name: Exchange Online, health: HEALTH, platform: microsoft365 }
  - { id: teams, name: Microsoft Teams, health: operational, platform: microsoft365 }
"""


def snapshot(slug, taken, incidents="", maintenance="", health="operational"):
    text = f"taken_at: {taken}\n" + SERVICES.replace("HEALTH", health)
    text += "incidents:\n" + (incidents or "  []\n")
    text += "maintenance:\n" + (maintenance or "  []\n")
    (site / "snap" / f"{slug}.yaml").write_text(text)


def incident(status, updates, ended=""):
    u = "".join(f"""      - at: {at}
        body: "{body}"
""" for at, body in updates)
    return f"""  - id: EX900101
    title: "Contoso Markerco mail delayed <script>alert(1)</script>"
    classification: incident
    status: {status}
    services: [exchange]
    started_at: 2026-11-30T09:00:00Z
{ended}    updates:
{u}"""


env = dict(os.environ, NOTIFY_SMTP_PASSWORD="s3cret", NOTIFY_SECRET=SECRET)


def run(*args, now="2026-11-30T10:00:00Z", expect=None):
    e = dict(env, STATUSFLEET_NOW=now)
    p = subprocess.run([BIN, *args], cwd=site, env=e, capture_output=True, text=True, timeout=120)
    print("$ statusfleet", " ".join(args), "->", p.returncode)
    print(p.stdout.strip())
    if p.stderr.strip():
        print(p.stderr.strip())
    if expect is not None:
        check(p.returncode == expect, f"`{' '.join(args)}` exit {p.returncode}, expected {expect}: {p.stderr}")
    return p


def take():
    """Everything received since the last call."""
    global posts
    mails = [(r, email.message_from_bytes(c, policy=email.policy.default)) for r, c in handler.mails]
    handler.mails = []
    got, posts = posts, []
    return mails, got


out = site / "public"


def page_exists(url):
    assert url.startswith(BASE), url
    rel = url[len(BASE):].split("#")[0]
    return (out / rel).is_file()


# 0: baseline. Nothing is sent for history.
snapshot("contoso", "2026-11-30T08:00:00Z")
snapshot("fabrikam", "2026-11-30T08:00:00Z")
run("build", "--out", "public", expect=0)
mails, hooks = take()
check(not mails and not hooks, f"baseline sent {len(mails)} mails, {len(hooks)} posts")

threads = {}
card_files = []
steps = [
    ("new incident", "2026-11-30T09:10:00Z",
     incident("investigating", [("2026-11-30T09:05:00Z", "We're investigating <img src=x onerror=alert(1)> delays.")]),
     "incident.new"),
    ("two updates", "2026-11-30T10:10:00Z",
     incident("identified", [("2026-11-30T09:05:00Z", "We're investigating <img src=x onerror=alert(1)> delays."),
                             ("2026-11-30T09:40:00Z", "We identified a configuration change."),
                             ("2026-11-30T10:00:00Z", "We're rolling back the change.")]),
     "incident.update"),
    ("resolved", "2026-11-30T11:10:00Z",
     incident("resolved", [("2026-11-30T09:05:00Z", "We're investigating <img src=x onerror=alert(1)> delays."),
                           ("2026-11-30T09:40:00Z", "We identified a configuration change."),
                           ("2026-11-30T10:00:00Z", "We're rolling back the change."),
                           ("2026-11-30T11:00:00Z", "The change was rolled back; mail flows normally.")],
              ended="    ended_at: 2026-11-30T11:00:00Z\n"),
     "incident.state"),
]
last_incident = steps[-1][2]
MAINT = """  - id: MC1001
    title: Exchange Online upgrade
    services: [exchange]
    starts_at: 2026-12-05T22:00:00Z
    ends_at: 2026-12-06T02:00:00Z
    status: scheduled
    body: "The service is upgraded; short reconnects are expected."
"""
steps.append(("maintenance", "2026-11-30T12:10:00Z", last_incident, "maintenance.new"))
expected_rcpts = {"it@contoso.example", "it-fr@contoso.example", "it-ko@contoso.example", "it-zh@contoso.example"}
lang_of = {"it@contoso.example": "en", "it-fr@contoso.example": "fr-FR",
           "it-ko@contoso.example": "ko-KR", "it-zh@contoso.example": "zh-CN"}
for name, taken, inc, kind in steps:
    snapshot("contoso", taken, inc, MAINT if kind == "maintenance.new" else "",
             health="partial_outage" if kind in ("incident.new", "incident.update") else "operational")
    snapshot("fabrikam", taken)
    run("build", "--out", "public", now=taken, expect=0)
    mails, hooks = take()
    rcpts = sorted(r[0] for r, _ in mails)
    check(sorted(rcpts) == sorted(expected_rcpts), f"{name}: mail to {rcpts}")
    paths = sorted(p for p, _, _ in hooks)
    check(paths == ["/hook", "/partner", "/slack", "/teams"], f"{name}: posts to {paths}")
    for (r,), m in [((x[0],), y) for x, y in mails]:
        lang = lang_of[r]
        check(m["Content-Language"] == lang, f"{name}: {r}: Content-Language {m['Content-Language']}")
        check(m["List-Unsubscribe"] == "<mailto:unsubscribe@northwind.example>", f"{name}: List-Unsubscribe {m['List-Unsubscribe']}")
        check(re.fullmatch(r"<[0-9a-f]{32}@northwind\.example>", m["Message-ID"] or "") is not None, f"{name}: Message-ID {m['Message-ID']}")
        check(m.get_content_type() == "multipart/alternative", f"{name}: {m.get_content_type()}")
        text = m.get_body(("plain",)).get_content()
        html = m.get_body(("html",)).get_content()
        check("Fabrikam" not in str(m) and "Markerfab" not in text + html, f"{name}: another customer's name in {r}'s mail")
        check("<script" not in html and "onerror=" not in html.replace("onerror=alert(1)&gt;", ""),
              f"{name}: executable markup in the HTML part")
        check(f'lang="{lang}"' in html, f"{name}: html lang")
        for url in re.findall(r'href="(https://status\.example\.net/[^"]*)"', html):
            check(page_exists(url.replace("&amp;", "&")), f"{name}: {r}: link {url} leads to no built page")
        if kind.startswith("incident"):
            check(m["References"] is not None, f"{name}: no References")
            threads.setdefault(r, set()).add(m["References"])
        check("Contoso Markerco" in text, f"{name}: the customer's name is not in the text part")
    for path, headers, body in hooks:
        data = json.loads(body)
        check("Markerfab" not in body.decode(), f"{name}: {path}: another customer's name")
        if path in ("/hook", "/partner"):
            wh = standardwebhooks.Webhook(SECRET)
            try:
                wh.verify(body, headers)
            except Exception as e:
                check(False, f"{name}: {path}: signature does not verify: {e}")
            try:
                wh.verify(body.replace(b"Contoso", b"Kontoso"), headers)
                check(False, f"{name}: {path}: a tampered body verifies")
            except standardwebhooks.WebhookVerificationError:
                pass
            check(headers["webhook-id"] == "msg_" + data["id"].removeprefix("msg_"), f"{name}: webhook-id {headers['webhook-id']}")
            check(data["type"] == "statusfleet.notification" and data["schema"] == 1, f"{name}: webhook type/schema")
            kinds = sorted({e["kind"] for e in data["events"]})
            check(kind in kinds, f"{name}: {path}: kinds {kinds}")
            for e in data["events"]:
                check(e["customer"]["slug"] == "contoso", f"{name}: event of {e['customer']['slug']}")
                check(page_exists(e["subject"]["url"]), f"{name}: {path}: url {e['subject']['url']}")
        elif path == "/teams":
            card_files.append(body)
            check(data["type"] == "message" and len(data["attachments"]) == 1, f"{name}: teams envelope")
            card = data["attachments"][0]
            check(card["contentType"] == "application/vnd.microsoft.card.adaptive", f"{name}: teams contentType")
            c = card["content"]
            check(c["type"] == "AdaptiveCard" and c["version"] in ("1.2", "1.3", "1.4", "1.5"), f"{name}: card type/version")
            check(all(b["type"] in ("TextBlock", "FactSet") for b in c["body"]), f"{name}: card element types")
            check(all("text" in b for b in c["body"] if b["type"] == "TextBlock"), f"{name}: TextBlock without text")
            check(all(a["type"] == "Action.OpenUrl" and page_exists(a["url"]) for a in c["actions"]), f"{name}: card actions")
            check(len(body) <= 28 * 1024, f"{name}: card over 28 KB")
            check("<script" not in json.dumps(c) or "\\\\<script" in json.dumps(c), f"{name}: card text unescaped")
        elif path == "/slack":
            check(isinstance(data["text"], str) and data["blocks"], f"{name}: slack text/blocks")
            # Slack's own SDK parses the blocks and checks their limits.
            for b in Block.parse_all(data["blocks"]):
                try:
                    b.validate_json()
                except Exception as e:
                    check(False, f"{name}: slack-sdk refuses a {b.type} block: {e}")
            check(len(data["blocks"]) <= 50, f"{name}: more than 50 blocks")
            for b in data["blocks"]:
                check(b["type"] in ("header", "section", "divider", "context"), f"{name}: block {b['type']}")
                if b["type"] == "header":
                    check(b["text"]["type"] == "plain_text" and len(b["text"]["text"]) <= 150, f"{name}: header")
                if b["type"] == "section":
                    check(len(b["text"]["text"]) <= 3000, f"{name}: section over 3000")
                    check("<script" not in b["text"]["text"], f"{name}: slack mrkdwn unescaped")
# Microsoft's Adaptive Cards library parses every card Teams received.
cards_dir = tmp / "teams-cards"
cards_dir.mkdir()
for i, b in enumerate(card_files):
    (cards_dir / f"card-{i}.json").write_bytes(b)
check(len(card_files) == len(steps), f"{len(card_files)} Teams cards for {len(steps)} steps")
p = subprocess.run(["node", str(Path(__file__).parent / "cards.mjs"), str(cards_dir)], capture_output=True, text=True)
print(p.stdout.strip())
check(p.returncode == 0, f"adaptivecards: {p.stdout}{p.stderr}")
# ... and the checker fails a card the library does not understand.
bad_dir = tmp / "bad-cards"
bad_dir.mkdir()
bad = json.loads(card_files[0])
bad["attachments"][0]["content"]["lang"] = "fr-FR"
bad["attachments"][0]["content"]["body"].append({"type": "Carousel3D"})
(bad_dir / "bad.json").write_text(json.dumps(bad))
p = subprocess.run(["node", str(Path(__file__).parent / "cards.mjs"), str(bad_dir)], capture_output=True, text=True)
check(p.returncode == 1 and "lang" in p.stdout and "Carousel3D" in p.stdout,
      f"the card checker passed a broken card: {p.stdout}")
# One thread per subscriber for the whole incident.
for r, refs in threads.items():
    check(len(refs) == 1, f"{r}: the incident's mails are in {len(refs)} threads")
check(set(threads) == expected_rcpts, f"threads for {sorted(threads)}")

# Dry run: files for review, nothing sent, the outbox unchanged.
outbox = site / "data" / "_outbox" / "contoso.json"
before = outbox.read_bytes()
snapshot("contoso", "2026-11-30T13:10:00Z", last_incident.replace("status: resolved", "status: postmortem"), MAINT)
review = tmp / "review"
run("notify", "--dry-run", str(review), now="2026-11-30T13:10:00Z", expect=0)
files = sorted(p.name.split("-")[0] + p.suffix for p in (review / "contoso").iterdir())
check(files.count("email.eml") == 4 and "webhook.json" in files, f"dry run wrote {files}")
check(outbox.read_bytes() == before, "dry run changed the outbox")
mails, hooks = take()
check(not mails and not hooks, "dry run sent something")
for f in (review / "contoso").glob("*.eml"):
    m = email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
    check(m["Subject"] and m.get_body(("plain",)) is not None, f"{f.name}: not a mail")

# Faults: SMTP 451, SMTP 550 (a refusal for good), then an untrusted
# certificate; webhook 429 (Retry-After), 500; a receiver slower than
# timeout_seconds; connection refused. Then all recover: everything arrives
# once more under the same ids, but the refused mail, given up at once.
handler.fail = True
handler.refuse = {"it-zh@contoso.example"}
flaky["on"] = True
slow["on"] = True
slack_httpd.shutdown()
slack_httpd.server_close()
p = run("notify", now="2026-11-30T13:10:00Z", expect=4)
check("4 to retry" in p.stdout + p.stderr or "to retry" in p.stdout, "the summary does not say what is retried")
check("451" in p.stdout, "the SMTP 451 is not reported")
check("HTTP 429" in p.stdout, "the 429 is not reported")
check(re.search(r"slack.*(refused|connect)", p.stdout, re.I) is not None, "the refused connection is not reported")
check(re.search(r"teams.*(timed out|timeout)", p.stdout, re.I) is not None, "the timeout is not reported")
check(re.search(r"failed  contoso: email it-zh@contoso.example: SMTP 550.*refused for good", p.stdout) is not None,
      "the SMTP 550 is not given up at once")
check("1 given up" in p.stdout, "the summary does not count what was given up")
slow["on"] = False
mails, hooks = take()
check(not mails, "mail sent while the server refused")
# The partner console lists what could not be delivered, with the error,
# as soon as `notify` has tried (the console in place is brought up to date).
console_sources = site / "public-console" / "en" / "sources.html"
listed = console_sources.read_text()
check("451" in listed and "email it-fr@contoso.example" in listed and "HTTP 429" in listed,
      "the console does not list the failing deliveries")
check("Given up" in listed, "the console does not say what was given up")
check("7 failing deliveries" in (site / "public-console" / "en" / "index.html").read_text(),
      "the console's overview does not count the failing deliveries")
for f in out.rglob("*"):
    if f.is_file() and f.suffix in (".html", ".json", ".atom", ".ics"):
        check("451 4.3.0" not in f.read_text(errors="replace"), f"a delivery error in the customer file {f}")
pending = json.loads(outbox.read_text())["pending"]
check(len(pending) == 6, f"{len(pending)} pending after the failures, expected 6 (3 mails, webhook, slack, teams)")
check([m["to"] for m in json.loads(outbox.read_text())["failed"]] == ["email it-zh@contoso.example"],
      "the refused mail is not among the given up")
ids = {m["id"] for m in pending}
hook_msg = [m for m in pending if m["channel"] == "webhook"][0]
check(hook_msg["next_attempt"] >= "2026-11-30T13:12:00", f"Retry-After not honoured: next {hook_msg['next_attempt']}")
# The certificate is no longer trusted: a TLS failure, retried.
handler.fail = False
(site / "statusfleet.yaml").write_text(config(ca=False))
p = run("notify", now="2026-11-30T13:20:00Z", expect=4)
later = p.stdout
check(re.search(r"(?i)certificate|tls|invalid peer", p.stdout) is not None, "the TLS failure is not reported")
mails, hooks = take()
check(not mails, "mail sent over an untrusted TLS connection")
# The webhook answers 500 now.
p = run("notify", now="2026-11-30T13:40:00Z", expect=4)
check("HTTP 500" in later + p.stdout, "the 500 is not reported")
_, early_hooks = take()
# All recovers.
(site / "statusfleet.yaml").write_text(config())
slack_httpd = serve(slack_port)
p = run("notify", now="2026-11-30T18:00:00Z", expect=0)
mails, hooks = take()
check(len(mails) == 3, f"{len(mails)} mails after recovery, expected 3 (the refused one given up)")
got_ids = {re.sub(r"[<>]|@.*", "", m["Message-ID"]) for _, m in mails}
got_ids |= {json.loads(b)["id"].removeprefix("msg_") for p_, _, b in hooks + early_hooks if p_ == "/hook"}
check(ids <= got_ids | {m["id"] for m in pending if m["channel"] in ("slack", "teams")}, "ids changed between attempts")
check(json.loads(outbox.read_text())["pending"] == [], "messages left pending after recovery")
listed = console_sources.read_text()
check("it-zh@contoso.example" in listed and "email it-fr@contoso.example" not in listed,
      "after recovery the console lists other than the given-up mail")
check("1 failing delivery" in (site / "public-console" / "en" / "index.html").read_text(),
      "the console's overview does not count the given-up mail")

# Isolation: fabrikam's subscribers heard nothing of contoso's incident.
fab = json.loads((site / "data" / "_outbox" / "fabrikam.json").read_text())
check(fab.get("sent", {}) == {} and fab["pending"] == [], "fabrikam's subscribers got contoso's messages")

controller.stop()
httpd.shutdown()
slack_httpd.shutdown()
if failures:
    print(f"{len(failures)} notification check(s) failed")
    sys.exit(1)
print("notifications: every check passed")
