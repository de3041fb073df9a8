// The upload page. The app server logs the user in and, per upload, hands
// out temporary credentials (GET /api/credentials) that may only write under
// the user's prefix; the file then goes from the browser straight to
// Gatehouse's S3 API as a multipart upload.
import { S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";

const PART_SIZE = 5 * 1024 * 1024; // S3's minimum part size (except the last part)
const QUEUE_SIZE = 4; // parts in flight at once

const $ = (id) => document.getElementById(id);

/** fetchJSON GETs an app API and decodes its JSON answer. */
async function fetchJSON(path) {
  const res = await fetch(path, { headers: { Accept: "application/json" }, cache: "no-store" });
  if (res.status === 401) {
    showLogin();
    throw new Error("your session has ended, please log in again");
  }
  if (!res.ok) {
    throw new Error(`${path}: HTTP ${res.status}`);
  }
  return res.json();
}

function showLogin() {
  $("uploader").hidden = true;
  $("login").hidden = false;
  $("login-error").hidden = new URLSearchParams(location.search).get("login") !== "failed";
  $("login-user").focus();
}

function setProgress(percent) {
  $("progress").value = percent;
  $("percent").textContent = `${percent}%`;
}

function setStatus(text) {
  $("status").textContent = text;
}

/** refreshFiles shows the user's uploads, as the app lists them. */
async function refreshFiles() {
  const files = await fetchJSON("/api/files");
  const list = $("files");
  list.replaceChildren(
    ...files.map((f) => {
      const li = document.createElement("li");
      li.dataset.key = f.key;
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = f.key.slice(f.key.lastIndexOf("/") + 1);
      const size = document.createElement("span");
      size.className = "size";
      size.textContent = ` — ${formatSize(f.size)}, ${new Date(f.lastModified).toLocaleString()}`;
      li.append(name, size);
      return li;
    }),
  );
  if (files.length === 0) {
    const li = document.createElement("li");
    li.textContent = "No uploads yet.";
    list.replaceChildren(li);
  }
}

function formatSize(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** upload sends file to S3 with fresh temporary credentials. */
async function upload(file) {
  const c = await fetchJSON("/api/credentials");
  const client = new S3Client({
    region: c.region,
    endpoint: c.endpoint,
    forcePathStyle: true,
    // No CRC32 checksums on the parts: the bucket's CORS rules expose only
    // ETag, so the page could not read each part's x-amz-checksum-crc32
    // back, and S3 refuses to complete a CRC32 upload without them. Every
    // part is still checked: its SHA-256 is part of the SigV4 signature.
    // (To keep the SDK's default checksums, add x-amz-checksum-crc32 to the
    // rules' ExposeHeaders and drop this line.)
    requestChecksumCalculation: "WHEN_REQUIRED",
    credentials: {
      accessKeyId: c.accessKeyId,
      secretAccessKey: c.secretAccessKey,
      sessionToken: c.sessionToken,
      expiration: new Date(c.expiration),
    },
  });
  const job = new Upload({
    client,
    params: {
      Bucket: c.bucket,
      Key: c.prefix + file.name,
      Body: file,
      ContentType: file.type || "application/octet-stream",
    },
    partSize: PART_SIZE,
    queueSize: QUEUE_SIZE,
    leavePartsOnError: false, // abort the multipart upload on failure
  });
  job.on("httpUploadProgress", ({ loaded, total }) => {
    if (total) {
      // 100% only once the upload is complete.
      setProgress(Math.min(99, Math.floor((loaded * 100) / total)));
    }
  });
  return job.done();
}

async function onSubmit(event) {
  event.preventDefault();
  const file = $("file").files[0];
  if (!file) {
    setStatus("Choose a file first.");
    return;
  }
  $("upload").disabled = true;
  setProgress(0);
  setStatus(`Uploading ${file.name}…`);
  try {
    const out = await upload(file);
    setProgress(100);
    const etag = document.createElement("span");
    etag.id = "etag";
    etag.textContent = out.ETag ?? "";
    $("status").replaceChildren("Upload complete — ETag ", etag);
  } catch (err) {
    console.error(err);
    setStatus(`Upload failed: ${err.name ?? "Error"}: ${err.message}`);
    return;
  } finally {
    $("upload").disabled = false;
  }
  try {
    await refreshFiles();
  } catch (err) {
    console.error(err);
  }
}

async function main() {
  const { user } = await fetchJSON("/api/me");
  if (!user) {
    showLogin();
    return;
  }
  $("who").textContent = user;
  $("login").hidden = true;
  $("uploader").hidden = false;
  $("upload-form").addEventListener("submit", onSubmit);
  await refreshFiles();
}

main().catch((err) => {
  console.error(err);
  const p = document.createElement("p");
  p.className = "error";
  p.textContent = `The app is not answering: ${err.message}`;
  document.querySelector("main").append(p);
});
