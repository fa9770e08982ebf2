#!/usr/bin/env python3
"""What the run-in-flight probe of a Swarm stack campaign saw, from its journal: how many samples,
and how many of its runs were interrupted and resumed on another replica (one line)."""
import json
import re
import sys

samples = interrupted = resumed = 0
for line in open(sys.argv[1]):
    record = json.loads(line)
    sample = record.get("sample") or {}
    if sample.get("probe") != "run-in-flight":
        continue
    samples += 1
    reason = sample.get("reason", "")
    if match := re.search(r"(\d+) ended in a clear error, (\d+) reconnected", reason):
        interrupted += int(match[1])
        resumed += int(match[2])
print(f"{samples} samples of parallel runs, {interrupted} run(s) interrupted and told so, {resumed} reconnected through the balancer and resumed")
