"""What the client told the server in `initialize`: its Flambeau capabilities and default task settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

APPROVAL_MODES = ("ask", "auto-edit", "auto-all")
DEFAULT_APPROVAL_TIMEOUT_S = 600.0


@dataclass
class ClientFeatures:
    """`capabilities.experimental.flambeau` of the client."""

    approvals: bool = False
    """The client answers `flambeau/approve` requests (else approvals use window/showMessageRequest)."""
    events: bool = False
    """The client shows `flambeau/event` notifications (they are sent either way)."""
    questions: bool = False
    """The client answers `flambeau/ask` requests (else questions use window/showMessageRequest)."""

    @classmethod
    def from_capabilities(cls, experimental: Any) -> ClientFeatures:
        declared = experimental.get("flambeau") if isinstance(experimental, dict) else None
        if not isinstance(declared, dict):
            return cls()
        return cls(
            approvals=declared.get("approvals") is True,
            events=declared.get("events") is True,
            questions=declared.get("questions") is True,
        )


@dataclass
class ServerSettings:
    """Defaults for tasks, from `initializationOptions` (all optional)."""

    model: str | None = None
    """`model`: a profile name or a litellm model id (e.g. "openai/scripted") used when a task names none."""
    api_base: str | None = None
    """`apiBase`: the endpoint for `model` when it is a litellm id (e.g. "http://127.0.0.1:8080/v1")."""
    approval_mode: str = "ask"
    """`approvalMode`: "ask", "auto-edit" or "auto-all", when a task names none."""
    approval_timeout_s: float = DEFAULT_APPROVAL_TIMEOUT_S
    """`approvalTimeoutSeconds`: an unanswered approval counts as denied (by "timeout") after this long."""
    otlp_endpoint: str | None = None
    """`otlpEndpoint`: an OpenTelemetry collector (OTLP/HTTP) that gets each task's spans when it ends
    (default: the server's OTEL_EXPORTER_OTLP_ENDPOINT)."""
    reply_language: str | None = None
    """`replyLanguage`: the language the model answers in (VS Code's display language, e.g. "ja"); None: English."""
    no_sandbox: bool = False
    """`noSandbox`: commands run without the bubblewrap sandbox, under the approval mode (the user's explicit
    choice, recorded in each trace); where no sandbox can run and this is false, every command asks."""
    workspace: Path | None = None
    """The workspace root (from rootUri / workspaceFolders; the server's directory when the client sends none)."""

    def apply_options(self, options: Any) -> list[str]:
        """Take what is valid from `initializationOptions`; returns a problem per value that was ignored."""
        if not isinstance(options, dict):
            return [] if options is None else ["initializationOptions must be an object; ignored"]
        problems: list[str] = []
        model, api_base, mode = options.get("model"), options.get("apiBase"), options.get("approvalMode")
        timeout = options.get("approvalTimeoutSeconds")
        otlp = options.get("otlpEndpoint")
        if isinstance(otlp, str) and otlp.strip():
            self.otlp_endpoint = otlp
        elif otlp is not None:
            problems.append("initializationOptions.otlpEndpoint must be a URL string")
        reply_language = options.get("replyLanguage")
        no_sandbox = options.get("noSandbox")
        if isinstance(no_sandbox, bool):
            self.no_sandbox = no_sandbox
        elif no_sandbox is not None:
            problems.append("initializationOptions.noSandbox must be true or false")
        if isinstance(model, str) and model.strip():
            self.model = model
        elif model is not None:
            problems.append("initializationOptions.model must be a non-empty string")
        if isinstance(api_base, str) and api_base.strip():
            self.api_base = api_base
        elif api_base is not None:
            problems.append("initializationOptions.apiBase must be a URL string")
        if mode in APPROVAL_MODES:
            self.approval_mode = mode
        elif mode is not None:
            problems.append(f"initializationOptions.approvalMode must be one of {', '.join(APPROVAL_MODES)}")
        if isinstance(timeout, int | float) and not isinstance(timeout, bool) and timeout > 0:
            self.approval_timeout_s = float(timeout)
        elif timeout is not None:
            problems.append("initializationOptions.approvalTimeoutSeconds must be a positive number")
        if isinstance(reply_language, str) and reply_language.strip():
            self.reply_language = reply_language.strip()
        elif reply_language is not None:
            problems.append('initializationOptions.replyLanguage must be a language code (e.g. "ja") or name')
        return problems
