#!/usr/bin/env python3
"""check_signer.py - cross-check sigv4.py (the fakes' verifier) with botocore's signer.

Requests signed by botocore.auth.SigV4Auth, as the AWS CLI signs them, must
be accepted; the same requests with the body, a signed header, the date,
the region, the service, the secret or the session token changed must be
refused.  Prints TAP.
"""
import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sigv4  # noqa: E402

from botocore.auth import SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

n = 0
failed = 0


def result(good, desc):
    global n, failed
    n += 1
    if not good:
        failed += 1
    print("%s %d - %s" % ("ok" if good else "not ok", n, desc))


def signed(body, token=None, region="us-east-1", service="xray", secret="s3cr3t/KEY+x",
           url="http://127.0.0.1:4567/TraceSummaries", extra=None):
    req = AWSRequest(method="POST", url=url, data=body,
                     headers={"Content-Type": "application/json", **(extra or {})})
    SigV4Auth(Credentials("AKIDCHECK", secret, token), service, region).add_auth(req)
    p = req.prepare()
    headers = [(k, v) for k, v in p.headers.items()]
    host = "127.0.0.1:4567"
    if not any(k.lower() == "host" for k, _ in headers):
        headers.append(("Host", host))
    return p.method, url.split("4567", 1)[1] or "/", headers, p.body or b""


def accepts(method, target, headers, body, keys, region="us-east-1", service="xray"):
    try:
        sigv4.verify(method, target, headers, body if isinstance(body, bytes) else body.encode(), keys,
                     region, service)
        return True, ""
    except sigv4.SigError as e:
        return False, e.code


keys = {"AKIDCHECK": "s3cr3t/KEY+x"}
tkeys = {"AKIDCHECK": {"secret": "s3cr3t/KEY+x", "token": "T0KEN/abc=="}}
bodies = [b"{}", b'{"StartTime":1795467647,"EndTime":1795468257}',
          '{"FilterExpression":"service(\\"caf\u00e9\\") AND responsetime > 1"}'.encode(),
          b'{"TraceIds":["1-5759e988-bd862e3fe1be46a994272793"]}', b""]
for b in bodies:
    m, t, h, body = signed(b)
    ok, why = accepts(m, t, h, body, keys)
    result(ok, "botocore-signed request with body %r is accepted %s" % (b[:30], why))
    m, t, h, body = signed(b, token="T0KEN/abc==")
    ok, why = accepts(m, t, h, body, tkeys)
    result(ok, "... and with a session token %s" % why)

m, t, h, body = signed(b"{}")
result(not accepts(m, t, h, b'{"x":1}', keys)[0], "a changed body is refused")
h2 = [(k, v + "x" if k.lower() == "content-type" else v) for k, v in h]
result(not accepts(m, t, h2, body, keys)[0], "a changed signed header is refused")
h3 = [(k, "20200101T000000Z" if k.lower() == "x-amz-date" else v) for k, v in h]
result(not accepts(m, t, h3, body, keys)[0], "a changed date is refused")
result(not accepts(m, t, h, body, keys, region="eu-west-1")[0], "another region is refused")
result(not accepts(m, t, h, body, keys, service="sts")[0], "another service is refused")
result(not accepts(m, t, h, body, {"AKIDCHECK": "other"})[0], "another secret is refused")
result(accepts(m, t, h, body, {"OTHER": "x"})[1] == "UnrecognizedClientException", "an unknown key is refused as such")
m, t, h, body = signed(b"{}", token="T0KEN/abc==")
h4 = [(k, "OTHER" if k.lower() == "x-amz-security-token" else v) for k, v in h]
result(not accepts(m, t, h4, body, tkeys)[0], "another session token is refused")
h5 = [(k, v) for k, v in h if k.lower() != "x-amz-security-token"]
result(not accepts(m, t, h5, body, tkeys)[0], "a missing session token is refused")
m, t, h, body = signed(b"{}", url="http://127.0.0.1:4567/Traces")
result(not accepts(m, "/TraceSummaries", h, body, keys)[0], "another path is refused")
old = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=20)
try:
    sigv4.verify(m, t, h, body, keys, "us-east-1", "xray", now=old)
    result(False, "a signature 20 minutes old is refused")
except sigv4.SigError:
    result(True, "a signature 20 minutes old is refused")
m, t, h, body = signed(b"Action=AssumeRole&Version=2011-06-15", service="sts", url="http://127.0.0.1:4567/",
                       extra={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
result(accepts(m, t, h, body, keys, service="sts")[0], "an STS form request signed by botocore is accepted")
print("1..%d" % n)
sys.exit(1 if failed else 0)
