// Scenario "mcp" (issue 15): the workspace's .mcp.json declares a real MCP server (mcp-server-time). The MCP
// Servers view shows it untrusted (never started) and a notification says so; the user trusts it, after a
// prompt saying what it would run; it shows running with its tool count. The scripted model calls its tool: the card names the
// server and the tool with the arguments; the user approves; the result goes back to the model (checked by
// tests/test_extension_e2e.py from the scripted server's requests) and the trace verifies. The user's own
// server (server-everything) offers prompts: typing "/" in the composer offers them, and one with arguments
// asks for them and puts its text in the input.

const TASK = "What time is it in Tokyo?";
const TOOL = "mcp__clock__get_current_time";

function mcpPane(page) {
  return page.locator(".pane", { has: page.locator(".pane-header", { hasText: "MCP Servers" }) });
}

async function expand(page, title) {
  const header = page.locator('.pane-header[aria-expanded="false"]', { has: page.locator("h3.title", { hasText: title }) }).first();
  if (await header.count()) await header.click();
}

async function description(row) {
  return ((await row.locator(".label-description").first().textContent({ timeout: 1000 })) ?? "").trim();
}

export async function mcp(page, { until, shot, chatFrame, runCommand, assertNoPanelError, cardStatus }) {
  await runCommand(page, "Flambeau: Open Panel");
  const frame = await chatFrame(page);
  await until("the server to run and report its model", async () => {
    const badge = (await frame.locator(".model-badge").textContent()) ?? "";
    return (await frame.locator("#header .server-state").count()) === 0 && !badge.includes("no model");
  });

  // 1. The MCP view: the workspace's server is not trusted (so never started); the user's own one runs.
  await expand(page, "MCP Servers");
  const pane = mcpPane(page);
  const clock = pane.locator(".monaco-list-row", { hasText: "clock" }).first();
  const every = pane.locator(".monaco-list-row", { hasText: "every" }).first();
  await until("the workspace's server shown as not trusted", async () => (await description(clock)) === "not trusted");
  await until("the user's server running with its tools", async () => /^running · \d+ tools$/.test(await description(every)));
  const untrusted = await description(clock);
  await shot(page, "mcp-server-untrusted");

  // 2. A notification says the workspace's server was not started; Review… asks to trust it (a click on the
  // row does the same), saying what would run and from which file.
  const notice = page.locator(".notifications-toasts .notification-toast", { hasText: 'declares the MCP server "clock"' }).first();
  await notice.waitFor({ state: "visible" });
  await notice.locator(".monaco-button", { hasText: "Review…" }).click();
  const dialog = page.locator(".monaco-dialog-box").first();
  await dialog.waitFor({ state: "visible" });
  const prompt = (await dialog.textContent()) ?? "";
  for (const expected of ['Trust the MCP server "clock"', "mcp_server_time", ".mcp.json", "outside the sandbox"]) {
    if (!prompt.includes(expected)) throw new Error(`the trust prompt does not say "${expected}": ${prompt}`);
  }
  await shot(page, "mcp-trust-prompt");
  await dialog.locator(".monaco-button", { hasText: "Trust and Start" }).click();
  await until("the trusted server running with its 2 tools", async () => (await description(clock)) === "running · 2 tools");
  const trusted = await description(clock);
  await clock.hover();
  await shot(page, "mcp-server-trusted-running");

  // 3. The model calls its tool: the card names the server and the tool, with the arguments; Approve.
  await frame.locator("#task-input").fill(TASK);
  await frame.locator("#send").click();
  const card = frame.locator(`.tool-card[data-tool="${TOOL}"]`);
  const approve = card.locator('button[data-action="approve"]');
  await approve.waitFor({ state: "visible" });
  const shown = {
    server: await card.locator(".mcp-server").textContent(),
    tool: await card.locator(".mcp-tool").textContent(),
    arguments: JSON.parse((await card.locator(".mcp-arguments").textContent()) ?? "{}"),
    status: await card.locator(".card-status").textContent(),
  };
  if (shown.server !== "clock" || shown.tool !== "get_current_time" || shown.arguments.timezone !== "Asia/Tokyo") {
    throw new Error(`the MCP card shows ${JSON.stringify(shown)}`);
  }
  await assertNoPanelError(frame, "while the MCP call waits");
  await shot(page, "mcp-call-awaiting-approval");
  await approve.click();
  await until("the MCP call to run", async () => (await cardStatus(frame, TOOL)) === "done");
  await until("the task to complete", async () => (await frame.locator(".task-status").last().textContent()) === "completed");
  await card.locator("details.output summary").click();
  const output = (await card.locator("details.output pre").textContent()) ?? "";
  if (!output.includes("Asia/Tokyo")) throw new Error(`the MCP call's output is not shown: ${output}`);
  const result = await frame.locator(".task").last().locator(".msg.result").last().textContent();
  await assertNoPanelError(frame, "after the MCP call");
  await shot(page, "mcp-call-approved-task-completed");

  // 4. A prompt as a slash command: "/" offers the running servers' prompts; its arguments are asked for.
  await frame.locator("#new-task").click().catch(() => undefined);
  const input = frame.locator("#task-input");
  await input.fill("");
  await input.pressSequentially("/every:args");
  const option = frame.locator(".mention-list .mention-item.kind-prompt", { hasText: "/every:args-prompt" });
  await option.waitFor({ state: "visible" });
  const offered = await frame.locator(".mention-list .mention-label").allTextContents();
  await shot(page, "mcp-slash-commands");
  await input.press("Enter");
  const quick = page.locator(".quick-input-widget");
  const box = quick.locator("input");
  await until("the prompt's first argument asked for", async () => ((await quick.textContent()) ?? "").includes("/every:args-prompt (1/2)"));
  await box.fill("Lyon");
  await shot(page, "mcp-prompt-argument");
  await box.press("Enter");
  await until("the prompt's optional argument asked for", async () => ((await quick.textContent()) ?? "").includes("/every:args-prompt (2/2)"));
  await box.press("Enter");
  await until("the prompt's text in the composer", async () => (await input.inputValue()).includes("Lyon"));
  const composed = await input.inputValue();
  await assertNoPanelError(frame, "after the slash command");
  await shot(page, "mcp-prompt-in-composer");
  await input.fill("");

  // 5. The task's trace verifies.
  await expand(page, "Traces");
  const tracesPane = page.locator(".pane", { has: page.locator(".pane-header", { hasText: "Traces" }) });
  const row = tracesPane.locator(".monaco-list-row", { hasText: TASK.slice(0, 20) }).first();
  await until("the task in the Traces view", async () => {
    if (await row.isVisible()) return true;
    await runCommand(page, "Flambeau: Refresh Traces");
    await row.waitFor({ state: "visible", timeout: 3000 }).catch(() => undefined);
    return row.isVisible();
  });
  await row.hover();
  await row.locator('.action-label[aria-label="Verify"]').click();
  const toast = page.locator(".notifications-toasts .notification-toast", { hasText: "intact" }).first();
  await toast.waitFor({ state: "visible" });
  await until("the notification to be fully shown", async () => (await toast.evaluate((el) => getComputedStyle(el).opacity)) === "1");
  const verdict = await toast.textContent();
  await shot(page, "mcp-trace-verified");
  process.stdout.write(`${JSON.stringify({ ok: true, untrusted, prompt, trusted, shown, output, result, offered, composed, verdict })}\n`);
}
