// Messages between the extension host and the Models webview. Both directions are plain JSON; a key typed
// into the view passes through the host once, to the server's keyring, and is never sent back or kept.
import type { DetectedEngine, FitnessSummary, ListModelsResult, ModelTestProgress, ProviderModelsResult, SaveProfileParams } from "./protocol";

export const ROLES = ["main", "summarise", "commit"] as const;
export type Role = (typeof ROLES)[number];
export const TOOL_MODES = ["native", "text", "constrained"] as const;

export type HostToModels =
  | { type: "models"; models: ListModelsResult }
  | { type: "engines"; engines: DetectedEngine[] }
  | { type: "providers"; providers: string[] }
  | { type: "providerModels"; result: ProviderModelsResult }
  | { type: "testProgress"; progress: ModelTestProgress }
  | { type: "testDone"; name: string; summary?: FitnessSummary; error?: string }
  | { type: "saved"; name: string }
  | { type: "serverState"; state: "starting" | "running" | "stopped" | "failed"; message?: string }
  | { type: "error"; message: string };

export type ModelsToHost =
  | { type: "ready" }
  | { type: "refresh" }
  | { type: "detect" }
  | { type: "providerModels"; provider: string }
  | { type: "save"; profile: SaveProfileParams; select?: boolean }
  | { type: "remove"; name: string }
  | { type: "select"; name: string }
  | { type: "assignRole"; role: Role; name: string }
  | { type: "setLocalOnly"; enabled: boolean }
  | { type: "setEscalation"; name: string | null }
  | { type: "test"; name: string };

const text = (value: unknown): value is string => typeof value === "string" && value.length > 0 && value.length <= 4096;
const optionalText = (value: unknown): boolean => value === undefined || text(value);

function isProfile(value: unknown): value is SaveProfileParams {
  if (typeof value !== "object" || value === null) return false;
  const p = value as Record<string, unknown>;
  const known = new Set(["name", "model", "apiBase", "apiKeyName", "toolMode", "locality", "contextWindow", "key"]);
  if (Object.keys(p).some((key) => !known.has(key))) return false;
  return (
    text(p.name) &&
    text(p.model) &&
    optionalText(p.apiBase) &&
    optionalText(p.apiKeyName) &&
    optionalText(p.key) &&
    (p.toolMode === undefined || (TOOL_MODES as readonly unknown[]).includes(p.toolMode)) &&
    (p.locality === undefined || p.locality === "cloud") &&
    (p.contextWindow === undefined || (Number.isInteger(p.contextWindow) && (p.contextWindow as number) > 0))
  );
}

/** The webview is not trusted: anything but these shapes is dropped. */
export function isModelsToHost(value: unknown): value is ModelsToHost {
  if (typeof value !== "object" || value === null) return false;
  const m = value as Record<string, unknown>;
  switch (m.type) {
    case "ready":
    case "refresh":
    case "detect":
      return true;
    case "providerModels":
      return text(m.provider);
    case "save":
      return isProfile(m.profile) && (m.select === undefined || typeof m.select === "boolean");
    case "remove":
    case "select":
    case "test":
      return text(m.name);
    case "assignRole":
      return (ROLES as readonly unknown[]).includes(m.role) && text(m.name);
    case "setLocalOnly":
      return typeof m.enabled === "boolean";
    case "setEscalation":
      return m.name === null || text(m.name);
    default:
      return false;
  }
}
