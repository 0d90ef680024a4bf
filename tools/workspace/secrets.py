"""Recognising secrets: environment variables that hold them, and token shapes inside text."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from urllib.parse import quote, quote_plus

SECRET_NAME = re.compile(
    r"(API_?KEY|ACCESS_?KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|PRIVATE_?KEY|AUTH|SESSION|COOKIE)",
    re.IGNORECASE,
)
SECRET_PREFIXES = (
    "AWS_",
    "AZURE_",
    "GCP_",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "OPENAI_",
    "ANTHROPIC_",
    "GEMINI_",
    "MISTRAL_",
    "OPENROUTER_",
    "HF_",
    "HUGGING",
    "GH_",
    "GITHUB_",
    "GITLAB_",
    "COHERE_",
    "GROQ_",
    "DEEPSEEK_",
    "XAI_",
    "TOGETHER",
    "FIREWORKS_",
    "LITELLM_",
)
# Variables whose names look sensitive but carry no secret and that tools need.
HARMLESS = frozenset({"SSH_AUTH_SOCK_DIR", "LITELLM_LOCAL_MODEL_COST_MAP", "LITELLM_LOG"})

TOKEN_PATTERNS = [
    re.compile(r"AKIA[0-9A-Z]{16}"),  # AWS access key id
    re.compile(r"(?i)aws_secret_access_key\s*[=:]\s*['\"]?[A-Za-z0-9/+=]{40}"),
    re.compile(r"sk-(?:proj-|ant-(?:api\d\d-)?)?[A-Za-z0-9_\-]{20,}"),  # OpenAI / Anthropic
    re.compile(r"gh[pousr]_[A-Za-z0-9]{30,}"),  # GitHub
    re.compile(r"github_pat_[A-Za-z0-9_]{40,}"),
    re.compile(r"glpat-[A-Za-z0-9_\-]{20,}"),  # GitLab
    re.compile(r"xox[abprs]-[A-Za-z0-9\-]{10,}"),  # Slack
    re.compile(r"AIza[0-9A-Za-z_\-]{35}"),  # Google API key
    re.compile(r"hf_[A-Za-z0-9]{30,}"),  # Hugging Face
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"(?i)bearer\s+[A-Za-z0-9_\-\.=]{20,}"),
]
REDACTED = "[REDACTED]"
MIN_SECRET_LENGTH = 8


def is_secret_name(name: str) -> bool:
    if name in HARMLESS:
        return False
    upper = name.upper()
    return bool(SECRET_NAME.search(upper)) or upper.startswith(SECRET_PREFIXES)


def secret_values_from_env(env: Mapping[str, str]) -> set[str]:
    return {v for k, v in env.items() if is_secret_name(k) and len(v) >= MIN_SECRET_LENGTH}


def scrub_environment(env: Mapping[str, str], secret_values: Iterable[str] = ()) -> dict[str, str]:
    """A copy of `env` without variables that look like secrets or hold a known secret value."""
    known = {v for v in secret_values if len(v) >= MIN_SECRET_LENGTH}
    return {k: v for k, v in env.items() if not is_secret_name(k) and not any(s in v for s in known)}


def redact_text(text: str, secret_values: Iterable[str] = ()) -> str:
    """Replace known secret values (also in base64, hex and URL-encoded forms) and common token shapes
    with a marker."""
    known = frozenset(v for v in secret_values if len(v) >= MIN_SECRET_LENGTH)
    for value in sorted(known, key=len, reverse=True):
        text = text.replace(value, REDACTED)
    if known:
        text = _encoded_forms(known).sub(REDACTED, text)
    for pattern in TOKEN_PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


MIN_ENCODED_CHARS = 12
"""Shorter encoded cores would match by chance."""
_WRAP = "(?:\\r?\\n[ \\t]*)?"
"""`base64` wraps at 76 characters, `xxd -p` at 60, an INI file indents continued values: a line break
(and indentation) may fall anywhere in the encoded text."""


@lru_cache(maxsize=32)
def _encoded_forms(values: frozenset[str]) -> re.Pattern[str]:
    """One pattern for every encoded form of `values`: URL-encoding, hex (either case), and base64
    (standard and URL-safe) at each of the three byte alignments a value can have inside encoded data
    — its stable core, without the characters it shares with the bytes around it."""
    forms: set[str] = set()
    for value in values:
        raw = value.encode("utf-8")
        forms |= {quote(value, safe=""), quote(value), quote_plus(value), raw.hex(), raw.hex().upper()}
        for shift in range(3):
            encoded = base64.b64encode(b"\0" * shift + raw).decode("ascii")
            end = len(encoded) - 4 if (shift + len(raw)) % 3 else len(encoded)
            core = encoded[4 if shift else 0 : end]
            forms |= {core, core.replace("+", "-").replace("/", "_")}
    kept = sorted((f for f in forms - values if len(f) >= MIN_ENCODED_CHARS), key=len, reverse=True)
    if not kept:
        return re.compile(r"(?!)")
    return re.compile("|".join(_WRAP.join(re.escape(c) for c in form) for form in kept))
