"""The HTML trace report in the reader's language: every catalog has every message of the report, with the
same placeholders, translated; the report follows the language it is asked for (docs/l10n.md)."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from agent.trace import export, verify
from agent.trace.report_l10n import LOCALES, Catalog, resolve_locale
from tests.scripted_server import ScriptedModelServer
from tests.trace_sessions import editing_script, record_session

ROOT = Path(__file__).resolve().parent.parent
REPORT_MODULES = [
    ROOT / "agent" / "trace" / "html_report.py",
    ROOT / "agent" / "trace" / "report_words.py",
    ROOT / "lsp" / "progress.py",  # the editor's progress bar: the same catalogs
]
CATALOGS = ROOT / "agent" / "trace" / "report_l10n"
SCRIPTS = {"ja": r"[\u3040-\u30ff\u4e00-\u9fff]", "ko": r"[\uac00-\ud7af]", "zh-cn": r"[\u4e00-\u9fff]"}
SAME_IN_FRENCH = {"local", "cloud", "git {0}"}
"""French words that are the English ones (and a line of numbers and units)."""


@pytest.fixture
def trace(model_server: ScriptedModelServer, workspace: Path) -> Path:
    (workspace / "notes.txt").write_text("hello\n")
    return record_session(model_server, workspace, editing_script())


def report_messages() -> set[str]:
    """The first argument of every `c.text(...)` / `c.html(...)` in the report's modules, which must be a literal."""
    found: set[str] = set()
    for module in REPORT_MODULES:
        for node in ast.walk(ast.parse(module.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("text", "html")
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "c"
            ):
                first = node.args[0] if node.args else None
                assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
                    f"{module.name}:{node.lineno}: the message must be a literal (catalogs are checked against it)"
                )
                found.add(first.value)
    return found


def placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"\{\d+\}", text))


@pytest.mark.parametrize("locale", LOCALES)
def test_every_catalog_has_every_message_translated_with_the_same_placeholders(locale: str) -> None:
    catalog: dict[str, str] = json.loads((CATALOGS / f"{locale}.json").read_text(encoding="utf-8"))
    messages = report_messages()
    assert sorted(messages - catalog.keys()) == [], f"{locale}.json lacks these messages"
    assert sorted(catalog.keys() - messages) == [], f"{locale}.json has messages the report no longer uses"
    for english, translated in catalog.items():
        assert placeholders(translated) == placeholders(english), f"{locale}: {english!r} → {translated!r}"
        if locale in SCRIPTS:
            assert re.search(SCRIPTS[locale], translated), f"{locale}: {english!r} is left in English"
        elif english not in SAME_IN_FRENCH:
            assert translated != english, f"{locale}: {english!r} is left in English"


@pytest.mark.parametrize(
    ("language", "locale"),
    [
        ("ja", "ja"),
        ("fr-CA", "fr"),
        ("zh-CN", "zh-cn"),
        ("zh-Hans", "zh-cn"),
        ("zh-TW", "en"),
        ("de", "en"),
        (None, "en"),
    ],
)
def test_a_display_language_maps_to_a_catalog_or_english(language: str | None, locale: str) -> None:
    assert resolve_locale(language) == locale


def test_translated_text_is_escaped_and_arguments_are_inserted_as_given() -> None:
    catalog = Catalog("fr")
    assert catalog.html("task {0}", "<b>x</b>") == "tâche <b>x</b>"
    assert Catalog("en").html("asks: {0} ({1})", "a &lt; b", "c") == "asks: a &lt; b (c)"


def test_the_report_is_in_the_language_asked_for_with_the_recorded_data_as_recorded(
    trace: Path, tmp_path: Path
) -> None:
    html = export(trace, "html", tmp_path / "ja.html", language="ja").read_text(encoding="utf-8")
    assert '<html lang="ja">' in html
    assert "<h2>変更</h2>" in html and "<h2>タイムライン</h2>" in html
    assert "承認済み" in html and "ツール呼び出し" in html
    assert verify(trace).message in html  # the verifier's own words stay as they are
    english = export(trace, "html", tmp_path / "en.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in english and "<h2>Timeline</h2>" in english
