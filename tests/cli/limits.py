#!/usr/bin/env python3
"""Inputs and a runner for tests/cli/limits.sh (stdlib only).

limits.py gen DIR
    write the inputs: deeply nested JSON, deeply nested subsegments, a
    parent_id chain, traces of 100,000 entities, a service graph of 10,000
    nodes, filter expressions of 1 MB, and the counts they hold (DIR/want.json).
limits.py run OUT ERR AS_MB TIMEOUT CMD...
    run CMD (stdin inherited) with its output in OUT and ERR, its address
    space limited to AS_MB MiB (0: no limit, for sanitizer builds), killed
    after TIMEOUT seconds (a hang guard, exit 124); print "STATUS PEAK_RSS_KB
    SECONDS".
"""
import json
import os
import random
import resource
import subprocess
import sys
import time

T0 = 1795532800.0                       # 2026-11-24 15:06:40 UTC
TID = "1-6a43f000-00000000000000000000abcd"
DEEP = 10000                            # levels of the deep inputs


def sid(n):
    return "%016x" % (0x1000000000000000 + n)


def line(d):
    return json.dumps(d, separators=(",", ":")) + "\n"


def seg(i, name, tid=TID, parent=None, st=0.0, et=1.0, sub=False, **kw):
    d = {"trace_id": tid, "id": sid(i), "name": name, "start_time": T0 + st, "end_time": T0 + et}
    if parent is not None:
        d["parent_id"] = sid(parent)
    if sub:
        d["type"] = "subsegment"
    d.update(kw)
    return d


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(t))


