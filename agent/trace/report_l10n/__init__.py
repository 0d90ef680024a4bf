"""The HTML report's words in the reader's language, and the editor's progress messages (docs/l10n.md).

The English text is in the code (`catalog.html("model {0}", ...)`); `<locale>.json` beside this module maps
it to a translation with the same `{0}` placeholders, like the extension's l10n bundles. A language without
a catalog gets English. tests/test_report_l10n.py checks that every catalog has every message of the report.
"""

from __future__ import annotations

import json
import re
from functools import cache
from html import escape
from importlib import resources

LOCALES = ("fr", "ja", "ko", "zh-cn")
"""Locales with a catalog; English is the code's own text."""
PLACEHOLDER = re.compile(r"\{(\d+)\}")


def resolve_locale(language: str | None) -> str:
    """A VS Code display language or a BCP 47 tag ('ja', 'fr-CA', 'zh-CN', 'zh-Hans') as a locale with a
    catalog; anything else is 'en'. Traditional Chinese (zh-TW, zh-Hant) has none, so it reads English."""
    code = (language or "").strip().lower().replace("_", "-")
    if code in LOCALES:
        return code
    if code == "zh" or code.startswith(("zh-hans", "zh-cn", "zh-sg")):
        return "zh-cn"
    base = code.split("-", 1)[0]
    return base if base in LOCALES and base != "zh" else "en"


@cache
def messages(locale: str) -> dict[str, str]:
    """The catalog of `locale` (English → translation); empty for English."""
    if locale not in LOCALES:
        return {}
    text = resources.files(__name__).joinpath(f"{locale}.json").read_text(encoding="utf-8")
    loaded: dict[str, str] = json.loads(text)
    return loaded


class Catalog:
    """Looks messages up in one locale's catalog."""

    def __init__(self, language: str | None = None) -> None:
        self.locale = resolve_locale(language)
        self._messages = messages(self.locale)

    def text(self, message: str, *args: object) -> str:
        """The translated message with `{n}` replaced by `args[n]`, as plain text."""
        template = self._messages.get(message, message)
        return PLACEHOLDER.sub(lambda m: str(args[int(m.group(1))]), template)

    def html(self, message: str, *args: str) -> str:
        """The translated message, HTML-escaped, with `{n}` replaced by `args[n]`: HTML the caller escaped."""
        template = escape(self._messages.get(message, message), quote=False)
        return PLACEHOLDER.sub(lambda m: args[int(m.group(1))], template)
