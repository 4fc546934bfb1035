#!/usr/bin/env python3
"""Generate the steady-state fleet, or make its next run's change.

Usage: gen_steady.py N INCIDENTS DIR      a fleet of N customers
       gen_steady.py --update DIR          one new update (see below)
       gen_steady.py --new DIR             one new shared incident
       gen_steady.py --age DIR             the oldest shared incident ages out

Deterministic. Every customer has four locales, the ten services of
gen_fleet.py, and two years of history: about INCIDENTS incidents with
5-update timelines (the bodies of gen_fleet.py). As Microsoft's are, most
incidents are shared: a pool of INCIDENTS incidents of which each customer
sees those touching a service it has (it lacks one of the ten, so it sees
about 90 % of them), plus INCIDENTS/10 of its own (Azure Resource Health
events of its resources). Two shared incidents are active.

`--update` is what a steady-state fetch brings: Microsoft posts a new update
to one active incident every customer shares, and every snapshot is taken
five minutes later. `--new` is the other common run: a new incident every
customer shares (on Exchange), five minutes later. `--age` is what a day
or two brings: every snapshot is taken a minute after the oldest shared
incident leaves the history window (history_days is 731), so it and any
incident that ended before it age out of the pages. Writes DIR/statusfleet.yaml and DIR/data-files/*.json;
content and i18n come from the repository.
"""
import json
import os
import random
import sys
from datetime import datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_fleet import EN, KO, LOCALES, NOW, SERVICES, STATUSES, ZH, ZONES, body, iso, prepare  # noqa: E402

DAYS = 730
SHARED = "MO0000000"  # the active incident every customer has


def incident(rng, ident, start, services, active):
    updates = []
    for u in range(5):
        at = start + timedelta(minutes=30 + 45 * u)
        status = STATUSES[min(u, 2)] if active else STATUSES[u]
        updates.append({"at": iso(at), "status": status, **body(rng, u)})
    inc = {
        "id": ident,
        "title": rng.choice(EN) + ("" if len(ident) % 3 else f" ({KO[:12]})") + ("" if len(ident) % 4 else f" {ZH[:10]}"),
        "classification": rng.choice(["incident", "advisory"]),
        "status": "identified" if active else "resolved",
        "services": services,
        "started_at": iso(start),
        "updated_at": updates[-1]["at"],
        "updates": updates,
    }
    if not active:
        inc["ended_at"] = updates[-1]["at"]
    return inc


def pool(n):
    """The shared incidents, newest first: two active, then one every
    DAYS/n days going back two years."""
    rng = random.Random(7)
    ids = [s[0] for s in SERVICES]
    out = []
    for k in range(n):
        active = k < 2
        start = NOW - timedelta(hours=3 + k) if active else NOW - timedelta(hours=(DAYS * 24 - 24) * k / n + 6)
        # The active ones touch Exchange, which every customer has.
        services = ["exchange"] if active else rng.sample(ids, rng.randint(1, 2))
        out.append(incident(rng, f"MO{k:07d}", start, services, active))
    return out


def snapshot(i, shared, own):
    rng = random.Random(1000 + i)
    lacks = [s[0] for s in SERVICES][1 + i % 9]
    services = [
        {"id": sid, "name": name, "health": "operational", "platform": platform}
        for sid, name, platform in SERVICES
        if sid != lacks
    ]
    have = {s["id"] for s in services}
    incidents = []
    for inc in shared:
        kept = [s for s in inc["services"] if s in have]
        if kept:
            incidents.append(dict(inc, services=kept))
    for k in range(own):
        start = NOW - timedelta(hours=rng.randint(24, DAYS * 24 - 24))
        svc = rng.choice(["vm", "sql", "storage"])
        if svc in have:
            incidents.append(incident(rng, f"RH{i:05d}{k:05d}", start, [svc], False))
    incidents.sort(key=lambda x: x["started_at"], reverse=True)
    return {"taken_at": iso(NOW), "services": services, "incidents": incidents, "maintenance": []}


