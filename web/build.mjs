// The portal's build, run by make (npm run build): the API types must be what openapi-typescript
// makes of internal/httpapi/openapi.yaml today, the TypeScript must type-check (strict), and the
// bundle is written with index.html into ../build/web (OUT_DIR), its entry at most 150 KB gzipped.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const outDir = process.env.OUT_DIR ?? "../build/web";
const budget = 150 * 1024; // bytes of the gzipped entry bundle
const node = process.execPath;

function step(what, fn) {
  const t0 = Date.now();
  try {
    fn();
  } catch {
    console.error(`web: failed: ${what}`);
    process.exit(1);
  }
  console.log(`web: ${what} (${Date.now() - t0} ms)`);
}

// 1. The client's types are generated from the API's document; a stale copy fails the build.
step("API types match internal/httpapi/openapi.yaml", () => {
  const dir = mkdtempSync(join(tmpdir(), "portal-api-"));
  try {
    const fresh = join(dir, "schema.d.ts");
    execFileSync(node, ["node_modules/openapi-typescript/bin/cli.js", "../internal/httpapi/openapi.yaml", "-o", fresh, "--silent"], { stdio: "inherit" });
    if (readFileSync(fresh, "utf8") !== readFileSync("src/api/schema.d.ts", "utf8")) {
      console.error("web: src/api/schema.d.ts differs from internal/httpapi/openapi.yaml: run `npm --prefix web run gen` and commit the result");
      process.exit(1);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// 2. Strict TypeScript.
step("type-checked", () => execFileSync(node, ["node_modules/typescript/bin/tsc", "--noEmit", "-p", "."], { stdio: "inherit" }));

// 3. The bundle: one ES module and one stylesheet, no source from anywhere at run time.
mkdirSync(outDir, { recursive: true });
const t0 = Date.now();
await build({
  entryPoints: { app: "src/main.tsx" },
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2020"],
  outdir: outDir,
  legalComments: "none",
  jsx: "automatic",
  jsxImportSource: "preact",
  logLevel: "warning",
});
// The date formatter alone (src/dates.ts, no calendar), which the browser test imports to check
// each language's dates in the browser's own ICU; the portal itself does not load it.
await build({
  entryPoints: { dates: "src/dates.ts" },
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2020"],
  outdir: outDir,
  legalComments: "none",
  logLevel: "warning",
});
copyFileSync("index.html", join(outDir, "index.html"));
const entry = readFileSync(join(outDir, "app.js"));
const gz = gzipSync(entry, { level: 9 }).length;
writeFileSync(join(outDir, "size.json"), JSON.stringify({ entry: "app.js", bytes: entry.length, gzipBytes: gz, budgetGzipBytes: budget }) + "\n");
console.log(`web: bundled into ${outDir} (${Date.now() - t0} ms): app.js ${(entry.length / 1024).toFixed(1)} KB, ${(gz / 1024).toFixed(1)} KB gzipped (budget ${budget / 1024} KB)`);
if (gz > budget) {
  console.error(`web: the entry bundle is ${gz} bytes gzipped, over its budget of ${budget}`);
  process.exit(1);
}
