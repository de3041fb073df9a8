// One endpoint-configuration style, run by compat.mjs in a child process
// whose environment is all the configuration there is: no `endpoint`
// option here, so the SDK must find Gatehouse through AWS_ENDPOINT_URL,
// AWS_ENDPOINT_URL_<SERVICE> or the shared config file's endpoint_url.
// Credentials and region come from the same environment or profile.
// GetCallerIdentity (STS), ListBuckets and HeadBucket (S3, path-style via
// the forcePathStyle client option: JS v3 reads no environment variable or
// config setting for it). Prints one JSON object; exits 0 when it could
// report, even if a call failed.
import { HeadBucketCommand, ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";

const bucket = process.env.BUCKET;
const hosts = new Set(); // where the signed requests went

// A deserialize-step middleware sees the request exactly as it is sent.
function recordHost(client) {
  client.middlewareStack.add(
    (next) => async (args) => {
      const r = args.request;
      hosts.add(`${r.protocol}//${r.hostname}${r.port ? ":" + r.port : ""}`);
      return next(args);
    },
    { step: "deserialize", name: "gatehouseRecordHost", priority: "low" },
  );
  return client;
}

const out = { hosts: [] };
try {
  const sts = recordHost(new STSClient({ maxAttempts: 1 }));
  const s3 = recordHost(new S3Client({ forcePathStyle: true, maxAttempts: 1 }));
  const id = await sts.send(new GetCallerIdentityCommand({}));
  out.account = id.Account;
  out.arn = id.Arn;
  const list = await s3.send(new ListBucketsCommand({}));
  out.buckets = (list.Buckets ?? []).map((b) => b.Name);
  await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  out.ok = true;
} catch (e) {
  out.ok = false;
  out.error = `${e.name}: ${e.message}`;
}
out.hosts = [...hosts];
console.log(JSON.stringify(out));
