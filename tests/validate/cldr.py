#!/usr/bin/env python3
"""Checks every formatted date-time, duration, percentage, day label, file
size and list of a built site against an independent CLDR implementation.

statusfleet formats with ICU4X (Rust). This script recomputes each value
with Babel (Python, its own copy of the CLDR data) and, where Babel has no
such formatter, with ICU4C through PyICU:

- a `<time datetime="…Z">` must read as the locale's long date, its
  hour-minute time and the short specific zone, laid out by one CLDR
  pattern: Babel's long date pattern, its `hmv`/`Hmv` skeleton (the
  locale's hour cycle, with `z` for `v`, as UTS #35 says) and its
  long date-time glue (CLDR's `atTime` variant, from ICU4C: Babel lacks
  it), in the customer's time zone (`page.time_zone` of the customer's
  JSON API); the zone text itself (`EST`, `UTC−5`, `GMT+9`, with
  hourFormat's signs) comes from ICU4C too, as Babel writes a raw
  `-0500` where CLDR has no abbreviation;
- a `<time datetime="P…">` duration must read as CLDR's long unit patterns
  (`duration-day`, `-hour`, `-minute`) joined by the locale's unit list
  pattern, keeping the two largest non-zero parts;
- every percentage in text and in `aria-label`/`title` must be the
  locale's percent pattern applied to the number it shows (two decimals);
- every uptime-bar day label (`title` of `.bars .day`, oldest first,
  the last one being the data's day in the customer's zone) must start
  with the locale's `MMMd` skeleton;
- every file size (`<data class="size" value="…">`, a post-incident
  report's) must be CLDR's short digital unit pattern of that many bytes
  (decimal units, as CLDR's are);
- every list of services (`.services`) must be the locale's standard
  ("and") list pattern applied to its items;
- the same holds inside Atom feeds (entry content is HTML: its `<time>`
  elements), and a calendar event's DESCRIPTION must show its DTSTART and
  DTEND formatted so.

Digits are Latin in Babel's output; for a locale whose default numbering
system is not (ar-SA: arab), they are mapped to ICU4C's digits of it.

usage: cldr.py SITE_DIR            check; exit 1 on any mismatch
       cldr.py SITE_DIR --self-test  plant errors in a copy, fail unless
                                     every one is caught
"""

import argparse
import datetime
import decimal
import math
import html.parser
import json
import os
import re
import shutil
import sys
import tempfile
import xml.etree.ElementTree as ET
import zoneinfo

import babel
import icu
from babel import Locale, dates, lists, numbers, units


# --- a small DOM -----------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children = []  # Node or str

    def text(self):
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.walk()

    def classes(self):
        return self.attrs.get("class", "").split()


class Parser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse(path):
    p = Parser()
    with open(path, encoding="utf-8") as f:
        p.feed(f.read())
    p.close()
    return p.root


# --- the independent formatting ----------------------------------------------

