"""When a tool call may run: approval modes and rules, command-line analysis, policy files, the OS sandbox."""
