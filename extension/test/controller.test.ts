import { describe, expect, it } from "vitest";
import { Approvals } from "../src/approvals";
import { ChatController, type ChatBackend, type ChatUi } from "../src/chatController";
import type { HostToWebview } from "../src/shared/messages";
import type { ApprovalRequested, ApproveParams } from "../src/shared/protocol";
import { isWebviewToHost } from "../src/shared/messages";
import { full } from "./fixtures";

function approval(callId: string, category = "edit", taskId = "t-1"): ApproveParams {
  const tool = category === "edit" ? "write_file" : "run_command";
  const event = full({ type: "approval_requested", call_id: callId, tool, category, preview: "diff", arguments: { path: "a.txt", content: "x" } }, taskId);
  return { taskId, event: event as ApprovalRequested };
}

function setup(options: { backend?: boolean; openDiff?: boolean } = {}) {
  const posted: HostToWebview[] = [];
  const calls: string[] = [];
  const approvals = new Approvals();
  const diffs: string[] = [];
  const ended: string[] = [];
  const backend: ChatBackend = {
    startTask: async (task) => {
      calls.push(`start:${task}`);
      return { taskId: "t-1" };
    },
    sendMessage: async (taskId, text) => {
      calls.push(`send:${taskId}:${text}`);
    },
    cancelTask: async (taskId) => {
      calls.push(`cancel:${taskId}:pending=${approvals.size}`);
      return { cancelled: true };
    },
  };
  const ui: ChatUi = {
    post: (m) => posted.push(m),
    reveal: () => calls.push("reveal"),
    openDiff: async (r) => {
      diffs.push(r.event.call_id);
    },
    selectModel: async () => {
      calls.push("selectModel");
    },
    taskEnded: (taskId) => ended.push(taskId),
  };
  const controller = new ChatController(() => (options.backend === false ? undefined : backend), approvals, ui, () => options.openDiff ?? true);
  return { controller, approvals, posted, calls, diffs, ended };
}

describe("webview messages", () => {
  it("accepts well-formed messages and rejects anything else", () => {
    expect(isWebviewToHost({ type: "startTask", task: "x" })).toBe(true);
    expect(isWebviewToHost({ type: "decide", taskId: "t", callId: "c", decision: "always" })).toBe(true);
    expect(isWebviewToHost({ type: "decide", taskId: "t", callId: "c", decision: "yes please" })).toBe(false);
    expect(isWebviewToHost({ type: "startTask", task: 3 })).toBe(false);
    expect(isWebviewToHost({ type: "runShell", command: "rm -rf /" })).toBe(false);
    expect(isWebviewToHost(null)).toBe(false);
  });
});

