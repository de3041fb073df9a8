// The STS flow an S3-compatible vendor (CTYun's object storage) documents
// for the AWS SDK for JavaScript v2, run against Gatehouse: the account's
// root keys call AssumeRole with region "ctyun", RoleArn
// arn:aws:iam:::role/NAME (no account id), a session policy limited to one
// bucket and DurationSeconds 900; an S3 client then uses the temporary
// credentials. Gatehouse needs two settings for it, both documented in
// docs/configuration.md: any signing region (the default) and
// root-may-assume-role for the account.
//
// Environment: GATEHOUSE_URL, ROOT_KEY_ID, ROOT_SECRET. Prints one JSON
// line per step: {"step", "ok", "detail"}; exits 0 when every step passed.
"use strict";
const AWS = require("aws-sdk");

const endpoint = process.env.GATEHOUSE_URL;
const root = { accessKeyId: process.env.ROOT_KEY_ID, secretAccessKey: process.env.ROOT_SECRET };
const bucket = "ctyun-demo";
const role = "web-uploader";
let failed = false;

function report(step, ok, detail) {
  if (!ok) failed = true;
  console.log(JSON.stringify({ step, ok, detail: String(detail) }));
}

async function step(name, fn) {
  try {
    report(name, true, (await fn()) || "");
  } catch (e) {
    report(name, false, `${e.code || e.name}: ${e.message}`);
  }
}

// expectError runs fn and passes when it fails with code.
async function expectError(name, code, fn) {
  try {
    await fn();
    report(name, false, `succeeded; want ${code}`);
  } catch (e) {
    report(name, e.code === code, `${e.code}: ${e.message}`);
  }
}

async function main() {
  // Set-up with the root's keys, signing for "ctyun" as well: the role
  // (trusting the account) and the bucket.
  const iam = new AWS.IAM({ ...root, endpoint, region: "ctyun", maxRetries: 0 });
  const admin = new AWS.S3({ ...root, endpoint, region: "ctyun", s3ForcePathStyle: true, maxRetries: 0 });
  const account = await accountId();
  await step("setup: CreateRole trusting the account", () => iam.createRole({
    RoleName: role,
    AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: account }, Action: "sts:AssumeRole" }] }),
  }).promise().then((r) => r.Role.Arn));
  // What the role may do (a session gets this ∩ its session policy).
  await step("setup: PutRolePolicy (S3 on the bucket)", () => iam.putRolePolicy({
    RoleName: role, PolicyName: "s3",
    PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`] }] }),
  }).promise().then(() => "ok"));
  // The v2 SDK adds CreateBucketConfiguration.LocationConstraint = "ctyun".
  await step("setup: CreateBucket signed for ctyun", () => admin.createBucket({ Bucket: bucket }).promise().then(() => "created"));

  // The vendor's example, as documented: "region fixed to ctyun".
  const config = { accessKeyId: root.accessKeyId, secretAccessKey: root.secretAccessKey, endpoint, region: "ctyun", maxRetries: 0 };
  const stsClient = new AWS.STS(config);
  const params = {
    Policy: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:*"],"Resource":["arn:aws:s3:::${bucket}","arn:aws:s3:::${bucket}/*"]}}`,
    RoleArn: `arn:aws:iam:::role/${role}`,
    RoleSessionName: "web-session",
    DurationSeconds: 900,
  };
  let creds;
  await step("AssumeRole with the root's keys, region ctyun, RoleArn without account", async () => {
    const data = await stsClient.assumeRole(params).promise();
    creds = data.Credentials;
    return `${data.AssumedRoleUser.Arn}, expires ${creds.Expiration.toISOString()}`;
  });
  if (!creds) return;
  const credentials = { accessKeyId: creds.AccessKeyId, secretAccessKey: creds.SecretAccessKey, sessionToken: creds.SessionToken };
  // The vendor's S3 client names no region (the SDK signs for us-east-1);
  // path style, since the endpoint is an address, not a wildcard domain.
  const s3 = new AWS.S3({ credentials, endpoint, s3ForcePathStyle: true, maxRetries: 0 });
  await step("S3 putObject with the temporary credentials", () => s3.putObject({ Bucket: bucket, Key: "hello.txt", Body: "hello" }).promise().then((r) => r.ETag));
  await step("S3 getObject", async () => {
    const r = await s3.getObject({ Bucket: bucket, Key: "hello.txt" }).promise();
    if (r.Body.toString() !== "hello") throw new Error(`body ${r.Body}`);
    return "same bytes";
  });
  await step("S3 listObjects (s3:ListBucket)", async () => {
    const r = await s3.listObjects({ Bucket: bucket }).promise();
    return r.Contents.map((o) => o.Key).join(",");
  });
  await step("S3 multipart upload (s3.upload, 2 parts)", async () => {
    const body = Buffer.alloc(6 * 1024 * 1024, 7);
    const r = await s3.upload({ Bucket: bucket, Key: "big.bin", Body: body }, { partSize: 5 * 1024 * 1024, queueSize: 1 }).promise();
    const head = await s3.headObject({ Bucket: bucket, Key: "big.bin" }).promise();
    if (head.ContentLength !== body.length) throw new Error(`length ${head.ContentLength}`);
    return r.ETag;
  });
  await step("GetCallerIdentity with the temporary credentials", async () => {
    const id = await new AWS.STS({ credentials, endpoint, region: "ctyun", maxRetries: 0 }).getCallerIdentity().promise();
    return id.Arn;
  });
  // The session is limited to the bucket.
  await expectError("other buckets are denied", "AccessDenied",
    () => s3.createBucket({ Bucket: "not-in-the-policy" }).promise());

  // The vendor's narrower example: upload and download only.
  const narrow = await stsClient.assumeRole({ ...params, RoleSessionName: "upload-only",
    Policy: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":["arn:aws:s3:::${bucket}","arn:aws:s3:::${bucket}/*"]}}` }).promise();
  const s3narrow = new AWS.S3({ endpoint, s3ForcePathStyle: true, maxRetries: 0, credentials: {
    accessKeyId: narrow.Credentials.AccessKeyId, secretAccessKey: narrow.Credentials.SecretAccessKey, sessionToken: narrow.Credentials.SessionToken } });
  await step("upload-only session: putObject", () => s3narrow.putObject({ Bucket: bucket, Key: "up.txt", Body: "up" }).promise().then(() => "ok"));
  await expectError("upload-only session: deleteObject denied", "AccessDenied",
    () => s3narrow.deleteObject({ Bucket: bucket, Key: "up.txt" }).promise());
}

// accountId asks STS who the root is.
async function accountId() {
  const id = await new AWS.STS({ ...root, endpoint, region: "ctyun", maxRetries: 0 }).getCallerIdentity().promise();
  return id.Account;
}

main().then(() => process.exit(failed ? 1 : 0), (e) => { report("script", false, e.stack); process.exit(1); });
