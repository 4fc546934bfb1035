#!/usr/bin/env python3
"""Generate a synthetic fleet of N customers for benchmarking.

Usage: gen_fleet.py N DIR

Deterministic (the same N gives the same bytes): every customer has all four
locales, 10 services (Microsoft 365 and Azure), 30 incidents spread over the
last 90 days with 5-update timelines (plain-text, markdown and HTML bodies;
English, Korean and Chinese text), and 4 maintenance windows (past, in
progress, upcoming, cancelled). Writes DIR/statusfleet.yaml and one snapshot
file per customer under DIR/data-files/; content and i18n come from the
repository's demo site.
"""
import json
import os
import random
import shutil
import sys
from datetime import datetime, timedelta, timezone

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ZONES = ["America/New_York", "Asia/Seoul", "Asia/Shanghai", "Europe/Paris"]
LOCALES = ["en", "ko-KR", "zh-CN", "fr-FR"]
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)
SERVICES = [
    ("exchange", "Exchange Online", "microsoft365"),
    ("teams", "Microsoft Teams", "microsoft365"),
    ("sharepoint", "SharePoint Online", "microsoft365"),
    ("onedrive", "OneDrive for Business", "microsoft365"),
    ("entra", "Microsoft Entra ID", "microsoft365"),
    ("intune", "Microsoft Intune", "microsoft365"),
    ("purview", "Microsoft Purview", "microsoft365"),
    ("vm", "Virtual Machines", "azure"),
    ("sql", "Azure SQL Database", "azure"),
    ("storage", "Storage", "azure"),
]
STATUSES = ["investigating", "identified", "monitoring", "monitoring", "resolved"]
EN = [
    "Users may be unable to access their mailboxes or may experience delays",
    "Some users may see errors when joining meetings from the desktop client",
    "Sync of files may be delayed for a subset of users",
    "Sign-in requests may intermittently fail with a timeout",
    "Device check-ins may not be processed in a timely manner",
]
KO = "일부 사용자가 데스크톱 클라이언트에서 회의에 참가할 때 오류가 발생할 수 있습니다. 엔지니어가 원인을 조사하고 있습니다."
ZH = "部分用户在访问邮箱时可能会遇到延迟。工程师正在调查受影响基础结构的性能数据，以确定根本原因。"


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def body(rng, k):
    """The k-th update's body: text, markdown or HTML, in one of three
    languages."""
    kind = k % 3
    lang = rng.choice(["en", "en", "ko", "zh"])
    text = {"en": rng.choice(EN) + ". We're reviewing service telemetry.", "ko": KO, "zh": ZH}[lang]
    if kind == 0:
        return {"body": f"Title: {rng.choice(EN)}\n\nUser impact: {text}\n\nCurrent status: {text}", "format": "text"}
    if kind == 1:
        return {
            "body": f"**Current status:** {text}\n\n- Scope: {rng.randint(2, 40)}% of users\n- Next update within {rng.randint(1, 4)} hours\n\n`EX{rng.randint(100000, 999999)}`",
            "format": "markdown",
        }
    return {
        "body": f"<p><strong>User impact:</strong> {text}</p><ul><li>Region: {rng.choice(['East US', 'Korea Central', 'China North 3', 'France Central'])}</li><li>Workaround: use the web client.</li></ul><p>Next update by {iso(NOW)}.</p>",
        "format": "html",
    }


def snapshot(i):
    rng = random.Random(i)
    services = [
        {"id": sid, "name": name, "health": "operational", "platform": platform}
        for sid, name, platform in SERVICES
    ]
    incidents = []
    for n in range(30):
        start = NOW - timedelta(days=89) + timedelta(hours=rng.randint(0, 89 * 24 - 6))
        active = n < 2
        svc = rng.sample([s[0] for s in SERVICES], rng.randint(1, 2))
        updates = []
        for k in range(5):
            at = start + timedelta(minutes=30 + 45 * k)
            status = STATUSES[k] if not active else STATUSES[min(k, 2)]
            updates.append({"at": iso(at), "status": status, **body(rng, k)})
        inc = {
            "id": f"{rng.choice(['EX', 'TM', 'SP', 'OD', 'MO'])}{i:05d}{n:02d}",
            "title": rng.choice(EN) + ("" if n % 3 else f" ({KO[:12]})") + ("" if n % 4 else f" {ZH[:10]}"),
            "classification": rng.choice(["incident", "advisory"]),
            "status": "identified" if active else "resolved",
            "services": svc,
            "started_at": iso(start),
            "updated_at": updates[-1]["at"],
            "updates": updates,
        }
        if not active:
            inc["ended_at"] = updates[-1]["at"]
        else:
            inc["started_at"] = iso(NOW - timedelta(hours=3 + n))
            for k, u in enumerate(updates):
                u["at"] = iso(NOW - timedelta(hours=3 + n) + timedelta(minutes=20 * (k + 1)))
            inc["updated_at"] = updates[-1]["at"]
        incidents.append(inc)
    maintenance = []
    for k, (offset, hours, status) in enumerate([(-20, 4, None), (-1, 3, None), (6, 4, None), (12, 2, "cancelled")]):
        start = NOW + timedelta(days=offset) if offset != -1 else NOW - timedelta(hours=1)
        m = {
            "id": f"MN{i:05d}{k}",
            "title": f"Planned maintenance: {SERVICES[7 + k % 3][1]} platform updates",
            "services": [SERVICES[7 + k % 3][0]],
            "starts_at": iso(start),
            "ends_at": iso(start + timedelta(hours=hours)),
            "body": "<p>Routine platform updates. Virtual machines may restart once.</p><p>" + KO + "</p>",
            "format": "html",
            "updated_at": iso(min(start, NOW) - timedelta(days=5)),
        }
        if status:
            m["status"] = status
        maintenance.append(m)
    return {"taken_at": iso(NOW), "services": services, "incidents": incidents, "maintenance": maintenance}


def prepare(out):
    """OUT/data-files, and the repository's content and catalogs without
    the demo's partner incidents and maintenance (they name demo customers
    and services; a synthetic site has its own)."""
    os.makedirs(os.path.join(out, "data-files"), exist_ok=True)
    for sub in ["content", "i18n"]:
        dest = os.path.join(out, sub)
        if not os.path.exists(dest):
            shutil.copytree(os.path.join(REPO, sub), dest)
    for sub in ["incidents", "maintenance"]:
        shutil.rmtree(os.path.join(out, "content", sub), ignore_errors=True)


def main() -> None:
    n, out = int(sys.argv[1]), sys.argv[2]
    prepare(out)
    lines = [
        "site:",
        "  title: Service status",
        "  partner: { name: Bench Partner, url: https://partner.example/ }",
        "  base_url: https://status.partner.example/",
        "customers:",
    ]
    for i in range(n):
        k = i % 4
        slug = f"c{i:05d}"
        with open(os.path.join(out, "data-files", f"{slug}.json"), "w") as f:
            json.dump(snapshot(i), f, ensure_ascii=False, indent=1)
        lines += [
            f"  - slug: {slug}",
            f"    name: Customer {i}",
            f"    cloud: {'china' if k == 2 else 'global'}",
            f"    default_locale: {LOCALES[k]}",
            f"    time_zone: {ZONES[k]}",
            f"    indexable: {'true' if i % 2 else 'false'}",
            f"    sources: [{{ file: {{ path: data-files/{slug}.json }} }}]",
        ]
    with open(os.path.join(out, "statusfleet.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
