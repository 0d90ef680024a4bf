// Source Control's "Generate commit message": the server's `commit` role writes a message for the staged
// changes of a repository, and it goes into that repository's input box (the built-in git extension's API).
import * as vscode from "vscode";
import type { FlambeauClient } from "./client";

/** The parts of the git extension's API (extensions/git/src/api/git.d.ts) this uses. */
interface GitRepository {
  readonly rootUri: vscode.Uri;
  readonly inputBox: { value: string };
}
interface GitApi {
  readonly repositories: GitRepository[];
}
interface GitExtension {
  getAPI(version: 1): GitApi;
}

/** Not the server's executeCommand id (flambeau.generateCommitMessage), which the language client registers itself. */
export const GENERATE_COMMIT_MESSAGE = "flambeau.scm.generateCommitMessage";

async function gitApi(): Promise<GitApi> {
  const extension = vscode.extensions.getExtension<GitExtension>("vscode.git");
  if (!extension) throw new Error(vscode.l10n.t("The Git extension is not available: enable it to generate commit messages."));
  const exports = extension.isActive ? extension.exports : await extension.activate();
  return exports.getAPI(1);
}

/** The repository of the Source Control view the command ran from (its rootUri), else the only or first one. */
function chooseRepository(api: GitApi, clicked: unknown): GitRepository {
  const root = (clicked as { rootUri?: vscode.Uri } | undefined)?.rootUri?.toString();
  const repository = api.repositories.find((r) => r.rootUri.toString() === root) ?? api.repositories[0];
  if (!repository) throw new Error(vscode.l10n.t("No git repository is open."));
  return repository;
}

export async function generateCommitMessage(client: FlambeauClient, clicked: unknown): Promise<void> {
  const repository = chooseRepository(await gitApi(), clicked);
  const written = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.SourceControl, title: vscode.l10n.t("Flambeau is writing a commit message…") },
    () => client.generateCommitMessage(repository.rootUri.toString()),
  );
  repository.inputBox.value = written.message;
}