class Cldr:
    """What CLDR says for one locale, from Babel (and ICU4C where Babel has
    no formatter)."""

    def __init__(self, tag):
        self.tag = tag
        self.babel = Locale.parse(tag, sep="-")
        # ICU4C: Gregorian, as statusfleet formats (see README, Languages).
        self.icu = icu.Locale(f"{tag}@calendar=gregorian")
        ns = icu.NumberingSystem.createInstance(self.icu)
        self.numbering = ns.getName()
        digits = ns.getDescription() if not ns.isAlgorithmic() else "0123456789"
        self.digits = str.maketrans("0123456789", digits)
        self.from_digits = str.maketrans(digits, "0123456789")
        b = self.babel
        self.symbols = b.number_symbols.get(self.numbering) or b.number_symbols["latn"]

        date = b.date_formats["long"].pattern
        short_time = strip_literals(b.time_formats["short"].pattern)
        hour = "H" if ("H" in short_time or "k" in short_time) else "h"
        time = str(b.datetime_skeletons[hour + "mv"].pattern).replace("v", "z")
        # Where CLDR has an `alt="ascii"` variant of an available format
        # (en: `h:mm a v` with a space), Babel keeps that variant; CLDR's
        # own pattern, like the locale's timeFormats, has U+202F before the
        # day period.
        if "\u202fa" in b.time_formats["short"].pattern and " a" in time:
            time = time.replace(" a", "\u202fa")
        # The date-time glue is CLDR's `atTime` variant (`{1} 'at' {0}`),
        # as ICU4X uses; Babel has the standard and the `relative` ones
        # only (ja's relative is `{1}の {0}`), so ICU4C gives this one.
        # (Its generator joins a long date and a time with it: the glue is
        # what is left of the joined pattern without the two.)
        gen = icu.DateTimePatternGenerator.createInstance(self.icu)
        joined = gen.getBestPattern("yMMMMdjmm")
        glue = joined.replace(gen.getBestPattern("yMMMMd"), "{1}", 1).replace(
            gen.getBestPattern("jmm"), "{0}", 1)
        if "{0}" not in glue or "{1}" not in glue:
            raise SystemExit(f"{tag}: cannot find ICU4C's date-time glue in {joined!r}")
        self.pattern = glue.replace("{1}", date).replace("{0}", time)

    def localize_digits(self, s):
        return s.translate(self.digits) if self.numbering != "latn" else s

    def zone(self, t, tz):
        f = icu.SimpleDateFormat("z", self.icu)
        f.setTimeZone(icu.TimeZone.createTimeZone(tz))
        return f.format(t.timestamp())

    def datetime(self, t, tz):
        """The long date, hour-minute time and short zone of `t` in `tz`."""
        local = t.astimezone(zoneinfo.ZoneInfo(tz))
        mark = "\ue000"
        # Babel formats all but the zone; the zone field becomes a marker.
        pattern = self.pattern.replace("z", f"'{mark}'")
        text = dates.format_datetime(local, pattern, tzinfo=local.tzinfo,
                                     locale=self.babel)
        text = self.localize_digits(text)
        return text.replace(mark, self.zone(t, tz))

    def month_day(self, d):
        return self.localize_digits(
            dates.format_skeleton("MMMd", d, locale=self.babel))

    def duration(self, days, hours, minutes):
        parts = [(days, "duration-day"), (hours, "duration-hour"),
                 (minutes, "duration-minute")]
        kept = [(n, u) for n, u in parts if n > 0][:2]
        texts = [self.localize_digits(
            units.format_unit(n, u, length="long", locale=self.babel))
            for n, u in kept]
        return self.list(texts, "unit")

    def percent(self, value):
        """`value` percent with two decimals, by the locale's pattern."""
        if self.numbering != "latn":
            # Babel writes the Latin percent sign whatever the numbering
            # system (ar's is U+066A U+061C): ICU4C formats these.
            f = icu.NumberFormat.createPercentInstance(self.icu)
            f.setMinimumFractionDigits(2)
            f.setMaximumFractionDigits(2)
            return f.format(value / 100)
        pattern = str(self.babel.percent_formats[None].pattern)
        # Two fraction digits: the last integer digit gets `.00`.
        pattern = re.sub(r"0(?=[^0#,]*$)", "0.00", pattern, count=1)
        text = numbers.format_percent(value / 100, format=pattern,
                                      locale=self.babel,
                                      numbering_system=self.numbering
                                      if self.numbering in self.babel.number_symbols
                                      else "latn")
        return self.localize_digits(text)

    def file_size(self, n):
        """`n` bytes in CLDR's short digital units (decimal, as CLDR's
        are): whole bytes and kilobytes, megabytes to a tenth, rounded half
        away from zero."""
        if n < 1000:
            value, unit, fmt = n, "digital-byte", "#,##0"
        elif n < 999_500:
            value, unit, fmt = math.floor(n / 1000 + 0.5), "digital-kilobyte", "#,##0"
        else:
            value = decimal.Decimal(math.floor(n / 100_000 + 0.5)) / 10
            unit, fmt = "digital-megabyte", "#,##0.0"
        # Babel takes the numbering system's symbols, not its digits.
        return self.localize_digits(units.format_unit(
            value, unit, length="short", format=fmt, locale=self.babel,
            numbering_system="default"))

    def parse_number(self, s):
        s = s.translate(self.from_digits)
        s = s.replace(self.symbols.get("group", ","), "")
        for space in ("\u00a0", "\u202f", " "):
            s = s.replace(space, "")
        return float(s.replace(self.symbols.get("decimal", "."), "."))

    def list(self, items, style="standard"):
        if style in self.babel.list_patterns:
            return lists.format_list(items, style=style, locale=self.babel)
        # Babel lacks the pattern (ar has no `unit` list of its own, and
        # Babel does not inherit it as CLDR does): ICU4C's resource data.
        bundle = icu.ResourceBundle("", self.icu).getWithFallback("listPattern")
        kind = bundle.getWithFallback(style)
        parts = {k: kind.getWithFallback(k).getString() for k in ("2", "start", "middle", "end")}
        return apply_list(parts, items)


