// The Models view's state, and the one pure function that folds host messages into it. Keys typed into the
// view are never part of it (the state is saved by VS Code with the webview): they live in the input only.
import type { HostToModels } from "../../shared/modelsMessages";
import type { DetectedEngine, ListModelsResult, ModelEntry, ModelTestProgress, ProviderModelsResult } from "../../shared/protocol";

export interface ModelsState {
  server: { state: "starting" | "running" | "stopped" | "failed"; message: string };
  models: ListModelsResult | null;
  /** null: not looked for yet. */
  engines: DetectedEngine[] | null;
  detecting: boolean;
  providers: string[];
  providerModels: ProviderModelsResult | null;
  /** Profiles whose fitness check runs, with its last step. */
  testing: Record<string, ModelTestProgress>;
  testErrors: Record<string, string>;
  /** The profile whose edit form is open. */
  editing: string | null;
  /** The profile whose removal waits for a second click. */
  confirmRemove: string | null;
  /** A save or other change sent and not answered yet. */
  busy: boolean;
  errors: string[];
}

export function initialModelsState(): ModelsState {
  return {
    server: { state: "starting", message: "" },
    models: null,
    engines: null,
    detecting: false,
    providers: [],
    providerModels: null,
    testing: {},
    testErrors: {},
    editing: null,
    confirmRemove: null,
    busy: false,
    errors: [],
  };
}

/** The embedded model is always listed but is no profile of the user's file: it cannot be edited or removed. */
export function isEmbedded(entry: ModelEntry): boolean {
  return entry.name === "local" && entry.model === "embedded (llama.cpp)";
}

/** What the view itself changes before the host answers (a click on Test, Edit, Remove…). */
export type LocalAction =
  | { type: "detecting" }
  | { type: "testing"; name: string }
  | { type: "edit"; name: string | null }
  | { type: "confirmRemove"; name: string | null }
  | { type: "busy" }
  | { type: "dismissErrors" };

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([name]) => name !== key));
}

export function reduceModels(previous: ModelsState, message: HostToModels | LocalAction): ModelsState {
  const state: ModelsState = { ...previous };
  switch (message.type) {
    case "serverState":
      state.server = { state: message.state, message: message.message ?? "" };
      // Until the (re)started server lists them again, no profile is shown as it was.
      if (message.state !== "running") {
        state.testing = {};
        state.models = null;
      }
      return state;
    case "models":
      state.models = message.models;
      state.busy = false;
      if (state.editing && !message.models.profiles.some((p) => p.name === state.editing)) state.editing = null;
      return state;
    case "engines":
      state.engines = message.engines;
      state.detecting = false;
      return state;
    case "providers":
      state.providers = message.providers;
      return state;
    case "providerModels":
      state.providerModels = message.result;
      return state;
    case "testProgress":
      state.testing = { ...state.testing, [message.progress.name]: message.progress };
      return state;
    case "testDone": {
      state.testing = without(state.testing, message.name);
      const errors = without(state.testErrors, message.name);
      state.testErrors = message.error ? { ...errors, [message.name]: message.error } : errors;
      return state;
    }
    case "saved":
      state.editing = null;
      return state;
    case "error":
      state.errors = [...state.errors, message.message];
      state.busy = false;
      state.detecting = false;
      return state;
    case "detecting":
      state.detecting = true;
      return state;
    case "testing":
      state.testing = { ...state.testing, [message.name]: { name: message.name, step: "start", done: 0, total: 0 } };
      return state;
    case "edit":
      state.editing = message.name;
      state.confirmRemove = null;
      return state;
    case "confirmRemove":
      state.confirmRemove = message.name;
      return state;
    case "busy":
      state.busy = true;
      state.errors = [];
      return state;
    case "dismissErrors":
      state.errors = [];
      return state;
  }
}
