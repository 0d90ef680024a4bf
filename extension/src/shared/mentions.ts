// @-mentions on the editor's side: the token being typed at the caret, how a path is written as a
// mention, which mentions a text holds (for the composer's chips and for the editor context the host
// sends), and the fuzzy ranking of workspace paths. The server resolves mentions (agent/attachments/
// mentions.py); this follows its grammar. No VS Code or DOM imports: used by the host and the webview.

/** Keywords the server resolves; the last three from what the editor sends with the task. */
export const KEYWORDS = ["git-changes", "problems", "selection", "terminal"] as const;
export type Keyword = (typeof KEYWORDS)[number];
export const EDITOR_KEYWORDS = ["problems", "selection", "terminal"] as const;
export type EditorKeyword = (typeof EDITOR_KEYWORDS)[number];

export interface MentionCandidate {
  kind: "keyword" | "file" | "folder";
  /** The keyword, or a workspace-relative path (a folder ends with "/"). */
  value: string;
}

/** The mention being typed: text[start, end) is "@" and the query after it. */
export interface MentionToken {
  start: number;
  end: number;
  query: string;
}

const BOUNDARY = /[\s([{,;]/;
const TRAILING = /[.,;:!?)\]}']+$/;

function isKeyword(value: string): value is Keyword {
  return (KEYWORDS as readonly string[]).includes(value);
}

/** The ranges of `code` and fenced blocks, where a mention stays text. */
function codeSpans(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (const match of text.matchAll(/```[\s\S]*?(?:```|$)|`[^`\n]*`/g)) spans.push([match.index, match.index + match[0].length]);
  return spans;
}

function inCode(spans: Array<[number, number]>, index: number): boolean {
  return spans.some(([start, end]) => start <= index && index < end);
}

/** The "@…" word ending at `caret`, if the user is typing a mention there. */
export function mentionAt(text: string, caret: number): MentionToken | undefined {
  let start = caret;
  while (start > 0 && !/[\s([{]/.test(text[start - 1] ?? "")) start -= 1;
  if (text[start] !== "@") {
    // `@"a path with` spaces: an opened quote not closed yet.
    const quoted = text.lastIndexOf('@"', caret);
    if (quoted < 0 || text.slice(quoted + 2, caret).includes('"') || text.slice(quoted, caret).includes("\n")) return undefined;
    start = quoted;
  }
  if (start > 0 && !BOUNDARY.test(text[start - 1] ?? "")) return undefined;
  if (inCode(codeSpans(text), start)) return undefined;
  let end = caret;
  while (end < text.length && !/\s/.test(text[end] ?? "")) end += 1;
  const query = text.slice(start + 1, caret).replace(/^"/, "");
  return { start, end, query };
}

/** How `value` is written as a mention: `@src/app.py`, `@"my notes.md"`, `@app.py:10-20`. */
export function formatMention(value: string, lines?: { start: number; end: number }): string {
  const range = lines ? (lines.end > lines.start ? `:${lines.start}-${lines.end}` : `:${lines.start}`) : "";
  const target = `${value}${range}`;
  return /[\s"`]/.test(target) ? `@"${target.replace(/"/g, "")}"` : `@${target}`;
}

/** `text` with the token replaced by the mention and one space after it; the caret goes after the space. */
export function applyMention(text: string, token: MentionToken, mention: string): { text: string; caret: number } {
  const after = text.slice(token.end).replace(/^ /, "");
  const inserted = `${mention} `;
  return { text: text.slice(0, token.start) + inserted + after, caret: token.start + inserted.length };
}

/** `text` with `mention` added at its end (Add to Flambeau), separated by a space. */
export function appendMention(text: string, mention: string): string {
  if (!text.trim()) return `${mention} `;
  return `${text.replace(/\s+$/, "")} ${mention} `;
}

export interface WrittenMention {
  /** As written, "@" included, without trailing punctuation. */
  written: string;
  /** The keyword or path (a folder ends with "/"), without a line range. */
  target: string;
  start: number;
  end: number;
}

/**
 * The mentions in `text` as the server will find them (keywords, and words that look like paths), plus
 * the words in `known` (paths the user picked that have no "/" or ".", e.g. `@Makefile`). In order, once each.
 */
export function mentionsIn(text: string, known: ReadonlySet<string> = new Set()): WrittenMention[] {
  const spans = codeSpans(text);
  const found = new Map<string, WrittenMention>();
  for (const match of text.matchAll(/(?:^|(?<=[\s([{,;]))@(?:"([^"\n]+)"|([^\s`"]+))/g)) {
    if (inCode(spans, match.index)) continue;
    const quoted = match[1];
    const bare = match[2] ?? "";
    const raw = quoted ?? (bare.endsWith("/") ? bare : bare.replace(TRAILING, ""));
    if (!raw) continue;
    const written = quoted !== undefined ? `@"${quoted}"` : `@${raw}`;
    const target = isKeyword(raw) ? raw : raw.replace(/:\d+(?:-\d+)?$/, "");
    const pathLike = target.includes("/") || target.replace(/^\.+/, "").includes(".");
    if (!(quoted !== undefined || isKeyword(target) || pathLike || known.has(target) || known.has(written))) continue;
    if (!found.has(written)) found.set(written, { written, target, start: match.index, end: match.index + written.length });
  }
  return [...found.values()];
}

/** The editor keywords `text` mentions: what the host must send with it. */
export function editorKeywords(text: string): EditorKeyword[] {
  const targets = new Set(mentionsIn(text).map((m) => m.target));
  return EDITOR_KEYWORDS.filter((keyword) => targets.has(keyword));
}

/** `text` without the mention at [start, end) and the space after it. */
export function removeMention(text: string, mention: Pick<WrittenMention, "start" | "end">): string {
  const before = text.slice(0, mention.start);
  const after = text.slice(mention.end).replace(/^ /, "");
  return before.endsWith(" ") && after.startsWith(" ") ? before + after.slice(1) : before + after;
}

/**
 * How well `query` matches `candidate` as a subsequence (higher is better), or undefined when it does
 * not. Letters at the start of a path segment, in the file's own name and next to each other count more.
 */
export function fuzzyScore(query: string, candidate: string): number | undefined {
  const q = query.toLowerCase();
  const c = candidate.toLowerCase();
  if (!q) return 0;
  const name = c.lastIndexOf("/", c.length - 2) + 1;
  let score = 0;
  let qi = 0;
  let previous = -2;
  for (let ci = 0; ci < c.length && qi < q.length; ci += 1) {
    if (c[ci] !== q[qi]) continue;
    let points = 1;
    if (ci === previous + 1) points += 4;
    if (ci === 0 || "/._- ".includes(c[ci - 1] ?? "")) points += 6;
    if (ci >= name) points += 2;
    score += points;
    previous = ci;
    qi += 1;
  }
  if (qi < q.length) return undefined;
  if (c.slice(name).startsWith(q)) score += 15;
  else if (c.includes(q)) score += 8;
  return score - candidate.length / 100;
}

/** The best `limit` candidates for `query`: keywords first when they match it, then paths by score. */
export function rankMentions(query: string, paths: readonly string[], limit = 20): MentionCandidate[] {
  const keywords: MentionCandidate[] = KEYWORDS.filter((k) => k.startsWith(query.toLowerCase())).map((value) => ({ kind: "keyword", value }));
  const scored: Array<{ value: string; score: number }> = [];
  for (const value of paths) {
    const score = fuzzyScore(query, value);
    if (score !== undefined) scored.push({ value, score });
  }
  scored.sort((a, b) => b.score - a.score || a.value.length - b.value.length || (a.value < b.value ? -1 : 1));
  const files: MentionCandidate[] = scored.slice(0, Math.max(0, limit - keywords.length)).map(({ value }) => ({ kind: value.endsWith("/") ? "folder" : "file", value }));
  return [...keywords, ...files];
}

/** Every folder of `files` ("src/", "src/lib/"), each once, for folder mentions. */
export function foldersOf(files: readonly string[]): string[] {
  const folders = new Set<string>();
  for (const file of files) {
    const parts = file.split("/");
    for (let i = 1; i < parts.length; i += 1) folders.add(`${parts.slice(0, i).join("/")}/`);
  }
  return [...folders];
}
