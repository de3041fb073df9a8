"""boto3 with AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE (set by the test):
botocore's own AssumeRoleWithWebIdentity provider gets credentials from
Gatehouse, and the clients use them."""
import os

import boto3

url = os.environ["GATEHOUSE_URL"]
session = boto3.session.Session(region_name="us-east-1")
ident = session.client("sts", endpoint_url=url).get_caller_identity()
print("IDENTITY", ident["Arn"])
roles = session.client("iam", endpoint_url=url).list_roles()["Roles"]
print("ROLES", len(roles))
creds = session.get_credentials().get_frozen_credentials()
print("KEY", creds.access_key[:4])
