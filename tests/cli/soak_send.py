#!/usr/bin/env python3
"""soak_send.py - a soak load for `xraytop listen`: good datagrams with
garbage mixed in, over loopback UDP, at a steady rate.

  soak_send.py DATAGRAMS --port PORT --rate N --duration S
               [--garbage 0.2] [--seed 1] [--truth TRUTH --truth-out FILE]
               [--summary FILE] [--rss-pid PID] [--passes N]

DATAGRAMS is gen-traces --format datagrams output (pairs of lines: header,
document).  The file is sent in whole passes; each pass gets fresh trace
ids, so pass p is a new set of traces, never a repeat: the trace id
1-EEEEEEEE-XXXXXXXXXXXXXXXXXXXXXXXX becomes 1-EEEEEEEE-PPPPPPXXXXXXXXXXXXXXXXXX
(PPPPPP the pass number in hex, the rest the original's last 18 digits,
checked to be distinct within the file), every occurrence in the datagram.
Segment ids stay (links are by trace id and id).  The number of passes is
as many as fit in --duration at --rate (at least one), unless --passes;
a pass is never cut short, so what was sent is always whole traces.

Garbage: a fraction --garbage of all datagrams (exactly: one in five for
0.2) is unusable, of these kinds (each with the reason the collector must
count it under):
  random-bytes    random bytes with a NUL among them              binary
  truncated-json  header + a document cut after a comma            truncated
                  (or an empty document)
  broken-json     header + a document with a syntax error          invalid-json
  missing-header  a document alone                                 no-header
  header-only     the header line, no newline                      no-header
  wrong-format    a header other than json/1, then a document      bad-header
  not-segment     header + JSON that is no segment: an array, a    not-segment,
                  string, an object without id, without trace_id,  no-id,
                  without name, a bad subsegment                   no-trace-id
  invalid-utf8    header + a document with bytes that are not      binary
                  UTF-8 outside its strings, or in UTF-16
  huge            30,000 to 65,507 bytes: an unterminated string,  truncated,
                  random bytes, text with no newline, an array     binary,
                                                                   no-header,
                                                                   not-segment
Everything is drawn from a random generator seeded with --seed, so a run
is repeatable.  A send the kernel refuses (ENOBUFS) is retried, so every
datagram of the plan goes out.

--truth (gen-traces --truth of DATAGRAMS) with --truth-out writes the truth
of what was sent: the same nodes and edges with counts, sums and totals
times the number of passes (the average and the nearest-rank percentiles
of a multiset repeated P times are those of the multiset).

--rss-pid samples VmRSS of that process every second while sending.

The summary (JSON, --summary or stdout): sent, good, garbage, by kind,
the invalid count expected for each reason, passes, traces, seconds,
achieved rate, retries, the RSS samples, and max_open_traces: the largest
number of traces first seen after a trace and before its last datagram
(a trace cap must stay above it for evicted traces to be complete).
Loopback only.
"""

import argparse
import bisect
import ipaddress
import json
import os
import random
import re
import socket
import sys
import time
from fractions import Fraction

HEADER = b'{"format":"json","version":1}'
SPACED = b'{"format": "json", "version": 1}'
MAX_UDP = 65507
TID_RE = re.compile(r"^1-[0-9a-f]{8}-[0-9a-f]{24}$")
REASONS = ("no-header", "bad-header", "invalid-json", "truncated", "not-segment",
           "no-id", "no-trace-id", "binary")
KINDS = ("random-bytes", "truncated-json", "broken-json", "missing-header", "header-only",
         "wrong-format", "not-segment", "invalid-utf8", "huge")
VARIANTS = 24   # garbage datagrams made of each kind (cycled through)


def die(msg):
    sys.exit("soak_send.py: " + msg)


