// @vitest-environment jsdom
// MCP in the panel: how a server reads in the MCP view and what its trust prompt says, an MCP tool call's card
// (server, tool, arguments, approve/deny), and the composer's slash commands for the servers' prompts.
import * as fs from "node:fs";
import * as path from "node:path";
import * as l10n from "@vscode/l10n";
import { afterAll, describe, expect, it } from "vitest";
import { mcpCall, promptDetail, serverContext, serverDescription, serverDetails, slashAt, slashMatches, trustPrompt } from "../src/shared/mcp";
import type { HostToWebview, WebviewToHost } from "../src/shared/messages";
import type { McpPrompt, McpServer } from "../src/shared/protocol";
import { Composer } from "../src/webview/composer";
import { renderTranscript } from "../src/webview/render";
import { initialState, reduce, type ViewState } from "../src/webview/state";
import { ev, started } from "./fixtures";

function server(overrides: Partial<McpServer> = {}): McpServer {
  return {
    name: "clock",
    source: "workspace",
    file: "/ws/.mcp.json",
    transport: "stdio",
    commandLine: "python -m mcp_server_time --local-timezone UTC",
    folder: "/ws",
    envNames: [],
    headerNames: [],
    trusted: false,
    trust: "untrusted",
    state: "untrusted",
    locality: "local",
    toolCount: 0,
    tools: [],
    promptCount: 0,
    resourceCount: 0,
    serverInfo: null,
    lastError: "",
    secretReferences: [],
    ...overrides,
  };
}

const running = server({
  trusted: true,
  trust: "trusted",
  state: "running",
  toolCount: 2,
  tools: ["mcp__clock__get_current_time", "mcp__clock__convert_time"],
  serverInfo: { name: "mcp-time", version: "1.2.0" },
});

describe("the MCP view's words", () => {
  it("says each server's state, its tool count while it runs, and its last error", () => {
    expect(serverDescription(server())).toBe("not trusted");
    expect(serverDescription(running)).toBe("running · 2 tools");
    expect(serverDescription(server({ state: "running", toolCount: 1 }))).toBe("running · 1 tool");
    expect(serverDescription(server({ state: "untrusted", trust: "changed" }))).toBe("changed since you trusted it");
    const failed = server({ source: "user", trust: "not-needed", trusted: true, state: "failed", lastError: "the MCP server 'clock' failed: boom" });
    expect(serverDescription(failed)).toBe("failed");
    expect(serverDetails(failed)).toContain("last error: the MCP server 'clock' failed: boom");
    expect(serverDetails(running)).toContain("server: mcp-time 1.2.0");
    expect(serverDetails(server({ transport: "http", commandLine: "https://mcp.example.com/mcp", locality: "cloud" }))).toContain("URL: https://mcp.example.com/mcp (cloud)");
  });

  it("offers Trust only for an untrusted workspace server, untrust for a trusted one, restart for all", () => {
    expect(serverContext(server())).toBe("mcpServerUntrusted");
    expect(serverContext(running)).toBe("mcpServerTrusted");
    expect(serverContext(server({ source: "user", trusted: true, trust: "not-needed" }))).toBe("mcpServer");
  });

  it("the trust prompt says exactly what would run, from which file, as whom, and with which secrets", () => {
    const prompt = trustPrompt(server({ secretReferences: ["clock-token"], envNames: ["CLOCK_TOKEN", "TZ"] }));
    expect(prompt.detail).toContain("It would run this command in /ws:\npython -m mcp_server_time --local-timezone UTC");
    expect(prompt.detail).toContain("Its entry sets these environment variables: CLOCK_TOKEN, TZ.");
    expect(prompt.message).toBe('Trust the MCP server "clock" that this workspace declares?');
    expect(prompt.detail).toContain("python -m mcp_server_time --local-timezone UTC");
    expect(prompt.detail).toContain("/ws/.mcp.json");
    expect(prompt.detail).toContain("outside the sandbox");
    expect(prompt.detail).toContain("clock-token");
    expect(prompt.confirm).toBe("Trust and Start");
    const remote = trustPrompt(server({ transport: "http", commandLine: "http://127.0.0.1:9/mcp", folder: "", headerNames: ["Authorization"] })).detail;
    expect(remote).toContain("It would connect to:\nhttp://127.0.0.1:9/mcp");
    expect(remote).toContain("Its entry sends these headers: Authorization.");
    expect(remote).not.toContain("outside the sandbox");
  });

  it("is translated", () => {
    const bundle = path.join(__dirname, "..", "l10n", "bundle.l10n.fr.json");
    l10n.config({ contents: JSON.parse(fs.readFileSync(bundle, "utf8")) });
    try {
      expect(serverDescription(running)).toBe("en cours · 2 outils");
      expect(trustPrompt(server()).confirm).toBe("Faire confiance et démarrer");
    } finally {
      l10n.config({ contents: {} });
    }
  });
});

