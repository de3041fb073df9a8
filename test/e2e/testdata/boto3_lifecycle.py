"""boto3 against Gatehouse's bucket lifecycle configuration: put, get and
delete, the legacy Prefix form, a transition (stored, reported), and S3's
refusals. Run by TestBoto3S3Lifecycle with GATEHOUSE_URL, AWS_ACCESS_KEY_ID
and AWS_SECRET_ACCESS_KEY set; prints OK lines, exits non-zero on failure."""
import os
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

url = os.environ["GATEHOUSE_URL"]
s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                  config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"))
bucket = "boto-lc-" + uuid.uuid4().hex[:8]
s3.create_bucket(Bucket=bucket)


def code(fn, **kw):
    try:
        fn(**kw)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"]["Message"]
    raise AssertionError("no error")


assert code(s3.get_bucket_lifecycle_configuration, Bucket=bucket)[0] == "NoSuchLifecycleConfiguration"
print("OK none")

rules = [
    {"ID": "logs", "Status": "Enabled", "Filter": {"And": {"Prefix": "logs/", "Tags": [{"Key": "t", "Value": "v"}],
                                                            "ObjectSizeGreaterThan": 10}},
     "Expiration": {"Days": 30}, "Transitions": [{"Days": 7, "StorageClass": "GLACIER"}],
     "NoncurrentVersionExpiration": {"NoncurrentDays": 5, "NewerNoncurrentVersions": 2}},
    {"ID": "uploads", "Status": "Disabled", "Filter": {"Prefix": ""},
     "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 3}},
    {"ID": "date", "Status": "Enabled", "Filter": {"ObjectSizeLessThan": 100},
     "Expiration": {"Date": "2030-01-01T00:00:00Z"}},
]
out = s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules},
                                           TransitionDefaultMinimumObjectSize="varies_by_storage_class")
assert out["TransitionDefaultMinimumObjectSize"] == "varies_by_storage_class", out
got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)
assert got["TransitionDefaultMinimumObjectSize"] == "varies_by_storage_class", got
r = {x["ID"]: x for x in got["Rules"]}
assert r["logs"]["Filter"]["And"]["Prefix"] == "logs/" and r["logs"]["Transitions"][0]["StorageClass"] == "GLACIER", r
assert r["logs"]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 5, "NewerNoncurrentVersions": 2}, r
assert r["uploads"]["Status"] == "Disabled" and r["uploads"]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 3
assert r["date"]["Expiration"]["Date"].year == 2030, r
print("OK put get")

s3.put_bucket_lifecycle(Bucket=bucket, LifecycleConfiguration={"Rules": [
    {"ID": "legacy", "Prefix": "tmp/", "Status": "Enabled", "Expiration": {"Days": 1}}]})
legacy = s3.get_bucket_lifecycle(Bucket=bucket)["Rules"][0]
assert legacy["Prefix"] == "tmp/" and legacy["Expiration"]["Days"] == 1, legacy
print("OK legacy")

bad = [
    ({"ID": "x", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 0}},
     ("InvalidArgument", "'Days' for Expiration action must be a positive integer")),
    ({"ID": "x", "Status": "Enabled", "Filter": {}},
     ("InvalidRequest", "At least one action needs to be specified in a rule")),
    ({"ID": "x", "Status": "Enabled", "Filter": {}, "Transitions": [{"Days": 1, "StorageClass": "STANDARD_IA"},
                                                                    {"Days": 2, "StorageClass": "STANDARD_IA"}]},
     ("InvalidArgument", "'StorageClass' must be different for 'Transition' actions in same 'Rule' with filter '(prefix=)'")),
    ({"ID": "x", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Transitions": [{"Days": 10, "StorageClass": "STANDARD_IA"}]},
     ("InvalidArgument", "'Days' in Transition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'")),
    ({"ID": "x", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 30},
      "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}]},
     ("InvalidArgument", "'Days' in the Expiration action for filter '(prefix=logs/)' must be greater than 'Days' in the Transition action")),
    ({"ID": "x", "Status": "Enabled", "Filter": {"ObjectSizeGreaterThan": 1024},
      "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}},
     ("InvalidRequest", "AbortIncompleteMultipartUpload cannot be specified with Object Size.")),
]
for rule, want in bad:
    got = code(s3.put_bucket_lifecycle_configuration, Bucket=bucket, LifecycleConfiguration={"Rules": [rule]})
    assert got == want, (rule, got)
print("OK refusals")

s3.delete_bucket_lifecycle(Bucket=bucket)
assert code(s3.get_bucket_lifecycle_configuration, Bucket=bucket)[0] == "NoSuchLifecycleConfiguration"
s3.delete_bucket(Bucket=bucket)
print("OK cleanup")
