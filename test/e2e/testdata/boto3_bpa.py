"""boto3 against Gatehouse's S3 Block Public Access: the bucket's
configuration, GetBucketPolicyStatus, and S3 Control's account
configuration. boto3 sends S3 Control calls to ACCOUNT.HOST of the endpoint
URL; the client's proxy setting hands them to Gatehouse unchanged. Run by
TestBoto3BlockPublicAccess with GATEHOUSE_URL, GATEHOUSE_ACCOUNT,
AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set; prints OK lines, exits
non-zero on failure."""
import json
import os
import urllib.error
import urllib.request
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

url = os.environ["GATEHOUSE_URL"]
account = os.environ["GATEHOUSE_ACCOUNT"]
s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1", config=Config(s3={"addressing_style": "path"}))
control = boto3.client("s3control", endpoint_url=url, region_name="us-east-1", config=Config(proxies={"http": url}))


def code(fn, **kw):
    try:
        fn(**kw)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"]["Message"]
    raise AssertionError("%s succeeded" % fn.__name__)


def anonymous(path):
    try:
        return urllib.request.urlopen(url + path).status
    except urllib.error.HTTPError as e:
        return e.code


bucket = "boto-bpa-" + uuid.uuid4().hex[:8]
s3.create_bucket(Bucket=bucket)
s3.put_object(Bucket=bucket, Key="k", Body=b"v")
assert code(s3.get_bucket_policy_status, Bucket=bucket)[0] == "NoSuchBucketPolicy"
public = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%s/*" % bucket}]})
pinned = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%s/*" % bucket,
     "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}]})
s3.put_bucket_policy(Bucket=bucket, Policy=pinned)
assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is False
s3.put_bucket_policy(Bucket=bucket, Policy=public)
assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is True
assert anonymous("/%s/k" % bucket) == 200
print("OK policy status")

assert code(s3.get_public_access_block, Bucket=bucket)[0] == "NoSuchPublicAccessBlockConfiguration"
s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={"RestrictPublicBuckets": True})
got = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
assert got == {"BlockPublicAcls": False, "IgnorePublicAcls": False, "BlockPublicPolicy": False, "RestrictPublicBuckets": True}, got
assert anonymous("/%s/k" % bucket) == 403
s3.delete_public_access_block(Bucket=bucket)
assert anonymous("/%s/k" % bucket) == 200
print("OK bucket configuration")

assert code(control.get_public_access_block, AccountId=account)[0] == "NoSuchPublicAccessBlockConfiguration"
control.put_public_access_block(AccountId=account, PublicAccessBlockConfiguration={
    "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
got = control.get_public_access_block(AccountId=account)["PublicAccessBlockConfiguration"]
assert all(got.values()) and len(got) == 4, got
assert anonymous("/%s/k" % bucket) == 403
c, msg = code(s3.put_bucket_policy, Bucket=bucket, Policy=public)
assert c == "AccessDenied" and "BlockPublicPolicy" in msg, (c, msg)
control.delete_public_access_block(AccountId=account)
assert code(control.get_public_access_block, AccountId=account)[0] == "NoSuchPublicAccessBlockConfiguration"
assert anonymous("/%s/k" % bucket) == 200
print("OK account configuration")
