"""Reading tool calls out of model replies: the text protocol and JSON-schema-constrained output."""
