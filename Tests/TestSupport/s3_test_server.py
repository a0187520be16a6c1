#!/usr/bin/env python3
"""An S3 API server for the tests: moto in server mode on a free loopback port, with SigV4
signatures checked.

moto checks signatures only after its first INITIAL_NO_AUTH_ACTION_COUNT calls; those are spent
here creating an IAM user, a policy allowing S3 and an access key for it. Then it prints
`ACCESS_KEY_ID <id>`, `SECRET_ACCESS_KEY <secret>` and, last, `PORT <n>`, and serves until killed.

With S3_TEST_FAIL_PARTS=N the first N UploadPart requests are answered `503 SlowDown` (as S3 does
under load) without reaching moto; `GET /__test/failed-parts` says how many were.
"""
import os
import signal
import sys
import threading

os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "4"
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

import boto3  # noqa: E402
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


class TestServer(ThreadedMotoServer):
    def _server_entry(self):
        app = FailingParts(DomainDispatcherApplication(create_backend_app), int(os.environ.get("S3_TEST_FAIL_PARTS", "0")))
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
print(f"ACCESS_KEY_ID {key['AccessKeyId']}")
print(f"SECRET_ACCESS_KEY {key['SecretAccessKey']}")
print(f"PORT {port}", flush=True)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
signal.pause()
