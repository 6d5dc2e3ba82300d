#!/usr/bin/env python3
"""driver.py - run the Node.js shop (app.js) against an X-Ray daemon address
and write down what it made the shop do.

  python3 driver.py --daemon 127.0.0.1:PORT --modules DIR --work DIR --truth FILE
  python3 driver.py --datagrams        # how many datagrams the plan sends

DIR given to --modules holds node_modules (npm ci of package-lock.json).
Starts moto_server (DynamoDB tables sessions, carts, prices) and the three
servers of app.py on free 127.0.0.1 ports, sends a fixed plan with an
untraced client (each request starts a new, sampled trace), checks that
every request got its planned status and a trace id, and writes the truth:
per node and edge of the service map, the calls and their outcome, and how
many subsegments the SDK streams as separate documents.  Exit 0 when every
request went as planned, 1 otherwise (the truth is written anyway), 2 when
the set-up failed.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True          # nothing written into the source tree
sys.path.insert(0, os.path.dirname(HERE))
import sdktest  # noqa: E402

GW, LEDGER = "gateway", "ledger"
SESSIONS = {"alice": "premium", "bob": "standard", "carol": "premium"}   # dave, erin: guests
USERS = ("alice", "bob", "carol", "dave", "erin")
PRICES = {"P-%03d" % i: 100 * i + 99 for i in range(1, 9)}
SEEDED_CARTS = ("c-seeded-1", "c-seeded-2")
STREAMING_THRESHOLD = 2           # AWSXRay.setStreamingThreshold in app.js

MIX = (("price_ok", 8), ("price_missing", 3), ("price_hot", 3), ("price_broken", 3),
       ("tenant_throttled", 2), ("stock_ok", 3), ("stock_missing", 2), ("stock_down", 2),
       ("checkout_ok", 6), ("checkout_unavailable", 3), ("checkout_duplicate", 2),
       ("boom", 2), ("not_found", 2))
GROUPS = 3          # groups of 4 consecutive requests sent concurrently

T_SESSIONS = ("sessions", "AWS::DynamoDB::Table")
T_CARTS = ("carts", "AWS::DynamoDB::Table")
T_PRICES = ("prices", "AWS::DynamoDB::Table")
N_LEDGER = (LEDGER, "")
N_LEGACY = ("localhost", "remote")


def make_plan(seed):
    rng = random.Random(seed)
    plan = []
    for kind, n in MIX:
        for _ in range(n):
            plan.append(plan_one(rng, kind))
    rng.shuffle(plan)
    for i, r in enumerate(plan):
        r["seq"] = i + 1
    starts = sorted(rng.sample(range(2, len(plan) - 4, 8), GROUPS))
    for g, st in enumerate(starts):
        for r in plan[st:st + 4]:
            r["group"] = g + 1
    n_dup = 0
    for r in plan:
        if r["kind"] == "checkout_duplicate":
            r["body"]["cart_id"] = SEEDED_CARTS[n_dup]
            n_dup += 1
    return plan


def plan_one(rng, kind):
    user = rng.choice(USERS)
    r = {"kind": kind, "method": "GET", "headers": {"X-User": user, "X-Tenant": rng.choice(("acme", "globex"))}}
    if kind.startswith("price_") or kind == "tenant_throttled":
        sku = {"price_missing": "P-9%02d" % rng.randrange(100), "price_hot": "HOT-%d" % rng.randrange(10),
               "price_broken": "BAD-%d" % rng.randrange(10)}.get(kind) or rng.choice(sorted(PRICES))
        if kind == "tenant_throttled":
            r["headers"]["X-Tenant"] = "noisy"
        r["path"] = "/api/price/" + sku
    elif kind.startswith("stock_"):
        sku = "X-%03d" % rng.randrange(1000) if kind == "stock_missing" else "W-%03d" % rng.randrange(1000)
        r["path"] = "/api/stock/" + sku + ("?mode=down" if kind == "stock_down" else "")
    elif kind.startswith("checkout_"):
        n = rng.choice((2, 3, 4, 5))
        lines = [("L-%03d" if i % 2 == 0 else "W-%03d") % rng.randrange(1000) for i in range(n)]
        if kind == "checkout_unavailable":
            i = rng.randrange(n)
            lines[i] = ("OUT-%03d" if i % 2 == 0 else "X-%03d") % rng.randrange(1000)
        r["method"] = "POST"
        r["path"] = "/api/checkout"
        r["body"] = {"user": user, "cart_id": "c-%d" % rng.randrange(10000, 99999), "lines": lines}
    elif kind == "boom":
        r["path"] = "/api/boom"
    elif kind == "not_found":
        r["path"] = rng.choice(("/favicon.ico", "/api/cart", "/api/price"))
    else:
        raise ValueError(kind)
    return r


def streamed(lines):
    """Subsegment documents the Node SDK streams for a checkout of n lines.

    It streams when a segment's count of open subsegments exceeds the
    threshold T (2): when a subsegment opens, every closed one is sent;
    when one closes with the count still above T, it is sent.  During a
    checkout reserve_stock is open and holds the n concurrent calls, so
    the count reaches n + 1: the closed sessions GetItem goes when it first
    passes T (n >= 2), and of the n calls the first n - 2 to close go (the
    count is n + 1 - k after the k-th close)."""
    n = len(lines)
    t = STREAMING_THRESHOLD
    return (1 if n + 1 > t else 0) + max(0, n - t)


def expect(truth, r):
    """The segments and calls request r makes, as app.js is written."""
    e = truth.request(r)
    seg, call = truth.segment, truth.call
    kind = r["kind"]
    if kind == "tenant_throttled":
        status = 429
    elif kind.startswith("price_"):
        call(e, GW, T_SESSIONS, 200)
        if kind in ("price_ok", "price_missing"):
            call(e, LEDGER, T_PRICES, 200)
        inner = {"price_ok": 200, "price_missing": 404, "price_hot": 429, "price_broken": 500}[kind]
        seg(e, LEDGER, inner)
        call(e, GW, N_LEDGER, inner)
        status = 502 if inner >= 500 else inner
    elif kind.startswith("stock_"):
        status = {"stock_ok": 200, "stock_missing": 404, "stock_down": 503}[kind]
        call(e, GW, N_LEGACY, status)
    elif kind.startswith("checkout_"):
        call(e, GW, T_SESSIONS, 200)
        ok = True
        for i, line in enumerate(r["body"]["lines"]):
            if i % 2 == 0:
                st = 409 if line.startswith("OUT-") else 200
                seg(e, LEDGER, st)
                call(e, GW, N_LEDGER, st)
            else:
                st = 404 if line.startswith("X") else 200
                call(e, GW, N_LEGACY, st)
            ok = ok and st == 200
        e["streamed"] = streamed(r["body"]["lines"])
        if not ok:
            status = 409
        elif kind == "checkout_duplicate":
            # ConditionalCheckFailedException: HTTP 400, exception recorded
            call(e, GW, T_CARTS, 400, "fault")
            status = 409
        else:
            call(e, GW, T_CARTS, 200)
            status = 201
    elif kind == "boom":
        status = 500
    else:
        status = 404
    seg(e, GW, status)
    call(e, "client", (GW, ""), status)


def versions(modules):
    out = {"node": subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()}
    for pkg in ("aws-xray-sdk-core", "aws-xray-sdk-express", "express", "@aws-sdk/client-dynamodb"):
        with open(os.path.join(modules, "node_modules", pkg, "package.json")) as f:
            out[pkg] = json.load(f)["version"]
    return out


def setup_data(moto):
    ddb = sdktest.dynamodb(moto)
    sdktest.create_table(ddb, "sessions", "user_id")
    sdktest.create_table(ddb, "carts", "cart_id")
    sdktest.create_table(ddb, "prices", "sku")
    for user, tier in sorted(SESSIONS.items()):
        ddb.put_item(TableName="sessions", Item={"user_id": {"S": user}, "tier": {"S": tier}})
    for sku, cents in sorted(PRICES.items()):
        ddb.put_item(TableName="prices", Item={"sku": {"S": sku}, "cents": {"N": str(cents)}})
    for cid in SEEDED_CARTS:
        ddb.put_item(TableName="carts", Item={"cart_id": {"S": cid}, "user_id": {"S": "bob"}})


def run(args, plan):
    node = shutil.which("node")
    if not node:
        raise sdktest.Failure("node is not on PATH")
    procs = sdktest.Procs(args.work)
    try:
        env = sdktest.base_env(args.daemon)
        env["NODE_PATH"] = os.path.join(os.path.abspath(args.modules), "node_modules")
        socks = {n: sdktest.listening_socket() for n in (GW, LEDGER, "legacy")}
        ports = {n: s.getsockname()[1] for n, s in socks.items()}
        moto_proc, moto = sdktest.spawn_moto(procs, env)
        cfg = json.dumps({"moto": moto, "ledger": ports[LEDGER], "legacy": ports["legacy"]})
        started = []
        for name in ("legacy", LEDGER, GW):
            e = dict(env, SDK_TEST_CONFIG=cfg, SDK_TEST_FD=str(socks[name].fileno()))
            started.append((name, procs.spawn(name, [node, os.path.join(HERE, "app.js"), name], e,
                                              pass_fds=(socks[name].fileno(),))))
        sdktest.wait_moto(procs, moto_proc, moto)
        setup_data(moto)
        for name, p in started:
            procs.wait_ready(name, p)
        for s in socks.values():
            s.close()
        for r in plan:
            # The driver names each trace, as a load balancer would, and asks
            # the gateway for its sampling decision ("Sampled=?"): the SDK
            # answers with the trace id in the X-Amzn-Trace-Id header.
            r["sent_trace_id"] = "1-%08x-%s" % (int(time.time()), os.urandom(12).hex())
            r["headers"]["X-Amzn-Trace-Id"] = "Root=%s;Sampled=?" % r["sent_trace_id"]
        sdktest.drive(ports[GW], plan)
        for r in plan:
            if r.get("trace_id") and r["trace_id"] != r["sent_trace_id"]:
                r["error"] = "the response names trace %s, not %s" % (r["trace_id"], r["sent_trace_id"])
                r["trace_id"] = None
        procs.check_alive()
    finally:
        procs.cleanup()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--daemon", help="X-Ray daemon address the SDK sends to (ADDR:PORT)")
    ap.add_argument("--modules", help="directory holding node_modules")
    ap.add_argument("--work", help="work directory (service logs)")
    ap.add_argument("--truth", help="where to write the truth (JSON)")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--datagrams", action="store_true", help="print the number of datagrams the plan sends")
    args = ap.parse_args()
    truth = sdktest.Truth("node")
    plan = make_plan(args.seed)
    for r in plan:
        expect(truth, r)
    if args.datagrams:
        print(sum(len(r["expect"]["segments"]) + r["expect"]["streamed"] for r in plan))
        return 0
    if not (args.daemon and args.modules and args.work and args.truth):
        ap.error("--daemon, --modules, --work and --truth are required")
    sdktest.on_signals_raise()
    try:
        run(args, plan)
    except sdktest.Failure as e:
        print("driver: %s" % e, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("driver: interrupted", file=sys.stderr)
        return 2
    sdktest.write_json(args.truth, truth.to_json(versions(args.modules)))
    problems = truth.problems()
    for p in problems:
        print("driver: " + p, file=sys.stderr)
    t = truth.to_json({})["totals"]
    print("driver: %d requests, %d segments and %d streamed subsegments planned; %s"
          % (t["requests"], t["segments"], t["streamed_subsegments"],
             "all as planned" if not problems else "%d problems" % len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
