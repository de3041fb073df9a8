"""boto3 against Gatehouse's S3 versioning: put_bucket_versioning, versions
and delete markers through list_object_versions and its paginator,
get_object by VersionId, a delete marker and its removal. Run by
TestBoto3S3Versions with GATEHOUSE_URL, AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY set; prints OK lines, exits non-zero on failure."""
import os
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

url = os.environ["GATEHOUSE_URL"]
s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                  config=Config(s3={"addressing_style": "path"}, signature_version="s3v4",
                                # One attempt: a request that stalls fails the script
                                # rather than being retried on a new connection.
                                read_timeout=30, retries={"max_attempts": 1}))
bucket = "boto-v-" + uuid.uuid4().hex[:8]
s3.create_bucket(Bucket=bucket)
assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
print("OK versioning")

ids = []
for i in range(3):
    ids.append(s3.put_object(Bucket=bucket, Key="doc.txt", Body=b"rev %d" % i)["VersionId"])
assert len(set(ids)) == 3 and all(len(v) == 32 for v in ids), ids
assert s3.get_object(Bucket=bucket, Key="doc.txt")["Body"].read() == b"rev 2"
first = s3.get_object(Bucket=bucket, Key="doc.txt", VersionId=ids[0])
assert first["Body"].read() == b"rev 0" and first["VersionId"] == ids[0], first
listed = s3.list_object_versions(Bucket=bucket)
got = [(v["VersionId"], v["IsLatest"]) for v in listed["Versions"]]
assert got == [(ids[2], True), (ids[1], False), (ids[0], False)], got
print("OK versions")

for i in range(5):
    # The first body is empty: boto3 sends "Expect: 100-continue" and, when
    # no interim answer came, read the wrong response on its next request.
    s3.put_object(Bucket=bucket, Key="many/%d" % (i % 2), Body=b"x" * i)
pages = list(s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix="many/", PaginationConfig={"PageSize": 2}))
versions = [v for p in pages for v in p.get("Versions", [])]
assert len(pages) == 3 and len(versions) == 5, (len(pages), len(versions))
assert [v["Key"] for v in versions] == ["many/0"] * 3 + ["many/1"] * 2, versions
assert [v["IsLatest"] for v in versions] == [True, False, False, True, False]
print("OK paginator")

marker = s3.delete_object(Bucket=bucket, Key="doc.txt")
assert marker["DeleteMarker"] is True and len(marker["VersionId"]) == 32, marker
try:
    s3.get_object(Bucket=bucket, Key="doc.txt")
    raise SystemExit("GET under a delete marker succeeded")
except ClientError as e:
    assert e.response["Error"]["Code"] == "NoSuchKey", e.response
    assert e.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true", e.response
markers = s3.list_object_versions(Bucket=bucket, Prefix="doc.txt")["DeleteMarkers"]
assert [(m["VersionId"], m["IsLatest"]) for m in markers] == [(marker["VersionId"], True)], markers
s3.delete_object(Bucket=bucket, Key="doc.txt", VersionId=marker["VersionId"])
assert s3.get_object(Bucket=bucket, Key="doc.txt")["Body"].read() == b"rev 2"
print("OK delete marker")

# Empty the bucket: every version and marker, then the bucket itself.
try:
    s3.delete_bucket(Bucket=bucket)
    raise SystemExit("deleted a bucket holding versions")
except ClientError as e:
    assert e.response["Error"]["Code"] == "BucketNotEmpty", e.response
for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
    objs = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
    if objs:
        res = s3.delete_objects(Bucket=bucket, Delete={"Objects": objs})
        assert not res.get("Errors") and len(res["Deleted"]) == len(objs), res
s3.delete_bucket(Bucket=bucket)
print("OK cleanup")
