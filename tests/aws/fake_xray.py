#!/usr/bin/env python3
"""fake_xray.py - a fake AWS X-Ray endpoint for tests (standard library only).

Serves the read operations from fixture data, in the shapes of botocore's
service model (xray 2016-04-12, rest-json: POST PATH, JSON in and out):

  POST /TraceSummaries               GetTraceSummaries (TimeRangeType, filters, paging)
  POST /Traces                       BatchGetTraces (1-5 ids, UnprocessedTraceIds)
  POST /ServiceGraph                 GetServiceGraph (paging)
  POST /Groups  /GetGroup            GetGroups (paging), GetGroup
  POST /GetSamplingRules             GetSamplingRules (paging)
  POST /SamplingStatisticSummaries   GetSamplingStatisticSummaries
  POST /TimeSeriesServiceStatistics  GetTimeSeriesServiceStatistics
  POST /GetTraceSegmentDestination   GetTraceSegmentDestination
  POST /StartTraceRetrieval /ListRetrievedTraces   Transaction Search retrieval

It listens on a free loopback port (written to --port-file), checks the SigV4
signature of every request (sigv4.py) against --keys, and injects faults on
demand: a share of answers throttled or failed (--fault-rate/--faults),
throttling bursts, a server-side rate limit, slow answers, bodies cut short,
tokens that expire, many small pages.  Every request is logged as one JSON
line (--log): arrival time, operation, status, key, fault, ids, window, and
"req", a digest of path and body (the same for every attempt of one call).

Fault kinds (--faults, taking turns per operation; --fault-ops limits them
to some operations, --fault-limit to a number in all):
  throttle                429 with --throttle-code (ThrottledException, as X-Ray)
  500 502 503 504         5xx answers with the AWS error codes
  slow                    the answer after --slow-seconds
  truncate                headers, then half the body and a clean close (FIN)
  garbage                 a 200 whose body is the first 100 bytes of the JSON
  unprocessed             BatchGetTraces leaves ids in UnprocessedTraceIds
  reset                   the connection is reset (RST) before any byte of answer
  reset-body              headers and part of the body, then a reset
  loris                   headers, then one byte every --loris-interval seconds
  hang                    nothing at all until the client gives up
  oversize                Content-Length of --oversize-mb MB of valid-looking JSON
  oversize-chunked        the same, chunked (no length announced)
The loris, hang and oversize answers stop when the client closes the
connection.  --clock-skew makes the fake's clock run that many seconds
ahead (negative: behind): requests signed more than --max-skew seconds away
from it are refused as AWS refuses them (--skew-error), and the Date header
of every answer gives the fake's time.

Traces come from --traces FILE: segment documents (one per line) or
BatchGetTraces pages (gen-traces --format batch).  Summaries are computed
from the documents the way X-Ray describes them (xray-api.md 2.1).
Filter expressions: a small subset is evaluated (see Filter); anything else
is an InvalidRequestException, as an unknown keyword is for X-Ray.
"""

import argparse
import base64
import calendar
import collections
import datetime
import email.utils
import hashlib
import io
import json
import os
import random
import re
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sigv4  # noqa: E402

THROTTLE_CODE = "ThrottledException"
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)     # Linux


class StampedReader(io.RawIOBase):
    """Reads a socket with recvmsg and keeps the kernel's receive time of
    each chunk: the arrival times logged are the network's, not those of a
    Python thread that waited for the interpreter lock."""

    def __init__(self, sock):
        super().__init__()
        self.sock = sock
        self.stamps = []
        try:
            sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        except OSError:
            pass

    def readable(self):
        return True

    def readinto(self, b):
        data, anc, _, _ = self.sock.recvmsg(len(b), socket.CMSG_SPACE(16))
        for level, kind, cdata in anc:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(cdata) >= 16:
                sec, nsec = struct.unpack("qq", cdata[:16])
                self.stamps.append(sec + nsec / 1e9)
        n = len(data)
        b[:n] = data
        return n


class ApiError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


# ---------------------------------------------------------------- traces

