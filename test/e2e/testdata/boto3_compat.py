"""boto3 in the compatibility suite. Prints one JSON line per feature:
{"feature": …, "ok": …, "detail": …}. Run by TestBoto3Compat with
GATEHOUSE_URL (https), GATEHOUSE_CA (the server's certificate), ACCOUNT_ID,
ROOT_KEY_ID and ROOT_SECRET in the environment."""
import hashlib
import json
import os
import tempfile
import time
import traceback
import urllib.request
import uuid
import ssl

import boto3
import botocore.session
from botocore.config import Config

url = os.environ["GATEHOUSE_URL"]
ca = os.environ["GATEHOUSE_CA"]
account = os.environ["ACCOUNT_ID"]
root = dict(aws_access_key_id=os.environ["ROOT_KEY_ID"], aws_secret_access_key=os.environ["ROOT_SECRET"])
path_style = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
tmp = tempfile.mkdtemp()


def report(feature, ok, detail):
    print(json.dumps({"feature": feature, "ok": ok, "detail": detail}), flush=True)


def feature(name):
    def wrap(fn):
        try:
            report(name, True, fn())
        except Exception as e:  # the suite records the failure
            traceback.print_exc()
            report(name, False, f"{type(e).__name__}: {e}")
        return fn
    return wrap


def client(service, **kw):
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", verify=ca, config=path_style, **kw)


iam = client("iam", **root)
iam.create_user(UserName="py-user")
key = iam.create_access_key(UserName="py-user")["AccessKey"]
user = dict(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
role_arn = f"arn:aws:iam::{account}:role/py-s3"
iam.put_user_policy(UserName="py-user", PolicyName="assume", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn}]}))
iam.create_role(RoleName="py-s3", AssumeRolePolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:user/py-user"}, "Action": "sts:AssumeRole"}]}))
iam.put_role_policy(RoleName="py-s3", PolicyName="s3", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
bucket = "py-" + uuid.uuid4().hex[:10]
client("s3", **root).create_bucket(Bucket=bucket)


@feature("AssumeRole, then S3 with the temporary credentials")
def _():
    c = client("sts", **user).assume_role(RoleArn=role_arn, RoleSessionName="py")["Credentials"]
    s3 = client("s3", aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])
    s3.put_object(Bucket=bucket, Key="hello.txt", Body=b"hello")
    assert s3.get_object(Bucket=bucket, Key="hello.txt")["Body"].read() == b"hello"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["hello.txt"]
    return "sts assume_role, then a client with aws_session_token: put_object, get_object, list_objects_v2"


def write_config(extra=""):
    cfg = os.path.join(tmp, "config")
    creds = os.path.join(tmp, "credentials")
    with open(creds, "w") as f:
        f.write(f"[py-user]\naws_access_key_id = {user['aws_access_key_id']}\naws_secret_access_key = {user['aws_secret_access_key']}\n")
    with open(cfg, "w") as f:
        f.write(f"[profile py-role]\nrole_arn = {role_arn}\nsource_profile = py-user\nduration_seconds = 900\n"
                f"region = us-east-1\nendpoint_url = {url}\nca_bundle = {ca}\n{extra}")
    os.environ["AWS_CONFIG_FILE"], os.environ["AWS_SHARED_CREDENTIALS_FILE"] = cfg, creds


@feature("SDK's own assume-role credentials, refreshed before expiry")
def _():
    write_config()
    session = boto3.Session(profile_name="py-role")
    s3 = session.client("s3", config=path_style)
    s3.list_objects_v2(Bucket=bucket)
    first = session.get_credentials().get_frozen_credentials().access_key
    # botocore refreshes assumed-role credentials within 15 minutes of their
    # expiry; a 900-second session is inside that window from the start.
    time.sleep(1)
    s3.list_objects_v2(Bucket=bucket)
    second = session.get_credentials().get_frozen_credentials().access_key
    assert first.startswith("ASIA") and second.startswith("ASIA") and first != second, (first, second)
    ident = session.client("sts").get_caller_identity()
    assert ":assumed-role/py-s3/" in ident["Arn"], ident
    return ("a profile with role_arn + source_profile (duration_seconds = 900): botocore fetched new temporary "
            "credentials inside its 15-minute refresh window, and the next call succeeded")


@feature("64 MiB upload, the client's default path")
def _():
    src = os.path.join(tmp, "big.bin")
    with open(src, "wb") as f:
        f.write(os.urandom(64 * 1024 * 1024))
    s3 = client("s3", **root)
    s3.upload_file(src, bucket, "big.bin")
    head = s3.head_object(Bucket=bucket, Key="big.bin", ChecksumMode="ENABLED")
    assert head["ETag"].endswith('-8"'), head["ETag"]
    dst = os.path.join(tmp, "back.bin")
    s3.download_file(bucket, "big.bin", dst)
    digest = lambda p: hashlib.sha256(open(p, "rb").read()).hexdigest()
    assert digest(src) == digest(dst)
    return ("upload_file with the default TransferConfig: 8 MiB parts with CRC32 checksums, aws-chunked over HTTPS; "
            "download_file reads it back in parallel ranges")


@feature("Presigned URLs (GET and PUT)")
def _():
    c = client("sts", **user).assume_role(RoleArn=role_arn, RoleSessionName="py-presign")["Credentials"]
    # SigV4 presigning (botocore's default for presigned URLs is still SigV2,
    # which signs Content-Type and so needs the PUT to send the exact one).
    s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1", verify=ca,
                      config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"),
                      aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])
    ctx = ssl.create_default_context(cafile=ca)
    put = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "presigned.txt"}, ExpiresIn=300)
    urllib.request.urlopen(urllib.request.Request(put, data=b"via presigned PUT", method="PUT"), context=ctx)
    get = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "presigned.txt"}, ExpiresIn=300)
    assert urllib.request.urlopen(get, context=ctx).read() == b"via presigned PUT"
    return ("generate_presigned_url (signature_version s3v4) for put_object and get_object with temporary "
            "credentials, used with urllib")


@feature("Endpoint configuration")
def _():
    styles = []
    for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
        os.environ.pop(name, None)
    os.environ["AWS_CA_BUNDLE"] = ca

    def works(**kw):
        # A new session reads the environment and config file afresh.
        session = boto3.Session()
        session.client("sts", region_name="us-east-1", **root, **kw).get_caller_identity()
        session.client("s3", region_name="us-east-1", config=path_style, **root, **kw).list_buckets()

    works(endpoint_url=url)
    styles.append("endpoint_url= on the client")
    os.environ["AWS_ENDPOINT_URL"] = url
    works()
    styles.append("AWS_ENDPOINT_URL")
    del os.environ["AWS_ENDPOINT_URL"]
    os.environ["AWS_ENDPOINT_URL_S3"] = os.environ["AWS_ENDPOINT_URL_STS"] = url
    works()
    styles.append("AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL_STS")
    del os.environ["AWS_ENDPOINT_URL_S3"], os.environ["AWS_ENDPOINT_URL_STS"]
    cfg = os.path.join(tmp, "endpoint-config")
    with open(cfg, "w") as f:
        f.write(f"[default]\nregion = us-east-1\nendpoint_url = {url}\n")
    os.environ["AWS_CONFIG_FILE"] = cfg
    works()
    styles.append("endpoint_url in the config file")
    return "all of: " + ", ".join(styles) + " (S3 path style with addressing_style = path)"
