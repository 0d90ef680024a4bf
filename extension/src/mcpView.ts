// The MCP view: the workspace's MCP servers as the server's session holds them (flambeau/listMcpServers,
// kept current by flambeau/mcpServersChanged): each one's state, tool count and last error, with Restart,
// and Trust for a workspace server that never ran (after a prompt saying exactly what it would run).
import * as vscode from "vscode";
import type { FlambeauClient } from "./client";
import { serverContext, serverDescription, serverDetails, trustPrompt } from "./shared/mcp";
import type { ListMcpServersResult, McpServer } from "./shared/protocol";

const STATE_ICON: Record<McpServer["state"], [string, string?]> = {
  running: ["pass", "testing.iconPassed"],
  starting: ["loading~spin"],
  stopped: ["circle-outline"],
  failed: ["error", "testing.iconFailed"],
  untrusted: ["shield", "list.warningForeground"],
  refused: ["circle-slash"],
  disabled: ["circle-slash"],
};

export class McpItem extends vscode.TreeItem {
  constructor(
    readonly server: McpServer,
    readonly kind: "server" | "tool" | "error" = "server",
    text = "",
  ) {
    super(kind === "server" ? server.name : text, vscode.TreeItemCollapsibleState.None);
    if (kind === "tool") {
      this.id = `${server.name}/tool/${text}`;
      this.iconPath = new vscode.ThemeIcon("tools");
      this.contextValue = "mcpTool";
      return;
    }
    if (kind === "error") {
      this.id = `${server.name}/error`;
      this.tooltip = new vscode.MarkdownString().appendText(text);
      this.iconPath = new vscode.ThemeIcon("warning", new vscode.ThemeColor("list.errorForeground"));
      this.contextValue = "mcpError";
      return;
    }
    this.id = `${server.name}/server`;
    this.description = serverDescription(server);
    this.tooltip = new vscode.MarkdownString().appendText(serverDetails(server).join("\n"));
    const [icon, color] = STATE_ICON[server.state];
    this.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    this.contextValue = serverContext(server);
    if (server.state === "failed" && server.lastError) this.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
    else if (server.state === "running" && server.toolCount) this.collapsibleState = vscode.TreeItemCollapsibleState.Collapsed;
    if (server.state === "untrusted") {
      this.command = { command: "flambeau.mcp.trust", title: vscode.l10n.t("Trust…"), arguments: [this] };
    }
  }
}

export class McpView implements vscode.TreeDataProvider<McpItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private listing: ListMcpServersResult | undefined;
  private view: vscode.TreeView<McpItem> | undefined;
  private readonly listeners: ((listing: ListMcpServersResult) => void)[] = [];
  /** Untrusted workspace servers the user was told about (name and command line), once per session. */
  private readonly announced = new Set<string>();

  constructor(private readonly client: () => FlambeauClient | undefined) {}

  attach(view: vscode.TreeView<McpItem>): void {
    this.view = view;
    this.showMessage();
  }

  /** Called with every new listing (the chat's slash commands follow the running servers). */
  onListing(listener: (listing: ListMcpServersResult) => void): void {
    this.listeners.push(listener);
  }

  /** `flambeau/mcpServersChanged`, or the answer of a request. */
  update(listing: ListMcpServersResult): void {
    this.listing = listing;
    this.showMessage();
    this.changed.fire();
    for (const listener of this.listeners) listener(listing);
    for (const server of listing.servers) if (server.source === "workspace" && server.state === "untrusted") this.announce(server);
  }

  /** A workspace server that cannot run until trusted: said once, with a way to review it (the view starts collapsed). */
  private announce(server: McpServer): void {
    const key = `${server.name}\u0000${server.commandLine}`;
    if (this.announced.has(key)) return;
    this.announced.add(key);
    const review = vscode.l10n.t("Review…");
    const text = vscode.l10n.t('This workspace declares the MCP server "{0}". It was not started: you have not trusted it.', server.name);
    void vscode.window.showInformationMessage(text, review).then(async (choice) => {
      if (choice !== review) return;
      await vscode.commands.executeCommand("flambeau.mcp.focus");
      const current = this.listing?.servers.find((s) => s.name === server.name) ?? server;
      try {
        if (current.state === "untrusted") await this.trust(new McpItem(current));
      } catch (error) {
        void vscode.window.showErrorMessage(vscode.l10n.t("Flambeau: {0}", error instanceof Error ? error.message : String(error)));
      }
    });
  }

  /** One server's new state (the answer of restart or trust). */
  updateServer(server: McpServer): void {
    if (!this.listing) return;
    this.update({ ...this.listing, servers: this.listing.servers.map((s) => (s.name === server.name ? server : s)) });
  }

  async refresh(): Promise<void> {
    const client = this.client();
    if (!client) {
      this.listing = undefined;
      this.showMessage();
      this.changed.fire();
      return;
    }
    this.update(await client.listMcpServers());
  }

  getTreeItem(item: McpItem): McpItem {
    return item;
  }

  getChildren(item?: McpItem): McpItem[] {
    if (!item) return (this.listing?.servers ?? []).map((server) => new McpItem(server));
    if (item.kind !== "server") return [];
    const { server } = item;
    if (server.state === "failed" && server.lastError) return [new McpItem(server, "error", server.lastError)];
    if (server.state === "running") return server.tools.map((name) => new McpItem(server, "tool", name.replace(`mcp__${server.name}__`, "")));
    return [];
  }

  async restart(item: McpItem): Promise<void> {
    const client = this.requireClient();
    const server = await client.restartMcpServer(item.server.name);
    this.updateServer(server);
    if (server.state === "failed") void vscode.window.showErrorMessage(vscode.l10n.t("Flambeau: {0}", server.lastError));
  }

  /** Asks first, saying what would run; a trusted server starts at once. */
  async trust(item: McpItem): Promise<boolean> {
    const prompt = trustPrompt(item.server);
    const answer = await vscode.window.showWarningMessage(prompt.message, { modal: true, detail: prompt.detail }, prompt.confirm);
    if (answer !== prompt.confirm) return false;
    const server = await this.requireClient().trustMcpServer(item.server.name, true);
    this.updateServer(server);
    if (server.state === "failed") void vscode.window.showErrorMessage(vscode.l10n.t("Flambeau: {0}", server.lastError));
    return true;
  }

  async untrust(item: McpItem): Promise<void> {
    this.updateServer(await this.requireClient().trustMcpServer(item.server.name, false));
  }

  private requireClient(): FlambeauClient {
    const client = this.client();
    if (!client) throw new Error(vscode.l10n.t("The Flambeau server is not running (see \"Flambeau: Show Log\")."));
    return client;
  }

  private showMessage(): void {
    if (!this.view) return;
    const listing = this.listing;
    if (!listing) this.view.message = this.client() ? undefined : vscode.l10n.t("The Flambeau server is not running.");
    else if (listing.configError) this.view.message = vscode.l10n.t("The MCP configuration cannot be used: {0}", listing.configError);
    else if (!listing.servers.length) this.view.message = vscode.l10n.t("No MCP servers. Declare them in ~/.config/flambeau/mcp.json or in the workspace's .mcp.json.");
    else this.view.message = undefined;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
