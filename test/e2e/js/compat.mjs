// The AWS SDK for JavaScript v3 against Gatehouse: the client
// compatibility suite's five features (test/e2e/compat_test.go). Run by
// TestJSSDK (test/e2e/js_sdk_test.go) with GATEHOUSE_URL, ACCOUNT_ID,
// ROOT_KEY_ID and ROOT_SECRET set. Prints one JSON line per feature,
// {"feature", "ok", "detail"}, and exits 0 when every feature could report
// (a failed feature is a result, not a crash); it exits non-zero only when
// the script itself breaks.
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";

// The feature names, exactly as test/e2e/compat_test.go spells them.
const featAssumeRole = "AssumeRole, then S3 with the temporary credentials";
const featProvider = "SDK's own assume-role credentials, refreshed before expiry";
const featUpload = "64 MiB upload, the client's default path";
const featPresign = "Presigned URLs (GET and PUT)";
const featEndpoint = "Endpoint configuration";

function need(name) {
  const v = process.env[name];
  if (!v) {
    throw new Error(`compat.mjs: ${name} is not set`);
  }
  return v;
}

const endpoint = need("GATEHOUSE_URL");
const accountId = need("ACCOUNT_ID");
const root = { accessKeyId: need("ROOT_KEY_ID"), secretAccessKey: need("ROOT_SECRET") };
const region = "us-east-1";
const here = dirname(fileURLToPath(import.meta.url));

// Unique per run: the bucket and IAM names never collide with a previous
// run against the same data directory.
const run = randomBytes(4).toString("hex");
const bucket = `js-compat-${run}`;

const s3For = (credentials, extra = {}) =>
  new S3Client({ endpoint, region, forcePathStyle: true, credentials, ...extra });
const rootS3 = s3For(root);
const rootIAM = new IAMClient({ endpoint, region, credentials: root });

// requestLog adds a middleware at the end of the client's stack (the
// deserialize step sees the request after retries and signing, exactly as
// it goes on the wire) that hands each request and its command to fn.
function requestLog(client, fn) {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      fn(context.commandName, args.request);
      return next(args);
    },
    { step: "deserialize", name: "gatehouseRequestLog", priority: "low" },
  );
  return client;
}

// The access key id a request's SigV4 Authorization header names.
const signingKeyId = (request) => /Credential=([^/]+)\//.exec(request.headers.authorization ?? "")?.[1];

class Check extends Error {}
function check(cond, msg) {
  if (!cond) {
    throw new Check(msg);
  }
}

const results = [];
function emit(feature, ok, detail) {
  results.push(feature);
  console.log(JSON.stringify({ feature, ok, detail }));
}

// feature runs fn and reports its detail, or its failure. Errors that mean
// this script is broken (not the client or the server) crash the run.
async function feature(name, fn) {
  try {
    const r = await fn();
    const { detail, ...extra } = typeof r === "string" ? { detail: r } : r;
    results.push(name);
    console.log(JSON.stringify({ feature: name, ok: true, detail, ...extra }));
  } catch (e) {
    if (e instanceof ReferenceError || e instanceof SyntaxError) {
      throw e;
    }
    console.error(`${name}:`, e);
    const code = e.$metadata?.httpStatusCode ? ` (HTTP ${e.$metadata.httpStatusCode})` : "";
    emit(name, false, e instanceof Check ? e.message : `${e.name}: ${e.message}${code}`);
  }
}

const sha256 = (buf) => createHash("sha256").update(buf).digest("hex");

async function streamSHA256(body) {
  const h = createHash("sha256");
  let n = 0;
  for await (const chunk of body) {
    h.update(chunk);
    n += chunk.length;
  }
  return [h.digest("hex"), n];
}

// Shared by the features: the IAM user, the role it may assume, and the
// temporary credentials of one AssumeRole call.
const ctx = {};

