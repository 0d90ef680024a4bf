// The task's context window in the chat: the bar (tokens used of the window, what fills it, Condense now)
// and the transcript's "condensed" card. Folded from the context_usage / context_condensed /
// context_trimmed / condense_failed events (docs/protocol.md, "Context events").
import * as l10n from "@vscode/l10n";
import type { ContextParts, EventOf } from "../shared/protocol";
import { button, el } from "./dom";

export interface ContextView {
  used: number;
  window: number;
  parts: ContextParts;
  condenseAt: number;
  /** The provider reported the count (else it is Flambeau's estimate). */
  reported: boolean;
  turns: number;
  condensedTurns: number;
  /** A Condense now request is on its way. */
  condensing: boolean;
}

export interface CondensedItem {
  kind: "condensed";
  firstTurn: number;
  lastTurn: number;
  tokensBefore: number;
  tokensAfter: number;
  summary: string;
  profile: string;
  trigger: string;
}

type ContextEvent = EventOf<"context_usage"> | EventOf<"context_condensed"> | EventOf<"context_trimmed"> | EventOf<"condense_failed">;

export interface ContextHost {
  context?: ContextView;
  items: unknown[];
}

const PART_LABELS: [keyof ContextParts, () => string][] = [
  ["system", () => l10n.t("System prompt and rules")],
  ["tool_schemas", () => l10n.t("Tool schemas")],
  ["conversation", () => l10n.t("Conversation")],
  ["tool_results", () => l10n.t("Tool results")],
  ["attachments", () => l10n.t("Attachments")],
  ["summary", () => l10n.t("Summary of condensed turns")],
];

export function isContextEvent(event: { type: string }): event is ContextEvent {
  return ["context_usage", "context_condensed", "context_trimmed", "condense_failed"].includes(event.type);
}

/** Folds a context event into the task (its bar and transcript items). */
export function applyContextEvent(task: ContextHost, event: ContextEvent): void {
  switch (event.type) {
    case "context_usage":
      task.context = {
        used: event.used_tokens,
        window: event.window,
        parts: event.parts,
        condenseAt: event.condense_at_tokens,
        reported: event.counted_by === "provider",
        turns: event.turns,
        condensedTurns: event.condensed_turns,
        condensing: false,
      };
      return;
    case "context_condensed": {
      const item: CondensedItem = {
        kind: "condensed",
        firstTurn: event.first_turn,
        lastTurn: event.last_turn,
        tokensBefore: event.tokens_before,
        tokensAfter: event.tokens_after,
        summary: event.summary,
        profile: event.profile,
        trigger: event.trigger,
      };
      task.items.push(item);
      if (task.context) {
        // Until the next call reports it, the bar shows the condensed request as counted here.
        const scale = task.context.used > 0 && event.tokens_before > 0 ? task.context.used / event.tokens_before : 1;
        const removed = Math.max(0, task.context.used - Math.round(event.tokens_after * scale));
        const parts = { ...task.context.parts };
        parts.summary = Math.round(event.summary.length / 4);
        parts.conversation = Math.max(0, (parts.conversation ?? 0) - removed / 2);
        parts.tool_results = Math.max(0, (parts.tool_results ?? 0) - removed / 2);
        task.context = {
          ...task.context,
          used: Math.round(event.tokens_after * scale),
          parts,
          turns: Math.max(0, task.context.turns - event.turns_replaced),
          condensedTurns: event.last_turn,
          condensing: false,
        };
      }
      return;
    }
    case "context_trimmed":
      task.items.push({ kind: "warning", text: l10n.t("Turns {0}-{1} were left out of the request to fit the window: {2}", event.first_turn, event.last_turn, event.reason) });
      return;
    case "condense_failed":
      if (task.context) task.context = { ...task.context, condensing: false };
      if (event.trigger === "auto") task.items.push({ kind: "warning", text: l10n.t("The conversation could not be condensed: {0}", event.error) });
      return;
  }
}

function thousands(tokens: number): string {
  return tokens >= 10_000 ? `${Math.round(tokens / 1000)}k` : tokens >= 1000 ? `${(tokens / 1000).toFixed(1)}k` : String(tokens);
}

export function contextSignature(context: ContextView | undefined): string {
  return context ? JSON.stringify(context) : "none";
}

