#!/usr/bin/python3
"""The peer of iffa's analysis, written with NetworkX (Debian's python3-networkx
2.8, with python3-scipy for PageRank), for tools/bench/run.

It reads the same rows iffa reads, through the same database with psql
(`COPY (SELECT ...) TO STDOUT (FORMAT csv)`, the queries of src/ingest/ingest.c
at account level), converts amounts to XOF with fx_rate the way fx.c does
(the latest rate on or before the record's UTC date), builds the account-level
flow graph (one edge per (source, target), XOF summed) and runs:

  1. weakly connected components;
  2. Louvain communities on the neighbourhood of the sources (the clusters
     pass's pruning: 2 undirected hops from the seeds, not through vertices
     of degree above 150; undirected, weight ln(1 + XOF / 1000));
  3. personalised PageRank along money from the designated set (the exposure
     pass's reset: designated and armed-group vertices and payees of ransoms
     and levies; weights XOF; damping 0.85; tolerance 1e-10);
  4. betweenness sampled from --pivots sources (iffa's intermediaries pass
     samples 500), on the pruned neighbourhood;
  5. a time-respecting, amount-bounded path search from the sources like
     the paths pass (src/passes/walk.c; its rules in docs/ANALYSIS.md):
     flows leaving a holder within `dwell` of the money's arrival, grouped by
     counterparty, the carried amount bounded by what arrived and by the
     group's amount, kept while it carries at least max(500,000 XOF, 5 % of
     what the source put in), at most 6 hops, no vertex twice, at most 20,000
     flows looked at and 16 paths kept per source.

Prints one JSON object: seconds per step, the answers (component count and
sizes, PageRank top k as account ids) and, with --answers FILE (the output of
iffa_bench_answers), their comparison with iffa's.

  peer_networkx.py --db DBNAME [--pivots 500] [--top 100] [--answers FILE]
"""
import argparse
import bisect
import csv
import heapq
import io
import json
import math
import random
import subprocess
import sys
import time

import networkx as nx

VERTICES = """
WITH pf AS (SELECT p.id, p.kind = 'armed_group' OR EXISTS
  (SELECT 1 FROM designation d WHERE d.party_id = p.id) AS source FROM party p)
SELECT 2 * a.id, coalesce(pf.source, false), a.country FROM account a LEFT JOIN pf ON pf.id = a.party_id
UNION ALL
SELECT 2 * pf.id + 1, pf.source, p.country FROM pf JOIN party p ON p.id = pf.id
WHERE NOT EXISTS (SELECT 1 FROM account a WHERE a.party_id = pf.id)
"""
ALIASES = "SELECT 2 * party_id + 1, 2 * min(id) FROM account WHERE party_id IS NOT NULL GROUP BY party_id"
FX = "SELECT currency, valid_from - date '1970-01-01', xof_per_unit::float8 FROM fx_rate ORDER BY 1, 2"
TRANSFERS = ("SELECT id, from_account, to_account, amount::float8, currency,"
             " extract(epoch FROM ts)::float8, channel FROM transfer")
# One row per hop, as ingest.c's ransom_sql.
RANSOM = """
SELECT r.id, h.party, h.next, r.amount::float8, r.currency, extract(epoch FROM r.paid_at)::float8
FROM ransom r CROSS JOIN LATERAL (
  SELECT c.seq, c.party, lead(c.party) OVER (ORDER BY c.seq) AS next FROM (
    SELECT 0::bigint AS seq, r.payer AS party
    UNION ALL SELECT l.seq, l.party_id FROM ransom_leg l WHERE l.ransom_id = r.id
    UNION ALL SELECT 4294967296, r.recipient) c) h
WHERE h.next IS NOT NULL ORDER BY r.id, h.seq
"""
GOLD = ("SELECT id, buyer, seller, value::float8, currency, extract(epoch FROM traded_at)::float8"
        " FROM gold_lot")
LEVY = ("SELECT id, payer, collector, amount::float8, currency, extract(epoch FROM levied_at)::float8"
        " FROM levy")

DAY = 86400.0


def rows(db, sql):
    """The rows of `sql`, as lists of strings, from psql's CSV COPY."""
    p = subprocess.run(["psql", "-X", "-q", "-d", db, "-c",
                        "COPY (%s) TO STDOUT (FORMAT csv)" % sql.strip()],
                       check=True, stdout=subprocess.PIPE)
    return csv.reader(io.StringIO(p.stdout.decode()))


