// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { renderTranscript } from "../src/webview/render";
import { initialState, reduce, type ViewState } from "../src/webview/state";
import { ev, started, TASK } from "./fixtures";

const parts = { system: 100, tool_schemas: 1700, conversation: 100, tool_results: 1300, attachments: 0, summary: 0 };

function usage(used: number, turns = 5): ReturnType<typeof ev> {
  return ev({ type: "context_usage", used_tokens: used, window: 4096, counted_by: "provider", parts: { ...parts, tool_results: used - 1900 }, condense_at_tokens: 3370, turns });
}

function draw(state: ViewState): HTMLElement {
  const root = document.createElement("div");
  renderTranscript(root, state);
  return root;
}

describe("the context bar", () => {
  it("moves with each context_usage event and says what fills the window", () => {
    let state = reduce(reduce(initialState(), ev(started)), usage(2211, 1));
    let bar = draw(state).querySelector<HTMLElement>(".context-bar");
    expect(bar?.dataset.used).toBe("2211");
    expect(bar?.querySelector(".context-label")?.textContent).toBe("Context: 2.2k of 4.1k tokens (54%)");
    expect(bar?.querySelector("button.condense-now")).toBeNull(); // one turn: nothing to condense
    state = reduce(state, usage(3251));
    bar = draw(state).querySelector<HTMLElement>(".context-bar");
    expect(bar?.dataset.used).toBe("3251");
    expect(bar?.className).toContain("level-high");
    const widths = [...(bar?.querySelectorAll<HTMLElement>(".context-part") ?? [])].map((p) => p.style.width);
    expect(widths.length).toBe(4);
    expect(bar?.querySelector(".context-track")?.getAttribute("title")).toContain("Tool schemas: 1700 tokens");
    const condense = bar?.querySelector<HTMLElement>("button.condense-now");
    expect(condense?.dataset.action).toBe("condense");
    expect(condense?.dataset.taskId).toBe(TASK);
  });

  it("shows a condensation as a card and lowers the bar at once", () => {
    let state = reduce(reduce(initialState(), ev(started)), usage(3251));
    state = reduce(state, { type: "condensing", taskId: TASK, active: true });
    expect(draw(state).querySelector("button.condense-now")?.hasAttribute("disabled")).toBe(true);
    state = reduce(
      state,
      ev({ type: "context_condensed", trigger: "manual", first_turn: 1, last_turn: 4, turns_replaced: 4, tokens_before: 3385, tokens_after: 2186, summary: "Read big.txt four times.", profile: "summ" }),
    );
    const root = draw(state);
    const card = root.querySelector(".condensed-card");
    expect(card?.querySelector(".tool-name")?.textContent).toBe("Condensed turns 1-4");
    expect(card?.querySelector(".card-summary")?.textContent).toBe("A summary by summ replaces them: 3385 → 2186 tokens.");
    expect(card?.querySelector("pre")?.textContent).toBe("Read big.txt four times.");
    const used = Number(root.querySelector<HTMLElement>(".context-bar")?.dataset.used);
    expect(used).toBeLessThan(3251);
    expect(root.querySelector("button.condense-now")).toBeNull(); // one turn left: nothing more to condense
  });

  it("tells when turns were left out or no summary could be made", () => {
    let state = reduce(initialState(), ev(started));
    state = reduce(state, ev({ type: "condense_failed", trigger: "auto", error: "the summarise model failed: down", profile: "summ" }));
    state = reduce(state, ev({ type: "context_trimmed", first_turn: 1, last_turn: 2, turns_dropped: 2, reason: "2 turn(s) left out" }));
    const warnings = [...draw(state).querySelectorAll(".msg.warning")].map((w) => w.textContent);
    expect(warnings).toEqual(["The conversation could not be condensed: the summarise model failed: down", "Turns 1-2 were left out of the request to fit the window: 2 turn(s) left out"]);
  });
});
