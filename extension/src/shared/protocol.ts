// The Flambeau LSP protocol. Every type comes from the server's schema (protocol.generated.ts, made by
// `make protocol` from lsp/protocol.py and agent/events.py); this file only names parts of them.
import type { AgentEvent, ApproveResult, ModelEntry, StartTaskParams } from "./protocol.generated";

export * from "./protocol.generated";

export type Decision = ApproveResult["decision"];
export type ApprovalMode = NonNullable<StartTaskParams["approvalMode"]>;
export type Locality = ModelEntry["locality"];
export type EventType = AgentEvent["type"];
/** The event of one `type`, e.g. `EventOf<"tool_result">`. */
export type EventOf<T extends EventType> = Extract<AgentEvent, { type: T }>;
