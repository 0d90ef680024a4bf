// Draws the Models view: the ways in (embedded model, local engines, a cloud provider), the restrictions
// and local-only switch, roles and escalation, and one card per profile (locality, openness, provenance,
// fitness with its Test action). Each section is a keyed node rebuilt only when its data changed (patch.ts).
import * as l10n from "@vscode/l10n";
import { localityLabel } from "../../shared/labels";
import { ROLES, TOOL_MODES, type Role } from "../../shared/modelsMessages";
import type { FitnessSummary, ModelEntry, ModelTestProgress } from "../../shared/protocol";
import { button, el, field, select } from "../dom";
import { digest, patchChildren, type NodeSpec } from "../patch";
import { isEmbedded, type ModelsState } from "./state";

export function roleLabel(role: string): string {
  switch (role) {
    case "main":
      return l10n.t("main");
    case "summarise":
      return l10n.t("summarise");
    case "commit":
      return l10n.t("commit");
    default:
      return role;
  }
}

function opennessLabel(value: unknown): string {
  switch (value) {
    case "open":
      return l10n.t("open");
    case "restricted":
      return l10n.t("open with restrictions");
    case "closed":
      return l10n.t("closed");
    default:
      return l10n.t("unknown");
  }
}

function categoryLabel(value: unknown): string {
  switch (value) {
    case "proprietary":
      return l10n.t("proprietary");
    case "open weights with restrictions":
      return l10n.t("open weights with restrictions");
    case "open weights":
      return l10n.t("open weights");
    case "open source AI":
      return l10n.t("open source AI");
    default:
      return l10n.t("unknown");
  }
}

function stepLabel(step: string): string {
  switch (step) {
    case "reach":
      return l10n.t("reaching the model");
    case "run":
      return l10n.t("running a command");
    case "create":
      return l10n.t("creating a file");
    case "edit":
      return l10n.t("editing a file");
    case "done":
      return l10n.t("done");
    default:
      return l10n.t("starting");
  }
}

const str = (value: unknown): string => (typeof value === "string" ? value : "");

function input(fieldName: string, value = "", attrs: Record<string, string> = {}): HTMLInputElement {
  const node = el("input", "", undefined, { type: "text", "data-field": fieldName, "data-keep": fieldName, ...attrs }) as HTMLInputElement;
  node.value = value;
  return node;
}

// -- the ways in -----------------------------------------------------------------------------------
function embeddedWay(state: ModelsState): HTMLElement {
  const section = el("div", "way way-embedded");
  section.appendChild(el("h3", "", l10n.t("The embedded model")));
  section.appendChild(el("p", "hint", l10n.t("Runs on this machine and works offline; nothing to set up. Small: best for simple tasks.")));
  const embedded = state.models?.profiles.find(isEmbedded);
  if (embedded && embedded.installed === false) section.appendChild(el("p", "warning", l10n.t("Its packages are not installed in the server's environment.")));
  const current = state.models?.current === "local";
  section.appendChild(current ? el("span", "tag current", l10n.t("in use")) : button(l10n.t("Use the embedded model"), "select", { "data-name": "local" }, "primary"));
  return section;
}

