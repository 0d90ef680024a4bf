// Scenario "context" (issue 13, items 3 and 5): the context bar moves as a task goes (its two edits wait for
// approval, so the bar is read after each model call); Condense now replaces the oldest turns by a summary
// written by the summarise role (its own scripted server) and shows the condensed card; a follow-up then
// goes on from the summary; Source Control's Generate Commit Message puts the commit role's message for the
// staged change into the input box. The Python side (tests/test_extension_e2e.py) checks what reached
// each scripted server.

const TASK = "Write the two notes";
const FOLLOW_UP = "Anything else?";

async function serverRunning(frame, until) {
  await until("the server to run and report its model", async () => {
    const badge = (await frame.locator(".model-badge").textContent()) ?? "";
    return (await frame.locator("#header .server-state").count()) === 0 && !badge.includes("no model");
  });
}

async function used(frame) {
  const value = await frame.locator(".task:last-child .context-bar").getAttribute("data-used", { timeout: 1000 });
  return Number(value);
}

async function approveEdit(frame, index, until) {
  const card = frame.locator('.tool-card[data-tool="write_file"]').nth(index);
  await card.locator('button[data-action="approve"]').waitFor({ state: "visible" });
  await until(`the context bar after call ${index + 1}`, async () => (await frame.locator(".task:last-child .context-bar").count()) > 0);
  const tokens = await used(frame);
  await card.locator('button[data-action="approve"]').click();
  return tokens;
}

export async function context(page, { until, shot, chatFrame, runCommand, assertNoPanelError }) {
  await runCommand(page, "Flambeau: Open Panel");
  const frame = await chatFrame(page);
  await serverRunning(frame, until);

  // 1. A task with two edits: each waits for approval, and the bar has moved by then.
  await frame.locator("#task-input").fill(TASK);
  await frame.locator("#send").click();
  const first = await approveEdit(frame, 0, until);
  await shot(page, "context-bar-first-call");
  const second = await approveEdit(frame, 1, until);
  await shot(page, "context-bar-second-call");
  await until("the task to complete", async () => (await frame.locator(".task-status").last().textContent()) === "completed");
  const third = await until("the bar after the last call", async () => {
    const value = await used(frame);
    return value > second ? value : undefined;
  });
  const label = (await frame.locator(".context-bar .context-label").textContent()) ?? "";
  const tooltip = (await frame.locator(".context-bar .context-track").getAttribute("title")) ?? "";
  await frame.locator(".context-bar details.context-details summary").click();
  await assertNoPanelError(frame, "after the task");
  await shot(page, "context-bar-breakdown");

  // 2. Condense now: the summarise role's summary replaces the oldest turns; the card says which.
  await frame.locator('.context-bar button[data-action="condense"]').click();
  const card = frame.locator(".condensed-card");
  await card.waitFor({ state: "visible" });
  await card.locator("details.summary summary").click();
  const condensed = {
    title: (await card.locator(".tool-name").textContent()) ?? "",
    line: (await card.locator(".card-summary").textContent()) ?? "",
    summary: (await card.locator("pre").textContent()) ?? "",
  };
  const after = await used(frame);
  await assertNoPanelError(frame, "after Condense now");
  await shot(page, "condensed-card");

  // 3. A follow-up goes on from the summary.
  await frame.locator("#task-input").fill(FOLLOW_UP);
  await frame.locator("#send").click();
  await until("the follow-up to complete", async () => {
    const results = await frame.locator(".task").last().locator(".msg.result").allTextContents();
    return results.some((text) => text.includes("Nothing else."));
  });
  const afterFollowUp = await used(frame);
  await shot(page, "follow-up-after-condensing");

  // 4. Source Control: Generate Commit Message fills the input box from the staged change.
  // The item, not its icon: the count badge lies over the icon.
  await page.locator(".activitybar .action-item", { has: page.locator('a.action-label[aria-label^="Source Control"]') }).first().click();
  const action = page.locator('.part.sidebar .action-label[aria-label="Generate Commit Message"]').first();
  await until("the Generate Commit Message action in Source Control", async () => {
    if (await action.isVisible()) return true;
    await page.locator(".part.sidebar .pane-header").first().hover();
    return action.isVisible();
  });
  await shot(page, "scm-before");
  await action.click();
  const input = page.locator(".scm-editor .view-lines").first();
  const message = await until("the commit message in the input box", async () => {
    const text = ((await input.textContent()) ?? "").replace(/\u00a0/g, " ");
    return text.includes("Greet the world") ? text : undefined;
  });
  await shot(page, "commit-message-generated");
  process.stdout.write(`${JSON.stringify({ ok: true, used: [first, second, third], after, afterFollowUp, label, tooltip, condensed, message })}\n`);
}
