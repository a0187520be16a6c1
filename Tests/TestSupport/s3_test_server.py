#!/usr/bin/env python3
"""An S3 API server for the tests: moto in server mode on a free loopback port, with SigV4
signatures checked.

moto checks signatures only after its first INITIAL_NO_AUTH_ACTION_COUNT calls; those are spent
here creating an IAM user, a policy allowing S3 and an access key for it. Then it prints
`ACCESS_KEY_ID <id>`, `SECRET_ACCESS_KEY <secret>` and, last, `PORT <n>`, and serves until killed.

With S3_TEST_FAIL_PARTS=N the first N UploadPart requests are answered `503 SlowDown` (as S3 does
under load) without reaching moto; `GET /__test/failed-parts` says how many were.

moto's own check canonicalises a query value's `/` unencoded, so it accepts a query signed that
way and refuses one signed as SigV4 specifies (`%2F`); real S3 servers do the opposite. So once the
test user exists, moto's check is switched off and every request is checked here instead against a signature computed independently from
the AWS SigV4 specification ("Create a canonical request": each query name and value decoded, then
percent-encoded with only RFC 3986 unreserved characters left as they are, `/` included, and
sorted); a mismatch is answered `403 SignatureDoesNotMatch`, as S3 answers it.
`GET /__test/signature-failures` says how many were.

`GET /__test/get-bytes` gives, as JSON, the body bytes of the GET responses sent so far by object
path (`/bucket/key`), so that a test can tell how much of an object a reader fetched.
"""
import hashlib
import hmac
import json
import os
import re
import signal
import sys
import threading
from urllib.parse import parse_qsl, quote, unquote

os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "4"
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

import boto3  # noqa: E402
import moto.settings  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402


