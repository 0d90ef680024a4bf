// Scenario "history" (issue 13): a task finishes; the window reloads (the extension host and the server
// restart); the task is still in the Traces view (the History), read from its trace; opening it shows its
// conversation with the chat's cards; a follow-up typed there resumes it from the trace, in a new task shown
// in its place. The Python side (tests/test_extension_e2e.py) checks what reached the scripted model.

const FIRST = "What do the notes say?";
const FOLLOW_UP = "Which bird exactly?";

async function serverRunning(frame, until) {
  await until("the server to run and report its model", async () => {
    const badge = (await frame.locator(".model-badge").textContent()) ?? "";
    return (await frame.locator("#header .server-state").count()) === 0 && !badge.includes("no model");
  });
}

async function send(frame, text) {
  await frame.locator("#task-input").fill(text);
  await frame.locator("#send").click();
}

function historyRow(page, text) {
  const pane = page.locator(".pane", { has: page.locator(".pane-header", { hasText: "Traces" }) });
  return { pane, row: pane.locator(".monaco-list-row", { hasText: text }) };
}

async function expandTraces(page) {
  const header = page.locator('.pane-header[aria-expanded="false"]', { has: page.locator("h3.title", { hasText: /^Traces$/ }) }).first();
  if (await header.count()) await header.click();
}

export async function history(page, { until, shot, chatFrame, runCommand, assertNoPanelError }) {
  await runCommand(page, "Flambeau: Open Panel");
  let frame = await chatFrame(page);
  await serverRunning(frame, until);

  // 1. A task reads a file and finishes.
  await send(frame, FIRST);
  await until("the first task to complete", async () => (await frame.locator(".task-status").last().textContent()) === "completed");
  await frame.locator('.tool-card[data-tool="read_file"]').first().waitFor({ state: "visible" });
  await assertNoPanelError(frame, "after the first task");
  await shot(page, "first-task-done");

  // 2. Reload the window: a new extension host, a new server; nothing held in memory survives.
  await page.reload();
  await page.locator(".monaco-workbench").waitFor({ state: "visible" });
  await runCommand(page, "Flambeau: Open Panel");
  frame = await chatFrame(page);
  await serverRunning(frame, until);
  // The chat the panel saved may predate the task's end, or be missing (a browser reload does not always
  // flush it). A task it shows is read again from its trace, which says it completed, with its result.
  await until("the saved chat to show the first task as its trace ends it (or nothing)", async () => {
    if ((await frame.locator(".task").count()) === 0) return true;
    const status = await frame.locator(".task-status").last().textContent({ timeout: 1000 });
    const result = (await frame.locator(".msg.result").last().textContent({ timeout: 1000 }).catch(() => "")) ?? "";
    return status === "completed" && result.includes("bird");
  });
  await expandTraces(page);
  const { row } = historyRow(page, FIRST);
  await until("the past task in the History after the reload", async () => {
    if (await row.first().isVisible()) return true;
    await runCommand(page, "Flambeau: Refresh Traces");
    await row.first().waitFor({ state: "visible", timeout: 3000 }).catch(() => undefined);
    return row.first().isVisible();
  });
  const description = (await row.first().locator(".label-description").textContent()) ?? "";
  if (!description.includes("completed") || !description.includes("intact") || !description.includes("$")) {
    throw new Error(`the History row does not show outcome, cost and verify state: "${description}"`);
  }
  await shot(page, "history-after-reload");

  // 3. Open it: the conversation as it happened, with the chat's cards (the read file's output included).
  await frame.locator("#new-task").click().catch(() => undefined);
  await row.first().click();
  frame = await chatFrame(page);
  const output = frame.locator('.task:last-child .tool-card[data-tool="read_file"] details.output pre');
  await until("the past conversation in the chat", async () => ((await output.first().textContent()) ?? "").includes("plover"));
  await frame.locator('.task:last-child .tool-card[data-tool="read_file"] details.output summary').first().click();
  const opened = await frame.locator(".task").last().locator(".msg.result").first().textContent();
  await assertNoPanelError(frame, "after opening the past task");
  await shot(page, "history-opened");

  // 4. A follow-up typed there resumes it from its trace (a new task, shown in its place).
  await send(frame, FOLLOW_UP);
  await until("the resumed task to complete", async () => {
    const results = await frame.locator(".task").last().locator(".msg.result").allTextContents();
    return results.some((text) => text.includes("It was a plover.")) && (await frame.locator(".task-status").last().textContent()) === "completed";
  });
  const sections = await frame.locator(".task").count();
  const users = await frame.locator(".task").last().locator(".msg.user").allTextContents();
  await assertNoPanelError(frame, "after the resume");
  await shot(page, "resumed");

  // 5. Both traces are in the History; the new one says it resumed the first.
  await runCommand(page, "Flambeau: Refresh Traces");
  await until("two tasks in the History", async () => (await row.count()) === 2);
  const descriptions = await row.locator(".label-description").allTextContents();
  if (!descriptions.some((text) => text.includes("resumed"))) throw new Error(`no History row says it resumed: ${descriptions.join(" | ")}`);
  await shot(page, "history-two-tasks");
  process.stdout.write(`${JSON.stringify({ ok: true, description, opened, sections, users, descriptions })}\n`);
}
