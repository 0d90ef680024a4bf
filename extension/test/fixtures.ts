import type { HostToWebview } from "../src/shared/messages";
import type { AgentEvent, EventOf, EventType } from "../src/shared/protocol";

export const TASK = "t-1";

/** An event with only the fields a test cares about; `full` fills in the rest as the server would. */
export type PartialEvent = { [T in EventType]: { type: T } & Partial<EventOf<T>> }[EventType];

type Defaults = { [T in EventType]: Omit<EventOf<T>, "type" | "task_id"> };
const DEFAULTS: Defaults = {
  task_started: { task: "", workspace: "", model: "", profile: "", locality: "local", rules: [], tools: [], prompt: "full", extra: {} },
  user_message: { text: "" },
  text_delta: { text: "" },
  model_changed: { previous_profile: "", profile: "", model: "", locality: "local", tool_mode: "native", window: 0 },
  model_notice: { profile: "", message: "" },
  containment: { sandbox: "bubblewrap", mode: "auto", reason: "", chosen: false, commands_ask: false, network: "blocked", writable: [], read_only: [], hidden: [] },
  model_request: { step: 0, model: "", locality: "local", body: {}, role: "main" },
  usage: {
    step: 0, model: "", locality: "local", prompt_tokens: 0, completion_tokens: 0, cost_usd: 0, latency_s: 0, response_model: "",
    system_fingerprint: null, provenance: {}, total_prompt_tokens: 0, total_completion_tokens: 0, total_cost_usd: 0, role: "main",
  },
  tool_call_proposed: { call_id: "", tool: "", category: "", arguments: {} },
  approval_requested: { call_id: "", tool: "", category: "", arguments: {}, summary: "", reason: "", preview: "", firm: false },
  approval_decided: { call_id: "", tool: "", approved: false, by: "auto", reason: "", edited: false },
  tool_result: { call_id: "", tool: "", ok: true, output: "", duration_s: 0, file_changes: [], data: {} },
  checkpoint_created: { checkpoint_id: "", step: 0, files: 0, skipped: [], duration_s: 0 },
  checkpoint_failed: { step: 0, error: "" },
  checkpoint_restored: {
    checkpoint_id: "", checkpoint_task_id: "", step: 0, what: "files", written: [], deleted: [], failed: [], overwritten: [],
    safety_checkpoint_id: "", sha256_after: {}, rewound_to_step: null,
  },
  mode_changed: { plan: false, approval_mode: "ask", previous_plan: false, previous_approval_mode: "ask" },
  task_finished: { outcome: "completed", result: "", steps: 0 },
  task_failed: { outcome: "failed", error: "", steps: 0 },
  context_attached: { items: [] },
  question_asked: { call_id: "", question: "", suggestions: [] },
  question_answered: { call_id: "", answer: null, by: "user" },
  context_usage: {
    step: 0, used_tokens: 0, window: 0, counted_by: "estimate", condense_at_tokens: 0, turns: 0, condensed_turns: 0,
    parts: { system: 0, tool_schemas: 0, conversation: 0, tool_results: 0, attachments: 0, summary: 0 },
  },
  context_condensed: {
    step: 0, trigger: "auto", first_turn: 0, last_turn: 0, turns_replaced: 0, tokens_before: 0, tokens_after: 0, summary: "",
    profile: "", model: "", locality: "local",
  },
  context_trimmed: { step: 0, first_turn: 0, last_turn: 0, turns_dropped: 0, tokens_before: 0, tokens_after: 0, reason: "" },
  condense_failed: { step: 0, trigger: "auto", error: "", profile: "" },
};

export function full(event: PartialEvent, taskId = TASK): AgentEvent {
  return { ...DEFAULTS[event.type], task_id: taskId, ...event } as AgentEvent;
}

export function ev(event: PartialEvent, taskId = TASK): HostToWebview {
  return { type: "event", taskId, event: full(event, taskId) };
}

export const started: PartialEvent = {
  type: "task_started",
  task: "Fix the greeting",
  workspace: "/ws",
  model: "openai/scripted",
  profile: "scripted",
  locality: "local",
  rules: [],
  tools: ["read_file", "write_file", "run_command"],
};

export const editDiff = "--- a/hello.txt\n+++ b/hello.txt\n@@ -1 +1 @@\n-hello\n+hello, world\n";

export const editApproval: PartialEvent = {
  type: "approval_requested",
  call_id: "c2",
  tool: "write_file",
  category: "edit",
  summary: "write hello.txt",
  reason: "edits ask",
  preview: editDiff,
  arguments: { path: "hello.txt", content: "hello, world\n" },
};
