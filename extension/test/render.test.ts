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
