#!/usr/bin/env python3
"""Link checks for tests/recipes/run.sh (publish order on S3).

  check_links.py bucket ENDPOINT BUCKET BASE_URL LABEL
      Lists the bucket and checks that every link in every object resolves to
      an object in the bucket: relative href/src/meta-refresh links in HTML
      (resolved against the object's key; "x/" means "x/index.html") and
      absolute links under BASE_URL in any text object (feeds, calendars, JSON,
      sitemaps, HTML). Prints one line; exits 1 on a dangling link.

  check_links.py pass ENDPOINT BUCKET BASE_URL SITE DRYRUN_FILE LABEL
      Before one `aws s3 sync` pass: DRYRUN_FILE is that pass's --dryrun
      output. A reader can see a dangling link *during* the pass when a page
      already in the bucket (so reachable) is replaced by one linking a file
      that this same pass creates (uploads run in parallel, in any order).
      Prints one line; exits 1 if the pass has such a window.
"""
import html
import posixpath
import re
import sys

import boto3

TEXT = (".html", ".atom", ".ics", ".json", ".xml", ".txt")
ATTR = re.compile(r'(?:href|src)="([^"]*)"')
REFRESH = re.compile(r'content="\d+;\s*url=([^"]*)"', re.I)
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")


def client(endpoint):
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


def keys(s3, bucket):
    out = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        out.update(o["Key"] for o in page.get("Contents", []))
    return out


def links(key, text, base):
    """Keys that the object `key` with body `text` links to."""
    found = []
    if key.endswith(".ics"):
        text = re.sub(r"\r?\n[ \t]", "", text)  # unfold lines
    abs_re = re.compile(re.escape(base) + r'[^\s"<>\\)]*')
    for url in abs_re.findall(text):
        path = url[len(base):].split("#")[0].split("?")[0]
        found.append(path + "index.html" if path == "" or path.endswith("/") else path)
    if key.endswith(".html"):
        for raw in ATTR.findall(text) + REFRESH.findall(text):
            link = html.unescape(raw).split("#")[0].split("?")[0]
            if not link or SCHEME.match(link):
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(key), link))
            if link.endswith("/") or link in (".", ".."):
                target = posixpath.join(target, "index.html")
            found.append(target)
    return found


def dangling(key, targets, present):
    return [t for t in targets if t.startswith("..") or (
        t not in present and posixpath.join(t, "index.html") not in present)]


def cmd_bucket(endpoint, bucket, base, label):
    s3 = client(endpoint)
    present = keys(s3, bucket)
    bad, checked = [], 0
    for key in sorted(present):
        if not key.endswith(TEXT):
            continue
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
        checked += 1
        bad += [(key, t) for t in dangling(key, links(key, body, base), present)]
    status = "ok  " if not bad else "FAIL"
    print(f"{status} {label}: {len(present)} objects, {checked} checked, "
          f"{len(bad)} dangling link(s)"
          + "".join(f"\n       {k} -> {t}" for k, t in bad[:10]))
    return 1 if bad else 0


def cmd_pass(endpoint, bucket, base, site, dryrun, label):
    s3 = client(endpoint)
    present = keys(s3, bucket)
    uploads = set()
    for line in open(dryrun, encoding="utf-8"):
        m = re.match(r"\(dryrun\) upload: .* to s3://[^/]+/(.+)$", line.strip())
        if m:
            uploads.add(m.group(1))
    created = uploads - present
    windows = []
    for key in sorted(uploads & present):  # replaced objects: readers can reach them
        if not key.endswith(TEXT):
            continue
        with open(posixpath.join(site, key), encoding="utf-8") as f:
            targets = links(key, f.read(), base)
        windows += [(key, t) for t in targets if t in created]
    status = "ok  " if not windows else "FAIL"
    print(f"{status} {label}: uploads {len(uploads)} ({len(created)} new), "
          f"{len(windows)} in-pass window(s)"
          + "".join(f"\n       {k} -> {t}" for k, t in windows[:10]))
    return 1 if windows else 0


def cmd_same(endpoint, bucket, site):
    """The bucket holds exactly the files of SITE, byte for byte (ETag = MD5)."""
    import hashlib
    import os
    s3 = client(endpoint)
    remote = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        remote.update((o["Key"], o["ETag"].strip('"')) for o in page.get("Contents", []))
    local = {}
    for d, _, files in os.walk(site):
        for f in files:
            p = os.path.join(d, f)
            local[os.path.relpath(p, site)] = hashlib.md5(open(p, "rb").read()).hexdigest()
    diff = sorted(k for k in set(remote) | set(local) if remote.get(k) != local.get(k))
    for k in diff[:10]:
        print(f"{k}: bucket {remote.get(k, 'missing')}, site {local.get(k, 'missing')}")
    return 1 if diff else 0


if __name__ == "__main__":
    a = sys.argv[1:]
    if a and a[0] == "bucket" and len(a) == 5:
        sys.exit(cmd_bucket(*a[1:]))
    if a and a[0] == "pass" and len(a) == 7:
        sys.exit(cmd_pass(*a[1:]))
    if a and a[0] == "same" and len(a) == 4:
        sys.exit(cmd_same(*a[1:]))
    sys.exit(__doc__)
