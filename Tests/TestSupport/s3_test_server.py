#!/usr/bin/env python3
"""An S3 API server for the tests: moto in server mode on a free loopback port, with SigV4
signatures checked.

moto checks signatures only after its first INITIAL_NO_AUTH_ACTION_COUNT calls; those are spent
here creating an IAM user, a policy allowing S3 and an access key for it. Then it prints
`ACCESS_KEY_ID <id>`, `SECRET_ACCESS_KEY <secret>` and, last, `PORT <n>`, and serves until killed.
"""
import os
import signal
import sys

os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "4"
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

import boto3  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402

server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
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
