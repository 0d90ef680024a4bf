// The model's questions (suggested answers as buttons, or the user's own words) and the chips of the
// context a message attached.
import * as l10n from "@vscode/l10n";
import type { Attached } from "../shared/protocol";
import { button, el } from "./dom";
import type { QuestionCard, TaskView } from "./state";

function questionStatus(question: QuestionCard, waiting: boolean): string {
  if (question.status === "answered") return l10n.t("answered");
  if (question.status === "unanswered") return l10n.t("no answer");
  return waiting ? l10n.t("waiting for your answer") : l10n.t("asked");
}

export function questionCard(task: TaskView, question: QuestionCard): HTMLElement {
  const waiting = question.status === "asked" && task.asking.includes(question.callId);
  const root = el("div", `card question-card status-${question.status}${waiting ? " waiting" : ""}`, undefined, { "data-call-id": question.callId });
  const head = el("div", "card-head");
  head.append(el("span", "tool-name", l10n.t("Flambeau asks")), el("span", "card-status", questionStatus(question, waiting), { "data-status": question.status }));
  root.append(head, el("div", "question-text", question.question));
  if (waiting) {
    const ids = { "data-task-id": task.taskId, "data-call-id": question.callId };
    if (question.suggestions.length) {
      const suggestions = el("div", "actions suggestions");
      for (const suggestion of question.suggestions) suggestions.appendChild(button(suggestion, "answer", { ...ids, "data-answer": suggestion }, "secondary"));
      root.appendChild(suggestions);
    }
    const own = el("div", "actions answer-row");
    own.appendChild(el("input", "answer-input", undefined, { type: "text", "data-keep": "answer", placeholder: l10n.t("Your answer…"), "aria-label": l10n.t("Your answer") }));
    own.appendChild(button(l10n.t("Answer"), "answerText", ids, "primary"));
    own.appendChild(button(l10n.t("Let Flambeau decide"), "skipQuestion", ids, "link"));
    root.appendChild(own);
  } else if (question.status === "answered") {
    root.appendChild(el("div", "decision", l10n.t("Answer: {0}", question.answer)));
  } else if (question.status === "unanswered") {
    root.appendChild(el("div", "decision", l10n.t("No answer: the model decides and says what it assumed.")));
  }
  return root;
}

function chipTitle(item: Attached): string {
  if (item.withheld) return l10n.t("not sent to the model: {0}", item.withheld);
  return l10n.t("about {0} tokens", item.tokens);
}

/** The context a message attached, one chip each, and about how many tokens it adds. */
export function attachedChips(items: Attached[]): HTMLElement {
  const root = el("div", "attached chips", undefined, { "aria-label": l10n.t("Attached context") });
  for (const item of items) {
    const label = item.label || item.mention;
    const chip = el("span", `chip kind-${item.kind}${item.withheld ? " withheld" : ""}`, label, { title: `${label}\n${chipTitle(item)}`, "data-kind": item.kind });
    root.appendChild(chip);
  }
  const tokens = items.reduce((sum, item) => sum + (item.withheld ? 0 : item.tokens), 0);
  root.appendChild(el("span", "attached-total", l10n.t("≈ {0} tokens of context", tokens)));
  return root;
}