class Trace:
    def __init__(self, tid):
        self.id = tid
        self.docs = []          # parsed documents
        self.texts = []         # as served (JSON text)

    def add(self, doc, text):
        self.docs.append(doc)
        self.texts.append(text)

    @property
    def tid_time(self):
        return int(self.id.split("-")[1], 16)

    def start(self):
        return min(d.get("start_time", 0) for d in self.docs)

    def end(self):
        return max(d.get("end_time", d.get("start_time", 0)) for d in self.docs)

    def root(self):
        ids = set()
        for d in self.docs:
            for e in walk(d):
                ids.add(e.get("id"))
        roots = [d for d in self.docs if d.get("type") != "subsegment"
                 and (d.get("parent_id") is None or d.get("parent_id") not in ids)]
        roots.sort(key=lambda d: d.get("start_time", 0))
        return roots[0] if roots else self.docs[0]

    def summary(self):
        r = self.root()
        http = r.get("http", {})
        req, resp = http.get("request", {}), http.get("response", {})
        s = {
            "Id": self.id,
            "StartTime": self.start(),
            "Duration": round(self.end() - self.start(), 6),
            "ResponseTime": round(r.get("end_time", r.get("start_time", 0)) - r.get("start_time", 0), 6),
            "HasFault": bool(r.get("fault")),
            "HasError": bool(r.get("error")),
            "HasThrottle": any(e.get("throttle") for d in self.docs for e in walk(d)),
            "IsPartial": any(d.get("in_progress") for d in self.docs),
            "Http": {},
            "Annotations": {},
            "Users": [],
            "ServiceIds": [],
            "EntryPoint": {"Name": r.get("name"), "Names": [r.get("name")], "Type": r.get("origin")},
            "Revision": 1,
        }
        if req.get("url"):
            s["Http"]["HttpURL"] = req["url"]
        if req.get("method"):
            s["Http"]["HttpMethod"] = req["method"]
        if resp.get("status") is not None:
            s["Http"]["HttpStatus"] = resp["status"]
        if req.get("user_agent"):
            s["Http"]["UserAgent"] = req["user_agent"]
        if req.get("client_ip"):
            s["Http"]["ClientIp"] = req["client_ip"]
        if r.get("user"):
            s["Users"].append({"UserName": r["user"]})
        seen = set()
        for d in sorted(self.docs, key=lambda d: d.get("start_time", 0)):
            if d.get("type") == "subsegment" or d.get("inferred"):
                continue
            key = (d.get("name"), d.get("origin"))
            if key not in seen:
                seen.add(key)
                sid = {"Name": d.get("name"), "Names": [d.get("name")]}
                if d.get("origin"):
                    sid["Type"] = d["origin"]
                s["ServiceIds"].append(sid)
            for e in walk(d):
                for k, v in (e.get("annotations") or {}).items():
                    if isinstance(v, bool):
                        av = {"BooleanValue": v}
                    elif isinstance(v, (int, float)):
                        av = {"NumberValue": v}
                    else:
                        av = {"StringValue": str(v)}
                    vals = s["Annotations"].setdefault(k, [])
                    if all(x["AnnotationValue"] != av for x in vals):
                        vals.append({"AnnotationValue": av, "ServiceIds": []})
        return s

    def api(self):
        return {"Id": self.id, "Duration": round(self.end() - self.start(), 6), "LimitExceeded": False,
                "Segments": [{"Id": d.get("id"), "Document": t} for d, t in zip(self.docs, self.texts)]}


def walk(e):
    yield e
    for c in e.get("subsegments") or []:
        yield from walk(c)


def load_traces(path, shift_to_now):
    traces = collections.OrderedDict()
    lines = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            v = json.loads(line)
            if isinstance(v, dict) and "Traces" in v:
                for t in v["Traces"]:
                    for s in t.get("Segments", []):
                        lines.append(s["Document"])
            elif isinstance(v, dict) and v.get("format") == "json":
                continue        # daemon recording header
            else:
                lines.append(line)
    docs = [json.loads(t) for t in lines]
    offset = 0
    if shift_to_now and docs:
        newest = max(d.get("end_time", d.get("start_time", 0)) for d in docs)
        offset = int(time.time() - 120 - newest)
    for d, text in zip(docs, lines):
        if offset:
            d = shift(d, offset)
            text = json.dumps(d, separators=(",", ":"))
        tid = d.get("trace_id")
        if tid is None:
            continue
        traces.setdefault(tid, Trace(tid)).add(d, text)
    return list(traces.values())


def shift(d, offset):
    """Move a document offset seconds later (times and the trace id's time)."""
    def fix(e):
        for k in ("start_time", "end_time"):
            if k in e:
                e[k] = e[k] + offset
        for c in e.get("subsegments") or []:
            fix(c)
    fix(d)
    if "trace_id" in d:
        p = d["trace_id"].split("-")
        d["trace_id"] = "1-%08x-%s" % (int(p[1], 16) + offset, p[2])
    return d


# ---------------------------------------------------------------- filter expressions

