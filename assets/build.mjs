// Hearth front-end asset build: `npm run build` (Node >= 20, no network).
//
// Writes static/ from scratch:
//   static/<name>.<hash>.css|js   fingerprinted stylesheets and scripts
//   static/manifest.json          logical name -> fingerprinted file name
//   static/assets/images/*        images referenced by the CSS (plain names,
//                                 served by the app at /assets/images/...)
//
// and checks the result: no GDS Transport / @font-face / font files in the CSS,
// every CSS url() exists under static/assets/, and the portal's first-load
// weight stays within budget.

import { createHash } from "node:crypto";
import { cp, mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as sass from "sass";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const assetsDir = join(root, "assets");
const outDir = join(root, "static");
const imagesOut = join(outDir, "assets", "images");
const modules = join(root, "node_modules");

const GOVUK = join(modules, "govuk-frontend", "dist", "govuk");
const MOJ = join(modules, "@ministryofjustice", "frontend", "moj");

// Stylesheets: manifest key -> Sass entry point.
const STYLESHEETS = {
  "portal.css": join(assetsDir, "portal.scss"),
  "backoffice.css": join(assetsDir, "backoffice.scss"),
};

// Third-party scripts, copied as they are (minus their source map comment).
// govuk-frontend and moj-frontend are ES modules; htmx is a classic script.
const VENDOR_SCRIPTS = {
  "govuk-frontend.js": join(GOVUK, "govuk-frontend.min.js"),
  "moj-frontend.js": join(MOJ, "moj-frontend.min.js"),
  "htmx.js": join(modules, "htmx.org", "dist", "htmx.min.js"),
};

// Our ES modules, in dependency order. They import each other and the vendor
// modules by manifest key ("./govuk-frontend.js"), rewritten here to the
// fingerprinted names, so each file's hash also covers what it imports.
const OWN_SCRIPTS = {
  "init.js": join(assetsDir, "js", "init.mjs"),
  "backoffice-init.js": join(assetsDir, "js", "backoffice-init.mjs"),
};

// Image directories whose files CSS may reference via /assets/images/.
// All GOV.UK Frontend images are copied (including favicons and app icons,
// which are GOV.UK-branded: do not use them in Hearth pages). From MOJ
// Frontend only the images its CSS references are copied.
const GOVUK_IMAGES = join(GOVUK, "assets", "images");
const MOJ_IMAGES = join(MOJ, "assets", "images");

// The portal's first load: HTML + these files, gzipped, must stay under 35 KB. The front
// page and sign-in do not load htmx; a signed-in applicant's pages and the referral journey
// load it once (then each step fetches only the page's content).
const FIRST_LOAD_BUDGET = 35 * 1024;
const HTML_ALLOWANCE = 5 * 1024; // room kept for the HTML document itself
const PORTAL_FIRST_LOAD = ["portal.css", "govuk-frontend.js", "init.js"];
const BOOSTED_EXTRA = ["htmx.js"];

const ASSETS_URL = "/assets/";

// --------------------------------------------------------------------------

const manifest = {};
const outputs = []; // { key, file, bytes }

function fingerprint(key, contents) {
  const hash = createHash("sha256").update(contents).digest("hex").slice(0, 8);
  const dot = key.lastIndexOf(".");
  return `${key.slice(0, dot)}.${hash}${key.slice(dot)}`;
}

async function emit(key, contents) {
  const bytes = Buffer.from(contents);
  const file = fingerprint(key, bytes);
  await writeFile(join(outDir, file), bytes);
  manifest[key] = file;
  outputs.push({ key, file, bytes });
}

function stripSourceMapComment(js) {
  return js.replace(/\s*\/\/# sourceMappingURL=\S+\s*$/, "\n");
}

function isDependency(url) {
  return url?.protocol === "file:" && fileURLToPath(url).startsWith(modules);
}

// Warnings from govuk-frontend / MOJ Frontend (deprecations they have not
// caught up with yet, and GOV.UK Frontend's own @warn deprecation notices that
// MOJ Frontend gives us no way to suppress) are counted, not printed.
// Warnings from our own Sass are printed.
let dependencyWarnings = 0;
const logger = {
  warn(message, { deprecation, span, stack }) {
    if (isDependency(span?.url) || (!span && stack?.includes("node_modules/"))) {
      dependencyWarnings += 1;
      return;
    }
    const where = span?.url ? `${relative(root, fileURLToPath(span.url))}:${span.start.line + 1}` : "";
    console.warn(`Sass ${deprecation ? "deprecation " : ""}warning ${where}\n  ${message}`);
  },
  debug(message, { span }) {
    console.warn(`Sass debug ${span?.url ?? ""}: ${message}`);
  },
};

function compileStylesheet(entry) {
  const result = sass.compile(entry, {
    style: "compressed",
    sourceMap: false,
    quietDeps: true,
    logger,
    // `pkg:` URLs (pkg:govuk-frontend, pkg:@ministryofjustice/frontend)
    importers: [new sass.NodePackageImporter(root)],
    // MOJ Frontend loads GOV.UK Frontend as "node_modules/govuk-frontend/…"
    loadPaths: [root],
  });
  return result.css;
}

// Every url() in the CSS must be a file under static/assets/ (copied from one
// of the image directories if needed); nothing may refer to fonts.
async function resolveCssUrls(key, css) {
  const problems = [];
  if (/GDS Transport/i.test(css)) problems.push('mentions "GDS Transport"');
  if (/@font-face/i.test(css)) problems.push("contains @font-face");

  const urls = new Set([...css.matchAll(/url\(\s*(["']?)([^"')]+)\1\s*\)/g)].map((m) => m[2]));
  for (const url of urls) {
    if (url.startsWith("data:")) continue;
    if (!url.startsWith(`${ASSETS_URL}images/`) || /\.(woff2?|ttf|otf|eot)$/i.test(url)) {
      problems.push(`unexpected url(${url})`);
      continue;
    }
    const name = url.slice(`${ASSETS_URL}images/`.length);
    const target = join(imagesOut, name);
    if (existsSync(target)) continue;
    const source = [GOVUK_IMAGES, MOJ_IMAGES].map((dir) => join(dir, name)).find(existsSync);
    if (!source) {
      problems.push(`url(${url}) matches no image in govuk-frontend or MOJ Frontend`);
      continue;
    }
    await cp(source, target);
  }
  if (problems.length) {
    throw new Error(`${key}:\n  ${problems.join("\n  ")}`);
  }
  return urls.size;
}

function rewriteImports(key, js) {
  // import … from "./x.js" | import "./x.js" | import("./x.js")
  return js.replace(
    /(\bfrom\s*|\bimport\s*\(?\s*)(["'])\.\/([^"']+)\2/g,
    (match, prefix, quote, specifier) => {
      const target = manifest[specifier];
      if (!target) {
        throw new Error(`${key}: import "./${specifier}" is not a manifest key built before it`);
      }
      return `${prefix}${quote}./${target}${quote}`;
    },
  );
}

function formatKB(n) {
  return `${(n / 1024).toFixed(1).padStart(6)} KB`;
}

// --------------------------------------------------------------------------

await rm(outDir, { recursive: true, force: true });
await mkdir(imagesOut, { recursive: true });

// Images: all of GOV.UK Frontend's (plain names under static/assets/images/).
await cp(GOVUK_IMAGES, imagesOut, { recursive: true });

for (const [key, entry] of Object.entries(STYLESHEETS)) {
  const css = compileStylesheet(entry);
  await resolveCssUrls(key, css);
  await emit(key, css);
}

for (const [key, source] of Object.entries(VENDOR_SCRIPTS)) {
  await emit(key, stripSourceMapComment(await readFile(source, "utf8")));
}

for (const [key, source] of Object.entries(OWN_SCRIPTS)) {
  await emit(key, rewriteImports(key, await readFile(source, "utf8")));
}

const sortedManifest = Object.fromEntries(Object.entries(manifest).sort(([a], [b]) => a.localeCompare(b)));
await writeFile(join(outDir, "manifest.json"), `${JSON.stringify(sortedManifest, null, 2)}\n`);

// --------------------------------------------------------------------------
// Summary

const gz = (bytes) => gzipSync(bytes).length; // default level (6), like most servers
const width = Math.max(...outputs.map((o) => o.file.length));
console.log(`Built ${relative(process.cwd(), outDir) || "."}/ (raw, gzip):`);
for (const { file, bytes } of outputs) {
  console.log(`  ${file.padEnd(width)} ${formatKB(bytes.length)} ${formatKB(gz(bytes))}`);
}
const images = await readdir(imagesOut);
console.log(`  assets/images/: ${images.length} files; manifest.json: ${Object.keys(manifest).length} entries`);
if (dependencyWarnings) {
  console.log(`  (${dependencyWarnings} Sass warnings from dependencies not shown)`);
}

const firstLoad = PORTAL_FIRST_LOAD.reduce((sum, key) => sum + gz(outputs.find((o) => o.key === key).bytes), 0);
console.log(
  `Portal first load (${PORTAL_FIRST_LOAD.join(" + ")}): ${formatKB(firstLoad).trim()} gzipped` +
    ` of a ${FIRST_LOAD_BUDGET / 1024} KB budget (${HTML_ALLOWANCE / 1024} KB kept for HTML)`,
);
const boostedExtra = BOOSTED_EXTRA.reduce((sum, key) => sum + gz(outputs.find((o) => o.key === key).bytes), 0);
console.log(`A boosted portal page's first load adds ${BOOSTED_EXTRA.join(" + ")}: ${formatKB(boostedExtra).trim()} gzipped`);
if (firstLoad > FIRST_LOAD_BUDGET - HTML_ALLOWANCE) {
  console.error("Portal first-load assets are over budget.");
  process.exitCode = 1;
}
