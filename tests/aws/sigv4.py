"""sigv4.py - verify AWS Signature Version 4 on a received HTTP request.

Standard library only.  Used by the fake X-Ray endpoint and the fake STS
endpoint (tests/aws/fake_xray.py, fake_creds.py) to check every request
the way AWS does: the credential scope (key, date, region, service), the
signed headers (host and x-amz-date always, content-type and
x-amz-security-token when present), the payload hash and the signature.
check_signer.py cross-checks this against botocore's signer.
"""

import datetime
import hashlib
import hmac
import re
import urllib.parse

AUTH_RE = re.compile(r"^AWS4-HMAC-SHA256 Credential=([^/,\s]+)/(\d{8})/([^/,\s]+)/([^/,\s]+)/aws4_request,"
                     r"\s*SignedHeaders=([a-z0-9\-;]+),\s*Signature=([0-9a-f]{64})$")


class SigError(Exception):
    """A request that AWS would refuse: code (the AWS error code) and message."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def _hmac(key, msg):
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def signing_key(secret, date, region, service):
    k = _hmac(("AWS4" + secret).encode("utf-8"), date)
    k = _hmac(k, region)
    k = _hmac(k, service)
    return _hmac(k, "aws4_request")


def canonical_query(query):
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    enc = [(urllib.parse.quote(k, safe="-_.~"), urllib.parse.quote(v, safe="-_.~")) for k, v in pairs]
    return "&".join("%s=%s" % kv for kv in sorted(enc))


def canonical_path(path):
    return urllib.parse.quote(urllib.parse.unquote(path), safe="/-_.~") or "/"


def header_value(headers, name):
    """headers: list of (name, value) as received."""
    vals = [v for (k, v) in headers if k.lower() == name]
    if not vals:
        return None
    return ",".join(" ".join(v.strip().split()) for v in vals)


def verify(method, target, headers, body, keys, region, service, now=None, skew=900):
    """Check one request.  headers: list of (name, value); body: bytes;
    keys: {access_key_id: secret or {"secret":..., "token":...}}.
    Returns the access key id; raises SigError like AWS would."""
    auth = header_value(headers, "authorization")
    if auth is None:
        raise SigError("MissingAuthenticationTokenException", "Missing Authentication Token")
    m = AUTH_RE.match(auth)
    if m is None:
        raise SigError("IncompleteSignatureException", "Authorization header is not AWS4-HMAC-SHA256")
    akid, date, reg, svc, signed, signature = m.groups()
    if akid not in keys:
        raise SigError("UnrecognizedClientException", "The security token included in the request is invalid.")
    entry = keys[akid]
    secret = entry["secret"] if isinstance(entry, dict) else entry
    token = entry.get("token") if isinstance(entry, dict) else None
    if reg != region or svc != service:
        raise SigError("InvalidSignatureException",
                       "Credential should be scoped to a valid region/service (%s/%s, not %s/%s)"
                       % (region, service, reg, svc))
    amzdate = header_value(headers, "x-amz-date")
    if amzdate is None or not re.match(r"^\d{8}T\d{6}Z$", amzdate):
        raise SigError("IncompleteSignatureException", "X-Amz-Date is missing or malformed")
    if amzdate[:8] != date:
        raise SigError("InvalidSignatureException", "Date in Credential scope does not match X-Amz-Date")
    when = datetime.datetime.strptime(amzdate, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    now = now or datetime.datetime.now(datetime.timezone.utc)
    if abs((now - when).total_seconds()) > skew:
        raise SigError("InvalidSignatureException", "Signature expired (clock skew)")
    names = signed.split(";")
    if names != sorted(names) or len(set(names)) != len(names):
        raise SigError("InvalidSignatureException", "SignedHeaders must be sorted and unique")
    for must in ("host", "x-amz-date"):
        if must not in names:
            raise SigError("InvalidSignatureException", "%s is not signed" % must)
    for cond in ("content-type", "x-amz-security-token"):
        if header_value(headers, cond) is not None and cond not in names:
            raise SigError("InvalidSignatureException", "%s is sent but not signed" % cond)
    sent_token = header_value(headers, "x-amz-security-token")
    if token is not None and sent_token != token:
        raise SigError("UnrecognizedClientException" if sent_token is None else "InvalidClientTokenId",
                       "The security token included in the request is invalid.")
    if token is None and sent_token is not None:
        raise SigError("UnrecognizedClientException", "Unexpected security token for long-term keys")
    canon_headers = ""
    for n in names:
        v = header_value(headers, n)
        if v is None:
            raise SigError("InvalidSignatureException", "signed header %s is missing" % n)
        canon_headers += "%s:%s\n" % (n, v)
    path, _, query = target.partition("?")
    creq = "\n".join([method, canonical_path(path), canonical_query(query), canon_headers, signed,
                      hashlib.sha256(body).hexdigest()])
    scope = "%s/%s/%s/aws4_request" % (date, reg, svc)
    sts = "\n".join(["AWS4-HMAC-SHA256", amzdate, scope, hashlib.sha256(creq.encode("utf-8")).hexdigest()])
    want = hmac.new(signing_key(secret, date, reg, svc), sts.encode("utf-8"), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, signature):
        raise SigError("InvalidSignatureException",
                       "The request signature we calculated does not match the signature you provided.")
    return akid
