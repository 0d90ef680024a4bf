"""Workspace machinery the tools share: the path jail, file I/O, ignore rules, output caps, secret scrubbing,
the repo map and checkpoints."""
