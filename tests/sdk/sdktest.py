#!/usr/bin/env python3
"""sdktest.py - shared parts of the end-to-end tests with the real X-Ray SDKs.

Imported by the two drivers (python/driver.py, node/driver.py): child
processes that are always cleaned up, free loopback ports, moto_server, the
environment the instrumented apps run in, an untraced HTTP client, and the
bookkeeping ("truth") of what the driver made the apps do.

Also a small command line for the test scripts:

  sdktest.py compare TRUTH MAP         xraytop's map (JSON) against the truth
  sdktest.py recording REC TRUTH       documents in a daemon recording
  sdktest.py ids TRUTH                 the trace ids of the driver's requests, sorted
  sdktest.py port LOGFILE SECONDS      the UDP port xraytop listen reported
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

TRUTH_SCHEMA = "xraytop-sdk-truth/1"

try:
    import ctypes
    _LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
except (ImportError, OSError):
    _LIBC = None


def _die_with_parent():
    """In a forked child: get SIGTERM when the driver dies, even by SIGKILL."""
    if _LIBC is not None:
        _LIBC.prctl(1, signal.SIGTERM, 0, 0, 0)      # PR_SET_PDEATHSIG


class Failure(Exception):
    """The run could not be carried out (not a wrong map: a broken set-up)."""


# ---------------------------------------------------------------- processes

class Procs:
    """Child processes with a log file each, all ended by cleanup()."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.procs = []

    def spawn(self, name, argv, env, cwd=None, pass_fds=()):
        log = open(os.path.join(self.workdir, "%s.log" % name), "wb")
        p = subprocess.Popen(argv, cwd=cwd or self.workdir, env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=log, pass_fds=pass_fds,
                             start_new_session=True, preexec_fn=_die_with_parent)
        self.procs.append((name, p, log))
        return p

    def wait_ready(self, name, p, timeout=20.0):
        """Wait for the child's "READY" line on its standard output."""
        import select
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([p.stdout], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            line = p.stdout.readline()
            if not line:
                break
            if line.strip() == b"READY":
                return
        raise Failure("%s did not start; the end of its log:\n%s" % (name, self.log_tail(name)))

    def log_tail(self, name, size=3000):
        try:
            with open(os.path.join(self.workdir, "%s.log" % name), "rb") as f:
                return f.read()[-size:].decode("utf-8", "replace")
        except OSError:
            return "(no log)"

    def check_alive(self):
        """Raise if a child died while it should be serving."""
        for name, p, _ in self.procs:
            if p.poll() is not None:
                raise Failure("%s exited with status %s; the end of its log:\n%s"
                              % (name, p.returncode, self.log_tail(name)))

    def cleanup(self):
        for _, p, _ in reversed(self.procs):
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except OSError:
                    pass
        for _, p, log in reversed(self.procs):
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except OSError:
                    pass
                p.wait()
            if p.stdout:
                p.stdout.close()
            log.close()
        self.procs = []


def on_signals_raise():
    """SIGTERM/SIGHUP/SIGINT end the driver through its finally: blocks."""
    def handler(signum, frame):
        raise KeyboardInterrupt
    for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(s, handler)


def listening_socket():
    """A TCP socket listening on a free 127.0.0.1 port, inheritable by a child."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(128)
    s.set_inheritable(True)
    return s


def base_env(daemon):
    """The environment of every instrumented process: X-Ray to the listener,
    fake AWS credentials, nothing beyond loopback."""
    env = {k: v for k, v in os.environ.items()
           if not k.lower().endswith("_proxy") and not k.startswith(("AWS_", "XRAY_", "NODE_"))}
    env.update({
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_XRAY_DAEMON_ADDRESS": daemon,
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "NO_PROXY": "*", "no_proxy": "*",
        "PYTHONUNBUFFERED": "1", "PYTHONHASHSEED": "0",
    })
    return env


def free_port():
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def spawn_moto(procs, env):
    """Start moto_server on a free 127.0.0.1 port; returns (process, URL).
    The caller can hand the URL out at once and wait_moto() later."""
    exe = shutil.which("moto_server")
    if not exe:
        raise Failure("moto_server is not on PATH (pip install 'moto[server]')")
    port = free_port()
    return procs.spawn("moto", [exe, "-H", "127.0.0.1", "-p", str(port)], env), "http://127.0.0.1:%d" % port


def wait_moto(procs, p, url, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and p.poll() is None:
        try:
            urllib.request.urlopen(url + "/moto-api/data.json", timeout=1).read()
            return
        except OSError:
            time.sleep(0.05)
    raise Failure("moto_server did not start at %s; its log:\n%s" % (url, procs.log_tail("moto")))


def dynamodb(moto):
    """A plain (untraced) boto3 DynamoDB client for setting up tables."""
    import boto3
    return boto3.client("dynamodb", endpoint_url=moto, region_name="us-east-1",
                        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="x")


def create_table(ddb, name, key):
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}])


def send(port, method, path, headers=None, body=None):
    """One request from the untraced driver; returns (status, trace id, the
    sampling decision), the last two from the X-Amzn-Trace-Id response header."""
    import http.client
    headers = dict(headers or {})
    headers.setdefault("User-Agent", "xraytop-sdk-test/1.0")
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        c.request(method, path, body=data, headers=headers)
        resp = c.getresponse()
        resp.read()
        hdr = resp.getheader("X-Amzn-Trace-Id") or ""
    finally:
        c.close()
    fields = dict(kv.split("=", 1) for kv in hdr.split(";") if "=" in kv)
    return resp.status, fields.get("Root"), fields.get("Sampled")


def drive(port, plan, concurrent_groups=()):
    """Send the plan; requests whose "group" is set go out together in threads.
    Fills in each request's "status", "trace_id" and "sampled"."""
    import threading

    def one(r):
        try:
            r["status"], r["trace_id"], r["sampled"] = send(port, r["method"], r["path"], r.get("headers"),
                                                            r.get("body"))
        except OSError as e:
            r["status"], r["trace_id"], r["sampled"] = None, None, None
            r["error"] = str(e)
    i = 0
    while i < len(plan):
        g = plan[i].get("group")
        if g:
            batch = [r for r in plan[i:] if r.get("group") == g]
            ts = [threading.Thread(target=one, args=(r,)) for r in batch]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            i += len(batch)
        else:
            one(plan[i])
            i += 1


# ---------------------------------------------------------------- the truth

def cls_of(status):
    """X-Ray's class of a call from its HTTP status: 5xx fault, 429 throttle
    (an error too), other 4xx error; none (SQL) or below 400 ok."""
    if status is None or status < 400:
        return "ok"
    if status >= 500:
        return "fault"
    return "throttle" if status == 429 else "error"


class Truth:
    """What the driver made the apps do: per request the segments (service,
    status) and the calls (caller, target node, status), each with the class
    X-Ray's flags give it.  cls overrides the status's class where the SDK
    records an exception (a failed AWS call: HTTP 400, error and fault)."""

    def __init__(self, scenario, origins=None):
        self.scenario = scenario
        self.origins = origins or {}
        self.reqs = []

    def request(self, r):
        e = {"segments": [], "calls": [], "streamed": 0}
        r["expect"] = e
        self.reqs.append(r)
        return e

    @staticmethod
    def segment(e, service, status, cls=None):
        e["segments"].append((service, status, cls or cls_of(status)))

    @staticmethod
    def call(e, caller, node, status, cls=None):
        e["calls"].append((caller, tuple(node), status, cls or cls_of(status)))

    def service_node(self, name):
        return (name, self.origins.get(name, ""))

    def problems(self):
        """Requests whose status at the driver is not the planned one."""
        out = []
        for r in self.reqs:
            want = r["expect"]["segments"][-1][1]
            if r.get("status") != want:
                out.append("request %d %s %s: status %s, planned %s%s"
                           % (r["seq"], r["method"], r["path"], r.get("status"), want,
                              " (%s)" % r["error"] if r.get("error") else ""))
            elif not r.get("trace_id"):
                out.append("request %d: no trace id: %s" % (r["seq"], r.get("error") or
                                                           "no X-Amzn-Trace-Id in the response"))
            elif r.get("sampled") == "0":
                out.append("request %d: trace %s was not sampled" % (r["seq"], r["trace_id"]))
        ids = [r["trace_id"] for r in self.reqs if r.get("trace_id")]
        if len(set(ids)) != len(ids):
            out.append("trace ids are not all distinct")
        return out

    def aggregate(self):
        nodes, edges = {}, {}

        def add(st, status, cls):
            st["calls"] += 1
            if status is None or status < 400:
                st["ok"] += 1
            elif status < 500:
                st["error"] += 1
                st["throttle"] += status == 429
            else:
                st["fault"] += 1
            key = "n/a" if status is None else str(status)
            st["status_counts"][key] = st["status_counts"].get(key, 0) + 1
            m = st["map"]
            m["count"] += 1
            if cls == "fault":
                m["fault"] += 1
            elif cls in ("error", "throttle"):
                m["error"] += 1
                m["throttle"] += cls == "throttle"
            else:
                m["ok"] += 1

        def new():
            return {"calls": 0, "ok": 0, "error": 0, "throttle": 0, "fault": 0, "status_counts": {},
                    "map": {"count": 0, "ok": 0, "error": 0, "throttle": 0, "fault": 0}}

        services = set()
        for r in self.reqs:
            for svc, status, cls in r["expect"]["segments"]:
                services.add(svc)
                add(nodes.setdefault(self.service_node(svc), new()), status, cls)
        for r in self.reqs:
            for caller, node, status, cls in r["expect"]["calls"]:
                src = ("client", "client") if caller == "client" else self.service_node(caller)
                add(edges.setdefault((src, node), new()), status, cls)
                if caller == "client":
                    add(nodes.setdefault(src, new()), status, cls)
                elif node[0] not in services:
                    add(nodes.setdefault(node, new()), status, cls)
        return nodes, edges

    def to_json(self, versions):
        nodes, edges = self.aggregate()
        segs = sum(len(r["expect"]["segments"]) for r in self.reqs)
        streamed = sum(r["expect"]["streamed"] for r in self.reqs)

        def nk(k):
            return {"name": k[0], "type": k[1]}
        return {
            "schema": TRUTH_SCHEMA,
            "scenario": self.scenario,
            "versions": versions,
            "counting": "per node/edge: calls; by the HTTP status: ok (2xx/3xx, or none for SQL), "
                        "error (4xx incl. 429), throttle (429), fault (5xx); map: X-Ray's classes "
                        "from the flags the SDK sets (fault first, a throttle is also an error; a "
                        "failed AWS call is HTTP 400 with the exception recorded: fault). Edges are "
                        "the caller's view.",
            "totals": {"requests": len(self.reqs), "segments": segs, "streamed_subsegments": streamed,
                       "datagrams": segs + streamed},
            "nodes": [dict(nk(k), **v) for k, v in sorted(nodes.items())],
            "edges": [dict(source=nk(s), target=nk(t), **v) for (s, t), v in sorted(edges.items())],
            "requests": [{"seq": r["seq"], "kind": r["kind"], "method": r["method"], "path": r["path"],
                          "status": r.get("status"), "trace_id": r.get("trace_id"),
                          "segments": len(r["expect"]["segments"]),
                          "streamed_subsegments": r["expect"]["streamed"]} for r in self.reqs],
        }


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1, ensure_ascii=False, sort_keys=False)
        f.write("\n")