describe("an MCP tool call's card", () => {
  afterAll(() => l10n.config({ contents: {} }));
  const asked: Parameters<typeof ev>[0] = {
    type: "approval_requested",
    call_id: "m1",
    tool: "mcp__clock__get_current_time",
    category: "mcp",
    summary: 'mcp__clock__get_current_time {"timezone":"Asia/Tokyo"}',
    reason: "MCP tools ask",
    preview: "MCP server 'clock' (python -m mcp_server_time; local; serverInfo mcp-time 1.2.0)\ntool get_current_time with\n{}",
    arguments: { timezone: "Asia/Tokyo" },
  };

  function fold(...messages: HostToWebview[]): ViewState {
    return messages.reduce(reduce, initialState());
  }

  it("names the server and the tool, shows the arguments, and waits for Approve or Deny", () => {
    const root = document.createElement("div");
    renderTranscript(root, fold(ev(started), ev(asked)));
    const card = root.querySelector('.tool-card[data-call-id="m1"]');
    expect(card?.classList.contains("category-mcp")).toBe(true);
    expect(card?.querySelector(".mcp-server")?.textContent).toBe("clock");
    expect(card?.querySelector(".mcp-tool")?.textContent).toBe("get_current_time");
    expect(JSON.parse(card?.querySelector(".mcp-arguments")?.textContent ?? "{}")).toEqual({ timezone: "Asia/Tokyo" });
    expect(card?.querySelector('button[data-action="approve"]')).not.toBeNull();
    expect(card?.querySelector('button[data-action="deny"]')).not.toBeNull();
    expect(card?.querySelector('button[data-action="always"]')?.textContent).toBe("Always allow get_current_time of clock");
  });

  it("shows the result once approved, and the refusal once denied", () => {
    const root = document.createElement("div");
    const approved = fold(
      ev(started),
      ev(asked),
      ev({ type: "approval_decided", call_id: "m1", tool: asked.tool, approved: true, by: "user" }),
      ev({ type: "tool_result", call_id: "m1", tool: asked.tool, ok: true, output: '{"timezone": "Asia/Tokyo"}' }),
    );
    renderTranscript(root, approved);
    let card = root.querySelector('.tool-card[data-call-id="m1"]');
    expect(card?.querySelector("button")).toBeNull();
    expect(card?.querySelector(".output pre")?.textContent).toContain("Asia/Tokyo");
    renderTranscript(root, fold(ev(started), ev(asked), ev({ type: "approval_decided", call_id: "m1", tool: asked.tool, approved: false, by: "user" })));
    card = root.querySelector('.tool-card[data-call-id="m1"]');
    expect(card?.getAttribute("class")).toContain("status-denied");
  });

  it("knows the server of each MCP tool name, the resource reader's included", () => {
    expect(mcpCall("mcp__every__echo", {})).toEqual({ server: "every", tool: "echo" });
    expect(mcpCall("mcp__my-srv__do__it", {})).toEqual({ server: "my-srv", tool: "do__it" });
    expect(mcpCall("mcp_read_resource", { server: "every", uri: "x://1" })).toEqual({ server: "every", tool: "read_resource" });
    expect(mcpCall("read_file", {})).toBeUndefined();
  });
});

const prompts: McpPrompt[] = [
  { server: "every", name: "simple-prompt", command: "/every:simple-prompt", description: "A prompt with no arguments", arguments: [] },
  {
    server: "every",
    name: "args-prompt",
    command: "/every:args-prompt",
    description: "A prompt with arguments",
    arguments: [
      { name: "city", description: "Name of the city", required: true },
      { name: "state", description: "", required: false },
    ],
  },
  { server: "time", name: "now", command: "/time:now", description: "", arguments: [] },
];

