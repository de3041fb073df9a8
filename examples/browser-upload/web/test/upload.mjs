// Drives the page in a real Chromium: logs in as alice, uploads FILE,
// screenshots the page mid-upload and once complete, and checks that the
// file is listed. Prints one JSON line on stdout ({etag, progressSeen, …});
// diagnostics go to stderr. Exits non-zero on any failure.
//
// Environment:
//   APP_URL         the app, e.g. http://127.0.0.1:8080
//   FILE            the file to upload (large enough for several 5 MiB parts)
//   SCREENSHOT_DIR  where progress.png and complete.png are written
//   CHROMIUM        the browser (default /usr/bin/chromium; apt-get install -y chromium)
import { chromium } from "playwright-core";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

const USER = "alice";
const PASSWORD = "demo-alice";
const UPLOAD_TIMEOUT_MS = 3 * 60 * 1000; // the whole upload
const STEP_TIMEOUT_MS = 30 * 1000; // any other wait
// Loopback moves 50 MiB in about a second, too fast to watch the progress
// bar. Until the mid-upload screenshot is taken, Chromium's own network
// emulation holds uploads to a slow connection's speed, and nearly stops
// them while the screenshot is taken (which can take seconds on a busy
// machine); then it lets go.
const SLOW_UPLOAD_BYTES_PER_SECOND = 4 * 1024 * 1024;
const STALLED_UPLOAD_BYTES_PER_SECOND = 16 * 1024;

class Failure extends Error {}

function fail(message) {
  throw new Failure(message);
}

function env(name) {
  const v = process.env[name];
  if (!v) fail(`set ${name}`);
  return v;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

try {
  await main();
} catch (err) {
  console.error(`upload.mjs: ${err instanceof Failure ? err.message : (err?.stack ?? err)}`);
  process.exitCode = 1;
}

async function main() {
  const appURL = env("APP_URL");
  const file = env("FILE");
  const shots = env("SCREENSHOT_DIR");
  const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
  if (!existsSync(executablePath)) {
    fail(`Chromium not found at ${executablePath}: install it with \`apt-get install -y chromium\` (or set CHROMIUM)`);
  }
  mkdirSync(shots, { recursive: true });
  const progressShot = join(shots, "progress.png");
  const completeShot = join(shots, "complete.png");
  rmSync(progressShot, { force: true });
  rmSync(completeShot, { force: true });

  // A fresh profile every run. The background-networking flags keep
  // Chromium from calling home, which a closed network refuses.
  const profile = mkdtempSync(join(tmpdir(), "browser-upload-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    timeout: 60_000,
    viewport: { width: 900, height: 640 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.on("console", (m) => console.error(`page console.${m.type()}: ${m.text()}`));
    page.on("pageerror", (e) => console.error(`page error: ${e}`));
    page.on("requestfailed", (r) => console.error(`request failed: ${r.method()} ${r.url()}: ${r.failure()?.errorText}`));

    // Log in with the page's own form.
    await page.goto(appURL);
    await page.locator("#login").waitFor({ state: "visible" });
    await page.fill("#login-user", USER);
    await page.fill("#login-password", PASSWORD);
    await page.click("#login-submit");
    await page.locator("#uploader").waitFor({ state: "visible" });
    const who = await page.textContent("#who");
    if (who !== USER) fail(`logged in as ${JSON.stringify(who)}, want ${USER}`);

    // Throttle uploads through Chromium's network emulation (see above).
    const cdp = await context.newCDPSession(page);
    const throttle = (uploadThroughput) =>
      cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput });
    let stalled = false;
    const stall = async () => {
      if (!stalled) {
        stalled = true;
        await throttle(STALLED_UPLOAD_BYTES_PER_SECOND);
      }
    };
    await throttle(SLOW_UPLOAD_BYTES_PER_SECOND);

    // Record every value the progress bar takes, and stall the upload the
    // moment it first shows between 1% and 99%. The poll below can lag:
    // under automation, Chromium copies each part's body for DevTools as
    // fetch() sends it, which keeps the page's main thread busy for a while.
    await page.exposeBinding("progressChanged", (_source, v) => (v >= 1 && v <= 99 ? stall() : undefined));
    await page.evaluate(() => {
      const bar = document.getElementById("progress");
      const seen = (window.progressSeen = []);
      new MutationObserver(() => {
        const v = Number(bar.value);
        if (seen[seen.length - 1] !== v) {
          seen.push(v);
          window.progressChanged(v);
        }
      }).observe(bar, { attributes: true, attributeFilter: ["value"] });
    });

    const state = () =>
      page.evaluate(() => ({
        progress: Number(document.getElementById("progress").value),
        percent: document.getElementById("percent").textContent,
        status: document.getElementById("status").textContent,
      }));
    await page.setInputFiles("#file", file);
    const started = Date.now();
    await page.click("#upload");

    // Poll the progress bar and screenshot it as soon as it is between 1%
    // and 99%. The state read after the screenshot proves the upload was
    // still under way while it was taken.
    let mid = null;
    while (!mid && Date.now() - started < UPLOAD_TIMEOUT_MS) {
      const before = await state();
      if (before.status.startsWith("Upload failed")) fail(before.status);
      if (before.status.includes("Upload complete")) {
        fail(`the upload completed before the progress bar was seen between 1% and 99%: ${JSON.stringify(before)}`);
      }
      if (before.progress >= 1 && before.progress <= 99) {
        await stall();
        await page.screenshot({ path: progressShot });
        mid = { before, after: await state() };
      } else {
        await sleep(20);
      }
    }
    if (!mid) fail(`no progress within ${UPLOAD_TIMEOUT_MS / 1000}s`);
    if (mid.after.progress >= 100 || mid.after.status.includes("Upload complete")) {
      fail(`the upload completed while the progress screenshot was being taken: ${JSON.stringify(mid)}`);
    }
    console.error(`progress screenshot between ${mid.before.percent} and ${mid.after.percent} → ${progressShot}`);
    await throttle(-1);

    // Wait for the end of the upload, then for the list to show the file.
    await page.waitForFunction(
      () => {
        const s = document.getElementById("status").textContent;
        return s.includes("Upload complete") || s.startsWith("Upload failed");
      },
      null,
      { timeout: Math.max(1, UPLOAD_TIMEOUT_MS - (Date.now() - started)), polling: 100 },
    );
    const seconds = (Date.now() - started) / 1000;
    const done = await state();
    if (!done.status.includes("Upload complete")) fail(done.status);
    await page.locator("#files li", { hasText: basename(file) }).waitFor({ state: "visible" });
    const listed = await page.$$eval("#files li", (lis) => lis.map((li) => li.dataset.key));

    // The completion screenshot: check the text first, then shoot.
    const final = await state();
    if (!final.status.includes("Upload complete") || final.progress !== 100 || final.percent !== "100%") {
      fail(`unexpected state after the upload: ${JSON.stringify(final)}`);
    }
    await page.screenshot({ path: completeShot });
    console.error(`completion screenshot → ${completeShot}`);

    console.log(
      JSON.stringify({
        etag: await page.textContent("#etag"),
        progressSeen: await page.evaluate(() => window.progressSeen),
        status: final.status,
        progressShotAt: mid.before.progress,
        progressAfterShot: mid.after.progress,
        listed,
        seconds,
      }),
    );
  } finally {
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  }
}
