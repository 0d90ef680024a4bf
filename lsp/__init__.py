"""The language server: the agent inside any LSP editor (pygls 2). Nothing in agent/ or tools/ imports this."""
