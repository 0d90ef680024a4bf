// Localization (docs/l10n.md): every user-visible string goes through l10n.t, the base bundle is what
// @vscode/l10n-dev extracts from the sources, and every locale has every key with the same placeholders.
import * as fs from "node:fs";
import * as path from "node:path";
import { getL10nJson } from "@vscode/l10n-dev";
import { describe, expect, it } from "vitest";
import { sourceFiles, unlocalizedStrings } from "./l10nSource";

const root = path.resolve(__dirname, "..");
const src = path.join(root, "src");
export const LOCALES = ["fr", "ja", "ko", "zh-cn"];
const readJson = (file: string): Record<string, string> => JSON.parse(fs.readFileSync(path.join(root, file), "utf8")) as Record<string, string>;

/** What must survive translation unchanged: {0}/{name} placeholders, `code`, $(icons), URLs and setting ids. */
export function invariants(text: string): string[] {
  const parts = text.match(/\{\w+\}|`[^`]+`|\$\([\w~-]+\)|https?:\/\/[\w.:/-]*[\w/]|flambeau\.\w+/g) ?? [];
  return parts.sort();
}

/** Fields of package.json that VS Code shows. */
const SHOWN_FIELDS = new Set(["title", "name", "description", "markdownDescription", "enumDescriptions", "markdownEnumDescriptions", "label", "deprecationMessage", "markdownDeprecationMessage"]);
/** Strings that stay as they are in a locale (product and protocol names). */
const SAME_EVERYWHERE = new Set(["Flambeau", "Flambeau: {0}"]);
const SAME_IN: Record<string, Set<string>> = { fr: new Set(["view.traces.name", "local", "cloud", "arguments", "commit"]) };
/** Scripts a Japanese, Korean or Chinese translation must be written in (not left in English). */
const SCRIPT: Record<string, RegExp> = { ja: /[\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Han}]/u, ko: /\p{sc=Hangul}/u, "zh-cn": /\p{sc=Han}/u };

function checkLocale(base: Record<string, string>, locale: string, translated: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [key, english] of Object.entries(base)) {
    const value = translated[key];
    if (typeof value !== "string" || !value.trim()) {
      problems.push(`${locale}: missing "${key}"`);
      continue;
    }
    if (JSON.stringify(invariants(value)) !== JSON.stringify(invariants(english))) {
      problems.push(`${locale}: "${key}" has ${JSON.stringify(invariants(value))}, the English ${JSON.stringify(invariants(english))}`);
    }
    const same = value === english && !SAME_EVERYWHERE.has(key) && !SAME_IN[locale]?.has(key);
    const script = SCRIPT[locale];
    if (same || (script && !script.test(value) && !SAME_EVERYWHERE.has(key))) problems.push(`${locale}: "${key}" is left in English`);
  }
  for (const key of Object.keys(translated)) if (!(key in base)) problems.push(`${locale}: "${key}" is not in the base bundle (remove it)`);
  return problems;
}

describe("localization", () => {
  it("every user-visible string in src/ goes through l10n.t", () => {
    const found = sourceFiles(src).flatMap((file) => unlocalizedStrings(path.relative(root, file), fs.readFileSync(file, "utf8")));
    const report = found.map((s) => `${s.file}:${s.line}: ${s.text}`).join("\n");
    expect(report, "wrap these in l10n.t(...) (or mark a string that is not shown with `// l10n-ignore: why`), then run `npm run l10n` and translate the new keys (docs/l10n.md)").toBe("");
  });

  it("l10n/bundle.l10n.json is what @vscode/l10n-dev extracts from src/", async () => {
    const extracted = await getL10nJson(sourceFiles(src).map((file) => ({ extension: path.extname(file), contents: fs.readFileSync(file, "utf8") })));
    expect(readJson("l10n/bundle.l10n.json"), "run `npm run l10n` in extension/").toEqual(extracted);
  }, 120_000); // the extractor's tree-sitter parser loads WebAssembly: seconds on a loaded machine

  it.each(LOCALES)("l10n/bundle.l10n.%s.json has every key, translated, with the same placeholders", (locale) => {
    const problems = checkLocale(readJson("l10n/bundle.l10n.json"), locale, readJson(`l10n/bundle.l10n.${locale}.json`));
    expect(problems.join("\n")).toBe("");
  });

  it.each(LOCALES)("package.nls.%s.json has every key of package.nls.json, translated, with the same placeholders", (locale) => {
    const problems = checkLocale(readJson("package.nls.json"), locale, readJson(`package.nls.${locale}.json`));
    expect(problems.join("\n")).toBe("");
  });

  it("package.json shows no text of its own: every title, name and description is a %key% of package.nls.json", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { contributes: unknown; description: string };
    const base = readJson("package.nls.json");
    const used = new Set<string>();
    const problems: string[] = [];
    const walk = (value: unknown, where: string): void => {
      if (Array.isArray(value)) value.forEach((item, index) => walk(item, `${where}[${index}]`));
      else if (value && typeof value === "object") {
        for (const [key, child] of Object.entries(value)) {
          if (SHOWN_FIELDS.has(key) && typeof child === "string") check(child, `${where}.${key}`);
          else if (SHOWN_FIELDS.has(key) && Array.isArray(child)) child.forEach((item, index) => check(String(item), `${where}.${key}[${index}]`));
          else walk(child, `${where}.${key}`);
        }
      }
    };
    const check = (text: string, where: string): void => {
      if (text === "Flambeau") return; // the product's name (view container, settings group)
      const key = /^%(.+)%$/.exec(text)?.[1];
      if (!key) problems.push(`${where}: "${text}" is not a %key%`);
      else if (!(key in base)) problems.push(`${where}: %${key}% is not in package.nls.json`);
      else used.add(key);
    };
    check(manifest.description, "description");
    walk(manifest.contributes, "contributes");
    for (const key of Object.keys(base)) if (!used.has(key)) problems.push(`package.nls.json: "${key}" is not used in package.json`);
    expect(problems.join("\n")).toBe("");
  });

  it("the check finds unlocalized text and leaves code alone", () => {
    const sample = [
      'import * as vscode from "vscode";',
      'vscode.window.showErrorMessage("Something broke");',
      'el("span", "card-status", "done");',
      'node.textContent = `Ready`;',
      'const label = flag ? "Always allow this" : vscode.l10n.t("Allowed {0}", x);',
      'if (kind === "task finished") output.info("a log line for developers");',
      '// l10n-ignore: sent to the model',
      'const reason = "denied in the panel";',
      'const classes = `card tool-card status-${s}`;',
    ].join("\n");
    expect(unlocalizedStrings("sample.ts", sample).map((s) => s.line)).toEqual([2, 3, 4, 5]);
  });
});
