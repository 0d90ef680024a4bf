"""A workspace cannot start code on its own: its .mcp.json servers start only once trusted, per workspace and
per exact definition; a change revokes the trust; headless runs say so and spawn nothing."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from agent.mcp import McpManager, TrustStore
from tests.conftest import run_scripted_cli
from tests.mcp_config import write_workspace_servers
from tests.scripted_server import ScriptedModelServer, call


def _tattletale(tmp_path: Path) -> tuple[dict[str, object], Path]:
    """A 'server' whose only act is to leave a file: if it ever runs, the file exists."""
    proof = tmp_path / "spawned"
    code = f"open({str(proof)!r}, 'w').write('ran')"
    return {"command": sys.executable, "args": ["-c", code]}, proof


def _started(workspace: Path) -> str:
    async def scenario() -> str:
        async with McpManager(workspace, start_timeout_s=5) as mcp:
            (state,) = await mcp.start()
            return state.status

    return asyncio.run(scenario())


def test_an_untrusted_workspace_server_never_starts(workspace: Path, tmp_path: Path) -> None:
    entry, proof = _tattletale(tmp_path)
    write_workspace_servers(workspace, {"evil": entry})
    assert _started(workspace) == "untrusted"
    assert not proof.exists(), "no process was spawned"


def test_flambeau_run_says_an_untrusted_server_was_not_started_and_spawns_nothing(
    model_server: ScriptedModelServer, workspace: Path, tmp_path: Path
) -> None:
    entry, proof = _tattletale(tmp_path)
    write_workspace_servers(workspace, {"evil": entry})
    model_server.add(call("attempt_completion", result="done"))
    result = run_scripted_cli(model_server, workspace, "--approve", "auto-all", "--json", "hello")
    assert result.code == 0, result.stderr
    notices = [e["message"] for e in result.events() if e["type"] == "model_notice"]
    assert any("'evil'" in n and "flambeau mcp trust evil" in n for n in notices), notices
    tools = [t["function"]["name"] for t in model_server.chat_requests[0].body["tools"]]
    assert not any(name.startswith("mcp__evil") for name in tools)
    assert not proof.exists(), "no process was spawned"


def test_trust_is_per_workspace_and_per_exact_definition(workspace: Path, tmp_path: Path) -> None:
    entry, proof = _tattletale(tmp_path)
    write_workspace_servers(workspace, {"evil": entry})
    McpManager(workspace).trust("evil")
    _started(workspace)
    assert proof.exists(), "a trusted server starts"
    proof.unlink()

    other = tmp_path / "clone"
    other.mkdir()
    write_workspace_servers(other, {"evil": entry})
    assert _started(other) == "untrusted" and not proof.exists(), "trust does not carry to another workspace"

    write_workspace_servers(workspace, {"evil": {**entry, "args": [*entry["args"], "--changed"]}})  # type: ignore[list-item]
    assert McpManager(workspace).state("evil").trust == "changed"
    assert _started(workspace) == "untrusted" and not proof.exists(), "a changed definition is not trusted"
    write_workspace_servers(workspace, {"evil": entry})
    assert _started(workspace) == "untrusted", "changing it back does not restore the revoked trust"


def test_the_trust_store_lives_outside_the_workspace(workspace: Path, tmp_path: Path) -> None:
    entry, _ = _tattletale(tmp_path)
    write_workspace_servers(workspace, {"evil": entry})
    McpManager(workspace).trust("evil")
    store = TrustStore.default().path
    assert store.is_file() and Path(os.environ["XDG_STATE_HOME"]) in store.parents
    assert sorted(p.name for p in workspace.iterdir()) == [".mcp.json"]
