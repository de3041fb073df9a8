"""boto3 against Gatehouse's S3 Object Lock: a bucket created with Object
Lock, a default retention, writes with retention headers (and a presigned
POST form with lock fields), reading retention and legal holds, deletions
refused while a version is locked, the governance bypass, and COMPLIANCE
retention that cannot be shortened. Run by TestBoto3S3ObjectLock with
GATEHOUSE_URL, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set; prints OK
lines, exits non-zero on failure."""
import datetime
import os
import urllib.request
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

url = os.environ["GATEHOUSE_URL"]
s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                  config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"))
bucket = "boto-lock-" + uuid.uuid4().hex[:8]
LOCKED = ("AccessDenied", "Access Denied because object protected by object lock.")
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def error(fn, **kw):
    try:
        fn(**kw)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"]["Message"]
    raise AssertionError("no error from %s" % fn.__name__)


# A bucket with Object Lock has versioning enabled for good.
s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
cfg = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
assert cfg == {"ObjectLockEnabled": "Enabled"}, cfg
assert error(s3.put_bucket_versioning, Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})[0] == "InvalidBucketState"
print("OK bucket")

# A default retention locks every new version from its creation.
s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration={
    "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
cfg = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
assert cfg["Rule"]["DefaultRetention"] == {"Mode": "GOVERNANCE", "Days": 1}, cfg
gov = s3.put_object(Bucket=bucket, Key="default", Body=b"governed")["VersionId"]
head = s3.head_object(Bucket=bucket, Key="default")
assert head["ObjectLockMode"] == "GOVERNANCE", head
left = head["ObjectLockRetainUntilDate"] - now
assert datetime.timedelta(hours=23) < left <= datetime.timedelta(days=1, minutes=5), left
print("OK default retention")

# Retention headers on the write; get_object_retention reads them back.
until = now + datetime.timedelta(hours=1)
comp = s3.put_object(Bucket=bucket, Key="compliant", Body=b"kept", ObjectLockMode="COMPLIANCE",
                     ObjectLockRetainUntilDate=until)["VersionId"]
ret = s3.get_object_retention(Bucket=bucket, Key="compliant", VersionId=comp)["Retention"]
assert ret["Mode"] == "COMPLIANCE" and ret["RetainUntilDate"] == until, ret
code, msg = error(s3.put_object, Bucket=bucket, Key="half", Body=b"x", ObjectLockMode="GOVERNANCE")
assert (code, msg) == ("InvalidArgument", "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied"), (code, msg)
print("OK retention headers")

# A presigned POST form carries the same fields.
form_until = (now + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
fields = {"x-amz-object-lock-mode": "GOVERNANCE", "x-amz-object-lock-retain-until-date": form_until,
          "x-amz-object-lock-legal-hold": "ON"}
post = s3.generate_presigned_post(bucket, "form", Fields=dict(fields), Conditions=[{k: v} for k, v in fields.items()],
                                  ExpiresIn=300)
boundary = uuid.uuid4().hex
body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                for k, v in post["fields"].items())
body += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="f.txt"\r\n\r\n'.encode()
         + b"from a form" + f"\r\n--{boundary}--\r\n".encode())
resp = urllib.request.urlopen(urllib.request.Request(post["url"], data=body, method="POST",
                                                     headers={"Content-Type": "multipart/form-data; boundary=" + boundary}))
assert resp.status == 204, resp.status
form_version = resp.headers["x-amz-version-id"]
head = s3.head_object(Bucket=bucket, Key="form")
assert head["ObjectLockMode"] == "GOVERNANCE" and head["ObjectLockLegalHoldStatus"] == "ON", head
assert head["ObjectLockRetainUntilDate"].strftime("%Y-%m-%dT%H:%M:%SZ") == form_until, head
print("OK form fields")

# A legal hold blocks deletion until it is turned off.
held = s3.put_object(Bucket=bucket, Key="held", Body=b"evidence", ObjectLockLegalHoldStatus="ON")["VersionId"]
assert s3.get_object_legal_hold(Bucket=bucket, Key="held", VersionId=held)["LegalHold"]["Status"] == "ON"
s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"})
held2 = s3.put_object(Bucket=bucket, Key="held2", Body=b"evidence", ObjectLockLegalHoldStatus="ON")["VersionId"]
assert error(s3.delete_object, Bucket=bucket, Key="held2", VersionId=held2) == LOCKED
s3.put_object_legal_hold(Bucket=bucket, Key="held2", VersionId=held2, LegalHold={"Status": "OFF"})
assert s3.get_object_legal_hold(Bucket=bucket, Key="held2", VersionId=held2)["LegalHold"]["Status"] == "OFF"
s3.delete_object(Bucket=bucket, Key="held2", VersionId=held2)
print("OK legal hold")

# GOVERNANCE yields to the bypass (the root may s3:BypassGovernanceRetention);
# a DELETE without a version id only adds a delete marker.
assert error(s3.delete_object, Bucket=bucket, Key="default", VersionId=gov) == LOCKED
marker = s3.delete_object(Bucket=bucket, Key="default")
assert marker["DeleteMarker"] is True, marker
s3.delete_object(Bucket=bucket, Key="default", VersionId=gov, BypassGovernanceRetention=True)
out = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "form", "VersionId": form_version}]},
                        BypassGovernanceRetention=True)
assert out.get("Errors") and out["Errors"][0]["Code"] == "AccessDenied", out  # the legal hold stays in force
print("OK governance bypass")

# COMPLIANCE: never shortened, weakened or deleted, bypass or not; extending works.
shorter = until - datetime.timedelta(minutes=30)
assert error(s3.put_object_retention, Bucket=bucket, Key="compliant", VersionId=comp,
             Retention={"Mode": "COMPLIANCE", "RetainUntilDate": shorter}) == LOCKED
assert error(s3.put_object_retention, Bucket=bucket, Key="compliant", VersionId=comp, BypassGovernanceRetention=True,
             Retention={"Mode": "COMPLIANCE", "RetainUntilDate": shorter}) == LOCKED
assert error(s3.put_object_retention, Bucket=bucket, Key="compliant", VersionId=comp, BypassGovernanceRetention=True,
             Retention={"Mode": "GOVERNANCE", "RetainUntilDate": until}) == LOCKED
assert error(s3.delete_object, Bucket=bucket, Key="compliant", VersionId=comp, BypassGovernanceRetention=True) == LOCKED
later = until + datetime.timedelta(hours=1)
s3.put_object_retention(Bucket=bucket, Key="compliant", VersionId=comp, Retention={"Mode": "COMPLIANCE", "RetainUntilDate": later})
ret = s3.get_object_retention(Bucket=bucket, Key="compliant", VersionId=comp)["Retention"]
assert ret["Mode"] == "COMPLIANCE" and ret["RetainUntilDate"] == later, ret
assert s3.get_object(Bucket=bucket, Key="compliant", VersionId=comp)["Body"].read() == b"kept"
print("OK compliance")
