#!/usr/bin/env python3
"""sdk_segments.py - segment documents made by the real AWS X-Ray SDK for Python.

A small shop is traced with aws_xray_sdk's recorder (no web framework, no
network): an emitter of our own collects what the SDK would send to the
daemon.  Prints one document per line and, with --truth FILE, what was done
(trace ids, their segment names, which one faulted).
"""
import argparse
import json
import time

from aws_xray_sdk.core import xray_recorder
from aws_xray_sdk.core.emitters.udp_emitter import UDPEmitter


class Collect(UDPEmitter):
    def __init__(self):
        super().__init__()
        self.docs = []

    def send_entity(self, entity):
        self.docs.append(entity.serialize())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--traces", type=int, default=4)
    ap.add_argument("--truth")
    a = ap.parse_args()
    em = Collect()
    xray_recorder.configure(emitter=em, sampling=False, context_missing="LOG_ERROR", service="shop-api")
    truth = {"traces": {}}
    for i in range(a.traces):
        fault = i % 3 == 2
        seg = xray_recorder.begin_segment("shop-api")
        seg.put_http_meta("method", "POST" if i % 2 else "GET")
        seg.put_http_meta("url", "http://shop.example/api/items/%d" % i)
        seg.put_annotation("item", i)
        seg.put_annotation("customer", "c-%d" % (i % 2))
        sub = xray_recorder.begin_subsegment("inventory-db", namespace="remote")
        time.sleep(0.005)
        xray_recorder.end_subsegment()
        sub = xray_recorder.begin_subsegment("pricing", namespace="local")
        time.sleep(0.003)
        if fault:
            sub.add_fault_flag()
        xray_recorder.end_subsegment()
        seg.put_http_meta("status", 500 if fault else 200)
        if fault:
            seg.add_fault_flag()
        truth["traces"][seg.trace_id] = {"fault": fault, "status": 500 if fault else 200}
        xray_recorder.end_segment()
    for d in em.docs:
        print(json.dumps(json.loads(d), separators=(",", ":")))
    if a.truth:
        with open(a.truth, "w") as f:
            json.dump(truth, f)


if __name__ == "__main__":
    main()