function enginesWay(state: ModelsState): HTMLElement {
  const section = el("div", "way way-engines");
  section.appendChild(el("h3", "", l10n.t("A local engine on this machine")));
  section.appendChild(el("p", "hint", l10n.t("Ollama, LM Studio, a llama.cpp server or vLLM, looked for on 127.0.0.1 at their usual ports only.")));
  const look = button(state.engines === null ? l10n.t("Look for local engines") : l10n.t("Look again"), "detect", {}, "secondary");
  if (state.detecting) look.setAttribute("disabled", "");
  section.appendChild(look);
  if (state.detecting) section.appendChild(el("p", "hint", l10n.t("Looking…")));
  else if (state.engines && state.engines.length === 0) {
    section.appendChild(el("p", "hint none-found", l10n.t("No local engine answered (Ollama 11434, LM Studio 1234, llama.cpp 8080, vLLM 8000).")));
  }
  const names = new Set(state.models?.profiles.map((p) => p.name) ?? []);
  (state.engines ?? []).forEach((engine, index) => {
    const box = el("div", "engine", undefined, { "data-kind": engine.kind });
    box.appendChild(el("div", "engine-head", l10n.t("{0} at {1}", engine.label, engine.api_base)));
    if (engine.models.length === 0) box.appendChild(el("p", "hint", l10n.t("It serves no model yet.")));
    for (const model of engine.models) {
      const row = el("div", "engine-model", undefined, { "data-model": model.id });
      row.appendChild(el("span", "model-id", model.id));
      if (model.digest) row.appendChild(el("span", "digest", model.digest.slice(0, 19), { title: model.digest }));
      const saved = names.has(model.suggestedName);
      const attrs = { "data-engine": String(index), "data-model": model.id };
      if (state.models?.current === model.suggestedName) row.appendChild(el("span", "tag current", l10n.t("in use")));
      else row.appendChild(button(saved ? l10n.t("Use") : l10n.t("Add and use"), "useEngine", attrs, "primary"));
      box.appendChild(row);
    }
    section.appendChild(box);
  });
  return section;
}

function cloudWay(state: ModelsState): HTMLElement {
  const section = el("div", "way way-cloud form", undefined, { "data-form": "cloud" });
  section.appendChild(el("h3", "", l10n.t("A cloud provider")));
  section.appendChild(el("p", "hint", l10n.t("Your code is sent to the provider. The key goes to the system keyring through the Flambeau server, never into a file.")));
  const chosen = state.providerModels?.provider ?? "";
  const options: [string, string][] = [["", l10n.t("Choose a provider…")], ...state.providers.map((p): [string, string] => [p, p])];
  section.appendChild(field(l10n.t("Provider"), select("chooseProvider", options, chosen, { "data-field": "provider" })));
  const listed = state.providerModels?.models ?? [];
  const model = input("model", "", { list: "provider-models", placeholder: chosen ? `${chosen}/…` : "" });
  const datalist = el("datalist", "", undefined, { id: "provider-models" });
  for (const id of listed) datalist.appendChild(el("option", "", undefined, { value: id }));
  let modelHint = l10n.t("Choose a provider first.");
  if (chosen) {
    modelHint = listed.length
      ? l10n.t("{0} models listed by litellm for {1}; type another if yours is not listed.", listed.length, chosen)
      : l10n.t("litellm lists no models for {0}: type the model id.", chosen);
  }
  section.append(field(l10n.t("Model"), model, modelHint), datalist);
  const stored = state.providerModels?.keyStored === true;
  const key = input("key", "", { type: "password", autocomplete: "off", placeholder: stored ? l10n.t("a key is in the keyring; leave empty to keep it") : "" });
  section.appendChild(field(l10n.t("API key"), key, stored ? l10n.t("A key for {0} is already in the keyring.", chosen) : undefined));
  section.appendChild(field(l10n.t("Profile name"), input("name", "", { placeholder: chosen })));
  section.appendChild(field(l10n.t("API base (optional)"), input("apiBase"), l10n.t("Only for a proxy or a compatible endpoint.")));
  const add = button(l10n.t("Add the cloud profile"), "addCloud", {}, "primary");
  if (!chosen || state.busy) add.setAttribute("disabled", "");
  section.appendChild(add);
  return section;
}

function waysSpec(state: ModelsState): NodeSpec {
  const firstRun = state.models?.firstRun === true;
  const signature = digest(JSON.stringify([firstRun, state.models?.current, state.models?.profiles.map((p) => p.name), state.engines, state.detecting, state.providers.length, state.providerModels, state.busy]));
  return {
    key: "ways",
    signature,
    build: () => {
      const details = el("details", "ways", undefined, { "data-details": "ways" }) as HTMLDetailsElement;
      details.open = firstRun;
      details.appendChild(el("summary", "", firstRun ? l10n.t("Choose how Flambeau runs its model") : l10n.t("Add a model")));
      if (firstRun) details.appendChild(el("p", "welcome", l10n.t("Three ways in: pick one now, change it any time here.")));
      details.append(embeddedWay(state), enginesWay(state), cloudWay(state));
      return details;
    },
  };
}

