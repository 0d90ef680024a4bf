"""`initialize` answers without importing anything heavy: no agent or tools module, litellm, pydantic, tree-sitter."""

from __future__ import annotations

from pathlib import Path

from tests.raw_lsp import RawServer

HEAVY = ("agent", "tools", "litellm", "pydantic", "tree_sitter", "tree_sitter_language_pack")


def imported_modules(importtime_log: str) -> set[str]:
    """Module names from `python -X importtime` output (`import time: self | cumulative | name`)."""
    names = set()
    for line in importtime_log.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    return names


def test_initialize_imports_nothing_heavy(workspace: Path, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    server = RawServer(workspace, log, "-X", "importtime")
    answer = server.initialize({"model": "openai/scripted"})
    assert answer["result"]["serverInfo"]["name"] == "flambeau"
    assert server.close() == 0
    modules = imported_modules(log.read_text())
    assert "lsp.server" in modules and "pygls.lsp.server" in modules
    assert sorted(m for m in modules if m.split(".")[0] in HEAVY) == []
