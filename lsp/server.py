"""The Flambeau language server: state on a `LanguageServer` subclass, features registered in `build_server`."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method
from pygls.uris import to_fs_path

from lsp.client_requests import notify_client
from lsp.converter import plain_json_converter
from lsp.documents import EditorDocuments
from lsp.features import CUSTOM_METHODS, EVENT, PROTOCOL_VERSION, register
from lsp.mcp_hub import McpHub
from lsp.settings import ClientFeatures, ServerSettings
from lsp.tasks import TaskRegistry
from lsp.warmup import Warmup

T = TypeVar("T")

NAME = "flambeau"
VERSION = "0.1.0"

logger = logging.getLogger(__name__)


class FlambeauProtocol(LanguageServerProtocol):
    """pygls' protocol, with Flambeau's capabilities added to the `initialize` result."""

    _server: FlambeauServer

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams) -> Generator[Any, Any, types.InitializeResult]:
        result: types.InitializeResult = yield from super().lsp_initialize(params)
        result.capabilities.experimental = {
            "flambeau": {"protocolVersion": PROTOCOL_VERSION, "methods": sorted(CUSTOM_METHODS)}
        }
        return result


class FlambeauServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            NAME,
            VERSION,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=FlambeauProtocol,
            converter_factory=plain_json_converter,
        )
        self.settings = ServerSettings()
        self.client = ClientFeatures()
        self.tasks = TaskRegistry(self)
        self.warmup = Warmup()
        self.documents = EditorDocuments(self)
        self.mcp = McpHub(self)
        """The workspace's MCP servers, shared by every task of the session."""
        self.initialized = False
        self.locale: str | None = None
        """The client's display language (`initialize`'s `locale`)."""

    def configure(self, params: types.InitializeParams) -> None:
        """Read the client's Flambeau capabilities, defaults and workspace root from `initialize`."""
        self.client = ClientFeatures.from_capabilities(params.capabilities.experimental)
        self.locale = params.locale
        for problem in self.settings.apply_options(params.initialization_options):
            self.show_error(f"Flambeau: {problem}")
        root = self.workspace.root_path
        if root is None and params.workspace_folders:
            root = to_fs_path(params.workspace_folders[0].uri)
        self.settings.workspace = Path(root).resolve() if root else Path.cwd()
        self.initialized = True

    async def agent_thread(self, work: Callable[[], T]) -> T:
        """`work()` in a worker thread once the warm-up has imported the agent (see `Warmup.loaded`)."""
        await self.warmup.loaded()
        return await asyncio.to_thread(work)

    def send_event(self, task_id: str, event: dict[str, Any]) -> None:
        notify_client(self.protocol, EVENT, {"taskId": task_id, "event": json_safe(event)})

    def show_error(self, message: str) -> None:
        notify_client(
            self.protocol,
            types.WINDOW_SHOW_MESSAGE,
            types.ShowMessageParams(type=types.MessageType.Error, message=message),
        )

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Errors outside a request (a broken notification): logged, not shown as pop-ups."""
        logger.error("%s: %s", getattr(source, "__name__", source), error)


def json_safe(value: Any) -> Any:
    """Plain JSON values only (paths and other objects become strings)."""
    return json.loads(json.dumps(value, default=str))


def build_server() -> FlambeauServer:
    server = FlambeauServer()
    register(server)
    return server
