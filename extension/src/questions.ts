// The model's questions (`flambeau/ask`) that wait for the user's answer in the panel. No VS Code
// imports: tested alone. No answer (a stopped task, a withdrawn request) is `null`: the model decides itself.
import type { AskParams, AskResult } from "./shared/protocol";

interface Pending {
  params: AskParams;
  resolve: (result: AskResult) => void;
}

export class Questions {
  private readonly pending = new Map<string, Pending>();

  private static key(taskId: string, callId: string): string {
    return `${taskId}\u0000${callId}`;
  }

  /** Waits for the user's answer to one question; a cancelled request or a stopped task answers null. */
  ask(params: AskParams, onCancel?: (listener: () => void) => void): Promise<AskResult> {
    return new Promise((resolve) => {
      const callId = params.event.call_id;
      const key = Questions.key(params.taskId, callId);
      this.pending.get(key)?.resolve({ answer: null });
      this.pending.set(key, { params, resolve });
      onCancel?.(() => this.answer(params.taskId, callId, null));
    });
  }

  /** The user's answer (a suggestion or their own text; null: none); false when nothing waited for it. */
  answer(taskId: string, callId: string, answer: string | null): boolean {
    const key = Questions.key(taskId, callId);
    const entry = this.pending.get(key);
    if (!entry) return false;
    this.pending.delete(key);
    const text = answer?.trim() ? answer.trim() : null;
    entry.resolve({ answer: text });
    return true;
  }

  /** Answers null to everything still waiting in a task; returns the call ids. */
  cancelAll(taskId: string): string[] {
    const settled: string[] = [];
    for (const entry of [...this.pending.values()]) {
      const callId = entry.params.event.call_id;
      if (entry.params.taskId === taskId && this.answer(taskId, callId, null)) settled.push(callId);
    }
    return settled;
  }

  get size(): number {
    return this.pending.size;
  }
}