// -- restrictions, roles, escalation ----------------------------------------------------------------
function restrictionsSpec(state: ModelsState): NodeSpec | undefined {
  const r = state.models?.restrictions;
  if (!r) return undefined;
  return {
    key: "restrictions",
    signature: digest(JSON.stringify(r)),
    build: () => {
      const section = el("section", "restrictions");
      const toggle = el("input", "", undefined, { type: "checkbox", id: "local-only", "data-action": "setLocalOnly" }) as HTMLInputElement;
      toggle.checked = r.localOnly;
      if (r.localOnlyLocked) toggle.disabled = true;
      const label = el("label", "switch", undefined, { for: "local-only" });
      label.append(toggle, el("span", "", l10n.t("Local only: refuse every cloud profile")));
      section.appendChild(label);
      if (r.localOnlyLocked) section.appendChild(el("p", "locked", l10n.t("Turned on by this workspace ({0}); it cannot be turned off from here.", r.localOnlySource)));
      if (r.neverToCloud.length) section.appendChild(el("p", "hint", l10n.t("Never sent to a cloud model: {0}", r.neverToCloud.join(", "))));
      if (r.allowedProfiles) section.appendChild(el("p", "locked", l10n.t("This workspace allows only these profiles: {0}", r.allowedProfiles.join(", ") || "—")));
      return section;
    },
  };
}

function rolesSpec(state: ModelsState): NodeSpec | undefined {
  const models = state.models;
  if (!models) return undefined;
  const names = models.profiles.map((p) => p.name);
  const roles: Record<string, string> = {};
  for (const entry of models.profiles) for (const role of entry.roles ?? []) roles[role] = entry.name;
  return {
    key: "roles",
    signature: digest(JSON.stringify([names, roles, models.escalateTo])),
    build: () => {
      const section = el("section", "roles");
      section.appendChild(el("h3", "", l10n.t("Roles")));
      for (const role of ROLES as readonly Role[]) {
        const chosen = roles[role] ?? "";
        const options: [string, string][] = [...(chosen ? [] : [["", l10n.t("the current profile")] as [string, string]]), ...names.map((n): [string, string] => [n, n])];
        section.appendChild(field(roleLabel(role), select("assignRole", options, chosen, { "data-role": role })));
      }
      const escalation: [string, string][] = [["", l10n.t("none")], ...names.map((n): [string, string] => [n, n])];
      section.appendChild(
        field(l10n.t("When a local model keeps failing, offer"), select("setEscalation", escalation, models.escalateTo ?? ""), l10n.t("Only with your consent in the chat panel, each time.")),
      );
      return section;
    },
  };
}

// -- profile cards ----------------------------------------------------------------------------------
function opennessCard(entry: ModelEntry): HTMLElement {
  const card = entry.openness ?? {};
  const box = el("div", "openness");
  const head = el("div", "openness-head");
  const family = str(card.family);
  if (!family || family === "unknown") head.appendChild(el("span", "category", l10n.t("No curated openness card for this model: add one as [profiles.{0}.card] in models.toml.", entry.name)));
  else head.append(el("span", "family", family), el("span", "category", categoryLabel(card.category)));
  box.appendChild(head);
  box.appendChild(el("div", "licence", l10n.t("Licence: {0}", str(card.licence) || l10n.t("unknown"))));
  const table = el("div", "openness-grid");
  const rows: [string, unknown][] = [
    [l10n.t("weights"), card.weights],
    [l10n.t("training code"), card.training_code],
    [l10n.t("training data"), card.training_data],
  ];
  for (const [name, value] of rows) {
    table.append(el("span", "", name), el("span", `open-${str(value) || "unknown"}`, opennessLabel(value)));
  }
  box.appendChild(table);
  return box;
}