def load(path):
    """The datagrams of the file: (parts, trace index) with parts the
    datagram split at its trace id; and the trace ids in first-seen order."""
    with open(path, "rb") as f:
        lines = [l.rstrip(b"\r\n") for l in f if l.strip()]
    if len(lines) % 2 != 0:
        die("%s: not a datagrams file (an odd number of lines)" % path)
    dgs, index, order, last = [], {}, [], {}
    for i in range(0, len(lines), 2):
        head, doc = lines[i], lines[i + 1]
        if not head.startswith(b'{"format"'):
            die("%s: line %d is not a datagram header" % (path, i + 1))
        tid = json.loads(doc)["trace_id"]
        if not TID_RE.match(tid):
            die("%s: trace id %r is not 1-8hex-24hex" % (path, tid))
        if tid not in index:
            index[tid] = len(order)
            order.append(tid)
        last[tid] = len(dgs)
        dgs.append(((head + b"\n" + doc).split(tid.encode()), index[tid]))
    if not dgs:
        die("%s: no datagrams" % path)
    if len(set(t[-18:] for t in order)) != len(order):
        die("%s: two trace ids share their last 18 digits" % path)
    # largest number of traces first seen between a trace's first and last datagram
    first_pos = {}
    for pos, (_, ti) in enumerate(dgs):
        first_pos.setdefault(ti, pos)
    starts = sorted(first_pos.values())
    window = max(bisect.bisect_right(starts, last[t]) - 1 - index[t] for t in order)
    return dgs, order, window


def pass_ids(order, p):
    return [("%s%06x%s" % (t[:11], p, t[-18:])).encode() for t in order]


# ---------------------------------------------------------------- garbage

def cut_points(doc):
    """Offsets just after a comma outside strings."""
    pts, in_str, esc = [], False, False
    for i, c in enumerate(doc):
        if in_str:
            if esc:
                esc = False
            elif c == 0x5c:
                esc = True
            elif c == 0x22:
                in_str = False
        elif c == 0x22:
            in_str = True
        elif c == 0x2c:
            pts.append(i + 1)
    return pts


def random_binary(rng, n):
    b = bytearray(rng.randbytes(n))
    b[rng.randrange(n)] = 0
    return bytes(b)


