#!/usr/bin/env python3
"""make-demo.py - regenerate xraytop's bundled demo data from a real X-Ray SDK run.

Runs a small instrumented shop on loopback and records, exactly as an X-Ray
daemon would receive them, the UDP datagrams that the AWS X-Ray SDK for
Python sends:

  driver (plain http.client, not instrumented)
    -> web-frontend   Flask + XRayMiddleware, ElasticBeanstalkPlugin
         -> catalog-api    DynamoDB products (GetItem, Scan)
         -> user-api       sqlite3 sessions.db, DynamoDB users
         -> checkout-api   DynamoDB orders, SQS order-events,
                           un-instrumented shipping-quote server (localhost)
              -> catalog-api   DynamoDB inventory (conditional UpdateItem)
              -> payments-api  sqlite3 ledger.db, S3 shop-receipts

Every service is its own process with its own recorder (service name,
patch_all(), sampling off).  AWS is moto_server on 127.0.0.1; the daemon is
a UDP listener in this process.  Nothing leaves the loopback interface.

Writes OUT/demo.jsonl (daemon recording: for each datagram the header line,
then the document line) and OUT/demo-truth.json (the driver's bookkeeping),
after checking the captured documents against that bookkeeping.

  python3 demo/make-demo.py --out demo          # regenerate the data
  python3 demo/make-demo.py --out /tmp/d --seed 3
"""

import argparse
import collections
import json
import os
import random
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zlib

SCHEMA = "xraytop-demo-truth/1"
DRIVER_UA = "xraytop-demo-driver/1.0"

# ---------------------------------------------------------------- the shop

# service -> (origin as the SDK sets it, plugins passed to configure())
SERVICES = {
    "web-frontend": ("AWS::ElasticBeanstalk::Environment", ("ElasticBeanstalkPlugin",)),
    "checkout-api": ("AWS::ECS::Container", ("ECSPlugin",)),
    "catalog-api": ("AWS::ECS::Container", ("ECSPlugin",)),
    "payments-api": ("AWS::ECS::Container", ("ECSPlugin",)),
    "user-api": ("", ()),
}
# start order: callees before callers (a caller never waits on a cold callee)
START_ORDER = ("payments-api", "catalog-api", "user-api", "checkout-api", "web-frontend")

EB_ENVIRONMENT = {"deployment_id": 37, "version_label": "shop-web-2024.11.2",
                  "environment_name": "shop-prod"}

# user -> (tenant, tier); a tenant's requests carry X-Tenant
USERS = {
    "alice": ("acme", "premium"), "bob": ("acme", "standard"),
    "carol": ("globex", "premium"), "dave": ("globex", "standard"),
    "erin": ("initech", "standard"), "frank": ("initech", "premium"),
    "grace": ("umbrella", "standard"), "heidi": ("umbrella", "premium"),
}
DISPLAY_NAMES = {
    "alice": "Alice Liddell", "bob": "Bob Åkesson", "carol": "Carol Núñez",
    "dave": "Dave O'Brien", "erin": "Erin Kowalczyk", "frank": "Frank Müller",
    "grace": "Grace Hopper", "heidi": "Heidi Zoë Brandt",
}
UNKNOWN_USERS = {"mallory": "acme", "trent": "globex"}
SEARCH_THROTTLED_TENANTS = ("initech",)     # over their search quota at the edge
PAYMENT_THROTTLED_TENANTS = ("umbrella",)   # merchant account rate-limited by payments

# sku -> (name, price in cents or None for the corrupt record, stock)
PRODUCTS = {
    "SKU-0001": ("Espresso cup", 900, 100000),
    "SKU-0002": ("Café crème mug", 1450, 100000),
    "SKU-0003": ("Übergröße hoodie", 5900, 100000),
    "SKU-0004": ("東京 tote bag", 2400, 100000),
    "SKU-0005": ("Wool socks (3 pairs)", 1800, 100000),
    "SKU-0006": ("Standing desk mat", 6500, 100000),
    "SKU-0007": ("Piñata desk lamp", 4200, 100000),
    "SKU-0008": ("Notebook, dotted", 1100, 100000),
    "SKU-0009": ("Travel mug \"Thermo\"", 2600, 100000),
    "SKU-0010": ("Canvas backpack", 7900, 100000),
    "SKU-0011": ("Cork coaster set", 1300, 100000),
    "SKU-0012": ("Rain jacket", 11900, 100000),
    "SKU-0013": ("Lucky 13 desk lamp", 3900, 0),          # always out of stock
    "SKU-0014": ("Sticker pack", 500, 100000),
    "SKU-0015": ("Enamel pin ★", 800, 100000),
    "SKU-0042": ("Answer towel", None, 100000),            # record without a price
}
BROKEN_SKUS = ("SKU-0042",)
OUT_OF_STOCK_SKUS = ("SKU-0013",)
SELLABLE = sorted(s for s, p in PRODUCTS.items() if p[1] is not None and p[2] > 0)
SEARCH_TERMS = ("mug", "hoodie", "tote", "lamp", "desk", "socks", "jacket", "pin", "bag")
SEEDED_ORDERS = ["o-%d" % n for n in range(1001, 1025)]

CARDS_OK = ("4242424242424242", "5555555555554444", "378282246310005")
CARD_PROCESSOR_ERROR = "4000000000000119"
ZIPS_OK = ("10001", "94107", "60601", "02139", "73301")
ZIP_SLOW = "99501"      # the legacy quote server takes 0.35 s for Alaska
ZIP_UNKNOWN = "00000"   # the legacy quote server answers 404; checkout falls back
LEGACY_SLOW_S = 0.35

USER_AGENTS = (
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15",
    "ShopApp/3.8.1 (iPhone; iOS 17.5)",
    "ShopApp/3.8.0 (Android 14)",
)

# request kind -> how many in the plan (153 requests)
MIX = (
    ("product_ok", 36), ("product_missing", 8), ("product_broken", 4),
    ("search_ok", 18), ("search_slow", 8), ("search_throttled", 6),
    ("account_ok", 10), ("account_missing", 4),
    ("order_ok", 10), ("order_missing", 5),
    ("checkout_ok", 24), ("checkout_out_of_stock", 4), ("checkout_throttled", 5),
    ("checkout_payment_fault", 4), ("checkout_unknown_user", 3),
    ("frontend_404", 4),
)
BURSTS = 5          # groups of BURST_SIZE consecutive requests sent concurrently
BURST_SIZE = 4