function provenanceLine(entry: ModelEntry): HTMLElement {
  const p = entry.provenance ?? {};
  let text: string;
  if (p.kind === "gguf") text = l10n.t("GGUF SHA-256: {0}", str(p.sha256));
  else if (p.kind === "ollama") text = l10n.t("Ollama digest: {0}", str(p.digest));
  else if (p.kind === "cloud") text = l10n.t("Answered as: {0}", str(p.responseModel));
  else if (isEmbedded(entry)) text = l10n.t("GGUF SHA-256: known once the model file is assembled (its first use)");
  else if (entry.locality === "cloud") text = l10n.t("Model version: not known until a Test");
  else text = l10n.t("Weights digest: not reported by this engine");
  return el("div", `provenance provenance-${str(p.kind) || "none"}`, text);
}

function fitnessBlock(fitness: FitnessSummary | undefined, progress: ModelTestProgress | undefined, error: string | undefined): HTMLElement {
  const box = el("div", "fitness");
  if (progress) {
    const bar = el("progress", "", undefined, { max: String(progress.total || 1), value: String(progress.done) });
    box.append(el("span", "fitness-step", l10n.t("Testing: {0}", stepLabel(progress.step))), bar);
    return box;
  }
  if (error) box.appendChild(el("div", "error", error));
  if (!fitness) {
    box.appendChild(el("span", "hint", l10n.t("Not tested yet")));
    return box;
  }
  const passed = fitness.tasks.filter((t) => t.passed).length;
  const when = Number.isNaN(Date.parse(fitness.checkedAt)) ? fitness.checkedAt : new Date(fitness.checkedAt).toLocaleString(document.documentElement.lang || undefined);
  const head = fitness.reachable ? l10n.t("Tested {0}: reachable", when) : l10n.t("Tested {0}: not reachable ({1})", when, fitness.detail);
  box.appendChild(el("div", "fitness-head", head));
  if (fitness.reachable) {
    box.appendChild(
      el(
        "div",
        "fitness-figures",
        l10n.t("well-formed replies {0}/{1} · correct edits {2}/{3} · tasks passed {4}/{5} · {6} s", fitness.wellFormed, fitness.replies, fitness.correctEdits, fitness.edits, passed, fitness.tasks.length, fitness.wallSeconds),
      ),
    );
  }
  return box;
}

function editForm(entry: ModelEntry): HTMLElement {
  const form = el("div", "form edit-form", undefined, { "data-form": "edit", "data-name": entry.name });
  form.appendChild(field(l10n.t("Model"), input("model", entry.model)));
  form.appendChild(field(l10n.t("API base (optional)"), input("apiBase", entry.apiBase ?? "")));
  const modes = TOOL_MODES.map((m): [string, string] => [m, m]);
  form.appendChild(field(l10n.t("Tool calls"), select("", modes, entry.toolMode ?? "native", { "data-field": "toolMode" }), l10n.t("native: the API's tool calls; text: written in the reply; constrained: grammar-constrained")));
  form.appendChild(field(l10n.t("Context window (tokens, optional)"), input("contextWindow", entry.contextWindow ? String(entry.contextWindow) : "", { inputmode: "numeric" })));
  if (entry.locality === "cloud") {
    form.appendChild(field(l10n.t("Replace the API key (optional)"), input("key", "", { type: "password", autocomplete: "off" }), l10n.t("Leave empty to keep the key in the keyring.")));
  }
  const actions = el("div", "actions");
  actions.append(button(l10n.t("Save"), "saveEdit", { "data-name": entry.name }, "primary"), button(l10n.t("Cancel"), "cancelEdit", {}, "secondary"));
  form.appendChild(actions);
  return form;
}

