#!/usr/bin/env python3
"""driver.py - run the Python shop (app.py) against an X-Ray daemon address
and write down what it made the shop do.

  python3 driver.py --daemon 127.0.0.1:PORT --work DIR --truth FILE
  python3 driver.py --datagrams        # how many datagrams the plan sends

Starts moto_server (DynamoDB tables products and orders) and the two
services of app.py on free 127.0.0.1 ports, sends a fixed plan of requests
with an untraced client (each request starts a new, sampled trace), checks
that every request got its planned status and a trace id, and writes the
truth: per node and edge of the service map, the calls and their outcome.
Exit 0 when every request went as planned, 1 otherwise (the truth is
written anyway), 2 when the set-up failed.
"""

import argparse
import json
import os
import random
import sqlite3
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True          # nothing written into the source tree
sys.path.insert(0, os.path.dirname(HERE))
import sdktest  # noqa: E402

WEB, STOCK = "shop-web", "shop-stock"
PRODUCTS = {"SKU-0001": "Espresso cup", "SKU-0002": "Café crème mug", "SKU-0003": "Übergröße hoodie",
            "SKU-0004": "東京 tote bag", "SKU-0005": "Wool socks", "SKU-0006": "Desk mat",
            "SKU-0008": "Dotted notebook", "SKU-0013": "Lucky 13 lamp",
            "SKU-HOT": "Limited sneaker drop", "SKU-BAD": "Answer towel"}
LEVELS = {"SKU-0008": 5, "SKU-0013": 0}          # every other SKU: plenty
PLENTY = 1000000
SELLABLE = ("SKU-0001", "SKU-0002", "SKU-0003", "SKU-0004", "SKU-0005", "SKU-0006")
OUT_OF_STOCK = "SKU-0013"
SEEDED_ORDERS = ("o-seeded-1", "o-seeded-2", "o-seeded-3")
USERS = {"alice": "premium", "bob": "standard", "carol": "premium", "dave": "standard"}

# request kind -> how many in the plan
MIX = (("product_ok", 12), ("product_missing", 5), ("product_hot", 4), ("product_broken", 4),
       ("tenant_throttled", 4), ("order_ok", 8), ("order_out_of_stock", 3),
       ("order_duplicate", 3), ("order_invalid", 3), ("boom", 3), ("not_found", 3))
GROUPS = 3          # groups of 4 consecutive requests sent concurrently

SQL_WEB = ("web.db", "Database::SQL")
SQL_STOCK = ("stock.db", "Database::SQL")
T_PRODUCTS = ("products", "AWS::DynamoDB::Table")
T_ORDERS = ("orders", "AWS::DynamoDB::Table")
N_STOCK = (STOCK, "")


def make_plan(seed):
    rng = random.Random(seed)
    users = sorted(USERS) + ["erin"]          # erin has no session: tier guest
    plan = []
    for kind, n in MIX:
        for _ in range(n):
            plan.append(plan_one(rng, kind, users))
    rng.shuffle(plan)
    for i, r in enumerate(plan):
        r["seq"] = i + 1
    starts = sorted(rng.sample(range(2, len(plan) - 4, 8), GROUPS))
    for g, st in enumerate(starts):
        for r in plan[st:st + 4]:
            r["group"] = g + 1
    n_dup = 0
    for r in plan:                      # each seeded order is hit by one duplicate
        if r["kind"] == "order_duplicate":
            r["body"]["order_id"] = SEEDED_ORDERS[n_dup]
            n_dup += 1
    return plan


def plan_one(rng, kind, users):
    user = rng.choice(users)
    r = {"kind": kind, "method": "GET", "headers": {"X-User": user, "X-Tenant": rng.choice(("acme", "globex"))}}
    if kind.startswith("product_") or kind == "tenant_throttled":
        sku = {"product_ok": lambda: rng.choice(SELLABLE + ("SKU-0008", OUT_OF_STOCK)),
               "product_missing": lambda: "SKU-%04d" % rng.randrange(9000, 9999),
               "product_hot": lambda: "SKU-HOT", "product_broken": lambda: "SKU-BAD",
               "tenant_throttled": lambda: rng.choice(SELLABLE)}[kind]()
        if kind == "tenant_throttled":
            r["headers"]["X-Tenant"] = "noisy"
        r["path"] = "/products/" + sku
        r["sku"] = sku
    elif kind.startswith("order_"):
        lines = [{"sku": s, "qty": rng.choice((1, 1, 2, 3))} for s in rng.sample(SELLABLE, rng.choice((1, 2, 3)))]
        if kind == "order_out_of_stock":
            lines.insert(rng.randrange(len(lines) + 1), {"sku": OUT_OF_STOCK, "qty": 1})
        elif kind == "order_invalid":
            lines[rng.randrange(len(lines))]["qty"] = 0
        r["method"] = "POST"
        r["path"] = "/orders"
        r["body"] = {"user": user, "order_id": "o-%d" % rng.randrange(10000, 99999), "lines": lines}
    elif kind == "boom":
        r["path"] = "/boom"
    elif kind == "not_found":
        r["path"] = rng.choice(("/favicon.ico", "/admin", "/products"))
    else:
        raise ValueError(kind)
    return r


