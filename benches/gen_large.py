#!/usr/bin/env python3
"""Generate one large customer for benchmarking: N incidents of history.

Usage: gen_large.py N LOCALES DIR

Deterministic. The customer has 10 services and N incidents, four a day
going back N/4 days (the `history_days` window is set to hold them all),
each with a 5-update timeline in text, markdown and HTML (the same bodies
as gen_fleet.py); 2 are active. LOCALES is 1 (en) or 4 (en, fr-FR, ko-KR,
zh-CN). Writes DIR/statusfleet.yaml and DIR/data-files/big.json; content
and i18n come from the repository.
"""
import json
import os
import random
import sys
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_fleet import EN, KO, LOCALES, NOW, SERVICES, STATUSES, ZH, body, iso, prepare  # noqa: E402


def snapshot(n):
    rng = random.Random(n)
    days = max(90, n // 4 + 1)
    services = [
        {"id": sid, "name": name, "health": "operational", "platform": platform}
        for sid, name, platform in SERVICES
    ]
    incidents = []
    for k in range(n):
        active = k < 2
        start = NOW - timedelta(hours=3 + k) if active else NOW - timedelta(hours=6 * k + rng.randint(6, 11))
        updates = []
        for u in range(5):
            at = start + timedelta(minutes=20 * (u + 1))
            status = STATUSES[min(u, 2)] if active else STATUSES[u]
            updates.append({"at": iso(at), "status": status, **body(rng, u)})
        inc = {
            "id": f"{rng.choice(['EX', 'TM', 'SP', 'OD', 'MO'])}{k:07d}",
            "title": rng.choice(EN) + ("" if k % 3 else f" ({KO[:12]})") + ("" if k % 4 else f" {ZH[:10]}"),
            "classification": rng.choice(["incident", "advisory"]),
            "status": "identified" if active else "resolved",
            "services": rng.sample([s[0] for s in SERVICES], rng.randint(1, 2)),
            "started_at": iso(start),
            "updated_at": updates[-1]["at"],
            "updates": updates,
        }
        if not active:
            inc["ended_at"] = updates[-1]["at"]
        incidents.append(inc)
    return days, {"taken_at": iso(NOW), "services": services, "incidents": incidents, "maintenance": []}


def main() -> None:
    n, locales, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    prepare(out)
    days, snap = snapshot(n)
    with open(os.path.join(out, "data-files", "big.json"), "w") as f:
        json.dump(snap, f, ensure_ascii=False, indent=1)
    tags = LOCALES[: 1 if locales == 1 else 4]
    with open(os.path.join(out, "statusfleet.yaml"), "w") as f:
        f.write(
            "site:\n"
            "  title: Service status\n"
            "  partner: { name: Bench Partner, url: https://partner.example/ }\n"
            f"  locales: [{', '.join(tags)}]\n"
            f"  history_days: {days}\n"
            "customers:\n"
            "  - slug: big\n"
            "    name: Big Customer\n"
            "    sources: [{ file: { path: data-files/big.json } }]\n"
        )


if __name__ == "__main__":
    main()
