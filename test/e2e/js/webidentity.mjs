// The AWS SDK for JavaScript v3's fromTokenFile (@aws-sdk/credential-providers)
// against Gatehouse: the provider reads AWS_ROLE_ARN,
// AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_SESSION_NAME, as in a Kubernetes
// pod, and calls AssumeRoleWithWebIdentity on the STS endpoint given in its
// clientConfig. Run by TestWebIdentityJSFromTokenFile
// (test/e2e/webidentity_test.go) with GATEHOUSE_URL and BUCKET set.
//
// Prints one JSON line: {"ok": true, "arn", "accessKeyId", "roles", "object"}
// when STS GetCallerIdentity, IAM ListRoles and an S3 PUT and GET of
// BUCKET/from-js worked with the provider's credentials, or {"ok": false,
// "name", "message"} with the first error. It exits non-zero only when the
// script itself breaks.
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { IAMClient, ListRolesCommand } from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromTokenFile } from "@aws-sdk/credential-providers";

function need(name) {
  const v = process.env[name];
  if (!v) {
    throw new Error(`webidentity.mjs: ${name} is not set`);
  }
  return v;
}

const endpoint = need("GATEHOUSE_URL");
const bucket = need("BUCKET");
for (const name of ["AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME"]) {
  need(name);
}
const region = "us-east-1";

// One provider for every client: the role, the token file and the session
// name come from the environment; the STS client it makes for
// AssumeRoleWithWebIdentity is configured here.
const credentials = fromTokenFile({ clientConfig: { endpoint, region, maxAttempts: 1 } });

try {
  const sts = new STSClient({ endpoint, region, credentials, maxAttempts: 1 });
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  const { accessKeyId } = await sts.config.credentials();

  const iam = new IAMClient({ endpoint, region, credentials, maxAttempts: 1 });
  const roles = (await iam.send(new ListRolesCommand({}))).Roles.map((r) => r.RoleName);

  const s3 = new S3Client({ endpoint, region, credentials, forcePathStyle: true, maxAttempts: 1 });
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "from-js", Body: "written with web-identity credentials" }));
  const object = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "from-js" }))).Body.transformToString();

  console.log(JSON.stringify({ ok: true, arn: identity.Arn, accessKeyId, roles, object }));
} catch (err) {
  console.log(JSON.stringify({ ok: false, name: err.name, message: err.message }));
}
