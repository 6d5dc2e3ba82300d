#!/usr/bin/env python3
"""app.py - a two-service shop instrumented with the AWS X-Ray SDK for Python.

  python3 app.py shop-web|shop-stock

Run by driver.py, never by hand: the configuration comes from the
environment (SDK_TEST_CONFIG: moto URL and the other service's URL;
SDK_TEST_FD: the listening socket the driver opened; AWS_XRAY_DAEMON_ADDRESS:
xraytop's listener).  The working directory holds web.db and stock.db.

  shop-web    Flask + XRayMiddleware, patch_all():
                sqlite3 web.db (sessions), DynamoDB products (GetItem) and
                orders (conditional PutItem), requests -> shop-stock,
                custom_logic subsegment (cart validation)
  shop-stock  Flask + XRayMiddleware, patch_all():
                sqlite3 stock.db (levels, reservations), custom_logic
                subsegment (level check)

Every outcome is decided by the request itself (its SKU, tenant, order id,
cart), never by timing or by earlier requests.
"""

import json
import os
import signal
import sys
import threading
import time

HOT_SKUS = ("SKU-HOT",)          # shop-stock rate-limits level checks: 429
BROKEN_SKUS = ("SKU-BAD",)       # shop-stock's level record is corrupt: 500
NOISY_TENANTS = ("noisy",)       # shop-web throttles the tenant: 429


class CorruptStockRecord(Exception):
    pass


def main(name):
    cfg = json.loads(os.environ["SDK_TEST_CONFIG"])
    import logging
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    from aws_xray_sdk.core import xray_recorder, patch_all
    xray_recorder.configure(service=name, sampling=False, context_missing="LOG_ERROR",
                            daemon_address=os.environ["AWS_XRAY_DAEMON_ADDRESS"])
    patch_all()

    import sqlite3
    from flask import Flask, jsonify, request
    from aws_xray_sdk.ext.flask.middleware import XRayMiddleware
    from werkzeug.serving import make_server

    app = Flask(name)
    XRayMiddleware(app, xray_recorder)

    def seg():
        return xray_recorder.current_segment()

    if name == "shop-web":
        import boto3
        import botocore.config
        import requests
        from botocore.exceptions import ClientError
        ddb = boto3.client("dynamodb", endpoint_url=cfg["moto"], region_name="us-east-1",
                           config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}))
        stock = cfg["stock"]

        def session(user):
            seg().put_annotation("user_id", user)
            seg().set_user(user)
            db = sqlite3.connect("web.db")
            try:
                row = db.execute("SELECT tier FROM sessions WHERE user_id = ?", (user,)).fetchone()
            finally:
                db.close()
            tier = row[0] if row else "guest"
            seg().put_annotation("tier", tier)
            return tier

        @app.get("/products/<sku>")
        def product(sku):
            tenant = request.headers.get("X-Tenant", "")
            seg().put_annotation("tenant", tenant)
            if tenant in NOISY_TENANTS:
                seg().put_metadata("quota", {"tenant": tenant, "limit_per_min": 60}, "web")
                return jsonify(error="too many requests for tenant %s" % tenant), 429
            session(request.headers.get("X-User", "anonymous"))
            seg().put_annotation("sku", sku)
            item = ddb.get_item(TableName="products", Key={"sku": {"S": sku}}).get("Item")
            if not item:
                return jsonify(error="no such product", sku=sku), 404
            r = requests.get("%s/levels/%s" % (stock, sku), timeout=10)
            if r.status_code >= 500:
                seg().put_metadata("upstream", {"status": r.status_code, "body": r.text[:200]}, "web")
                return jsonify(error="stock service failed"), 502
            if r.status_code != 200:
                return jsonify(error="stock service busy"), r.status_code
            body = {"sku": sku, "name": item["name"]["S"], "level": r.json()["level"]}
            seg().put_metadata("product", body, "web")
            return jsonify(body)

        @app.post("/orders")
        def order():
            body = request.get_json(force=True)
            tier = session(body["user"])
            seg().put_annotation("order_id", body["order_id"])
            try:
                with xray_recorder.in_subsegment("custom_logic") as sub:
                    sub.put_annotation("item_count", sum(line["qty"] for line in body["lines"]))
                    sub.put_annotation("premium", tier == "premium")
                    sub.put_metadata("cart", body["lines"], "web")
                    for line in body["lines"]:
                        if line["qty"] <= 0:
                            raise ValueError("quantity %d for %s" % (line["qty"], line["sku"]))
            except ValueError as e:
                # recorded on custom_logic (a local fault); the order is a 400
                return jsonify(error="invalid cart: %s" % e), 400
            r = requests.post("%s/reserve" % stock, json={"lines": body["lines"]}, timeout=10)
            if r.status_code != 200:
                return jsonify(error="not reserved", detail=r.json()), (409 if r.status_code == 409 else 502)
            try:
                ddb.put_item(TableName="orders", ConditionExpression="attribute_not_exists(order_id)",
                             Item={"order_id": {"S": body["order_id"]}, "user_id": {"S": body["user"]},
                                   "lines": {"N": str(len(body["lines"]))}})
            except ClientError as e:
                if e.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
                return jsonify(error="order %s exists" % body["order_id"]), 409
            return jsonify(order_id=body["order_id"]), 201

        @app.get("/boom")
        def boom():
            raise RuntimeError("the boom route always fails")

    elif name == "shop-stock":
        @app.get("/levels/<sku>")
        def level(sku):
            seg().put_annotation("sku", sku)
            if sku in HOT_SKUS:
                seg().put_metadata("rate_limit", {"sku": sku, "window_s": 10}, "stock")
                return jsonify(error="level checks for %s are rate limited" % sku), 429
            db = sqlite3.connect("stock.db")
            try:
                row = db.execute("SELECT level FROM levels WHERE sku = ?", (sku,)).fetchone()
            finally:
                db.close()
            with xray_recorder.in_subsegment("custom_logic") as sub:
                if sku in BROKEN_SKUS:
                    raise CorruptStockRecord("level record of %s is corrupt" % sku)
                lvl = row[0] if row else 0
                sub.put_annotation("low_stock", lvl < 10)
            return jsonify(sku=sku, level=lvl)

        @app.post("/reserve")
        def reserve():
            body = request.get_json(force=True)
            db = sqlite3.connect("stock.db")
            try:
                for line in body["lines"]:
                    cur = db.execute("UPDATE levels SET level = level - ? WHERE sku = ? AND level >= ?",
                                     (line["qty"], line["sku"], line["qty"]))
                    if cur.rowcount != 1:
                        db.rollback()
                        seg().put_metadata("short", line, "stock")
                        return jsonify(error="out of stock", sku=line["sku"]), 409
                db.commit()
            finally:
                db.close()
            seg().put_annotation("reserved_lines", len(body["lines"]))
            return jsonify(reserved=len(body["lines"]))

    else:
        raise SystemExit("app.py: unknown service %s" % name)

    server = make_server("127.0.0.1", 0, app, threaded=True, fd=int(os.environ["SDK_TEST_FD"]))
    ppid = os.getppid()

    def orphan_watch():
        # the driver ends us; this covers a driver that vanished without it
        while os.getppid() == ppid:
            time.sleep(0.5)
        os._exit(0)
    threading.Thread(target=orphan_watch, daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    print("READY", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1])
