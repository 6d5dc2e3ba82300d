#!/usr/bin/env python3
"""make-hostile.py DIR - write a corpus of hostile X-Ray data into DIR.

Every string a segment document can carry (names, origins, URLs, methods,
user agents, users, annotation keys and values, metadata, SQL, aws fields,
resource ARNs, exceptions and their stack frames, service blocks, ids) is
filled with one payload of a catalogue: terminal escape sequences (CSI,
OSC 0/52/8, DCS), BEL, backspace, CR, newlines, C1 controls (as UTF-8 and
as raw 8-bit bytes), bidi overrides, zero-width characters, invalid UTF-8,
NUL, 100 KB strings, and markup that breaks DOT, SVG/XML and JSON.

Files written:
  segments.jsonl      segment documents, one per line (JSON Lines); the
                      strings are written as raw bytes where JSON allows it
                      (invalid UTF-8, C1 bytes, even raw ESC and BEL inside
                      string literals), escaped (\\u001b) elsewhere
  datagrams.jsonl     the same documents as a daemon recording (header line,
                      document line)
  wrapped.jsonl       the same as {"datagram": "HEADER\\nDOCUMENT"} records
  batch.json          the same traces as one BatchGetTraces page
  summaries.json      a GetTraceSummaries page with hostile strings
  service-graph.json  a GetServiceGraph page with hostile names and types
  bad.jsonl           malformed lines that carry escape sequences
  aws-traces.jsonl    segment documents whose JSON is valid UTF-8 (what the
  aws-service-graph.json  fake X-Ray endpoint can load)
  groups.json         a GetGroups answer with hostile names, ARNs, filters
  sampling-rules.json GetSamplingRules with hostile rules
  sampling-stats.json GetSamplingStatisticSummaries for them
  config              an xraytop configuration file with hostile groups
                      and key bindings
  config-theme        one whose theme name is hostile
  manifest.json       what the tests need: each trace's id and root name,
                      and for every payload the string a reader must get
                      back from JSON output (invalid bytes as U+FFFD, one
                      per byte; cut at NUL)

Standard library only; the output is the same on every run.
"""
import json
import os
import sys

