// Bundles the editor into ../wwwroot: one script, one stylesheet, the page. No CDN at run time.
import { build } from "esbuild";
import { copyFile, mkdir } from "node:fs/promises";

const out = new URL("../wwwroot/", import.meta.url);
await mkdir(out, { recursive: true });
await build({
  entryPoints: [new URL("./src/main.js", import.meta.url).pathname],
  bundle: true,
  minify: true,
  sourcemap: false,
  format: "esm",
  target: ["es2020"],
  outfile: new URL("app.js", out).pathname,
  legalComments: "none",
});
await copyFile(new URL("./src/index.html", import.meta.url), new URL("index.html", out));
await copyFile(new URL("./src/styles.css", import.meta.url), new URL("styles.css", out));
