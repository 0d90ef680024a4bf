"""Node tools the tests run that the machine's own Node cannot: Node 24 (the npm package `node`, which
carries the official binary) and the official MCP conformance suite, installed once from the npm registry
into a cache folder (`FLAMBEAU_NPM_TOOLS`, default `~/.cache/flambeau/npm-tools` of the real user, not of
a test's throwaway HOME) by `make npm-tools`, by the first test that needs them, or by hand with
`python -m tests.npm_tools`. Later runs use the cache and need no network.
"""

from __future__ import annotations

import fcntl
import json
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

NODE_VERSION = "24"
CONFORMANCE = "@modelcontextprotocol/conformance"
CONFORMANCE_VERSION = "0.1.16"
"""The suite's `latest` release on npm (the 0.2 line is still alpha)."""
PACKAGES = (f"node@{NODE_VERSION}", f"{CONFORMANCE}@{CONFORMANCE_VERSION}")


def cache_dir() -> Path:
    configured = os.environ.get("FLAMBEAU_NPM_TOOLS")
    if configured:
        return Path(configured)
    return Path(pwd.getpwuid(os.getuid()).pw_dir) / ".cache" / "flambeau" / "npm-tools"


@dataclass(frozen=True)
class NpmTools:
    node: Path
    """Node 24's own binary."""
    conformance: Path
    """The suite's entry script, run as `node conformance …`."""

    def conformance_command(self) -> list[str]:
        return [str(self.node), str(self.conformance)]


def installed(cache: Path | None = None) -> NpmTools | None:
    cache = cache or cache_dir()
    stamp = cache / ".installed.json"
    try:
        recorded = json.loads(stamp.read_text())
    except (OSError, ValueError):
        return None
    tools = NpmTools(Path(recorded["node"]), Path(recorded["conformance"]))
    if recorded.get("packages") != list(PACKAGES) or not tools.node.is_file() or not tools.conformance.is_file():
        return None
    return tools


def ensure_installed() -> NpmTools:
    """Node 24 and the conformance suite, installed from the npm registry into the cache on first use."""
    cache = cache_dir()
    found = installed(cache)
    if found is not None:
        return found
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed to install Node 24 and the MCP conformance suite; install Node.js 20+")
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        found = installed(cache)
        if found is not None:
            return found
        (cache / "package.json").write_text(json.dumps({"private": True, "name": "flambeau-npm-tools"}))
        subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", str(cache), *PACKAGES],
            check=True, timeout=900,
        )  # fmt: skip
        tools = _locate(cache)
        version = subprocess.run([str(tools.node), "--version"], capture_output=True, text=True, check=True).stdout
        if not version.startswith(f"v{NODE_VERSION}."):
            raise RuntimeError(f"the npm package node@{NODE_VERSION} gave Node {version.strip()}")
        record = {"packages": list(PACKAGES), "node": str(tools.node), "conformance": str(tools.conformance)}
        (cache / ".installed.json").write_text(json.dumps(record, indent=1))
    return tools


def _locate(cache: Path) -> NpmTools:
    modules = cache / "node_modules"
    node = modules / "node" / "bin" / "node"
    package = json.loads((modules / CONFORMANCE / "package.json").read_text())
    binary = package.get("bin")
    entry = binary if isinstance(binary, str) else next(iter(binary.values()))
    return NpmTools(node.resolve(), (modules / CONFORMANCE / entry).resolve())


if __name__ == "__main__":
    tools = ensure_installed()
    print(tools.node)
    print(tools.conformance)