def search_delay(q):
    """Seconds the catalog's ranking takes for a broad (1-2 letter) query: 0.3-1.5."""
    return 0.3 + (zlib.crc32(q.encode()) % 1201) / 1000.0


def is_broad(q):
    return len(q) <= 2


def card_brand(card):
    return {"4": "visa", "5": "mastercard", "3": "amex"}.get(card[:1], "other")


# ---------------------------------------------------------------- services (child processes)

def serve(name):
    """Run one instrumented service; configuration comes from XRAYTOP_DEMO_CONFIG."""
    cfg = json.loads(os.environ["XRAYTOP_DEMO_CONFIG"])
    import logging
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    origin, plugins = SERVICES[name]
    if "ElasticBeanstalkPlugin" in plugins:
        # The plugin reads the file the Elastic Beanstalk platform writes at
        # /var/elasticbeanstalk/xray/environment.conf; ours is in the work dir.
        from aws_xray_sdk.core.plugins import elasticbeanstalk_plugin
        elasticbeanstalk_plugin.CONF_PATH = os.path.join(os.getcwd(), "eb-environment.conf")
    from aws_xray_sdk.core import xray_recorder, patch_all
    xray_recorder.configure(service=name, sampling=False, plugins=plugins or None,
                            context_missing="LOG_ERROR",
                            daemon_address=os.environ["AWS_XRAY_DAEMON_ADDRESS"])
    patch_all()

    import boto3
    import botocore.config
    import requests
    import sqlite3
    from botocore.exceptions import ClientError
    from flask import Flask, jsonify, request
    from aws_xray_sdk.ext.flask.middleware import XRayMiddleware
    from werkzeug.serving import make_server

    bcfg = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"},
                                  s3={"addressing_style": "path"})

    def client(svc):
        return boto3.client(svc, endpoint_url=cfg["moto"], region_name="us-east-1", config=bcfg)

    urls = cfg["urls"]
    app = Flask(name)
    XRayMiddleware(app, xray_recorder)

    def seg():
        return xray_recorder.current_segment()

    def upstream(resp):
        try:
            return resp.json()
        except ValueError:
            return {"raw": resp.text[:200]}

    if name == "web-frontend":
        def who():
            user = request.headers.get("X-User")
            tenant = request.headers.get("X-Tenant")
            s = seg()
            if user:
                s.put_annotation("user_id", user)
                s.set_user(user)
            if tenant:
                s.put_annotation("tenant", tenant)
            return user, tenant

        def relay(resp):
            body = upstream(resp)
            if resp.status_code >= 500:
                seg().put_metadata("upstream_error", {"status": resp.status_code, "body": body}, "frontend")
                return jsonify(error="upstream failure, please retry"), 502
            return jsonify(body), resp.status_code

        @app.get("/products/<sku>")
        def product(sku):
            who()
            seg().put_annotation("sku", sku)
            r = requests.get("%s/items/%s" % (urls["catalog-api"], sku), timeout=10)
            return relay(r)

        @app.get("/search")
        def search():
            user, tenant = who()
            q = request.args.get("q", "")
            if tenant in SEARCH_THROTTLED_TENANTS:
                seg().put_metadata("quota", {"tenant": tenant, "limit_per_min": 60, "used": 61}, "frontend")
                resp = jsonify(error="search quota exceeded for tenant %s" % tenant)
                resp.headers["Retry-After"] = "30"
                return resp, 429
            r = requests.get("%s/search" % urls["catalog-api"], params={"q": q}, timeout=10)
            return relay(r)

        @app.get("/account")
        def account():
            user, tenant = who()
            r = requests.get("%s/users/%s" % (urls["user-api"], user), timeout=10)
            return relay(r)

        @app.get("/orders/<oid>")
        def order(oid):
            who()
            seg().put_annotation("order_id", oid)
            r = requests.get("%s/orders/%s" % (urls["checkout-api"], oid), timeout=10)
            return relay(r)

        @app.post("/checkout")
        def checkout():
            user, tenant = who()
            cart = request.get_json(force=True)
            seg().put_metadata("cart", {"lines": len(cart["items"]), "zip": cart["zip"]}, "frontend")
            r = requests.get("%s/users/%s" % (urls["user-api"], user), timeout=10)
            if r.status_code == 404:
                return jsonify(error="unknown customer %s" % user), 403
            if r.status_code != 200:
                return relay(r)
            profile = r.json()
            body = dict(cart, user=user, tenant=tenant, premium=profile["tier"] == "premium")
            r = requests.post("%s/orders" % urls["checkout-api"], json=body, timeout=20)
            resp, status = relay(r)
            if status == 429:
                resp.headers["Retry-After"] = r.headers.get("Retry-After", "5")
            return resp, status

    elif name == "catalog-api":
        ddb = client("dynamodb")

        @app.get("/items/<sku>")
        def item(sku):
            seg().put_annotation("sku", sku)
            it = ddb.get_item(TableName="products", Key={"sku": {"S": sku}}).get("Item")
            if not it:
                return jsonify(error="no such product", sku=sku), 404
            with xray_recorder.in_subsegment("price_lookup") as sub:
                sub.put_annotation("cache_hit", int(sku[-1]) % 3 == 0)
                price = int(it["price"]["N"])   # KeyError for a record without a price
            product = {"sku": sku, "name": it["name"]["S"], "price_cents": price}
            seg().put_metadata("product", product, "catalog")
            return jsonify(product)

        @app.get("/search")
        def search():
            q = request.args.get("q", "")
            items = ddb.scan(TableName="products").get("Items", [])
            with xray_recorder.in_subsegment("rank_results") as sub:
                broad = is_broad(q)
                sub.put_annotation("broad_query", broad)
                if broad:
                    # broad queries fall off the index and rank everything
                    time.sleep(search_delay(q))
                hits = sorted(i["sku"]["S"] for i in items if q.lower() in i["name"]["S"].lower())
            seg().put_annotation("result_count", len(hits))
            seg().put_metadata("query", {"q": q, "scanned": len(items), "hits": hits[:5]}, "catalog")
            return jsonify(q=q, results=hits)

        @app.post("/reserve")
        def reserve():
            body = request.get_json(force=True)
            seg().put_annotation("order_id", body["order_id"])
            for line in body["items"]:
                try:
                    ddb.update_item(TableName="inventory", Key={"sku": {"S": line["sku"]}},
                                    UpdateExpression="SET stock = stock - :q",
                                    ConditionExpression="stock >= :q",
                                    ExpressionAttributeValues={":q": {"N": str(line["qty"])}})
                except ClientError as e:
                    if e.response["Error"]["Code"] != "ConditionalCheckFailedException":
                        raise
                    seg().put_metadata("out_of_stock", line, "catalog")
                    return jsonify(error="out of stock", sku=line["sku"]), 409
            return jsonify(reserved=len(body["items"]))

    elif name == "user-api":
        ddb = client("dynamodb")

        @app.get("/users/<uid>")
        def user(uid):
            seg().put_annotation("user_id", uid)
            db = sqlite3.connect("sessions.db")
            try:
                row = db.execute("SELECT device, last_seen FROM sessions WHERE user_id = ?",
                                 (uid,)).fetchone()
            finally:
                db.close()
            it = ddb.get_item(TableName="users", Key={"user_id": {"S": uid}}).get("Item")
            if not it:
                return jsonify(error="no such user", user_id=uid), 404
            tier = it["tier"]["S"]
            seg().put_annotation("tier", tier)
            seg().put_annotation("premium", tier == "premium")
            profile = {"user_id": uid, "display_name": it["display_name"]["S"],
                       "tenant": it["tenant"]["S"], "tier": tier,
                       "last_device": row[0] if row else None}
            seg().put_metadata("profile", profile, "users")
            return jsonify(profile)

    elif name == "checkout-api":
        ddb = client("dynamodb")
        sqs = client("sqs")

        class PaymentFailed(Exception):
            pass

        @app.get("/orders/<oid>")
        def get_order(oid):
            seg().put_annotation("order_id", oid)
            it = ddb.get_item(TableName="orders", Key={"order_id": {"S": oid}}).get("Item")
            if not it:
                return jsonify(error="no such order", order_id=oid), 404
            return jsonify(order_id=oid, status=it["status"]["S"], total_cents=int(it["total_cents"]["N"]))

        @app.post("/orders")
        def create_order():
            body = request.get_json(force=True)
            oid = "o-%d" % random.randrange(100000, 1000000)
            s = seg()
            s.put_annotation("order_id", oid)
            s.put_annotation("tenant", body["tenant"])
            with xray_recorder.in_subsegment("validate_cart") as sub:
                total = sum(l["qty"] * l["price_cents"] for l in body["items"])
                sub.put_annotation("item_count", sum(l["qty"] for l in body["items"]))
                sub.put_annotation("order_total", total / 100.0)
                sub.put_annotation("premium", bool(body["premium"]))
                sub.put_metadata("cart", body["items"], "checkout")
            r = requests.post("%s/reserve" % urls["catalog-api"],
                              json={"order_id": oid, "items": body["items"]}, timeout=10)
            if r.status_code != 200:
                return jsonify(upstream(r)), (409 if r.status_code == 409 else 502)
            q = requests.get("%s/quote" % cfg["legacy"], timeout=10,
                             params={"zip": body["zip"], "lines": len(body["items"])})
            shipping = q.json()["cents"] if q.status_code == 200 else 1500
            s.put_metadata("shipping", {"zip": body["zip"], "quote_status": q.status_code,
                                        "cents": shipping}, "checkout")
            r = requests.post("%s/charge" % urls["payments-api"], timeout=10,
                              json={"order_id": oid, "tenant": body["tenant"], "card": body["card"],
                                    "amount_cents": total + shipping})
            if r.status_code == 429:
                resp = jsonify(error="payment provider busy, retry later")
                resp.headers["Retry-After"] = r.headers.get("Retry-After", "5")
                return resp, 429
            if r.status_code >= 500:
                raise PaymentFailed("charge for %s failed: payments-api answered HTTP %d"
                                    % (oid, r.status_code))
            ddb.put_item(TableName="orders", Item={
                "order_id": {"S": oid}, "user_id": {"S": body["user"]},
                "status": {"S": "PAID"}, "total_cents": {"N": str(total + shipping)}})
            sqs.send_message(QueueUrl=cfg["queue_url"],
                             MessageBody=json.dumps({"event": "order_paid", "order_id": oid}))
            return jsonify(order_id=oid, total_cents=total + shipping), 201

    elif name == "payments-api":
        s3 = client("s3")

        class PaymentProcessorError(Exception):
            pass

        @app.post("/charge")
        def charge():
            body = request.get_json(force=True)
            s = seg()
            s.put_annotation("order_id", body["order_id"])
            s.put_annotation("amount", body["amount_cents"] / 100.0)
            if body["tenant"] in PAYMENT_THROTTLED_TENANTS:
                s.put_metadata("rate_limit", {"merchant": body["tenant"], "window_s": 60}, "payments")
                resp = jsonify(error="merchant account %s is rate limited" % body["tenant"])
                resp.headers["Retry-After"] = "20"
                return resp, 429
            db = sqlite3.connect("ledger.db")
            try:
                dup = db.execute("SELECT COUNT(*) FROM charges WHERE order_id = ?",
                                 (body["order_id"],)).fetchone()[0]
                with xray_recorder.in_subsegment("charge_card") as sub:
                    brand = card_brand(body["card"])
                    sub.put_annotation("card_brand", brand)
                    sub.put_annotation("processor", "acquirer-eu")
                    sub.put_metadata("charge", {"card": "**** " + body["card"][-4:],
                                                "amount_cents": body["amount_cents"], "duplicate": dup > 0},
                                     "payments")
                    if body["card"] == CARD_PROCESSOR_ERROR:
                        raise PaymentProcessorError("acquirer returned processing_error for %s (code 0x51)"
                                                    % body["order_id"])
                db.execute("INSERT INTO charges (order_id, amount_cents, brand) VALUES (?, ?, ?)",
                           (body["order_id"], body["amount_cents"], brand))
                db.commit()
            finally:
                db.close()
            receipt = {"order_id": body["order_id"], "amount_cents": body["amount_cents"]}
            s3.put_object(Bucket="shop-receipts", Key="receipts/%s.json" % body["order_id"],
                          Body=json.dumps(receipt).encode())
            return jsonify(charge_id="ch_" + body["order_id"][2:], status="captured"), 201

    server = make_server("127.0.0.1", 0, app, threaded=True, fd=int(os.environ["XRAYTOP_DEMO_FD"]))
    ppid = os.getppid()

    def orphan_watch():
        # the parent cleans up; this only covers a parent killed with SIGKILL
        while os.getppid() == ppid:
            time.sleep(0.5)
        os._exit(0)
    threading.Thread(target=orphan_watch, daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    print("READY", flush=True)
    server.serve_forever()


# ---------------------------------------------------------------- the plan and its expected outcome

def make_plan(seed):
    """The fixed list of requests for a seed, each with its expected outcome."""
    rng = random.Random(seed)
    known = sorted(USERS)
    reqs = []
    for kind, n in MIX:
        for _ in range(n):
            reqs.append(plan_one(rng, kind, known))
    rng.shuffle(reqs)
    starts = sorted(rng.sample(range(5, len(reqs) - BURST_SIZE, BURST_SIZE * 2), BURSTS))
    for b, st in enumerate(starts):
        for r in reqs[st:st + BURST_SIZE]:
            r["burst"] = b + 1
    for i, r in enumerate(reqs):
        r["seq"] = i + 1
        r.setdefault("burst", 0)
        if rng.random() < 0.06:
            r["xff"] = "203.0.113.%d" % rng.randrange(2, 250)
        r["user_agent"] = rng.choice(USER_AGENTS)
    return reqs


def plan_one(rng, kind, known):
    def pick_user(exclude=()):
        return rng.choice([u for u in known if USERS[u][0] not in exclude])

    def cart(allow=SELLABLE):
        lines = rng.sample(allow, rng.choice((1, 1, 2, 2, 3)))
        return [{"sku": s, "qty": rng.choice((1, 1, 1, 2, 3)), "price_cents": PRODUCTS[s][1]} for s in lines]

    r = {"kind": kind, "method": "GET", "body": None}
    user = pick_user()
    if kind.startswith("product_"):
        if kind == "product_ok":
            sku = rng.choice(SELLABLE + list(OUT_OF_STOCK_SKUS))
        elif kind == "product_missing":
            sku = "SKU-%04d" % rng.randrange(9000, 9999)
        else:
            sku = rng.choice(BROKEN_SKUS)
        if rng.random() < 0.3:
            user = None          # anonymous browsing
        r["path"] = "/products/" + sku
    elif kind.startswith("search_"):
        if kind == "search_throttled":
            user = rng.choice([u for u in known if USERS[u][0] in SEARCH_THROTTLED_TENANTS])
            q = rng.choice(SEARCH_TERMS)
        else:
            user = pick_user(SEARCH_THROTTLED_TENANTS)
            if kind == "search_slow":
                q = "".join(rng.choice("aeiorst") for _ in range(rng.choice((1, 2))))
            else:
                q = rng.choice(SEARCH_TERMS)
        r["path"] = "/search?q=" + q
        r["q"] = q
    elif kind.startswith("account_"):
        if kind == "account_missing":
            user = rng.choice(sorted(UNKNOWN_USERS))
        r["path"] = "/account"
    elif kind.startswith("order_"):
        oid = rng.choice(SEEDED_ORDERS) if kind == "order_ok" else "o-%d" % rng.randrange(9000, 9999)
        r["path"] = "/orders/" + oid
    elif kind.startswith("checkout_"):
        body = {"items": cart(), "card": rng.choice(CARDS_OK),
                "zip": rng.choice(ZIPS_OK + ZIPS_OK + (ZIP_SLOW, ZIP_UNKNOWN))}
        if kind == "checkout_ok":
            user = pick_user(PAYMENT_THROTTLED_TENANTS)
        elif kind == "checkout_out_of_stock":
            user = pick_user(PAYMENT_THROTTLED_TENANTS)
            items = body["items"]
            sku = OUT_OF_STOCK_SKUS[0]
            items.insert(rng.randrange(len(items) + 1),
                         {"sku": sku, "qty": 1, "price_cents": PRODUCTS[sku][1]})
        elif kind == "checkout_throttled":
            user = rng.choice([u for u in known if USERS[u][0] in PAYMENT_THROTTLED_TENANTS])
        elif kind == "checkout_payment_fault":
            user = pick_user(PAYMENT_THROTTLED_TENANTS)
            body["card"] = CARD_PROCESSOR_ERROR
        elif kind == "checkout_unknown_user":
            user = rng.choice(sorted(UNKNOWN_USERS))
        r["method"] = "POST"
        r["path"] = "/checkout"
        r["body"] = body
    elif kind == "frontend_404":
        r["path"] = rng.choice(("/favicon.ico", "/wp-login.php", "/api/v1/cart", "/.env"))
    else:
        raise ValueError(kind)
    r["user"] = user
    r["tenant"] = (USERS[user][0] if user in USERS else UNKNOWN_USERS.get(user)) if user else None
    return r


def cls_of(status):
    if status is None:
        return "ok"
    if status >= 500:
        return "fault"
    if status == 429:
        return "throttle"
    if status >= 400:
        return "error"
    return "ok"


def expect(r):
    """The driver's model of one request: segments (service, status, class) and
    calls (caller, (node name, node type), status, class) in the order made."""
    segs, calls, local = [], [], []

    def seg(svc, status, cls=None):
        segs.append((svc, status, cls or cls_of(status)))

    def call(caller, node, status, cls=None):
        calls.append((caller, node, status, cls or cls_of(status)))

    def svc_call(caller, callee, status):
        call(caller, (callee, SERVICES[callee][0]), status)

    def table(caller, name, status=200, cls=None):
        call(caller, (name, "AWS::DynamoDB::Table"), status, cls)

    FE = "web-frontend"
    kind = r["kind"]
    status = None
    if kind == "frontend_404":
        status = 404
    elif kind.startswith("product_"):
        table_status = 200
        if kind == "product_ok":
            inner = 200
            local.append(("catalog-api", "price_lookup", "ok"))
        elif kind == "product_missing":
            inner = 404
        else:
            inner = 500
            local.append(("catalog-api", "price_lookup", "fault"))
        table("catalog-api", "products", table_status)
        seg("catalog-api", inner)
        svc_call(FE, "catalog-api", inner)
        status = 502 if inner >= 500 else inner
    elif kind.startswith("search_"):
        if kind == "search_throttled":
            status = 429
        else:
            table("catalog-api", "products")
            local.append(("catalog-api", "rank_results", "ok"))
            seg("catalog-api", 200)
            svc_call(FE, "catalog-api", 200)
            status = 200
    elif kind.startswith("account_"):
        inner = 200 if kind == "account_ok" else 404
        call("user-api", ("sessions.db", "Database::SQL"), None)
        table("user-api", "users")
        seg("user-api", inner)
        svc_call(FE, "user-api", inner)
        status = inner
    elif kind.startswith("order_"):
        inner = 200 if kind == "order_ok" else 404
        table("checkout-api", "orders")
        seg("checkout-api", inner)
        svc_call(FE, "checkout-api", inner)
        status = inner
    elif kind.startswith("checkout_"):
        known = kind != "checkout_unknown_user"
        call("user-api", ("sessions.db", "Database::SQL"), None)
        table("user-api", "users")
        seg("user-api", 200 if known else 404)
        svc_call(FE, "user-api", 200 if known else 404)
        if not known:
            status = 403
        else:
            CO = "checkout-api"
            local.append((CO, "validate_cart", "ok"))
            # catalog reserves line by line and stops at the first out-of-stock line
            reserve = 200
            for line in r["body"]["items"]:
                if line["sku"] in OUT_OF_STOCK_SKUS:
                    # a ClientError: HTTP 400, and the SDK records the exception (fault)
                    table("catalog-api", "inventory", 400, "fault")
                    reserve = 409
                    break
                table("catalog-api", "inventory", 200)
            seg("catalog-api", reserve)
            svc_call(CO, "catalog-api", reserve)
            if reserve == 409:
                inner = 409
            else:
                z = r["body"]["zip"]
                call(CO, ("localhost", "remote"), 404 if z == ZIP_UNKNOWN else 200)
                if kind == "checkout_throttled":
                    pay = 429
                elif kind == "checkout_payment_fault":
                    pay = 500
                    call("payments-api", ("ledger.db", "Database::SQL"), None)
                    local.append(("payments-api", "charge_card", "fault"))
                else:
                    pay = 201
                    call("payments-api", ("ledger.db", "Database::SQL"), None)
                    local.append(("payments-api", "charge_card", "ok"))
                    call("payments-api", ("ledger.db", "Database::SQL"), None)
                    call("payments-api", ("s3", "AWS::s3"), 200)
                seg("payments-api", pay)
                svc_call(CO, "payments-api", pay)
                if pay == 201:
                    table(CO, "orders")
                    call(CO, ("sqs", "AWS::sqs"), 200)
                    inner = 201
                else:
                    inner = 429 if pay == 429 else 500
            seg(CO, inner)
            svc_call(FE, CO, inner)
            status = 502 if inner >= 500 else inner
    seg(FE, status)
    call("client", (FE, SERVICES[FE][0]), status)
    slow = 0.0
    if kind == "search_slow":
        slow = search_delay(r["q"])
    if r["body"] and r["body"]["zip"] == ZIP_SLOW and any(c[1] == ("localhost", "remote") for c in calls):
        slow += LEGACY_SLOW_S
    return {"status": status, "segments": segs, "calls": calls, "local": local, "min_latency_s": slow}


def new_stats():
    return {"calls": 0, "ok": 0, "4xx": 0, "429": 0, "5xx": 0, "status_counts": {},
            "map": {"count": 0, "ok": 0, "error": 0, "throttle": 0, "fault": 0}}


def add_stats(st, status, cls):
    st["calls"] += 1
    key = "n/a" if status is None else str(status)
    st["status_counts"][key] = st["status_counts"].get(key, 0) + 1
    if status is None or status < 400:
        st["ok"] += 1
    elif status < 500:
        st["4xx"] += 1
        if status == 429:
            st["429"] += 1
    else:
        st["5xx"] += 1
    m = st["map"]
    m["count"] += 1
    if cls == "fault":
        m["fault"] += 1
    elif cls in ("error", "throttle"):
        m["error"] += 1
        if cls == "throttle":
            m["throttle"] += 1
    else:
        m["ok"] += 1


def aggregate(items):
    """items: (segments, calls, local) per trace -> nodes, edges, local subsegment counts."""
    nodes, edges, local = {}, {}, {}
    for segs, calls, loc in items:
        for svc, status, cls in segs:
            add_stats(nodes.setdefault((svc, SERVICES.get(svc, ("",))[0]), new_stats()), status, cls)
        for caller, node, status, cls in calls:
            src = ("client", "client") if caller == "client" else (caller, SERVICES[caller][0])
            add_stats(edges.setdefault((src, node), new_stats()), status, cls)
            if caller == "client":
                add_stats(nodes.setdefault(src, new_stats()), status, cls)
            elif node[0] not in SERVICES:
                add_stats(nodes.setdefault(node, new_stats()), status, cls)
        for svc, name, cls in loc:
            e = local.setdefault("%s/%s" % (svc, name), {"count": 0, "fault": 0})
            e["count"] += 1
            e["fault"] += cls == "fault"
    return nodes, edges, local


# ---------------------------------------------------------------- what the documents say

def observe(documents):
    """Per-trace facts and map statistics read from the captured documents alone,
    following the service-map rules in shared/bench/README.md."""
    by_id, traces = {}, collections.defaultdict(list)
    for d in documents:
        if d.get("type") == "subsegment" or d.get("in_progress"):
            continue
        traces[d["trace_id"]].append(d)

    def walk(e, owner, out):
        for s in e.get("subsegments", []):
            out.append((s, owner))
            walk(s, owner, out)

    per_trace = {}
    for tid, segs in traces.items():
        subs = []
        for s in segs:
            walk(s, s, subs)
        sub_by_id = {s["id"]: (s, owner) for s, owner in subs}
        parents = {s.get("parent_id") for s in segs}
        tsegs, tcalls, tlocal = [], [], []

        def status_cls(e):
            st = e.get("http", {}).get("response", {}).get("status")
            cls = ("fault" if e.get("fault") else "throttle" if e.get("throttle")
                   else "error" if e.get("error") else "ok")
            return st, cls
        root = None
        for s in segs:
            st, cls = status_cls(s)
            tsegs.append((s["name"], st, cls))
            p = s.get("parent_id")
            if p and p in sub_by_id:
                x, owner = sub_by_id[p]
                xs, xc = status_cls(x)
                tcalls.append((owner["name"], (s["name"], s.get("origin", "")), xs, xc))
            else:
                root = s
                tcalls.append(("client", (s["name"], s.get("origin", "")), st, cls))
        for x, owner in subs:
            ns = x.get("namespace")
            st, cls = status_cls(x)
            if ns == "local":
                tlocal.append((owner["name"], x["name"], cls))
            if ns not in ("aws", "remote") or x["id"] in parents:
                continue
            if ns == "aws":
                tbl = x.get("aws", {}).get("table_name")
                node = (tbl, "AWS::DynamoDB::Table") if tbl else (x["name"], "AWS::" + x["name"])
            elif "sql" in x:
                node = (x["name"], "Database::SQL")
            else:
                node = (x["name"], "remote")
            tcalls.append((owner["name"], node, st, cls))
        per_trace[tid] = {"segments": tsegs, "calls": tcalls, "local": tlocal,
                          "root_status": root and root.get("http", {}).get("response", {}).get("status"),
                          "root_latency": root and root["end_time"] - root["start_time"],
                          "documents": len(segs)}
    return per_trace


# ---------------------------------------------------------------- the run

try:
    import ctypes
    LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
except (ImportError, OSError):
    LIBC = None


def die_with_parent():
    """In a forked child: get SIGTERM when this script dies, even by SIGKILL (Linux)."""
    if LIBC is not None:
        LIBC.prctl(1, signal.SIGTERM, 0, 0, 0)      # PR_SET_PDEATHSIG


class Runner:
    def __init__(self, args):
        self.args = args
        self.procs = []          # (name, Popen, log file)
        self.tmp = None
        self.udp = None
        self.stop = threading.Event()
        self.datagrams = []
        self.lock = threading.Lock()
        self.legacy = None
        self.legacy_serving = False

    # -- daemon stand-in
    def start_udp(self):
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.udp.bind(("127.0.0.1", 0))
        self.udp.settimeout(0.1)
        return self.udp.getsockname()[1]

    def listen_udp(self):
        def loop():
            while not self.stop.is_set():
                try:
                    data = self.udp.recv(65536)
                except socket.timeout:
                    continue
                except OSError:
                    return
                with self.lock:
                    self.datagrams.append(data)
        threading.Thread(target=loop, daemon=True).start()

    def received(self):
        with self.lock:
            return len(self.datagrams)

    # -- un-instrumented legacy shipping-quote server
    def start_legacy(self):
        import http.server
        import urllib.parse

        class Quote(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                u = urllib.parse.urlsplit(self.path)
                qs = urllib.parse.parse_qs(u.query)
                z = qs.get("zip", [""])[0]
                if u.path != "/quote" or z == ZIP_UNKNOWN:
                    code, body = 404, {"error": "no rate for zip %s" % z}
                else:
                    if z == ZIP_SLOW:
                        time.sleep(LEGACY_SLOW_S)
                    code, body = 200, {"zip": z, "cents": 500 + int(z) % 700, "carrier": "ground"}
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *a):
                pass

        self.legacy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quote)
        self.legacy.daemon_threads = True
        return self.legacy.server_address[1]

    def serve_legacy(self):
        threading.Thread(target=self.legacy.serve_forever, daemon=True).start()
        self.legacy_serving = True

    def env(self, udp_port):
        env = {k: v for k, v in os.environ.items()
               if not k.lower().endswith("_proxy") and not k.startswith(("AWS_", "XRAYTOP_DEMO"))}
        env.update({
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:%d" % udp_port,
            "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
            "NO_PROXY": "*", "no_proxy": "*",
            "PYTHONUNBUFFERED": "1", "PYTHONHASHSEED": "0",
        })
        return env

    def spawn(self, name, argv, env, pass_fds=()):
        log = open(os.path.join(self.tmp, "%s.log" % name), "wb")
        p = subprocess.Popen(argv, cwd=os.path.join(self.tmp, "app"), env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=log, pass_fds=pass_fds, start_new_session=True,
                             preexec_fn=die_with_parent)
        self.procs.append((name, p, log))
        return p

    def start_moto(self, env):
        exe = shutil.which("moto_server")
        if not exe:
            raise SystemExit("make-demo: moto_server not found on PATH")
        import urllib.request
        for attempt in range(5):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
            s.close()
            p = self.spawn("moto", [exe, "-H", "127.0.0.1", "-p", str(port)], env)
            url = "http://127.0.0.1:%d" % port
            deadline = time.time() + 20
            while time.time() < deadline and p.poll() is None:
                try:
                    urllib.request.urlopen(url + "/moto-api/data.json", timeout=1).read()
                    return url
                except OSError:
                    time.sleep(0.1)
            p.terminate()
            p.wait()
        raise SystemExit("make-demo: moto_server did not start (see its log)")

    def setup_aws(self, moto):
        import boto3
        kw = {"endpoint_url": moto, "region_name": "us-east-1",
              "aws_access_key_id": "AKIDEXAMPLE", "aws_secret_access_key": "x"}
        ddb = boto3.client("dynamodb", **kw)
        for tbl, key in (("users", "user_id"), ("products", "sku"), ("inventory", "sku"),
                         ("orders", "order_id")):
            ddb.create_table(TableName=tbl, BillingMode="PAY_PER_REQUEST",
                             KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
                             AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}])
        for u, (tenant, tier) in USERS.items():
            ddb.put_item(TableName="users", Item={
                "user_id": {"S": u}, "tenant": {"S": tenant},
                "tier": {"S": tier}, "display_name": {"S": DISPLAY_NAMES[u]}})
        for sku, (pname, price, stock) in PRODUCTS.items():
            item = {"sku": {"S": sku}, "name": {"S": pname}}
            if price is not None:
                item["price"] = {"N": str(price)}
            ddb.put_item(TableName="products", Item=item)
            ddb.put_item(TableName="inventory", Item={"sku": {"S": sku}, "stock": {"N": str(stock)}})
        rng = random.Random(1)
        for oid in SEEDED_ORDERS:
            ddb.put_item(TableName="orders", Item={
                "order_id": {"S": oid}, "user_id": {"S": rng.choice(sorted(USERS))},
                "status": {"S": rng.choice(("PAID", "PACKING", "SHIPPED", "DELIVERED"))},
                "total_cents": {"N": str(rng.randrange(900, 30000))}})
        boto3.client("s3", **kw).create_bucket(Bucket="shop-receipts")
        return boto3.client("sqs", **kw).create_queue(QueueName="order-events")["QueueUrl"]

    def setup_sqlite(self):
        import sqlite3
        app = os.path.join(self.tmp, "app")
        db = sqlite3.connect(os.path.join(app, "sessions.db"))
        db.execute("CREATE TABLE sessions (user_id TEXT PRIMARY KEY, device TEXT, last_seen TEXT)")
        for i, u in enumerate(sorted(USERS)):
            db.execute("INSERT INTO sessions VALUES (?, ?, ?)",
                       (u, ("ios", "android", "web")[i % 3], "2024-11-0%dT09:00:00Z" % (i % 9 + 1)))
        db.commit()
        db.close()
        db = sqlite3.connect(os.path.join(app, "ledger.db"))
        db.execute("CREATE TABLE charges (order_id TEXT, amount_cents INTEGER, brand TEXT)")
        db.commit()
        db.close()
        with open(os.path.join(app, "eb-environment.conf"), "w") as f:
            json.dump(EB_ENVIRONMENT, f)

    def start_services(self, env, cfg, then):
        socks, urls = {}, {}
        for name in SERVICES:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", 0))
            s.listen(128)
            s.set_inheritable(True)
            socks[name] = s
            urls[name] = "http://127.0.0.1:%d" % s.getsockname()[1]
        cfg["urls"] = urls
        started = []
        for name in START_ORDER:
            e = dict(env, XRAYTOP_DEMO_CONFIG=json.dumps(cfg), XRAYTOP_DEMO_FD=str(socks[name].fileno()))
            p = self.spawn(name, [sys.executable, os.path.abspath(__file__), "--serve", name], e,
                           pass_fds=(socks[name].fileno(),))
            started.append((name, p))
        then()       # our own threads start only after the last fork
        for name, p in started:
            ready, _, _ = select.select([p.stdout], [], [], 30)
            line = p.stdout.readline() if ready else b""
            if line.strip() != b"READY":
                raise SystemExit("make-demo: service %s did not start; its log:\n%s"
                                 % (name, self.log_tail(name)))
        for s in socks.values():
            s.close()
        return urls

    def log_tail(self, name):
        try:
            with open(os.path.join(self.tmp, "%s.log" % name), "rb") as f:
                return f.read()[-3000:].decode("utf-8", "replace")
        except OSError:
            return "(no log)"

    def cleanup(self):
        self.stop.set()
        for name, p, log in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
        for name, p, log in reversed(self.procs):
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            if p.stdout:
                p.stdout.close()
            log.close()
        self.procs = []
        if self.legacy:
            if self.legacy_serving:
                self.legacy.shutdown()
            self.legacy.server_close()
            self.legacy = None
        self.legacy_serving = False
        if self.udp:
            self.udp.close()
            self.udp = None
        if self.tmp and not self.args.keep_tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    # -- the driver
    def send(self, port, r):
        import http.client
        headers = {"User-Agent": r["user_agent"], "Accept": "application/json"}
        if r["user"]:
            headers["X-User"] = r["user"]
        if r["tenant"]:
            headers["X-Tenant"] = r["tenant"]
        if r.get("xff"):
            headers["X-Forwarded-For"] = r["xff"]
        body = None
        if r["body"] is not None:
            body = json.dumps(r["body"]).encode()
            headers["Content-Type"] = "application/json"
        t0 = time.monotonic()
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            c.request(r["method"], r["path"], body=body, headers=headers)
            resp = c.getresponse()
            resp.read()
            hdr = resp.getheader("X-Amzn-Trace-Id") or ""
        finally:
            c.close()
        r["latency_s"] = round(time.monotonic() - t0, 4)
        r["status"] = resp.status
        r["trace_id"] = dict(kv.split("=", 1) for kv in hdr.split(";") if "=" in kv).get("Root")

    def drive(self, port, plan):
        i = 0
        while i < len(plan):
            r = plan[i]
            if r["burst"]:
                group = [x for x in plan[i:i + BURST_SIZE] if x["burst"] == r["burst"]]
                ts = [threading.Thread(target=self.send, args=(port, x)) for x in group]
                for t in ts:
                    t.start()
                for t in ts:
                    t.join()
                i += len(group)
            else:
                self.send(port, r)
                i += 1

    def run(self):
        t_start = time.monotonic()
        self.tmp = tempfile.mkdtemp(prefix="xraytop-demo-")
        os.mkdir(os.path.join(self.tmp, "app"))
        plan = make_plan(self.args.seed)
        for r in plan:
            r["expect"] = expect(r)
        udp_port = self.start_udp()
        env = self.env(udp_port)
        os.environ.update({k: env[k] for k in ("AWS_EC2_METADATA_DISABLED", "AWS_CONFIG_FILE",
                                               "AWS_SHARED_CREDENTIALS_FILE")})
        moto = self.start_moto(env)
        queue_url = self.setup_aws(moto)
        self.setup_sqlite()
        legacy_port = self.start_legacy()
        cfg = {"moto": moto, "queue_url": queue_url, "legacy": "http://localhost:%d" % legacy_port}
        urls = self.start_services(env, cfg, lambda: (self.listen_udp(), self.serve_legacy()))
        t_ready = time.monotonic()
        fe_port = int(urls["web-frontend"].rsplit(":", 1)[1])
        self.drive(fe_port, plan)
        t_driven = time.monotonic()
        want = sum(len(r["expect"]["segments"]) for r in plan)
        deadline = time.time() + 10
        while self.received() < want and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)          # anything unexpected still on its way
        with self.lock:
            datagrams = list(self.datagrams)
        self.cleanup()
        return plan, datagrams, {"startup_s": t_ready - t_start, "drive_s": t_driven - t_ready}


