import { describe, expect, it } from "vitest";
import { applyUnifiedDiff, proposedContent } from "../src/unifiedDiff";

describe("proposed content for the diff view", () => {
  it("applies a one-line change", () => {
    expect(applyUnifiedDiff("a\nb\nc\n", "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n")).toBe("a\nB\nc\n");
  });

  it("applies several hunks and keeps untouched lines", () => {
    const original = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join("\n") + "\n";
    const diff = "@@ -2,1 +2,1 @@\n-line 2\n+LINE 2\n@@ -19,1 +19,2 @@\n line 19\n+inserted\n";
    const result = applyUnifiedDiff(original, diff);
    expect(result?.split("\n")[1]).toBe("LINE 2");
    expect(result?.split("\n")[19]).toBe("inserted");
    expect(result?.split("\n")).toHaveLength(22);
  });

  it("creates a new file from a diff against nothing", () => {
    expect(applyUnifiedDiff("", "--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1,2 @@\n+one\n+two\n")).toBe("one\ntwo\n");
  });

  it("keeps CRLF line endings", () => {
    expect(applyUnifiedDiff("a\r\nb\r\n", "@@ -1,2 +1,2 @@\n a\n-b\n+c\n")).toBe("a\r\nc\r\n");
  });

  it("refuses a diff that does not match the current text", () => {
    expect(applyUnifiedDiff("x\ny\n", "@@ -1,2 +1,2 @@\n a\n-b\n+c\n")).toBeUndefined();
  });

  it("uses the full content when the tool call carries it", () => {
    expect(proposedContent("old", { path: "f", content: "new\n" }, "ignored")).toBe("new\n");
  });
});