class Filter:
    """A subset of the X-Ray filter language, evaluated on a Trace:
    ok | error | fault | throttle | partial [= true|false];
    responsetime | duration | http.status  OP number;
    http.url | http.method | user  (= | != | CONTAINS | BEGINSWITH | ENDSWITH) "string";
    annotation.KEY [OP value]; service("name"); group.name = "G";
    combined with AND, OR, !, parentheses."""

    TOK = re.compile(r'\s*(?:(\()|(\))|(!=|<=|>=|=|<|>)|(!)|("(?:[^"\\]|\\.)*")|([A-Za-z_][\w.]*)'
                     r'|(-?\d+(?:\.\d+)?))')

    def __init__(self, text, groups):
        self.toks = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            m = self.TOK.match(text, pos)
            if m is None or m.end() == pos:
                raise ApiError(400, "InvalidRequestException", "Invalid filter expression at %d" % pos)
            pos = m.end()
            kinds = ["(", ")", "op", "!", "str", "word", "num"]
            for i, g in enumerate(m.groups()):
                if g is not None:
                    self.toks.append((kinds[i], g))
                    break
        self.groups = groups
        self.i = 0
        self.tree = self.parse_or()
        if self.i != len(self.toks):
            raise ApiError(400, "InvalidRequestException", "Invalid filter expression")

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def take(self):
        t = self.peek()
        self.i += 1
        return t

    def parse_or(self):
        left = self.parse_and()
        while self.peek()[0] == "word" and self.peek()[1].upper() == "OR":
            self.take()
            right = self.parse_and()
            left = ("or", left, right)
        return left

    def parse_and(self):
        left = self.parse_unary()
        while True:
            k, v = self.peek()
            if k == "word" and v.upper() == "AND":
                self.take()
            elif k in ("word", "(", "!") and not (k == "word" and v.upper() == "OR"):
                pass
            else:
                return left
            left = ("and", left, self.parse_unary())

    def parse_unary(self):
        k, v = self.take()
        if k == "!":
            return ("not", self.parse_unary())
        if k == "(":
            e = self.parse_or()
            if self.take()[0] != ")":
                raise ApiError(400, "InvalidRequestException", "Invalid filter expression: ')' expected")
            return e
        if k != "word":
            raise ApiError(400, "InvalidRequestException", "Invalid filter expression")
        kw = v.lower()
        if kw == "service":
            if self.take()[0] != "(":
                raise ApiError(400, "InvalidRequestException", "service( expected")
            name = None
            if self.peek()[0] == "str":
                name = json.loads(self.take()[1])
            if self.take()[0] != ")":
                raise ApiError(400, "InvalidRequestException", "')' expected")
            return ("service", name)
        op = None
        val = None
        if self.peek()[0] == "op" or (self.peek()[0] == "word" and
                                      self.peek()[1].upper() in ("CONTAINS", "BEGINSWITH", "ENDSWITH")):
            op = self.take()[1].upper()
            vk, vv = self.take()
            if vk == "str":
                val = json.loads(vv)
            elif vk == "num":
                val = float(vv)
            elif vk == "word" and vv.lower() in ("true", "false"):
                val = vv.lower() == "true"
            else:
                raise ApiError(400, "InvalidRequestException", "Invalid filter expression: value expected")
        if kw == "group.name":
            g = self.groups.get(val)
            if g is None:
                raise ApiError(400, "InvalidRequestException", "Group %s not found" % val)
            if not g.get("FilterExpression"):
                return ("true",)
            return Filter(g["FilterExpression"], self.groups).tree
        if kw in ("ok", "error", "fault", "throttle", "partial", "responsetime", "duration",
                  "http.status", "http.url", "http.method", "user") or kw.startswith("annotation."):
            return ("kw", kw, op, val)
        raise ApiError(400, "InvalidRequestException", "Invalid filter expression: unknown keyword %s" % v)

    def match(self, t):
        return self.ev(self.tree, t, t.summary())

    def ev(self, n, t, s):
        if n[0] == "true":
            return True
        if n[0] == "or":
            return self.ev(n[1], t, s) or self.ev(n[2], t, s)
        if n[0] == "and":
            return self.ev(n[1], t, s) and self.ev(n[2], t, s)
        if n[0] == "not":
            return not self.ev(n[1], t, s)
        if n[0] == "service":
            return n[1] is None or any(x["Name"] == n[1] for x in s["ServiceIds"])
        _, kw, op, val = n
        if kw in ("ok", "error", "fault", "throttle", "partial"):
            have = {"ok": not (s["HasError"] or s["HasFault"] or s["HasThrottle"]),
                    "error": s["HasError"], "fault": s["HasFault"], "throttle": s["HasThrottle"],
                    "partial": s["IsPartial"]}[kw]
            want = True if val is None else val
            return have == want if op in (None, "=") else have != want
        if kw.startswith("annotation."):
            vals = [x["AnnotationValue"] for x in s["Annotations"].get(kw[11:], [])]
            if op is None:
                return bool(vals)
            return any(cmp(op, list(a.values())[0], val) for a in vals)
        have = {"responsetime": s["ResponseTime"], "duration": s["Duration"],
                "http.status": s["Http"].get("HttpStatus"), "http.url": s["Http"].get("HttpURL"),
                "http.method": s["Http"].get("HttpMethod"),
                "user": s["Users"][0]["UserName"] if s["Users"] else None}[kw]
        if have is None:
            return False
        return cmp(op, have, val)


