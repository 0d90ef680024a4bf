// Approval requests from the server that wait for the user's click. No VS Code imports: tested alone.
// The denial reasons go to the server: recorded in the trace and sent to the model, so they stay English.
import type { ApproveParams, ApproveResult, Decision } from "./shared/protocol";

interface Pending {
  params: ApproveParams;
  resolve: (result: ApproveResult) => void;
}

export class Approvals {
  private readonly pending = new Map<string, Pending>();

  private static key(taskId: string, callId: string): string {
    return `${taskId}\u0000${callId}`;
  }

  /** Waits for the user's decision on one request; a stopped task or a cancelled request denies it. */
  request(params: ApproveParams, onCancel?: (listener: () => void) => void): Promise<ApproveResult> {
    return new Promise((resolve) => {
      const callId = params.event.call_id;
      const key = Approvals.key(params.taskId, callId);
      // l10n-ignore: a reason recorded in the trace and sent to the model
      this.pending.get(key)?.resolve({ decision: "deny", reason: "superseded by a new request" });
      this.pending.set(key, { params, resolve });
      // l10n-ignore: a reason recorded in the trace and sent to the model
      onCancel?.(() => this.settle(params.taskId, callId, { decision: "deny", reason: "request cancelled" }));
    });
  }

  get(taskId: string, callId: string): ApproveParams | undefined {
    return this.pending.get(Approvals.key(taskId, callId))?.params;
  }

  /**
   * The user's click; returns false when nothing was waiting for it (already decided or stopped).
   * `reason`: the user's words for a denial (told to the model); `content`: their version of a proposed file.
   */
  decide(taskId: string, callId: string, decision: Decision, given: { reason?: string; content?: string } = {}): boolean {
    const result: ApproveResult = { decision };
    // l10n-ignore: a reason recorded in the trace and sent to the model
    if (decision === "deny") result.reason = given.reason?.trim() || "denied in the Flambeau panel";
    else if (given.content !== undefined) result.content = given.content;
    return this.settle(taskId, callId, result);
  }

  /** Denies everything still waiting in a task (Stop button); returns the call ids it denied. */
  denyAll(taskId: string, reason: string): string[] {
    const denied: string[] = [];
    for (const entry of [...this.pending.values()]) {
      const callId = entry.params.event.call_id;
      if (entry.params.taskId === taskId && this.settle(taskId, callId, { decision: "deny", reason })) {
        denied.push(callId);
      }
    }
    return denied;
  }

  get size(): number {
    return this.pending.size;
  }

  private settle(taskId: string, callId: string, result: ApproveResult): boolean {
    const key = Approvals.key(taskId, callId);
    const entry = this.pending.get(key);
    if (!entry) return false;
    this.pending.delete(key);
    entry.resolve(result);
    return true;
  }
}
