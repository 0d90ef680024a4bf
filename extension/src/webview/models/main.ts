// The Models webview: folds host messages into state, patches the DOM once per frame, and turns clicks and
// changes into host messages. A typed key is read from its input when sent and the input is cleared at once.
import * as l10n from "@vscode/l10n";
import type { HostToModels, ModelsToHost, Role } from "../../shared/modelsMessages";
import type { SaveProfileParams } from "../../shared/protocol";
import { loadBundle } from "../l10n";
import { renderModels } from "./render";
import { initialModelsState, reduceModels, type LocalAction, type ModelsState } from "./state";

interface VsCodeApi {
  postMessage(message: ModelsToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

loadBundle(document);
const vscode = acquireVsCodeApi();
let state: ModelsState = { ...initialModelsState(), ...((vscode.getState() as Partial<ModelsState> | undefined) ?? {}), testing: {}, busy: false, errors: [] };
const root = document.getElementById("models") as HTMLElement;
let drawScheduled = false;

function apply(message: HostToModels | LocalAction): void {
  state = reduceModels(state, message);
  if (drawScheduled) return;
  drawScheduled = true;
  requestAnimationFrame(() => {
    drawScheduled = false;
    renderModels(root, state);
    vscode.setState(state);
  });
}

function send(message: ModelsToHost, busy = true): void {
  if (busy) apply({ type: "busy" });
  vscode.postMessage(message);
}

function fields(form: Element): Record<string, string> {
  const values: Record<string, string> = {};
  for (const input of form.querySelectorAll<HTMLInputElement | HTMLSelectElement>("[data-field]")) values[input.dataset.field ?? ""] = input.value.trim();
  return values;
}

function clearKeys(form: Element): void {
  for (const input of form.querySelectorAll<HTMLInputElement>('input[data-field="key"]')) input.value = "";
}

/** The profile the edit or cloud form describes; a model id without its provider gets it. */
function profileFrom(values: Record<string, string>, name: string, provider = ""): SaveProfileParams {
  const model = provider && !values.model?.includes("/") ? `${provider}/${values.model ?? ""}` : (values.model ?? "");
  const profile: SaveProfileParams = { name, model };
  if (values.apiBase) profile.apiBase = values.apiBase;
  if (values.key) profile.key = values.key;
  const window = Number(values.contextWindow);
  if (values.contextWindow && Number.isInteger(window) && window > 0) profile.contextWindow = window;
  return profile;
}

function onClick(target: HTMLElement): void {
  const action = target.dataset.action ?? "";
  const name = target.dataset.name ?? "";
  switch (action) {
    case "refresh":
      return send({ type: "refresh" }, false);
    case "detect":
      apply({ type: "detecting" });
      return send({ type: "detect" }, false);
    case "select":
      return send({ type: "select", name });
    case "useEngine": {
      const engine = state.engines?.[Number(target.dataset.engine)];
      const model = engine?.models.find((m) => m.id === target.dataset.model);
      if (engine && model) send({ type: "save", profile: { name: model.suggestedName, model: model.model, apiBase: engine.api_base }, select: true });
      return;
    }
    case "addCloud": {
      const form = target.closest(".form");
      if (!form) return;
      const values = fields(form);
      const provider = values.provider ?? "";
      clearKeys(form);
      if (!provider || !values.model) return apply({ type: "error", message: l10n.t("Choose a provider and a model first.") });
      const profile = { ...profileFrom(values, values.name || provider, provider), locality: "cloud" as const };
      return send({ type: "save", profile, select: state.models?.firstRun === true });
    }
    case "test":
      apply({ type: "testing", name });
      return send({ type: "test", name }, false);
    case "edit":
      return apply({ type: "edit", name });
    case "cancelEdit":
      return apply({ type: "edit", name: null });
    case "saveEdit": {
      const form = target.closest(".form");
      const entry = state.models?.profiles.find((p) => p.name === name);
      if (!form || !entry) return;
      const values = fields(form);
      clearKeys(form);
      const profile = profileFrom(values, name);
      const mode = values.toolMode;
      if (mode === "native" || mode === "text" || mode === "constrained") profile.toolMode = mode;
      // A cloud profile on a loopback address was marked cloud by hand: an edit keeps it so.
      if (entry.locality === "cloud" && profile.apiBase) profile.locality = "cloud";
      return send({ type: "save", profile });
    }
    case "remove":
      return apply({ type: "confirmRemove", name });
    case "removeCancel":
      return apply({ type: "confirmRemove", name: null });
    case "removeConfirmed":
      apply({ type: "confirmRemove", name: null });
      return send({ type: "remove", name });
  }
}

function onChange(target: HTMLInputElement | HTMLSelectElement): void {
  switch (target.dataset.action) {
    case "chooseProvider":
      if (target.value) send({ type: "providerModels", provider: target.value }, false);
      return;
    case "assignRole":
      if (target.value) send({ type: "assignRole", role: target.dataset.role as Role, name: target.value });
      return;
    case "setEscalation":
      return send({ type: "setEscalation", name: target.value || null });
    case "setLocalOnly":
      return send({ type: "setLocalOnly", enabled: (target as HTMLInputElement).checked });
  }
}

window.addEventListener("message", (event: MessageEvent<HostToModels>) => {
  if (event.data.type === "saved") {
    for (const form of document.querySelectorAll('.form[data-form="cloud"]')) {
      for (const input of form.querySelectorAll<HTMLInputElement>("input[data-field]")) input.value = "";
    }
  }
  apply(event.data);
});
document.addEventListener("click", (event) => {
  const target = (event.target as HTMLElement).closest<HTMLElement>("button[data-action]");
  if (target && !target.hasAttribute("disabled")) onClick(target);
});
document.addEventListener("change", (event) => {
  const target = event.target as HTMLInputElement | HTMLSelectElement;
  if (target.dataset.action) onChange(target);
});

renderModels(root, state);
vscode.postMessage({ type: "ready" });
