// Markdown from the model, rendered without ever passing its HTML through: raw HTML is escaped,
// and markdown-it's link validation drops javascript:, vbscript:, file: and data: URLs.
import MarkdownIt from "markdown-it";

const md = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: true });

export function renderMarkdown(text: string): string {
  return md.render(text);
}