def generate(n, incidents, out):
    prepare(out)
    shared = pool(incidents)
    lines = [
        "site:",
        "  title: Service status",
        "  partner: { name: Bench Partner, url: https://partner.example/ }",
        "  base_url: https://status.partner.example/",
        f"  history_days: {DAYS + 1}",
        "customers:",
    ]
    for i in range(n):
        k = i % 4
        slug = f"c{i:05d}"
        with open(os.path.join(out, "data-files", f"{slug}.json"), "w") as f:
            json.dump(snapshot(i, shared, incidents // 10), f, ensure_ascii=False)
        lines += [
            f"  - slug: {slug}",
            f"    name: Customer {i}",
            f"    default_locale: {LOCALES[k]}",
            f"    time_zone: {ZONES[k]}",
            f"    sources: [{{ file: {{ path: data-files/{slug}.json }} }}]",
        ]
    with open(os.path.join(out, "statusfleet.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")


def each_snapshot(out, edit):
    """Every snapshot taken five minutes later, and changed by `edit`."""
    folder = os.path.join(out, "data-files")
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        with open(path) as f:
            snap = json.load(f)
        taken = datetime.strptime(snap["taken_at"], "%Y-%m-%dT%H:%M:%SZ") + timedelta(minutes=5)
        snap["taken_at"] = taken.strftime("%Y-%m-%dT%H:%M:%SZ")
        edit(snap, taken)
        with open(path, "w") as f:
            json.dump(snap, f, ensure_ascii=False)


def update(snap, _taken):
    """One new update to the shared active incident."""
    for inc in snap["incidents"]:
        if inc["id"] == SHARED:
            n = len(inc["updates"])
            inc["updates"].append({
                "at": snap["taken_at"],
                "status": "monitoring",
                "body": f"Current status: We've deployed a fix and are monitoring the service as it recovers (update {n + 1}).",
                "format": "text",
            })
            inc["status"] = "monitoring"
            inc["updated_at"] = snap["taken_at"]


def new_incident(snap, taken):
    """A new shared incident, on Exchange, posted four minutes ago."""
    k = sum(1 for i in snap["incidents"] if i["id"].startswith("NEW"))
    inc = incident(random.Random(k), f"NEW{k:06d}", taken - timedelta(minutes=4), ["exchange"], True)
    inc["updates"] = inc["updates"][:1]
    inc["updated_at"] = inc["updates"][0]["at"] = snap["taken_at"]
    snap["incidents"].insert(0, inc)


def age(out):
    """Every snapshot taken a minute after the oldest shared incident
    left the window; prints how many incidents each customer lost."""
    folder = os.path.join(out, "data-files")
    names = sorted(os.listdir(folder))
    snaps = {}
    for name in names:
        with open(os.path.join(folder, name)) as f:
            snaps[name] = json.load(f)
    ends = [i["ended_at"] for s in snaps.values() for i in s["incidents"] if i["id"].startswith("MO") and "ended_at" in i]
    oldest = datetime.strptime(min(ends), "%Y-%m-%dT%H:%M:%SZ")
    taken = oldest + timedelta(days=DAYS + 1, minutes=1)
    start = taken - timedelta(days=DAYS + 1)
    lost = []
    for name, snap in snaps.items():
        before = datetime.strptime(snap["taken_at"], "%Y-%m-%dT%H:%M:%SZ") - timedelta(days=DAYS + 1)
        assert taken > datetime.strptime(snap["taken_at"], "%Y-%m-%dT%H:%M:%SZ")
        lost.append(sum(1 for i in snap["incidents"] if "ended_at" in i
                        and before <= datetime.strptime(i["ended_at"], "%Y-%m-%dT%H:%M:%SZ") < start))
        snap["taken_at"] = iso(taken)
        with open(os.path.join(folder, name), "w") as f:
            json.dump(snap, f, ensure_ascii=False)
    print(f"aged out: {min(lost)}-{max(lost)} incidents a customer; data time {iso(taken)}")


def main() -> None:
    if sys.argv[1] == "--update":
        each_snapshot(sys.argv[2], update)
    elif sys.argv[1] == "--new":
        each_snapshot(sys.argv[2], new_incident)
    elif sys.argv[1] == "--age":
        age(sys.argv[2])
    else:
        generate(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])


if __name__ == "__main__":
    main()
