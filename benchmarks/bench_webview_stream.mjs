// Streaming benchmark for the chat webview, in headless Chromium (the engine VS Code's webviews run on):
// 2,000 text deltas into a task that already shows 40 tool cards, each delta folded into the state and
// patched into the DOM with a layout forced after it (one patch per delta: the worst case; the webview
// also coalesces deltas that arrive within one animation frame). Compared with rebuilding the whole
// transcript for every delta, which is what the panel did before.
//
// Run: node benchmarks/bench_webview_stream.mjs [--deltas 2000] [--cards 40] [--chromium /usr/bin/chromium]
// (needs extension/node_modules: `make vsix` or `cd extension && npm ci`).
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const extension = path.join(here, "..", "extension");
const require = createRequire(path.join(extension, "package.json"));
const esbuild = require("esbuild");
const { chromium } = require("playwright-core");

const option = (name, fallback) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : fallback;
};
const DELTAS = Number(option("deltas", "2000"));
const CARDS = Number(option("cards", "40"));
const executablePath = option("chromium", "/usr/bin/chromium");

const entry = `import { reduce, initialState } from "./src/webview/state"; import { renderTranscript } from "./src/webview/render";
window.bench = { reduce, initialState, renderTranscript };`;
const bundle = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "flambeau-bench-")), "webview.js");
await esbuild.build({ stdin: { contents: entry, resolveDir: extension, loader: "ts" }, bundle: true, format: "iife", platform: "browser", outfile: bundle, logLevel: "error" });
const css = fs.readFileSync(path.join(extension, "media", "chat.css"), "utf8");

function scenario({ deltas, cards, rebuild }) {
  const { reduce, initialState, renderTranscript } = window.bench;
  const task = "t-1";
  const event = (fields) => ({ type: "event", taskId: task, event: { task_id: task, ...fields } });
  let state = reduce(initialState(), event({ type: "task_started", task: "Refactor the parser", workspace: "/w", model: "m", profile: "p", locality: "local", rules: [], tools: [], prompt: "full", extra: {} }));
  for (let i = 0; i < cards; i += 1) {
    const id = `c${i}`;
    state = reduce(state, event({ type: "tool_call_proposed", call_id: id, tool: "read_file", category: "read", arguments: { path: `src/file${i}.py` } }));
    state = reduce(state, event({ type: "tool_result", call_id: id, tool: "read_file", ok: true, output: "x = 1\n".repeat(200), duration_s: 0.01, file_changes: [], data: {} }));
    state = reduce(state, event({ type: "text_delta", text: `Read file ${i}. ` }));
  }
  // Prose with a paragraph break every 60 words, as answers have.
  const words = "The parser keeps **two** cursors; `advance()` moves both, and the lexer hands back tokens. ".split(" ");
  const piece = (i) => (i % 60 === 59 ? "\n\n" : `${words[i % words.length]} `);
  const root = document.getElementById("transcript");
  root.replaceChildren();
  renderTranscript(root, state);
  const times = [];
  let built = 0;
  for (let i = 0; i < deltas; i += 1) {
    const started = performance.now();
    state = reduce(state, event({ type: "text_delta", text: piece(i) }));
    if (rebuild) root.replaceChildren();
    built += renderTranscript(root, state).built;
    void root.offsetHeight; // include style and layout, as the browser must before it paints
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return { median: at(0.5), p95: at(0.95), total: times.reduce((a, b) => a + b, 0), built: built / deltas };
}

const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
try {
  const page = await browser.newPage({ viewport: { width: 400, height: 900 } });
  await page.setContent(`<!DOCTYPE html><html><head><style>${css}</style></head><body><div class="layout"><div id="transcript"></div></div></body></html>`);
  await page.addScriptTag({ path: bundle });
  const patched = await page.evaluate(scenario, { deltas: DELTAS, cards: CARDS, rebuild: false });
  const rebuilt = await page.evaluate(scenario, { deltas: DELTAS, cards: CARDS, rebuild: true });
  const version = browser.version();
  const row = (name, r) =>
    `| ${name} | ${r.median.toFixed(3)} ms | ${r.p95.toFixed(3)} ms | ${(r.total / 1000).toFixed(2)} s | ${r.built.toFixed(1)} |`;
  console.log(`${DELTAS} deltas into a task with ${CARDS} tool cards (Chromium ${version}, headless)`);
  console.log("| rendering | per delta, median | p95 | all deltas | nodes built per delta |");
  console.log("|---|---:|---:|---:|---:|");
  console.log(row("patch what changed (now)", patched));
  console.log(row("rebuild the transcript (before)", rebuilt));
} finally {
  await browser.close();
}