class FailingParts:
    """WSGI middleware: 503 SlowDown for the first `count` UploadPart requests."""

    def __init__(self, app, count):
        self.app, self.left, self.failed, self.lock = app, count, 0, threading.Lock()

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == "/__test/failed-parts":
            body = str(self.failed).encode()
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
            return [body]
        if environ["REQUEST_METHOD"] == "PUT" and "partNumber=" in environ.get("QUERY_STRING", ""):
            with self.lock:
                fail = self.left > 0
                if fail:
                    self.left -= 1
                    self.failed += 1
            if fail:
                environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
                body = b"<?xml version='1.0' encoding='UTF-8'?><Error><Code>SlowDown</Code><Message>injected</Message></Error>"
                start_response("503 Service Unavailable", [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
                return [body]
        return self.app(environ, start_response)


class CountingGets:
    """WSGI middleware: counts the body bytes of GET responses, by path."""

    def __init__(self, app):
        self.app, self.sent, self.lock = app, {}, threading.Lock()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/__test/get-bytes":
            with self.lock:
                body = json.dumps(self.sent).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        if environ["REQUEST_METHOD"] != "GET":
            return self.app(environ, start_response)
        return self.counted(path, self.app(environ, start_response))

    def counted(self, path, chunks):
        try:
            for chunk in chunks:
                with self.lock:
                    self.sent[path] = self.sent.get(path, 0) + len(chunk)
                yield chunk
        finally:
            if hasattr(chunks, "close"):
                chunks.close()


def _uri_encode(text, keep_slash):
    return quote(text, safe="-_.~" + ("/" if keep_slash else ""))


def canonical_request(environ, signed_headers, payload_hash):
    """The canonical request of AWS SigV4 for S3, from the request as received."""
    path = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ["PATH_INFO"]
    path = path.split("?", 1)[0]
    # S3 does not normalise the path: its segments are encoded once, from their decoded text.
    canonical_uri = _uri_encode(unquote(path), keep_slash=True) or "/"
    pairs = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    canonical_query = "&".join(
        f"{k}={v}" for k, v in sorted((_uri_encode(k, False), _uri_encode(v, False)) for k, v in pairs))
    def header(name):
        key = {"content-type": "CONTENT_TYPE", "content-length": "CONTENT_LENGTH"}.get(
            name, "HTTP_" + name.upper().replace("-", "_"))
        return " ".join(str(environ.get(key, "")).split())
    headers = "".join(f"{name}:{header(name)}\n" for name in signed_headers)
    return "\n".join([environ["REQUEST_METHOD"], canonical_uri, canonical_query, headers,
                      ";".join(signed_headers), payload_hash])


def expected_signature(environ, secret, credential_scope, signed_headers):
    date, region, service, _ = credential_scope.split("/")
    request = canonical_request(environ, signed_headers, environ.get("HTTP_X_AMZ_CONTENT_SHA256", ""))
    to_sign = "\n".join(["AWS4-HMAC-SHA256", environ.get("HTTP_X_AMZ_DATE", ""), credential_scope,
                         hashlib.sha256(request.encode()).hexdigest()])
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


class StrictSignatures:
    """WSGI middleware: SigV4 checked from the specification, before moto sees the request."""

    credentials = {}  # access key id -> secret, filled in once the test user exists

    def __init__(self, app):
        self.app, self.failures, self.lock = app, 0, threading.Lock()

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == "/__test/signature-failures":
            body = str(self.failures).encode()
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
            return [body]
        if not self.credentials:
            return self.app(environ, start_response)  # still setting up the test user
        fields = re.match(r"AWS4-HMAC-SHA256 Credential=([^/,]+)/([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)",
                          environ.get("HTTP_AUTHORIZATION", ""))
        if not fields or fields.group(1) not in self.credentials:
            return self.refuse(environ, start_response, b"InvalidAccessKeyId",
                               b"The AWS Access Key Id you provided does not exist in our records.")
        key_id, scope, signed, signature = fields.groups()
        wanted = expected_signature(environ, self.credentials[key_id], scope, signed.split(";"))
        if not hmac.compare_digest(wanted, signature):
            with self.lock:
                self.failures += 1
            return self.refuse(environ, start_response, b"SignatureDoesNotMatch",
                               b"The request signature we calculated does not match the signature you provided.")
        return self.app(environ, start_response)

    @staticmethod
    def refuse(environ, start_response, code, message):
        environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        body = b"<?xml version='1.0' encoding='UTF-8'?><Error><Code>" + code + b"</Code><Message>" + message + b"</Message></Error>"
        start_response("403 Forbidden", [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
        return [body]


class TestServer(ThreadedMotoServer):
    def _server_entry(self):
        app = CountingGets(FailingParts(StrictSignatures(DomainDispatcherApplication(create_backend_app)),
                                        int(os.environ.get("S3_TEST_FAIL_PARTS", "0"))))
        self._server = make_server(self._ip_address, self._port, app, True)
        self._server_ready_event.set()
        self._server.serve_forever()


server = TestServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
host, port = server.get_host_and_port()
endpoint = f"http://127.0.0.1:{port}"
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
iam.create_user(UserName="qdrant-backup-test")
policy = iam.create_policy(PolicyName="s3-all", PolicyDocument="""{"Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}""")
iam.attach_user_policy(UserName="qdrant-backup-test", PolicyArn=policy["Policy"]["Arn"])
key = iam.create_access_key(UserName="qdrant-backup-test")["AccessKey"]
# From here on this file checks every signature, and moto none: moto 5.2 canonicalises a query
# value's "/" unencoded, refusing what S3 accepts (ListObjectsV2 with prefix=a%2F) and accepting
# what S3 refuses.
moto.settings.INITIAL_NO_AUTH_ACTION_COUNT = float("inf")
StrictSignatures.credentials[key["AccessKeyId"]] = key["SecretAccessKey"]
print(f"ACCESS_KEY_ID {key['AccessKeyId']}")
print(f"SECRET_ACCESS_KEY {key['SecretAccessKey']}")
print(f"PORT {port}", flush=True)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
signal.pause()