def cmp(op, a, b):
    try:
        if op == "=":
            return a == b
        if op == "!=":
            return a != b
        if op == "<":
            return a < b
        if op == "<=":
            return a <= b
        if op == ">":
            return a > b
        if op == ">=":
            return a >= b
        if op == "CONTAINS":
            return str(b) in str(a)
        if op == "BEGINSWITH":
            return str(a).startswith(str(b))
        if op == "ENDSWITH":
            return str(a).endswith(str(b))
    except TypeError:
        return False
    return False


# ---------------------------------------------------------------- the server state

class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.rng = random.Random(args.seed)
        self.keys = json.load(open(args.keys)) if args.keys else {}
        self.uses = collections.Counter()
        self.traces = load_traces(args.traces, args.shift_to_now) if args.traces else []
        self.by_id = {t.id: t for t in self.traces}
        self.graph = json.load(open(args.graph))["Services"] if args.graph else []
        self.groups = json.load(open(args.groups))["Groups"] if args.groups else []
        self.rules = json.load(open(args.sampling))["SamplingRuleRecords"] if args.sampling else []
        self.stats = json.load(open(args.sampling_stats))["SamplingStatisticSummaries"] \
            if args.sampling_stats else []
        self.series = json.load(open(args.timeseries))["TimeSeriesServiceStatistics"] \
            if args.timeseries else []
        self.nreq = 0
        self.consecutive = collections.Counter()   # faults in a row per request body
        self.kind_turn = collections.Counter()     # next fault kind, per operation
        self.recent = collections.deque()           # arrival times, for --server-rate
        self.retrievals = {}
        self.log = open(args.log, "a") if args.log else None
        self.control = {}
        self.first = None
        self.nfaults = 0                            # rate faults given, for --fault-limit

    def record(self, entry):
        if self.log is not None:
            with self.lock:
                self.log.write(json.dumps(entry) + "\n")
                self.log.flush()

    def setting(self, name):
        return self.control.get(name, getattr(self.args, name))


def token_for(obj):
    return base64.urlsafe_b64encode(json.dumps(obj, sort_keys=True).encode()).decode()


def from_token(tok):
    try:
        return json.loads(base64.urlsafe_b64decode(tok.encode()))
    except Exception:
        raise ApiError(400, "InvalidRequestException", "Invalid NextToken")


def need_time(body, key):
    v = body.get(key)
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        raise ApiError(400, "InvalidRequestException", "%s is required and must be epoch seconds" % key)
    return float(v)


def page_of(items, body, size, key, extra=None):
    start = 0
    if body.get("NextToken"):
        start = from_token(body["NextToken"]).get("o", 0)
    out = dict(extra or {})
    out[key] = items[start:start + size]
    if start + size < len(items):
        out["NextToken"] = token_for({"o": start + size})
    return out


# ---------------------------------------------------------------- operations

def op_summaries(st, body):
    start, end = need_time(body, "StartTime"), need_time(body, "EndTime")
    if end <= start:
        raise ApiError(400, "InvalidRequestException", "EndTime must be after StartTime")
    if end - start > st.args.max_window:
        raise ApiError(400, "InvalidRequestException", "Time range exceeds %d seconds" % st.args.max_window)
    kind = body.get("TimeRangeType", "TraceId")
    if kind not in ("TraceId", "Event", "Service"):
        raise ApiError(400, "InvalidRequestException", "Invalid TimeRangeType")
    flt = Filter(body["FilterExpression"], {g["GroupName"]: g for g in st.groups}) \
        if body.get("FilterExpression") else None
    cands = []
    for t in st.traces:
        if kind == "TraceId":
            inside = start <= t.tid_time < end
        elif kind == "Event":
            inside = t.start() < end and t.end() >= start
        else:
            inside = start <= t.end() < end
        if inside:
            cands.append(t)
    cands.sort(key=lambda t: (-t.start(), t.id))    # newest first
    size = st.setting("page_size")
    off = from_token(body["NextToken"]).get("o", 0) if body.get("NextToken") else 0
    chunk = cands[off:off + size]
    matched = [t.summary() for t in chunk if flt is None or flt.match(t)]
    out = {"TraceSummaries": matched, "TracesProcessedCount": len(chunk),
           "ApproximateTime": chunk[-1].start() if chunk else start}
    if off + size < len(cands):
        out["NextToken"] = token_for({"o": off + size})
    return out, {"window": [start, end], "kind": kind, "matched": [m["Id"] for m in matched]}


