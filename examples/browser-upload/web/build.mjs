// Builds the page into dist/: src/app.js bundled (with the AWS SDK) by
// esbuild, index.html and style.css copied as they are.
import * as esbuild from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";

const out = new URL("./dist/", import.meta.url);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

await esbuild.build({
  entryPoints: [new URL("./src/app.js", import.meta.url).pathname],
  outfile: new URL("app.js", out).pathname,
  bundle: true,
  format: "esm",
  platform: "browser",
  target: ["es2022"],
  minify: true,
  sourcemap: true,
  logLevel: "info",
});
for (const f of ["index.html", "style.css"]) {
  copyFileSync(new URL(f, import.meta.url), new URL(f, out));
}
