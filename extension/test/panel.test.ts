// @vitest-environment jsdom
// The panel's new parts: questions with suggested answers, chips of attached context, a denial's reason,
// an edited proposal, and the composer (mention autocomplete, chips, images, the input kept on a refusal).
import { describe, expect, it } from "vitest";
import type { HostToWebview, WebviewToHost } from "../src/shared/messages";
import { Composer } from "../src/webview/composer";
import { imageName, imageProblem } from "../src/webview/images";
import { renderTranscript } from "../src/webview/render";
import { activeTask, initialState, reduce, restoreState, type ViewState } from "../src/webview/state";
import { editApproval, ev, started, TASK } from "./fixtures";

function fold(...messages: HostToWebview[]): ViewState {
  return messages.reduce(reduce, initialState());
}

const asked = ev({ type: "question_asked", call_id: "q1", question: "Keep the old name as an alias?", suggestions: ["Yes", "No"] });
const attached = ev({
  type: "context_attached",
  items: [
    { mention: "@calc.py", kind: "file", label: "calc.py", path: "calc.py", chars: 61, tokens: 31, withheld: "", sha256: "9f" },
    { mention: "@secrets/key.txt", kind: "file", label: "secrets/key.txt", path: "secrets/key.txt", chars: 10, tokens: 5, withheld: "never_to_cloud: secrets/**", sha256: "ab" },
  ],
});

describe("questions", () => {
  it("a question waits with its suggestions until answered; the answer is kept", () => {
    let state = fold(ev(started), asked);
    expect(activeTask(state)?.asking).toEqual(["q1"]);
    expect(activeTask(state)?.items.at(-1)).toEqual({ kind: "question", callId: "q1" });
    state = reduce(state, ev({ type: "question_answered", call_id: "q1", answer: "Yes", by: "user" }));
    expect(activeTask(state)?.asking).toEqual([]);
    expect(activeTask(state)?.questions.q1).toMatchObject({ status: "answered", answer: "Yes", by: "user" });
  });

  it("renders buttons for the suggestions and a free-text answer while it waits, then the answer", () => {
    const root = document.createElement("div");
    let state = fold(ev(started), asked);
    renderTranscript(root, state);
    const card = root.querySelector('.question-card[data-call-id="q1"]');
    expect(card?.querySelector(".question-text")?.textContent).toBe("Keep the old name as an alias?");
    expect([...(card?.querySelectorAll('button[data-action="answer"]') ?? [])].map((b) => b.getAttribute("data-answer"))).toEqual(["Yes", "No"]);
    expect(card?.querySelector("input.answer-input")).not.toBeNull();
    expect(card?.querySelector('button[data-action="skipQuestion"]')).not.toBeNull();
    state = reduce(state, ev({ type: "question_answered", call_id: "q1", answer: "No", by: "user" }));
    renderTranscript(root, state);
    const answered = root.querySelector('.question-card[data-call-id="q1"]');
    expect(answered?.querySelector("button")).toBeNull();
    expect(answered?.querySelector(".decision")?.textContent).toContain("No");
  });

  it("the question's card stands for its tool call: no tool card for ask_followup_question", () => {
    const root = document.createElement("div");
    const state = fold(ev(started), ev({ type: "tool_call_proposed", call_id: "q1", tool: "ask_followup_question", category: "read", arguments: {} }), asked);
    renderTranscript(root, state);
    expect(root.querySelector(".tool-card")).toBeNull();
    expect(root.querySelectorAll(".question-card")).toHaveLength(1);
  });

  it("a question withdrawn by the server, or one nobody answered, offers no buttons", () => {
    const root = document.createElement("div");
    let state = fold(ev(started), asked, { type: "questionSettled", taskId: TASK, callId: "q1" });
    renderTranscript(root, state);
    expect(root.querySelector(".question-card button")).toBeNull();
    state = reduce(state, ev({ type: "question_answered", call_id: "q1", answer: null, by: "timeout" }));
    renderTranscript(root, state);
    expect(root.querySelector(".question-card .card-status")?.getAttribute("data-status")).toBe("unanswered");
  });
});

describe("attached context", () => {
  it("shows a chip per attachment, the withheld one marked, and counts the tokens sent", () => {
    const state = fold(ev(started), attached);
    expect(activeTask(state)?.attachedTokens).toBe(31);
    const root = document.createElement("div");
    renderTranscript(root, state);
    const chips = [...root.querySelectorAll(".attached .chip")];
    expect(chips.map((c) => c.textContent)).toEqual(["calc.py", "secrets/key.txt"]);
    expect(chips[1]?.classList.contains("withheld")).toBe(true);
    expect(chips[1]?.getAttribute("title")).toContain("never_to_cloud");
    expect(root.querySelector(".attached-total")?.textContent).toContain("31");
    expect(root.querySelector(".counters")?.textContent).toContain("31 attached");
  });
});