describe("slash commands", () => {
  it("finds the command being typed and the prompts that match it", () => {
    expect(slashAt("/ev", 3)).toEqual({ start: 0, end: 3, query: "ev" });
    expect(slashAt("please /every:ar now", 16)).toEqual({ start: 7, end: 16, query: "every:ar" });
    expect(slashAt("a/b", 3)).toBeUndefined();
    expect(slashAt("no slash", 8)).toBeUndefined();
    expect(slashMatches(prompts, "").map((p) => p.command)).toEqual(["/every:args-prompt", "/every:simple-prompt", "/time:now"]);
    expect(slashMatches(prompts, "args").map((p) => p.command)).toEqual(["/every:args-prompt"]);
    expect(slashMatches(prompts, "TIME").map((p) => p.command)).toEqual(["/time:now"]);
    expect(promptDetail(prompts[1] as McpPrompt)).toBe("A prompt with arguments · asks for city, state?");
  });

  function composer() {
    document.body.innerHTML = `<div class="composer"><div id="list" hidden></div><div id="chips"></div><textarea id="input"></textarea><div id="error"></div><button id="send"></button></div>`;
    const input = document.getElementById("input") as HTMLTextAreaElement;
    const posted: WebviewToHost[] = [];
    const parts = {
      input,
      chips: document.getElementById("chips") as HTMLElement,
      list: document.getElementById("list") as HTMLElement,
      error: document.getElementById("error") as HTMLElement,
      buttons: [document.getElementById("send") as HTMLButtonElement],
    };
    const box = new Composer(parts, (m) => posted.push(m), () => undefined);
    const type = (text: string) => {
      input.value = text;
      input.setSelectionRange(text.length, text.length);
      input.dispatchEvent(new Event("input"));
    };
    const key = (name: string) => input.dispatchEvent(new KeyboardEvent("keydown", { key: name, bubbles: true, cancelable: true }));
    return { box, parts, input, posted, type, key };
  }

  it("typing / offers the prompts; choosing one asks the host, whose text replaces the command", () => {
    const { box, parts, input, posted, type, key } = composer();
    type("/");
    expect(parts.list.hidden).toBe(true); // no server offers prompts yet
    box.receive({ type: "mcpPrompts", prompts });
    type("/arg");
    expect(parts.list.hidden).toBe(false);
    expect([...parts.list.querySelectorAll(".mention-label")].map((e) => e.textContent)).toEqual(["/every:args-prompt"]);
    expect(parts.list.querySelector(".mention-detail")?.textContent).toContain("asks for city");
    key("Enter");
    expect(input.value).toBe("/every:args-prompt");
    expect(parts.list.hidden).toBe(true);
    const asked = posted.at(-1);
    expect(asked).toMatchObject({ type: "usePrompt", server: "every", name: "args-prompt" });
    const requestId = (asked as { requestId: number }).requestId;
    box.receive({ type: "promptText", requestId: requestId + 1, ok: true, text: "not mine" });
    expect(input.value).toBe("/every:args-prompt");
    box.receive({ type: "promptText", requestId, ok: true, text: "What's weather in Lyon?" });
    expect(input.value).toBe("What's weather in Lyon?");
    expect(posted.filter((m) => m.type === "startTask")).toEqual([]); // nothing is sent before the user sends it
  });

  it("a cancelled prompt leaves the command; a failed one says why; the mouse chooses too", () => {
    const { box, parts, input, posted, type } = composer();
    box.receive({ type: "mcpPrompts", prompts });
    type("/time");
    parts.list.querySelector<HTMLElement>('[data-index="0"]')?.dispatchEvent(new MouseEvent("mousedown", { bubbles: true, cancelable: true }));
    const first = posted.at(-1) as { requestId: number };
    box.receive({ type: "promptText", requestId: first.requestId, ok: false });
    expect(input.value).toBe("/time:now");
    expect(parts.error.hidden).toBe(true);
    type("/simple");
    parts.list.querySelector<HTMLElement>('[data-index="0"]')?.dispatchEvent(new MouseEvent("mousedown", { bubbles: true, cancelable: true }));
    const second = posted.at(-1) as { requestId: number };
    box.receive({ type: "promptText", requestId: second.requestId, ok: false, message: "the MCP server 'every' failed" });
    expect(parts.error.hidden).toBe(false);
    expect(parts.error.textContent).toBe("the MCP server 'every' failed");
  });
});
