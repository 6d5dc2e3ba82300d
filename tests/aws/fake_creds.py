#!/usr/bin/env python3
"""fake_creds.py - loopback fakes of the AWS credential sources (stdlib only).

One server on a free loopback port (written to --port-file) plays:

  EC2 instance metadata, IMDSv2 only:
    PUT /latest/api/token  (needs X-aws-ec2-metadata-token-ttl-seconds)
    GET /latest/meta-data/iam/security-credentials/[ROLE]
    GET /latest/dynamic/instance-identity/document
    Every GET without a valid token is refused with 401, as an instance
    with IMDSv1 disabled does.
  ECS / EKS container credentials:
    GET /ecs/creds   (Authorization must equal --container-token when given;
    with --rotate every answer hands out a new key pair, ROTATED(n) for the
    n-th; after --max-issue answers, 403: the role can no longer be had)
  STS (query protocol, XML answers), signed with SigV4 (service sts):
    POST /  Action=AssumeRole (signature checked against --keys)
    POST /  Action=AssumeRoleWithWebIdentity (unsigned; token checked)
  SSO portal:
    GET /federation/credentials?role_name=R&account_id=A
        with x-amz-sso_bearer_token equal to --sso-token

Each source hands out its own key pair (listed in --issued, a JSON file the
test gives the fake X-Ray endpoint as its --keys), so the key that reaches
X-Ray tells which source was used.  Requests are logged (--log).
"""

import argparse
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sigv4  # noqa: E402

ISSUED = {
    "imds":      ("ASIAIMDS000000000001", "imds-secret-1", "imds-token-1"),
    "ecs":       ("ASIAECS0000000000001", "ecs-secret-1", "ecs-token-1"),
    "sts":       ("ASIASTS0000000000001", "sts-secret-1", "sts-token-1"),
    "web":       ("ASIAWEB0000000000001", "web-secret-1", "web-token-1"),
    "sso":       ("ASIASSO0000000000001", "sso-secret-1", "sso-token-1"),
}
ROLE = "xraytop-test-role"
IMDS_TOKEN = "imds-session-token-AQAEAFAKE"