describe("approval cards", () => {
  it("offer a reason for a denial, kept when the card is rebuilt while the user types", () => {
    const root = document.createElement("div");
    document.body.appendChild(root);
    let state = fold(ev(started), ev(editApproval));
    renderTranscript(root, state);
    const reason = root.querySelector<HTMLInputElement>('.tool-card[data-call-id="c2"] input.deny-reason');
    expect(reason).not.toBeNull();
    if (!reason) return;
    reason.value = "not on this branch";
    reason.focus();
    // The user edits the proposal in the diff: the card says so (and is rebuilt).
    state = reduce(state, { type: "proposalEdited", taskId: TASK, callId: "c2", edited: true });
    renderTranscript(root, state);
    const rebuilt = root.querySelector<HTMLInputElement>('.tool-card[data-call-id="c2"] input.deny-reason');
    expect(rebuilt).not.toBe(reason);
    expect(rebuilt?.value).toBe("not on this branch");
    expect(document.activeElement).toBe(rebuilt);
    expect(root.querySelector(".card-edited")?.textContent).toContain("Approve writes your version");
    // More keystrokes in the diff: the card (and the button the user may be clicking) stays as it is.
    const approve = root.querySelector('.tool-card[data-call-id="c2"] button[data-action="approve"]');
    state = reduce(state, { type: "proposalEdited", taskId: TASK, callId: "c2", edited: true });
    renderTranscript(root, state);
    expect(root.querySelector('.tool-card[data-call-id="c2"] button[data-action="approve"]')).toBe(approve);
    root.remove();
  });

  it("an edit approved as the user edited it says so, and shows what was written, not the proposal", () => {
    const written = "--- a/hello.txt\n+++ b/hello.txt\n@@ -1 +1 @@\n-hello\n+hello, edited world\n";
    const state = fold(
      ev(started),
      ev(editApproval),
      ev({ type: "approval_decided", call_id: "c2", tool: "write_file", approved: true, by: "user", reason: "approved in the editor", edited: true }),
      ev({ type: "tool_result", call_id: "c2", tool: "write_file", ok: true, output: "rewrote hello.txt", file_changes: [{ path: "hello.txt", sha256_before: "a", sha256_after: "b", diff: written }] }),
    );
    const root = document.createElement("div");
    renderTranscript(root, state);
    expect(root.querySelector(".card-edited")?.textContent).toContain("as you edited it");
    expect([...root.querySelectorAll(".diff .add")].map((n) => n.textContent?.trim())).toEqual(["+hello, edited world"]);
  });
});

function composer() {
  document.body.innerHTML = `<div class="composer"><div id="list" hidden></div><div id="chips"></div><textarea id="input"></textarea><div id="error"></div><button id="send"></button></div>`;
  const input = document.getElementById("input") as HTMLTextAreaElement;
  const posted: WebviewToHost[] = [];
  let submits = 0;
  const parts = {
    input,
    chips: document.getElementById("chips") as HTMLElement,
    list: document.getElementById("list") as HTMLElement,
    error: document.getElementById("error") as HTMLElement,
    buttons: [document.getElementById("send") as HTMLButtonElement],
  };
  const box = new Composer(parts, (m) => posted.push(m), () => (submits += 1));
  const type = (text: string) => {
    input.value = text;
    input.setSelectionRange(text.length, text.length);
    input.dispatchEvent(new Event("input"));
  };
  const key = (name: string, init: KeyboardEventInit = {}) => input.dispatchEvent(new KeyboardEvent("keydown", { key: name, bubbles: true, cancelable: true, ...init }));
  return { box, parts, input, posted, type, key, submits: () => submits };
}

describe("a state saved by an earlier panel", () => {
  it("is restored with what it lacks, and renders", () => {
    const old = { tasks: [{ taskId: TASK, task: "Fix it", items: [{ kind: "tool", callId: "c1" }], cards: {}, status: "completed" }], errors: [] };
    const state = restoreState(old);
    expect(activeTask(state)).toMatchObject({ task: "Fix it", questions: {}, asking: [], attachedTokens: 0, status: "completed" });
    const root = document.createElement("div");
    expect(() => renderTranscript(root, state)).not.toThrow();
    expect(restoreState(undefined)).toEqual(initialState());
    expect(restoreState({ tasks: "nope" })).toEqual(initialState());
  });
});

