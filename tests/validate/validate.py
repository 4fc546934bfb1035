#!/usr/bin/env python3
"""Checks a built site's machine-readable outputs with real, independent
parsers: feedparser (Atom), icalendar (iCalendar), jsonschema (the
Statuspage-shaped JSON, against statuspage-v2.schema.json), the standard
library's XML parser (sitemaps, badges) and the W3C Nu HTML Checker (every
HTML page and SVG). Cross-checks them against each other: feed entries and
calendar events match the incidents and maintenances of the JSON API, every
URL of a sitemap exists, customers with noindex pages are in no sitemap.

usage: validate.py SITE_DIR [--vnu PATH_TO_vnu.jar]
Exit status 0 when every check passes; failures are listed.
"""

import argparse
import calendar
import csv
import datetime
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from urllib.parse import urldefrag, urljoin, urlparse

import feedparser
import icalendar
import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
SVG = "{http://www.w3.org/2000/svg}"

failures = []
counts = {}


def fail(where, msg):
    failures.append(f"{where}: {msg}")


def count(what, n=1):
    counts[what] = counts.get(what, 0) + n


class Site:
    def __init__(self, root):
        self.root = os.path.abspath(root)
        self.base = None  # the site's public URL, from the JSON API

    def local(self, url, referrer):
        """The file a URL (absolute under the site's base, or relative to
        `referrer`) names, and its fragment; None for foreign URLs."""
        url, frag = urldefrag(url)
        if urlparse(url).scheme in ("http", "https"):
            if not self.base or not url.startswith(self.base):
                return None, frag
            rel = url[len(self.base):]
            path = os.path.join(self.root, *rel.split("/"))
        else:
            path = os.path.normpath(os.path.join(os.path.dirname(referrer), url))
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
        return path, frag

    def check_link(self, where, url, referrer):
        path, frag = self.local(url, referrer)
        count("links resolved")
        if path is None:
            fail(where, f"link outside the site: {url}")
            return
        if not path.startswith(self.root + os.sep):
            fail(where, f"link leaves the output folder: {url}")
            return
        if not os.path.isfile(path):
            fail(where, f"link to a missing file: {url}")
            return
        if frag:
            with open(path, encoding="utf-8") as f:
                if f'id="{frag}"' not in f.read():
                    fail(where, f"link to a missing fragment: {url}")


