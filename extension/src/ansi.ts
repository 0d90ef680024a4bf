// Terminal output as text: without the escape sequences a shell and its programs write (colours, cursor
// moves, VS Code's shell-integration marks), with a carriage return's overwrite applied per line.

// eslint-disable-next-line no-control-regex -- escape sequences are made of control characters
const ESCAPES = /\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b\[[0-?]*[ -/]*[@-~]|\u001b[@-Z\\-_]|[\u0000-\u0008\u000b\u000c\u000e-\u001a\u001c-\u001f\u007f]/g;

export function terminalText(raw: string): string {
  return raw
    .replace(ESCAPES, "")
    // eslint-disable-next-line no-control-regex -- a stray escape character
    .replace(/\u001b/g, "")
    .replace(/\r+\n/g, "\n")
    .split("\n")
    .map((line) => line.slice(line.lastIndexOf("\r") + 1))
    .join("\n");
}
