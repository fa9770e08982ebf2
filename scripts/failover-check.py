#!/usr/bin/env python3
"""faultline's recovery figure against the HA software's own record of a failover.

  scripts/failover-check.py RUN_DIR --probe NAME --within MS --sentinel-log FILE [--sentinel-log FILE …]

RUN_DIR is a run of a campaign whose first window killed the Redis master; the logs are its
Sentinels' (docker logs). Sentinel writes `+switch-master <name> <old> <new>` when it has promoted
the replica and tells clients the new address: that is when the failover ended for anyone who asks
it. The probe NAME asks the Sentinels for the master on every check, so its "recovered" instant
(the end of its first ok check at the latest) must come after that line — never before, or faultline
would claim a recovery the system had not made — and no more than MS later (one check interval plus
its time-out: a check that began against the old address fails on it). Prints both failover times
from the kill and exits 1 when the figure is outside those bounds."""
import argparse
import datetime as dt
import json
import os
import re
import statistics
import sys

parser = argparse.ArgumentParser()
parser.add_argument("run_dir")
parser.add_argument("--probe", required=True)
parser.add_argument("--within", type=float, required=True, help="ms faultline's recovered instant may follow +switch-master")
parser.add_argument("--sentinel-log", action="append", required=True)
args = parser.parse_args()


def iso(text):
    return dt.datetime.strptime(text.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


def seconds(pair):  # a Swift Duration in the journal: [seconds, attoseconds]
    return pair[0] + pair[1] / 1e18


# The run's zero on the wall clock, from its samples (each: wall-clock start, offset from zero).
zeros = []
with open(os.path.join(args.run_dir, "journal.jsonl")) as journal:
    for line in journal:
        record = json.loads(line)
        if record.get("type") == "sample":
            sample = record["sample"]
            zeros.append(iso(sample["startedAt"]) - seconds(sample["offset"]))
if not zeros:
    sys.exit(f"failover-check: {args.run_dir}: the journal has no probe sample")
zero = statistics.median(zeros)

report = json.load(open(os.path.join(args.run_dir, "report.json")))
window = report["windows"][0]
figure = next((f for f in report["figures"] if f["probe"] == args.probe and f["window"] == window["index"]), None)
if figure is None or not figure.get("recovered_ms"):
    sys.exit(f"failover-check: probe {args.probe!r} has no recovered figure in window #{window['index']} of {args.run_dir}")
kill = zero + window["inject_ms"] / 1000
recovered = figure["recovered_ms"]

# Sentinel's log: `1:X 06 Dec 2026 20:52:54.388 # +switch-master main 172.19.0.5 6379 172.19.0.6 6379` (UTC).
switches = []
pattern = re.compile(r"(\d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2}\.\d{3}) # \+switch-master (\S+) (\S+ \d+) (\S+ \d+)")
for path in args.sentinel_log:
    for line in open(path, errors="replace"):
        match = pattern.search(line)
        if match:
            when = dt.datetime.strptime(match.group(1), "%d %b %Y %H:%M:%S.%f").replace(tzinfo=dt.timezone.utc).timestamp()
            if when >= kill:
                switches.append((when, match.group(2), match.group(3), match.group(4)))
if not switches:
    sys.exit(f"failover-check: no +switch-master after the kill in {', '.join(args.sentinel_log)}: Sentinel did not fail over")
switch, master, old, new = min(switches)

sentinel_ms = (switch - kill) * 1000
after_ms = recovered["latest"] - sentinel_ms
print(f"Sentinel: +switch-master {master} {old} → {new} {sentinel_ms:.0f} ms after the kill; "
      f"faultline's {args.probe}: recovered {recovered['estimate']:.0f} ms ± {recovered['uncertainty']:.0f} ms after the kill "
      f"(downtime {figure['downtime_ms']['estimate']:.0f} ms), its proof {after_ms:.0f} ms after +switch-master (allowed 0 … {args.within:.0f})")
# 5 ms: the log's and the journal's millisecond truncation.
if after_ms < -5:
    sys.exit(f"failover-check: faultline's {args.probe} recovered {-after_ms:.0f} ms before Sentinel switched the master")
if after_ms > args.within:
    sys.exit(f"failover-check: faultline's {args.probe} recovered {after_ms:.0f} ms after Sentinel switched the master (more than {args.within:.0f} ms)")
