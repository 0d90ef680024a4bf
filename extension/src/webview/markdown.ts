// Markdown from the model, rendered without ever passing its HTML through: raw HTML is escaped,
// and markdown-it's link validation drops javascript:, vbscript:, file: and data: URLs.
import MarkdownIt from "markdown-it";

const md = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: true });

export function renderMarkdown(text: string): string {
  return md.render(text);
}

const FENCE = /^\s{0,3}(`{3,}|~{3,})/;

/**
 * The text cut into Markdown blocks at blank lines outside fenced code, so a streamed answer re-renders
 * only its last block. A block boundary never falls inside a fence.
 */
export function markdownBlocks(text: string): string[] {
  const blocks: string[] = [];
  let current: string[] = [];
  let fence: string | undefined;
  for (const line of text.split("\n")) {
    const marker = FENCE.exec(line)?.[1];
    if (marker && (fence === undefined || marker.startsWith(fence))) fence = fence === undefined ? marker.slice(0, 3) : undefined;
    if (fence === undefined && line.trim() === "" && current.length) {
      blocks.push(current.join("\n"));
      current = [];
    } else if (fence !== undefined || line.trim() !== "") {
      current.push(line);
    }
  }
  if (current.length) blocks.push(current.join("\n"));
  return blocks;
}
