// Scenario "listens" (issue 14): the panel's input autocompletes @-mentions and shows them as chips; Add to
// Flambeau from the explorer, the editor's selection menu and a problem's quick fix puts mentions into it;
// @problems, @selection and @terminal send the editor's diagnostics, selection and last terminal command;
// the model asks a question answered with a button; the proposal is edited in the diff before Approve (the
// file on disk is the edited text); a command is denied with a reason; an unresolvable mention keeps the
// input and says why; a pasted image goes to a profile with vision, and one without vision refuses it.
// The Python side (tests/test_extension_e2e.py) checks what reached the scripted model.
import * as fs from "node:fs";
import * as path from "node:path";

/** A 1×1 PNG (what the Python side looks for in the recorded request). */
export const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
const EDITED = "hello, edited world";
const REASON = "use the Makefile target instead";

export async function listens(page, { workspace, until, shot, chatFrame, runCommand, assertNoPanelError, cardStatus }) {
  await runCommand(page, "Flambeau: Open Panel");
  let frame = await chatFrame(page);
  await until("the server to run and report its model", async () => {
    const badge = (await frame.locator(".model-badge").textContent()) ?? "";
    return (await frame.locator("#header .server-state").count()) === 0 && badge.includes("seeing");
  });
  // The other views folded: the chat gets the side bar's height (the screenshots show more of it).
  for (const view of ["Models", "Traces"]) {
    const header = page.locator('.pane-header[aria-expanded="true"]', { has: page.locator("h3.title", { hasText: new RegExp(`^${view}$`) }) }).first();
    if (await header.count()) await header.click();
  }
  const input = () => frame.locator("#task-input");
  const value = () => input().inputValue();
  const chips = () => frame.locator("#composer-chips .chip-label").allTextContents();
  const list = () => frame.locator("#mention-list");

  // 0. A command in a terminal with shell integration: what @terminal attaches.
  await runCommand(page, "Terminal: Create New Terminal");
  await page.locator(".terminal-wrapper.active .xterm").waitFor({ state: "visible" });
  await until("the shell's prompt with shell integration", async () => (await page.locator(".terminal-wrapper.active .terminal-command-decoration").count()) > 0);
  await page.locator(".terminal-wrapper.active .xterm").click();
  // The output comes a moment after the command starts, as a test run's does (an instant `echo` can reach
  // the extension's shell-integration events after its output went by).
  await page.keyboard.type("sleep 1; echo flambeau-$((6*7))");
  await page.keyboard.press("Enter");
  await until("the command to finish in the terminal", async () => (await page.locator(".terminal-wrapper.active .terminal-command-decoration").count()) > 1);

  // 1. Typing @ lists the workspace's files, fuzzy-matched; the choice becomes a mention and a chip.
  await input().click();
  await input().pressSequentially("Explain @hel");
  await list().locator(".mention-item", { hasText: "hello.txt" }).first().waitFor({ state: "visible" });
  await until("hello.txt to be the first suggestion", async () => ((await list().locator(".mention-item.active").textContent()) ?? "").includes("hello.txt"));
  await shot(page, "mention-autocomplete");
  await input().press("Enter");
  await until("the chosen mention in the input", async () => (await value()) === "Explain @hello.txt ");
  await input().pressSequentially("and @git");
  await list().locator(".mention-item", { hasText: "@git-changes" }).first().click();
  await until("the keyword mention in the input", async () => (await value()) === "Explain @hello.txt and @git-changes ");
  const typedChips = await chips();
  if (typedChips.join("|") !== "@hello.txt|@git-changes") throw new Error(`the composer's chips are ${typedChips.join(", ")}`);
  await shot(page, "mention-chips");

  // 2. Add to Flambeau from the explorer's context menu.
  await runCommand(page, "View: Show Explorer");
  const row = page.locator(".explorer-folders-view .monaco-list-row", { hasText: "app.py" }).first();
  await row.waitFor({ state: "visible" });
  await row.click({ button: "right" });
  const explorerItem = page.locator(".context-view .action-item", { hasText: "Add to Flambeau" }).first();
  await explorerItem.waitFor({ state: "visible" });
  await shot(page, "explorer-menu-add-to-flambeau");
  await explorerItem.click();
  frame = await chatFrame(page);
  await until("@app.py added to the input", async () => (await value()).endsWith("@app.py "));

  // 3. ... from the editor's selection menu: the selected lines.
  await page.keyboard.press("Control+P");
  await page.locator(".quick-input-widget input").fill("app.py");
  await page.locator(".quick-input-widget .monaco-list-row", { hasText: "app.py" }).first().waitFor({ state: "visible" });
  await page.keyboard.press("Enter");
  const line = page.locator(".editor-instance .monaco-editor .view-line", { hasText: "return" }).first();
  await line.waitFor({ state: "visible" });
  await line.click();
  await page.keyboard.press("Home");
  await page.keyboard.press("Shift+End");
  // Right-click inside the selection (outside it, the click would move the cursor and drop the selection).
  await line.locator("span", { hasText: "hello" }).last().click({ button: "right" });
  const editorItem = page.locator(".context-view .action-item", { hasText: "Add to Flambeau" }).first();
  await editorItem.waitFor({ state: "visible" });
  await shot(page, "editor-selection-menu-add-to-flambeau");
  await editorItem.click();
  frame = await chatFrame(page);
  await until("@app.py:2 added to the input", async () => (await value()).endsWith("@app.py:2 "));

  // 4. ... and from a problem's quick fix (the JSON language service flags broken.json).
  await page.keyboard.press("Control+P");
  await page.locator(".quick-input-widget input").fill("broken.json");
  await page.locator(".quick-input-widget .monaco-list-row", { hasText: "broken.json" }).first().waitFor({ state: "visible" });
  await page.keyboard.press("Enter");
  await runCommand(page, "Problems: Focus on Problems View");
  const problem = page.locator(".markers-panel .monaco-list-row", { hasText: /[Tt]railing comma/ }).first();
  await problem.waitFor({ state: "visible" });
  const fixItem = page.locator(".context-view .action-item", { hasText: "Add to Flambeau" }).first();
  // The quick fixes are asked for when the key is pressed; before the language service answered there are none.
  await until("the problem's quick fix menu", async () => {
    await problem.click();
    await page.keyboard.press("Control+.");
    if (await fixItem.waitFor({ state: "visible", timeout: 3000 }).then(() => true, () => false)) return true;
    await page.keyboard.press("Escape");
    return false;
  });
  // The menu fades in: the screenshot waits until it is fully shown.
  await until("the quick fix menu to be fully shown", async () => (await fixItem.evaluate((e) => getComputedStyle(e.closest(".context-view") ?? e).opacity)) === "1");
  await shot(page, "problem-quick-fix-add-to-flambeau");
  await fixItem.click();
  frame = await chatFrame(page);
  await until("the problem's mention added to the input", async () => /@broken\.json:1 \(.*[Tt]railing comma.*\) $/.test(await value()));
  // The editor's context: its problems, its selection, the terminal's last command (sent with the task).
  await input().focus();
  await input().press("Control+End");
  for (const keyword of ["problems", "selection", "terminal"]) {
    await input().pressSequentially(`@${keyword.slice(0, 4)}`);
    await list().locator(".mention-item.active", { hasText: `@${keyword}` }).waitFor({ state: "visible" });
    await input().press("Enter");
  }
  const added = await chips();
  const expected = "@hello.txt|@git-changes|@app.py|@app.py:2|@broken.json:1|@problems|@selection|@terminal";
  if (added.join("|") !== expected) throw new Error(`the composer's chips are ${added.join(", ")}`);
  await shot(page, "add-to-flambeau-chips");

  // 5. The task goes out with what it mentions; the model asks a question, answered with a button.
  await frame.locator("#send").click();
  await until("the input to be cleared once the task started", async () => (await value()) === "");
  const taskChips = frame.locator(".task").last().locator(".attached .chip");
  await until("the task's chips", async () => (await taskChips.count()) === 8);
  const question = frame.locator(".question-card").last();
  const keep = question.locator('button[data-action="answer"]', { hasText: "Keep the comma" });
  await keep.waitFor({ state: "visible" });
  await assertNoPanelError(frame, "while the question waits");
  await shot(page, "question-asked");
  await keep.click();
  await until("the question to show its answer", async () => (await question.locator(".card-status").getAttribute("data-status")) === "answered");

  // 6. The edit waits: its proposal is edited on the right side of the diff, then approved.
  const editCard = frame.locator('.tool-card[data-tool="write_file"]').last();
  await editCard.locator('button[data-action="approve"]').waitFor({ state: "visible" });
  const modified = page.locator(".monaco-diff-editor .editor.modified");
  const modifiedText = async () => ((await modified.locator(".view-lines").first().textContent()) ?? "").replace(/\u00a0/g, " ");
  await until("the diff view to show the proposal", async () => (await modifiedText()).includes("hello, world"));
  await modified.locator(".view-lines").first().click();
  await page.keyboard.press("Control+A");
  await page.keyboard.type(EDITED);
  await until("the diff view to show the edit", async () => (await modifiedText()).includes(EDITED));
  await editCard.locator(".card-edited").waitFor({ state: "visible" });
  await shot(page, "proposal-edited-in-diff");
  const target = path.join(workspace, "hello.txt");
  await editCard.locator('button[data-action="approve"]').click();
  await until("the edited proposal to reach the disk", () => fs.readFileSync(target, "utf8") === EDITED);
  await until("the edit card to show done", async () => (await editCard.locator(".card-status").textContent()) === "done");
  await until("the decided edit's diff editor to close", async () => (await page.locator(".tab", { hasText: "proposed by Flambeau" }).count()) === 0);
  await shot(page, "edited-proposal-written");

  // 7. The command is denied with a reason.
  const commandCard = frame.locator('.tool-card[data-tool="run_command"]').last();
  await commandCard.locator("input.deny-reason").waitFor({ state: "visible" });
  await commandCard.locator("input.deny-reason").fill(REASON);
  await shot(page, "command-denied-with-reason");
  await commandCard.locator('button[data-action="deny"]').click();
  await until("the command card to show denied", async () => (await cardStatus(frame, "run_command")) === "denied");
  const decision = (await commandCard.locator(".decision").textContent()) ?? "";
  if (!decision.includes(REASON)) throw new Error(`the denied card does not show the reason: "${decision}"`);
  await until("the task to complete", async () => (await frame.locator(".task-status").last().getAttribute("data-status")) === "completed");
  await assertNoPanelError(frame, "at the end of the task");
  await shot(page, "task-completed-with-chips");

  // 8. A mention that cannot be resolved: no task starts, the input stays, the panel says why.
  const tasks = await frame.locator(".task").count();
  await input().fill("Explain @nowhere/missing.py");
  await frame.locator("#new-task").click();
  const composerError = frame.locator("#composer-error");
  await until("the panel to say why the task did not start", async () => ((await composerError.textContent()) ?? "").includes("@nowhere/missing.py"));
  const refused = (await composerError.textContent()) ?? "";
  if ((await value()) !== "Explain @nowhere/missing.py") throw new Error("the refused task's text was not kept in the input");
  if ((await frame.locator(".task").count()) !== tasks) throw new Error("a task started without its mention");
  await shot(page, "unresolvable-mention-refused");

  // 9. A pasted image goes with a new task to the profile that declares vision.
  const paste = () =>
    input().evaluate((element, data) => {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], "image.png", { type: "image/png" }));
      element.dispatchEvent(new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true }));
    }, PNG);
  await input().fill("What is in this picture?");
  await paste();
  await frame.locator("#composer-chips .image-chip").waitFor({ state: "visible" });
  await shot(page, "image-pasted");
  await frame.locator("#new-task").click();
  await until("the image task to complete", async () => (await frame.locator(".task").count()) === tasks + 1 && (await frame.locator(".task-status").last().getAttribute("data-status")) === "completed");
  const imageChip = await frame.locator(".task").last().locator('.attached .chip[data-kind="image"]').count();
  if (imageChip !== 1) throw new Error("the image task shows no image chip");
  await assertNoPanelError(frame, "after the image task");
  await shot(page, "image-sent");

  // 10. A profile without vision refuses the image, and the panel shows the server's message.
  await frame.locator(".model-badge").click();
  const blind = page.locator(".quick-input-widget .monaco-list-row", { hasText: "blind" }).first();
  await blind.waitFor({ state: "visible" });
  await blind.click();
  await until("the badge to show the profile without vision", async () => ((await frame.locator(".model-badge").textContent()) ?? "").includes("blind"));
  await input().fill("And this picture?");
  await paste();
  await frame.locator("#composer-chips .image-chip").waitFor({ state: "visible" });
  await frame.locator("#new-task").click();
  const refusal = frame.locator(".task").last().locator(".msg.error");
  await refusal.waitFor({ state: "visible" });
  const visionRefusal = (await refusal.textContent()) ?? "";
  if (!visionRefusal.includes("vision")) throw new Error(`the refusal does not name vision: "${visionRefusal}"`);
  await shot(page, "image-refused-without-vision");

  process.stdout.write(`${JSON.stringify({ ok: true, typedChips, added, refused, visionRefusal, decision })}\n`);
}