// --- 1. AssumeRole, then S3 with the temporary credentials ---------------
await feature(featAssumeRole, async () => {
  await rootS3.send(new CreateBucketCommand({ Bucket: bucket }));
  const userName = `js-user-${run}`;
  const roleName = `js-role-${run}`;
  const roleArn = `arn:aws:iam::${accountId}:role/${roleName}`;
  const user = await rootIAM.send(new CreateUserCommand({ UserName: userName }));
  const { AccessKey } = await rootIAM.send(new CreateAccessKeyCommand({ UserName: userName }));
  await rootIAM.send(
    new PutUserPolicyCommand({
      UserName: userName,
      PolicyName: "assume",
      PolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: roleArn }],
      }),
    }),
  );
  await rootIAM.send(
    new CreateRoleCommand({
      RoleName: roleName,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { AWS: user.User.Arn }, Action: "sts:AssumeRole" }],
      }),
    }),
  );
  await rootIAM.send(
    new PutRolePolicyCommand({
      RoleName: roleName,
      PolicyName: "bucket",
      PolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: "s3:*", Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`] },
        ],
      }),
    }),
  );
  ctx.user = { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };
  ctx.roleArn = roleArn;

  const sts = new STSClient({ endpoint, region, credentials: ctx.user });
  const { Credentials, AssumedRoleUser } = await sts.send(
    new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "js-compat" }),
  );
  check(Credentials?.SessionToken, "AssumeRole returned no session token");
  check(
    AssumedRoleUser?.Arn === `arn:aws:sts::${accountId}:assumed-role/${roleName}/js-compat`,
    `AssumeRole returned AssumedRoleUser.Arn ${AssumedRoleUser?.Arn}`,
  );
  ctx.temp = {
    accessKeyId: Credentials.AccessKeyId,
    secretAccessKey: Credentials.SecretAccessKey,
    sessionToken: Credentials.SessionToken,
  };

  const s3 = s3For(ctx.temp);
  const body = randomBytes(1024 + 7);
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "assumed/object.bin", Body: body }));
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "assumed/object.bin" }));
  const back = Buffer.from(await got.Body.transformToByteArray());
  check(back.equals(body), "GetObject with the temporary credentials returned different bytes");
  const list = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "assumed/" }));
  check(
    list.KeyCount === 1 && list.Contents?.[0]?.Key === "assumed/object.bin",
    `ListObjectsV2 listed ${JSON.stringify(list.Contents?.map((o) => o.Key))}`,
  );
  return (
    "STSClient AssumeRole as an IAM user; an S3Client given the accessKeyId, secretAccessKey and sessionToken " +
    "did PutObject, GetObject (same bytes) and ListObjectsV2"
  );
});

// --- 2. fromTemporaryCredentials, refreshed before expiry ----------------

// The client's clock, shifted: Date.now() and new Date() run `clockOffset`
// milliseconds ahead of the real time; new Date(x) is unchanged.
const RealDate = Date;
let clockOffset = 0;
class ShiftedDate extends RealDate {
  constructor(...args) {
    if (args.length === 0) {
      super(RealDate.now() + clockOffset);
    } else {
      super(...args);
    }
  }
  static now() {
    return RealDate.now() + clockOffset;
  }
}

await feature(featProvider, async () => {
  check(ctx.roleArn, "not run: the AssumeRole feature's IAM setup failed");
  const provider = fromTemporaryCredentials({
    params: { RoleArn: ctx.roleArn, RoleSessionName: "js-provider", DurationSeconds: 900 },
    masterCredentials: ctx.user,
    clientConfig: { endpoint, region },
  });
  const fetched = []; // what each provider call returned
  const counted = async (props) => {
    const c = await provider(props);
    fetched.push(c);
    return c;
  };
  const used = []; // the access key id each S3 request was signed with
  const s3 = requestLog(s3For(counted), (cmd, req) => used.push(signingKeyId(req)));

  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "provider/first.txt", Body: "first" }));
  check(fetched.length === 1, `the provider was called ${fetched.length} times for the first request`);
  const first = fetched[0];
  check(first.sessionToken && first.expiration, "the provider's credentials have no session token or expiration");
  const lifetime = Math.round((first.expiration.getTime() - RealDate.now()) / 1000);
  check(lifetime > 840 && lifetime <= 900, `the 900-second session expires in ${lifetime} s`);
  const firstGet = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "provider/first.txt" }));
  check((await firstGet.Body.transformToString()) === "first", "the first object reads back wrong");
  check(fetched.length === 1, "the provider was called again while its credentials were fresh");

  // 11 minutes later by the client's clock the session has 4 of its 15
  // minutes left: inside the SDK's 5-minute refresh window, and still
  // within the server's 15-minute clock-skew allowance.
  globalThis.Date = ShiftedDate;
  clockOffset = 11 * 60 * 1000;
  try {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "provider/second.txt", Body: "second" }));
  } finally {
    clockOffset = 0;
    globalThis.Date = RealDate;
  }
  check(fetched.length >= 2, "the provider was not called again inside the 5-minute expiry window");
  const second = fetched[fetched.length - 1];
  check(second.accessKeyId !== first.accessKeyId, "the refreshed credentials have the same access key id");
  check(used.length === 3, `${used.length} S3 requests were sent, want 3`);
  check(used[0] === first.accessKeyId && used[1] === first.accessKeyId, "the first requests were not signed with the first session");
  check(used[2] === second.accessKeyId, "the request after the refresh was not signed with the new session");
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "provider/second.txt" }));
  check((await got.Body.transformToString()) === "second", "the object written after the refresh reads back wrong");
  return (
    "fromTemporaryCredentials (DurationSeconds 900) as the S3Client's credentials; with the client's clock " +
    "moved 11 minutes ahead the session was inside the SDK's 5-minute expiry window, so the client called " +
    "AssumeRole again before the next request and signed it with the new access key"
  );
});

// --- 3. 64 MiB upload, lib-storage's defaults ----------------------------
await feature(featUpload, async () => {
  const size = 64 * 1024 * 1024;
  const data = randomBytes(size);
  const want = sha256(data);
  const parts = []; // UploadPart requests as sent
  let create;
  const s3 = requestLog(s3For(root), (cmd, req) => {
    if (cmd === "CreateMultipartUploadCommand") {
      create = req;
    }
    if (cmd === "UploadPartCommand") {
      parts.push({
        length: Number(req.headers["content-length"]),
        // A hex digest is the payload's own SHA-256: one mode, many values.
        payload: /^[0-9a-f]{64}$/.test(req.headers["x-amz-content-sha256"]) ? "SHA-256" : req.headers["x-amz-content-sha256"],
        checksum: Object.keys(req.headers).filter((h) => h.toLowerCase().startsWith("x-amz-checksum-")).sort().join(","),
        encoding: req.headers["content-encoding"] ?? "",
        trailer: req.headers["x-amz-trailer"] ?? "",
      });
    }
  });
  const upload = new Upload({ client: s3, params: { Bucket: bucket, Key: "big/random.bin", Body: data } });
  await upload.done();

  check(create, "lib-storage did not start a multipart upload");
  const partSize = upload.partSize;
  const count = Math.ceil(size / partSize);
  check(parts.length === count, `${parts.length} UploadPart requests, want ${count}`);
  const lengths = parts.map((p) => p.length).sort((a, b) => b - a);
  check(lengths[0] === partSize && lengths.reduce((a, b) => a + b, 0) === size, `part lengths ${lengths}`);
  const uniq = (f) => [...new Set(parts.map(f))];
  const payloads = uniq((p) => p.payload);
  const checksums = uniq((p) => p.checksum);
  const encodings = uniq((p) => p.encoding);
  const trailers = uniq((p) => p.trailer);
  check(payloads.length === 1, `UploadPart payload modes differ between parts: ${payloads}`);
  check(checksums.length === 1 && encodings.length === 1 && trailers.length === 1, "UploadPart checksum headers differ between parts");
  const payload = payloads[0];
  const algo = create.headers["x-amz-checksum-algorithm"] ?? "none";

  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "big/random.bin" }));
  check(head.ContentLength === size, `HeadObject ContentLength ${head.ContentLength}`);
  check(head.ETag?.endsWith(`-${count}"`), `HeadObject ETag ${head.ETag} does not end in -${count}`);
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "big/random.bin" }));
  const [digest, n] = await streamSHA256(got.Body);
  check(n === size && digest === want, "the downloaded object's SHA-256 differs from the upload's");

  const mib = (b) => (b % (1024 * 1024) === 0 ? `${b / (1024 * 1024)} MiB` : `${b} bytes`);
  const how = [payload === "SHA-256" ? "signed with its SHA-256 (x-amz-content-sha256)" : `sent with x-amz-content-sha256 ${payload}`];
  if (checksums[0]) {
    how.push(`sent with an ${checksums[0]} header`);
  }
  if (trailers[0]) {
    how.push(`sent with a trailing ${trailers[0]} (Content-Encoding ${encodings[0]})`);
  }
  return {
    detail:
      `lib-storage Upload with its defaults over plain HTTP: CreateMultipartUpload with checksum algorithm ${algo}, then ` +
      `${count} parts of ${mib(partSize)} (the last ${mib(size - (count - 1) * partSize)}), ${upload.queueSize} at a time, ` +
      `each ${how.join(" and ")}; the download's SHA-256 matched and the ETag ends in -${count}`,
    uploadPartPayload: payload,
  };
});