def versions():
    from importlib.metadata import version
    import sqlite3
    out = {"python": sys.version.split()[0], "sqlite": sqlite3.sqlite_version}
    for pkg in ("aws-xray-sdk", "flask", "werkzeug", "requests", "boto3", "botocore", "moto"):
        out[pkg] = version(pkg)
    return out


def check(plan, datagrams):
    """Compare the captured datagrams with the driver's bookkeeping; returns
    (documents, problems)."""
    problems = []
    docs = []
    for i, d in enumerate(datagrams):
        text = d.decode("utf-8")
        header, sep, doc = text.partition("\n")
        if not sep or "\n" in doc or "\r" in doc:
            problems.append("datagram %d: not one header line and one document line" % (i + 1))
            continue
        try:
            if json.loads(header) != {"format": "json", "version": 1}:
                problems.append("datagram %d: unexpected header %s" % (i + 1, header))
            docs.append(json.loads(doc))
        except ValueError as e:
            problems.append("datagram %d: bad JSON: %s" % (i + 1, e))
    seen = observe(docs)
    want_ids = set()
    for r in plan:
        e = r["expect"]
        tid = r.get("trace_id")
        if r.get("status") != e["status"]:
            problems.append("request %d %s %s: status %s, planned %s"
                            % (r["seq"], r["method"], r["path"], r.get("status"), e["status"]))
        if not tid:
            problems.append("request %d: no trace id in the response" % r["seq"])
            continue
        want_ids.add(tid)
        o = seen.get(tid)
        if not o:
            problems.append("request %d: trace %s not captured" % (r["seq"], tid))
            continue
        if o["root_status"] != r["status"]:
            problems.append("trace %s: root status %s, driver saw %s" % (tid, o["root_status"], r["status"]))
        for what in ("segments", "calls", "local"):
            if sorted(map(repr, o[what])) != sorted(map(repr, e[what])):
                problems.append("trace %s (%s): %s differ:\n  seen %s\n  want %s"
                                % (tid, r["kind"], what, sorted(o[what]), sorted(e[what])))
        if o["root_latency"] < e["min_latency_s"]:
            problems.append("trace %s: root latency %.3f s < planned %.3f s"
                            % (tid, o["root_latency"], e["min_latency_s"]))
    for tid in set(seen) - want_ids:
        problems.append("trace %s: captured but not sent by the driver" % tid)
    n_streamed = sum(1 for d in docs if d.get("type") == "subsegment")
    if n_streamed:
        problems.append("%d independent subsegment documents (not planned)" % n_streamed)
    return docs, problems


