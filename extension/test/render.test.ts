// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { renderTranscript } from "../src/webview/render";
import { initialState, reduce } from "../src/webview/state";
import { editApproval, ev, started } from "./fixtures";

function render(...texts: string[]): HTMLElement {
  let state = reduce(initialState(), ev(started));
  for (const text of texts) state = reduce(state, ev({ type: "text_delta", text }));
  const root = document.createElement("div");
  renderTranscript(root, state);
  return root;
}

describe("transcript rendering", () => {
  it("renders Markdown from the model", () => {
    const root = render("**bold** and `code`");
    expect(root.querySelector(".assistant strong")?.textContent).toBe("bold");
    expect(root.querySelector(".assistant code")?.textContent).toBe("code");
  });

  it("never turns model output into script, handlers or javascript: links", () => {
    const root = render('<script>alert(1)</script><img src=x onerror="alert(2)"> [x](javascript:alert(3))');
    expect(root.querySelector("script")).toBeNull();
    expect(root.querySelector("img")).toBeNull();
    expect(root.querySelector("[onerror]")).toBeNull();
    expect(root.querySelector('a[href^="javascript"]')).toBeNull();
    expect(root.textContent).toContain("<script>alert(1)</script>");
  });

  it("shows an edit waiting for approval as a diff with Approve, Deny and Always allow", () => {
    const state = reduce(reduce(initialState(), ev(started)), ev(editApproval));
    const root = document.createElement("div");
    renderTranscript(root, state);
    const card = root.querySelector('.tool-card[data-call-id="c2"]');
    expect(card?.querySelector(".diff .add")?.textContent).toContain("+hello, world");
    expect(card?.querySelector(".diff .del")?.textContent).toContain("-hello");
    const actions = [...(card?.querySelectorAll("button[data-action]") ?? [])].map((b) => b.getAttribute("data-action"));
    expect(actions).toEqual(["approve", "deny", "always", "openDiff"]);
  });

  it("offers Stop while the task runs, with the token and cost counters", () => {
    const root = render("x");
    expect(root.querySelector('button[data-action="stop"]')).not.toBeNull();
    expect(root.querySelector(".counters")?.textContent).toContain("0 in · 0 out tokens");
    expect(root.querySelector(".badge")?.textContent).toBe("scripted · local");
  });
});

describe("patching instead of rebuilding", () => {
  function withCard() {
    let state = reduce(initialState(), ev(started));
    state = reduce(state, ev({ type: "tool_call_proposed", call_id: "c1", tool: "run_command", category: "command", arguments: { command: "ls" } }));
    state = reduce(state, ev({ type: "tool_result", call_id: "c1", tool: "run_command", ok: true, output: "a\nb\n", duration_s: 0.1 }));
    return state;
  }

  it("a streamed delta rebuilds only the message it extends; every other node is kept as it is", () => {
    let state = reduce(withCard(), ev({ type: "text_delta", text: "Looking" }));
    const root = document.createElement("div");
    renderTranscript(root, state);
    const card = root.querySelector('.tool-card[data-call-id="c1"]');
    const head = root.querySelector(".task-head");
    state = reduce(state, ev({ type: "text_delta", text: " closer" }));
    const stats = renderTranscript(root, state);
    expect(stats.built).toBe(1);
    expect(root.querySelector('.tool-card[data-call-id="c1"]')).toBe(card);
    expect(root.querySelector(".task-head")).toBe(head);
    expect(root.querySelector(".assistant")?.textContent?.trim()).toBe("Looking closer");
  });

  it("details the user opened stay open while the task streams and when their card changes", () => {
    let state = withCard();
    const root = document.createElement("div");
    renderTranscript(root, state);
    const output = root.querySelector<HTMLDetailsElement>('.tool-card[data-call-id="c1"] details.output');
    expect(output?.open).toBe(false);
    if (output) output.open = true;
    state = reduce(state, ev({ type: "text_delta", text: "Done reading." }));
    renderTranscript(root, state);
    expect(root.querySelector<HTMLDetailsElement>('.tool-card[data-call-id="c1"] details.output')?.open).toBe(true);
    // The card itself changes (a later result for the same call): it is rebuilt, the open state is carried over.
    state = reduce(state, ev({ type: "tool_result", call_id: "c1", tool: "run_command", ok: true, output: "a\nb\nc\n", duration_s: 0.2 }));
    renderTranscript(root, state);
    const rebuilt = root.querySelector<HTMLDetailsElement>('.tool-card[data-call-id="c1"] details.output');
    expect(rebuilt).not.toBe(output);
    expect(rebuilt?.open).toBe(true);
  });

  it("keeps transcript order when items are added between updates", () => {
    let state = reduce(withCard(), ev({ type: "text_delta", text: "one" }));
    const root = document.createElement("div");
    renderTranscript(root, state);
    state = reduce(state, ev({ type: "tool_call_proposed", call_id: "c2", tool: "read_file", category: "read", arguments: { path: "x" } }));
    state = reduce(state, ev({ type: "text_delta", text: "two" }));
    renderTranscript(root, state);
    const section = root.querySelector("section");
    const kinds = [...(section?.children ?? [])].map((c) => c.className.split(" ").slice(0, 2).join(" "));
    expect(kinds).toEqual(["task-head", "msg user", "card tool-card", "msg assistant", "card tool-card", "msg assistant"]);
  });
});