def load_schema():
    with open(os.path.join(HERE, "statuspage-v2.schema.json"), encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def validator(schema, name):
    sub = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": f"#/$defs/{name}"}
    return jsonschema.Draft202012Validator(
        sub, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def check_json(site, customer, schema):
    api = os.path.join(customer, "api", "v2")
    data = {}
    for rel, name in schema["x-files"].items():
        path = os.path.join(api, *rel.split("/"))
        where = os.path.relpath(path, site.root)
        if not os.path.isfile(path):
            fail(where, "missing")
            continue
        with open(path, encoding="utf-8") as f:
            try:
                doc = json.load(f)
            except json.JSONDecodeError as e:
                fail(where, f"not JSON: {e}")
                continue
        errors = sorted(validator(schema, name).iter_errors(doc), key=lambda e: list(e.path))
        for e in errors[:5]:
            fail(where, f"schema: {'/'.join(map(str, e.path))}: {e.message[:200]}")
        count("JSON files valid" if not errors else "JSON files invalid")
        data[rel] = doc
    if len(data) != len(schema["x-files"]):
        return None
    summary = data["summary.json"]
    where = os.path.relpath(api, site.root)
    if summary["components"] != data["components.json"]["components"]:
        fail(where, "summary.json and components.json disagree on components")
    unresolved = [i["id"] for i in data["incidents/unresolved.json"]["incidents"]]
    if [i["id"] for i in summary["incidents"]] != unresolved:
        fail(where, "summary.json's incidents are not the unresolved ones")
    active = [i["id"] for i in data["incidents.json"]["incidents"] if i["status"] not in ("resolved", "postmortem")]
    if sorted(active) != sorted(unresolved):
        fail(where, "incidents.json and unresolved.json disagree")
    page = summary["page"]
    if page["url"].startswith(("http://", "https://")):
        site.base = page["url"][: -len("index.html")].rsplit("/", 2)[0] + "/"
    if summary["status"] != data["status.json"]["status"]:
        fail(where, "summary.json and status.json disagree on status")
    return data


def when(t):
    """A feedparser time (UTC struct_time) or an RFC 3339 string, as
    seconds since the epoch."""
    if isinstance(t, str):
        return datetime.datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp()
    return calendar.timegm(t)


def check_feed(site, customer, tag, api, path=None):
    """A feed: the locale's (cross-checked against the JSON API), or a
    service's (`path`; its entries must be among the locale feed's). A
    feed holds the newest `site.feed_entries` entries: when it holds fewer
    than the API's incidents and maintenance make, every update newer than
    its oldest entry must be in it. Gives each entry's id and time, and
    the oldest time of a capped feed (else None)."""
    path = path or os.path.join(customer, tag, "feed.atom")
    where = os.path.relpath(path, site.root)
    d = feedparser.parse(path)
    if d.bozo:
        fail(where, f"feedparser: {d.bozo_exception}")
        return
    if d.version != "atom10":
        fail(where, f"not Atom 1.0: {d.version}")
    count("Atom feeds parsed (bozo 0)")
    if d.feed.get("language") != tag:
        fail(where, f"xml:lang {d.feed.get('language')!r}, expected {tag}")
    ids = [e.get("id") for e in d.entries]
    if len(set(ids)) != len(ids) or not all(i and i.startswith("urn:uuid:") for i in ids):
        fail(where, "entry ids are not unique urn:uuid ids")
    for e in d.entries:
        if not e.get("title") or not e.get("updated_parsed") or not e.get("link"):
            fail(where, f"entry {e.get('id')} lacks a title, date or link")
            continue
        site.check_link(where, e.link, path)
    count("Atom entries", len(d.entries))
    times = {e.get("id"): when(e.updated_parsed) for e in d.entries if e.get("updated_parsed")}
    if api is None:
        return times, None
    incidents = api["incidents.json"]["incidents"]
    maints = api["scheduled-maintenances.json"]["scheduled_maintenances"]
    if len(incidents) >= 50 or len(maints) >= 50:
        return times, None  # the API lists the 50 most recent only
    by_page = {}
    for e in d.entries:
        by_page.setdefault(urlparse(urldefrag(e.link)[0]).path.rsplit("/", 1)[-1], []).append(e)
    maint_want = sum(len(m["incident_updates"]) for m in maints)
    full = sum(max(1, len(i["incident_updates"])) for i in incidents) + maint_want
    capped = len(d.entries) < full
    oldest = min(times.values()) if capped and times else None
    if capped:
        count("capped feeds checked for their newest entries")
    for i in incidents:
        page = urlparse(i["shortlink"]).path.rsplit("/", 1)[-1]
        entries = by_page.get(page, [])
        if capped:
            # Every update newer than the feed's oldest entry is in it.
            newer = [u for u in i["incident_updates"] if when(u["display_at"]) > oldest]
            got = [e for e in entries if when(e.updated_parsed) > oldest]
            if not i["incident_updates"]:
                # One entry for the incident itself, dated by its last change.
                newer = got[:1]
            if len(got) != len(newer):
                fail(where, f"incident {i['id']}: {len(got)} entries newer than the feed's oldest, expected {len(newer)}")
        else:
            want = max(1, len(i["incident_updates"]))
            if len(entries) != want:
                fail(where, f"incident {i['id']}: {len(entries)} entries, expected {want} (one per update)")
        count("incidents matched to feed entries")
    maint_entries = [e for e in d.entries if any(t.get("term") == "maintenance" for t in e.get("tags", []))]
    if capped:
        newer = [u for m in maints for u in m["incident_updates"] if when(u["display_at"]) > oldest]
        got = [e for e in maint_entries if when(e.updated_parsed) > oldest]
        if len(got) != len(newer):
            fail(where, f"{len(got)} maintenance entries newer than the feed's oldest, expected {len(newer)}")
    elif len(maint_entries) != maint_want:
        fail(where, f"{len(maint_entries)} maintenance entries, expected {maint_want}")
    pages = {urlparse(i["shortlink"]).path.rsplit("/", 1)[-1] for i in incidents}
    stray = [e for e in d.entries
             if urlparse(urldefrag(e.link)[0]).path.rsplit("/", 1)[-1] not in pages
             and not any(t.get("term") == "maintenance" for t in e.get("tags", []))]
    if stray or len(d.entries) > full:
        fail(where, "entries that match no incident or maintenance")
    return times, oldest


def check_history_csv(site, customer, api):
    """`<customer>/history.csv`: strict RFC 4180 as Python's csv reads it,
    the documented columns, UTC times, no formula cell, and every incident
    of the JSON API in it."""
    path = os.path.join(customer, "history.csv")
    where = os.path.relpath(path, site.root)
    if not os.path.isfile(path):
        fail(where, "missing")
        return
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, strict=True))
    header = ["id", "title", "classification", "status", "impact", "started_at", "ended_at",
              "duration_minutes", "services", "origin", "page"]
    if not rows or rows[0] != header:
        fail(where, f"header {rows[:1]}")
        return
    for r in rows[1:]:
        if len(r) != len(header):
            fail(where, f"a row of {len(r)} cells")
            continue
        for k in ("started_at", "ended_at"):
            v = r[header.index(k)]
            if v and not (len(v) == 20 and v[4] == "-" and v[10] == "T" and v.endswith("Z")):
                fail(where, f"{k} {v!r} is not a UTC RFC 3339 time")
        if any(c[:1] in ("=", "@", "\t", "\r") for c in r):
            fail(where, f"a formula cell in {r}")
        site.check_link(where, r[-1], path)
    count("history CSV rows", len(rows) - 1)
    if api is not None:
        want = {i["id"] for i in api["incidents.json"]["incidents"]}
        got = {r[0] for r in rows[1:]}
        if len(want) < 50 and not want <= got:
            fail(where, f"incidents of the JSON API missing: {sorted(want - got)[:5]}")


