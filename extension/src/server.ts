// Starting, restarting and repairing the language server. A missing interpreter or package is
// reported with an action that fixes it; nothing fails silently.
import * as fs from "node:fs";
import * as vscode from "vscode";
import { FlambeauClient, type ServerHooks } from "./client";
import { createEnvironment, probe, resolveInterpreter, sameRelease } from "./python";
import { PROTOCOL_VERSION } from "./shared/protocol";
import { readSettings, storePythonPath } from "./settings";

// The notifications' buttons (read when shown: the l10n bundle is VS Code's display language).
const create = (): string => vscode.l10n.t("Create environment and install");
const pick = (): string => vscode.l10n.t("Choose interpreter");
const showLog = (): string => vscode.l10n.t("Show log");

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
    this.onState("stopped", vscode.l10n.t("server stopped"));
  }

  private async doStart(): Promise<FlambeauClient | undefined> {
    const settings = readSettings();
    const interpreter = await resolveInterpreter(settings.pythonPath);
    this.onState("starting", vscode.l10n.t("starting the Flambeau server…"));
    this.output.info(`Python interpreter: ${interpreter.python} (from ${interpreter.source})`);
    const probed = await probe(interpreter.python, vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
    if (!probed.ok) {
      const message =
        probed.problem === "no-interpreter"
          ? vscode.l10n.t('Flambeau cannot start: {0}. Set "flambeau.pythonPath" or create an environment.', probed.detail)
          : vscode.l10n.t("Flambeau cannot start: {0}. Install it, or let Flambeau create an environment for it.", probed.detail);
      this.output.error(message);
      this.onState("failed", message);
      void this.offerFix(message);
      return undefined;
    }
    this.output.info(`flambeau ${probed.version} found; starting "${interpreter.python} -I -m cli.main lsp"`);
    const extensionVersion = String((this.context.extension.packageJSON as { version?: unknown }).version ?? "");
    if (!sameRelease(probed.version, extensionVersion)) {
      const message = vscode.l10n.t(
        'The Flambeau server in {0} is version {1}, this extension is {2}. Install the matching server ("{3}") to avoid protocol mismatches.',
        interpreter.python,
        probed.version,
        extensionVersion,
        create(),
      );
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
        const message = vscode.l10n.t(
          'The Flambeau server speaks protocol {0}, this extension {1}. Install the matching server ("{2}").',
          String(this.current.protocolVersion),
          PROTOCOL_VERSION,
          create(),
        );
        this.output.error(message);
        this.offerInstall(message, vscode.window.showErrorMessage);
      }
      this.onState("running", "", this.current);
      return this.current;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const message = vscode.l10n.t("The Flambeau server exited while starting ({0}). Its error output is in the log.", reason);
      this.output.error(message);
      this.onState("failed", message);
      void vscode.window.showErrorMessage(message, showLog()).then((choice) => choice === showLog() && this.output.show());
      return undefined;
    }
  }

  private offerInstall(message: string, show: typeof vscode.window.showErrorMessage): void {
    void show(message, create()).then((choice) => (choice === create() ? this.createEnvironment() : undefined));
  }

  private crashed(restarting: boolean, count: number): void {
    const message = restarting
      ? vscode.l10n.t("The Flambeau server stopped unexpectedly and was restarted ({0} in the last minutes). Running tasks were lost.", count)
      : vscode.l10n.t('The Flambeau server crashed {0} times in a few minutes and was not restarted. See the log, then run "Flambeau: Restart Language Server".', count);
    this.output.error(message);
    this.onState(restarting ? "starting" : "failed", message);
    const show = restarting ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
    void show(message, showLog()).then((choice) => choice === showLog() && this.output.show());
  }

  private async offerFix(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(message, create(), pick(), showLog());
    if (choice === create()) await this.createEnvironment();
    else if (choice === pick()) await vscode.commands.executeCommand("workbench.action.openSettings", "flambeau.pythonPath");
    else if (choice === showLog()) this.output.show();
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
      void vscode.window.showInformationMessage(vscode.l10n.t("Flambeau installed in {0}; starting the server.", dir));
      await this.restart();
    } catch (error) {
      const message = vscode.l10n.t("Creating the Flambeau environment failed: {0}", error instanceof Error ? error.message : String(error));
      this.output.error(message);
      const hint = vscode.l10n.t('Set "flambeau.installSource" to a Flambeau checkout if the package is not on your index.');
      void vscode.window.showErrorMessage(`${message} ${hint}`, showLog()).then(
        (choice) => choice === showLog() && this.output.show(),
      );
    }
  }

  dispose(): void {
    void this.stop();
  }
}
