"""Gemma's turn format for the embedded GGUF, which carries no chat template of its own.

Without a template llama-cpp-python falls back to the llama-2 format (`[INST] … [/INST]`), which Gemma
never saw: the base model then echoes fragments such as `/INST` into its answers. Gemma marks turns with
`<start_of_turn>user` / `<start_of_turn>model` … `<end_of_turn>`, has no system role (the system text
opens the first user turn, as Gemma 3's own template does) and expects user and model turns to alternate.
llama-cpp-python's built-in "gemma" format drops the system message, which holds our whole protocol, so
the server is given this one instead (registered by the launcher in the server process).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

CHAT_FORMAT = "flambeau-gemma"
END_OF_TURN = "<end_of_turn>"


def _text(content: Any) -> str:
    """A message's text: a string, or the text parts of an OpenAI content list."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(part.get("text", "")) for part in content if isinstance(part, Mapping))
    return "" if content is None else str(content)


def gemma_turns(messages: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(role, text) turns, roles `user`/`model`, alternating: the system text opens the first user turn,
    tool results are user turns, and consecutive turns of one role are joined."""
    system: list[str] = []
    turns: list[tuple[str, str]] = []
    for message in messages:
        role, text = str(message.get("role", "user")), _text(message.get("content")).strip()
        if role == "system":
            system.append(text)
            continue
        speaker = "model" if role == "assistant" else "user"
        if turns and turns[-1][0] == speaker:
            turns[-1] = (speaker, f"{turns[-1][1]}\n\n{text}")
        else:
            turns.append((speaker, text))
    if system:
        opening = "\n\n".join(system)
        if turns and turns[0][0] == "user":
            turns[0] = ("user", f"{opening}\n\n{turns[0][1]}")
        else:
            turns.insert(0, ("user", opening))
    return turns


def gemma_prompt(messages: Iterable[Mapping[str, Any]]) -> str:
    """The prompt text up to the model's turn (the BOS token is added by the tokenizer)."""
    body = "".join(f"<start_of_turn>{role}\n{text}{END_OF_TURN}\n" for role, text in gemma_turns(messages))
    return f"{body}<start_of_turn>model\n"