def check_service_files(site, customer, tag, feed_ids, calendar_uids):
    """Each service's feed and calendar (beside its page): they parse as the
    locale's do, and hold only entries and events of the locale's."""
    folder = os.path.join(customer, tag, "services")
    pages = sorted(f[:-5] for f in os.listdir(folder) if f.endswith(".html")) if os.path.isdir(folder) else []
    for stem in pages:
        for ext in ("atom", "ics"):
            if not os.path.isfile(os.path.join(folder, f"{stem}.{ext}")):
                fail(os.path.relpath(os.path.join(folder, stem), site.root), f"a service page without its .{ext}")
        got = check_feed(site, customer, tag, None, os.path.join(folder, f"{stem}.atom"))
        if got is not None and feed_ids is not None:
            (ids, _), (locale_ids, oldest) = got, feed_ids
            # Of a capped locale feed, only entries as new as its own.
            extra = [i for i, t in ids.items() if i not in locale_ids and (oldest is None or t >= oldest)]
            if extra:
                fail(os.path.relpath(os.path.join(folder, f"{stem}.atom"), site.root), "entries the locale's feed does not have")
        uids = check_ics(site, os.path.join(folder, f"{stem}.ics"), None)
        if uids is not None and calendar_uids is not None and not set(uids) <= set(calendar_uids):
            fail(os.path.relpath(os.path.join(folder, f"{stem}.ics"), site.root), "events the locale's calendar does not have")
        count("service feeds and calendars checked")


def ical_events(data):
    cal = icalendar.Calendar.from_ical(data)
    return cal, [
        {
            k: (ev.get(k).to_ical() if ev.get(k) is not None else None)
            for k in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "STATUS", "URL")
        }
        for ev in cal.walk("VEVENT")
    ]


def check_ics(site, path, api):
    where = os.path.relpath(path, site.root)
    with open(path, "rb") as f:
        raw = f.read()
    lines = raw.split(b"\r\n")
    if lines[-1] != b"" or any(b"\n" in l for l in lines):
        fail(where, "lines must end with CRLF")
    long = [l for l in lines if len(l) > 75]
    if long:
        fail(where, f"{len(long)} lines longer than 75 octets")
    try:
        cal, events = ical_events(raw)
    except Exception as e:  # the parser's own error types vary by version
        fail(where, f"icalendar: {e}")
        return None
    count("calendars parsed")
    for ev in cal.walk("VEVENT"):
        for k in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
            if ev.get(k) is None:
                fail(where, f"event {ev.get('UID')} lacks {k}")
        for k in ("DTSTAMP", "DTSTART", "DTEND"):
            v = ev.decoded(k, None)
            if v is not None and (getattr(v, "tzinfo", None) is None or v.utcoffset().total_seconds() != 0):
                fail(where, f"event {ev.get('UID')}: {k} is not a UTC date-time")
        if ev.get("URL") is not None:
            site.check_link(where, str(ev.get("URL")), path)
    _, again = ical_events(cal.to_ical())
    if again != events:
        fail(where, "events change in a parse → serialize → parse round trip")
    count("calendar events round-tripped", len(events))
    if api is not None:
        maints = api["scheduled-maintenances.json"]["scheduled_maintenances"]
        if len(maints) < 50:
            names = sorted(m["name"] for m in maints)
            got = sorted(str(ev.get("SUMMARY")) for ev in cal.walk("VEVENT"))
            if names != got:
                fail(where, f"events {got} do not match the maintenances {names}")
    return sorted(e["UID"] for e in events)


