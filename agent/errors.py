"""Loop exits: a tiny hierarchy whose messages reach the user as they are."""

from __future__ import annotations


class AgentExit(Exception):
    """Ends a session; the message is shown to the user."""


class Completed(AgentExit):
    """The model called the completion tool."""


class LimitExceeded(AgentExit):
    """A step, token or cost budget ran out."""


class ModelError(AgentExit):
    """The model could not be reached or kept answering with errors."""


class FormatError(AgentExit):
    """The model kept sending malformed tool calls."""


class ContextOverflow(AgentExit):
    """The parts that must always be sent no longer fit the model's window."""


class ConfigError(Exception):
    """A profile, a flag or a config file is wrong; the message names the fix."""
