// The status bar item (model profile + local/cloud badge), the profile quick pick, and the
// command that stores an API key in the server's keyring.
import * as vscode from "vscode";
import type { FlambeauClient } from "./client";
import { localityLabel } from "./shared/labels";
import type { ModelBadge } from "./shared/messages";

export class ModelStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("flambeau.model", vscode.StatusBarAlignment.Right, 100);
  private badge: ModelBadge = { profile: "", locality: "unknown" };
  private readonly changed = new vscode.EventEmitter<ModelBadge>();
  readonly onDidChange = this.changed.event;

  constructor() {
    this.item.name = vscode.l10n.t("Flambeau model");
    this.item.command = "flambeau.selectModel";
    this.show(vscode.l10n.t("starting…"));
  }

  get current(): ModelBadge {
    return this.badge;
  }

  show(message: string): void {
    this.item.text = `$(flame) ${vscode.l10n.t("Flambeau: {0}", message)}`;
    this.item.tooltip = vscode.l10n.t("Flambeau language server");
    this.item.show();
  }

  set(badge: ModelBadge): void {
    this.badge = badge;
    const icon = badge.locality === "local" ? "$(vm)" : badge.locality === "cloud" ? "$(cloud)" : "$(question)";
    this.item.text = `$(flame) ${badge.profile || vscode.l10n.t("default")} ${icon} ${localityLabel(badge.locality)}`;
    const where =
      badge.locality === "local"
        ? vscode.l10n.t("runs on this machine")
        : badge.locality === "cloud"
          ? vscode.l10n.t("sends your code to a cloud provider")
          : localityLabel(badge.locality);
    this.item.tooltip = vscode.l10n.t("Flambeau model profile: {0} ({1}). Click to switch.", badge.profile, where);
    this.item.show();
    this.changed.fire(badge);
  }

  async refresh(client: FlambeauClient): Promise<void> {
    const models = await client.listModels();
    const profile = models.profiles.find((p) => p.name === models.current);
    this.set({ profile: models.current, locality: profile?.locality ?? "unknown" });
  }

  async pick(client: FlambeauClient): Promise<void> {
    const models = await client.listModels();
    const items = models.profiles.map((p) => ({
      label: p.name,
      description: `${p.locality === "local" ? "$(vm)" : "$(cloud)"} ${localityLabel(p.locality)} · ${p.model}`,
      picked: p.name === models.current,
      detail: p.name === models.current ? vscode.l10n.t("current") : undefined,
    }));
    const choice = await vscode.window.showQuickPick(items, {
      title: vscode.l10n.t("Flambeau: model profile"),
      placeHolder: vscode.l10n.t("current: {0}", models.current),
    });
    if (!choice) return;
    const selected = await client.selectModel(choice.label);
    this.set({ profile: selected.current, locality: selected.locality });
  }

  dispose(): void {
    this.item.dispose();
    this.changed.dispose();
  }
}

const PROVIDERS = ["openai", "anthropic", "gemini", "mistral", "openrouter", "groq", "deepseek", "azure"];

export async function storeApiKey(client: FlambeauClient): Promise<void> {
  const other = vscode.l10n.t("Other provider…");
  let provider = await vscode.window.showQuickPick([...PROVIDERS, other], { title: vscode.l10n.t("Flambeau: store an API key for…") });
  if (provider === other) provider = await vscode.window.showInputBox({ title: vscode.l10n.t("Provider name (as litellm names it)"), ignoreFocusOut: true });
  if (!provider) return;
  const key = await vscode.window.showInputBox({
    title: vscode.l10n.t("API key for {0}", provider),
    prompt: vscode.l10n.t("Stored in the system keyring by the Flambeau server; never written to settings."),
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : vscode.l10n.t("The key is empty")),
  });
  if (!key) return;
  await client.setKey(provider, key.trim());
  void vscode.window.showInformationMessage(vscode.l10n.t("Flambeau: API key for {0} stored in the keyring.", provider));
}