def check_badge(site, path):
    where = os.path.relpath(path, site.root)
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        fail(where, f"not well-formed: {e}")
        return
    title = root.find(f"{SVG}title")
    if root.tag != f"{SVG}svg" or title is None or not (title.text or "").strip():
        fail(where, "expected an <svg> with a non-empty <title>")
    elif not any((t.text or "").strip() for t in root.iter(f"{SVG}text")):
        fail(where, "the status is not written as text")
    count("badges")


def check_sitemaps(site, customers):
    in_sitemaps = set()
    index = os.path.join(site.root, "sitemap.xml")
    if os.path.isfile(index):
        root = ET.parse(index).getroot()
        for loc in root.iter(f"{SM}loc"):
            site.check_link("sitemap.xml", loc.text, index)
            in_sitemaps.add(urlparse(loc.text).path.strip("/").split("/")[-2])
        count("sitemap indexes")
    if not os.path.isfile(os.path.join(site.root, "robots.txt")):
        fail("robots.txt", "missing")
    for c in customers:
        slug = os.path.basename(c)
        overview = os.path.join(c, "index.html")
        with open(overview, encoding="utf-8") as f:
            noindex = 'name="robots" content="noindex"' in f.read()
        path = os.path.join(c, "sitemap.xml")
        where = os.path.relpath(path, site.root)
        if noindex:
            if os.path.exists(path) or slug in in_sitemaps:
                fail(where, "a customer with noindex pages is in a sitemap")
            count("noindex customers kept out of sitemaps")
            continue
        if not os.path.isfile(path):
            fail(where, "missing for an indexable customer")
            continue
        if slug not in in_sitemaps:
            fail(where, "not listed in the root sitemap.xml")
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as e:
            fail(where, f"not well-formed: {e}")
            continue
        urls = 0
        for url in root.iter(f"{SM}url"):
            loc = url.find(f"{SM}loc").text
            site.check_link(where, loc, path)
            alternates = url.findall(f"{XHTML}link")
            if not any(a.get("href") == loc for a in alternates):
                fail(where, f"{loc} does not list itself among its alternates")
            for a in alternates:
                site.check_link(where, a.get("href"), path)
            urls += 1
        pages = sum(
            1
            for d, _, files in os.walk(c)
            for f in files
            # The widget is for another site's iframe, not for search.
            if f.endswith(".html") and f != "widget.html" and os.path.relpath(d, c) != "."
        )
        if urls != pages:
            fail(where, f"{urls} URLs for {pages} pages")
        count("sitemap URLs", urls)


def run_vnu(site, jar, folders):
    cmd = ["java", "-jar", jar, "--errors-only", "--skip-non-html", "--also-check-svg", *folders]
    r = subprocess.run(cmd, capture_output=True, text=True)
    out = (r.stdout + r.stderr).strip()
    checked = sum(
        1 for top in folders for d, _, fs in os.walk(top) for f in fs if f.endswith((".html", ".svg"))
    )
    if r.returncode != 0 or out:
        for line in out.splitlines()[:40]:
            fail("vnu", line)
    count("HTML and SVG files checked by vnu", checked)


