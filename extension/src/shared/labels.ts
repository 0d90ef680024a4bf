// The product's recurring words (docs/l10n-glossary.md), localized once for the panel, the status bar
// and the Traces view. Uses @vscode/l10n, configured with the bundle by the host (extension.ts) and by
// the webview (webview/l10n.ts), so this module works on both sides.
import * as l10n from "@vscode/l10n";

export function localityLabel(locality: string): string {
  if (locality === "local") return l10n.t("local");
  if (locality === "cloud") return l10n.t("cloud");
  return l10n.t("locality unknown");
}

/** A task's or a trace's outcome (a task status in the panel). */
export function outcomeLabel(outcome: string | null | undefined): string {
  switch (outcome) {
    case "starting":
      return l10n.t("starting");
    case "running":
      return l10n.t("running");
    case "completed":
      return l10n.t("completed");
    case "failed":
      return l10n.t("failed");
    case "cancelled":
      return l10n.t("cancelled");
    case "limit":
      return l10n.t("stopped at a limit");
    case null:
    case undefined:
      return l10n.t("running or interrupted");
    default:
      return outcome;
  }
}

/** What `flambeau/verifyTrace` found. */
export function verdictLabel(verdict: string): string {
  switch (verdict) {
    case "intact":
      return l10n.t("intact");
    case "tampered":
      return l10n.t("tampered");
    case "damaged":
      return l10n.t("damaged");
    default:
      return verdict;
  }
}

/** Who decided an approval (`approval_decided.by`). */
export function deciderLabel(by: string): string {
  switch (by) {
    case "user":
      return l10n.t("you");
    case "rule":
      return l10n.t("a policy rule");
    case "auto":
      return l10n.t("the approval mode");
    case "timeout":
      return l10n.t("timeout");
    case "cancelled":
      return l10n.t("cancellation");
    default:
      return by;
  }
}

/** A denial's reason. Flambeau's own reasons are recorded in English (the trace and the model read them:
 * approvals.ts, lsp/approver.py) and shown in the user's language; one the user typed is shown as typed. */
export function denialReasonLabel(reason: string): string {
  switch (reason) {
    case "denied in the Flambeau panel":
    case "the user denied this in the editor":
      return l10n.t("denied in the Flambeau panel");
    case "task stopped by the user":
      return l10n.t("task stopped by the user");
    case "task ended":
      return l10n.t("task ended");
    case "superseded by a new request":
      return l10n.t("superseded by a new request");
    case "request cancelled":
      return l10n.t("request cancelled");
    default:
      return reason;
  }
}
