// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { ModelsController, type ModelsBackend } from "../src/modelsController";
import { isModelsToHost, type HostToModels } from "../src/shared/modelsMessages";
import { renderModels } from "../src/webview/models/render";
import { initialModelsState, reduceModels, type ModelsState } from "../src/webview/models/state";
import { embedded, engines, fitness, listing, work } from "./modelsFixtures";

function fold(...messages: Parameters<typeof reduceModels>[1][]): ModelsState {
  return messages.reduce(reduceModels, reduceModels(initialModelsState(), { type: "serverState", state: "running" }));
}

function draw(state: ModelsState): HTMLElement {
  const root = document.createElement("div");
  renderModels(root, state);
  return root;
}

const card = (root: HTMLElement, name: string) => root.querySelector<HTMLElement>(`.profile-card[data-name="${name}"]`);
const actions = (node: Element | null) => [...(node?.querySelectorAll("button[data-action]") ?? [])].map((b) => b.getAttribute("data-action"));

describe("the Models view: first run", () => {
  it("offers the three ways in, open, with the engines found and their models", () => {
    const state = fold({ type: "models", models: listing({ firstRun: true, current: "local", profiles: [embedded] }) }, { type: "engines", engines }, { type: "providers", providers: ["anthropic", "openai"] });
    const root = draw(state);
    const ways = root.querySelector<HTMLDetailsElement>("details.ways");
    expect(ways?.open).toBe(true);
    expect([...root.querySelectorAll(".way h3")].map((h) => h.textContent)).toEqual(["The embedded model", "A local engine on this machine", "A cloud provider"]);
    expect(root.querySelector(".way-embedded .current")?.textContent).toBe("in use");
    expect([...root.querySelectorAll(".engine-head")].map((e) => e.textContent)).toEqual(["Ollama at http://127.0.0.1:11434", "llama.cpp server at http://127.0.0.1:8080/v1"]);
    const use = root.querySelector('.engine[data-kind="ollama"] button[data-action="useEngine"]');
    expect(use?.getAttribute("data-model")).toBe("qwen2.5-coder:7b");
    expect(use?.textContent).toBe("Add and use");
    expect([...root.querySelectorAll('.way-cloud select[data-field="provider"] option')].map((o) => o.getAttribute("value"))).toEqual(["", "anthropic", "openai"]);
    expect(root.querySelector('.way-cloud button[data-action="addCloud"]')?.hasAttribute("disabled")).toBe(true);
  });

  it("says plainly when no engine answered, and lists a provider's models with a field to type another", () => {
    const state = fold(
      { type: "models", models: listing({ firstRun: true }) },
      { type: "engines", engines: [] },
      { type: "providerModels", result: { provider: "anthropic", models: ["anthropic/claude-a", "anthropic/claude-b"], keyStored: false } },
    );
    const root = draw(state);
    expect(root.querySelector(".none-found")?.textContent).toContain("No local engine answered");
    expect([...root.querySelectorAll("#provider-models option")].map((o) => o.getAttribute("value"))).toEqual(["anthropic/claude-a", "anthropic/claude-b"]);
    expect(root.querySelector('.way-cloud input[data-field="key"]')?.getAttribute("type")).toBe("password");
    expect(root.querySelector(".way-cloud")?.textContent).toContain("2 models listed by litellm for anthropic");
    expect(root.querySelector('.way-cloud button[data-action="addCloud"]')?.hasAttribute("disabled")).toBe(false);
  });
});