def run(site_dir, vnu=None, only=None):
    """Every check on one site (or, with `only`, on that one customer's
    folder and the fleet files); returns the failures."""
    failures.clear()
    counts.clear()
    site = Site(site_dir)
    schema = load_schema()
    customers = sorted(
        os.path.join(site.root, d)
        for d in os.listdir(site.root)
        if os.path.isfile(os.path.join(site.root, d, "api", "v2", "summary.json"))
        and (only is None or d == only)
    )
    if not customers:
        fail(site.root, "no customer folders with api/v2/summary.json")
    for c in customers:
        api = check_json(site, c, schema)
        locales = sorted(
            d for d in os.listdir(c) if os.path.isfile(os.path.join(c, d, "feed.atom"))
        )
        if not locales:
            fail(os.path.relpath(c, site.root), "no locale has a feed.atom")
        uids = {}
        for tag in locales:
            feed_ids = check_feed(site, c, tag, api)
            uids[tag] = check_ics(site, os.path.join(c, tag, "maintenance.ics"), api)
            check_service_files(site, c, tag, feed_ids, uids[tag])
            check_badge(site, os.path.join(c, tag, "badge.svg"))
        uids["root"] = check_ics(site, os.path.join(c, "maintenance.ics"), api)
        check_history_csv(site, c, api)
        check_badge(site, os.path.join(c, "badge.svg"))
        if len({tuple(u or []) for u in uids.values()}) > 1:
            fail(os.path.relpath(c, site.root), "calendars of one customer disagree on event UIDs")
        # Every page advertises the feed (the widget, in an iframe, aside).
        for d, _, files in os.walk(os.path.join(c)):
            for f in files:
                if f.endswith(".html") and f != "widget.html":
                    with open(os.path.join(d, f), encoding="utf-8") as h:
                        if '<link rel="alternate" type="application/atom+xml"' not in h.read():
                            fail(os.path.relpath(os.path.join(d, f), site.root), "no Atom link")
    check_sitemaps(site, customers)
    console = site.root.rstrip("/") + "-console"
    if only is None and os.path.isdir(console):
        check_console(console)
    if vnu:
        folders = customers if only else [site.root]
        if only is None and os.path.isdir(console):
            folders = folders + [console]
        run_vnu(site, vnu, folders)
    return list(failures), customers


CONSOLE_HEADER = [
    "slug", "name", "domain", "tenant_id", "cloud", "state", "status_page", "incident_page",
    "support_email", "support_phone", "service_request_url", "self_support_url",
]


def check_console(console):
    """The partner console beside the site: its exports parse with
    Python's csv and json, agree with each other, and every page carries
    noindex."""
    exports = os.path.join(console, "exports", "incidents")
    for f in sorted(os.listdir(exports)) if os.path.isdir(exports) else []:
        path = os.path.join(exports, f)
        where = os.path.relpath(path, console)
        if f.endswith(".csv"):
            with open(path, newline="", encoding="utf-8") as h:
                rows = list(csv.reader(h, strict=True))
            if not rows or rows[0] != CONSOLE_HEADER:
                fail(where, f"header {rows[:1]}")
            bad = [r for r in rows[1:] if len(r) != len(CONSOLE_HEADER)]
            if bad:
                fail(where, f"rows with the wrong number of fields: {bad[:2]}")
            with open(path[: -len(".csv")] + ".json", encoding="utf-8") as h:
                doc = json.load(h)
            if sorted(r[0] for r in rows[1:]) != sorted(c["slug"] for c in doc["customers"]):
                fail(where, "the CSV and the JSON list different customers")
            count("console exports parsed (csv + json)")
    with open(os.path.join(console, "exports", "customers.csv"), newline="", encoding="utf-8") as h:
        rows = list(csv.reader(h, strict=True))
    if rows[0] != CONSOLE_HEADER or len(rows) < 2:
        fail("console exports/customers.csv", "header or rows")
    for d, _, files in os.walk(console):
        for f in files:
            if f.endswith(".html"):
                with open(os.path.join(d, f), encoding="utf-8") as h:
                    if '<meta name="robots" content="noindex, nofollow">' not in h.read():
                        fail(os.path.relpath(os.path.join(d, f), console), "console page without noindex")
                count("console pages with noindex")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("site")
    ap.add_argument("--vnu", help="path to vnu.jar; skipped when absent")
    args = ap.parse_args()
    _, customers = run(args.site, args.vnu)
    for k, v in sorted(counts.items()):
        print(f"  {v:6d}  {k}")
    if failures:
        print(f"\n{len(failures)} failure(s):", file=sys.stderr)
        for f in failures[:200]:
            print(f"  {f}", file=sys.stderr)
        sys.exit(1)
    print(f"validate.py: {len(customers)} customers, all checks passed")


if __name__ == "__main__":
    main()