// --- 4. Presigned URLs (GET and PUT) -------------------------------------
await feature(featPresign, async () => {
  check(ctx.temp, "not run: the AssumeRole feature failed");
  const s3 = s3For(ctx.temp);
  const key = "presigned/note.txt";
  const body = `presigned PUT from the JS SDK ${run}`;
  const putURL = await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 300 });
  const getURL = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: 300 });
  for (const u of [putURL, getURL]) {
    const q = new URL(u).searchParams;
    check(q.get("X-Amz-Security-Token") === ctx.temp.sessionToken, "a presigned URL lacks X-Amz-Security-Token");
    check(q.get("X-Amz-Expires") === "300", "a presigned URL's X-Amz-Expires is not 300");
  }
  const put = await fetch(putURL, { method: "PUT", body });
  const putText = await put.text();
  check(put.ok, `PUT to the presigned URL: HTTP ${put.status}: ${putText}`);
  const get = await fetch(getURL);
  const text = await get.text();
  check(get.ok, `GET from the presigned URL: HTTP ${get.status}: ${text}`);
  check(text === body, "GET from the presigned URL returned different bytes");
  // The object reads back through the SDK too, with its response checksum
  // validation on (the default).
  const sdk = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  check((await sdk.Body.transformToString()) === body, "GetObject after the presigned PUT returned different bytes");

  // Since 3.729 the SDK's default checksums put the CRC32 of the (absent)
  // body in a presigned PutObject URL; S3 does not check an upload's body
  // against it, and neither may Gatehouse.
  const crc = new URL(putURL).searchParams.get("x-amz-checksum-crc32");
  const note = crc === "AAAAAA==" ? "; the PUT URL carries the SDK's x-amz-checksum-crc32 of an empty body, which the upload is not held to, as in S3" : "";
  return (
    "getSignedUrl for PutObjectCommand and GetObjectCommand with the temporary credentials (X-Amz-Security-Token " +
    `in the query); fetch() PUT a body and GET it back unchanged${note}`
  );
});

