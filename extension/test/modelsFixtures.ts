import type { DetectedEngine, FitnessSummary, ListModelsResult, ModelEntry } from "../src/shared/protocol";

export const embedded: ModelEntry = {
  name: "local",
  model: "embedded (llama.cpp)",
  locality: "local",
  openness: { family: "Gemma 3", licence: "Gemma Terms of Use", category: "open weights with restrictions", weights: "restricted", training_code: "closed", training_data: "closed" },
  provenance: { kind: "gguf", file: "gemma.gguf", sha256: "a".repeat(64) },
  installed: true,
  toolMode: "constrained",
  roles: [],
  usable: true,
};

export const fitness: FitnessSummary = {
  model: "anthropic/claude-sonnet-4-5",
  checkedAt: "2026-12-02T04:00:00Z",
  reachable: true,
  detail: "answered in 0.1 s",
  responseModel: "claude-sonnet-4-5-20250929",
  window: 200000,
  windowSource: "litellm model info",
  replies: 6,
  wellFormed: 5,
  correctEdits: 1,
  edits: 2,
  tasks: [{ name: "run", passed: true, steps: 2 }, { name: "create", passed: true, steps: 2 }, { name: "edit", passed: false, steps: 3 }],
  wallSeconds: 2.4,
};

export const work: ModelEntry = {
  name: "work",
  model: "anthropic/claude-sonnet-4-5",
  locality: "cloud",
  openness: { family: "Claude", licence: "Anthropic commercial terms", category: "proprietary", weights: "closed", training_code: "closed", training_data: "closed" },
  provenance: { kind: "cloud", responseModel: "claude-sonnet-4-5-20250929" },
  keyName: "anthropic",
  keyStored: true,
  roles: ["summarise"],
  usable: true,
  fitness,
};

export const ollama: ModelEntry = {
  name: "ollama-qwen",
  model: "ollama_chat/qwen2.5-coder:7b",
  locality: "local",
  apiBase: "http://127.0.0.1:11434",
  openness: { family: "Qwen 2.5", licence: "Apache-2.0", category: "open weights", weights: "open", training_code: "closed", training_data: "closed" },
  provenance: { kind: "ollama", model: "qwen2.5-coder:7b", digest: "sha256:" + "ab".repeat(32) },
  toolMode: "native",
  roles: ["commit"],
  usable: true,
};

export function listing(overrides: Partial<ListModelsResult> = {}): ListModelsResult {
  return {
    current: "ollama-qwen",
    profiles: [embedded, ollama, work],
    default: "ollama-qwen",
    escalateTo: "work",
    configPath: "/home/me/.config/flambeau/models.toml",
    firstRun: false,
    restrictions: { localOnly: false, localOnlySource: "", userLocalOnly: false, localOnlyLocked: false, neverToCloud: [], allowedProfiles: null },
    ...overrides,
  };
}

export const engines: DetectedEngine[] = [
  { kind: "ollama", label: "Ollama", api_base: "http://127.0.0.1:11434", models: [{ id: "qwen2.5-coder:7b", model: "ollama_chat/qwen2.5-coder:7b", digest: "sha256:" + "ab".repeat(32), suggestedName: "ollama-qwen2.5-coder-7b" }] },
  { kind: "llamacpp", label: "llama.cpp server", api_base: "http://127.0.0.1:8080/v1", models: [{ id: "scripted-model", model: "openai/scripted-model", digest: "", suggestedName: "llamacpp-scripted-model" }] },
];
