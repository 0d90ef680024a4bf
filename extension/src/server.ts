// Starting, restarting and repairing the language server. A missing interpreter or package is
// reported with an action that fixes it; nothing fails silently.
import * as fs from "node:fs";
import * as vscode from "vscode";
import { FlambeauClient, type ServerHooks } from "./client";
import { createEnvironment, probe, resolveInterpreter, sameRelease } from "./python";
import { PROTOCOL_VERSION } from "./shared/protocol";
import { readSettings, storePythonPath } from "./settings";

const CREATE = "Create environment and install";
const PICK = "Choose interpreter";
const LOG = "Show log";

export type ServerState = "starting" | "running" | "stopped" | "failed";

export class Server implements vscode.Disposable {
  private current: FlambeauClient | undefined;
  private starting: Promise<FlambeauClient | undefined> | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.LogOutputChannel,
    private readonly hooks: Omit<ServerHooks, "onStateChange" | "onCrash">,
    private readonly onState: (state: ServerState, message: string, client?: FlambeauClient) => void,
  ) {}

  get client(): FlambeauClient | undefined {
    return this.current;
  }

  start(): Promise<FlambeauClient | undefined> {
    this.starting ??= this.doStart().finally(() => (this.starting = undefined));
    return this.starting;
  }

  async restart(): Promise<FlambeauClient | undefined> {
    await this.stop();
    return this.start();
  }

  async stop(): Promise<void> {
    const client = this.current;
    this.current = undefined;
    if (client) await client.stop().catch((error: unknown) => this.output.warn(`stopping the server: ${String(error)}`));
    this.onState("stopped", "server stopped");
  }

  private async doStart(): Promise<FlambeauClient | undefined> {
    const settings = readSettings();
    const interpreter = await resolveInterpreter(settings.pythonPath);
    this.onState("starting", "starting the Flambeau server…");
    this.output.info(`Python interpreter: ${interpreter.python} (from ${interpreter.source})`);
    const probed = await probe(interpreter.python, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
    if (!probed.ok) {
      const message =
        probed.problem === "no-interpreter"
          ? `Flambeau cannot start: ${probed.detail}. Set "flambeau.pythonPath" or create an environment.`
          : `Flambeau cannot start: ${probed.detail}. Install it, or let Flambeau create an environment for it.`;
      this.output.error(message);
      this.onState("failed", message);
      void this.offerFix(message);
      return undefined;
    }
    this.output.info(`flambeau ${probed.version} found; starting "${interpreter.python} -I -m cli.main lsp"`);
    const extensionVersion = String((this.context.extension.packageJSON as { version?: unknown }).version ?? "");
    if (!sameRelease(probed.version, extensionVersion)) {
      const message = `The Flambeau server in ${interpreter.python} is version ${probed.version}, this extension is ${extensionVersion}. Install the matching server ("${CREATE}") to avoid protocol mismatches.`;
      this.output.warn(message);
      this.offerInstall(message, vscode.window.showWarningMessage);
    }
    try {
      this.current = await FlambeauClient.start(interpreter.python, settings, this.output, {
        ...this.hooks,
        onStateChange: (running) => {
          if (running && this.current) this.onState("running", "", this.current);
        },
        onCrash: (restarting, count) => this.crashed(restarting, count),
      });
      if (this.current.protocolVersion !== PROTOCOL_VERSION) {
        const message = `The Flambeau server speaks protocol ${String(this.current.protocolVersion)}, this extension ${PROTOCOL_VERSION}. Install the matching server ("${CREATE}").`;
        this.output.error(message);
        this.offerInstall(message, vscode.window.showErrorMessage);
      }
      this.onState("running", "", this.current);
      return this.current;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const message = `The Flambeau server exited while starting (${reason}). Its error output is in the log.`;
      this.output.error(message);
      this.onState("failed", message);
      void vscode.window.showErrorMessage(message, LOG).then((choice) => choice === LOG && this.output.show());
      return undefined;
    }
  }

  private offerInstall(message: string, show: typeof vscode.window.showErrorMessage): void {
    void show(message, CREATE).then((choice) => (choice === CREATE ? this.createEnvironment() : undefined));
  }

  private crashed(restarting: boolean, count: number): void {
    const message = restarting
      ? `The Flambeau server stopped unexpectedly and was restarted (${count} in the last minutes). Running tasks were lost.`
      : `The Flambeau server crashed ${count} times in a few minutes and was not restarted. See the log, then run "Flambeau: Restart Language Server".`;
    this.output.error(message);
    this.onState(restarting ? "starting" : "failed", message);
    const show = restarting ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
    void show(message, LOG).then((choice) => choice === LOG && this.output.show());
  }

  private async offerFix(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(message, CREATE, PICK, LOG);
    if (choice === CREATE) await this.createEnvironment();
    else if (choice === PICK) await vscode.commands.executeCommand("workbench.action.openSettings", "flambeau.pythonPath");
    else if (choice === LOG) this.output.show();
  }

  /** Creates a venv in the extension's storage, pip-installs the server, points the setting at it, restarts. */
  async createEnvironment(): Promise<void> {
    const settings = readSettings();
    const base = settings.pythonPath && fs.existsSync(settings.pythonPath) ? settings.pythonPath : "python3";
    const dir = vscode.Uri.joinPath(this.context.globalStorageUri, "venv").fsPath;
    try {
      const python = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: "Flambeau", cancellable: false },
        (progress) => createEnvironment(base, dir, settings.installSource, (step) => {
          this.output.info(step);
          progress.report({ message: step });
        }),
      );
      await storePythonPath(python);
      void vscode.window.showInformationMessage(`Flambeau installed in ${dir}; starting the server.`);
      await this.restart();
    } catch (error) {
      const message = `Creating the Flambeau environment failed: ${error instanceof Error ? error.message : String(error)}`;
      this.output.error(message);
      void vscode.window.showErrorMessage(`${message} Set "flambeau.installSource" to a Flambeau checkout if the package is not on your index.`, LOG).then(
        (choice) => choice === LOG && this.output.show(),
      );
    }
  }

  dispose(): void {
    void this.stop();
  }
}