describe("markdown blocks", () => {
  it("cuts at blank lines, never inside a fenced block", async () => {
    const { markdownBlocks } = await import("../src/webview/markdown");
    const text = "Intro line\n\n```py\na = 1\n\nb = 2\n```\n\nOutro";
    expect(markdownBlocks(text)).toEqual(["Intro line", "```py\na = 1\n\nb = 2\n```", "Outro"]);
  });
});

describe("escalation consent", () => {
  const offer = {
    type: "approval_requested" as const,
    call_id: "escalate-model",
    tool: "escalate_model",
    category: "model",
    summary: "continue this task on work (openai/big, cloud)",
    reason: "the local model openai/small kept failing",
    preview: "The task text … are sent to openai (openai/big at http://127.0.0.1:9/v1).",
    arguments: { from: "small", to: "work", model: "openai/big", provider: "openai", locality: "cloud", api_base: "http://127.0.0.1:9/v1" },
  };

  it("says what would leave the machine and to whom, with accept and refuse only", () => {
    const state = reduce(reduce(initialState(), ev(started)), ev(offer));
    const root = document.createElement("div");
    renderTranscript(root, state);
    const card = root.querySelector('.consent-card[data-tool="escalate_model"]');
    expect(card?.querySelector(".tool-name")?.textContent).toBe("Continue on work?");
    expect(card?.querySelector(".consent-what")?.textContent).toBe("If you accept, this leaves your machine for openai (openai/big at http://127.0.0.1:9/v1):");
    expect([...(card?.querySelectorAll(".consent-list li") ?? [])].map((li) => li.textContent?.split(":")[0])).toEqual(["the task", "the conversation so far", "whatever the agent reads from now on"]);
    const buttons = [...(card?.querySelectorAll("button[data-action]") ?? [])].map((b) => [b.getAttribute("data-action"), b.textContent]);
    expect(buttons).toEqual([["approve", "Send to openai"], ["deny", "Keep it local"]]);
  });

  it("shows the decision once made, either way", () => {
    const asked = reduce(reduce(initialState(), ev(started)), ev(offer));
    const decided = (approved: boolean) => {
      const state = reduce(asked, ev({ type: "approval_decided", call_id: "escalate-model", tool: "escalate_model", approved, by: "user" }));
      const root = document.createElement("div");
      renderTranscript(root, state);
      return root.querySelector(".consent-card");
    };
    expect(decided(true)?.querySelector(".decision")?.textContent).toBe("Accepted: the task continues on work.");
    expect(decided(false)?.querySelector(".decision")?.textContent).toBe("Refused: nothing was sent; the task stays on small.");
    expect(decided(false)?.querySelectorAll("button").length).toBe(0);
  });
});