describe("composer", () => {
  it("asks the host for mentions as the user types @, and puts the chosen one in the text with a chip", () => {
    const { box, parts, input, posted, type, key } = composer();
    type("Explain @ap");
    const query = posted.at(-1);
    expect(query).toMatchObject({ type: "mentionQuery", query: "ap" });
    const requestId = query?.type === "mentionQuery" ? query.requestId : -1;
    box.receive({ type: "mentions", requestId, items: [{ kind: "file", value: "src/app.py" }, { kind: "file", value: "app.md" }] });
    expect(parts.list.hidden).toBe(false);
    expect([...parts.list.querySelectorAll(".mention-label")].map((n) => n.textContent)).toEqual(["src/app.py", "app.md"]);
    key("ArrowDown");
    expect(parts.list.querySelector(".active .mention-label")?.textContent).toBe("app.md");
    key("ArrowUp");
    key("Enter");
    expect(input.value).toBe("Explain @src/app.py ");
    expect(parts.list.hidden).toBe(true);
    expect([...parts.chips.querySelectorAll(".chip-label")].map((n) => n.textContent)).toEqual(["@src/app.py"]);
  });

  it("ignores the answer to an older query, and closes the list on Escape", () => {
    const { box, parts, posted, type, key } = composer();
    type("@a");
    const old = posted.at(-1);
    type("@ab");
    if (old?.type === "mentionQuery") box.receive({ type: "mentions", requestId: old.requestId, items: [{ kind: "keyword", value: "problems" }] });
    expect(parts.list.hidden).toBe(true);
    const current = posted.at(-1);
    if (current?.type === "mentionQuery") box.receive({ type: "mentions", requestId: current.requestId, items: [{ kind: "keyword", value: "problems" }] });
    expect(parts.list.textContent).toContain("@problems");
    key("Escape");
    expect(parts.list.hidden).toBe(true);
  });

  it("removes a mention when its chip's × is clicked", () => {
    const { parts, input, type } = composer();
    type("Explain @app.py and @git-changes");
    parts.chips.querySelector<HTMLElement>('[data-remove-mention="0"]')?.click();
    expect(input.value).toBe("Explain and @git-changes");
  });

  it("keeps the text when the host refuses it (an unresolvable mention), and clears it once sent", () => {
    const { box, parts, input, posted, type } = composer();
    type("Explain @gone.py");
    box.submit(undefined);
    const sent = posted.at(-1);
    expect(sent).toMatchObject({ type: "startTask", task: "Explain @gone.py" });
    expect(parts.buttons[0]?.disabled).toBe(true);
    const requestId = sent?.type === "startTask" ? (sent.requestId ?? -1) : -1;
    box.receive({ type: "submitted", requestId, ok: false, message: "the task was not started: could not attach @gone.py" });
    expect(input.value).toBe("Explain @gone.py");
    expect(parts.error.textContent).toContain("could not attach @gone.py");
    expect(parts.error.classList.contains("error")).toBe(true);
    expect(parts.buttons[0]?.disabled).toBe(false);
    type("Explain @app.py");
    box.submit("t-1");
    const again = posted.at(-1);
    expect(again).toMatchObject({ type: "sendMessage", taskId: "t-1", text: "Explain @app.py" });
    box.receive({ type: "submitted", requestId: again?.type === "sendMessage" ? (again.requestId ?? -1) : -1, ok: true });
    expect(input.value).toBe("");
    expect(parts.error.hidden).toBe(true);
  });

  it("Add to Flambeau appends the mention, gives the input the focus and shows its chip", () => {
    const { box, parts, input, type } = composer();
    type("Look at");
    box.receive({ type: "insertMention", text: "@Makefile" });
    expect(input.value).toBe("Look at @Makefile ");
    expect(document.activeElement).toBe(input);
    expect(parts.chips.textContent).toContain("@Makefile");
  });

  it("Ctrl+Enter sends (the list closed)", () => {
    const { key, submits } = composer();
    key("Enter", { ctrlKey: true });
    expect(submits()).toBe(1);
  });
});

describe("images", () => {
  it("accepts PNG, JPEG, GIF and WebP up to 5 MB, eight per message, and names pasted ones", () => {
    expect(imageProblem({ name: "a.png", type: "image/png", size: 10 }, 0)).toBeUndefined();
    expect(imageProblem({ name: "a.svg", type: "image/svg+xml", size: 10 }, 0)).toContain("not a PNG");
    expect(imageProblem({ name: "big.png", type: "image/png", size: 6 * 1024 * 1024 }, 0)).toContain("larger than 5 MB");
    expect(imageProblem({ name: "a.png", type: "image/png", size: 10 }, 8)).toContain("At most 8");
    expect(imageName({ name: "image.png", type: "image/png" }, [])).toBe("pasted-image.png");
    expect(imageName({ name: "image.png", type: "image/jpeg" }, ["pasted-image.jpg"])).toBe("pasted-image-2.jpg");
    expect(imageName({ name: "shot.webp", type: "image/webp" }, [])).toBe("shot.webp");
  });

  it("a pasted image becomes a chip and goes with the message", async () => {
    const { box, parts, posted, type } = composer();
    const file = new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], "image.png", { type: "image/png" });
    const paste = new Event("paste", { cancelable: true }) as Event & { clipboardData: unknown };
    paste.clipboardData = { files: [file] };
    parts.input.dispatchEvent(paste);
    await new Promise<void>((resolve) => {
      const check = () => (parts.chips.querySelector(".image-chip") ? resolve() : setTimeout(check, 5));
      check();
    });
    expect(paste.defaultPrevented).toBe(true);
    expect(parts.chips.querySelector(".image-chip .chip-label")?.textContent).toBe("pasted-image.png");
    expect(parts.chips.querySelector<HTMLImageElement>(".image-chip img")?.src).toMatch(/^data:image\/png;base64,iVBORw==$/);
    type("What is this?");
    box.submit(undefined);
    expect(posted.at(-1)).toMatchObject({ type: "startTask", images: [{ name: "pasted-image.png", data: "iVBORw==" }] });
  });
});
