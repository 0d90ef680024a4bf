// Finds user-visible strings in extension/src that do not go through l10n.t (docs/l10n.md). Read with the
// TypeScript compiler's parser, so comments, imports, types and property names are never mistaken for text.
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";

export interface Unlocalized {
  file: string;
  line: number;
  text: string;
}

/** Prose ("Start task") or a label ("model: …"): two words, or a word and a colon before more text. */
const PROSE = /\p{L}{2,}\s+\p{L}{2,}|\p{L}{2,}:\s+\S/u;
/** Calls whose (first) text argument is shown as it is. */
const TEXT_CALLS = new Set(["showInformationMessage", "showWarningMessage", "showErrorMessage", "setStatusBarMessage", "appendText", "appendMarkdown", "MarkdownString", "button"]);
/** Properties shown to the user when set to a string. */
const TEXT_PROPERTIES = new Set(["textContent", "innerText", "title", "placeholder", "placeHolder", "prompt", "tooltip", "description", "detail", "label", "text", "name", "message", "ariaLabel"]);
/** Log calls (the output channel): diagnostics for bug reports, in English like the server's logs. */
const LOG_METHODS = new Set(["trace", "debug", "info", "warn", "error", "appendLine", "append"]);
const IGNORE = "l10n-ignore";
/** CSS class lists and other identifiers ("card tool-card status-…"): lowercase words, one with a hyphen. */
const CLASS_LIST = /^\s*[a-z§][\w§-]*(\s+[a-z§][\w§-]*)*\s*$/;

function looksLikeCode(text: string): boolean {
  return CLASS_LIST.test(text) && text.includes("-");
}

function calleeName(call: ts.CallExpression | ts.NewExpression): string {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  return "";
}

function isL10nCall(node: ts.Node): boolean {
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return false;
  const { expression, name } = node.expression;
  const owner = ts.isPropertyAccessExpression(expression) ? expression.name.text : ts.isIdentifier(expression) ? expression.text : "";
  return name.text === "t" && owner === "l10n";
}

function isLogCall(node: ts.Node): boolean {
  if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return false;
  const owner = node.expression.expression.getText();
  return LOG_METHODS.has(node.expression.name.text) && /(^|\.)(output|log\(\)|channel|console)$/.test(owner);
}

/** The literal's text with ${…} substitutions as "§", without $(codicon) icons and HTML tags. */
function visibleText(node: ts.StringLiteral | ts.NoSubstitutionTemplateLiteral | ts.TemplateExpression): string {
  const raw = ts.isTemplateExpression(node) ? [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join("§") : node.text;
  return raw.replace(/\$\([\w~-]+\)/g, " ").replace(/<[^>]*>/g, " ");
}

function ignored(node: ts.Node, source: ts.SourceFile): boolean {
  for (let current: ts.Node | undefined = node; current && !ts.isSourceFile(current); current = current.parent) {
    const comments = ts.getLeadingCommentRanges(source.text, current.getFullStart()) ?? [];
    if (comments.some((c) => source.text.slice(c.pos, c.end).includes(IGNORE))) return true;
    // Up to the statement that stands in a list: a comment above it covers the whole statement.
    const parent = current.parent;
    if (ts.isBlock(parent) || ts.isSourceFile(parent) || ts.isCaseClause(parent) || ts.isDefaultClause(parent) || ts.isClassLike(parent)) break;
  }
  return false;
}

/** Where the literal sits: "skip" (not text), "sink" (shown as it is), or "other". */
function position(node: ts.Node): "skip" | "sink" | "other" {
  let child: ts.Node = node;
  for (let parent = node.parent; parent; child = parent, parent = parent.parent) {
    if (isL10nCall(parent) || isLogCall(parent)) return "skip";
    if (ts.isImportDeclaration(parent) || ts.isExportDeclaration(parent) || ts.isLiteralTypeNode(parent) || ts.isCaseClause(parent)) return "skip";
    if (ts.isElementAccessExpression(parent) && parent.argumentExpression === child) return "skip";
    if (ts.isPropertyAssignment(parent) && parent.name === child) return "skip";
    if (ts.isBinaryExpression(parent) && [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken].includes(parent.operatorToken.kind)) return "skip";
    if (ts.isPropertyAssignment(parent)) return TEXT_PROPERTIES.has(parent.name.getText()) ? "sink" : "other";
    if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(parent.left)) {
      return TEXT_PROPERTIES.has(parent.left.name.text) ? "sink" : "other";
    }
    if (ts.isCallExpression(parent) || ts.isNewExpression(parent)) {
      const args = parent.arguments ?? ts.factory.createNodeArray();
      const index = args.indexOf(child as ts.Expression);
      const name = calleeName(parent);
      if (index < 0) return "other";
      if (name === "el") return index === 2 ? "sink" : "skip"; // el(tag, className, text, attrs)
      return TEXT_CALLS.has(name) && index === 0 ? "sink" : "other";
    }
    if (ts.isStatement(parent)) return "other";
  }
  return "other";
}

export function unlocalizedStrings(file: string, text: string): Unlocalized[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Unlocalized[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) {
      const shown = visibleText(node);
      const where = position(node);
      if (shown.trim() === "Flambeau") return; // the product's name
      const looksShown = where === "sink" ? /\p{L}{2,}/u.test(shown) : where === "other" && PROSE.test(shown) && !looksLikeCode(shown);
      if (looksShown && !ignored(node, source)) {
        found.push({ file, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: node.getText().slice(0, 100) });
      }
      if (ts.isTemplateExpression(node)) node.templateSpans.forEach((span) => visit(span.expression));
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

export function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".ts") && !name.endsWith(".generated.ts"))
    .map((name) => path.join(dir, name))
    .sort();
}
