#!/usr/bin/env python3
"""Turn an IBM AMLSim sample folder into iffa's CSV formats (docs/FORMATS.md).

    tools/amlsim2csv.py SRC_DIR OUT_DIR [--start 2025-01-01] [--country ML]

SRC_DIR holds nodes.csv.gz (nodeid, isFraud, init_balance, fraudStep) and
transactions.csv.gz (sourceNodeId, targetNodeId, value, time). OUT_DIR
receives:

  party.csv     one person per node, P-<nodeid>, in COUNTRY
  account.csv   one mobile-money wallet per node, A-<nodeid>, owned by it
  transfer.csv  one row per transaction: amount = value in XOF (AMLSim has
                no currency), ts = START + (step - 1) days at 12:00 UTC plus
                the row's rank within its step in seconds (so rows keep
                their order), channel mobile_money, source amlsim-<folder>,
                source_ref T-<row number>
  truth.csv     iffa's ground-truth format: structure "amlsim", entity_type
                account, role "fraud", one row per isFraud=1 node

AMLSim has no countries or channels; every node gets COUNTRY and every
transfer the mobile-money channel. A transaction from a node to itself (the
loader refuses them) is skipped and counted on stderr.

Load with: for k in party account transfer; do iffa load $k OUT_DIR/$k.csv; done
"""
import argparse
import csv
import datetime
import gzip
import os
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("src")
    ap.add_argument("out")
    ap.add_argument("--start", default="2025-01-01")
    ap.add_argument("--country", default="ML")
    a = ap.parse_args()
    start = datetime.datetime.strptime(a.start, "%Y-%m-%d").replace(
        tzinfo=datetime.timezone.utc)
    name = os.path.basename(os.path.normpath(a.src))
    os.makedirs(a.out, exist_ok=True)

    with gzip.open(os.path.join(a.src, "nodes.csv.gz"), "rt", newline="") as f:
        nodes = [(int(r["nodeid"]), r["isFraud"] == "1") for r in csv.DictReader(f)]
    nodes.sort()
    with open(os.path.join(a.out, "party.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["ref", "kind", "name", "aliases", "country", "region", "supplier", "source"])
        for n, _ in nodes:
            w.writerow([f"P-{n}", "person", f"AMLSim node {n}", "", a.country, "", a.country,
                        f"amlsim-{name}"])
    with open(os.path.join(a.out, "account.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["ref", "party_ref", "kind", "institution", "country", "supplier", "source"])
        for n, _ in nodes:
            w.writerow([f"A-{n}", f"P-{n}", "mobile_money", "AMLSim", a.country, a.country,
                        f"amlsim-{name}"])
    with open(os.path.join(a.out, "truth.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["structure", "structure_id", "entity_type", "ref", "role"])
        for n, fraud in nodes:
            if fraud:
                w.writerow(["amlsim", 0, "account", f"A-{n}", "fraud"])

    skipped = 0
    rank = {}
    with gzip.open(os.path.join(a.src, "transactions.csv.gz"), "rt", newline="") as f, \
            open(os.path.join(a.out, "transfer.csv"), "w", newline="") as o:
        w = csv.writer(o, lineterminator="\n")
        w.writerow(["source", "source_ref", "from_account", "to_account", "amount", "currency",
                    "ts", "channel", "purpose", "supplier"])
        for i, r in enumerate(csv.DictReader(f), 1):
            s, t, step = int(r["sourceNodeId"]), int(r["targetNodeId"]), int(r["time"])
            if s == t:
                skipped += 1
                continue
            k = rank.get(step, 0)
            rank[step] = k + 1
            ts = start + datetime.timedelta(days=step - 1, hours=12, seconds=k)
            w.writerow([f"amlsim-{name}", f"T-{i:07d}", f"A-{s}", f"A-{t}", r["value"], "XOF",
                        ts.strftime("%Y-%m-%dT%H:%M:%SZ"), "mobile_money", "", a.country])
    if skipped:
        print(f"amlsim2csv: skipped {skipped} transactions from a node to itself",
              file=sys.stderr)


if __name__ == "__main__":
    main()
