"""Edits by SEARCH/REPLACE blocks: where each block applies in a file and what it writes there."""
