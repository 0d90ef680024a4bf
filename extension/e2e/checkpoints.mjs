// Scenario "checkpoints" (issue 13, items 2 and 4): a task runs in "ask"; while its first edit waits, the
// approval menu switches it to auto-edit (the next edits run without asking); while a command waits, the
// Plan switch stops it at once (the approved command and the next edit are refused by plan mode); Act
// again after the end. Then, from the chat: Compare opens VS Code's multi-file diff of a checkpoint
// against now; Restore files brings the files back; a restore that would delete a file the user made asks
// first, naming it; Restore both brings the files back and rewinds the conversation (the next follow-up continues
// from there); Restore task rewinds the conversation only; after a window reload, the task opened from the
// History restores too. The Python side (tests/test_extension_e2e.py) checks what reached the scripted model and the
// trace.
import * as fs from "node:fs";
import * as path from "node:path";

const TASK = "Count in the files";

async function serverRunning(frame, until) {
  await until("the server to run and report its model", async () => {
    const badge = (await frame.locator(".model-badge").textContent()) ?? "";
    return (await frame.locator("#header .server-state").count()) === 0 && !badge.includes("no model");
  });
}

/** The chat scrolled to its end, as a screenshot should show it. */
async function toEnd(frame) {
  await frame.locator("#transcript").evaluate((el) => (el.scrollTop = el.scrollHeight));
}

async function send(frame, text) {
  await frame.locator("#task-input").fill(text);
  await frame.locator("#send").click();
}