def op_batch(st, body, fault):
    ids = body.get("TraceIds")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 5:
        raise ApiError(400, "InvalidRequestException", "TraceIds must hold 1 to 5 trace IDs")
    out = {"Traces": [], "UnprocessedTraceIds": []}
    for tid in ids:
        t = st.by_id.get(tid)
        if t is None:
            continue
        if fault == "unprocessed" and (len(out["UnprocessedTraceIds"]) == 0 or st.rng.random() < 0.5):
            out["UnprocessedTraceIds"].append(tid)
            continue
        out["Traces"].append(t.api())
    return out, {"ids": ids, "served": [t["Id"] for t in out["Traces"]],
                 "unprocessed": out["UnprocessedTraceIds"]}


def op_graph(st, body):
    start, end = need_time(body, "StartTime"), need_time(body, "EndTime")
    size = st.setting("graph_page_size")
    out = page_of(st.graph, body, size, "Services",
                  {"StartTime": start, "EndTime": end, "ContainsOldGroupVersions": False})
    return out, {"window": [start, end], "group": body.get("GroupName")}


def op_retrieval_start(st, body):
    ids = body.get("TraceIds")
    if not isinstance(ids, list) or not 0 <= len(ids) <= 100:
        raise ApiError(400, "InvalidRequestException", "TraceIds must hold at most 100 ids")
    need_time(body, "StartTime")
    need_time(body, "EndTime")
    tok = "rt-%d" % len(st.retrievals)
    st.retrievals[tok] = {"ids": ids, "polls": 0}
    return {"RetrievalToken": tok}, {"ids": ids}


def op_retrieval_list(st, body):
    tok = body.get("RetrievalToken")
    r = st.retrievals.get(tok)
    if r is None:
        raise ApiError(404, "ResourceNotFoundException", "Retrieval token not found")
    r["polls"] += 1
    if r["polls"] < 2:
        return {"RetrievalStatus": "RUNNING", "Traces": []}, {}
    found = [st.by_id[i] for i in r["ids"] if i in st.by_id]
    items = [{"Id": t.id, "Duration": t.api()["Duration"],
              "Spans": [{"Id": d.get("id"), "Document": x} for d, x in zip(t.docs, t.texts)]} for t in found]
    out = page_of(items, body, 5, "Traces", {"RetrievalStatus": "COMPLETE", "TraceFormat": "XRAY"})
    return out, {"served": [x["Id"] for x in out["Traces"]]}


def dispatch(st, path, body, fault):
    if path == "/TraceSummaries":
        return op_summaries(st, body)
    if path == "/Traces":
        return op_batch(st, body, fault)
    if path == "/ServiceGraph":
        return op_graph(st, body)
    if path == "/Groups":
        return page_of(st.groups, body, st.setting("small_page_size"), "Groups"), {}
    if path == "/GetGroup":
        for g in st.groups:
            if g["GroupName"] == body.get("GroupName") or g["GroupARN"] == body.get("GroupARN"):
                return {"Group": g}, {}
        raise ApiError(400, "InvalidRequestException", "Group not found")
    if path == "/GetSamplingRules":
        return page_of(st.rules, body, st.setting("small_page_size"), "SamplingRuleRecords"), {}
    if path == "/SamplingStatisticSummaries":
        return page_of(st.stats, body, st.setting("small_page_size"), "SamplingStatisticSummaries"), {}
    if path == "/TimeSeriesServiceStatistics":
        need_time(body, "StartTime")
        need_time(body, "EndTime")
        return page_of(st.series, body, st.setting("small_page_size"), "TimeSeriesServiceStatistics",
                       {"ContainsOldGroupVersions": False}), {}
    if path == "/GetTraceSegmentDestination":
        return {"Destination": st.setting("destination"), "Status": "ACTIVE"}, {}
    if path == "/StartTraceRetrieval":
        return op_retrieval_start(st, body)
    if path == "/ListRetrievedTraces":
        return op_retrieval_list(st, body)
    raise ApiError(404, "UnknownOperationException", "Unknown operation %s" % path)