describe("the Models view: profiles", () => {
  it("shows each profile's locality, openness card, provenance and last fitness check, with its actions", () => {
    const root = draw(fold({ type: "models", models: listing() }));
    const cloud = card(root, "work");
    expect(cloud?.querySelector(".badge")?.textContent).toBe("cloud");
    expect(cloud?.querySelector(".openness-head")?.textContent).toBe("Claudeproprietary");
    expect([...(cloud?.querySelectorAll(".openness-grid span") ?? [])].map((s) => s.textContent)).toEqual(["weights", "closed", "training code", "closed", "training data", "closed"]);
    expect(cloud?.querySelector(".provenance")?.textContent).toBe("Answered as: claude-sonnet-4-5-20250929");
    expect(cloud?.querySelector(".key")?.textContent).toBe("API key: in the keyring (anthropic)");
    expect(cloud?.querySelector(".fitness-figures")?.textContent).toBe("well-formed replies 5/6 · correct edits 1/2 · tasks passed 2/3 · 2.4 s");
    expect(cloud?.querySelector(".tag.role")?.textContent).toBe("summarise");
    expect(actions(cloud)).toEqual(["select", "test", "edit", "remove"]);
    const local = card(root, "ollama-qwen");
    expect(local?.querySelector(".provenance")?.textContent).toBe(`Ollama digest: sha256:${"ab".repeat(32)}`);
    expect(local?.querySelector(".tag.current")?.textContent).toBe("in use");
    expect(actions(local)).toEqual(["test", "edit", "remove"]);
    const builtIn = card(root, "local");
    expect(builtIn?.querySelector(".provenance")?.textContent).toBe(`GGUF SHA-256: ${"a".repeat(64)}`);
    expect(builtIn?.querySelector(".open-restricted")?.textContent).toBe("open with restrictions");
    expect(actions(builtIn)).toEqual(["select", "test"]); // the embedded model is no profile of the file: not editable
  });

  it("shows the fitness check's progress while it runs, then its result or its error", () => {
    let state = fold({ type: "models", models: listing() }, { type: "testing", name: "work" });
    let root = draw(state);
    expect(card(root, "work")?.querySelector('button[data-action="test"]')?.hasAttribute("disabled")).toBe(true);
    state = reduceModels(state, { type: "testProgress", progress: { name: "work", step: "edit", done: 3, total: 4 } });
    root = draw(state);
    const bar = card(root, "work")?.querySelector("progress");
    expect([bar?.getAttribute("value"), bar?.getAttribute("max")]).toEqual(["3", "4"]);
    expect(card(root, "work")?.querySelector(".fitness-step")?.textContent).toBe("Testing: editing a file");
    state = reduceModels(state, { type: "testDone", name: "work", error: "the model did not answer" });
    root = draw(state);
    expect(card(root, "work")?.querySelector("progress")).toBeNull();
    expect(card(root, "work")?.querySelector(".fitness .error")?.textContent).toBe("the model did not answer");
  });

  it("asks a second time before removing, and edits in place with the profile's values", () => {
    let state = fold({ type: "models", models: listing() }, { type: "confirmRemove", name: "work" });
    expect(actions(card(draw(state), "work"))).toEqual(["select", "test", "removeConfirmed", "removeCancel"]);
    state = reduceModels(state, { type: "edit", name: "work" });
    const form = card(draw(state), "work")?.querySelector(".edit-form");
    expect(form?.querySelector<HTMLInputElement>('input[data-field="model"]')?.value).toBe("anthropic/claude-sonnet-4-5");
    expect(form?.querySelector<HTMLInputElement>('input[data-field="key"]')?.type).toBe("password");
    expect(actions(form ?? null)).toEqual(["saveEdit", "cancelEdit"]);
    expect(reduceModels(state, { type: "saved", name: "work" }).editing).toBeNull();
  });

  it("keeps what was typed in a form when the view is redrawn around it", () => {
    let state = fold({ type: "models", models: listing() }, { type: "providers", providers: ["anthropic"] });
    const root = draw(state);
    const typed = root.querySelector<HTMLInputElement>('.way-cloud input[data-field="name"]');
    if (typed) typed.value = "mine";
    state = reduceModels(state, { type: "providerModels", result: { provider: "anthropic", models: ["anthropic/x"], keyStored: true } });
    renderModels(root, state);
    const after = root.querySelector<HTMLInputElement>('.way-cloud input[data-field="name"]');
    expect(after).not.toBe(typed);
    expect(after?.value).toBe("mine");
    expect(root.querySelector(".way-cloud")?.textContent).toContain("A key for anthropic is already in the keyring.");
  });
});

