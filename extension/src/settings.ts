// Typed access to the `flambeau.*` settings contributed in package.json.
import * as vscode from "vscode";
import type { ApprovalMode } from "./shared/protocol";

export interface Settings {
  /** Interpreter that runs `python -m cli.main lsp`; empty: Python extension's, else python3. */
  pythonPath: string;
  /** What "Create Environment and Install Server" passes to pip. */
  installSource: string;
  /** Model profile the server starts with; empty: the server's default. */
  model: string;
  /** OpenAI-compatible base URL; empty: the profile's own. */
  apiBase: string;
  /** When the agent asks before acting. */
  approvalMode: ApprovalMode;
  /** Open the native diff view when an edit waits for approval. */
  openDiffOnApproval: boolean;
  /** The language the model replies in; empty: VS Code's display language. */
  replyLanguage: string;
  /** Run commands without the bubblewrap sandbox (else, where none can run, every command asks). */
  noSandbox: boolean;
}

export function readSettings(): Settings {
  const config = vscode.workspace.getConfiguration("flambeau");
  return {
    pythonPath: config.get<string>("pythonPath", "").trim(),
    installSource: config.get<string>("installSource", "flambeau").trim() || "flambeau",
    model: config.get<string>("model", "").trim(),
    apiBase: config.get<string>("apiBase", "").trim(),
    approvalMode: config.get<ApprovalMode>("approvalMode", "ask"),
    openDiffOnApproval: config.get<boolean>("openDiffOnApproval", true),
    replyLanguage: config.get<string>("replyLanguage", "").trim(),
    noSandbox: config.get<boolean>("noSandbox", false),
  };
}

/** Settings whose change needs a server restart. */
export const SERVER_SETTINGS = ["flambeau.pythonPath", "flambeau.model", "flambeau.apiBase", "flambeau.approvalMode", "flambeau.replyLanguage", "flambeau.noSandbox"];

export async function storePythonPath(python: string): Promise<void> {
  await vscode.workspace.getConfiguration("flambeau").update("pythonPath", python, vscode.ConfigurationTarget.Global);
}
