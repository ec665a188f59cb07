#!/usr/bin/env node
// Builds the front-end static files into saferschools/static_build/.
//
//   npm run build
//
// - compiles saferschools/frontend/app.scss (GOV.UK Frontend + project styles)
//   to static_build/css/app.css (compressed, no source map)
// - copies GOV.UK Frontend's fonts/images/manifest, its ES module bundle,
//   htmx and the project's own scripts (axe-core stays in node_modules: it is for the browser
//   tests only and must not be published with the static files)
//
// The output directory is a build artefact: it is emptied and rewritten on
// every run and must not be committed. Django serves it as /static/ (it is
// listed in STATICFILES_DIRS), which is why app.scss points GOV.UK Frontend's
// asset URLs at /static/govuk/assets/.
//
// Every source is checked before anything is written, so a missing file fails
// the build with a non-zero exit and leaves the previous output untouched.

import fs from "node:fs";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const rel = (p) => path.relative(root, p) || ".";

const nodeModules = path.join(root, "node_modules");
const frontendDir = path.join(root, "saferschools", "frontend");
const outDir = path.join(root, "saferschools", "static_build");
const govukDist = path.join(nodeModules, "govuk-frontend", "dist", "govuk");

const scssEntry = path.join(frontendDir, "app.scss");
const cssOut = path.join(outDir, "css", "app.css");

// [source, destination, kind] – kind is "file" or "dir".
const copies = [
  [path.join(govukDist, "assets"), path.join(outDir, "govuk", "assets"), "dir"],
  [
    path.join(govukDist, "govuk-frontend.min.js"),
    path.join(outDir, "govuk", "govuk-frontend.min.js"),
    "file",
  ],
  // govuk-frontend.min.js ends with a sourceMappingURL comment; Django's
  // ManifestStaticFilesStorage fails collectstatic if the map is missing.
  [
    path.join(govukDist, "govuk-frontend.min.js.map"),
    path.join(outDir, "govuk", "govuk-frontend.min.js.map"),
    "file",
  ],
  [
    path.join(nodeModules, "htmx.org", "dist", "htmx.min.js"),
    path.join(outDir, "js", "htmx.min.js"),
    "file",
  ],
  [path.join(frontendDir, "init.js"), path.join(outDir, "js", "init.js"), "file"],
  [path.join(frontendDir, "app.mjs"), path.join(outDir, "js", "app.mjs"), "file"],
];

function fail(message) {
  process.stderr.write(`build-static: ERROR: ${message}\n`);
  process.exit(1);
}

function checkSources() {
  const problems = [];
  const check = (p, kind) => {
    let stat;
    try {
      stat = fs.statSync(p);
    } catch {
      problems.push(`missing ${kind}: ${rel(p)}`);
      return;
    }
    if (kind === "dir" ? !stat.isDirectory() : !stat.isFile()) {
      problems.push(`not a ${kind === "dir" ? "directory" : "file"}: ${rel(p)}`);
    }
  };
  check(scssEntry, "file");
  for (const [src, , kind] of copies) check(src, kind);
  if (problems.length) {
    const hint = problems.some((p) => p.includes("node_modules"))
      ? "\nRun `npm ci` (or `npm install`) first."
      : "";
    fail(`source files are missing:\n  ${problems.join("\n  ")}${hint}`);
  }
}

async function compileSass() {
  let sass;
  try {
    sass = await import("sass");
  } catch (error) {
    fail(`cannot load the 'sass' package (${error.message}). Run \`npm ci\` first.`);
  }
  try {
    const result = sass.compile(scssEntry, {
      style: "compressed",
      sourceMap: false,
      importers: [new sass.NodePackageImporter(root)],
      loadPaths: [nodeModules],
      // Deprecation warnings from inside govuk-frontend are not ours to fix.
      quietDeps: true,
    });
    return result.css + "\n";
  } catch (error) {
    fail(`Sass compilation of ${rel(scssEntry)} failed:\n${error.message}`);
  }
}

// Copy a directory tree in a fixed (sorted) order; only regular files.
function copyDir(src, dest) {
  fs.mkdirSync(dest, { recursive: true });
  const entries = fs.readdirSync(src, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const from = path.join(src, entry.name);
    const to = path.join(dest, entry.name);
    if (entry.isDirectory()) copyDir(from, to);
    else if (entry.isFile()) fs.copyFileSync(from, to);
  }
}

async function main() {
  const started = process.hrtime.bigint();

  checkSources();
  const css = await compileSass();

  // Sanity check: GOV.UK Frontend's default asset path (/assets/) means the
  // $govuk-assets-path setting in app.scss was lost; those URLs would 404.
  const badUrl = css.match(/url\(["']?\/assets\/[^)]*\)/);
  if (badUrl) {
    fail(`compiled CSS refers to GOV.UK Frontend's default asset path: ${badUrl[0]}`);
  }

  // Everything needed has been read and compiled; now replace the output.
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(cssOut), { recursive: true });
  fs.writeFileSync(cssOut, css);
  for (const [src, dest, kind] of copies) {
    if (kind === "dir") copyDir(src, dest);
    else {
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.copyFileSync(src, dest);
    }
  }

  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(
    `build-static: wrote ${rel(outDir)}/ (css/app.css ${Math.round(css.length / 1024)} KiB) in ${ms.toFixed(0)} ms\n`,
  );
}

main().catch((error) => fail(error && error.stack ? error.stack : String(error)));