export async function checkpoints(page, { workspace, until, shot, chatFrame, runCommand, assertNoPanelError }) {
  const read = (name) => (fs.existsSync(path.join(workspace, name)) ? fs.readFileSync(path.join(workspace, name), "utf8") : null);
  await runCommand(page, "Flambeau: Open Panel");
  const frame = await chatFrame(page);
  await serverRunning(frame, until);
  const task = frame.locator(".task").last();
  const menu = frame.locator('select[data-action="setApproval"]');
  if ((await menu.inputValue()) !== "ask") throw new Error(`the approval menu starts at "${await menu.inputValue()}", not the setting's "ask"`);

  // 1. The first edit asks (mode "ask"); while it waits, the approval menu switches the task to auto-edit.
  await send(frame, TASK);
  const firstEdit = task.locator('.tool-card[data-tool="write_file"]').first();
  await firstEdit.locator('button[data-action="approve"]').waitFor({ state: "visible" });
  await menu.selectOption("auto-edit");
  await until("the task to switch to auto-edit", async () => ((await task.locator(".msg.note").allTextContents()).some((t) => t.includes("auto-approve edits"))));
  await shot(page, "auto-edit-while-an-edit-waits");
  await firstEdit.locator('button[data-action="approve"]').click();

  // 2. The next step's two edits run without asking; the command after them asks (auto-edit asks commands).
  const command = task.locator('.tool-card[data-tool="run_command"]').first();
  await command.locator('button[data-action="approve"]').waitFor({ state: "visible" });
  const autoEdits = await task.locator('.tool-card[data-tool="write_file"]').count();
  const asked = await task.locator('.tool-card[data-tool="write_file"] .decision').count();
  if (read("b.txt") !== "bee\n" || autoEdits !== 3) throw new Error(`the edits after the switch did not run by themselves (${autoEdits} edit cards, b.txt ${read("b.txt")})`);

  // 3. Plan, while the command waits: approved, it is still refused where tools run, and so is the next edit.
  await frame.locator('button[data-action="setPlan"][data-plan="true"]').click();
  await until("the task to switch to Plan", async () => ((await task.locator(".msg.note").allTextContents()).some((t) => t.startsWith("Mode: Plan"))));
  await command.locator('button[data-action="approve"]').click();
  await until("the task to complete", async () => (await frame.locator(".task-status").last().textContent()) === "completed");
  const commandOutput = (await command.locator("details.output pre").textContent()) ?? "";
  const planDenied = (await task.locator('.tool-card[data-tool="write_file"]').last().locator(".decision").textContent()) ?? "";
  if (!commandOutput.includes("plan mode") || !planDenied.includes("plan mode")) {
    throw new Error(`plan mode did not stop the task at once: "${commandOutput}" / "${planDenied}"`);
  }
  if (read("c.txt") !== null) throw new Error("c.txt was written in plan mode");
  await toEnd(frame);
  await shot(page, "plan-stopped-the-running-task");
  await frame.locator('button[data-action="setPlan"][data-plan="false"]').click();
  await until("Act again", async () => (await frame.locator('button[data-action="setPlan"][data-plan="false"]').getAttribute("aria-pressed")) === "true");
  await assertNoPanelError(frame, "after the modes");

  // 4. Each changing step has a checkpoint; Compare shows the one before step 2 against now.
  const rows = task.locator(".checkpoint");
  await until("three checkpoints in the chat", async () => (await rows.count()) === 3);
  const labels = await rows.locator(".checkpoint-label").allTextContents();
  const row = (step) => task.locator(`.checkpoint[data-step="${step}"]`);
  await row(2).locator('button[data-action="compareCheckpoint"]').click();
  const tab = page.locator(".tabs-container .tab", { hasText: "Checkpoint before step 2" });
  await tab.first().waitFor({ state: "visible" });
  const diffFiles = page.locator(".multiDiffEntry .header");
  await until("a.txt and b.txt in the multi-file diff", async () => {
    const names = (await diffFiles.allTextContents()).join(" ");
    return names.includes("a.txt") && names.includes("b.txt");
  });
  await shot(page, "compare-checkpoint-with-now");
  const compared = (await diffFiles.allTextContents()).join(" ");

  // 5. Restore files (before step 2): a.txt as step 1 left it, b.txt gone.
  await row(2).locator('button[data-action="restoreCheckpoint"][data-what="files"]').click();
  await until("the files restored", async () => read("a.txt") === "one\n" && read("b.txt") === null);
  await tab.first().waitFor({ state: "detached" }); // the comparison it made stale is closed
  await until("the restore in the chat", async () => ((await task.locator(".msg.note").allTextContents()).some((t) => t.startsWith("Files restored to the checkpoint before step 2"))));
  await toEnd(frame);
  await shot(page, "restored-files");

  // 6. The user adds notes.md; restoring the checkpoint before step 1 would delete it: it is named, and asked.
  fs.writeFileSync(path.join(workspace, "notes.md"), "my own notes\n");
  await row(1).locator('button[data-action="restoreCheckpoint"][data-what="files"]').click();
  const confirm = row(1).locator(".checkpoint-confirm");
  await confirm.waitFor({ state: "visible" });
  const named = await confirm.locator("li").allTextContents();
  if (read("notes.md") === null || read("a.txt") !== "one\n") throw new Error("the restore changed files before asking");
  await shot(page, "restore-asks-before-overwriting");
  await confirm.locator('button[data-action="restoreCheckpoint"]').click();
  await until("the confirmed restore", async () => read("a.txt") === "zero\n" && read("notes.md") === null);
  await confirm.waitFor({ state: "detached" });

  // 7. Restore both (before step 2): a.txt as step 1 left it (the last restore explains what it is now, so
  // nothing asks), and the conversation rewound to after step 1: the next follow-up continues from there.
  await row(2).locator('button[data-action="restoreCheckpoint"][data-what="both"]').click();
  await until("both restored", async () => read("a.txt") === "one\n" && ((await task.locator(".msg.note").allTextContents()).some((t) => t.startsWith("Files and task restored to before step 2"))));
  await send(frame, "Again from one.");
  await until("the follow-up after restoring both", async () => ((await task.locator(".msg.result").allTextContents()).some((t) => t.includes("From one again."))));
  await toEnd(frame);
  await shot(page, "restored-both-and-followed-up");

  // 8. Restore task (before step 1): the files stay; the next follow-up continues from the task alone.
  await row(1).locator('button[data-action="restoreCheckpoint"][data-what="task"]').click();
  await until("the rewind in the chat", async () => ((await task.locator(".msg.note").allTextContents()).some((t) => t.startsWith("Task rewound to before step 1"))));
  await send(frame, "Again from zero.");
  await until("the follow-up after the rewind", async () => ((await task.locator(".msg.result").allTextContents()).some((t) => t.includes("From zero again."))));
  if (read("a.txt") !== "one\n") throw new Error("Restore task changed the files");
  await assertNoPanelError(frame, "after the restores");

  await toEnd(frame);
  await shot(page, "restored-task-and-followed-up");
  // 9. After a window reload (a new server that never ran the task), the task opened from the History
  // still restores: its checkpoints come from its trace, and the restore is added to it.
  await page.reload();
  await page.locator(".monaco-workbench").waitFor({ state: "visible" });
  await runCommand(page, "Flambeau: Open Panel");
  let reloaded = await chatFrame(page);
  await serverRunning(reloaded, until);
  const header = page.locator('.pane-header[aria-expanded="false"]', { has: page.locator("h3.title", { hasText: /^Traces$/ }) }).first();
  if (await header.count()) await header.click();
  const pane = page.locator(".pane", { has: page.locator(".pane-header", { hasText: "Traces" }) });
  const past = pane.locator(".monaco-list-row", { hasText: TASK }).first();
  await until("the task in the History", async () => {
    if (await past.isVisible()) return true;
    await runCommand(page, "Flambeau: Refresh Traces");
    await past.waitFor({ state: "visible", timeout: 3000 }).catch(() => undefined);
    return past.isVisible();
  });
  await past.click();
  reloaded = await chatFrame(page);
  const opened = reloaded.locator(".task").last();
  await until("the opened task's checkpoints", async () => (await opened.locator(".checkpoint").count()) === 3);
  const restoredNotes = async () => (await opened.locator(".msg.note").allTextContents()).filter((t) => t.startsWith("Files restored to the checkpoint before step 1")).length;
  const before = await restoredNotes(); // the earlier restores are in the conversation as it happened
  await opened.locator('.checkpoint[data-step="1"] button[data-action="restoreCheckpoint"][data-what="files"]').click();
  await until("the restore after the reload", async () => read("a.txt") === "zero\n");
  await until("the restore in the reopened chat", async () => (await restoredNotes()) === before + 1);
  await assertNoPanelError(reloaded, "after restoring a task from the History");
  await toEnd(reloaded);
  await shot(page, "restored-from-the-history-after-a-reload");
  process.stdout.write(`${JSON.stringify({ ok: true, labels, compared, named, asked, a: read("a.txt"), b: read("b.txt") })}\n`);
}
