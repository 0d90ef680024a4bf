// Applies a unified diff to a text, to show the proposed content of an edit in the diff view.
// Returns undefined when a hunk does not match (the caller then shows the diff text instead).

interface Hunk {
  oldStart: number;
  lines: string[];
}

function parseHunks(diff: string): Hunk[] {
  const hunks: Hunk[] = [];
  let current: Hunk | undefined;
  for (const line of diff.split("\n")) {
    const header = /^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@/.exec(line);
    if (header) {
      current = { oldStart: Number(header[1]), lines: [] };
      hunks.push(current);
    } else if (current && (line.startsWith(" ") || line.startsWith("+") || line.startsWith("-"))) {
      current.lines.push(line);
    } else if (current && line === "") {
      current.lines.push(" ");
    }
  }
  for (const hunk of hunks) {
    while (hunk.lines.length && hunk.lines[hunk.lines.length - 1] === " ") hunk.lines.pop();
  }
  return hunks;
}

export function applyUnifiedDiff(original: string, diff: string): string | undefined {
  const hunks = parseHunks(diff);
  if (hunks.length === 0) return undefined;
  const eol = original.includes("\r\n") ? "\r\n" : "\n";
  const endsWithEol = original.endsWith(eol);
  const source = original === "" ? [] : (endsWithEol ? original.slice(0, -eol.length) : original).split(eol);
  const out: string[] = [];
  let cursor = 0;
  for (const hunk of hunks) {
    const start = Math.max(hunk.oldStart - 1, 0);
    if (start < cursor) return undefined;
    out.push(...source.slice(cursor, start));
    cursor = start;
    for (const line of hunk.lines) {
      const body = line.slice(1);
      if (line[0] === "+") out.push(body);
      else {
        if (source[cursor] !== body) return undefined;
        if (line[0] === " ") out.push(body);
        cursor += 1;
      }
    }
  }
  out.push(...source.slice(cursor));
  // l10n-ignore: unified diff syntax
  const noNewline = diff.includes("\\ No newline at end of file");
  return out.join(eol) + (out.length && (endsWithEol || (!original && !noNewline)) ? eol : "");
}

/** The content an edit tool call proposes, from its arguments or its diff preview. */
export function proposedContent(current: string, args: Record<string, unknown>, preview: string): string | undefined {
  if (typeof args.content === "string") return args.content;
  return applyUnifiedDiff(current, preview);
}