def expect(truth, r):
    """The segments and calls request r makes, as app.py is written."""
    e = truth.request(r)
    seg, call = truth.segment, truth.call
    kind = r["kind"]
    if kind == "tenant_throttled":
        status = 429
    elif kind.startswith("product_"):
        call(e, WEB, SQL_WEB, None)
        call(e, WEB, T_PRODUCTS, 200)
        if kind == "product_missing":
            status = 404
        else:
            inner = {"product_ok": 200, "product_hot": 429, "product_broken": 500}[kind]
            if kind != "product_hot":
                call(e, STOCK, SQL_STOCK, None)
            seg(e, STOCK, inner)
            call(e, WEB, N_STOCK, inner)
            status = 502 if inner >= 500 else inner
    elif kind.startswith("order_"):
        call(e, WEB, SQL_WEB, None)
        lines = r["body"]["lines"]
        if kind == "order_invalid":
            status = 400
        else:
            reserve = 200
            for line in lines:              # one UPDATE per line, up to the first short one
                call(e, STOCK, SQL_STOCK, None)
                if line["sku"] == OUT_OF_STOCK:
                    reserve = 409
                    break
            seg(e, STOCK, reserve)
            call(e, WEB, N_STOCK, reserve)
            if reserve == 409:
                status = 409
            elif kind == "order_duplicate":
                # ConditionalCheckFailedException: HTTP 400, exception recorded
                call(e, WEB, T_ORDERS, 400, "fault")
                status = 409
            else:
                call(e, WEB, T_ORDERS, 200)
                status = 201
    elif kind == "boom":
        status = 500
    else:
        status = 404
    seg(e, WEB, status)
    call(e, "client", (WEB, ""), status)


def versions():
    from importlib.metadata import version
    out = {"python": sys.version.split()[0], "sqlite": sqlite3.sqlite_version}
    for pkg in ("aws-xray-sdk", "flask", "werkzeug", "requests", "boto3", "botocore", "moto"):
        out[pkg] = version(pkg)
    return out


def setup_data(app_dir, moto):
    db = sqlite3.connect(os.path.join(app_dir, "web.db"))
    db.execute("CREATE TABLE sessions (user_id TEXT PRIMARY KEY, tier TEXT)")
    db.executemany("INSERT INTO sessions VALUES (?, ?)", sorted(USERS.items()))
    db.commit()
    db.close()
    db = sqlite3.connect(os.path.join(app_dir, "stock.db"))
    db.execute("CREATE TABLE levels (sku TEXT PRIMARY KEY, level INTEGER)")
    db.executemany("INSERT INTO levels VALUES (?, ?)", [(s, LEVELS.get(s, PLENTY)) for s in sorted(PRODUCTS)])
    db.commit()
    db.close()
    ddb = sdktest.dynamodb(moto)
    sdktest.create_table(ddb, "products", "sku")
    sdktest.create_table(ddb, "orders", "order_id")
    for sku, name in sorted(PRODUCTS.items()):
        ddb.put_item(TableName="products", Item={"sku": {"S": sku}, "name": {"S": name}})
    for oid in SEEDED_ORDERS:
        ddb.put_item(TableName="orders", Item={"order_id": {"S": oid}, "user_id": {"S": "bob"}})


def run(args, truth, plan):
    app_dir = os.path.join(args.work, "app")
    os.makedirs(app_dir, exist_ok=True)
    procs = sdktest.Procs(args.work)
    try:
        env = sdktest.base_env(args.daemon)
        socks = {WEB: sdktest.listening_socket(), STOCK: sdktest.listening_socket()}
        urls = {n: "http://127.0.0.1:%d" % s.getsockname()[1] for n, s in socks.items()}
        # the services start while moto does; they reach moto only when driven
        moto_proc, moto = sdktest.spawn_moto(procs, env)
        started = []
        for name in (STOCK, WEB):
            e = dict(env, SDK_TEST_CONFIG=json.dumps({"moto": moto, "stock": urls[STOCK]}),
                     SDK_TEST_FD=str(socks[name].fileno()))
            started.append((name, procs.spawn(name, [sys.executable, os.path.join(HERE, "app.py"), name],
                                              e, cwd=app_dir, pass_fds=(socks[name].fileno(),))))
        sdktest.wait_moto(procs, moto_proc, moto)
        setup_data(app_dir, moto)
        for name, p in started:
            procs.wait_ready(name, p)
        for s in socks.values():
            s.close()
        sdktest.drive(int(urls[WEB].rsplit(":", 1)[1]), plan)
        procs.check_alive()
    finally:
        procs.cleanup()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--daemon", help="X-Ray daemon address the SDK sends to (ADDR:PORT)")
    ap.add_argument("--work", help="work directory (databases, service logs)")
    ap.add_argument("--truth", help="where to write the truth (JSON)")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--datagrams", action="store_true", help="print the number of datagrams the plan sends")
    args = ap.parse_args()
    truth = sdktest.Truth("python")
    plan = make_plan(args.seed)
    for r in plan:
        expect(truth, r)
    if args.datagrams:
        print(sum(len(r["expect"]["segments"]) for r in plan))
        return 0
    if not (args.daemon and args.work and args.truth):
        ap.error("--daemon, --work and --truth are required")
    sdktest.on_signals_raise()
    try:
        run(args, truth, plan)
    except sdktest.Failure as e:
        print("driver: %s" % e, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("driver: interrupted", file=sys.stderr)
        return 2
    sdktest.write_json(args.truth, truth.to_json(versions()))
    problems = truth.problems()
    for p in problems:
        print("driver: " + p, file=sys.stderr)
    t = truth.to_json({})["totals"]
    print("driver: %d requests, %d segments planned; %s"
          % (t["requests"], t["segments"], "all as planned" if not problems else "%d problems" % len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
