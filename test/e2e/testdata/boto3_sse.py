"""boto3 against Gatehouse's encryption at rest, over HTTPS: SSE-S3 (the
default) and SSE-KMS with the account's aws/s3 key in replies, a named KMS
key refused, SSE-C round trips (PUT, unaligned ranges, HEAD, the refusals
without or with another key), an SSE-C source copied to SSE-S3, an SSE-C
multipart upload through s3transfer, and bucket default encryption. Run by
TestBoto3ServerSideEncryption with GATEHOUSE_URL, AWS_CA_BUNDLE,
AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set; prints OK lines, exits
non-zero on failure."""
import io
import os

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

url = os.environ["GATEHOUSE_URL"]
s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1", config=Config(s3={"addressing_style": "path"}))
bucket = "sse-boto3"


def error(fn, **kw):
    try:
        fn(**kw)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    raise AssertionError("%s succeeded" % fn.__name__)


s3.create_bucket(Bucket=bucket)
# A body that is not a multiple of the 64 KiB chunk, with a pattern that
# makes misplaced bytes visible.
body = bytes((i * 7 + i // 65536) % 251 for i in range(3 * 65536 + 12345))

# SSE-S3 by default, and asked for.
r = s3.put_object(Bucket=bucket, Key="default", Body=body)
assert r["ServerSideEncryption"] == "AES256", r
h = s3.head_object(Bucket=bucket, Key="default")
assert h["ServerSideEncryption"] == "AES256" and h["ContentLength"] == len(body), h
for lo, hi in [(0, 0), (65535, 65536), (70000, 140000), (len(body) - 10, len(body) - 1)]:
    g = s3.get_object(Bucket=bucket, Key="default", Range="bytes=%d-%d" % (lo, hi))
    assert g["Body"].read() == body[lo:hi + 1] and g["ServerSideEncryption"] == "AES256", (lo, hi)
print("OK SSE-S3")

# SSE-KMS with the account's aws/s3 key; a named key is refused.
r = s3.put_object(Bucket=bucket, Key="kms", Body=b"kms body", ServerSideEncryption="aws:kms")
assert r["ServerSideEncryption"] == "aws:kms" and r["SSEKMSKeyId"].startswith("arn:aws:kms:us-east-1:"), r
h = s3.head_object(Bucket=bucket, Key="kms")
assert h["SSEKMSKeyId"] == r["SSEKMSKeyId"], h
assert s3.get_object(Bucket=bucket, Key="kms")["Body"].read() == b"kms body"
assert error(s3.put_object, Bucket=bucket, Key="named", Body=b"x", ServerSideEncryption="aws:kms",
             SSEKMSKeyId="arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000") == ("KMS.NotFoundException", 400)
print("OK SSE-KMS")

# SSE-C: boto3 sends the key and computes its MD5.
key = os.urandom(32)
ssec = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": key}
r = s3.put_object(Bucket=bucket, Key="ssec", Body=body, **ssec)
assert r["SSECustomerAlgorithm"] == "AES256" and "SSECustomerKeyMD5" in r, r
g = s3.get_object(Bucket=bucket, Key="ssec", Range="bytes=65530-131080", **ssec)
assert g["Body"].read() == body[65530:131081]
assert s3.get_object(Bucket=bucket, Key="ssec", **ssec)["Body"].read() == body
assert s3.head_object(Bucket=bucket, Key="ssec", **ssec)["ContentLength"] == len(body)
assert error(s3.get_object, Bucket=bucket, Key="ssec") == ("InvalidRequest", 400)
assert error(s3.get_object, Bucket=bucket, Key="ssec", SSECustomerAlgorithm="AES256", SSECustomerKey=os.urandom(32)) == ("AccessDenied", 403)
print("OK SSE-C round trip and refusals")

# An SSE-C source copied to an SSE-S3 destination.
r = s3.copy_object(Bucket=bucket, Key="copied", CopySource={"Bucket": bucket, "Key": "ssec"},
                   CopySourceSSECustomerAlgorithm="AES256", CopySourceSSECustomerKey=key)
assert s3.get_object(Bucket=bucket, Key="copied")["Body"].read() == body
assert error(s3.copy_object, Bucket=bucket, Key="copied2", CopySource={"Bucket": bucket, "Key": "ssec"})[1] == 400
print("OK SSE-C copy")

# An SSE-C multipart upload through s3transfer (three parts).
big = os.urandom(5 * 1024 * 1024 * 2 + 4321)
cfg = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
s3.upload_fileobj(io.BytesIO(big), bucket, "ssec-multipart", ExtraArgs=ssec, Config=cfg)
out = io.BytesIO()
s3.download_fileobj(bucket, "ssec-multipart", out, ExtraArgs=ssec, Config=cfg)
assert out.getvalue() == big
h = s3.head_object(Bucket=bucket, Key="ssec-multipart", **ssec)
assert h["ETag"].endswith('-3"') and h["SSECustomerAlgorithm"] == "AES256", h
print("OK SSE-C multipart")

# Bucket default encryption.
s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
    "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BucketKeyEnabled": True}]})
rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms", rule
r = s3.put_object(Bucket=bucket, Key="by-default", Body=b"x")
assert r["ServerSideEncryption"] == "aws:kms" and r.get("BucketKeyEnabled") is True, r
s3.delete_bucket_encryption(Bucket=bucket)
r = s3.put_object(Bucket=bucket, Key="after-delete", Body=b"x")
assert r["ServerSideEncryption"] == "AES256", r
print("OK bucket default encryption")

for k in ["default", "kms", "ssec", "copied", "ssec-multipart", "by-default", "after-delete"]:
    s3.delete_object(Bucket=bucket, Key=k)
s3.delete_bucket(Bucket=bucket)
print("OK cleanup")
