// The active terminal's last command and its output, for @terminal, through VS Code's shell integration.
// That API is in VS Code 1.93 and later; this extension supports 1.90, so it is looked up at run time
// (typed here): without it, or in a shell without integration, @terminal says what to do instead.
// Output is read from the command's start; a command so quick that its start reaches the extension
// after its output (VS Code sends both events together then) is attached with its command line and
// exit code only.
import * as vscode from "vscode";
import { terminalText } from "./ansi";
import type { TerminalOutput } from "./shared/protocol";

interface ShellExecution {
  readonly commandLine: { readonly value: string };
  read(): AsyncIterable<string>;
}
interface ExecutionEvent {
  readonly terminal: vscode.Terminal;
  readonly execution: ShellExecution;
  readonly exitCode?: number;
}
interface ShellIntegrationEvents {
  onDidStartTerminalShellExecution?: vscode.Event<ExecutionEvent>;
  onDidEndTerminalShellExecution?: vscode.Event<ExecutionEvent>;
}

/** The output kept per command (its end, where the result and the error usually are). */
const MAX_OUTPUT = 40_000;

async function readAll(stream: AsyncIterable<string>): Promise<string> {
  let text = "";
  for await (const chunk of stream) {
    text += chunk;
    if (text.length > 2 * MAX_OUTPUT) text = text.slice(-MAX_OUTPUT);
  }
  return text;
}

export class TerminalOutputs implements vscode.Disposable {
  private readonly last = new Map<vscode.Terminal, TerminalOutput>();
  private readonly reading = new Map<ShellExecution, Promise<string>>();
  private latest: vscode.Terminal | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly output: Pick<vscode.LogOutputChannel, "warn">) {
    const events = vscode.window as unknown as ShellIntegrationEvents;
    if (events.onDidStartTerminalShellExecution) {
      this.subscriptions.push(
        events.onDidStartTerminalShellExecution((event) => {
          // read() only yields what is written after its first call: start at once.
          this.reading.set(event.execution, readAll(event.execution.read()).catch((error: unknown) => {
            this.output.warn(`reading terminal output: ${String(error)}`);
            return "";
          }));
        }),
      );
    }
    if (events.onDidEndTerminalShellExecution) {
      this.subscriptions.push(events.onDidEndTerminalShellExecution((event) => void this.ended(event)));
    }
    this.subscriptions.push(vscode.window.onDidCloseTerminal((terminal) => this.last.delete(terminal)));
  }

  private async ended(event: ExecutionEvent): Promise<void> {
    const output = (await this.reading.get(event.execution)) ?? "";
    this.reading.delete(event.execution);
    const text = terminalText(output).slice(-MAX_OUTPUT);
    this.last.set(event.terminal, { commandLine: event.execution.commandLine.value, output: text, ...(event.exitCode !== undefined ? { exitCode: event.exitCode } : {}) });
    this.latest = event.terminal;
  }

  /** The active terminal's last command, else the last command any terminal ran. */
  current(): TerminalOutput | undefined {
    const active = vscode.window.activeTerminal;
    return (active && this.last.get(active)) ?? (this.latest && this.last.get(this.latest));
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