OPS = {"/TraceSummaries": "GetTraceSummaries", "/Traces": "BatchGetTraces", "/ServiceGraph": "GetServiceGraph",
       "/Groups": "GetGroups", "/GetGroup": "GetGroup", "/GetSamplingRules": "GetSamplingRules",
       "/SamplingStatisticSummaries": "GetSamplingStatisticSummaries",
       "/TimeSeriesServiceStatistics": "GetTimeSeriesServiceStatistics",
       "/GetTraceSegmentDestination": "GetTraceSegmentDestination",
       "/StartTraceRetrieval": "StartTraceRetrieval", "/ListRetrievedTraces": "ListRetrievedTraces"}


# ---------------------------------------------------------------- HTTP

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-xray/1"

    def log_message(self, fmt, *args):
        pass

    def date_time_string(self, timestamp=None):
        """The Date header: the fake's own clock (--clock-skew)."""
        return email.utils.formatdate(time.time() + self.server.state.args.clock_skew, usegmt=True)

    def setup(self):
        super().setup()
        self.stamped = StampedReader(self.connection)
        self.rfile = io.BufferedReader(self.stamped)

    def parse_request(self):
        """The arrival time: when the kernel received the request's first bytes."""
        self.t_arrived = min(self.stamped.stamps) if self.stamped.stamps else time.time()
        return super().parse_request()

    def send_json(self, status, obj, error_code=None, cut=False):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("x-amzn-RequestId", "%08x-fake" % self.server.state.nreq)
        if error_code is not None:
            self.send_header("x-amzn-ErrorType", "%s:http://internal.amazon.com/coral/com.amazonaws.xray/"
                             % error_code)
        self.send_header("Content-Length", str(len(data)))
        if cut:
            self.send_header("Connection", "close")
        self.end_headers()
        if cut == "short":
            self.wfile.write(data[:len(data) // 2])     # then the connection closes early
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(2)
            except OSError:
                pass
            return
        if cut == "reset":
            self.wfile.write(data[:len(data) // 2])
            self.wfile.flush()
            self.reset()
            return
        self.wfile.write(data)

    def reset(self):
        """Close the connection with a reset (RST), not a clean close."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def client_gone(self):
        """Whether the client closed its end (or the fake is stopping)."""
        try:
            return self.connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except BlockingIOError:
            return False
        except OSError:
            return True

    def loris(self, out, hang):
        """Headers and then a byte every --loris-interval seconds (or, hanging,
        nothing at all), until the body is done or the client has gone."""
        st = self.server.state
        data = json.dumps(out).encode()
        self.close_connection = True
        end = time.time() + st.args.exit_after
        if not hang:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.flush()
        sent, due = 0, time.time()
        try:
            while time.time() < end and not self.client_gone():
                if not hang and time.time() >= due:
                    if sent >= len(data):
                        return
                    self.wfile.write(data[sent:sent + 1])
                    self.wfile.flush()
                    sent += 1
                    due = time.time() + st.setting("loris_interval")
                time.sleep(0.05)
        except OSError:
            pass

    def oversize(self, chunked):
        """--oversize-mb MB of JSON that looks like an answer, in 1 MB writes,
        until all is sent or the client has gone."""
        st = self.server.state
        total = int(st.args.oversize_mb * 1000000)
        head = b'{"Traces": [], "UnprocessedTraceIds": [], "Padding": "'
        tail = b'"}'
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(total))
        self.end_headers()
        block = b"x" * 1000000
        parts = [head]
        left = total - len(head) - len(tail)
        try:
            while left > 0 or parts:
                if left > 0:
                    n = min(left, len(block))
                    parts.append(block[:n])
                    left -= n
                else:
                    parts.append(tail)
                piece = b"".join(parts)
                parts = []
                if chunked:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                else:
                    self.wfile.write(piece)
                self.wfile.flush()
                if left <= 0 and piece.endswith(tail):
                    break
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
        except OSError:
            pass

    def check_skew(self):
        """Refuse a request signed too far from the fake's clock, as AWS does."""
        st = self.server.state
        amz = self.headers.get("X-Amz-Date") or ""
        try:
            when = calendar.timegm(time.strptime(amz, "%Y%m%dT%H%M%SZ"))
        except ValueError:
            return
        now = time.time() + st.args.clock_skew
        limit = st.args.max_skew
        if abs(now - when) <= limit:
            return
        fmt = lambda t: time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))     # noqa: E731
        if st.args.skew_error == "too-skewed":
            raise ApiError(403, "RequestTimeTooSkewed", "The difference between the request time and the "
                           "current time is too large.")
        if when < now:
            raise ApiError(403, "InvalidSignatureException", "Signature expired: %s is now earlier than %s "
                           "(%s - %d min.)" % (amz, fmt(now - limit), fmt(now), limit // 60))
        raise ApiError(403, "InvalidSignatureException", "Signature not yet current: %s is still later "
                       "than %s (%s + %d min.)" % (amz, fmt(now + limit), fmt(now), limit // 60))

    def do_POST(self):
        st = self.server.state
        arrived = self.t_arrived
        n = int(self.headers.get("Content-Length") or 0)
        body_bytes = self.rfile.read(n) if n else b""
        self.stamped.stamps = []     # what comes next belongs to the next request
        path = self.path.split("?")[0]
        if path == "/__control":
            st.control.update(json.loads(body_bytes or b"{}"))
            return self.send_json(200, {"ok": True})
        op = OPS.get(path, path)
        entry = {"t": arrived, "op": op, "port": self.client_address[1], "bytes": n,
                 "req": hashlib.sha1(path.encode() + b"\n" + body_bytes).hexdigest()[:12]}
        with st.lock:
            st.nreq += 1
            seq = st.nreq
        entry["seq"] = seq
        try:
            self.check_skew()
            headers = list(self.headers.items())
            try:
                now = datetime.datetime.fromtimestamp(time.time() + st.args.clock_skew, datetime.timezone.utc)
                akid = sigv4.verify("POST", self.path, headers, body_bytes, st.keys, st.args.region, "xray",
                                    now=now, skew=st.args.max_skew)
            except sigv4.SigError as e:
                raise ApiError(403, e.code, e.message)
            entry["key"] = akid
            key = st.keys[akid]
            if isinstance(key, dict) and key.get("expires_after") is not None:
                with st.lock:
                    st.uses[akid] += 1
                    used = st.uses[akid]
                if used > key["expires_after"]:
                    raise ApiError(403, "ExpiredTokenException", "The security token included in the "
                                   "request is expired")
            try:
                body = json.loads(body_bytes) if body_bytes else {}
            except ValueError:
                raise ApiError(400, "SerializationException", "Body is not JSON")
            if not isinstance(body, dict):
                raise ApiError(400, "SerializationException", "Body is not a JSON object")
            if op in st.args.deny.split(","):
                raise ApiError(403, "AccessDeniedException", "User: arn:aws:iam::123456789012:user/reader "
                               "is not authorized to perform: xray:%s" % op)
            fault = self.pick_fault(path, op, body_bytes, arrived)
            entry["fault"] = fault
            delay = st.setting("delay")
            if delay:
                time.sleep(delay)
            if fault == "throttle":
                raise ApiError(429, st.args.throttle_code, "Rate exceeded")
            if fault == "500":
                raise ApiError(500, "InternalFailure", "Internal failure (injected)")
            if fault == "502":
                raise ApiError(502, "BadGateway", "Bad gateway (injected)")
            if fault == "503":
                raise ApiError(503, "ServiceUnavailable", "Service unavailable (injected)")
            if fault == "504":
                raise ApiError(504, "GatewayTimeout", "Gateway timeout (injected)")
            if fault == "slow":
                time.sleep(st.setting("slow_seconds"))
            out, info = dispatch(st, path, body, fault)
            entry.update(info)      # what the answer would have held
            entry["status"] = 200
            if fault == "reset":
                entry["status"] = "reset"
                st.record(entry)
                return self.reset()
            if fault in ("oversize", "oversize-chunked"):
                entry["status"] = "oversize"
                st.record(entry)
                return self.oversize(fault == "oversize-chunked")
            if fault in ("loris", "hang"):
                entry["status"] = fault
                st.record(entry)
                return self.loris(out, fault == "hang")
            if fault in ("truncate", "garbage", "reset-body"):
                entry["status"] = "cut"
                st.record(entry)
                if fault == "truncate":
                    return self.send_json(200, out, cut="short")
                if fault == "reset-body":
                    return self.send_json(200, out, cut="reset")
                data = json.dumps(out).encode()[:100]
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            st.record(entry)
            self.send_json(200, out)
        except ApiError as e:
            entry["status"] = e.status
            entry["code"] = e.code
            st.record(entry)
            self.send_json(e.status, {"__type": "com.amazonaws.xray#" + e.code, "message": e.message},
                           error_code=e.code)

    def pick_fault(self, path, op, body_bytes, arrived):
        """Which fault (if any) this answer gets."""
        st = self.server.state
        with st.lock:
            if st.first is None:
                st.first = arrived
            if arrived - st.first < st.setting("throttle_seconds"):
                return "throttle"
            burst = st.setting("throttle_burst")
            if burst > 0 and st.nreq > st.setting("burst_after"):
                st.control["throttle_burst"] = burst - 1
                return "throttle"
            limit = st.setting("server_rate")
            if limit > 0:
                while st.recent and st.recent[0] <= arrived - 1.0:
                    st.recent.popleft()
                if len(st.recent) >= limit:
                    return "throttle"
                st.recent.append(arrived)
            rate = st.setting("fault_rate")
            kinds = [k for k in st.setting("faults").split(",") if k]
            if rate <= 0 or not kinds:
                return None
            ops = [o for o in st.setting("fault_ops").split(",") if o]
            if ops and op not in ops:
                return None
            if st.setting("fault_limit") > 0 and st.nfaults >= st.setting("fault_limit"):
                return None
            key = path + body_bytes.decode("utf-8", "replace")
            # never more than max_in_row faults in a row for the same request
            if st.consecutive[key] >= st.setting("max_in_row") or st.rng.random() >= rate:
                st.consecutive[key] = 0
                return None
            # The kinds take turns per operation, so that every kind a run
            # asks for shows up once it has a few faults.
            kinds = [k for k in kinds if k != "unprocessed" or path == "/Traces"] or ["500"]
            kind = kinds[st.kind_turn[path] % len(kinds)]
            st.kind_turn[path] += 1
            st.consecutive[key] += 1
            st.nfaults += 1
            return kind


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        """A client that gave up (timeout) or a connection we cut: not news."""
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--keys", help="JSON {AKID: SECRET | {secret, token, expires_after}}")
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--traces")
    ap.add_argument("--shift-to-now", action="store_true")
    ap.add_argument("--graph")
    ap.add_argument("--groups")
    ap.add_argument("--sampling")
    ap.add_argument("--sampling-stats")
    ap.add_argument("--timeseries")
    ap.add_argument("--destination", default="XRay")
    ap.add_argument("--log")
    ap.add_argument("--deny", default="", help="operations answered with AccessDeniedException")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--delay", type=float, default=0.0, help="seconds added to every answer")
    ap.add_argument("--fault-rate", type=float, default=0.0)
    ap.add_argument("--faults", default="throttle,500", help="throttle,500,502,503,504,slow,truncate,garbage,"
                    "unprocessed,reset,reset-body,loris,hang,oversize,oversize-chunked")
    ap.add_argument("--fault-ops", default="", help="only these operations (GetTraceSummaries,...) get faults")
    ap.add_argument("--fault-limit", type=int, default=0, help="at most N faults from --fault-rate (0: no limit)")
    ap.add_argument("--throttle-code", default=THROTTLE_CODE, help="the error code of a throttled answer")
    ap.add_argument("--loris-interval", type=float, default=2.0, help="seconds between the bytes of a loris answer")
    ap.add_argument("--oversize-mb", type=float, default=64, help="the size of an oversize answer")
    ap.add_argument("--clock-skew", type=float, default=0, help="the fake's clock is this many seconds ahead")
    ap.add_argument("--max-skew", type=int, default=300, help="requests signed further away are refused")
    ap.add_argument("--skew-error", choices=("invalid-signature", "too-skewed"), default="invalid-signature")
    ap.add_argument("--max-in-row", type=int, default=4, help="most faults in a row for one request")
    ap.add_argument("--throttle-burst", type=int, default=0, help="throttle the next N requests")
    ap.add_argument("--burst-after", type=int, default=0, help="the burst starts after N requests")
    ap.add_argument("--throttle-seconds", type=float, default=0, help="throttle everything at first")
    ap.add_argument("--server-rate", type=float, default=0, help="throttle above N requests/s")
    ap.add_argument("--slow-seconds", type=float, default=3.0)
    ap.add_argument("--page-size", type=int, default=100)
    ap.add_argument("--graph-page-size", type=int, default=2)
    ap.add_argument("--small-page-size", type=int, default=2)
    ap.add_argument("--max-window", type=int, default=86400)
    ap.add_argument("--write-truth", help="write the traces' ids and summaries here")
    ap.add_argument("--exit-after", type=float, default=600, help="stop by itself after this long")
    args = ap.parse_args()
    st = State(args)
    if args.write_truth:
        with open(args.write_truth, "w") as f:
            json.dump({"traces": {t.id: {"segments": len(t.docs), "start": t.start(), "end": t.end(),
                                          "summary": t.summary()} for t in st.traces}}, f)
    srv = Server(("127.0.0.1", args.port), Handler)
    srv.state = st
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, args.port_file)
    timer = threading.Timer(args.exit_after, srv.shutdown)
    timer.daemon = True
    timer.start()
    srv.serve_forever()


if __name__ == "__main__":
    main()