describe("the Models view: restrictions, roles, escalation", () => {
  it("shows a workspace's local-only as on and not switchable, and the profiles it refuses", () => {
    const restrictions = { localOnly: true, localOnlySource: "/p/.flambeau/models.toml", userLocalOnly: false, localOnlyLocked: true, neverToCloud: ["secrets/**"], allowedProfiles: null };
    const work2 = { ...work, usable: false };
    const root = draw(fold({ type: "models", models: listing({ restrictions, profiles: [embedded, work2] }) }));
    const toggle = root.querySelector<HTMLInputElement>("#local-only");
    expect(toggle?.checked).toBe(true);
    expect(toggle?.disabled).toBe(true);
    expect(root.querySelector(".restrictions .locked")?.textContent).toBe("Turned on by this workspace (/p/.flambeau/models.toml); it cannot be turned off from here.");
    expect(root.querySelector(".restrictions")?.textContent).toContain("Never sent to a cloud model: secrets/**");
    expect(card(root, "work")?.querySelector(".locked")?.textContent).toBe("Refused in local-only mode");
    expect(actions(card(root, "work"))).not.toContain("select");
  });

  it("the user's own local-only switch can be turned either way", () => {
    const restrictions = { localOnly: true, localOnlySource: "/home/me/.config/flambeau/models.toml", userLocalOnly: true, localOnlyLocked: false, neverToCloud: [], allowedProfiles: null };
    const toggle = draw(fold({ type: "models", models: listing({ restrictions }) })).querySelector<HTMLInputElement>("#local-only");
    expect([toggle?.checked, toggle?.disabled]).toEqual([true, false]);
  });

  it("offers each role and the escalation target as a choice of profiles", () => {
    const root = draw(fold({ type: "models", models: listing() }));
    const role = (name: string) => root.querySelector<HTMLSelectElement>(`select[data-action="assignRole"][data-role="${name}"]`);
    expect(role("commit")?.value).toBe("ollama-qwen");
    expect(role("summarise")?.value).toBe("work");
    expect(role("main")?.value).toBe("");
    expect([...(role("commit")?.options ?? [])].map((o) => o.value)).toEqual(["local", "ollama-qwen", "work"]);
    expect(root.querySelector<HTMLSelectElement>('select[data-action="setEscalation"]')?.value).toBe("work");
  });
});

describe("models messages", () => {
  it("accepts what the view sends and drops anything else", () => {
    expect(isModelsToHost({ type: "save", profile: { name: "w", model: "openai/x", key: "sk", locality: "cloud" }, select: true })).toBe(true);
    expect(isModelsToHost({ type: "save", profile: { name: "w", model: "openai/x", api_key: "sk" } })).toBe(false);
    expect(isModelsToHost({ type: "save", profile: { name: "w", model: "openai/x", locality: "local" } })).toBe(false);
    expect(isModelsToHost({ type: "save", profile: { name: "w", model: "openai/x", contextWindow: -1 } })).toBe(false);
    expect(isModelsToHost({ type: "assignRole", role: "boss", name: "w" })).toBe(false);
    expect(isModelsToHost({ type: "setEscalation", name: null })).toBe(true);
    expect(isModelsToHost({ type: "setLocalOnly", enabled: "yes" })).toBe(false);
    expect(isModelsToHost({ type: "runShell" })).toBe(false);
  });
});

