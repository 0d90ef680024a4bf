// Scenario "models" of the end-to-end driver (run.mjs): the Models view in code-server, from a first run
// (no models.toml) with two fake engines on loopback, an Ollama-shaped and an OpenAI-shaped scripted server
// (FLAMBEAU_ENGINE_PORTS moves the engines to their ports), to a cloud profile added with its key (a third
// scripted server, E2E_CLOUD_BASE), its fitness check, roles, the escalation profile, the local-only
// switch, an edit, the choice surviving a restart, and the escalation consent in the chat panel honoured
// both ways. The caller (tests/test_extension_e2e.py) checks the disk, the servers and the traces afterwards.
import * as fs from "node:fs";
import * as path from "node:path";

/** The frame holding the Models webview. */
async function modelsFrame(page, until) {
  return until("the Flambeau Models webview", async () => {
    for (const frame of page.frames()) {
      if (await frame.locator("#models").count().catch(() => 0)) return frame;
    }
    return undefined;
  });
}

/** A wide side bar, with only `view` of Flambeau's views expanded, so screenshots show what it holds. */
async function roomFor(page, view, until) {
  const sidebar = page.locator(".part.sidebar");
  const box = await sidebar.boundingBox();
  if (box && box.width < 600) {
    await page.mouse.move(box.x + box.width, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + 660, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
  }
  const header = (title) => page.locator(".pane-header", { has: page.locator("h3.title", { hasText: new RegExp(`^${title}$`) }) }).first();
  const expanded = async (title) => (await header(title).getAttribute("aria-expanded")) === "true";
  for (const title of ["Chat", "Models", "Traces"].filter((t) => t !== view)) if (await expanded(title)) await header(title).click();
  // The command that focused the view may still be expanding it: click only while it stays collapsed.
  await until(`the ${view} view expanded`, async () => {
    if (await expanded(view)) return true;
    await header(view).click();
    await page.locator(`.pane-header[aria-expanded="true"]`, { has: page.locator("h3.title", { hasText: new RegExp(`^${view}$`) }) }).waitFor({ timeout: 2000 }).catch(() => undefined);
    return expanded(view);
  });
}

export async function models(page, h) {
  const { until, shot, runCommand, chatFrame, assertNoPanelError, descendants, child, env } = h;
  const userFile = path.join(env("XDG_CONFIG_HOME"), "flambeau", "models.toml");
  const workspace = env("E2E_WORKSPACE");
  const key = env("E2E_CLOUD_KEY");
  const cloudBase = env("E2E_CLOUD_BASE");
  // A section may be redrawn (a listing arrives) while it is scrolled to: try again on the new one.
  const scrollTo = (locator) => until("a section to scroll to", () => locator.scrollIntoViewIfNeeded({ timeout: 2000 }).then(() => true, () => false));
  const read = () => (fs.existsSync(userFile) ? fs.readFileSync(userFile, "utf8") : "");
  const statusText = async () => (await page.locator(".statusbar-item").allTextContents()).join(" | ");
  await until("the Flambeau status bar item with the embedded model", async () => /\blocal\b/.test(await statusText()));
  if (fs.existsSync(userFile)) throw new Error(`not a first run: ${userFile} exists`);

  // 1. First run: the three ways in, with both engines found on loopback and the models they serve.
  await runCommand(page, "Flambeau: Open Models");
  await roomFor(page, "Models", until);
  let frame = await modelsFrame(page, until);
  const card = (name) => frame.locator(`.profile-card[data-name="${name}"]`);
  await until("the first run to list both engines", async () => {
    await assertNoPanelError(frame, "on the first run");
    return (await frame.locator('.engine[data-kind="ollama"] .engine-model').count()) === 1 && (await frame.locator('.engine[data-kind="llamacpp"] .engine-model').count()) === 1;
  });
  const ways = await frame.locator(".way h3").allTextContents();
  if (ways.length !== 3) throw new Error(`the first run offers ${ways.join(", ")}`);
  if (!(await frame.locator("details.ways").evaluate((d) => d.open))) throw new Error("the ways in are not open on a first run");
  await shot(page, "models-first-run");

  // 2. A detected Ollama model (its digest is the provenance), then the llama.cpp server's model, used.
  await frame.locator('.engine[data-kind="ollama"] button[data-action="useEngine"]').click();
  const ollama = card("ollama-qwen2.5-coder-7b");
  await until("the Ollama profile with its digest", async () => ((await ollama.locator(".provenance").textContent({ timeout: 1000 })) ?? "").includes("sha256:abab"));
  await frame.locator('.engine[data-kind="llamacpp"] button[data-action="useEngine"]').click();
  const detected = "llamacpp-scripted-model";
  await until("the llama.cpp model to be in use", async () => (await frame.locator(`.profile-card.current[data-name="${detected}"]`).count()) === 1);
  await until("the status bar to follow", async () => (await statusText()).includes(detected));
  if (!read().includes(`default = "${detected}"`)) throw new Error(`the choice is not saved: ${read()}`);

  // 3. A task runs on the detected model.
  await runCommand(page, "Flambeau: Open Panel");
  await roomFor(page, "Chat", until);
  const chat = await chatFrame(page);
  await chat.locator("#task-input").fill("Say hello from the detected model");
  await chat.locator("#send").click();
  await until("the task on the detected model to complete", async () => (await chat.locator(".task-status").last().getAttribute("data-status")) === "completed");
  const detectedBadge = (await chat.locator(".task-head .badge").last().textContent()) ?? "";
  if (!detectedBadge.includes(detected)) throw new Error(`the task ran on "${detectedBadge}"`);
  await shot(page, "task-on-detected-model");

  // 4. A cloud profile: litellm's list of the provider's models, one typed, the key into the keyring.
  await runCommand(page, "Flambeau: Open Models");
  await roomFor(page, "Models", until);
  frame = await modelsFrame(page, until);
  await frame.locator('select[data-action="chooseProvider"]').selectOption("openai");
  const listed = await until("litellm's models for openai", async () => frame.locator("#provider-models option").count().then((n) => n || undefined));
  const form = frame.locator('.form[data-form="cloud"]');
  await form.locator('input[data-field="model"]').fill("gpt-4o-mini");
  await form.locator('input[data-field="key"]').fill(key);
  await form.locator('input[data-field="name"]').fill("work");
  await form.locator('input[data-field="apiBase"]').fill(cloudBase);
  await scrollTo(form);
  await shot(page, "models-cloud-profile-form");
  await form.locator('button[data-action="addCloud"]').click();
  const work = card("work");
  await until("the cloud profile with its key in the keyring", async () => (await work.locator(".key-stored").count()) === 1);
  if ((await form.locator('input[data-field="key"]').inputValue()) !== "") throw new Error("the key stays in the form after it was sent");
  if ((await work.locator(".badge").textContent()) !== "cloud") throw new Error("the cloud profile is not shown as cloud");

  // 5. Its fitness check from the view, with progress; then the model version it answered as.
  await work.locator('button[data-action="test"]').click();
  await until("the test's progress", async () => (await work.locator(".fitness-step").count()) > 0);
  await until("the fitness result", async () => (await work.locator(".fitness-figures").count()) === 1, 120_000);
  const figures = await work.locator(".fitness-figures").textContent();
  const provenance = await work.locator(".provenance").textContent();
  if (!provenance?.includes("scripted-model")) throw new Error(`the cloud profile's provenance reads "${provenance}"`);

  // 6. Roles and the escalation profile.
  await frame.locator('select[data-action="assignRole"][data-role="commit"]').selectOption("ollama-qwen2.5-coder-7b");
  await until("the commit role on the Ollama profile", async () => (await ollama.locator(".tag.role").allTextContents()).includes("commit"));
  await frame.locator('select[data-action="assignRole"][data-role="summarise"]').selectOption("work");
  await until("the summarise role on the cloud profile", async () => (await work.locator(".tag.role").allTextContents()).includes("summarise"));
  await frame.locator('select[data-action="setEscalation"]').selectOption("work");
  await until("escalate_to in the user's file", () => read().includes('escalate_to = "work"'));
  await scrollTo(frame.locator(".roles"));
  await shot(page, "models-roles-and-escalation");
  await scrollTo(work);
  await shot(page, "models-cloud-card-provenance-fitness");

  // 7. The local-only switch: the cloud profile is refused while it is on.
  await frame.locator("#local-only").check();
  await until("the cloud profile refused in local-only mode", async () => (await work.locator(".locked").count()) === 1 && read().includes("local_only = true"));
  await frame.locator("#local-only").uncheck();
  await until("local-only off again", async () => (await work.locator(".locked").count()) === 0 && !read().includes("local_only"));

  // 8. Edit: the detected model sends its tool calls as text from now on.
  const local = card(detected);
  await local.locator('button[data-action="edit"]').click();
  await local.locator('select[data-field="toolMode"]').selectOption("text");
  await local.locator('button[data-action="saveEdit"]').click();
  await until("the edited profile", async () => ((await local.locator(".tool-mode").textContent({ timeout: 1000 })) ?? "").includes("text"));

  // 9. The choice survives a restart of the server.
  const [before] = descendants(child.pid, ["cli.main", "lsp"]);
  await runCommand(page, "Flambeau: Restart Language Server");
  await until("a new server process", async () => descendants(child.pid, ["cli.main", "lsp"]).some((pid) => pid !== before));
  await until("the restarted server to list the profiles", async () => (await frame.locator(".server-state").count()) === 0 && (await frame.locator(`.profile-card.current[data-name="${detected}"]`).count()) === 1);
  await until("the status bar after the restart", async () => (await statusText()).includes(detected));
  await scrollTo(frame.locator(".current-bar"));
  await shot(page, "models-choice-survives-restart");
  await assertNoPanelError(frame, "in the Models view");

  // 10. The local model keeps failing: the chat panel asks before anything goes to the cloud. Accept.
  await runCommand(page, "Flambeau: Open Panel");
  await roomFor(page, "Chat", until);
  const consent = async (task) => {
    await chat.locator("#task-input").fill(task);
    await chat.locator("#new-task").click();
    const offer = chat.locator(".task").last().locator('.consent-card[data-tool="escalate_model"]');
    await offer.locator('button[data-action="approve"]').waitFor({ state: "visible", timeout: 120_000 });
    return offer;
  };
  const accepted = await consent("Fix the greeting, please");
  const what = (await accepted.locator(".consent-what").textContent()) ?? "";
  if (!what.includes("openai") || !what.includes(cloudBase)) throw new Error(`the consent does not say where it goes: "${what}"`);
  const items = await accepted.locator(".consent-list li").count();
  await shot(page, "escalation-consent");
  await accepted.locator('button[data-action="approve"]').click();
  await until("the task to finish on the cloud profile", async () => (await chat.locator(".task-status").last().getAttribute("data-status")) === "completed", 120_000);
  const cloudResult = (await chat.locator(".task").last().locator(".msg.result").last().textContent()) ?? "";
  await shot(page, "escalation-accepted");

  // 11. Again, refused: nothing is sent; a follow-up carries on with the local model.
  const refused = await consent("Fix the farewell, please");
  await refused.locator('button[data-action="deny"]').click();
  await until("the refusal shown", async () => ((await refused.locator(".decision").textContent({ timeout: 1000 })) ?? "").length > 0);
  await until("the refused task to end failed", async () => (await chat.locator(".task-status").last().getAttribute("data-status")) === "failed");
  await chat.locator("#task-input").fill("Carry on here, locally");
  await chat.locator("#send").click();
  await until("the follow-up to finish on the local model", async () => (await chat.locator(".task-status").last().getAttribute("data-status")) === "completed", 120_000);
  const localResult = (await chat.locator(".task").last().locator(".msg.result").last().textContent()) ?? "";
  const refusal = (await refused.locator(".decision").textContent()) ?? "";
  await shot(page, "escalation-refused-carried-on-locally");

  // 12. A workspace that asks for local-only: shown, and the switch cannot turn it off.
  fs.mkdirSync(path.join(workspace, ".flambeau"), { recursive: true });
  fs.writeFileSync(path.join(workspace, ".flambeau", "models.toml"), 'local_only = true\nnever_to_cloud = ["secrets/**"]\n');
  await runCommand(page, "Flambeau: Open Models");
  await roomFor(page, "Models", until);
  await frame.locator('button[data-action="refresh"]').click();
  await until("the workspace's local-only, locked", async () => (await frame.locator("#local-only").isDisabled()) && (await frame.locator("#local-only").isChecked()));
  await scrollTo(frame.locator(".restrictions"));
  await shot(page, "models-workspace-local-only-locked");

  process.stdout.write(`${JSON.stringify({ ok: true, ways, listed, figures, provenance, items, cloudResult, localResult, refusal, userFile: read() })}\n`);
}