# ------------------------------------------------------------- payloads
# Each payload is the exact byte string that a JSON decoder yields for the
# string (what xraytop holds in memory).  "big" is 100 KB.
ESC = b"\x1b"
BEL = b"\x07"
ST = ESC + b"\\"
PAYLOADS = [
    ("csi", ESC + b"[2J" + ESC + b"[H" + ESC + b"[31mCSI-clear" + ESC + b"[0m"),
    ("osc0", ESC + b"]0;PWNED-TITLE" + BEL + b"osc0-title"),
    ("osc2", ESC + b"]2;PWNED-TITLE" + ST + b"osc2-st"),
    ("osc52", ESC + b"]52;c;cHduZWQ=" + BEL + b"osc52-clip"),
    ("osc8", ESC + b"]8;;http://evil.example/" + ST + b"osc8-link" + ESC + b"]8;;" + ST),
    ("dcs", ESC + b"P1$qm" + ST + b"dcs" + ESC + b"P+q544e" + ST),
    ("ctl", b"bel" + BEL + b"bs\x08\x08cr\rover\x0bvt\x0cff\x7fdel"),
    ("nl", b"line1\nline2\r\nline3\ttab"),
    ("c1u", "c1u\u009b31m\u0090dcs\u009c\u009d0;t\u0085nel\u0080\u009f".encode()),
    ("c1b", b"c1b\x9b31m\x90x\x9c\x9d0;t\x07\x85"),
    ("bidi", "bidi\u202egnp.exe\u202c\u2066iso\u2069\u2067rli\u2068fsi\u202alre\u202brle\u202dlro"
     .encode()),
    ("zw", "zero\u200bwidth\u200c\u200d\u2060\ufeffjoin\u200e\u200f\u061c".encode()),
    ("utf8", b"bad\xc0\xaf\xe0\x80\xafover\x80\xbflone\xed\xa0\x80\xed\xbf\xbfsur"
     b"\xf8\x88\x80\x80\x80five\xfe\xfftrunc\xe2\x82end\xf0\x9f\x98"),
    ("markup", b'<script>alert(1)</script>]]>"&amp;\\"--><!-- {}; \\l\\n\\r '
     b'digraph node edge subgraph strict graph [label="x"]; a -> b; <b onload="alert(1)">'),
    ("dot", b'x"]; evil [label="PWN" shape=box]; x -> evil; subgraph cluster_0 { a } //'),
    ("svg", b'</text><script>alert(2)</script><foreignObject><a xlink:href="javascript:alert(3)">'
     b'<image href="x" onerror="alert(4)"/>'),
    ("wide", "\u5bbd\u5b57\u7b26\U0001f4a3\u0301e\u0301\u00e9\ufe0f\u2764\ufe0fwide".encode()),
]
BIG = (ESC + b"[2J" + b"x" * 60 + ESC + b"]0;BIG" + BEL + "\u202e".encode() + b"\x9b" + b"y" * 50)
BIG = (BIG * (100 * 1024 // len(BIG) + 1))[:100 * 1024]
PAYLOADS.append(("big", BIG))

ALL = dict(PAYLOADS)


def lit(b, raw_ctl=False):
    """A JSON string literal (bytes) whose decoded value is the bytes b.
    Bytes >= 0x80 go in raw (so invalid UTF-8 stays invalid); controls
    are escaped, or raw when raw_ctl (but never a raw newline)."""
    out = bytearray(b'"')
    for c in b:
        if c == 0x22:
            out += b'\\"'
        elif c == 0x5c:
            out += b"\\\\"
        elif c < 0x20 and (not raw_ctl or c in (0x0a, 0x0d)):
            out += b"\\u%04x" % c
        else:
            out.append(c)
    out += b'"'
    return bytes(out)


def expect(b):
    """What a JSON reader gets back from xraytop's JSON output for b: each
    invalid byte as U+FFFD, cut at the first NUL."""
    b = b.split(b"\0")[0]
    out, i = [], 0
    while i < len(b):
        for n in (1, 2, 3, 4):
            try:
                out.append(b[i:i + n].decode("utf-8"))
                i += n
                break
            except UnicodeDecodeError:
                continue
        else:
            out.append("\ufffd")
            i += 1
    return "".join(out)


def enc(v, raw_ctl):
    """JSON text (bytes) of a value whose strings are bytes."""
    if isinstance(v, bytes):
        return lit(v, raw_ctl)
    if isinstance(v, str):
        return lit(v.encode(), raw_ctl)
    if isinstance(v, dict):
        return b"{" + b",".join(enc(k, raw_ctl) + b":" + enc(x, raw_ctl) for k, x in v.items()) + b"}"
    if isinstance(v, list):
        return b"[" + b",".join(enc(x, raw_ctl) for x in v) + b"]"
    return json.dumps(v).encode()


T0 = 1600000000.0


def short(p):
    """The payload, or its first 300 bytes for fields that stay short."""
    return p if len(p) <= 300 else p[:300]


def trace_docs(i, key, p):
    """The documents of one trace: a root segment with every field set, a
    remote subsegment, and the downstream segment it called (an edge)."""
    tid = "1-5f000000-%024x" % (i + 1)
    rid, sub, did = "%016x" % (0x1000 + i), "%016x" % (0x2000 + i), "%016x" % (0x3000 + i)
    t = T0 + i * 10
    svc = key.encode() + b"-" + p
    exc = {"id": "e%015x" % i, "message": p, "type": short(p) + b"Error", "remote": True,
           "stack": [{"path": p, "label": short(p), "line": 7}, {"path": b"ok.py", "label": b"main", "line": 1}]}
    root = {
        "trace_id": tid, "id": rid, "name": svc, "origin": b"AWS::" + short(p),
        "start_time": t, "end_time": t + 0.5 + i / 1000.0, "fault": True,
        "user": p, "resource_arn": b"arn:aws:" + p,
        "http": {"request": {"method": short(p), "url": b"http://h/" + p, "user_agent": p,
                             "client_ip": short(p), "x_forwarded_for": True},
                 "response": {"status": 500, "content_length": 12}},
        "aws": {"operation": p, "table_name": p, "region": short(p), "request_id": p,
                "account_id": short(p), "queue_url": p, "function_name": p,
                "ec2": {"instance_id": p, "availability_zone": short(p)},
                "xray": {"sdk": p, "sdk_version": short(p)}, p: p},
        "annotations": {b"k_" + short(p): p, "n": i, "plain": b"v-" + short(p)},
        "metadata": {"default": {p: p, "list": [p, 1]}, short(p): {"x": p}},
        "service": {"version": p, "name": short(p)},
        "sql": {"url": p, "sanitized_query": b"SELECT '" + p + b"' FROM t", "database_type": short(p),
                "database_version": short(p), "driver_version": short(p), "user": p,
                "preparation": short(p), "connection_string": p},
        "cause": {"working_directory": p, "paths": [p], "exceptions": [exc]},
        "precursor_ids": ["%016x" % 9],
        "subsegments": [{
            "id": sub, "name": b"sub-" + svc, "namespace": "remote",
            "start_time": t + 0.1, "end_time": t + 0.4, "fault": True,
            "http": {"request": {"method": short(p), "url": b"http://down/" + p},
                     "response": {"status": 503}},
            "annotations": {b"sk_" + short(p): b"sv" + p},
            "cause": {"exceptions": [{"id": "f%015x" % i, "message": p, "type": short(p),
                                      "stack": [{"path": p, "label": p, "line": 3}]}]},
            "subsegments": [{"id": "%016x" % (0x4000 + i), "name": b"local-" + short(p),
                             "namespace": "local", "start_time": t + 0.15, "end_time": t + 0.2,
                             "metadata": {"m": {"v": p}}}]}]}
    down = {"trace_id": tid, "id": did, "parent_id": sub, "name": b"down-" + svc,
            "origin": b"AWS::ECS::" + short(p), "start_time": t + 0.12, "end_time": t + 0.38,
            "fault": True, "http": {"request": {"method": b"GET", "url": b"http://down/" + p},
                                    "response": {"status": 503}},
            "annotations": {"k": p}}
    return tid, svc, [root, down]


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: make-hostile.py DIR\n")
        return 2
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    manifest = {"payloads": {}, "traces": []}
    lines, traces = [], []
    for i, (key, p) in enumerate(PAYLOADS):
        tid, svc, docs = trace_docs(i, key, p)
        # Every other trace puts raw control bytes inside its string literals.
        texts = [enc(x, raw_ctl=(i % 2 == 1)) for x in docs]
        lines += texts
        traces.append((tid, docs, texts))
        manifest["payloads"][key] = expect(p)
        sp = short(p)
        want = {"url": expect(b"http://h/" + p), "method": expect(sp), "user": expect(p),
                "user_agent": expect(p), "client_ip": expect(sp), "type": expect(b"AWS::" + sp),
                "annotations": {expect(b"k_" + sp): [expect(p)], "n": [i], "plain": [expect(b"v-" + sp)],
                                expect(b"sk_" + sp): [expect(b"sv" + p)], "k": [expect(p)]}}
        manifest["traces"].append({"key": key, "id": tid, "root": expect(svc),
                                   "down": expect(b"down-" + svc), "segments": len(docs), "want": want})
    # A trace whose own ids are hostile, and one whose strings hold NUL.
    hid = "1-5f00\x1b]0;TID\x07-\u202e" + "e" * 12
    odd = {"trace_id": hid, "id": "\x1b[2J\x9bid", "name": b"hostile-ids", "start_time": T0 + 500,
           "end_time": T0 + 500.25, "http": {"request": {"url": b"http://ids/"}, "response": {"status": 200}}}
    lines.append(enc(odd, False))
    traces.append((hid, [odd], [lines[-1]]))
    manifest["hostile_id"] = hid
    nul = lit(b"nul-before") [:-1] + b'\\u0000\\u001b]0;AFTER-NUL\\u0007"'
    nuldoc = (b'{"trace_id":"1-5f000000-%024x","id":"%016x","name":' % (900, 0x9000) + nul +
              b',"start_time":%f,"end_time":%f,"user":' % (T0 + 600, T0 + 600.1) + nul +
              b',"annotations":{"a":' + nul + b'}}')
    lines.append(nuldoc)
    traces.append(("1-5f000000-%024x" % 900, None, [nuldoc]))
    manifest["nul"] = {"id": "1-5f000000-%024x" % 900, "name": "nul-before"}
    write(os.path.join(d, "segments.jsonl"), b"\n".join(lines) + b"\n")

    header = b'{"format": "json", "version": 1}'
    write(os.path.join(d, "datagrams.jsonl"), b"".join(header + b"\n" + t + b"\n" for t in lines))
    write(os.path.join(d, "wrapped.jsonl"),
          b"".join(b'{"datagram":' + lit(header + b"\n" + t) + b"}\n" for t in lines))
    batch = b'{"Traces":[' + b",".join(
        b'{"Id":' + lit(tid.encode()) + b',"Duration":0.5,"Segments":[' +
        b",".join(b'{"Id":"%016x","Document":' % (k + 1) + lit(t) + b"}" for k, t in enumerate(texts)) +
        b"]}" for tid, _, texts in traces) + b'],"UnprocessedTraceIds":[]}'
    write(os.path.join(d, "batch.json"), batch)

    # GetTraceSummaries and GetServiceGraph pages.
    sums, services = [], []
    for i, (key, p) in enumerate(PAYLOADS):
        sp = short(p)
        sums.append({
            "Id": "1-5f000001-%024x" % (i + 1), "StartTime": T0 + i, "Duration": 0.5, "ResponseTime": 0.25,
            "HasFault": True, "HasError": False, "HasThrottle": False, "IsPartial": False,
            "Http": {"HttpURL": b"http://s/" + p, "HttpStatus": 500, "HttpMethod": sp,
                     "UserAgent": p, "ClientIp": sp},
            "Users": [{"UserName": p, "ServiceIds": [{"Name": sp, "Type": sp}]}],
            "Annotations": {b"a" + sp: [{"AnnotationValue": {"StringValue": p},
                                         "ServiceIds": [{"Name": sp}]}]},
            "ServiceIds": [{"Name": b"s-" + sp, "Names": [sp], "Type": sp, "AccountId": sp}],
            "EntryPoint": {"Name": b"e-" + sp, "Names": [sp], "Type": sp},
            "ResourceARNs": [{"ARN": p}], "FaultRootCauses": [{"Services": [{
                "Name": sp, "Names": [sp], "Type": sp, "EntityPath": [{"Name": sp, "Exceptions": [
                    {"Name": sp, "Message": p}]}]}]}]})
        stats = {"OkCount": 3, "ErrorStatistics": {"ThrottleCount": 0, "OtherCount": 1, "TotalCount": 1},
                 "FaultStatistics": {"OtherCount": 1, "TotalCount": 1}, "TotalCount": 5,
                 "TotalResponseTime": 0.5}
        services.append({"ReferenceId": 2 * i, "Name": b"g-" + key.encode() + b"-" + sp, "Names": [sp],
                         "Type": sp, "State": "active", "Root": True, "AccountId": sp,
                         "StartTime": T0, "EndTime": T0 + 600, "SummaryStatistics": stats,
                         "ResponseTimeHistogram": [{"Value": 0.1, "Count": 5}],
                         "Edges": [{"ReferenceId": 2 * i + 1, "StartTime": T0, "EndTime": T0 + 600,
                                    "SummaryStatistics": stats, "Aliases": [{"Name": sp, "Type": sp}],
                                    "ResponseTimeHistogram": [{"Value": 0.1, "Count": 5}]}]})
        services.append({"ReferenceId": 2 * i + 1, "Name": b"gd-" + key.encode() + b"-" + sp,
                         "Type": b"AWS::" + sp, "State": "active", "StartTime": T0, "EndTime": T0 + 600,
                         "SummaryStatistics": stats, "Edges": [],
                         "ResponseTimeHistogram": [{"Value": 0.1, "Count": 5}]})
    write(os.path.join(d, "summaries.json"), enc({"TraceSummaries": sums, "ApproximateTime": T0 + 700,
                                                  "TracesProcessedCount": len(sums)}, False) + b"\n")
    write(os.path.join(d, "service-graph.json"),
          enc({"Services": services, "StartTime": T0, "EndTime": T0 + 600,
               "ContainsOldGroupVersions": False}, False) + b"\n")
    manifest["graph_nodes"] = [expect(s["Name"]) for s in services]
    graph = enc({"Services": services}, False).decode("utf-8", "replace").replace("\ufffd", "?")
    write(os.path.join(d, "aws-service-graph.json"), json.dumps(json.loads(graph)).encode())

    # Malformed lines that carry escape sequences, around one good document.
    good = enc({"trace_id": "1-5f000002-%024x" % 1, "id": "%016x" % 0x5000, "name": "good-one",
                "start_time": T0, "end_time": T0 + 0.1}, False)
    write(os.path.join(d, "bad.jsonl"), b"\n".join([
        good,
        b'{"id": "\x1b]0;BADLINE\x07", \x1b[2J broken',
        b"not json \x1b]52;c;cHduZWQ=\x07 \x9b31m \xc0\xaf",
        b'{"trace_id": "\x1b]0;NOID\x07", "name": "x\x1b[2J"}',
        b'{"trace_id": "1-5f000002-%024x", "id": "\x1b]0;LONE\x07", "name": "\\udc80lone",' % 2 +
        b' "start_time": 1, "end_time": 2}',
        b'{"trace_id": "1-5f000002-%024x", "id": "x", "name": 7, "start_time": "\x1b[2J"}' % 3,
        b'[' * 20 + b'"\x1b]0;NEST\x07"' + b']' * 19,
    ]) + b"\n")

    # Valid UTF-8 only: for the fake endpoint (which reads text).
    aws = []
    for i, (key, p) in enumerate(PAYLOADS):
        if key in ("utf8", "c1b"):
            continue
        aws += [json.dumps(json.loads(enc(x, False).decode("utf-8", "replace").replace("\ufffd", "?")),
                           ensure_ascii=True)
                for x in trace_docs(i, key, short(p))[2]]
    write(os.path.join(d, "aws-traces.jsonl"), ("\n".join(aws) + "\n").encode())

    def ustr(b):
        return b.decode("utf-8", "replace").replace("\ufffd", "?")
    groups, rules, stats = [], [], []
    for i, (key, p) in enumerate(PAYLOADS):
        sp = ustr(short(p))
        groups.append({"GroupName": "g%d-%s" % (i, sp), "GroupARN": "arn:aws:xray:us-east-1:1:group/" + sp,
                       "FilterExpression": 'annotation.k = "%s"' % sp.replace("\\", "\\\\").replace('"', '\\"'),
                       "InsightsConfiguration": {"InsightsEnabled": True, "NotificationsEnabled": False}})
        name = "r%d-%s" % (i, sp)
        rules.append({"SamplingRule": {
            "RuleName": name, "RuleARN": "arn:aws:xray:us-east-1:1:sampling-rule/" + sp,
            "ResourceARN": sp, "Priority": 100 + i, "FixedRate": 0.5, "ReservoirSize": i,
            "ServiceName": sp, "ServiceType": sp, "Host": sp, "HTTPMethod": sp, "URLPath": "/" + sp,
            "Version": 1, "Attributes": {sp: sp, "k": sp}}, "CreatedAt": T0, "ModifiedAt": T0 + i})
        stats.append({"RuleName": name, "Timestamp": T0 + 10, "RequestCount": 10 + i,
                      "BorrowCount": 1, "SampledCount": 5})
    manifest["groups"] = [g["GroupName"] for g in groups]
    manifest["rules"] = [r["SamplingRule"]["RuleName"] for r in rules]
    write(os.path.join(d, "groups.json"), json.dumps({"Groups": groups}).encode())
    write(os.path.join(d, "sampling-rules.json"), json.dumps({"SamplingRuleRecords": rules}).encode())
    write(os.path.join(d, "sampling-stats.json"), json.dumps({"SamplingStatisticSummaries": stats}).encode())

    # A configuration file: groups whose filters and ARNs hold escape
    # sequences, and bad lines that do.
    cfg = [b"# hostile groups", b"[group hostile]",
           b'filter = annotation.k = "' + ESC + b']0;CFG-TITLE' + BEL + b'" OR service("' +
           "\u202e\u009b".encode() + b'\x9bx")',
           b"arn = arn:aws:xray:us-east-1:1:group/" + ESC + b"[2J" + b"\x9b" + b"\xc0\xaf",
           b"[group " + ESC + b"]0;BADNAME" + BEL + b"]", b"filter = fault",
           b"[group broken]", b'filter = annotation.k = "' + ESC + b'[2J',
           b"[group plain]", b"filter = fault = true", b"\x1b]0;JUNK\x07 = \x9b",
           b"[keys]", b"\x1b]0;KEY\x07 = quit", b"K = \x1b]0;ACTION\x07"]
    write(os.path.join(d, "config"), b"\n".join(cfg) + b"\n")
    write(os.path.join(d, "config-theme"), b"[ui]\ntheme = \x1b]0;THEME\x07\x9b\n")
    manifest["ansi_markers"] = ["PWNED", "BADLINE", "NOID", "LONE", "NEST", "CFG-TITLE", "BADNAME",
                                "JUNK", "KEY", "ACTION", "THEME", "TID", "AFTER-NUL"]
    with open(os.path.join(d, "manifest.json"), "w") as f:
        json.dump(manifest, f, ensure_ascii=True, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
