"""Everything about models: profiles, config, resolving a name, the litellm gateway, the embedded model,
local probing, fitness, openness and provenance."""
