#!/usr/bin/env python3
"""Compare an xraytop map (JSON) with a corpus scenario's ground truth.

The ground truth is the request driver's own bookkeeping (see the corpus
README): per service and per edge, calls and their outcome by HTTP status.
The map names nodes the X-Ray way, so: a service is the node of that name
(no origin in the corpus apps); an edge "A -> B" is the map's edge from A
to the node named B, except B = dynamodb/DynamoDB, which is the sum of A's
edges to its AWS::DynamoDB::Table nodes (one node per table).  A failed
Python DynamoDB call carries both error and fault flags, so for DynamoDB
edges only error + fault is compared.  Every node and edge of the map must
be accounted for by the truth.  Prints the differences; exit 0 when none.
"""
import json
import sys


def main():
    truth = json.load(open(sys.argv[1]))
    m = json.load(open(sys.argv[2]))
    problems = []
    nodes = {(n["name"], n["type"]): n for n in m["nodes"]}
    edges = {}
    for e in m["edges"]:
        edges[(e["source"]["name"], e["source"]["type"], e["target"]["name"], e["target"]["type"])] = e

    def compare(what, got, want, dynamo=False):
        pairs = [("count", "calls"), ("ok", "ok"), ("throttle", "error_throttle")]
        if dynamo:
            if got["error"] + got["fault"] != want["error_total"] + want["fault_total"]:
                problems.append("%s: error+fault %d, want %d" % (what, got["error"] + got["fault"],
                                want["error_total"] + want["fault_total"]))
        else:
            pairs += [("error", "error_total"), ("fault", "fault_total")]
        for g, w in pairs:
            if got[g] != want[w]:
                problems.append("%s: %s %d, want %d" % (what, g, got[g], want[w]))

    used_nodes = {("client", "client")}
    used_edges = set()
    for name, want in truth["services"].items():
        key = (name, "")
        used_nodes.add(key)
        if key not in nodes:
            problems.append("node %s missing" % name)
            continue
        compare("node " + name, nodes[key], want)
    for label, want in truth["edges"].items():
        src, dst = [x.strip() for x in label.split("->")]
        stype = "client" if src == "client" else ""
        if dst.lower() == "dynamodb":
            keys = [k for k in edges if k[0] == src and k[1] == stype and k[3] == "AWS::DynamoDB::Table"]
            if not keys:
                problems.append("no DynamoDB table edges from %s" % src)
                continue
            total = {f: sum(edges[k][f] for k in keys) for f in ("count", "ok", "error", "fault", "throttle")}
            compare("edge " + label, total, want, dynamo=True)
            for k in keys:
                used_edges.add(k)
                used_nodes.add((k[2], k[3]))
            continue
        keys = [k for k in edges if k[0] == src and k[1] == stype and k[2] == dst]
        if len(keys) != 1:
            problems.append("edge %s: %d matching edges in the map" % (label, len(keys)))
            continue
        used_edges.add(keys[0])
        used_nodes.add((keys[0][2], keys[0][3]))
        compare("edge " + label, edges[keys[0]], want)
    for k in nodes:
        if k not in used_nodes:
            problems.append("unexpected node %s (%s)" % k)
    for k in edges:
        if k not in used_edges:
            problems.append("unexpected edge %s (%s) -> %s (%s)" % k)
    for p in problems:
        print(p)
    if not problems:
        print("agree: %d nodes, %d edges" % (len(nodes), len(edges)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