function profileCard(state: ModelsState, entry: ModelEntry): HTMLElement {
  const current = state.models?.current === entry.name;
  const usable = entry.usable !== false;
  const root = el("div", `card profile-card locality-border-${entry.locality}${current ? " current" : ""}${usable ? "" : " unusable"}`, undefined, { "data-name": entry.name });
  const head = el("div", "card-head");
  const title = el("span", "profile-name", entry.name);
  head.append(title, el("span", `badge locality-${entry.locality}`, localityLabel(entry.locality)));
  for (const role of entry.roles ?? []) head.appendChild(el("span", "tag role", roleLabel(role)));
  if (current) head.appendChild(el("span", "tag current", l10n.t("in use")));
  root.appendChild(head);
  const model = entry.apiBase ? l10n.t("{0} at {1}", entry.model, entry.apiBase) : entry.model;
  root.appendChild(el("div", "profile-model", model));
  if (entry.toolMode) root.appendChild(el("div", "hint tool-mode", l10n.t("tool calls: {0}", entry.toolMode)));
  if (!usable) root.appendChild(el("div", "locked", state.models?.restrictions?.localOnly && entry.locality === "cloud" ? l10n.t("Refused in local-only mode") : l10n.t("Not allowed in this workspace")));
  if (entry.locality === "cloud" && entry.keyName) {
    root.appendChild(el("div", entry.keyStored ? "key key-stored" : "key key-missing", entry.keyStored ? l10n.t("API key: in the keyring ({0})", entry.keyName) : l10n.t("API key: missing (Edit to add it)")));
  }
  root.appendChild(opennessCard(entry));
  root.appendChild(provenanceLine(entry));
  root.appendChild(fitnessBlock(entry.fitness, state.testing[entry.name], state.testErrors[entry.name]));
  if (state.editing === entry.name) {
    root.appendChild(editForm(entry));
    return root;
  }
  const actions = el("div", "actions");
  const ids = { "data-name": entry.name };
  if (!current && usable) actions.appendChild(button(l10n.t("Use"), "select", ids, "primary"));
  const test = button(l10n.t("Test"), "test", ids, "secondary");
  if (state.testing[entry.name] || !usable) test.setAttribute("disabled", "");
  actions.appendChild(test);
  if (!isEmbedded(entry)) {
    if (state.confirmRemove === entry.name) {
      actions.append(button(l10n.t("Remove {0}", entry.name), "removeConfirmed", ids, "danger"), button(l10n.t("Keep it"), "removeCancel", {}, "secondary"));
    } else {
      actions.append(button(l10n.t("Edit"), "edit", ids, "secondary"), button(l10n.t("Remove"), "remove", ids, "secondary"));
    }
  }
  root.appendChild(actions);
  return root;
}

function profilesSpec(state: ModelsState): NodeSpec {
  return {
    key: "profiles",
    signature: "profiles",
    build: () => {
      const section = el("section", "profiles");
      section.append(el("h3", "", l10n.t("Model profiles")), el("div", "profile-list"));
      return section;
    },
    patch: (section) => {
      const list = section.querySelector(".profile-list") as HTMLElement;
      const specs = (state.models?.profiles ?? []).map((entry) => ({
        key: entry.name,
        signature: digest(JSON.stringify([entry, state.models?.current, state.models?.restrictions?.localOnly, state.testing[entry.name], state.testErrors[entry.name], state.editing === entry.name, state.confirmRemove === entry.name])),
        build: () => profileCard(state, entry),
      }));
      patchChildren(list, specs);
    },
  };
}

export function renderModels(root: HTMLElement, state: ModelsState): void {
  const specs: NodeSpec[] = state.errors.map((message, index) => ({ key: `error:${index}`, signature: digest(message), build: () => el("div", "msg error", message) }));
  if (state.server.state !== "running") {
    const text = state.server.message || l10n.t("Waiting for the Flambeau server…");
    specs.push({ key: "server", signature: digest(text), build: () => el("div", state.server.state === "failed" ? "server-state error" : "server-state", text) });
  }
  if (state.models) {
    const current = state.models.profiles.find((p) => p.name === state.models?.current);
    const text = l10n.t("New tasks use {0} ({1}).", state.models.current, localityLabel(current?.locality ?? "unknown"));
    specs.push({
      key: "current",
      signature: digest(text + state.models.configPath),
      build: () => {
        const bar = el("div", "current-bar");
        bar.append(el("span", `current-model locality-${current?.locality ?? "unknown"}`, text), button(l10n.t("Refresh"), "refresh", {}, "link"));
        if (state.models?.configPath) bar.appendChild(el("div", "hint", l10n.t("Saved in {0}", state.models.configPath)));
        return bar;
      },
    });
    specs.push(waysSpec(state));
    for (const spec of [restrictionsSpec(state), rolesSpec(state)]) if (spec) specs.push(spec);
    specs.push(profilesSpec(state));
  }
  patchChildren(root, specs);
}
