// Generates src/shared/protocol.generated.ts from the server's protocol schema (`python -m lsp.schema`).
// Usage: node scripts/gen-protocol.mjs SCHEMA.json OUT.ts   (make protocol / make protocol-check)
import * as fs from "node:fs";
import { compile } from "json-schema-to-typescript";

const [schemaPath, outPath] = process.argv.slice(2);
if (!schemaPath || !outPath) {
  console.error("usage: node scripts/gen-protocol.mjs SCHEMA.json OUT.ts");
  process.exit(2);
}
const schema = JSON.parse(fs.readFileSync(schemaPath, "utf8"));
const { methods, protocolVersion } = schema;
// The root type carries no properties; every definition is emitted as its own named type.
const root = { ...schema, type: "object", properties: {}, additionalProperties: false };
delete root.methods;
delete root.protocolVersion;
delete root.description;

const types = await compile(root, "FlambeauProtocol", {
  bannerComment: "",
  unreachableDefinitions: true,
  additionalProperties: false,
  strictIndexSignatures: true,
  format: true,
});

const camel = (method) => method.replace(/^flambeau\//, "");
const lines = [
  "// Generated from the server's protocol (lsp/protocol.py, agent/events.py) by `make protocol`; do not edit.",
  "/* eslint-disable */",
  "",
  `export const PROTOCOL_VERSION = ${JSON.stringify(protocolVersion)};`,
  "",
  "export const Methods = {",
  ...Object.keys(methods).map((method) => `  ${camel(method)}: ${JSON.stringify(method)},`),
  "} as const;",
  "",
  "/** Params and result type names of each method, for reference. */",
  "export interface MethodTypes {",
  ...Object.entries(methods).map(([method, spec]) =>
    `  ${JSON.stringify(method)}: { params: ${spec.params}; result: ${spec.result ?? "void"} };`,
  ),
  "}",
  "",
  types.replace(/^export interface FlambeauProtocol \{\s*\}\n?/m, "").replaceAll(/\n \*\n \* This interface was referenced by `FlambeauProtocol`'s JSON-Schema\n \* via the `definition` "\w+"\./g, "").replaceAll(/\/\*\*\n \* This interface was referenced by `FlambeauProtocol`'s JSON-Schema\n \* via the `definition` "\w+"\.\n \*\/\n/g, "").trimEnd(),
  "",
];
fs.writeFileSync(outPath, lines.join("\n"));
