// The chat input: @-mention autocomplete (the host ranks the workspace's files), chips for what the
// message attaches (its mentions and pasted or dropped images), and the send round trip: the input is
// cleared only once the host says the task started or the message was sent; otherwise it stays, with why.
// A word starting with "/" offers the running MCP servers' prompts (`/<server>:<prompt>`); choosing one
// has the host ask for its arguments and puts the prompt's text in the input.
import * as l10n from "@vscode/l10n";
import { promptDetail, replaceRange, slashAt, slashMatches, type SlashToken } from "../shared/mcp";
import { appendMention, applyMention, formatMention, mentionAt, mentionsIn, removeMention, type MentionCandidate, type MentionToken } from "../shared/mentions";
import type { HostToWebview, WebviewToHost } from "../shared/messages";
import type { McpPrompt } from "../shared/protocol";
import { el } from "./dom";
import { imageName, imageProblem, readImage, type PendingImage } from "./images";

export interface ComposerParts {
  input: HTMLTextAreaElement;
  chips: HTMLElement;
  list: HTMLElement;
  error: HTMLElement;
  /** Disabled while a send waits for the host's answer. */
  buttons: HTMLButtonElement[];
}

function keywordDetail(keyword: string): string {
  switch (keyword) {
    case "git-changes":
      return l10n.t("the working tree's changes (git status and diff)");
    case "problems":
      return l10n.t("the workspace's problems");
    case "selection":
      return l10n.t("the lines selected in the editor");
    case "terminal":
      return l10n.t("the active terminal's last command and its output");
    default:
      return "";
  }
}

export function candidateLabel(item: MentionCandidate): { label: string; detail: string } {
  if (item.kind === "keyword") return { label: `@${item.value}`, detail: keywordDetail(item.value) };
  return { label: item.value, detail: item.kind === "folder" ? l10n.t("folder") : l10n.t("file") };
}

export class Composer {
  private images: PendingImage[] = [];
  private readonly picked = new Set<string>();
  private pending: number | undefined;
  private ids = 0;
  private query: { requestId: number; token: MentionToken } | undefined;
  private items: MentionCandidate[] = [];
  private active = 0;
  private prompts: McpPrompt[] = [];
  private slash: { token: SlashToken; items: McpPrompt[] } | undefined;
  /** A chosen slash command waiting for its text: where its command stands in the input. */
  private promptRequest: { requestId: number; command: string; start: number } | undefined;

  constructor(
    private readonly parts: ComposerParts,
    private readonly post: (message: WebviewToHost) => void,
    private readonly onSubmitKey: () => void,
  ) {
    const { input, list, chips } = parts;
    input.addEventListener("input", () => {
      this.updateMentions();
      this.renderChips();
    });
    input.addEventListener("keydown", (event) => this.keydown(event));
    input.addEventListener("click", () => this.updateMentions());
    input.addEventListener("blur", () => this.closeList());
    input.addEventListener("paste", (event) => {
      const files = [...(event.clipboardData?.files ?? [])];
      if (files.length) {
        event.preventDefault();
        void this.addImages(files);
      }
    });
    const composer = input.parentElement ?? input;
    composer.addEventListener("dragover", (event) => {
      if (event.dataTransfer?.types.includes("Files")) event.preventDefault();
    });
    composer.addEventListener("drop", (event) => {
      const files = [...(event.dataTransfer?.files ?? [])];
      if (files.length) {
        event.preventDefault();
        void this.addImages(files);
      }
    });
    // mousedown, not click: the input keeps the focus (a blur would close the list first).
    list.addEventListener("mousedown", (event) => {
      event.preventDefault();
      const row = (event.target as HTMLElement).closest<HTMLElement>("[data-index]");
      if (row) this.accept(Number(row.dataset.index));
    });
    chips.addEventListener("click", (event) => this.removeChip(event.target as HTMLElement));
    this.renderChips();
    this.showError("");
  }

  get busy(): boolean {
    return this.pending !== undefined;
  }

  /** Sends the input: continues `taskId`, or starts a task without one. */
  submit(taskId: string | undefined): void {
    const text = this.parts.input.value.trim();
    if (!text || this.busy) return;
    const requestId = (this.ids += 1);
    this.pending = requestId;
    const images = this.images.length ? { images: this.images.map(({ name, data }) => ({ name, data })) } : {};
    this.post(taskId ? { type: "sendMessage", taskId, text, requestId, ...images } : { type: "startTask", task: text, requestId, ...images });
    this.closeList();
    this.showError("");
    this.setBusy(true);
  }

