#!/usr/bin/env python3
"""The validators must be able to fail: each case breaks one thing in one
customer of a good site and expects validate.run() to report it. The site
itself is never touched: each case runs on a shadow site whose entries are
symbolic links to the good one, except the customer under test, which is a
copy.

usage: test_validate.py SITE_DIR [--vnu PATH_TO_vnu.jar]
"""

import argparse
import os
import re
import shutil
import sys
import tempfile

import validate


def edit(path, fn):
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    new = fn(text)
    assert new != text, f"mutation changed nothing in {path}"
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(new)


def first_customer(root):
    return sorted(
        d for d in os.listdir(root) if os.path.isfile(os.path.join(root, d, "api", "v2", "summary.json"))
    )[0]


def shadow(site, customer, tmp):
    """A site in tmp that links every entry of `site` but `customer`, which
    it copies."""
    root = os.path.join(tmp, "site")
    os.mkdir(root)
    for entry in os.listdir(site):
        src = os.path.join(os.path.abspath(site), entry)
        if entry == customer:
            shutil.copytree(src, os.path.join(root, entry))
        else:
            os.symlink(src, os.path.join(root, entry))
    return root


CASES = {
    "feed with a raw ampersand": ("feedparser", lambda r, c: edit(
        f"{r}/{c}/en/feed.atom", lambda t: t.replace("<title type=\"text\">", "<title type=\"text\">A & B ", 1)
    )),
    "feed missing an entry": ("maintenance entries", lambda r, c: edit(
        f"{r}/{c}/en/feed.atom", lambda t: re.sub(r"  <entry>.*?</entry>\n", "", t, count=1, flags=re.S)
    )),
    "feed missing an incident's update": ("newer than the feed's oldest", lambda r, c: edit(
        f"{r}/{c}/en/feed.atom",
        lambda t: re.sub(r"  <entry>(?:(?!</entry>).)*?/incidents/.*?</entry>\n", "", t, count=1, flags=re.S),
    )),
    "JSON incident without impact": ("'impact' is a required property", lambda r, c: edit(
        f"{r}/{c}/api/v2/incidents.json", lambda t: re.sub(r'\n\s*"impact": "[a-z]+",', "", t, count=1)
    )),
    "JSON component with an unknown status": ("components/1/status", lambda r, c: edit(
        f"{r}/{c}/api/v2/components.json", lambda t: t.replace('"operational"', '"fine"', 1)
    )),
    "calendar lines unfolded": ("longer than 75 octets", lambda r, c: edit(
        f"{r}/{c}/en/maintenance.ics", lambda t: t.replace("\r\n ", "")
    )),
    "calendar missing an event": ("do not match the maintenances", lambda r, c: edit(
        f"{r}/{c}/en/maintenance.ics", lambda t: re.sub(r"BEGIN:VEVENT.*?END:VEVENT\r\n", "", t, count=1, flags=re.S)
    )),
    "calendar event in local time": ("DTSTART is not a UTC date-time", lambda r, c: edit(
        f"{r}/{c}/en/maintenance.ics", lambda t: re.sub(r"DTSTART:(\d{8}T\d{6})Z", r"DTSTART:\1", t, count=1)
    )),
    "badge without a title": ("non-empty <title>", lambda r, c: edit(
        f"{r}/{c}/badge.svg", lambda t: re.sub(r"<title>.*?</title>", "", t)
    )),
    "sitemap URL of a missing page": ("sitemap.xml: link to a missing file", lambda r, c: os.remove(f"{r}/{c}/en/history/2.html")),
    "noindex customer in a sitemap": ("noindex pages is in a sitemap", lambda r, c: edit(
        f"{r}/{c}/index.html", lambda t: t.replace("<title>", '<meta name="robots" content="noindex">\n<title>', 1)
    )),
    "page without its feed link": ("no Atom link", lambda r, c: edit(
        f"{r}/{c}/en/index.html", lambda t: t.replace('type="application/atom+xml"', "", 1)
    )),
}

VNU_CASES = {
    "image without alt": ('must have an “alt”', lambda r, c: edit(
        f"{r}/{c}/en/index.html", lambda t: t.replace("<main id=\"main\"", "<img src=\"x.png\"><main id=\"main\"", 1)
    )),
    "SVG with an unknown element": ("“blink” not allowed", lambda r, c: edit(
        f"{r}/{c}/en/badge.svg", lambda t: t.replace("<title>", "<blink/><title>", 1)
    )),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("site")
    ap.add_argument("--vnu")
    args = ap.parse_args()
    customer = first_customer(args.site)
    good, _ = validate.run(args.site, args.vnu, only=customer)
    if good:
        sys.exit(f"the unbroken customer {customer} must pass first: {good[:5]}")
    cases = dict(CASES)
    if args.vnu:
        cases.update(VNU_CASES)
    missed = []
    for name, (expected, mutate) in cases.items():
        with tempfile.TemporaryDirectory() as tmp:
            root = shadow(args.site, customer, tmp)
            mutate(root, customer)
            found, _ = validate.run(root, args.vnu if name in VNU_CASES else None, only=customer)
            # Caught by the check meant for it, not by some other one.
            hit = [f for f in found if expected in f]
            print(f"  {'caught' if hit else 'MISSED'}: {name}" + (f" ({hit[0][:110]})" if hit else ""))
            if not hit:
                missed.append(name)
    if missed:
        sys.exit(f"the validators missed {len(missed)} broken site(s): {missed}")
    print(f"test_validate.py: all {len(cases)} broken sites caught")


if __name__ == "__main__":
    main()
