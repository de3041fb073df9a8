"""boto3 against Gatehouse, the S3 behaviours clients call beyond the core:
conditional writes and deletes, partNumber reads, GetObjectAttributes,
ListBuckets paging, the SSE-C refusal, and Signature Version 2 (header-signed
requests, presigned URLs with metadata, presigned POST forms) with botocore's
own "s3" signer. Run by TestBoto3S3Fidelity with GATEHOUSE_URL,
AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set; prints OK lines, exits
non-zero on failure."""
import os
import urllib.error
import urllib.request
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

url = os.environ["GATEHOUSE_URL"]


def client(sig):
    return boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                        config=Config(s3={"addressing_style": "path"}, signature_version=sig))


s3 = client("s3v4")


def fails(code, status, fn, **kw):
    try:
        fn(**kw)
    except ClientError as e:
        got = (e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])
        assert got == (code, status), (got, e.response["Error"])
        return e.response["Error"]
    raise AssertionError(f"{fn.__name__} succeeded, want {code}")


prefix = "fid-" + uuid.uuid4().hex[:6]
bucket = prefix + "-main"
s3.create_bucket(Bucket=bucket)

# Conditional writes: create-only, replace-only-that-ETag, and deletes.
first = s3.put_object(Bucket=bucket, Key="lock", Body=b"one", IfNoneMatch="*")
fails("PreconditionFailed", 412, s3.put_object, Bucket=bucket, Key="lock", Body=b"two", IfNoneMatch="*")
fails("PreconditionFailed", 412, s3.put_object, Bucket=bucket, Key="lock", Body=b"two", IfMatch='"0123456789abcdef0123456789abcdef"')
second = s3.put_object(Bucket=bucket, Key="lock", Body=b"two", IfMatch=first["ETag"])
fails("NoSuchKey", 404, s3.put_object, Bucket=bucket, Key="nothing", Body=b"x", IfMatch="*")
up = s3.create_multipart_upload(Bucket=bucket, Key="lock")
part = s3.upload_part(Bucket=bucket, Key="lock", UploadId=up["UploadId"], PartNumber=1, Body=b"multipart")
parts = {"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]}
fails("PreconditionFailed", 412, s3.complete_multipart_upload, Bucket=bucket, Key="lock", UploadId=up["UploadId"],
      MultipartUpload=parts, IfNoneMatch="*")
done = s3.complete_multipart_upload(Bucket=bucket, Key="lock", UploadId=up["UploadId"], MultipartUpload=parts, IfMatch=second["ETag"])
again = s3.complete_multipart_upload(Bucket=bucket, Key="lock", UploadId=up["UploadId"], MultipartUpload=parts)
assert again["ETag"] == done["ETag"], (again, done)
fails("PreconditionFailed", 412, s3.delete_object, Bucket=bucket, Key="lock", IfMatch=first["ETag"])
s3.delete_object(Bucket=bucket, Key="lock", IfMatch=done["ETag"])
fails("404", 404, s3.head_object, Bucket=bucket, Key="lock")
print("OK conditional writes")

# partNumber: a part of a multipart object, and part 1 of a simple one.
up = s3.create_multipart_upload(Bucket=bucket, Key="parts", ChecksumAlgorithm="CRC32")
p1, p2 = os.urandom(5 * 1024 * 1024), b"tail of the object"
e1 = s3.upload_part(Bucket=bucket, Key="parts", UploadId=up["UploadId"], PartNumber=1, Body=p1, ChecksumAlgorithm="CRC32")
e2 = s3.upload_part(Bucket=bucket, Key="parts", UploadId=up["UploadId"], PartNumber=2, Body=p2, ChecksumAlgorithm="CRC32")
s3.complete_multipart_upload(Bucket=bucket, Key="parts", UploadId=up["UploadId"], MultipartUpload={"Parts": [
    {"PartNumber": 1, "ETag": e1["ETag"], "ChecksumCRC32": e1["ChecksumCRC32"]},
    {"PartNumber": 2, "ETag": e2["ETag"], "ChecksumCRC32": e2["ChecksumCRC32"]}]})
g = s3.get_object(Bucket=bucket, Key="parts", PartNumber=2)
assert g["ResponseMetadata"]["HTTPStatusCode"] == 206 and g["Body"].read() == p2 and g["PartsCount"] == 2, g
total = len(p1) + len(p2)
assert g["ContentRange"] == f"bytes {len(p1)}-{total - 1}/{total}", g["ContentRange"]
s3.put_object(Bucket=bucket, Key="simple", Body=b"0123456789")
g = s3.get_object(Bucket=bucket, Key="simple", PartNumber=1)
assert g["ResponseMetadata"]["HTTPStatusCode"] == 206 and g["ContentRange"] == "bytes 0-9/10" and g["Body"].read() == b"0123456789", g
fails("InvalidPartNumber", 416, s3.get_object, Bucket=bucket, Key="simple", PartNumber=2)
print("OK partNumber")

# GetObjectAttributes.
a = s3.get_object_attributes(Bucket=bucket, Key="parts", ObjectAttributes=["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"],
                             MaxParts=1)
assert a["ObjectSize"] == total and a["StorageClass"] == "STANDARD" and not a["ETag"].startswith('"'), a
assert a["ObjectParts"]["TotalPartsCount"] == 2 and a["ObjectParts"]["IsTruncated"] is True, a["ObjectParts"]
assert a["ObjectParts"]["Parts"] == [{"PartNumber": 1, "Size": len(p1), "ChecksumCRC32": e1["ChecksumCRC32"]}], a["ObjectParts"]
assert a["Checksum"]["ChecksumType"] == "COMPOSITE", a["Checksum"]
fails("InvalidArgument", 400, s3.get_object_attributes, Bucket=bucket, Key="parts", ObjectAttributes=["Size"])
print("OK GetObjectAttributes")

# ListBuckets paging.
for i in range(3):
    s3.create_bucket(Bucket=f"{prefix}-page-{i}")
names = []
pages = 0
for page in s3.get_paginator("list_buckets").paginate(Prefix=prefix + "-page-", PaginationConfig={"PageSize": 2}):
    pages += 1
    assert page["Prefix"] == prefix + "-page-", page
    names += [b["Name"] for b in page["Buckets"]]
assert pages == 2 and names == [f"{prefix}-page-{i}" for i in range(3)], (pages, names)
one = s3.list_buckets(MaxBuckets=1, Prefix=prefix)
assert len(one["Buckets"]) == 1 and one["ContinuationToken"], one
print("OK ListBuckets paging")

# SSE-C is refused, never stored unencrypted.
key = b"0123456789abcdef0123456789abcdef"
err = fails("NotImplemented", 501, s3.put_object, Bucket=bucket, Key="secret", Body=b"x", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
assert "SSE-C" in err["Message"], err
fails("404", 404, s3.head_object, Bucket=bucket, Key="secret")
fails("NotImplemented", 501, s3.get_object, Bucket=bucket, Key="simple", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
print("OK SSE-C refused")

# Signature Version 2, with botocore's own signer.
v2 = client("s3")
v2.put_object(Bucket=bucket, Key="v2/header.txt", Body=b"signed with v2", Metadata={"tool": "old"})
h = v2.head_object(Bucket=bucket, Key="v2/header.txt")
assert h["Metadata"] == {"tool": "old"}, h
assert v2.get_object(Bucket=bucket, Key="v2/header.txt")["Body"].read() == b"signed with v2"
assert [o["Key"] for o in v2.list_objects(Bucket=bucket, Prefix="v2/")["Contents"]] == ["v2/header.txt"]
presigned = v2.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "v2/presigned.txt", "Metadata": {"color": "blue"}},
                                      ExpiresIn=300)
assert "x-amz-meta-color=blue" in presigned, presigned
# (urllib would add a form Content-Type the URL did not sign)
urllib.request.urlopen(urllib.request.Request(presigned, data=b"presigned body", method="PUT", headers={"Content-Type": ""}))
assert s3.head_object(Bucket=bucket, Key="v2/presigned.txt")["Metadata"] == {"color": "blue"}
post = v2.generate_presigned_post(bucket, "v2/form.txt", ExpiresIn=300)
assert "AWSAccessKeyId" in post["fields"] and "signature" in post["fields"], post["fields"]
boundary = uuid.uuid4().hex
body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in post["fields"].items())
body += f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="f.txt"\r\n\r\n'.encode() + b"form body" + f"\r\n--{boundary}--\r\n".encode()
resp = urllib.request.urlopen(urllib.request.Request(post["url"], data=body, method="POST",
                                                     headers={"Content-Type": "multipart/form-data; boundary=" + boundary}))
assert resp.status == 204, resp.status
assert s3.get_object(Bucket=bucket, Key="v2/form.txt")["Body"].read() == b"form body"
bad = client("s3")
bad._request_signer._credentials = bad._request_signer._credentials.__class__(os.environ["AWS_ACCESS_KEY_ID"], "wrong-secret")
fails("SignatureDoesNotMatch", 403, bad.get_object, Bucket=bucket, Key="v2/header.txt")
print("OK Signature Version 2")

# Cleanup.
for b in [bucket] + [f"{prefix}-page-{i}" for i in range(3)]:
    for o in s3.list_objects_v2(Bucket=b).get("Contents", []):
        s3.delete_object(Bucket=b, Key=o["Key"])
    s3.delete_bucket(Bucket=b)
print("OK cleanup")