def apply_list(parts, items):
    """UTS #35's list algorithm over CLDR's list pattern parts."""
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return parts["2"].replace("{0}", items[0]).replace("{1}", items[1])
    text = parts["end"].replace("{0}", items[-2]).replace("{1}", items[-1])
    for item in reversed(items[1:-2]):
        text = parts["middle"].replace("{0}", item).replace("{1}", text)
    return parts["start"].replace("{0}", items[0]).replace("{1}", text)


def strip_literals(pattern):
    return re.sub(r"'[^']*'", "", pattern)


CLDRS = {}


def cldr(tag):
    if tag not in CLDRS:
        CLDRS[tag] = Cldr(tag)
    return CLDRS[tag]


ISO_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
PERCENT = re.compile(
    r"[0-9\u0660-\u0669\u06f0-\u06f9]"
    r"[0-9\u0660-\u0669\u06f0-\u06f9.,\u066b\u066c\u00a0\u202f]*"
    r"[ \u00a0\u202f]?(?:%|\u066a\u061c?)")


# --- the check ---------------------------------------------------------------

class Report:
    def __init__(self):
        self.mismatches = []
        self.counts = {}

    def count(self, locale, kind):
        key = (locale, kind)
        self.counts[key] = self.counts.get(key, 0) + 1

    def mismatch(self, where, kind, got, want):
        self.mismatches.append((where, kind, got, want))


def customer_zones(site):
    zones = {}
    for name in sorted(os.listdir(site)):
        summary = os.path.join(site, name, "api", "v2", "summary.json")
        if os.path.isfile(summary):
            with open(summary, encoding="utf-8") as f:
                page = json.load(f)["page"]
            zones[name] = (page["time_zone"],
                           datetime.datetime.fromisoformat(page["updated_at"]))
    return zones


def check_site(site, report):
    zones = customer_zones(site)
    if not zones:
        report.mismatch(site, "site", "no customer with api/v2/summary.json", "")
    for customer, (tz, as_of) in zones.items():
        croot = os.path.join(site, customer)
        for dirpath, _, files in sorted(os.walk(croot)):
            for name in sorted(files):
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, site)
                if name.endswith(".html"):
                    check_page(path, rel, tz, as_of, report)
                elif name.endswith(".atom"):
                    check_feed(path, rel, tz, report)
                elif name.endswith(".ics"):
                    check_calendar(path, rel, tz, report)


def check_page(path, rel, tz, as_of, report):
    doc = parse(path)
    html_el = next((n for n in doc.walk() if n.tag == "html"), None)
    tag = html_el.attrs.get("lang") if html_el else None
    if not tag:
        report.mismatch(rel, "page", "no <html lang>", "")
        return
    c = cldr(tag)
    for n in doc.walk():
        if n.tag == "time":
            check_time(n, c, tz, rel, report)
        if "services" in n.classes():
            check_list(n, c, rel, report)
        if "bars" in n.classes():
            check_bars(n, c, tz, as_of, rel, report)
        if n.tag == "data" and "size" in n.classes():
            check_size(n, c, rel, report)
        for attr in ("aria-label", "title"):
            if attr in n.attrs:
                check_percents(n.attrs[attr], c, f"{rel} [{attr}]", report)
        for child in n.children:
            if isinstance(child, str):
                check_percents(child, c, rel, report)


ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def check_feed(path, rel, tz, report):
    feed = ET.parse(path).getroot()
    c = cldr(feed.get(XML_LANG))
    for i, entry in enumerate(feed.findall(f"{ATOM}entry")):
        content = entry.find(f"{ATOM}content")
        if content is None or not content.text:
            continue
        p = Parser()
        p.feed(content.text)
        p.close()
        for n in p.root.walk():
            if n.tag == "time":
                check_time(n, c, tz, f"{rel} entry {i + 1}", report)
            if "services" in n.classes():
                check_list(n, c, f"{rel} entry {i + 1}", report)


