#!/usr/bin/env python3
"""Turn a copy of demo/contoso.yaml into the "next" snapshot for run.sh:
drops incident TM947120 (its pages must vanish) and adds N copies of the
resolved advisory EX909855 under new ids (new incident pages, and enough
history to add a history page). Text edit only: comments and formats stay.

usage: mutate_demo.py demo/contoso.yaml N
"""
import re
import sys

path, count = sys.argv[1], int(sys.argv[2])
text = open(path, encoding="utf-8").read()
head, rest = text.split("\nincidents:\n", 1)
incidents, tail = rest.split("\nmaintenance:", 1)
blocks = [b for b in re.split(r"(?m)^(?=  - id: )", incidents) if b.strip()]
keep = [b for b in blocks if not b.startswith("  - id: TM947120\n")]
assert len(keep) == len(blocks) - 1, "TM947120 not found"
model = next(b for b in blocks if b.startswith("  - id: EX909855\n"))
new = [model.replace("EX909855", f"EX95{i:04d}").replace(
    "duplicate meeting requests", f"duplicate meeting requests ({i})")
    .rstrip("\n") + "\n" for i in range(count)]
out = head + "\nincidents:\n" + "".join(new) + "".join(keep).rstrip("\n") + "\n\nmaintenance:" + tail
open(path, "w", encoding="utf-8").write(out)
