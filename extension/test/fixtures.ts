import type { HostToWebview } from "../src/shared/messages";
import type { AgentEvent } from "../src/shared/protocol";

export const TASK = "t-1";

export function ev(event: AgentEvent, taskId = TASK): HostToWebview {
  return { type: "event", taskId, event };
}

export const started: AgentEvent = {
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

export const editApproval: AgentEvent = {
  type: "approval_requested",
  call_id: "c2",
  tool: "write_file",
  category: "edit",
  summary: "write hello.txt",
  reason: "edits ask",
  preview: editDiff,
  arguments: { path: "hello.txt", content: "hello, world\n" },
};