class Fx:
    def __init__(self, db):
        self.days, self.rates = {}, {}
        for cur, day, rate in rows(db, FX):
            self.days.setdefault(cur, []).append(int(day))
            self.rates.setdefault(cur, []).append(float(rate))

    def xof(self, amount, cur, ts):
        if cur == "XOF":
            return amount
        days = self.days[cur]
        i = bisect.bisect_right(days, int(ts // DAY)) - 1
        if i < 0:
            raise ValueError("no fx_rate for %s on %s" % (cur, ts))
        return amount * self.rates[cur][i]


def read(db):
    """Vertices (key -> is source, country), flows (src, dst, xof, ts, kind)."""
    source, country = {}, {}
    for key, src, cc in rows(db, VERTICES):
        k = int(key)
        source[k] = src == "t"
        country[k] = cc
    alias = {int(k): int(v) for k, v in rows(db, ALIASES)}
    fx = Fx(db)
    flows = []
    for _id, f, t, amount, cur, ts, _channel in rows(db, TRANSFERS):
        ts = float(ts)
        flows.append((2 * int(f), 2 * int(t), fx.xof(float(amount), cur, ts), ts, "transfer"))
    for kind, sql in (("ransom", RANSOM), ("gold", GOLD), ("levy", LEVY)):
        for _id, f, t, amount, cur, ts in rows(db, sql):
            pf, pt = 2 * int(f) + 1, 2 * int(t) + 1
            ts = float(ts)
            flows.append((alias.get(pf, pf), alias.get(pt, pt), fx.xof(float(amount), cur, ts), ts,
                          kind))
    return source, country, flows


def build(source, flows):
    g = nx.DiGraph()
    g.add_nodes_from(source)
    for u, v, xof, _ts, _kind in flows:
        d = g.get_edge_data(u, v)
        if d is None:
            g.add_edge(u, v, weight=xof)
        else:
            d["weight"] += xof
    return g


def reset_set(g, source, flows):
    """The exposure pass's PageRank reset along money."""
    r = {v for v, s in source.items() if s}
    r.update(v for _u, v, _x, _t, kind in flows if kind in ("ransom", "levy"))
    return r


def seeds(source, flows):
    """The clusters pass's seeds: source vertices and the parties of source records."""
    s = {v for v, is_src in source.items() if is_src}
    for u, v, _x, _t, kind in flows:
        if kind in ("ransom", "levy"):
            s.add(u)
            s.add(v)
    return s


def prune(g, seed, hops=2, expand_degree=150):
    """Vertices at most `hops` undirected steps from a seed, not expanding
    through vertices of degree above expand_degree."""
    seen = set(v for v in seed if v in g)
    frontier = list(seen)
    for _ in range(hops):
        nxt = []
        for u in frontier:
            if g.degree(u) > expand_degree:
                continue
            for w in g.successors(u):
                if w not in seen:
                    seen.add(w)
                    nxt.append(w)
            for w in g.predecessors(u):
                if w not in seen:
                    seen.add(w)
                    nxt.append(w)
        frontier = nxt
    return seen


def undirected_weighted(g, keep):
    h = nx.Graph()
    h.add_nodes_from(keep)
    for u, v, d in g.subgraph(keep).edges(data=True):
        if u == v:
            continue
        w = math.log1p(d["weight"] / 1000.0)
        if h.has_edge(u, v):
            h[u][v]["weight"] += w
        else:
            h.add_edge(u, v, weight=w)
    return h


def paths(source, country, flows, dwell=30 * DAY, max_hops=6, min_amount=500000.0,
          min_fraction=0.05, max_expansions=20000, max_paths=16):
    """Time-respecting, amount-bounded paths from the sources; returns the
    number of cross-border paths found and the flows looked at."""
    out = {}
    for u, v, xof, ts, kind in flows:
        out.setdefault(u, []).append((ts, v, xof, kind))
    for lst in out.values():
        lst.sort()
    starts = [(u, v, xof, ts) for u, v, xof, ts, kind in flows
              if kind in ("ransom", "levy") or source.get(u)]
    found = looked = 0
    for u0, v0, c0, t0 in starts:
        bound = max(min_amount, min_fraction * c0)
        if c0 < bound:
            continue
        kept = []
        budget = [max_expansions]

        def walk(h, c, lo, hi, path):
            nonlocal looked
            lst = out.get(h, ())
            i = bisect.bisect_left(lst, (lo,))
            groups = {}
            while i < len(lst) and lst[i][0] <= hi + dwell and budget[0] > 0:
                ts, w, xof, _kind = lst[i]
                budget[0] -= 1
                looked += 1
                if w not in path:
                    g = groups.setdefault(w, [0.0, ts, ts])
                    g[0] += xof
                    g[2] = ts
                i += 1
            extended = False
            if len(path) <= max_hops:
                left = c
                for w, (amount, first, last) in sorted(groups.items(),
                                                       key=lambda kv: abs(kv[1][0] - c)):
                    carried = min(left, amount)
                    if carried < bound:
                        continue
                    left -= carried
                    extended = True
                    walk(w, carried, first, last, path + [w])
            if not extended and len(path) > 1:
                cs = {country.get(x) for x in path}
                if len(cs) > 1:
                    heapq.heappush(kept, (c, len(kept)))
                    if len(kept) > max_paths:
                        heapq.heappop(kept)

        walk(v0, c0, t0, t0, [u0, v0])
        found += len(kept)
    return found, looked


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--pivots", type=int, default=500)
    ap.add_argument("--top", type=int, default=100)
    ap.add_argument("--answers")
    a = ap.parse_args()
    sys.setrecursionlimit(10000)
    t = {}
    t0 = time.monotonic()

    def step(name):
        nonlocal t0
        now = time.monotonic()
        t[name] = round(now - t0, 3)
        t0 = now
        print("peer: %s %.1f s" % (name, t[name]), file=sys.stderr, flush=True)

    source, country, flows = read(a.db)
    step("read")
    g = build(source, flows)
    step("graph")
    comps = sorted((len(c) for c in nx.weakly_connected_components(g)), reverse=True)
    step("components")
    seed = seeds(source, flows)
    keep = prune(g, seed)
    h = undirected_weighted(g, keep)
    communities = nx.community.louvain_communities(h, weight="weight", seed=1)
    step("louvain")
    reset = reset_set(g, source, flows)
    # NetworkX stops when the L1 change is below |V| * tol: with the default
    # tol (1e-6) that is 0.13 on 126k vertices, a few iterations, and scores
    # off by half; 1e-10 brings it to PRPACK's precision.
    pr = nx.pagerank(g, alpha=0.85, personalization={v: 1.0 for v in reset}, weight="weight",
                     tol=1e-10, max_iter=1000)
    step("pagerank")
    # A copy: a subgraph view filters every neighbour on each visit, 3-5x slower.
    sub = g.subgraph(keep).copy()
    k = min(a.pivots, sub.number_of_nodes())
    bc = nx.betweenness_centrality(sub, k=k, seed=1, normalized=True)
    step("betweenness")
    npaths, looked = paths(source, country, flows)
    step("paths")
    top = sorted(pr.items(), key=lambda kv: (-kv[1], kv[0]))[:a.top]
    res = {
        "networkx": nx.__version__,
        "seconds": t,
        "total_seconds": round(sum(t.values()), 3),
        "vertices": g.number_of_nodes(),
        "edges": g.number_of_edges(),
        "flows": len(flows),
        "components": len(comps),
        "largest": comps[:10],
        "singletons": sum(1 for c in comps if c == 1),
        "pruned_vertices": len(keep),
        "communities": len(communities),
        "betweenness_pivots": k,
        "betweenness_max": max(bc.values()) if bc else 0,
        "paths": npaths,
        "paths_flows_looked_at": looked,
        "pagerank_top": [["party" if v & 1 else "account", v >> 1, s] for v, s in top],
    }
    if a.answers:
        with open(a.answers) as f:
            iffa = json.load(f)
        mine = {(x[0], x[1]) for x in res["pagerank_top"]}
        theirs = [(x[0], x[1]) for x in iffa["pagerank_top"]]
        n = min(len(mine), len(theirs))
        iffa_scores = {(x[0], x[1]): x[2] for x in iffa["pagerank_top"]}
        rel = [abs(pr[(2 * i) + (1 if kind == "party" else 0)] - s) / s
               for (kind, i), s in iffa_scores.items() if s > 0]
        res["compare"] = {
            "components_equal": iffa["components"] == res["components"],
            "largest_equal": iffa["largest"] == res["largest"],
            "pagerank_top_overlap": len(mine & set(theirs[:n])) / n if n else None,
            "pagerank_top10_overlap": len({(x[0], x[1]) for x in res["pagerank_top"][:10]}
                                          & set(theirs[:10])) / 10,
            "pagerank_max_rel_diff_on_iffa_top": max(rel) if rel else None,
        }
    json.dump(res, sys.stdout)
    print()


if __name__ == "__main__":
    main()