def ics_events(path):
    """(properties by name) of each VEVENT, lines unfolded and unescaped."""
    with open(path, encoding="utf-8") as f:
        raw = f.read().replace("\r\n", "\n")
    lines = []
    for line in raw.split("\n"):
        if line.startswith((" ", "\t")) and lines:
            lines[-1] += line[1:]
        else:
            lines.append(line)
    events, cur = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            cur = {}
        elif line == "END:VEVENT":
            events.append(cur)
            cur = None
        elif cur is not None and ":" in line:
            name, value = line.split(":", 1)
            name = name.split(";")[0]
            value = (value.replace("\\n", "\n").replace("\\N", "\n")
                     .replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\"))
            cur[name] = value
    return events


def check_calendar(path, rel, tz, report):
    # <customer>/<locale>/maintenance.ics; the customer's own one is in its
    # default locale, the first event's SUMMARY or DESCRIPTION tells which.
    parts = rel.split(os.sep)
    tag = parts[1] if len(parts) > 2 else None
    if tag is None:
        with open(os.path.join(os.path.dirname(path), "index.html"), encoding="utf-8") as f:
            m = re.search(r'<html[^>]* lang="([^"]+)"', f.read())
        tag = m.group(1) if m else "en"
    c = cldr(tag)
    for i, ev in enumerate(ics_events(path)):
        description = ev.get("DESCRIPTION", "")
        for prop in ("DTSTART", "DTEND"):
            value = ev.get(prop)
            if not value:
                continue
            t = datetime.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(
                tzinfo=datetime.timezone.utc)
            report.count(c.tag, "time")
            want = c.datetime(t, tz)
            if want not in description:
                report.mismatch(f"{rel} event {i + 1}", f"time {prop} {value} in {tz}",
                                description.split("\n\n")[0], want)


def check_time(n, c, tz, rel, report):
    value = n.attrs.get("datetime", "")
    got = n.text()
    m = ISO_DURATION.match(value)
    if m and value != "P":
        d, h, mi, s = (int(x) if x else 0 for x in m.groups())
        report.count(c.tag, "duration")
        if d == h == mi == 0:
            # Under a minute: the catalog's words, not a CLDR unit.
            return
        want = c.duration(d, h, mi)
        if got != want:
            report.mismatch(rel, f"duration {value}", got, want)
        return
    try:
        t = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        report.mismatch(rel, "time", f"datetime={value!r}", "an RFC 3339 time or a duration")
        return
    if t.tzinfo is None:
        report.mismatch(rel, "time", f"datetime={value!r}", "a time with its offset")
        return
    report.count(c.tag, "time")
    want = c.datetime(t, tz)
    if got != want:
        report.mismatch(rel, f"time {value} in {tz}", got, want)


def check_size(n, c, rel, report):
    report.count(c.tag, "file size")
    want = c.file_size(int(n.attrs.get("value", "-1")))
    if n.text() != want:
        report.mismatch(rel, "size", n.text(), want)


def check_list(n, c, rel, report):
    items = [ch.text() for ch in n.children if isinstance(ch, Node)]
    if len(items) < 2:
        return
    report.count(c.tag, "list")
    got = n.text().strip()
    want = c.list(items)
    if got != want:
        report.mismatch(rel, "list", got, want)


def check_bars(n, c, tz, as_of, rel, report):
    days = [ch for ch in n.children if isinstance(ch, Node) and "day" in ch.classes()]
    last = as_of.astimezone(zoneinfo.ZoneInfo(tz)).date()
    for i, day in enumerate(days):
        d = last - datetime.timedelta(days=len(days) - 1 - i)
        want = c.month_day(d)
        got = day.attrs.get("title", "")
        report.count(c.tag, "day label")
        if not got.startswith(want) or got[len(want):len(want) + 1].isalnum():
            report.mismatch(rel, f"day label {d}", got, want + "…")


def check_percents(text, c, rel, report):
    for m in PERCENT.finditer(text):
        got = m.group(0)
        number = re.sub(r"[ \u00a0\u202f]?(?:%|\u066a\u061c?)$", "", got)
        try:
            value = c.parse_number(number)
        except ValueError:
            report.mismatch(rel, "percent", got, "a number")
            continue
        report.count(c.tag, "percent")
        want = c.percent(value)
        if got != want:
            report.mismatch(rel, "percent", got, want)


def run(site):
    report = Report()
    check_site(site, report)
    return report


def versions():
    import babel.core
    babel.core.get_global("cldr")
    cldr_version = babel.core._global_data.get("cldr", {}).get("version", "?")
    return (f"Babel {babel.__version__} with CLDR {cldr_version}; "
            f"ICU4C {icu.ICU_VERSION} (PyICU {icu.VERSION}) for zones and digits")


def show(report, out=sys.stdout):
    locales = sorted({l for l, _ in report.counts})
    kinds = ["time", "duration", "percent", "day label", "list"]
    print(f"CLDR check: {versions()}", file=out)
    print("  %-8s" % "locale" + "".join("%11s" % k for k in kinds), file=out)
    for l in locales:
        print("  %-8s" % l + "".join("%11d" % report.counts.get((l, k), 0) for k in kinds),
              file=out)
    total = sum(report.counts.values())
    print(f"  {total} values checked, {len(report.mismatches)} mismatches", file=out)
    for where, kind, got, want in report.mismatches[:40]:
        print(f"  MISMATCH {where}: {kind}\n      got  {got!r}\n      want {want!r}", file=out)


# --- self-test -----------------------------------------------------------------

def self_test(site):
    """Plants wrong formatting in a copy of the site; every plant must be
    reported at its file."""
    tmp = tempfile.mkdtemp()
    try:
        copy = os.path.join(tmp, "site")
        shutil.copytree(site, copy)
        plants = []

        def plant(locale, what, kind, find, change):
            for dirpath, _, files in sorted(os.walk(copy)):
                if f"{os.sep}{locale}" not in dirpath + os.sep:
                    continue
                for name in sorted(files):
                    if not name.endswith(".html"):
                        continue
                    path = os.path.join(dirpath, name)
                    with open(path, encoding="utf-8") as f:
                        text = f.read()
                    m = re.search(find, text)
                    if m:
                        new = text[:m.start()] + change(m) + text[m.end():]
                        with open(path, "w", encoding="utf-8") as f:
                            f.write(new)
                        plants.append((what, kind, os.path.relpath(path, copy)))
                        return
            raise SystemExit(f"self-test: nothing to plant '{what}' in ({locale}: {find})")

        # fr-FR: a hyphen-minus where hourFormat has U+2212.
        plant("fr-FR", "wrong sign", "time", r'(<time datetime="[^"]*Z">[^<]*UTC)\u2212',
              lambda m: m.group(1) + "-")
        # zh-CN: the zone after the time, where CLDR puts it before.
        plant("zh-CN", "wrong zone order", "time",
              r'(<time datetime="[^"]*Z">[^<]*日) (GMT[^ <]*) ([0-9:]+)</time>',
              lambda m: f"{m.group(1)} {m.group(3)} {m.group(2)}</time>")
        # en: the same instant shown in UTC rather than the customer's zone.
        def in_utc(m):
            t = datetime.datetime.fromisoformat(m.group(1).replace("Z", "+00:00"))
            return f'<time datetime="{m.group(1)}">{cldr("en").datetime(t, "UTC")}</time>'
        plant("en", "UTC time", "time", r'<time datetime="([^"]*Z)">[^<]*(?:AM|PM) E[SD]T</time>', in_utc)
        # fr-FR: a duration without the unit list pattern's word.
        plant("fr-FR", "duration list", "duration", r'(<time datetime="PT[^"]*H[^"]*M">[^<]*) et ',
              lambda m: m.group(1) + " ")
        # fr-FR: an ASCII space before %, where CLDR has a no-break one.
        plant("fr-FR", "percent space", "percent", r"(\d,\d\d)\u00a0%", lambda m: m.group(1) + " %")
        # ar-SA: the percent sign without CLDR's Arabic letter mark.
        plant("ar-SA", "percent mark", "percent", "\u066a\u061c", lambda m: "\u066a")
        # zh-CN: a comma where the list pattern has 、.
        plant("zh-CN", "list separator", "list",
              r'(class="services">(?:(?!</p>|</dd>).)*?</a>)、', lambda m: m.group(1) + ", ")

        # fr-FR: an ASCII space before the unit, where CLDR has U+202F.
        plant("fr-FR", "size space", "size",
              r'(<data class="size" value="\d+">[^<]*)\u202f(k?o)</data>',
              lambda m: f"{m.group(1)} {m.group(2)}</data>")

        report = run(copy)
        caught = {(where.split(" [")[0], kind.split()[0]) for where, kind, *_ in report.mismatches}
        missed = [p for p in plants if (p[2], p[1]) not in caught]
        for p in plants:
            print(f"  planted {p[0]} ({p[1]}) in {p[2]}: {'MISSED' if p in missed else 'caught'}")
        if missed or len(report.mismatches) < len(plants):
            print("self-test FAILED: the CLDR check missed planted errors")
            return 1
        print(f"self-test passed: {len(plants)} planted errors, all caught")
        return 0
    finally:
        shutil.rmtree(tmp)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("site")
    ap.add_argument("--self-test", action="store_true")
    args = ap.parse_args()
    if args.self_test:
        return self_test(args.site)
    report = run(args.site)
    show(report)
    return 1 if report.mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