/** The bar: used of the window, coloured by what fills it, the condensation mark, and Condense now. */
export function contextBar(taskId: string, context: ContextView): HTMLElement {
  const share = context.window > 0 ? Math.min(1, context.used / context.window) : 0;
  const percent = Math.round(share * 100);
  const level = percent >= 90 ? "full" : percent >= 70 ? "high" : "ok";
  const tokensOf = (key: keyof ContextParts): number => Math.round(context.parts[key] ?? 0);
  const lines = PART_LABELS.filter(([key]) => tokensOf(key) > 0).map(([key, label]) => l10n.t("{0}: {1} tokens", label(), tokensOf(key)));
  lines.push(context.reported ? l10n.t("Counted by the model's provider.") : l10n.t("Estimated by Flambeau (the provider reported no count)."));
  if (context.condenseAt > 0) lines.push(l10n.t("Condenses automatically at about {0} tokens.", context.condenseAt));
  if (context.condensedTurns > 0) lines.push(l10n.t("A summary stands for turns 1-{0}.", context.condensedTurns));
  const tooltip = lines.join("\n");
  const root = el("div", `context-bar level-${level}`, undefined, { "data-used": String(context.used), "data-window": String(context.window) });
  const label = el("span", "context-label", l10n.t("Context: {0} of {1} tokens ({2}%)", thousands(context.used), thousands(context.window), percent), { title: tooltip });
  const track = el("div", "context-track", undefined, { role: "meter", "aria-valuemin": "0", "aria-valuemax": String(context.window), "aria-valuenow": String(context.used), "aria-label": l10n.t("Context window"), title: tooltip });
  for (const [key, partLabel] of PART_LABELS) {
    const tokens = tokensOf(key);
    if (tokens <= 0 || context.window <= 0) continue;
    const part = el("span", `context-part part-${key}`, undefined, { title: l10n.t("{0}: {1} tokens", partLabel(), tokens) });
    part.style.width = `${((tokens / context.window) * 100).toFixed(2)}%`; // CSSOM: the page's CSP allows no style attributes
    track.appendChild(part);
  }
  if (context.condenseAt > 0 && context.window > 0) {
    const mark = el("span", "context-mark", undefined, { title: l10n.t("Condenses automatically at about {0} tokens.", context.condenseAt) });
    mark.style.left = `${Math.min(100, (context.condenseAt / context.window) * 100).toFixed(2)}%`;
    track.appendChild(mark);
  }
  const details = el("details", "context-details", undefined, { "data-details": "context" });
  details.appendChild(el("summary", "", l10n.t("What fills it")));
  const list = el("ul", "context-parts");
  for (const line of lines) list.appendChild(el("li", "", line));
  details.appendChild(list);
  root.append(label, track);
  if (context.turns >= 2 || context.condensing) {
    const condense = button(context.condensing ? l10n.t("Condensing…") : l10n.t("Condense now"), "condense", { "data-task-id": taskId, title: l10n.t("Replace the oldest turns by a summary now") }, "secondary condense-now");
    if (context.condensing) condense.setAttribute("disabled", "");
    root.appendChild(condense);
  }
  root.appendChild(details);
  return root;
}

/** The card a condensation leaves in the transcript: which turns, how many tokens, and the summary. */
export function condensedCard(item: CondensedItem): HTMLElement {
  const root = el("div", "card condensed-card", undefined, { "data-trigger": item.trigger });
  const head = el("div", "card-head");
  const title = item.firstTurn === item.lastTurn ? l10n.t("Condensed turn {0}", item.firstTurn) : l10n.t("Condensed turns {0}-{1}", item.firstTurn, item.lastTurn);
  head.append(el("span", "tool-name", title), el("span", "card-status", item.trigger === "manual" ? l10n.t("on request") : l10n.t("automatically")));
  root.appendChild(head);
  root.appendChild(el("div", "card-summary", l10n.t("A summary by {0} replaces them: {1} → {2} tokens.", item.profile, item.tokensBefore, item.tokensAfter)));
  const details = el("details", "summary", undefined, { "data-details": "summary" });
  details.append(el("summary", "", l10n.t("Summary")), el("pre", "", item.summary));
  root.appendChild(details);
  return root;
}
