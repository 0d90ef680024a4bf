import { describe, expect, it } from "vitest";
import { terminalText } from "../src/ansi";
import { appendMention, applyMention, editorKeywords, foldersOf, formatMention, fuzzyScore, mentionAt, mentionsIn, rankMentions, removeMention } from "../src/shared/mentions";

describe("the mention being typed", () => {
  it("is the @word at the caret, after a space, a bracket or the start", () => {
    expect(mentionAt("Explain @sr", 11)).toEqual({ start: 8, end: 11, query: "sr" });
    expect(mentionAt("@", 1)).toEqual({ start: 0, end: 1, query: "" });
    expect(mentionAt("see (@app", 9)).toEqual({ start: 5, end: 9, query: "app" });
    expect(mentionAt('open @"my no', 12)).toEqual({ start: 5, end: 12, query: "my no" });
  });

  it("is not an e-mail address, a finished word or a mention in backticks", () => {
    expect(mentionAt("mail ana@example.com", 20)).toBeUndefined();
    expect(mentionAt("Explain @app.py now", 19)).toBeUndefined();
    expect(mentionAt("type `@app", 10)).toBeUndefined();
  });

  it("is replaced by the chosen mention and a space, the caret after it", () => {
    const text = "Explain @sr and more";
    const token = mentionAt(text, 11);
    expect(token).toBeDefined();
    if (token) expect(applyMention(text, token, "@src/app.py")).toEqual({ text: "Explain @src/app.py and more", caret: 20 });
  });
});

describe("writing and finding mentions", () => {
  it("quotes paths with spaces and adds line ranges", () => {
    expect(formatMention("src/app.py")).toBe("@src/app.py");
    expect(formatMention("docs/my notes.md")).toBe('@"docs/my notes.md"');
    expect(formatMention("calc.py", { start: 3, end: 3 })).toBe("@calc.py:3");
    expect(formatMention("calc.py", { start: 3, end: 9 })).toBe("@calc.py:3-9");
    expect(appendMention("", "@a.py")).toBe("@a.py ");
    expect(appendMention("Explain  ", "@a.py")).toBe("Explain @a.py ");
  });

  it("finds what the server will attach, as the server's grammar says", () => {
    const text = 'Explain @app.py, @src/ and @git-changes; @"my notes.md" (@calc.py:3-9). Not `@code.py`, ana@example.com or @property.';
    expect(mentionsIn(text).map((m) => [m.written, m.target])).toEqual([
      ["@app.py", "app.py"],
      ["@src/", "src/"],
      ["@git-changes", "git-changes"],
      ['@"my notes.md"', "my notes.md"],
      ["@calc.py:3-9", "calc.py"],
    ]);
    expect(mentionsIn("see @Makefile", new Set(["@Makefile"])).map((m) => m.target)).toEqual(["Makefile"]);
  });

  it("names the editor keywords the host must send context for", () => {
    expect(editorKeywords("Why does @selection fail? See @problems, @terminal and @git-changes")).toEqual(["problems", "selection", "terminal"]);
    expect(editorKeywords("no mentions, `@selection` is code")).toEqual([]);
  });

  it("removes a chip's mention from the text", () => {
    const text = "Explain @app.py and @git-changes now";
    const [first, second] = mentionsIn(text);
    if (!first || !second) throw new Error("no mentions");
    expect(removeMention(text, first)).toBe("Explain and @git-changes now");
    expect(removeMention(text, second)).toBe("Explain @app.py and now");
  });
});

describe("fuzzy ranking of workspace paths", () => {
  const files = ["src/app.py", "src/application/config.py", "tests/test_app.py", "docs/api.md", "README.md"];
  const paths = [...foldersOf(files), ...files];

  it("lists every folder once", () => {
    expect(foldersOf(files)).toEqual(["src/", "src/application/", "tests/", "docs/"]);
  });

  it("matches subsequences and ranks a file named like the query first", () => {
    expect(fuzzyScore("sap", "src/app.py")).toBeDefined();
    expect(fuzzyScore("xyz", "src/app.py")).toBeUndefined();
    const ranked = rankMentions("app.py", paths).map((c) => c.value);
    expect(ranked[0]).toBe("src/app.py");
    expect(ranked).toContain("tests/test_app.py");
    expect(ranked).not.toContain("README.md");
  });

  it("offers the keywords that match first, folders as folders", () => {
    expect(rankMentions("pro", paths)[0]).toEqual({ kind: "keyword", value: "problems" });
    expect(rankMentions("", paths, 6).slice(0, 4).map((c) => c.value)).toEqual(["git-changes", "problems", "selection", "terminal"]);
    expect(rankMentions("tests/", paths).find((c) => c.value === "tests/")?.kind).toBe("folder");
  });
});

describe("terminal output as text", () => {
  it("drops colours, shell-integration marks and overwritten progress", () => {
    const raw = "\u001b]633;C\u0007\u001b[31mFAILED\u001b[0m test_a\r\n10%\r50%\r100%\n\u001b]633;D;1\u0007";
    expect(terminalText(raw)).toBe("FAILED test_a\n100%\n");
  });
});
