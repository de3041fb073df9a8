"""boto3 against Gatehouse, ACLs and Object Ownership: ownership controls,
a public-read object read anonymously, get_object_acl with canonical ids,
put_bucket_acl with an AccessControlPolicy, and the refusal on a bucket left
BucketOwnerEnforced. Run by TestBoto3ACL with GATEHOUSE_URL,
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
s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1", config=Config(s3={"addressing_style": "path"}))
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"

bucket = "acl-" + uuid.uuid4().hex[:8]
enforced = bucket + "-enforced"
s3.create_bucket(Bucket=bucket, ObjectOwnership="BucketOwnerPreferred")
s3.create_bucket(Bucket=enforced)
rules = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
assert rules == [{"ObjectOwnership": "BucketOwnerPreferred"}], rules
rules = s3.get_bucket_ownership_controls(Bucket=enforced)["OwnershipControls"]["Rules"]
assert rules == [{"ObjectOwnership": "BucketOwnerEnforced"}], rules
print("OK ownership controls")

me = s3.list_buckets()["Owner"]
assert len(me["ID"]) == 64 and "DisplayName" not in me, me
s3.put_object(Bucket=bucket, Key="pub.txt", Body=b"public bytes", ACL="public-read")
with urllib.request.urlopen(f"{url}/{bucket}/pub.txt") as r:
    assert r.read() == b"public bytes"
s3.put_object(Bucket=bucket, Key="priv.txt", Body=b"private")
try:
    urllib.request.urlopen(f"{url}/{bucket}/priv.txt")
    raise SystemExit("anonymous GET of a private object succeeded")
except urllib.error.HTTPError as e:
    assert e.code == 403, e.code
print("OK anonymous read by ACL")

acl = s3.get_object_acl(Bucket=bucket, Key="pub.txt")
assert acl["Owner"] == {"ID": me["ID"]}, acl["Owner"]
assert acl["Grants"] == [
    {"Grantee": {"ID": me["ID"], "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"},
    {"Grantee": {"URI": ALL_USERS, "Type": "Group"}, "Permission": "READ"},
], acl["Grants"]
print("OK get_object_acl")

s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy={"Owner": {"ID": me["ID"]}, "Grants": [
    {"Grantee": {"ID": me["ID"], "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"},
    {"Grantee": {"URI": ALL_USERS, "Type": "Group"}, "Permission": "READ"}]})
with urllib.request.urlopen(f"{url}/{bucket}?list-type=2") as r:
    assert b"<Key>pub.txt</Key>" in r.read()
try:
    s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy={"Owner": {"ID": "0" * 64}, "Grants": []})
    raise SystemExit("put_bucket_acl with another Owner succeeded")
except ClientError as e:
    assert e.response["Error"]["Code"] == "AccessDenied", e.response
print("OK put_bucket_acl")

try:
    s3.put_object(Bucket=enforced, Key="x", Body=b"x", ACL="public-read")
    raise SystemExit("public-read on a BucketOwnerEnforced bucket succeeded")
except ClientError as e:
    assert e.response["Error"]["Code"] == "AccessControlListNotSupported", e.response
print("OK BucketOwnerEnforced refuses ACLs")

for k in ("pub.txt", "priv.txt"):
    s3.delete_object(Bucket=bucket, Key=k)
s3.delete_bucket(Bucket=bucket)
s3.delete_bucket(Bucket=enforced)
print("OK cleanup")
