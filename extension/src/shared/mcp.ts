// MCP in the panel, without VS Code imports (unit-tested alone): how a server's state reads in the MCP view,
// what the trust prompt says, which tool call is an MCP server's, and the composer's slash commands.
import * as l10n from "@vscode/l10n";
import type { McpPrompt, McpServer } from "./protocol";

export type McpState = McpServer["state"];

export function mcpStateLabel(state: McpState): string {
  switch (state) {
    case "stopped":
      return l10n.t("stopped");
    case "starting":
      return l10n.t("starting");
    case "running":
      return l10n.t("running");
    case "failed":
      return l10n.t("failed");
    case "untrusted":
      return l10n.t("not trusted");
    case "refused":
      return l10n.t("refused (local-only)");
    case "disabled":
      return l10n.t("disabled");
  }
}

export function toolCountLabel(count: number): string {
  return count === 1 ? l10n.t("1 tool") : l10n.t("{0} tools", count);
}

/** The line next to the server's name: its state, and its tool count while it runs. */
export function serverDescription(server: McpServer): string {
  const state = server.trust === "changed" ? l10n.t("changed since you trusted it") : mcpStateLabel(server.state);
  return server.state === "running" ? `${state} · ${toolCountLabel(server.toolCount)}` : state;
}

function sourceLabel(server: McpServer): string {
  return server.source === "workspace" ? l10n.t("workspace (.mcp.json)") : l10n.t("yours (mcp.json)");
}

/** Everything about the server, for its tooltip. */
export function serverDetails(server: McpServer): string[] {
  const lines = [
    server.name,
    l10n.t("state: {0}", serverDescription(server)),
    l10n.t("declared in: {0} ({1})", sourceLabel(server), server.file),
    server.transport === "stdio" ? l10n.t("command: {0}", server.commandLine) : l10n.t("URL: {0} ({1})", server.commandLine, server.locality === "cloud" ? l10n.t("cloud") : l10n.t("local")),
  ];
  if (server.serverInfo) lines.push(l10n.t("server: {0} {1}", server.serverInfo.name, server.serverInfo.version));
  if (server.secretReferences.length) lines.push(l10n.t("keyring entries: {0}", server.secretReferences.join(", ")));
  if (server.lastError) lines.push(l10n.t("last error: {0}", server.lastError));
  return lines;
}

/** Which actions the view offers (package.json's menus match on it): restart always, trust for an untrusted
 * workspace server, untrust for a trusted one. */
export function serverContext(server: McpServer): string {
  if (server.source !== "workspace") return "mcpServer";
  return server.trusted ? "mcpServerTrusted" : "mcpServerUntrusted";
}

export interface TrustPrompt {
  message: string;
  detail: string;
  confirm: string;
}

/** What the user reads before a workspace's server may run: exactly what would run, and as whom. */
export function trustPrompt(server: McpServer): TrustPrompt {
  const what =
    server.transport === "stdio"
      ? l10n.t("It would run this command in {0}:\n{1}", server.folder, server.commandLine)
      : l10n.t("It would connect to:\n{0}", server.commandLine);
  const lines = [what];
  if (server.envNames.length) lines.push(l10n.t("Its entry sets these environment variables: {0}.", server.envNames.join(", ")));
  if (server.headerNames.length) lines.push(l10n.t("Its entry sends these headers: {0}.", server.headerNames.join(", ")));
  lines.push(
    l10n.t("Declared in {0}.", server.file),
    server.transport === "stdio"
      ? l10n.t("It runs as you, outside the sandbox, with your files and network. Its tool calls still ask before they run.")
      : l10n.t("Its tool calls still ask before they run."),
  );
  if (server.secretReferences.length) lines.push(l10n.t("It is given these keyring entries: {0}.", server.secretReferences.join(", ")));
  lines.push(l10n.t("The trust covers this definition only: if the file changes it, you are asked again."));
  return {
    message: l10n.t('Trust the MCP server "{0}" that this workspace declares?', server.name),
    detail: lines.join("\n\n"),
    confirm: l10n.t("Trust and Start"),
  };
}

/** `mcp__<server>__<tool>` (and the resource reader) as the server and what it is asked; undefined for other tools. */
export function mcpCall(tool: string, args: Record<string, unknown>): { server: string; tool: string } | undefined {
  if (tool === "mcp_read_resource") return { server: typeof args.server === "string" ? args.server : "?", tool: "read_resource" };
  const match = /^mcp__(.+?)__(.+)$/.exec(tool);
  return match ? { server: match[1] ?? "", tool: match[2] ?? "" } : undefined;
}

/** The slash command being typed at the caret: a word starting with "/" at the start of the input or after a space. */
export interface SlashToken {
  start: number;
  end: number;
  query: string;
}

export function slashAt(text: string, caret: number): SlashToken | undefined {
  const before = text.slice(0, caret);
  const match = /(^|\s)(\/[^\s]*)$/.exec(before);
  if (!match) return undefined;
  const word = match[2] ?? "";
  const start = caret - word.length;
  const rest = /^\S*/.exec(text.slice(caret))?.[0] ?? "";
  return { start, end: caret + rest.length, query: word.slice(1) };
}

/** The prompts whose command contains the query (case-insensitive), those that start with it first. */
export function slashMatches(prompts: McpPrompt[], query: string): McpPrompt[] {
  const q = query.toLowerCase();
  const found = prompts.filter((p) => p.command.slice(1).toLowerCase().includes(q));
  const starts = (p: McpPrompt): number => (p.command.slice(1).toLowerCase().startsWith(q) || p.name.toLowerCase().startsWith(q) ? 0 : 1);
  return found.sort((a, b) => starts(a) - starts(b) || a.command.localeCompare(b.command));
}

/** The detail shown next to a slash command: its description and the arguments it asks for. */
export function promptDetail(prompt: McpPrompt): string {
  const names = prompt.arguments.map((a) => (a.required ? a.name : `${a.name}?`));
  const asks = names.length ? l10n.t("asks for {0}", names.join(", ")) : "";
  return [prompt.description, asks].filter(Boolean).join(" · ");
}

export function replaceRange(text: string, start: number, end: number, replacement: string): { text: string; caret: number } {
  return { text: text.slice(0, start) + replacement + text.slice(end), caret: start + replacement.length };
}
