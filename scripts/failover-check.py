#!/usr/bin/env python3
"""faultline's recovery figure against the HA software's own record of a failover.

  scripts/failover-check.py RUN_DIR          a run of faults/failover/: what to compare comes from its campaign
  scripts/failover-check.py RUN_DIR --probe NAME --within MS (--sentinel-log FILE … | --patroni-history URL)

RUN_DIR is a run of a campaign whose first window killed the primary. The record of the failover:
- Redis Sentinel's logs (docker logs): the Sentinel leading the failover answers
  `SENTINEL get-master-addr-by-name` with the promoted replica from the moment it logs
  `+failover-state-reconf-slaves` (the replica has acknowledged the promotion; Sentinel's
  sentinelGetCurrentMasterAddress), tens of ms before it logs `+switch-master`; the other Sentinels
  switch (`+switch-master`) when the leader's new configuration reaches them;
- Patroni's REST API `/history` on the new leader: each timeline switch with the instant Patroni
  promoted the node (PostgreSQL accepts writes there from then on).
That is when the failover ended for a client that follows it. The probe NAME follows it (it asks
the Sentinels for the master, or libpq for a read-write server among the nodes) on every check, so
its "recovered" instant (the end of its first ok check at the latest) must come after the record —
never before, or faultline would claim a recovery the system had not made — and no more than MS
later (about one check interval plus its time-out: a check that began against the old primary fails
on it). Prints both failover times from the kill and exits 1 when the figure is outside those bounds."""
import argparse
import atexit
import datetime as dt
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import urllib.request

# The failover profile's campaigns (compose/docker-compose.yml): the probe that follows the
# failover, how late its proof may be (its check interval, its time-out, and 150 ms for the check's
# own queries on a busy machine), and where the HA software's record is.
SENTINELS = [f"faultline-stack_sentinel{index}_1" for index in (1, 2, 3)]
CAMPAIGNS = {
    "failover-redis-primary-killed": {"probe": "redis-master", "within": 100 + 200 + 150, "sentinels": SENTINELS},
    "failover-postgres-primary-killed": {"probe": "db-primary", "within": 100 + 500 + 150,
                                         "patroni_history": "http://127.0.0.1:8442/history"},
}

parser = argparse.ArgumentParser()
parser.add_argument("run_dir")
parser.add_argument("--probe")
parser.add_argument("--within", type=float, help="ms faultline's recovered instant may follow the record")
record = parser.add_mutually_exclusive_group()
record.add_argument("--sentinel-log", action="append")
record.add_argument("--patroni-history", help="the new leader's REST API /history URL")
args = parser.parse_args()
if args.probe is None:
    name = json.load(open(os.path.join(args.run_dir, "report.json")))["name"]
    known = CAMPAIGNS.get(name) or sys.exit(f"failover-check: no record to compare for campaign {name!r} (known: {', '.join(CAMPAIGNS)})")
    args.probe, args.within = known["probe"], known["within"]
    args.patroni_history = known.get("patroni_history")
    if "sentinels" in known:
        args.sentinel_log = []
        for container in known["sentinels"]:
            with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as log:
                subprocess.run(["/usr/bin/docker", "logs", container], stdout=log, stderr=subprocess.STDOUT, check=True)
                args.sentinel_log.append(log.name)
                atexit.register(os.unlink, log.name)
elif args.within is None or not (args.sentinel_log or args.patroni_history):
    parser.error("--probe needs --within and --sentinel-log or --patroni-history")


def iso(text):
    return dt.datetime.strptime(text.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


def seconds(pair):  # a Swift Duration in the journal: its attoseconds as [high 64 bits, low 64 bits]
    return (pair[0] * 2**64 + pair[1]) / 1e18


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



def sentinel_switch():
    """The first instant after the kill any Sentinel gave clients the new master's address: the leader's
    `+failover-state-reconf-slaves` or a `+switch-master`, whichever came first (the logs' times are UTC)."""
    switches = []
    stamp = r"(\d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2}\.\d{3}) # "
    patterns = [
        (re.compile(stamp + r"\+switch-master (\S+) (\S+ \d+) (\S+ \d+)"),
         lambda m: f"Sentinel: +switch-master {m.group(2)} {m.group(3)} → {m.group(4)}"),
        (re.compile(stamp + r"\+failover-state-reconf-slaves master (\S+) (\S+ \d+)"),
         lambda m: f"Sentinel: +failover-state-reconf-slaves {m.group(2)} (the leader advertises the promoted replica)"),
    ]
    for path in args.sentinel_log:
        for line in open(path, errors="replace"):
            for pattern, describe in patterns:
                match = pattern.search(line)
                if match:
                    when = dt.datetime.strptime(match.group(1), "%d %b %Y %H:%M:%S.%f").replace(tzinfo=dt.timezone.utc).timestamp()
                    if when >= kill:
                        switches.append((when, describe(match)))
    if not switches:
        sys.exit(f"failover-check: no +switch-master after the kill in {', '.join(args.sentinel_log)}: Sentinel did not fail over")
    return min(switches)


def patroni_promotion():
    """The first timeline switch Patroni's /history records after the kill: [timeline, lsn, reason, time, new leader]."""
    with urllib.request.urlopen(args.patroni_history, timeout=5) as response:
        history = json.load(response)
    promotions = [(dt.datetime.fromisoformat(entry[3]).timestamp(), entry) for entry in history if len(entry) >= 5]
    after = [(when, entry) for when, entry in promotions if when >= kill]
    if not after:
        sys.exit(f"failover-check: {args.patroni_history} records no promotion after the kill: Patroni did not fail over ({history})")
    when, entry = min(after)
    return when, f"Patroni: {entry[4]} promoted (timeline {entry[0] + 1})"


switch, said = sentinel_switch() if args.sentinel_log else patroni_promotion()
record_ms = (switch - kill) * 1000
after_ms = recovered["latest"] - record_ms
print(f"{said} {record_ms:.0f} ms after the kill; "
      f"faultline's {args.probe}: recovered {recovered['estimate']:.0f} ms ± {recovered['uncertainty']:.0f} ms after the kill "
      f"(downtime {figure['downtime_ms']['estimate']:.0f} ms), its proof {after_ms:.0f} ms after that (allowed 0 … {args.within:.0f})")
# 5 ms: the log's and the journal's millisecond truncation.
if after_ms < -5:
    sys.exit(f"failover-check: faultline's {args.probe} recovered {-after_ms:.0f} ms before the failover ended ({said})")
if after_ms > args.within:
    sys.exit(f"failover-check: faultline's {args.probe} recovered {after_ms:.0f} ms after the failover ended ({said}; more than {args.within:.0f} ms)")