describe("chat controller", () => {
  it("starts a task on the server and tells the webview its id", async () => {
    const { controller, posted, calls } = setup();
    await controller.handle({ type: "startTask", task: "Fix it" });
    expect(calls).toEqual(["start:Fix it"]);
    expect(posted).toEqual([{ type: "taskStarted", taskId: "t-1", task: "Fix it" }]);
  });

  it("forwards follow-up messages to the running task", async () => {
    const { controller, calls } = setup();
    await controller.handle({ type: "sendMessage", taskId: "t-1", text: "also tests" });
    expect(calls).toEqual(["send:t-1:also tests"]);
  });

  it("ignores malformed messages from the webview", async () => {
    const { controller, posted, calls } = setup();
    await controller.handle({ type: "startTask" });
    await controller.handle("startTask");
    expect(calls).toEqual([]);
    expect(posted).toEqual([]);
  });

  it("reports a missing server in the panel instead of failing silently", async () => {
    const { controller, posted } = setup({ backend: false });
    await controller.handle({ type: "startTask", task: "x" });
    expect(posted).toHaveLength(1);
    expect(posted[0]?.type).toBe("error");
    expect(JSON.stringify(posted[0])).toContain("not running");
  });

  it("an approval request shows a card, reveals the panel, opens the diff for edits and waits for the click", async () => {
    const { controller, posted, calls, diffs } = setup();
    const decision = controller.onApprove(approval("c2"));
    expect(posted[0]).toMatchObject({ type: "event", taskId: "t-1", event: { type: "approval_requested", call_id: "c2", category: "edit", preview: "diff" } });
    expect(calls).toContain("reveal");
    expect(diffs).toEqual(["c2"]);
    await controller.handle({ type: "decide", taskId: "t-1", callId: "c2", decision: "approve" });
    await expect(decision).resolves.toEqual({ decision: "approve" });
    expect(posted.at(-1)).toEqual({ type: "approvalSettled", taskId: "t-1", callId: "c2" });
  });

  it("does not open a diff for commands, nor when the setting is off", async () => {
    const first = setup();
    void first.controller.onApprove(approval("c3", "command"));
    expect(first.diffs).toEqual([]);
    const second = setup({ openDiff: false });
    void second.controller.onApprove(approval("c2"));
    expect(second.diffs).toEqual([]);
  });

  it("Deny and Always allow reach the server as such", async () => {
    const { controller } = setup();
    const deny = controller.onApprove(approval("c3", "command"));
    const always = controller.onApprove(approval("c4", "command"));
    await controller.handle({ type: "decide", taskId: "t-1", callId: "c3", decision: "deny" });
    await controller.handle({ type: "decide", taskId: "t-1", callId: "c4", decision: "always" });
    await expect(deny).resolves.toMatchObject({ decision: "deny" });
    await expect(always).resolves.toEqual({ decision: "always" });
  });

  it("a second click on a decided card changes nothing", async () => {
    const { controller, approvals, posted } = setup();
    const decision = controller.onApprove(approval("c2"));
    await controller.handle({ type: "decide", taskId: "t-1", callId: "c2", decision: "approve" });
    const count = posted.length;
    await controller.handle({ type: "decide", taskId: "t-1", callId: "c2", decision: "deny" });
    await expect(decision).resolves.toEqual({ decision: "approve" });
    expect(posted).toHaveLength(count);
    expect(approvals.size).toBe(0);
  });

  it("Stop cancels the task on the server first, then denies what still waits in that task only", async () => {
    const { controller, calls } = setup();
    const mine = controller.onApprove(approval("c2"));
    const other = controller.onApprove(approval("c9", "command", "t-2"));
    await controller.handle({ type: "stop", taskId: "t-1" });
    await expect(mine).resolves.toMatchObject({ decision: "deny" });
    expect(calls).toContain("cancel:t-1:pending=2");
    let otherSettled = false;
    void other.then(() => (otherSettled = true));
    await Promise.resolve();
    expect(otherSettled).toBe(false);
  });

  it("a request the server cancels is denied and no longer shown as waiting", async () => {
    const { controller, posted } = setup();
    let cancel: () => void = () => undefined;
    const decision = controller.onApprove(approval("c2"), (listener) => (cancel = listener));
    cancel();
    await expect(decision).resolves.toMatchObject({ decision: "deny" });
    expect(posted.at(-1)).toEqual({ type: "approvalSettled", taskId: "t-1", callId: "c2" });
  });

  it("knows the latest running task until it ends (for the Stop Task command)", async () => {
    const { controller } = setup();
    expect(controller.latestRunning).toBeUndefined();
    await controller.startTask("x");
    expect(controller.latestRunning).toBe("t-1");
    controller.onEvent({ taskId: "t-1", event: full({ type: "task_failed", error: "boom", steps: 0 }) });
    expect(controller.latestRunning).toBeUndefined();
  });

  it("forwards events to the webview, and refreshes traces when a task ends", () => {
    const { controller, posted, ended } = setup();
    controller.onEvent({ taskId: "t-1", event: full({ type: "text_delta", text: "hi" }) });
    expect(ended).toEqual([]);
    controller.onEvent({ taskId: "t-1", event: full({ type: "task_finished", outcome: "completed", result: "ok", steps: 1 }) });
    expect(posted.map((m) => m.type)).toEqual(["event", "event"]);
    expect(ended).toEqual(["t-1"]);
  });
});