def key_name(node):
    return {"name": node[0], "type": node[1]}


def write_outputs(out, plan, datagrams, args, timing):
    os.makedirs(out, exist_ok=True)
    data = b"".join(d + b"\n" for d in datagrams)
    with open(os.path.join(out, "demo.jsonl"), "wb") as f:
        f.write(data)
    nodes, edges, local = aggregate((r["expect"]["segments"], r["expect"]["calls"], r["expect"]["local"])
                                    for r in plan)
    kinds = collections.Counter(r["kind"] for r in plan)
    truth = {
        "schema": SCHEMA,
        "generator": {"script": "demo/make-demo.py", "seed": args.seed, "versions": versions(),
                      "bursts": BURSTS, "burst_size": BURST_SIZE},
        "counting": "per node/edge: calls; by the HTTP status: ok (2xx, or none for SQL), 4xx "
                "(incl. 429), 429, 5xx, status_counts; map: the X-Ray classes from the flags "
                "(fault first; throttle is part of error). A failed DynamoDB call is HTTP 400 "
                "and a fault (the SDK records the exception). Edge statistics are the caller's view.",
        "totals": {"requests": len(plan), "traces": len({r["trace_id"] for r in plan}),
                   "datagrams": len(datagrams), "bytes": len(data),
                   "segments": sum(len(r["expect"]["segments"]) for r in plan),
                   "request_kinds": dict(sorted(kinds.items()))},
        "nodes": [dict(key_name(k), **v) for k, v in sorted(nodes.items())],
        "edges": [dict(source=key_name(s), target=key_name(t), **v) for (s, t), v in sorted(edges.items())],
        "local_subsegments": dict(sorted(local.items())),
        "requests": [{"seq": r["seq"], "kind": r["kind"], "method": r["method"], "path": r["path"],
                      "user": r["user"], "tenant": r["tenant"], "burst": r["burst"],
                      "x_forwarded_for": r.get("xff"), "expected_status": r["expect"]["status"],
                      "status": r["status"], "trace_id": r["trace_id"],
                      "segments": len(r["expect"]["segments"]),
                      "services": sorted({s[0] for s in r["expect"]["segments"]}),
                      "min_latency_s": round(r["expect"]["min_latency_s"], 3),
                      "latency_s": r["latency_s"]} for r in plan],
    }
    with open(os.path.join(out, "demo-truth.json"), "w") as f:
        json.dump(truth, f, indent=1, ensure_ascii=False)
        f.write("\n")
    return truth


