// The web edition in a real browser: every page of build/html/ through axe-core at WCAG 2.1 AA
// (the run fails on any violation), and screenshots of the index, a policy page and an
// action-plan page at 1280 px and 375 px.
//
//   npm install --prefix tools/web-check axe-core puppeteer-core   (once; node_modules is ignored)
//   node tools/web-check/check.mjs <built project> [<screenshot folder>]
//
// Chromium: Debian's `chromium` (CHROMIUM=/path/to/chrome to use another). An edition with web
// fonts (html: fonts: in sources/hakusho.yaml) is also checked for them: every face of its
// web-fonts.css loads (Chromium's font sanitizer accepts it), and every glyph of the checked text
// (headings, paragraphs, table cells of each page) is drawn from a web font, none from the
// machine's fonts. An edition without them asks for the reader's fonts: a machine without a
// Japanese system font then shows boxes in the screenshots (install one, e.g. the project's BIZ
// UD: cp fonts/*.ttf ~/.local/share/fonts/ && fc-cache).
import { readdirSync, statSync, mkdirSync } from "node:fs";
import { join, resolve, relative } from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const puppeteer = require("puppeteer-core");
const axePath = require.resolve("axe-core/axe.min.js");

const project = resolve(process.argv[2] ?? ".");
const shots = process.argv[3] ? resolve(process.argv[3]) : null;
const root = join(project, "build", "html");

function pages(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return pages(p);
    return name.endsWith(".html") ? [p] : [];
  });
}

// The pages the README shows: the white paper's index, its policies (第2節) and its action
// plan (第2章 第2節), found by their headings rather than by number.
async function pageWithHeading(browser, files, text) {
  const page = await browser.newPage();
  try {
    for (const f of files) {
      await page.goto(pathToFileURL(f).href);
      const h1 = await page.$eval("main h1", (h) => h.textContent).catch(() => "");
      if (h1.includes(text)) return f;
    }
  } finally {
    await page.close();
  }
  return null;
}

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--font-render-hinting=none"],
  headless: true,
});
let violations = 0;
let fontFailures = 0;
const all = pages(root).sort();

// The web fonts of the page just loaded: faces that fail to load, and glyphs of the checked
// elements drawn by a font that is not one of them. Nothing to check without web-fonts.css.
async function checkWebFonts(page, client) {
  const linked = await page.$("link[href$='web-fonts.css']");
  if (!linked) return [];
  const problems = await page.evaluate(async () => {
    const out = [];
    for (const face of document.fonts) {
      try {
        await face.load();
      } catch (e) {
        out.push(`web font ${face.family} ${face.weight} does not load: ${e}`);
      }
    }
    await document.fonts.ready;
    return out;
  });
  const { root: doc } = await client.send("DOM.getDocument", { depth: -1 });
  const { nodeIds } = await client.send("DOM.querySelectorAll", {
    nodeId: doc.nodeId,
    selector: "main h1, main h2, main h3, main p, main th, main td, main li",
  });
  for (const nodeId of nodeIds.slice(0, 60)) {
    const { fonts } = await client.send("CSS.getPlatformFontsForNode", { nodeId });
    for (const f of fonts.filter((f) => !f.isCustomFont)) {
      problems.push(`${f.glyphCount} glyphs drawn by the machine's font ${f.familyName}, not a web font`);
    }
  }
  return problems;
}

try {
  const page = await browser.newPage();
  const client = await page.target().createCDPSession();
  await client.send("DOM.enable");
  await client.send("CSS.enable");
  for (const file of all) {
    await page.goto(pathToFileURL(file).href);
    for (const problem of await checkWebFonts(page, client)) {
      fontFailures += 1;
      console.log(`${relative(project, file)}: ${problem}`);
    }
    await page.addScriptTag({ path: axePath });
    const result = await page.evaluate(() =>
      // eslint-disable-next-line no-undef
      axe.run(document, {
        runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
      }),
    );
    for (const v of result.violations) {
      violations += v.nodes.length;
      console.log(`${relative(project, file)}: ${v.id} (${v.impact}): ${v.help}`);
      for (const n of v.nodes.slice(0, 3)) console.log(`    ${n.target.join(" ")}`);
    }
  }
  await page.close();
  console.log(`axe-core ${require("axe-core/package.json").version}, WCAG 2.1 AA: ${all.length} pages, ${violations} violations`);
  console.log(`web fonts: ${fontFailures} problems`);

  if (shots) {
    mkdirSync(shots, { recursive: true });
    const paper = pages(join(root, "hakusho-2021")).sort();
    const wanted = [
      ["index", join(root, "hakusho-2021", "index.html")],
      ["policy", await pageWithHeading(browser, paper, "各施策の進捗状況")],
      ["action-plan", await pageWithHeading(browser, paper, "各体系の主な取り組み状況")],
    ];
    const page = await browser.newPage();
    for (const [name, file] of wanted) {
      if (!file) throw new Error(`no page for ${name}`);
      for (const [width, height] of [[1280, 900], [375, 812]]) {
        await page.setViewport({ width, height, deviceScaleFactor: 1 });
        await page.goto(pathToFileURL(file).href);
        const out = join(shots, `web-${name}-${width}.png`);
        await page.screenshot({ path: out });
        console.log(`screenshot ${relative(process.cwd(), out)}`);
      }
    }
    await page.close();
  }
} finally {
  await browser.close();
}
process.exit(violations === 0 && fontFailures === 0 ? 0 : 1);