describe("models controller", () => {
  function setup(models = listing()) {
    const posted: HostToModels[] = [];
    const calls: string[] = [];
    let changed = 0;
    const backend: ModelsBackend = {
      listModels: async () => (calls.push("list"), models),
      detectEngines: async () => (calls.push("detect"), { engines }),
      listProviders: async () => (calls.push("providers"), { providers: ["anthropic"] }),
      providerModels: async (provider) => (calls.push(`models:${provider}`), { provider, models: [], keyStored: false }),
      saveProfile: async (profile) => (calls.push(`save:${JSON.stringify(profile)}`), { ...work, name: profile.name }),
      removeProfile: async (name) => (calls.push(`remove:${name}`), { removed: name }),
      selectModel: async (name) => (calls.push(`select:${name}`), { current: name, locality: "local" }),
      assignRole: async (role, name) => (calls.push(`role:${role}:${name}`), { roles: { [role]: name } }),
      setLocalOnly: async (enabled) => (calls.push(`localOnly:${enabled}`), { localOnly: enabled, source: "" }),
      setEscalation: async (name) => (calls.push(`escalate:${name}`), { escalateTo: name }),
      testModel: async (name) => {
        calls.push(`test:${name}`);
        controller.onTestProgress({ name, step: "reach", done: 1, total: 4 });
        return fitness;
      },
    };
    const controller = new ModelsController(() => backend, { post: (m) => posted.push(m), modelChanged: () => (changed += 1) });
    return { controller, posted, calls, changed: () => changed };
  }

  it("lists profiles and providers when the view is ready, and looks for engines on a first run", async () => {
    const { controller, posted, calls } = setup(listing({ firstRun: true }));
    await controller.handle({ type: "ready" });
    expect(calls).toEqual(["list", "providers", "detect"]);
    expect(posted.map((m) => m.type)).toEqual(["models", "providers", "engines"]);
  });

  it("saves a detected model and selects it in one step; the status bar is told", async () => {
    const { controller, calls, posted, changed } = setup();
    await controller.handle({ type: "save", profile: { name: "llamacpp-x", model: "openai/x", apiBase: "http://127.0.0.1:8080/v1" }, select: true });
    expect(calls.slice(0, 2)).toEqual(['save:{"name":"llamacpp-x","model":"openai/x","apiBase":"http://127.0.0.1:8080/v1"}', "select:llamacpp-x"]);
    expect(posted.map((m) => m.type)).toContain("saved");
    expect(changed()).toBe(1);
  });

  it("runs the fitness check with its progress, then lists the result", async () => {
    const { controller, posted } = setup();
    await controller.handle({ type: "test", name: "work" });
    expect(posted.map((m) => m.type)).toEqual(["testProgress", "testDone", "models", "providers"]);
  });

  it("reports a failed request in the view, and ignores what the view may not send", async () => {
    const { controller, posted, calls } = setup();
    await controller.handle({ type: "setEscalation", name: "work" });
    await controller.handle({ type: "save", profile: { name: "x", model: "openai/x", secret: "s" } });
    expect(calls).toEqual(["escalate:work", "list", "providers"]);
    const failing = new ModelsController(
      () => ({ removeProfile: async () => Promise.reject(new Error("there is no profile 'x'")) }) as unknown as ModelsBackend,
      { post: (m) => posted.push(m), modelChanged: () => undefined },
    );
    await failing.handle({ type: "remove", name: "x" });
    expect(posted.at(-1)).toEqual({ type: "error", message: "there is no profile 'x'" });
  });
});

describe("the Models view keeps what the user opened", () => {
  it("the ways in stay open after the first way was taken (the first run is over)", () => {
    let state = fold({ type: "models", models: listing({ firstRun: true }) }, { type: "engines", engines });
    const root = draw(state);
    expect(root.querySelector<HTMLDetailsElement>("details.ways")?.open).toBe(true);
    state = reduceModels(state, { type: "models", models: listing({ firstRun: false }) });
    renderModels(root, state);
    expect(root.querySelector<HTMLDetailsElement>("details.ways")?.open).toBe(true);
    expect(draw(state).querySelector<HTMLDetailsElement>("details.ways")?.open).toBe(false);
  });
});