def summary(truth, timing):
    t = truth["totals"]
    print("make-demo: %d requests -> %d traces, %d datagrams (%d bytes); startup %.1f s, driving %.1f s"
          % (t["requests"], t["traces"], t["datagrams"], t["bytes"], timing["startup_s"], timing["drive_s"]))
    st = collections.Counter(r["status"] for r in truth["requests"])
    print("  statuses at the client: " + ", ".join("%s: %d" % kv for kv in sorted(st.items())))
    print("  %-52s %5s %5s %5s %5s %5s" % ("edge (caller's view)", "calls", "ok", "4xx", "429", "5xx"))
    for e in truth["edges"]:
        print("  %-52s %5d %5d %5d %5d %5d" % ("%s -> %s" % (e["source"]["name"], e["target"]["name"]),
                                               e["calls"], e["ok"], e["4xx"], e["429"], e["5xx"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)),
                    help="directory for demo.jsonl and demo-truth.json (default: beside this script)")
    ap.add_argument("--seed", type=int, default=7, help="plan seed (default 7)")
    ap.add_argument("--keep-tmp", action="store_true", help="keep the work directory with the service logs")
    ap.add_argument("--plan", action="store_true", help="print the plan as JSON and exit")
    ap.add_argument("--serve", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.serve)
        return 0
    if args.plan:
        plan = make_plan(args.seed)
        for r in plan:
            r["expect"] = expect(r)
        json.dump(plan, sys.stdout, indent=1, ensure_ascii=False)
        print()
        return 0

    def on_term(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.default_int_handler)   # even when started in the background
    signal.signal(signal.SIGHUP, on_term)
    runner = Runner(args)
    try:
        plan, datagrams, timing = runner.run()
    except KeyboardInterrupt:
        print("make-demo: interrupted, cleaned up", file=sys.stderr)
        return 130
    finally:
        runner.cleanup()
    docs, problems = check(plan, datagrams)
    if problems:
        print("make-demo: the capture does not match the plan; nothing written:", file=sys.stderr)
        for p in problems[:30]:
            print("  " + p, file=sys.stderr)
        if len(problems) > 30:
            print("  ... %d more" % (len(problems) - 30), file=sys.stderr)
        return 1
    truth = write_outputs(args.out, plan, datagrams, args, timing)
    summary(truth, timing)
    print("  check: every request has its trace, statuses and per-hop outcomes match the plan")
    print("  wrote %s and %s" % (os.path.join(args.out, "demo.jsonl"),
                                 os.path.join(args.out, "demo-truth.json")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
