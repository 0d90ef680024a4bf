import * as fs from "node:fs";
import * as path from "node:path";
import * as l10n from "@vscode/l10n";
import { afterAll, describe, expect, it } from "vitest";
import { denialReasonLabel } from "../src/shared/labels";

describe("denial reasons", () => {
  afterAll(() => l10n.config({ contents: {} }));

  it("Flambeau's own reasons are shown in the display language, the user's words as typed", () => {
    const bundle = path.join(__dirname, "..", "l10n", "bundle.l10n.ja.json");
    l10n.config({ contents: JSON.parse(fs.readFileSync(bundle, "utf8")) });
    expect(denialReasonLabel("denied in the Flambeau panel")).toBe("Flambeau パネルで拒否");
    expect(denialReasonLabel("the user denied this in the editor")).toBe("Flambeau パネルで拒否");
    expect(denialReasonLabel("task stopped by the user")).toBe("ユーザーがタスクを停止");
    expect(denialReasonLabel("use the Makefile target instead")).toBe("use the Makefile target instead");
  });
});