// --- 5. Endpoint configuration -------------------------------------------
const execFileP = promisify(execFile);

// child runs endpoint_child.mjs with exactly env (plus PATH) as its
// environment: no AWS_* variable leaks in from this process.
async function child(env) {
  const { stdout } = await execFileP(process.execPath, [join(here, "endpoint_child.mjs")], {
    cwd: here,
    env: { PATH: process.env.PATH, HOME: env.HOME, BUCKET: bucket, ...env },
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split("\n").pop());
}

await feature(featEndpoint, async () => {
  const styles = [];
  const failed = [];
  const gatehouse = new URL(endpoint).origin;
  const verify = (name, r) => {
    const ok =
      r.ok && r.account === accountId && r.buckets?.includes(bucket) && r.hosts.length > 0 && r.hosts.every((h) => h === gatehouse);
    (ok ? styles : failed).push(ok ? name : `${name} (${r.error ?? "requests went to " + r.hosts.join(", ")})`);
  };

  // (a) the endpoint client option.
  {
    const hosts = new Set();
    const rec = (cmd, req) => hosts.add(`${req.protocol}//${req.hostname}${req.port ? ":" + req.port : ""}`);
    const r = { hosts: [] };
    try {
      const id = await requestLog(new STSClient({ endpoint, region, credentials: root }), rec).send(new GetCallerIdentityCommand({}));
      const s3 = requestLog(s3For(root), rec);
      const list = await s3.send(new ListBucketsCommand({}));
      await s3.send(new HeadBucketCommand({ Bucket: bucket }));
      Object.assign(r, { ok: true, account: id.Account, buckets: list.Buckets.map((b) => b.Name) });
    } catch (e) {
      Object.assign(r, { ok: false, error: `${e.name}: ${e.message}` });
    }
    r.hosts = [...hosts];
    verify("the endpoint client option", r);
  }

  const dir = await mkdtemp(join(tmpdir(), "gatehouse-js-"));
  try {
    const none = join(dir, "absent");
    const envCreds = {
      HOME: dir,
      AWS_ACCESS_KEY_ID: root.accessKeyId,
      AWS_SECRET_ACCESS_KEY: root.secretAccessKey,
      AWS_REGION: region,
      AWS_CONFIG_FILE: none,
      AWS_SHARED_CREDENTIALS_FILE: none,
      AWS_EC2_METADATA_DISABLED: "true",
    };
    // (b) AWS_ENDPOINT_URL for every service.
    verify("AWS_ENDPOINT_URL", await child({ ...envCreds, AWS_ENDPOINT_URL: endpoint }));
    // (c) the service-specific variables win over AWS_ENDPOINT_URL, here
    // pointed at a closed port.
    verify(
      "AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL_STS (winning over an AWS_ENDPOINT_URL that names a closed port)",
      await child({ ...envCreds, AWS_ENDPOINT_URL: "http://127.0.0.1:9", AWS_ENDPOINT_URL_S3: endpoint, AWS_ENDPOINT_URL_STS: endpoint }),
    );
    // (d) endpoint_url in a shared config profile, credentials and region
    // in the same profile.
    const config = join(dir, "config");
    await writeFile(
      config,
      [
        "[profile gh]",
        `endpoint_url = ${endpoint}`,
        `region = ${region}`,
        `aws_access_key_id = ${root.accessKeyId}`,
        `aws_secret_access_key = ${root.secretAccessKey}`,
        "",
        "[profile ghsvc]",
        "services = gh-services",
        `region = ${region}`,
        `aws_access_key_id = ${root.accessKeyId}`,
        `aws_secret_access_key = ${root.secretAccessKey}`,
        "",
        "[services gh-services]",
        "s3 =",
        `  endpoint_url = ${endpoint}`,
        "sts =",
        `  endpoint_url = ${endpoint}`,
        "",
      ].join("\n"),
    );
    const fileEnv = { HOME: dir, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: none, AWS_EC2_METADATA_DISABLED: "true" };
    verify("endpoint_url in the AWS_CONFIG_FILE profile named by AWS_PROFILE", await child({ ...fileEnv, AWS_PROFILE: "gh" }));
    // (e) a services section's per-service endpoint_url.
    verify("a profile's services section with s3 and sts endpoint_url", await child({ ...fileEnv, AWS_PROFILE: "ghsvc" }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }

  const note = "path-style S3 needs the forcePathStyle: true client option in every case (JS v3 reads no environment variable or config setting for it)";
  check(failed.length === 0, `GetCallerIdentity, ListBuckets and HeadBucket failed with: ${failed.join("; ")}; worked with: ${styles.join("; ") || "none"}; ${note}`);
  return `GetCallerIdentity, ListBuckets and HeadBucket reached Gatehouse with each of: ${styles.join("; ")}; ${note}`;
});

for (const f of [featAssumeRole, featProvider, featUpload, featPresign, featEndpoint]) {
  if (!results.includes(f)) {
    throw new Error(`compat.mjs: no result for ${f}`);
  }
}
