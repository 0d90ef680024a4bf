"""The language the model replies in, named so a model understands it: a VS Code display language code
("ja", "zh-cn", "fr-ca") becomes "Japanese (日本語)"; anything else (a language name) is used as given."""

from __future__ import annotations

NAMES: dict[str, str] = {
    "en": "English",
    "fr": "French (français)",
    "ja": "Japanese (日本語)",
    "ko": "Korean (한국어)",
    "zh-cn": "Simplified Chinese (简体中文)",
    "zh-tw": "Traditional Chinese (繁體中文)",
    "de": "German (Deutsch)",
    "es": "Spanish (español)",
    "it": "Italian (italiano)",
    "pt-br": "Brazilian Portuguese (português do Brasil)",
    "ru": "Russian (русский)",
    "tr": "Turkish (Türkçe)",
    "pl": "Polish (polski)",
    "cs": "Czech (čeština)",
}
ALIASES = {"zh": "zh-cn", "zh-hans": "zh-cn", "zh-hant": "zh-tw", "pt": "pt-br"}


def language_name(language: str) -> str:
    """The name to put in the prompt for a code or a name ("ja" → "Japanese (日本語)", "Deutsch" → "Deutsch")."""
    text = language.strip()
    code = text.lower().replace("_", "-")
    code = ALIASES.get(code, code)
    if code in NAMES:
        return NAMES[code]
    base = code.split("-", 1)[0]
    return NAMES.get(ALIASES.get(base, base), text)


def is_english(language: str | None) -> bool:
    """English needs no instruction: the prompt is English and models answer in it by default."""
    return language is None or not language.strip() or language_name(language) == "English"