  /** Host messages for the composer; true when it handled the message. */
  receive(message: HostToWebview): boolean {
    switch (message.type) {
      case "submitted":
        if (message.requestId !== this.pending) return true;
        this.pending = undefined;
        this.setBusy(false);
        if (message.ok) this.clear();
        else this.showError(message.message ?? "");
        return true;
      case "mentions":
        if (this.query?.requestId === message.requestId) {
          this.items = message.items;
          this.active = 0;
          this.renderList();
        }
        return true;
      case "insertMention":
        this.insert(message.text);
        return true;
      case "mcpPrompts":
        this.prompts = message.prompts;
        return true;
      case "promptText":
        this.promptAnswered(message);
        return true;
      default:
        return false;
    }
  }

  /** Add to Flambeau: the mention goes at the end of the input, which gets the focus. */
  insert(text: string): void {
    const { input } = this.parts;
    input.value = appendMention(input.value, text);
    for (const word of text.split(/\s+/)) if (word.startsWith("@")) this.picked.add(word);
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
    this.renderChips();
  }

  private clear(): void {
    this.parts.input.value = "";
    this.images = [];
    this.picked.clear();
    this.renderChips();
  }

  private keydown(event: KeyboardEvent): void {
    const count = this.slash ? this.slash.items.length : this.items.length;
    const open = !this.parts.list.hidden && count > 0;
    if (open && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      this.active = (this.active + step + count) % count;
      this.renderList();
    } else if (open && (event.key === "Enter" || event.key === "Tab") && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      this.accept(this.active);
    } else if (open && event.key === "Escape") {
      event.preventDefault();
      this.closeList();
    } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      this.onSubmitKey();
    } else if (["ArrowLeft", "ArrowRight", "Home", "End"].includes(event.key)) {
      queueMicrotask(() => this.updateMentions());
    }
  }

  private updateMentions(): void {
    const { input } = this.parts;
    const caret = input.selectionStart ?? input.value.length;
    const slash = input.selectionEnd === caret && this.prompts.length && !this.promptRequest ? slashAt(input.value, caret) : undefined;
    if (slash) {
      this.closeList();
      this.slash = { token: slash, items: slashMatches(this.prompts, slash.query) };
      this.active = 0;
      this.renderList();
      return;
    }
    const token = input.selectionEnd === caret ? mentionAt(input.value, caret) : undefined;
    if (!token) {
      this.closeList();
      return;
    }
    const requestId = (this.ids += 1);
    this.query = { requestId, token };
    this.post({ type: "mentionQuery", requestId, query: token.query });
  }

  private accept(index: number): void {
    if (this.slash) {
      this.acceptPrompt(this.slash.token, this.slash.items[index]);
      return;
    }
    const item = this.items[index];
    const token = this.query?.token;
    if (!item || !token) return;
    const { input } = this.parts;
    const mention = item.kind === "keyword" ? `@${item.value}` : formatMention(item.value);
    const next = applyMention(input.value, token, mention);
    input.value = next.text;
    input.setSelectionRange(next.caret, next.caret);
    this.picked.add(mention);
    this.closeList();
    this.renderChips();
    input.focus();
  }

  /** The command stays in the input (marked as waiting) until the host sends the prompt's text. */
  private acceptPrompt(token: SlashToken, prompt: McpPrompt | undefined): void {
    if (!prompt) return;
    const { input } = this.parts;
    const next = replaceRange(input.value, token.start, token.end, prompt.command);
    input.value = next.text;
    input.setSelectionRange(next.caret, next.caret);
    const requestId = (this.ids += 1);
    this.promptRequest = { requestId, command: prompt.command, start: token.start };
    this.closeList();
    this.showError("");
    this.post({ type: "usePrompt", requestId, server: prompt.server, name: prompt.name });
  }

  private promptAnswered(message: Extract<HostToWebview, { type: "promptText" }>): void {
    const waiting = this.promptRequest;
    if (!waiting || waiting.requestId !== message.requestId) return;
    this.promptRequest = undefined;
    const { input } = this.parts;
    if (!message.ok) {
      if (message.message) this.showError(message.message);
      input.focus();
      return;
    }
    const at = input.value.startsWith(waiting.command, waiting.start) ? waiting.start : input.value.indexOf(waiting.command);
    const next = at >= 0 ? replaceRange(input.value, at, at + waiting.command.length, message.text ?? "") : { text: appendMention(input.value, message.text ?? ""), caret: -1 };
    input.value = next.text;
    const caret = next.caret >= 0 ? next.caret : input.value.length;
    input.focus();
    input.setSelectionRange(caret, caret);
    this.renderChips();
  }

  private closeList(): void {
    this.slash = undefined;
    this.query = undefined;
    this.items = [];
    this.parts.list.hidden = true;
    this.parts.list.replaceChildren();
  }

  private renderList(): void {
    const { list } = this.parts;
    if (this.slash) {
      const items = this.slash.items;
      list.replaceChildren(
        ...items.map((prompt, index) => {
          const row = el("div", `mention-item kind-prompt${index === this.active ? " active" : ""}`, undefined, {
            role: "option",
            "data-index": String(index),
            "aria-selected": String(index === this.active),
          });
          row.append(el("span", "mention-label", prompt.command), el("span", "mention-detail", promptDetail(prompt)));
          return row;
        }),
      );
      list.hidden = items.length === 0;
      list.querySelector(".active")?.scrollIntoView?.({ block: "nearest" });
      return;
    }
    list.replaceChildren(
      ...this.items.map((item, index) => {
        const { label, detail } = candidateLabel(item);
        const row = el("div", `mention-item kind-${item.kind}${index === this.active ? " active" : ""}`, undefined, {
          role: "option",
          "data-index": String(index),
          "aria-selected": String(index === this.active),
        });
        row.append(el("span", "mention-label", label), el("span", "mention-detail", detail));
        return row;
      }),
    );
    list.hidden = this.items.length === 0;
    list.querySelector(".active")?.scrollIntoView?.({ block: "nearest" });
  }

  private renderChips(): void {
    const { chips, input } = this.parts;
    const mentions = mentionsIn(input.value, this.picked);
    const remove = l10n.t("Remove");
    const nodes = mentions.map((mention, index) => {
      const chip = el("span", "chip mention-chip", undefined, { title: mention.written });
      chip.append(el("span", "chip-label", mention.written), el("button", "chip-remove", "×", { type: "button", "data-remove-mention": String(index), title: remove, "aria-label": remove }));
      return chip;
    });
    this.images.forEach((image, index) => {
      const chip = el("span", "chip image-chip", undefined, { title: image.name });
      chip.append(
        el("img", "thumbnail", undefined, { src: `data:${image.type};base64,${image.data}`, alt: image.name }),
        el("span", "chip-label", image.name),
        el("button", "chip-remove", "×", { type: "button", "data-remove-image": String(index), title: remove, "aria-label": remove }),
      );
      nodes.push(chip);
    });
    chips.replaceChildren(...nodes);
    chips.hidden = nodes.length === 0;
  }

  private removeChip(target: HTMLElement): void {
    const mention = target.closest<HTMLElement>("[data-remove-mention]")?.dataset.removeMention;
    const image = target.closest<HTMLElement>("[data-remove-image]")?.dataset.removeImage;
    if (mention !== undefined) {
      const found = mentionsIn(this.parts.input.value, this.picked)[Number(mention)];
      if (found) this.parts.input.value = removeMention(this.parts.input.value, found);
    } else if (image !== undefined) {
      this.images.splice(Number(image), 1);
    } else {
      return;
    }
    this.renderChips();
    this.parts.input.focus();
  }

  private async addImages(files: File[]): Promise<void> {
    this.showError("");
    for (const file of files) {
      const problem = imageProblem(file, this.images.length);
      if (problem) {
        this.showError(problem);
        continue;
      }
      try {
        const data = await readImage(file);
        this.images.push({ name: imageName(file, this.images.map((i) => i.name)), type: file.type, data });
      } catch (error) {
        this.showError(error instanceof Error ? error.message : String(error));
      }
    }
    this.renderChips();
  }

  private setBusy(busy: boolean): void {
    for (const button of this.parts.buttons) button.disabled = busy;
  }

  private showError(text: string): void {
    const { error } = this.parts;
    error.textContent = text;
    error.hidden = !text;
    error.className = text ? "composer-error error" : "composer-error";
  }
}
