#!/usr/bin/env python3
"""Read a case export back with a real client and compare it with what the
flow graph holds.

    readback.py graphml|gexf|csv|ftm PATH EXPECTED

EXPECTED has tab-separated lines written by tests/export/case.c:
    N <ref> <name>                          one per vertex
    E <from ref> <to ref> <channel> <kind> <amount> <flows>   one per edge
GraphML and GEXF are read with networkx (Debian's python3-networkx), CSV
with the csv module, FtM JSON lines with json. Exit 0 when vertices, edges
and amounts agree, 1 with the differences printed.
"""
import csv
import json
import sys


def norm_amount(x):
    return "%.2f" % float(x)


def from_networkx(g):
    nodes, edges = [], []
    for _, d in g.nodes(data=True):
        nodes.append(("N", d["ref"], d["name"]))
    for u, v, d in g.edges(data=True):
        edges.append(("E", g.nodes[u]["ref"], g.nodes[v]["ref"], d["channel"], d["kind"],
                      norm_amount(d["amount_xof"]), str(int(float(d["flows"])))))
    return nodes, edges


def unneutralise(cell):
    # The export prefixes cells a spreadsheet would evaluate with "'".
    if cell[:1] == "'" and cell[1:2] in ("=", "+", "-", "@", "\t", "\r"):
        return cell[1:]
    return cell


def read(fmt, path):
    if fmt in ("graphml", "gexf"):
        import networkx as nx
        g = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
        if not g.is_directed():
            raise SystemExit("%s: read as an undirected graph" % path)
        return from_networkx(g)
    if fmt == "csv":
        with open(path + "/nodes.csv", newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        for r in rows:
            for k, v in r.items():
                if v[:1] in ("=", "+", "-", "@"):
                    raise SystemExit("nodes.csv: cell %s=%r would run in a spreadsheet" % (k, v))
        ref = {r["id"]: unneutralise(r["ref"]) for r in rows}
        nodes = [("N", unneutralise(r["ref"]), unneutralise(r["name"])) for r in rows]
        with open(path + "/edges.csv", newline="", encoding="utf-8") as f:
            edges = [("E", ref[r["source"]], ref[r["target"]], r["channel"], r["kind"],
                      norm_amount(r["amount_xof"]), r["flows"]) for r in csv.DictReader(f)]
        return nodes, edges
    if fmt == "ftm":
        ents = {}
        with open(path, encoding="utf-8") as f:
            for line in f:
                e = json.loads(line)
                assert e["id"] not in ents, "id twice: " + e["id"]
                ents[e["id"]] = e
        nodes, edges, vert = [], [], {}
        for e in ents.values():
            p = e["properties"]
            if e["schema"] == "BankAccount":
                holder = [o["properties"]["owner"][0] for o in ents.values()
                          if o["schema"] == "Ownership" and o["properties"]["asset"] == [e["id"]]]
                name = ents[holder[0]]["properties"]["name"][0] if holder else ""
                nodes.append(("N", p["accountNumber"][0], name))
                vert[e["id"]] = p["accountNumber"][0]
        for e in ents.values():
            if e["schema"] != "Payment":
                continue
            p = e["properties"]
            kind, rest = p["purpose"][0].split(" (", 1)
            channel, flows = rest.split("), ", 1)
            edges.append(("E", vert[p["payerAccount"][0]], vert[p["beneficiaryAccount"][0]],
                          channel, kind, norm_amount(p["amount"][0]), flows.split(" ")[0]))
            assert p["currency"] == ["XOF"]
            for key in ("payer", "beneficiary"):
                for ref in p.get(key, []):
                    assert ents[ref]["schema"] in ("Person", "Organization", "Company"), ref
        return nodes, edges
    raise SystemExit("unknown format " + fmt)


def main():
    fmt, path, expected = sys.argv[1:4]
    want_nodes, want_edges = [], []
    with open(expected, encoding="utf-8") as f:
        for line in f:
            t = tuple(line.rstrip("\n").split("\t"))
            if t[0] == "N":
                want_nodes.append(t)
            else:
                want_edges.append(t[:5] + (norm_amount(t[5]), t[6]))
    nodes, edges = read(fmt, path)
    ok = True
    for what, got, want in (("vertices", nodes, want_nodes), ("edges", edges, want_edges)):
        if sorted(got) != sorted(want):
            ok = False
            print("%s %s differ:\n  read:     %s\n  expected: %s"
                  % (fmt, what, sorted(set(got) - set(want)), sorted(set(want) - set(got))))
    print("%s: %d vertices, %d edges, %s XOF read back%s"
          % (fmt, len(nodes), len(edges), "%.2f" % sum(float(e[5]) for e in edges),
             "" if ok else " (DIFFERENT)"))
    sys.exit(0 if ok else 1)


main()