def make_garbage(rng, docs):
    """{kind: [(datagram, reason), ...]}"""
    g = {k: [] for k in KINDS}
    pick = lambda: rng.choice(docs)
    for v in range(VARIANTS):
        g["random-bytes"].append((random_binary(rng, rng.randint(1, 2000)), "binary"))

        d = pick()
        if v == 0:
            g["truncated-json"].append((HEADER + b"\n", "truncated"))
        else:
            pts = cut_points(d)
            g["truncated-json"].append((HEADER + b"\n" + d[:rng.choice(pts)], "truncated"))

        d = pick()
        broken = [
            d.replace(b'":', b'" ', 1),                     # a missing colon
            d + b"}",                                       # data after the value
            b"{'name': 'web', 'id': 'x'}",                  # single quotes
            d.replace(b"{", b"{,", 1),                      # a stray comma
        ]
        g["broken-json"].append((HEADER + b"\n" + broken[v % len(broken)], "invalid-json"))

        g["missing-header"].append((pick(), "no-header"))
        g["header-only"].append(((HEADER, SPACED, HEADER + b" ")[v % 3], "no-header"))

        bad_heads = [b'{"format":"xml","version":1}', b'{"format":"json","version":2}',
                     b'{"format":"json","version":"1"}', b'{"format":"json"}',
                     b'hello', b'[1]', b'{"format":"json","version":1']
        g["wrong-format"].append((bad_heads[v % len(bad_heads)] + b"\n" + pick(), "bad-header"))

        obj = json.loads(pick())
        no_id = dict(obj)
        del no_id["id"]
        no_tid = dict(obj)
        del no_tid["trace_id"]
        no_name = dict(obj)
        del no_name["name"]
        no_start = dict(obj)
        del no_start["start_time"]
        bad_sub = dict(obj)
        bad_sub["subsegments"] = [1]
        enc = lambda o: json.dumps(o, separators=(",", ":"), ensure_ascii=False).encode()
        not_seg = [
            (b"[1, 2, 3]", "not-segment"), (b'"a string"', "not-segment"),
            (b"42", "not-segment"), (b"null", "not-segment"),
            (b'{"hello": "world"}', "no-id"), (b"{}", "no-id"),
            (enc(no_id), "no-id"), (enc(no_tid), "no-trace-id"),
            (enc(no_name), "not-segment"), (enc(no_start), "not-segment"),
            (enc(bad_sub), "not-segment"),
        ]
        body, reason = not_seg[v % len(not_seg)]
        g["not-segment"].append((HEADER + b"\n" + body, reason))

        d = pick()
        utf = [
            b"\xff" + d,                                    # a byte no UTF-8 has
            b"\xc0\xaf" + d,                                # an overlong form
            d + b"\xed\xa0\x80",                            # a surrogate
            d.decode("utf-8").encode("utf-16-le"),          # NULs
        ]
        g["invalid-utf8"].append((HEADER + b"\n" + utf[v % len(utf)], "binary"))

        n = rng.randint(30000, MAX_UDP)
        w = v % 4
        if w == 0:
            head = HEADER + b'\n{"name":"'
            g["huge"].append((head + b"x" * (n - len(head)), "truncated"))
        elif w == 1:
            g["huge"].append((random_binary(rng, n), "binary"))
        elif w == 2:
            g["huge"].append((bytes(rng.choice(b"abcdefgh {}:,\"") for _ in range(n)), "no-header"))
        else:
            head = HEADER + b"\n["
            k = (n - len(head) - 1) // 2
            g["huge"].append((head + b"0," * k + b"0]", "not-segment"))
    for k in KINDS:
        for dg, _ in g[k]:
            if len(dg) > MAX_UDP:
                die("garbage of kind %s too long: %d" % (k, len(dg)))
    return g


# ---------------------------------------------------------------- sending

def rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def loopback(host, port):
    infos = socket.getaddrinfo(host, port, 0, socket.SOCK_DGRAM)
    for fam, _, _, _, sa in infos:
        if not ipaddress.ip_address(sa[0].split("%")[0]).is_loopback:
            die("refusing non-loopback destination %s" % host)
    return infos[0][0], infos[0][4]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("datagrams")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--rate", type=float, required=True, help="datagrams per second, garbage included")
    p.add_argument("--duration", type=float, required=True, help="seconds (whole passes that fit)")
    p.add_argument("--passes", type=int, default=0, help="passes over the file (default: what fits)")
    p.add_argument("--garbage", type=float, default=0.2, help="fraction of garbage (default 0.2)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--truth", help="gen-traces --truth of the datagrams file")
    p.add_argument("--truth-out", help="the truth of what is sent")
    p.add_argument("--summary", help="the JSON summary (default: standard output)")
    p.add_argument("--rss-pid", type=int, default=0, help="sample this process's RSS every second")
    p.add_argument("--sndbuf", type=int, default=4 << 20)
    a = p.parse_args()
    if not 0 < a.port < 65536 or a.rate <= 0 or a.duration <= 0 or not 0 <= a.garbage < 1:
        p.error("want 0 < port < 65536, rate > 0, duration > 0, 0 <= garbage < 1")
    if (a.truth is None) != (a.truth_out is None):
        p.error("--truth and --truth-out go together")

    rng = random.Random(a.seed)
    dgs, order, window = load(a.datagrams)
    docs = [order[ti].encode().join(parts).split(b"\n", 1)[1] for parts, ti in dgs[:2000]]
    garbage = make_garbage(rng, docs)
    ratio = Fraction(a.garbage).limit_denominator(1000)
    per_good = ratio / (1 - ratio)          # garbage datagrams per good one
    num, den = per_good.numerator, per_good.denominator
    n = len(dgs)
    passes = a.passes or max(1, int(a.rate * a.duration * (1 - a.garbage) // n))

    fam, sa = loopback(a.host, a.port)
    sock = socket.socket(fam, socket.SOCK_DGRAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, a.sndbuf)
    except OSError:
        pass
    sendto = sock.sendto
    by_kind = dict((k, 0) for k in KINDS)
    by_reason = dict((r, 0) for r in REASONS)
    sent = good = nbytes = good_bytes = retries = 0
    errnos = {}
    rss = []
    interval = 1.0 / a.rate
    t0 = time.monotonic()
    next_rss = t0

    def send(dg):
        nonlocal retries
        while True:
            try:
                sendto(dg, sa)
                return
            except OSError as e:    # ENOBUFS, EAGAIN: wait and try again
                retries += 1
                errnos[e.errno] = errnos.get(e.errno, 0) + 1
                if retries > 100000:
                    die("the kernel keeps refusing datagrams: %s" % e)
                time.sleep(0.001)

    for ps in range(passes):
        ids = pass_ids(order, ps)
        for parts, ti in dgs:
            # the garbage due before this good datagram, then it
            k = (good + 1) * num // den - good * num // den
            while k >= 0:
                if (sent & 15) == 0:
                    now = time.monotonic()
                    due = t0 + sent * interval
                    if due > now:
                        time.sleep(due - now)
                        now = due
                    if a.rss_pid and now >= next_rss:
                        rss.append([round(now - t0, 2), rss_kib(a.rss_pid)])
                        next_rss += 1.0
                if k > 0:
                    kind = KINDS[rng.randrange(len(KINDS))]
                    dg, reason = garbage[kind][rng.randrange(VARIANTS)]
                    by_kind[kind] += 1
                    by_reason[reason] += 1
                else:
                    dg = ids[ti].join(parts)
                    good += 1
                    good_bytes += len(dg)
                k -= 1
                send(dg)
                sent += 1
                nbytes += len(dg)
    seconds = time.monotonic() - t0
    if a.rss_pid:
        rss.append([round(time.monotonic() - t0, 2), rss_kib(a.rss_pid)])
    sock.close()

    if a.truth:
        with open(a.truth, encoding="utf-8") as f:
            truth = json.load(f)
        for x in truth["nodes"] + truth["edges"]:
            for f in ("count", "ok", "error", "fault", "throttle"):
                x[f] *= passes
            x["sum_response_time"] *= passes
        for f in truth["totals"]:
            truth["totals"][f] *= passes
        truth["traces"] = []    # ids: see the summary's trace_ids
        truth["soak"] = {"passes": passes}
        with open(a.truth_out, "w", encoding="utf-8") as f:
            json.dump(truth, f)

    summary = {
        "schema": "xraytop-soak-send/1",
        "destination": "%s:%d" % (sa[0], sa[1]),
        "rate_wanted": a.rate, "duration_wanted": a.duration, "garbage_fraction": str(ratio),
        "passes": passes, "traces_per_pass": len(order), "datagrams_per_pass": n,
        "traces": passes * len(order),
        "trace_ids": "pass P: 1-EEEEEEEE-%06x + the last 18 digits of the original",
        "max_open_traces": window,
        "sent": sent, "good": good, "garbage": sent - good, "bytes": nbytes, "good_bytes": good_bytes,
        "garbage_by_kind": by_kind, "invalid_by_reason": by_reason,
        "seconds": round(seconds, 3), "rate": round(sent / seconds, 1) if seconds > 0 else None,
        "retries": retries, "retry_errnos": errnos, "rss_kib": rss,
    }
    text = json.dumps(summary, indent=1) + "\n"
    if a.summary:
        with open(a.summary + ".tmp", "w", encoding="utf-8") as f:
            f.write(text)
        os.rename(a.summary + ".tmp", a.summary)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
