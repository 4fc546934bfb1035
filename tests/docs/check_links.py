#!/usr/bin/env python3
"""Checks the links of the README, CONTRIBUTING.md and the book (docs/src):
every relative link names a file that exists, every #fragment a heading of
that file (as mdBook and GitHub make anchors), every page of docs/src is in
SUMMARY.md and every page SUMMARY.md lists exists. External links are not
fetched (the machine that runs this may be offline).

usage: tests/docs/check_links.py [REPO_DIR]
"""
import os
import re
import sys

LINK = re.compile(r"(?<!\!)\[(?:[^\]\[]|\[[^\]]*\])*\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^(```|~~~)")


def strip_code(text):
    """The text without fenced code blocks and inline code."""
    out, fenced = [], False
    for line in text.split("\n"):
        if FENCE.match(line.strip()):
            fenced = not fenced
            out.append("")
            continue
        out.append("" if fenced else re.sub(r"`[^`]*`", "", line))
    return "\n".join(out)


def slug(heading):
    s = heading.strip().lower()
    s = re.sub(r"`", "", s)
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def anchors(path):
    text = open(path, encoding="utf-8").read()
    found = set()
    fenced = False
    for line in text.split("\n"):
        if FENCE.match(line.strip()):
            fenced = not fenced
        m = None if fenced else re.match(r"^#{1,6} (.*)$", line)
        if m:
            found.add(slug(m.group(1)))
    return found


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".")
    src = os.path.join(root, "docs", "src")
    files = [os.path.join(root, "README.md"), os.path.join(root, "CONTRIBUTING.md")]
    for d, _, names in os.walk(src):
        files += [os.path.join(d, n) for n in sorted(names) if n.endswith(".md")]
    problems, checked = [], 0
    for f in files:
        text = strip_code(open(f, encoding="utf-8").read())
        for n, line in enumerate(text.split("\n"), 1):
            for m in LINK.finditer(line):
                target = m.group(1) or m.group(2)
                if re.match(r"^[a-z]+:", target):
                    continue
                path, _, frag = target.partition("#")
                dest = os.path.normpath(os.path.join(os.path.dirname(f), path)) if path else f
                where = f"{os.path.relpath(f, root)}:{n}"
                checked += 1
                if not os.path.exists(dest):
                    problems.append(f"{where}: {target}: no such file")
                elif frag and dest.endswith(".md") and frag not in anchors(dest):
                    problems.append(f"{where}: {target}: no heading #{frag} there")
    summary = os.path.join(src, "SUMMARY.md")
    listed = {os.path.normpath(os.path.join(src, p))
              for p in re.findall(r"\]\(([^)]+\.md)\)", open(summary, encoding="utf-8").read())}
    for f in files:
        if f.startswith(src + os.sep) and f != summary and f not in listed:
            problems.append(f"{os.path.relpath(f, root)}: not in docs/src/SUMMARY.md")
    for problem in problems:
        print(problem)
    print(f"docs links: {checked} checked in {len(files)} files, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