def rotated(n):
    """The n-th key pair the container endpoint hands out with --rotate."""
    return ("ASIAECSROT%010d" % n, "ecs-rot-secret-%d" % n, "ecs-rot-token-%d" % n)


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body, ctype="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def record(self, what, status):
        st = self.server.state
        with st["lock"]:
            st["log"].write(json.dumps({"t": time.time(), "what": what, "path": self.path.split("?")[0],
                                        "method": self.command, "status": status}) + "\n")
            st["log"].flush()

    def creds_json(self, name, extra=None):
        akid, secret, token = ISSUED[name]
        st = self.server.state
        d = {"AccessKeyId": akid, "SecretAccessKey": secret, "Token": token,
             "Expiration": iso(time.time() + st["lifetime"])}
        d.update(extra or {})
        return json.dumps(d)

    def do_PUT(self):
        if self.path == "/latest/api/token":
            ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
            if ttl is None or not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
                self.record("imds-token", 400)
                return self.reply(400, "", "text/plain")
            self.record("imds-token", 200)
            return self.reply(200, IMDS_TOKEN, "text/plain")
        self.record("unknown", 404)
        self.reply(404, "")

    def do_GET(self):
        st = self.server.state
        path, _, query = self.path.partition("?")
        if path.startswith("/latest/"):
            if self.headers.get("X-aws-ec2-metadata-token") != IMDS_TOKEN:
                self.record("imds-v1-refused", 401)
                return self.reply(401, "", "text/plain")
            if path == "/latest/meta-data/iam/security-credentials/":
                self.record("imds-role", 200)
                return self.reply(200, ROLE + "\n", "text/plain")
            if path == "/latest/meta-data/iam/security-credentials/" + ROLE:
                self.record("imds-creds", 200)
                return self.reply(200, self.creds_json("imds", {"Code": "Success", "Type": "AWS-HMAC",
                                                                 "LastUpdated": iso(time.time())}))
            if path == "/latest/dynamic/instance-identity/document":
                self.record("imds-identity", 200)
                return self.reply(200, json.dumps({"region": st["imds_region"], "accountId": "123456789012",
                                                   "instanceId": "i-0fake", "availabilityZone":
                                                   st["imds_region"] + "a"}))
            self.record("imds-unknown", 404)
            return self.reply(404, "", "text/plain")
        if path == "/ecs/creds":
            want = st["container_token"]
            if want is not None and self.headers.get("Authorization") != want:
                self.record("ecs-refused", 401)
                return self.reply(401, json.dumps({"message": "bad token"}))
            if self.headers.get("Accept") != "application/json":
                self.record("ecs-no-accept", 400)
                return self.reply(400, "")
            with st["lock"]:
                st["issued"] += 1
                n = st["issued"]
            if st["max_issue"] and n > st["max_issue"]:
                self.record("ecs-exhausted", 403)
                return self.reply(403, json.dumps({"message": "the task role cannot be assumed any more"}))
            if st["rotate"]:
                akid, secret, token = rotated(n)
                self.record("ecs-rotated-%d" % n, 200)
                return self.reply(200, json.dumps({"AccessKeyId": akid, "SecretAccessKey": secret,
                                                   "Token": token, "RoleArn": "arn:aws:iam::123456789012:role/task",
                                                   "Expiration": iso(time.time() + st["lifetime"])}))
            self.record("ecs", 200)
            return self.reply(200, self.creds_json("ecs", {"RoleArn": "arn:aws:iam::123456789012:role/task"}))
        if path == "/federation/credentials":
            q = dict(urllib.parse.parse_qsl(query))
            if self.headers.get("x-amz-sso_bearer_token") != st["sso_token"]:
                self.record("sso-refused", 401)
                return self.reply(401, json.dumps({"message": "Session token not found or invalid"}))
            if q.get("role_name") != st["sso_role"] or q.get("account_id") != st["sso_account"]:
                self.record("sso-forbidden", 403)
                return self.reply(403, json.dumps({"message": "No access"}))
            akid, secret, token = ISSUED["sso"]
            self.record("sso", 200)
            return self.reply(200, json.dumps({"roleCredentials": {
                "accessKeyId": akid, "secretAccessKey": secret, "sessionToken": token,
                "expiration": int((time.time() + st["lifetime"]) * 1000)}}))
        self.record("unknown", 404)
        self.reply(404, "")

    def do_POST(self):
        st = self.server.state
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        form = dict(urllib.parse.parse_qsl(body.decode()))
        action = form.get("Action")
        if action == "AssumeRole":
            try:
                sigv4.verify("POST", self.path, list(self.headers.items()), body, st["keys"],
                             st["sts_region"], "sts")
            except sigv4.SigError as e:
                self.record("sts-refused:" + e.code, 403)
                return self.reply(403, "<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code>"
                                  "<Message>%s</Message></Error></ErrorResponse>" % (e.code, e.message),
                                  "text/xml")
            if form.get("RoleArn") != st["role_arn"] or not form.get("RoleSessionName"):
                self.record("sts-denied", 403)
                return self.reply(403, "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
                                  "<Message>not allowed to assume %s</Message></Error></ErrorResponse>"
                                  % form.get("RoleArn"), "text/xml")
            if st["external_id"] is not None and form.get("ExternalId") != st["external_id"]:
                self.record("sts-external-id", 403)
                return self.reply(403, "<ErrorResponse><Error><Code>AccessDenied</Code><Message>bad "
                                  "external id</Message></Error></ErrorResponse>", "text/xml")
            name = "sts"
        elif action == "AssumeRoleWithWebIdentity":
            if form.get("WebIdentityToken") != st["web_token"] or form.get("RoleArn") != st["role_arn"]:
                self.record("web-refused", 400)
                return self.reply(400, "<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>"
                                  "bad token</Message></Error></ErrorResponse>", "text/xml")
            name = "web"
        else:
            self.record("sts-unknown", 400)
            return self.reply(400, "<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>",
                              "text/xml")
        akid, secret, token = ISSUED[name]
        self.record(name, 200)
        xml = ("<%sResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><%sResult><Credentials>"
               "<AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey>"
               "<SessionToken>%s</SessionToken><Expiration>%s</Expiration></Credentials>"
               "</%sResult></%sResponse>" % (action, action, akid, secret, token,
                                             iso(time.time() + st["lifetime"]), action, action))
        self.reply(200, xml, "text/xml")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file")
    ap.add_argument("--log")
    ap.add_argument("--issued-only", help="write the issued key pairs to this file and exit")
    ap.add_argument("--issued", help="write the key pairs handed out here (for fake_xray --keys)")
    ap.add_argument("--keys", help="JSON keys the STS fake accepts for AssumeRole signatures")
    ap.add_argument("--sts-region", default="us-east-1")
    ap.add_argument("--role-arn", default="arn:aws:iam::123456789012:role/xraytop-reader")
    ap.add_argument("--external-id")
    ap.add_argument("--web-token", default="eyJ.fake-oidc-token.sig")
    ap.add_argument("--container-token")
    ap.add_argument("--sso-token", default="sso-access-token-FAKE")
    ap.add_argument("--sso-role", default="ReadOnly")
    ap.add_argument("--sso-account", default="123456789012")
    ap.add_argument("--imds-region", default="eu-west-3")
    ap.add_argument("--lifetime", type=float, default=3600)
    ap.add_argument("--rotate", action="store_true", help="a new container key pair every time")
    ap.add_argument("--max-issue", type=int, default=0, help="container: refuse after N answers")
    ap.add_argument("--exit-after", type=float, default=300)
    a = ap.parse_args()
    if a.issued_only:
        a.issued = a.issued_only
    if a.issued:
        with open(a.issued, "w") as f:
            keys = {akid: {"secret": sec, "token": tok} for akid, sec, tok in ISSUED.values()}
            if a.rotate:
                keys.update({akid: {"secret": sec, "token": tok} for akid, sec, tok in
                             (rotated(n) for n in range(1, 41))})
            json.dump(keys, f)
    if a.issued_only:
        return
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.state = {"lock": threading.Lock(), "log": open(a.log, "a"),
                 "keys": json.load(open(a.keys)) if a.keys else {}, "sts_region": a.sts_region,
                 "role_arn": a.role_arn, "external_id": a.external_id, "web_token": a.web_token,
                 "container_token": a.container_token, "sso_token": a.sso_token, "sso_role": a.sso_role,
                 "sso_account": a.sso_account, "imds_region": a.imds_region, "lifetime": a.lifetime,
                 "rotate": a.rotate, "max_issue": a.max_issue, "issued": 0}
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, a.port_file)
    t = threading.Timer(a.exit_after, srv.shutdown)
    t.daemon = True
    t.start()
    srv.serve_forever()


if __name__ == "__main__":
    main()
