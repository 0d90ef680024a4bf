// Routes the Models webview's messages to the language server and posts what it answers back. No VS Code
// imports, so the routing is unit-tested with fakes (strings: @vscode/l10n, see extension.ts).
import { isModelsToHost, type HostToModels, type Role } from "./shared/modelsMessages";
import type {
  AssignRoleResult,
  DetectEnginesResult,
  FitnessSummary,
  ListModelsResult,
  ListProvidersResult,
  ModelEntry,
  ModelTestProgress,
  ProviderModelsResult,
  RemoveProfileResult,
  SaveProfileParams,
  SelectModelResult,
  SetEscalationResult,
  SetLocalOnlyResult,
} from "./shared/protocol";

export interface ModelsBackend {
  listModels(): Promise<ListModelsResult>;
  detectEngines(): Promise<DetectEnginesResult>;
  listProviders(): Promise<ListProvidersResult>;
  providerModels(provider: string): Promise<ProviderModelsResult>;
  saveProfile(profile: SaveProfileParams): Promise<ModelEntry>;
  removeProfile(name: string): Promise<RemoveProfileResult>;
  selectModel(name: string): Promise<SelectModelResult>;
  assignRole(role: Role, name: string): Promise<AssignRoleResult>;
  setLocalOnly(enabled: boolean): Promise<SetLocalOnlyResult>;
  setEscalation(name: string | null): Promise<SetEscalationResult>;
  testModel(name: string): Promise<FitnessSummary>;
}

export interface ModelsUi {
  post(message: HostToModels): void;
  /** The profile new tasks use may have changed (the status bar and the chat badge follow). */
  modelChanged(): void;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class ModelsController {
  private providersListed = false;

  constructor(
    private readonly backend: () => ModelsBackend | undefined,
    private readonly ui: ModelsUi,
  ) {}

  /** A message from the webview; anything malformed is ignored (the webview is not trusted). */
  async handle(message: unknown): Promise<void> {
    if (!isModelsToHost(message)) return;
    const backend = this.backend();
    if (!backend) return; // the view shows the server's state; it offers nothing to click until it runs
    try {
      switch (message.type) {
        case "ready":
          await this.refresh(true);
          return;
        case "refresh":
          await this.refresh();
          return;
        case "detect":
          this.ui.post({ type: "engines", engines: (await backend.detectEngines()).engines });
          return;
        case "providerModels":
          this.ui.post({ type: "providerModels", result: await backend.providerModels(message.provider) });
          return;
        case "save": {
          const saved = await backend.saveProfile(message.profile);
          if (message.select) await backend.selectModel(saved.name);
          this.ui.post({ type: "saved", name: saved.name });
          await this.changed();
          return;
        }
        case "remove":
          await backend.removeProfile(message.name);
          await this.changed();
          return;
        case "select":
          await backend.selectModel(message.name);
          await this.changed();
          return;
        case "assignRole":
          await backend.assignRole(message.role, message.name);
          await this.refresh();
          return;
        case "setLocalOnly":
          await backend.setLocalOnly(message.enabled);
          await this.changed();
          return;
        case "setEscalation":
          await backend.setEscalation(message.name);
          await this.refresh();
          return;
        case "test":
          await this.test(backend, message.name);
          return;
      }
    } catch (error) {
      this.ui.post({ type: "error", message: describe(error) });
      if (message.type === "detect") this.ui.post({ type: "engines", engines: [] });
    }
  }

  /** Lists the profiles again (after a change elsewhere: the status bar's pick, a restarted server). */
  async refresh(initial = false): Promise<void> {
    const backend = this.backend();
    if (!backend) return;
    const models = await backend.listModels();
    this.ui.post({ type: "models", models });
    if (initial || !this.providersListed) {
      this.providersListed = true;
      this.ui.post({ type: "providers", providers: (await backend.listProviders()).providers });
    }
    if (initial && models.firstRun) this.ui.post({ type: "engines", engines: (await backend.detectEngines()).engines });
  }

  /** A `flambeau/modelTestProgress` notification. */
  onTestProgress(progress: ModelTestProgress): void {
    this.ui.post({ type: "testProgress", progress });
  }

  /** The server (re)started or stopped. */
  serverState(state: "starting" | "running" | "stopped" | "failed", message = ""): void {
    this.ui.post({ type: "serverState", state, message });
    if (state === "running") {
      this.providersListed = false;
      this.refresh(true).catch((error: unknown) => this.ui.post({ type: "error", message: describe(error) }));
    }
  }

  private async changed(): Promise<void> {
    await this.refresh();
    this.ui.modelChanged();
  }

  private async test(backend: ModelsBackend, name: string): Promise<void> {
    try {
      const summary = await backend.testModel(name);
      this.ui.post({ type: "testDone", name, summary });
    } catch (error) {
      this.ui.post({ type: "testDone", name, error: describe(error) });
    }
    await this.refresh();
  }
}
