#!/usr/bin/env python3
"""Checks that statusfleet's modules depend one way: every `crate::X`
reference in a module goes to a module of a lower layer (or its own), and
no two modules import each other.

The layers, lowest first (a module may use any module of a layer below
its own, never one above; modules of one layer may use each other unless
that makes a cycle):

LAYERS lists them; a top-level module not in it is an error, so a new
module must be given its place.

usage: tools/check_layers.py [SRC_DIR]     (default: src)
Exit status 1 on an upward edge, a cycle or an unplaced module.
"""
import os
import re
import sys

LAYERS = [
    ["error", "ids", "locale", "sanitize", "text", "scope", "report"],
    ["format"],
    ["config", "i18n"],
    ["model"],
    ["source", "history", "content"],
    ["fetch"],
    ["site"],
    ["render", "feeds"],
    ["output"],
    ["console"],
    ["snapshot"],
    ["build"],
    ["notify"],
    ["scaffold", "serve", "cmd", "cli"],
]

REF = re.compile(r"\bcrate::([a-z_][a-z0-9_]*)")
USE_GROUP = re.compile(r"\buse\s+crate::\{([^;]*)\};", re.S)


def module_of(src, path):
    rel = os.path.relpath(path, src)
    first = rel.split(os.sep)[0]
    return first[:-3] if first.endswith(".rs") else first


def strip(text):
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def edges(src):
    out = {}
    for d, _, names in os.walk(src):
        for n in names:
            # Unit tests (`tests.rs`, `#[cfg(test)]` blocks) may reach anywhere.
            if not n.endswith(".rs") or n == "tests.rs":
                continue
            path = os.path.join(d, n)
            mod = module_of(src, path)
            if mod in ("lib", "main"):
                continue
            text = strip(open(path, encoding="utf-8").read())
            text = re.split(r"#\[cfg\(test\)\]", text)[0]
            targets = set(REF.findall(text))
            for group in USE_GROUP.findall(text):
                targets |= set(re.findall(r"(?:^|[,{\s])([a-z_][a-z0-9_]*)(?=\s*(?:::|,|\}|$))", group))
            for t in targets - {mod, "self", "super"}:
                out.setdefault((mod, t), []).append(os.path.relpath(path, os.path.dirname(src)))
    return out


def main():
    src = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "src")
    layer = {m: i for i, ms in enumerate(LAYERS) for m in ms}
    problems = []
    mods = {module_of(src, os.path.join(src, n)) for n in os.listdir(src)
            if n.endswith(".rs") or os.path.isdir(os.path.join(src, n))}
    for m in sorted(mods - {"lib", "main"}):
        if m not in layer and os.path.exists(os.path.join(src, m + ".rs")) or (
                m not in layer and os.path.isfile(os.path.join(src, m, "mod.rs"))):
            problems.append(f"module `{m}` has no layer in tools/check_layers.py")
    e = edges(src)
    for (a, b), files in sorted(e.items()):
        if a in layer and b in layer and layer[b] > layer[a]:
            problems.append(f"upward: {a} (layer {layer[a]}) uses {b} (layer {layer[b]}) in {', '.join(sorted(set(files)))}")
    for (a, b) in sorted(e):
        if a < b and (b, a) in e:
            problems.append(f"cycle: {a} and {b} use each other ({', '.join(sorted(set(e[(a, b)] + e[(b, a)])))})")
    for p in problems:
        print(p)
    print(f"module layers: {len(e)} edges between {len(mods - {'lib', 'main'})} modules, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
