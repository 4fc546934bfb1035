#!/usr/bin/env python3
"""Generate a synthetic fleet of N customers for benchmarking.

Usage: gen_fleet.py N DIR

Deterministic: customer i reuses the demo snapshot i mod 4 (services, a year
of incidents with long timelines, HTML bodies, CJK and Hangul text) under its
own slug, time zone and default locale; every customer has all four locales.
Writes DIR/statusfleet.yaml and DIR/demo/*.yaml; content and i18n come from
the repository's demo site.
"""
import os
import shutil
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SNAPSHOTS = ["contoso", "hanbit", "lianhua", "fromagerie"]
ZONES = ["America/New_York", "Asia/Seoul", "Asia/Shanghai", "Europe/Paris"]
LOCALES = ["en", "ko-KR", "zh-CN", "fr-FR"]


def main() -> None:
    n, out = int(sys.argv[1]), sys.argv[2]
    os.makedirs(os.path.join(out, "demo"), exist_ok=True)
    for sub in ["content", "i18n"]:
        dest = os.path.join(out, sub)
        if not os.path.exists(dest):
            shutil.copytree(os.path.join(REPO, sub), dest)
    lines = [
        "site:",
        "  title: Service status",
        "  partner: { name: Bench Partner }",
        "customers:",
    ]
    for i in range(n):
        k = i % 4
        slug = f"c{i:05d}"
        shutil.copyfile(
            os.path.join(REPO, "demo", f"{SNAPSHOTS[k]}.yaml"),
            os.path.join(out, "demo", f"{slug}.yaml"),
        )
        lines += [
            f"  - slug: {slug}",
            f"    name: Customer {i}",
            f"    cloud: {'china' if k == 2 else 'global'}",
            f"    default_locale: {LOCALES[k]}",
            f"    time_zone: {ZONES[k]}",
            f"    sources: [{{ file: {{ path: demo/{slug}.yaml }} }}]",
        ]
    with open(os.path.join(out, "statusfleet.yaml"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