# ---------------------------------------------------------------- checks

def compare(truth, m):
    """Differences between xraytop's map and the truth: the same nodes and
    edges, keyed by (name, type), with the same count/ok/error/throttle/fault."""
    problems = []
    fields = ("count", "ok", "error", "throttle", "fault")

    def key(x):
        return (x["name"], x["type"])

    def check(what, got, want):
        for f in fields:
            if got.get(f) != want["map"][f]:
                problems.append("%s: %s %s, want %d" % (what, f, got.get(f), want["map"][f]))

    got_nodes = {key(n): n for n in m.get("nodes", [])}
    want_nodes = {key(n): n for n in truth["nodes"]}
    for k in sorted(set(want_nodes) - set(got_nodes)):
        problems.append("node %s (%s) missing" % k)
    for k in sorted(set(got_nodes) - set(want_nodes)):
        problems.append("unexpected node %s (%s)" % k)
    for k in sorted(set(got_nodes) & set(want_nodes)):
        check("node %s (%s)" % k, got_nodes[k], want_nodes[k])
    got_edges = {(key(e["source"]), key(e["target"])): e for e in m.get("edges", [])}
    want_edges = {(key(e["source"]), key(e["target"])): e for e in truth["edges"]}

    def label(k):
        return "%s (%s) -> %s (%s)" % (k[0] + k[1])
    for k in sorted(set(want_edges) - set(got_edges)):
        problems.append("edge %s missing" % label(k))
    for k in sorted(set(got_edges) - set(want_edges)):
        problems.append("unexpected edge %s" % label(k))
    for k in sorted(set(got_edges) & set(want_edges)):
        check("edge " + label(k), got_edges[k], want_edges[k])
    return problems


