"""The `summarise` and `commit` roles: the profile each names in `[roles]`, opened for one call at a time.

A role without a profile of its own uses the task's model (summarise) or the main model (commit). A
role's profile is opened under the task's restrictions, so local-only mode refuses a cloud one before
anything is sent; an embedded server it needs runs only for the call.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from dataclasses import dataclass

from agent.models.config import ModelsConfig, Restrictions
from agent.models.gateway import ModelGateway


@dataclass
class RoleProfiles:
    config: ModelsConfig
    restrictions: Restrictions

    def profile_name(self, role: str) -> str | None:
        """The profile `[roles]` names for `role`; None: the role has none of its own."""
        return self.config.roles.get(role)

    @asynccontextmanager
    async def gateway(self, role: str) -> AsyncIterator[ModelGateway]:
        """The role's model, open for the block (resolved and started off the event loop)."""
        from agent.models.resolve import open_model

        config = dataclasses.replace(self.config, restrictions=self.restrictions)
        stack = ExitStack()
        try:
            resolved = await asyncio.to_thread(stack.enter_context, open_model(None, config=config, role=role))
            yield ModelGateway(resolved.profile, api_key=resolved.api_key, provenance=resolved.provenance)
        finally:
            await asyncio.to_thread(stack.close)
