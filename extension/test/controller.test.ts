import { describe, expect, it, vi } from "vitest";
import { Approvals } from "../src/approvals";
import { ChatController, type Attachments, type ChatBackend, type ChatUi } from "../src/chatController";
import { Questions } from "../src/questions";
import type { HostToWebview } from "../src/shared/messages";
import type { ApprovalRequested, ApproveParams, AskParams, QuestionAsked } from "../src/shared/protocol";
import { isWebviewToHost } from "../src/shared/messages";
import { full } from "./fixtures";

function approval(callId: string, category = "edit", taskId = "t-1"): ApproveParams {
  const tool = category === "edit" ? "write_file" : "run_command";
  const event = full({ type: "approval_requested", call_id: callId, tool, category, preview: "diff", arguments: { path: "a.txt", content: "x" } }, taskId);
  return { taskId, event: event as ApprovalRequested };
}

function question(callId: string, taskId = "t-1"): AskParams {
  const event = full({ type: "question_asked", call_id: callId, question: "Keep the old name?", suggestions: ["Yes", "No"] }, taskId);
  return { taskId, event: event as QuestionAsked };
}

function setup(options: { backend?: boolean; openDiff?: boolean; edited?: string; reject?: string; promptArgs?: Record<string, string>; outside?: string[] } = {}) {
  const posted: HostToWebview[] = [];
  const calls: string[] = [];
  const sent: Attachments[] = [];
  const approvals = new Approvals();
  const questions = new Questions();
  const diffs: string[] = [];
  const ended: string[] = [];
  const backend: ChatBackend = {
    startTask: async (task, attachments = {}) => {
      calls.push(`start:${task}`);
      sent.push(attachments);
      if (options.reject) throw new Error(options.reject);
      return { taskId: "t-1" };
    },
    sendMessage: async (taskId, text, attachments = {}) => {
      calls.push(`send:${taskId}:${text}`);
      sent.push(attachments);
    },
    cancelTask: async (taskId) => {
      calls.push(`cancel:${taskId}:pending=${approvals.size}`);
      return { cancelled: true };
    },
    condense: async (taskId) => {
      calls.push(`condense:${taskId}`);
      return { taskId, firstTurn: 1, lastTurn: 2, tokensBefore: 900, tokensAfter: 300, summary: "s", profile: "summ" };
    },
    resumeTask: async (taskId, text) => {
      calls.push(`resume:${taskId}:${text}`);
      return { taskId: "t-2", continues: taskId };
    },
    openHistory: async (taskId) => {
      calls.push(`open:${taskId}`);
      return { taskId, task: "old task", verdict: "intact", verdictMessage: "intact", segments: [] };
    },
    getMcpPrompt: async (server, name, args) => {
      calls.push(`prompt:${server}:${name}:${JSON.stringify(args)}`);
      if (name === "broken") throw new Error("the MCP server 'every' failed");
      return { server, name, messages: [{ role: "user", text: `Weather in ${args.city ?? "?"}` }], text: `Weather in ${args.city ?? "?"}` };
    },
    restoreCheckpoint: async (params) => {
      calls.push(`restore:${params.taskId}:${params.checkpointId}:${params.what}:${params.overwrite ?? false}`);
      return { ...params, written: [], deleted: [], failed: [], overwritten: [], safetyCheckpointId: "", rewoundToStep: null };
    },
    checkpointDiff: async (taskId, checkpointId) => {
      calls.push(`diff:${taskId}:${checkpointId}`);
      const files = (options.outside ?? []).map((path) => ({ path, change: "modified" as const, outsideTask: true, original: "x", binary: false, tooLarge: false }));
      return { taskId, checkpointId, step: 2, workspace: "/ws", files: [...files, { path: "mine.txt", change: "added", outsideTask: false, original: null, binary: false, tooLarge: false }] };
    },
    setTaskMode: async (params) => {
      calls.push(`mode:${params.taskId}:${params.plan}:${params.approvalMode}`);
      return { taskId: params.taskId, plan: params.plan ?? false, approvalMode: params.approvalMode ?? "ask", changed: true };
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
    editorContext: (text) => (text.includes("@selection") ? { selection: { path: "a.py", startLine: 1, endLine: 2, text: "x\ny" } } : undefined),
    editedContent: async () => options.edited,
    mentions: async (query) => [{ kind: "file", value: `${query}.py` }],
    promptArguments: async (prompt) => {
      calls.push(`ask:${prompt.command}`);
      return options.promptArgs;
    },
    compare: async (diff) => {
      calls.push(`compare:${diff.checkpointId}:${diff.files.length}`);
    },
  };
  const controller = new ChatController(() => (options.backend === false ? undefined : backend), approvals, questions, ui, () => options.openDiff ?? true);
  return { controller, approvals, questions, posted, calls, sent, diffs, ended };
}

describe("webview messages", () => {
  it("accepts well-formed messages and rejects anything else", () => {
    expect(isWebviewToHost({ type: "startTask", task: "x" })).toBe(true);
    expect(isWebviewToHost({ type: "decide", taskId: "t", callId: "c", decision: "always" })).toBe(true);
    expect(isWebviewToHost({ type: "decide", taskId: "t", callId: "c", decision: "yes please" })).toBe(false);
    expect(isWebviewToHost({ type: "startTask", task: 3 })).toBe(false);
    expect(isWebviewToHost({ type: "startTask", task: "x", images: [{ name: "a.png", data: "AA==" }] })).toBe(true);
    expect(isWebviewToHost({ type: "startTask", task: "x", images: [{ name: "a.png" }] })).toBe(false);
    expect(isWebviewToHost({ type: "startTask", task: "x", images: Array.from({ length: 9 }, () => ({ name: "a.png", data: "AA==" })) })).toBe(false);
    expect(isWebviewToHost({ type: "decide", taskId: "t", callId: "c", decision: "deny", reason: 5 })).toBe(false);
    expect(isWebviewToHost({ type: "answer", taskId: "t", callId: "c", answer: null })).toBe(true);
    expect(isWebviewToHost({ type: "answer", taskId: "t", callId: "c" })).toBe(false);
    expect(isWebviewToHost({ type: "runShell", command: "rm -rf /" })).toBe(false);
    expect(isWebviewToHost(null)).toBe(false);
  });
});

describe("chat controller", () => {
  it("resumes a task this server does not know from its trace, and continues one it knows", async () => {
    const { controller, calls, posted } = setup();
    await controller.handle({ type: "sendMessage", taskId: "past-1", text: "go on", requestId: 1 });
    expect(calls).toContain("resume:past-1:go on");
    expect(posted).toContainEqual({ type: "resumed", from: "past-1", taskId: "t-2" });
    expect(posted).toContainEqual({ type: "submitted", requestId: 1, ok: true });
    await controller.handle({ type: "sendMessage", taskId: "t-2", text: "more", requestId: 2 });
    expect(calls).toContain("send:t-2:more");
    controller.serverStarted();
    await controller.handle({ type: "sendMessage", taskId: "t-2", text: "after a restart", requestId: 3 });
    expect(calls).toContain("resume:t-2:after a restart");
  });

  it("condenses a task of this server on request, and says why not for one it does not know", async () => {
    const { controller, calls, posted } = setup();
    await controller.handle({ type: "startTask", task: "Fix it", requestId: 1 });
    await controller.handle({ type: "condense", taskId: "t-1" });
    expect(calls).toContain("condense:t-1");
    expect(posted).toContainEqual({ type: "condensing", taskId: "t-1", active: true });
    expect(posted[posted.length - 1]).toEqual({ type: "condensing", taskId: "t-1", active: false });
    await controller.handle({ type: "condense", taskId: "past-1" });
    expect(calls).not.toContain("condense:past-1");
    expect(posted[posted.length - 1]).toMatchObject({ type: "error", taskId: "past-1" });
  });

  it("opens a past task in the panel", async () => {
    const { controller, calls, posted } = setup();
    await controller.openHistory("past-1");
    expect(calls).toEqual(["open:past-1", "reveal"]);
    expect(posted).toContainEqual({ type: "history", taskId: "past-1", task: "old task", segments: [] });
  });

  it("tells a (re)loaded panel which tasks its server is running", async () => {
    const { controller, posted } = setup();
    await controller.handle({ type: "ready" });
    await controller.handle({ type: "startTask", task: "Fix it" });
    await controller.handle({ type: "ready" });
    expect(posted.filter((m) => m.type === "live")).toEqual([
      { type: "live", running: [] },
      { type: "live", running: ["t-1"] },
    ]);
  });

  it("reads tasks that died with an earlier server again from their traces, in place and without taking the focus", async () => {
    const { controller, calls, posted } = setup();
    await controller.handle({ type: "refresh", taskIds: ["past-1"] });
    expect(calls).toEqual(["open:past-1"]);
    expect(posted).toEqual([{ type: "history", taskId: "past-1", task: "old task", segments: [], inPlace: true }]);

    // Asked before the server runs: done once it does.
    const options = { backend: false };
    const early = setup(options);
    await early.controller.handle({ type: "refresh", taskIds: ["past-2"] });
    expect(early.posted).toEqual([]);
    options.backend = true;
    early.controller.serverStarted();
    await vi.waitFor(() => expect(early.posted).toEqual([{ type: "history", taskId: "past-2", task: "old task", segments: [], inPlace: true }]));
    expect(isWebviewToHost({ type: "refresh", taskIds: Array.from({ length: 21 }, (_, i) => `t-${i}`) })).toBe(false);
    expect(isWebviewToHost({ type: "refresh", taskIds: [3] })).toBe(false);
  });

  it("starts a task on the server and tells the webview its id, then that the input may be cleared", async () => {
    const { controller, posted, calls } = setup();
    await controller.handle({ type: "startTask", task: "Fix it", requestId: 4 });
    expect(calls).toEqual(["start:Fix it"]);
    expect(posted).toEqual([
      { type: "taskStarted", taskId: "t-1", task: "Fix it" },
      { type: "submitted", requestId: 4, ok: true },
    ]);
  });

  it("sends the editor context a task's mentions need, and its images", async () => {
    const { controller, sent } = setup();
    const images = [{ name: "shot.png", data: "iVBORw0KGgo=" }];
    await controller.handle({ type: "startTask", task: "Why does @selection fail?", requestId: 1, images });
    await controller.handle({ type: "sendMessage", taskId: "t-1", text: "and now?", requestId: 2 });
    const mode = { plan: false, approvalMode: "ask" };
    expect(sent).toEqual([{ context: { selection: { path: "a.py", startLine: 1, endLine: 2, text: "x\ny" } }, images, ...mode }, {}]);
  });

  it("a task the server refuses (a mention it cannot attach) is not started, and the panel is told why", async () => {
    const { controller, posted } = setup({ reject: "the task was not started: could not attach @gone.py: gone.py does not exist" });
    await controller.handle({ type: "startTask", task: "Explain @gone.py", requestId: 7 });
    expect(posted).toEqual([{ type: "submitted", requestId: 7, ok: false, message: "the task was not started: could not attach @gone.py: gone.py does not exist" }]);
    expect(controller.latestRunning).toBeUndefined();
  });

  it("answers the composer's mention queries with the host's candidates", async () => {
    const { controller, posted } = setup();
    await controller.handle({ type: "mentionQuery", requestId: 3, query: "app" });
    expect(posted).toEqual([{ type: "mentions", requestId: 3, items: [{ kind: "file", value: "app.py" }] }]);
  });

  it("forwards follow-up messages to the running task", async () => {
    const { controller, calls } = setup();
    await controller.startTask("write tests");
    await controller.handle({ type: "sendMessage", taskId: "t-1", text: "also tests" });
    expect(calls).toEqual(["start:write tests", "send:t-1:also tests"]);
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
    expect(posted[0]).toMatchObject({ type: "submitted", ok: false });
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

  it("a denial carries the user's reason; without one, a default", async () => {
    const { controller } = setup();
    const given = controller.onApprove(approval("c3", "command"));
    const plain = controller.onApprove(approval("c4", "command"));
    await controller.handle({ type: "decide", taskId: "t-1", callId: "c3", decision: "deny", reason: "not on this branch" });
    await controller.handle({ type: "decide", taskId: "t-1", callId: "c4", decision: "deny", reason: "" });
    await expect(given).resolves.toEqual({ decision: "deny", reason: "not on this branch" });
    await expect(plain).resolves.toEqual({ decision: "deny", reason: "denied in the Flambeau panel" });
  });

  it("approving an edit the user changed in the diff sends their text; a denial never does", async () => {
    const edited = setup({ edited: "hello, edited\n" });
    const approve = edited.controller.onApprove(approval("c2"));
    await edited.controller.handle({ type: "decide", taskId: "t-1", callId: "c2", decision: "approve" });
    await expect(approve).resolves.toEqual({ decision: "approve", content: "hello, edited\n" });
    const deny = edited.controller.onApprove(approval("c5"));
    await edited.controller.handle({ type: "decide", taskId: "t-1", callId: "c5", decision: "deny" });
    await expect(deny).resolves.not.toHaveProperty("content");
  });

  it("a question is shown, and the user's answer (a suggestion or their words) goes back to the server", async () => {
    const { controller, posted, calls } = setup();
    const first = controller.onAsk(question("q1"));
    expect(posted[0]).toMatchObject({ type: "event", event: { type: "question_asked", call_id: "q1", suggestions: ["Yes", "No"] } });
    expect(calls).toContain("reveal");
    await controller.handle({ type: "answer", taskId: "t-1", callId: "q1", answer: "Yes" });
    await expect(first).resolves.toEqual({ answer: "Yes" });
    expect(posted.at(-1)).toEqual({ type: "questionSettled", taskId: "t-1", callId: "q1" });
    const second = controller.onAsk(question("q2"));
    await controller.handle({ type: "answer", taskId: "t-1", callId: "q2", answer: "  only until 2.0 " });
    await expect(second).resolves.toEqual({ answer: "only until 2.0" });
  });

  it("a question nobody answers (skipped, withdrawn by the server, task stopped) answers null", async () => {
    const { controller, questions } = setup();
    const skipped = controller.onAsk(question("q1"));
    await controller.handle({ type: "answer", taskId: "t-1", callId: "q1", answer: null });
    await expect(skipped).resolves.toEqual({ answer: null });
    let cancel: () => void = () => undefined;
    const withdrawn = controller.onAsk(question("q2"), (listener) => (cancel = listener));
    cancel();
    await expect(withdrawn).resolves.toEqual({ answer: null });
    const stopped = controller.onAsk(question("q3"));
    await controller.handle({ type: "stop", taskId: "t-1" });
    await expect(stopped).resolves.toEqual({ answer: null });
    expect(questions.size).toBe(0);
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

  it("a restore over files changed outside the task asks first; confirmed, it overwrites", async () => {
    const { controller, posted, calls } = setup({ outside: ["a.txt"] });
    await controller.handle({ type: "restoreCheckpoint", taskId: "t-1", checkpointId: "c0ffee1", what: "files" });
    expect(calls).toEqual(["diff:t-1:c0ffee1"]);
    expect(posted.at(-1)).toEqual({ type: "restoreConfirm", taskId: "t-1", checkpointId: "c0ffee1", what: "files", files: ["a.txt"] });
    await controller.handle({ type: "restoreCheckpoint", taskId: "t-1", checkpointId: "c0ffee1", what: "files", overwrite: true });
    expect(calls.at(-1)).toBe("restore:t-1:c0ffee1:files:true");
  });

  it("a restore nobody else's change is in the way of, or of the task only, goes straight to the server", async () => {
    const { controller, calls } = setup();
    await controller.handle({ type: "restoreCheckpoint", taskId: "t-1", checkpointId: "c0ffee1", what: "both" });
    await controller.handle({ type: "restoreCheckpoint", taskId: "t-1", checkpointId: "c0ffee1", what: "task" });
    expect(calls).toEqual(["diff:t-1:c0ffee1", "restore:t-1:c0ffee1:both:false", "restore:t-1:c0ffee1:task:false"]);
  });

  it("Compare opens the multi-file diff of the checkpoint", async () => {
    const { controller, calls } = setup({ outside: ["a.txt"] });
    await controller.handle({ type: "compareCheckpoint", taskId: "t-1", checkpointId: "c0ffee1", step: 2 });
    expect(calls).toEqual(["diff:t-1:c0ffee1", "compare:c0ffee1:2"]);
  });

  it("Plan/Act and the approval menu switch a task the server runs at once, and the next task starts in them", async () => {
    const { controller, posted, calls, sent } = setup();
    await controller.handle({ type: "ready" });
    expect(posted.at(-1)).toEqual({ type: "mode", plan: false, approvalMode: "ask" });
    await controller.handle({ type: "setMode", plan: true });
    expect(calls).toEqual([]); // no task yet: only the next one
    await controller.startTask("x");
    expect(sent.at(-1)).toMatchObject({ plan: true, approvalMode: "ask" });
    await controller.handle({ type: "setMode", taskId: "t-1", approvalMode: "auto-edit" });
    expect(calls.at(-1)).toBe("mode:t-1:undefined:auto-edit");
    expect(posted.at(-1)).toEqual({ type: "mode", plan: true, approvalMode: "auto-edit" });
    await controller.handle({ type: "setMode", taskId: "from-the-history", plan: false });
    expect(calls.at(-1)).toBe("mode:t-1:undefined:auto-edit"); // not in this server: its follow-up resumes in the mode
    expect(isWebviewToHost({ type: "setMode", approvalMode: "yolo" })).toBe(false);
    expect(isWebviewToHost({ type: "restoreCheckpoint", taskId: "t", checkpointId: "c", what: "everything" })).toBe(false);
  });
});

describe("MCP prompts as slash commands", () => {
  const prompts = [
    { server: "every", name: "args-prompt", command: "/every:args-prompt", description: "Weather", arguments: [{ name: "city", description: "Name of the city", required: true }] },
    { server: "every", name: "simple-prompt", command: "/every:simple-prompt", description: "", arguments: [] },
    { server: "every", name: "broken", command: "/every:broken", description: "", arguments: [] },
  ];

  it("the prompts go to the webview; a prompt with arguments asks for them, then its text is sent back", async () => {
    const { controller, posted, calls } = setup({ promptArgs: { city: "Lyon" } });
    controller.setPrompts(prompts);
    expect(posted).toContainEqual({ type: "mcpPrompts", prompts });
    await controller.handle({ type: "usePrompt", requestId: 4, server: "every", name: "args-prompt" });
    expect(calls).toEqual(["ask:/every:args-prompt", 'prompt:every:args-prompt:{"city":"Lyon"}']);
    expect(posted.at(-1)).toEqual({ type: "promptText", requestId: 4, ok: true, text: "Weather in Lyon" });
  });

  it("a prompt without arguments asks nothing; a cancelled question sends nothing; a failure says why", async () => {
    const { controller, posted, calls } = setup({ promptArgs: undefined });
    controller.setPrompts(prompts);
    await controller.handle({ type: "usePrompt", requestId: 1, server: "every", name: "simple-prompt" });
    expect(calls).toEqual(["prompt:every:simple-prompt:{}"]);
    await controller.handle({ type: "usePrompt", requestId: 2, server: "every", name: "args-prompt" });
    expect(posted.at(-1)).toEqual({ type: "promptText", requestId: 2, ok: false });
    expect(calls).toHaveLength(2);
    await controller.handle({ type: "usePrompt", requestId: 3, server: "every", name: "broken" });
    expect(posted.at(-1)).toEqual({ type: "promptText", requestId: 3, ok: false, message: "the MCP server 'every' failed" });
    await controller.handle({ type: "usePrompt", requestId: 5, server: "gone", name: "x" });
    expect(posted.at(-1)).toMatchObject({ type: "promptText", requestId: 5, ok: false });
    expect(isWebviewToHost({ type: "usePrompt", requestId: "1", server: "every", name: "x" })).toBe(false);
  });
});