def read_recording(path):
    """Documents of a daemon recording (header line, document line, ...)."""
    docs = []
    with open(path, "rb") as f:
        lines = f.read().decode("utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    i = 0
    while i < len(lines):
        header = json.loads(lines[i])
        if header.get("format") != "json" or header.get("version") != 1:
            raise ValueError("line %d: not a daemon header: %s" % (i + 1, lines[i][:80]))
        docs.append(json.loads(lines[i + 1]))
        i += 2
    return docs


def recording_problems(docs, truth, want_streamed=None):
    """The recording holds exactly the planned documents: every traced
    request's trace, the planned number of segments, and (when want_streamed
    is "exact") the planned number of independent subsegment documents."""
    problems = []
    segs = [d for d in docs if d.get("type") != "subsegment"]
    subs = [d for d in docs if d.get("type") == "subsegment"]
    t = truth["totals"]
    if len(segs) != t["segments"]:
        problems.append("%d segment documents, want %d" % (len(segs), t["segments"]))
    if want_streamed == "exact" and len(subs) != t["streamed_subsegments"]:
        problems.append("%d streamed subsegment documents, want %d" % (len(subs), t["streamed_subsegments"]))
    per_trace = {}
    for d in segs:
        per_trace[d.get("trace_id")] = per_trace.get(d.get("trace_id"), 0) + 1
    for r in truth["requests"]:
        if per_trace.get(r["trace_id"], 0) != r["segments"]:
            problems.append("trace %s (request %d, %s): %d segments, want %d"
                            % (r["trace_id"], r["seq"], r["kind"], per_trace.get(r["trace_id"], 0),
                               r["segments"]))
    known = {r["trace_id"] for r in truth["requests"]}
    for tid in sorted(set(d.get("trace_id") for d in docs) - known):
        problems.append("documents of trace %s, which the driver did not send" % tid)
    for d in subs:
        if not d.get("parent_id") or d.get("trace_id") not in known:
            problems.append("streamed subsegment %s without parent_id or known trace" % d.get("id"))
    return problems


def main(argv):
    if len(argv) >= 3 and argv[0] == "compare":
        truth = json.load(open(argv[1]))
        m = json.load(open(argv[2]))
        problems = compare(truth, m)
        for p in problems:
            print(p)
        if not problems:
            print("agree: %d nodes, %d edges" % (len(truth["nodes"]), len(truth["edges"])))
        return 1 if problems else 0
    if len(argv) >= 3 and argv[0] == "recording":
        docs = read_recording(argv[1])
        truth = json.load(open(argv[2]))
        problems = recording_problems(docs, truth, argv[3] if len(argv) > 3 else None)
        for p in problems[:40]:
            print(p)
        subs = sum(1 for d in docs if d.get("type") == "subsegment")
        print("%d documents: %d segments, %d streamed subsegments" % (len(docs), len(docs) - subs, subs))
        return 1 if problems else 0
    if len(argv) == 2 and argv[0] == "ids":
        truth = json.load(open(argv[1]))
        for tid in sorted(r["trace_id"] for r in truth["requests"] if r["trace_id"]):
            print(tid)
        return 0
    if len(argv) == 3 and argv[0] == "port":
        deadline = time.monotonic() + float(argv[2])
        pat = re.compile(r"listening on (?:\[[^\]]*\]|[^ ]*):(\d+) \(udp\)")
        while time.monotonic() < deadline:
            try:
                with open(argv[1], errors="replace") as f:
                    mt = pat.search(f.read())
                if mt:
                    print(mt.group(1))
                    return 0
            except OSError:
                pass
            time.sleep(0.02)
        return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