def gen(out):
    want = {}

    def w(name, text):
        with open(os.path.join(out, name), "w") as f:
            f.write(text)

    # (1) JSON nested 10,000 levels in a segment's metadata, line 3 of 4;
    # the byte where it passes 1000 levels, for the message.
    good = [seg(1, "first", tid="1-6a43f000-0000000000000000000000a1"),
            seg(2, "second", tid="1-6a43f000-0000000000000000000000a2"),
            seg(4, "fourth", tid="1-6a43f000-0000000000000000000000a4")]
    head = line(seg(3, "deep", tid="1-6a43f000-0000000000000000000000a3"))[:-2] + ',"metadata":{"x":'
    deep = head + "[" * DEEP + "]" * DEEP + "}}"
    w("deep-json.jsonl", line(good[0]) + line(good[1]) + deep + "\n" + line(good[2]))
    want["deep_json_byte"] = len(head) + 998    # two levels open before the '['s
    # ... the same document inside a BatchGetTraces answer, as the AWS CLI
    # prints it
    page = {"Traces": [{"Id": good[0]["trace_id"], "Duration": 1.0, "Segments": [
        {"Id": sid(1), "Document": json.dumps(good[0])},
        {"Id": sid(3), "Document": deep}]},
        {"Id": good[2]["trace_id"], "Duration": 1.0,
         "Segments": [{"Id": sid(4), "Document": json.dumps(good[2])}]}],
        "UnprocessedTraceIds": []}
    w("deep-page.json", json.dumps(page, indent=4) + "\n")
    # ... and the documents for the fake endpoint, times near now
    now = time.time() - 300
    shift = now - T0
    lines = []
    for d in good + [json.loads(line(seg(3, "deep", tid="1-6a43f000-0000000000000000000000a3")))]:
        d = dict(d, start_time=d["start_time"] + shift, end_time=d["end_time"] + shift)
        p = d["trace_id"].split("-")
        d["trace_id"] = "1-%08x-%s" % (int(now), p[2])
        lines.append(line(d))
    lines[3] = lines[3][:-2] + ',"metadata":{"x":' + "[" * DEEP + "]" * DEEP + "}}\n"
    w("deep-aws.jsonl", "".join(lines))

    # (2) subsegments nested 10,000 and 100,000 levels in one document
    def nested(levels):
        return "".join('{"id":"%s","name":"n%d","start_time":%r,"end_time":%r,"subsegments":['
                       % (sid(i + 10), i, T0, T0 + 1) for i in range(levels)) + "]}" * levels
    for lv, name in ((DEEP, "deep-sub10k.jsonl"), (10 * DEEP, "deep-sub100k.jsonl")):
        top = line(seg(0, "root", tid="1-6a43f000-0000000000000000000000b2"))[:-2]
        w(name, line(seg(1, "first", tid="1-6a43f000-0000000000000000000000b1")) +
          top + ',"subsegments":[' + nested(lv) + "]}\n" +
          line(seg(3, "third", tid="1-6a43f000-0000000000000000000000b3")))
    # a parent_id chain of 10,000 subsegment documents, in a shuffled order
    n = DEEP
    docs = [line(seg(0, "chain-root", st=0, et=n))]
    docs += [line(seg(i, "c%d" % i, parent=i - 1, st=i * 1e-4, et=n - i * 1e-4, sub=True))
             for i in range(1, n)]
    random.Random(7).shuffle(docs)
    w("chain.jsonl", "".join(docs))

    # (3) 100,000 entities in one trace: a flat fan-out of subsegment documents
    n = 100000
    docs = [line(seg(0, "fan-root", st=0, et=100))]
    docs += [line(seg(i, "sub%d" % i, parent=0, st=i * 5e-4, et=i * 5e-4 + 1e-3, sub=True))
             for i in range(1, n)]
    w("fan.jsonl", "".join(docs))
    # ... 100,000 segment documents of 100 services, the root last
    docs = [line(seg(i, "svc%02d" % (i % 100), parent=0, st=i * 1e-4, et=i * 1e-4 + 0.01))
            for i in range(1, n)]
    docs.append(line(seg(0, "front", st=0, et=100)))
    w("segfan.jsonl", "".join(docs))
    # ... a mix: 1,000 segments of 10 services, each with 33 remote calls
    # nested three deep (99 subsegments); 100,000 entities
    docs = []
    for s in range(1000):
        st = s * 0.01
        subs = []
        for k in range(33):
            base = 200000 + s * 100 + k * 3
            subs.append({"id": sid(base), "name": "db%d" % (k % 5), "namespace": "remote",
                         "start_time": T0 + st, "end_time": T0 + st + 0.005,
                         "subsegments": [{"id": sid(base + 1), "name": "query", "start_time": T0 + st,
                                          "end_time": T0 + st + 0.004,
                                          "subsegments": [{"id": sid(base + 2), "name": "read",
                                                           "start_time": T0 + st,
                                                           "end_time": T0 + st + 0.003}]}]})
        d = seg(s, "svc%d" % (s % 10), st=st, et=st + 0.009, subsegments=subs)
        if s > 0:
            d["parent_id"] = sid(0)
        docs.append(line(d))
    w("mix.jsonl", "".join(docs))

    # (4) GetServiceGraph of 10,000 nodes, each calling the next three
    n = 10000
    want["graph_edges"] = 3 * n
    svcs = []
    for i in range(n):
        st = {"OkCount": 5 + i % 7, "ErrorStatistics": {"TotalCount": 1}, "FaultStatistics": {"TotalCount": 0},
              "TotalCount": 6 + i % 7, "TotalResponseTime": 0.6}
        svcs.append({"ReferenceId": i, "Name": "svc-%05d" % i, "Names": ["svc-%05d" % i],
                     "Type": "AWS::EC2::Instance", "Root": i == 0, "State": "active",
                     "StartTime": iso(T0), "EndTime": iso(T0 + 600),
                     "Edges": [{"ReferenceId": (i + k) % n, "StartTime": iso(T0), "EndTime": iso(T0 + 600),
                                "SummaryStatistics": st, "Aliases": []} for k in (1, 2, 3)],
                     "SummaryStatistics": st})
    w("graph.json", json.dumps({"Services": svcs, "StartTime": iso(T0), "EndTime": iso(T0 + 600),
                                "ContainsOldGroupVersions": False}, indent=1) + "\n")

    # (5) filter expressions of 1 MB and more, over 1,000 traces: trace i
    # has annotation k = 137 i; one has a URL of more than 1 MiB (words of
    # 59,990 'a', so that a config file can hold it in continued lines).
    big = " ".join(["a" * 59990] * 18)
    docs = []
    for i in range(1000):
        url = "http://example.com/" + (big if i == 500 else "p%d" % i)
        docs.append(line(seg(i, "web", tid="1-6a43f000-%024x" % (0xc000 + i), st=i, et=i + 0.5,
                             annotations={"k": 137 * i},
                             http={"request": {"method": "GET", "url": url}, "response": {"status": 200}})))
    w("many.jsonl", "".join(docs))
    w("f-string.txt", 'http.url CONTAINS "%s"' % big)
    w("f-or.txt", " OR ".join("annotation.k = %d" % v for v in range(100000)))
    want["or_matches"] = sum(1 for i in range(1000) if 137 * i < 100000)
    w("f-paren.txt", "(" * DEEP + "ok" + ")" * DEEP)
    w("f-not.txt", "!" * 100000 + "ok")
    # the same as groups of a config file: lines of at most 60,000 bytes,
    # continued by indented lines (which join with a space)
    for name in ("string", "or", "paren", "not"):
        expr = open(os.path.join(out, "f-%s.txt" % name)).read()
        parts, cur = [], ""
        for tok in expr.split(" "):
            if cur and len(cur) + len(tok) + 1 > 60000:
                parts.append(cur)
                cur = tok
            else:
                cur = tok if not cur else cur + " " + tok
        parts.append(cur)
        w("cfg-%s" % name, "[group big]\nfilter = %s\n" % "\n\t".join(parts))
    with open(os.path.join(out, "want.json"), "w") as f:
        json.dump(want, f)


def run(argv):
    out, err, as_mb, limit = argv[0], argv[1], int(argv[2]), float(argv[3])
    cmd = argv[4:]

    def pre():
        if as_mb > 0:
            resource.setrlimit(resource.RLIMIT_AS, (as_mb << 20, as_mb << 20))
    t = time.monotonic()
    with open(out, "wb") as o, open(err, "wb") as e:
        try:
            rc = subprocess.run(cmd, stdout=o, stderr=e, preexec_fn=pre, timeout=limit).returncode
        except subprocess.TimeoutExpired:
            rc = 124
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(rc if rc >= 0 else 128 - rc, rss, "%.2f" % (time.monotonic() - t))


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2])
    elif sys.argv[1] == "run":
        run(sys.argv[2:])
    else:
        sys.exit("usage: limits.py gen DIR | run OUT ERR AS_MB TIMEOUT CMD...")
