"""boto3 against Gatehouse: the transfer manager (multipart upload and
ranged parallel download), presigned GET, and a presigned POST form upload.
Run by TestBoto3S3 with GATEHOUSE_URL, AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY set; prints OK lines, exits non-zero on failure."""
import hashlib
import os
import sys
import tempfile
import urllib.request
import uuid

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

url = os.environ["GATEHOUSE_URL"]
s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                  config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"))
bucket = "boto-" + uuid.uuid4().hex[:8]
s3.create_bucket(Bucket=bucket)

tmp = tempfile.mkdtemp()
src = os.path.join(tmp, "src.bin")
with open(src, "wb") as f:
    f.write(os.urandom(24 * 1024 * 1024 + 123))
cfg = TransferConfig(multipart_threshold=8 * 1024 * 1024, multipart_chunksize=8 * 1024 * 1024, max_concurrency=4)
s3.upload_file(src, bucket, "big/src.bin", Config=cfg)
head = s3.head_object(Bucket=bucket, Key="big/src.bin")
assert head["ContentLength"] == 24 * 1024 * 1024 + 123, head
assert head["ETag"].endswith('-4"'), head["ETag"]
dst = os.path.join(tmp, "dst.bin")
s3.download_file(bucket, "big/src.bin", dst, Config=cfg)
digest = lambda p: hashlib.sha256(open(p, "rb").read()).hexdigest()
assert digest(src) == digest(dst), "download differs"
print("OK transfer manager")

small = os.path.join(tmp, "small.txt")
with open(small, "w") as f:
    f.write("small body")
s3.upload_file(small, bucket, "small.txt")
got = urllib.request.urlopen(s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "small.txt"}, ExpiresIn=300)).read()
assert got == b"small body", got
print("OK presigned GET")

post = s3.generate_presigned_post(bucket, "uploads/${filename}",
                                  Fields={"Content-Type": "text/plain"},
                                  Conditions=[["starts-with", "$key", "uploads/"], {"Content-Type": "text/plain"},
                                              ["content-length-range", 1, 1024]],
                                  ExpiresIn=300)
boundary = uuid.uuid4().hex
parts = []
for k, v in post["fields"].items():
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="note.txt"\r\nContent-Type: text/plain\r\n\r\n'.encode()
             + b"posted from a form" + f"\r\n--{boundary}--\r\n".encode())
req = urllib.request.Request(post["url"], data=b"".join(parts), method="POST",
                             headers={"Content-Type": "multipart/form-data; boundary=" + boundary})
resp = urllib.request.urlopen(req)
assert resp.status == 204, resp.status
obj = s3.get_object(Bucket=bucket, Key="uploads/note.txt")
assert obj["Body"].read() == b"posted from a form"
assert obj["ContentType"] == "text/plain", obj["ContentType"]
print("OK presigned POST")

# A form whose file breaks the policy's size range is refused.
parts[-1] = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n\r\n'.encode()
             + b"x" * 2048 + f"\r\n--{boundary}--\r\n".encode())
req = urllib.request.Request(post["url"], data=b"".join(parts), method="POST",
                             headers={"Content-Type": "multipart/form-data; boundary=" + boundary})
try:
    urllib.request.urlopen(req)
    sys.exit("oversized POST accepted")
except urllib.error.HTTPError as e:
    body = e.read().decode()
    assert e.code == 400 and "EntityTooLarge" in body, (e.code, body)
print("OK POST size limit")

paginator = s3.get_paginator("list_objects_v2")
keys = [o["Key"] for page in paginator.paginate(Bucket=bucket) for o in page.get("Contents", [])]
assert keys == ["big/src.bin", "small.txt", "uploads/note.txt"], keys
s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys]})
s3.delete_bucket(Bucket=bucket)
print("OK cleanup")
