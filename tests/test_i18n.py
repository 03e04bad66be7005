"""The gettext catalogues (bot/locales/*/LC_MESSAGES/messages.po, and the Telegram and Discord adapters' own in
adapters/<platform>/locales): each complete in every language with the same placeholders, found by Babel's
extraction from its code, real plural forms, packaged, a new language is a new .po file per catalogue, and French
typography applied in one place for answers and alerts alike."""

from __future__ import annotations

import re
import shutil
import string
import tomllib
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

from adapters.discord import i18n as discord_i18n
from adapters.telegram import i18n as telegram_i18n
from bot import i18n
from bot.following.levels import Level
from bot.following.status_reads import CurrentStatus
from bot.i18n import CATALOGUES, EXTRACT_KEYWORDS, LOCALES, Catalogues, pick_language, t, tn
from bot.presentation import answers as present
from bot.presentation.alerts import AlertRenderer
from bot.storage.models import StatusChange
from knowledge.loader import default_knowledge
from knowledge.schema import PLAN_DOCUMENT

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("bot", "adapters", "jobs")
LANGS = CATALOGUES.languages
# Every catalogue, and the folders its keys are extracted from (the README's pybabel commands; babel.cfg makes
# the core's extraction skip the adapters that have catalogues of their own).
ALL = {
    "core": (CATALOGUES, SOURCES),
    "telegram": (telegram_i18n.CATALOGUES, ("adapters/telegram",)),
    "discord": (discord_i18n.CATALOGUES, ("adapters/discord",)),
}


def _catalog(lang: str, directory: Path = LOCALES):
    with (directory / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=lang)


def _forms(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def test_the_languages_are_the_catalogues_found() -> None:
    assert LANGS == ("en", "fr")
    assert i18n.LANGUAGES == ("en", "fr") and i18n.UI_LANGUAGES == ("en", "fr")


def test_every_catalogue_is_listed_here_and_has_every_language() -> None:
    """A language missing from one catalogue would show that part (a platform's menu) in English."""
    found = {po.parent.parent.parent for folder in ("bot", "adapters") for po in
             (ROOT / folder).glob("**/locales/*/LC_MESSAGES/messages.po")}
    assert found == {catalogues.directory.resolve() for catalogues, _ in ALL.values()}
    for catalogues, _ in ALL.values():
        assert catalogues.languages == LANGS, catalogues.directory
    assert telegram_i18n.UI_LANGUAGES == discord_i18n.UI_LANGUAGES == i18n.UI_LANGUAGES


def test_a_key_belongs_to_one_catalogue() -> None:
    seen: dict[str, str] = {}
    for name, (catalogues, _) in ALL.items():
        for key in catalogues.keys:
            assert key not in seen, f"{key} is in the {seen[key]} and the {name} catalogues"
            seen[key] = name


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("lang", LANGS)
def test_every_message_is_in_every_language_with_the_same_placeholders(name, lang) -> None:
    directory = ALL[name][0].directory
    source = {m.id if isinstance(m.id, str) else m.id[0]: m for m in _catalog("en", directory) if m.id}
    catalog = {m.id if isinstance(m.id, str) else m.id[0]: m for m in _catalog(lang, directory) if m.id}
    assert catalog.keys() == source.keys()
    for key, message in catalog.items():
        english = source[key]
        assert message.pluralizable == english.pluralizable, key
        assert not message.fuzzy, key
        expected = set().union(*(_placeholders(text) for text in _forms(english)))
        for text in _forms(message):
            assert text.strip(), f"{key} ({lang}) has no text"
            assert _placeholders(text) == expected, f"{key} ({lang}): {_placeholders(text)} != {expected}"
        if message.pluralizable:
            assert len(_forms(message)) == _catalog(lang, directory).num_plurals, key


def test_no_number_is_written_with_a_parenthesised_plural() -> None:
    for catalogues, _ in ALL.values():
        for lang in LANGS:
            for message in _catalog(lang, catalogues.directory):
                for text in _forms(message) if message.id else ():
                    assert not re.search(r"\w\((e?s|e)\)", text), (message.id, lang, text)


# babel.cfg: the code and the public pages' Jinja2 templates, the core's extraction skipping the adapters that
# have their own catalogue.
with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
    METHOD_MAP, _ = parse_mapping_cfg(cfg)


def _extractions(name: str):
    """(where, key, message) of every message call found in the catalogue's sources, as pybabel finds them."""
    keywords = parse_keywords(list(EXTRACT_KEYWORDS))
    for folder in ALL[name][1]:
        for filename, line, message, _, _ in extract_from_dir(ROOT / folder, method_map=METHOD_MAP, keywords=keywords):
            yield f"{folder}/{filename}:{line}", message if isinstance(message, str) else message[0], message


def _extracted(name: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for where, key, _ in _extractions(name):
        found.setdefault(key, where)
    return found


@pytest.mark.parametrize("name", ALL)
def test_babel_extraction_finds_every_message_and_only_known_ones(name) -> None:
    catalogues = ALL[name][0]
    found = _extracted(name)
    assert found
    unknown = {key: where for key, where in found.items() if key not in catalogues.keys}
    assert not unknown, f"used in the code but missing from the {name} catalogues: {unknown}"
    unused = [key for key in catalogues.keys if key not in found]
    assert not unused, f"in the {name} catalogues but found nowhere in the code (or only inside an f-string): {unused}"


@pytest.mark.parametrize("name", ALL)
def test_plural_messages_are_called_with_tn_and_the_others_with_t(name) -> None:
    for where, key, message in _extractions(name):
        if isinstance(message, tuple):
            assert key in ALL[name][0].plural_keys, f"{where}: {key} has no plural"


def test_the_readme_extracts_with_the_same_keywords() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert " ".join(f"-k {k}" for k in EXTRACT_KEYWORDS) in readme
    for catalogues, _ in ALL.values():  # and names every catalogue
        assert f"`{catalogues.directory.relative_to(ROOT)}" in readme, catalogues.directory


@pytest.mark.parametrize(("lang", "n", "expected"), [
    ("en", 0, "🔕 Done: 0 follows removed."),
    ("en", 1, "🔕 Done: 1 follow removed."),
    ("en", 2, "🔕 Done: 2 follows removed."),
    ("fr", 0, "🔕 C'est fait\u202f: 0 suivi supprimé."),
    ("fr", 1, "🔕 C'est fait\u202f: 1 suivi supprimé."),
    ("fr", 2, "🔕 C'est fait\u202f: 2 suivis supprimés."),
])
def test_plurals_agree_with_the_number(lang, n, expected) -> None:
    assert tn("stop_done", lang, n).startswith(expected)


def test_every_plural_message_takes_the_language_rule() -> None:
    """English: only 1 is singular; French: 0 and 1 are."""
    for key in CATALOGUES.plural_keys:
        assert CATALOGUES.template(key, "en", 0) == CATALOGUES.template(key, "en", 2), key
        assert CATALOGUES.template(key, "fr", 0) == CATALOGUES.template(key, "fr", 1), key
    assert tn("digest_changes", "en", 1) == "1 status change" and tn("digest_deadlines", "en", 2) == "2 passed deadlines"
    assert tn("digest_changes", "fr", 3) == "3 changements de statut" and tn("digest_deadlines", "fr", 1) == "1 échéance passée"
    assert tn("announce_sent", "fr", 1) == "1 envoyée" and tn("announce_sent", "fr", 4) == "4 envoyées"


def test_a_plural_message_needs_a_number_and_an_unknown_key_fails_loudly() -> None:
    with pytest.raises(TypeError):
        t("stop_done", "en")
    with pytest.raises(KeyError):
        t("no_such_message", "fr")
    with pytest.raises(KeyError):
        tn("welcome", "fr", 2)


def test_the_english_plan_document_name_is_the_plan_documents() -> None:
    assert t("plan_document", "en") == PLAN_DOCUMENT


def _with_german(directory: Path, into: Path, translations: dict[str, str]) -> Catalogues:
    """A copy of the catalogues in `directory`, plus a German .po: the English one with `translations` made."""
    shutil.copytree(directory, into)
    german = into / "de" / "LC_MESSAGES"
    german.mkdir(parents=True)
    text = (directory / "en" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    text = text.replace('"Language: en\\n"', '"Language: de\\n"')
    for english, translated in translations.items():
        text = text.replace(english, translated)
    (german / "messages.po").write_text(text, encoding="utf-8")
    return Catalogues(into)


def test_a_third_language_is_a_new_po_file_per_catalogue_and_nothing_else(tmp_path) -> None:
    core = _with_german(LOCALES, tmp_path / "core", {
        'msgstr[0] "{n} skipped"\nmsgstr[1] "{n} skipped"': 'msgstr[0] "{n} übersprungen"\nmsgstr[1] "{n} übersprungen"'})
    menus = _with_german(discord_i18n.CATALOGUES.directory, tmp_path / "discord",
                         {'msgstr "Who receives it"': 'msgstr "Wer sie erhält"'})
    telegram = _with_german(telegram_i18n.CATALOGUES.directory, tmp_path / "telegram", {})
    for catalogues in (core, menus, telegram):
        assert catalogues.languages == ("en", "de", "fr")
    assert menus.t("dc_opt_audience", "de") == "Wer sie erhält"
    assert core.tn("announce_skipped", "de", 2) == "2 übersprungen"
    assert menus.t("dc_opt_audience", "fr") == "Qui la reçoit"
    assert pick_language("de-DE", choices=core.languages) == "de"


def test_a_message_missing_from_one_language_falls_back_to_english(tmp_path) -> None:
    shutil.copytree(discord_i18n.CATALOGUES.directory, tmp_path / "locales")
    po = tmp_path / "locales" / "fr" / "LC_MESSAGES" / "messages.po"
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "Qui la reçoit"', 'msgstr ""'), encoding="utf-8")
    assert Catalogues(tmp_path / "locales").t("dc_opt_audience", "fr") == "Who receives it"


def test_the_catalogues_are_package_data() -> None:
    """A non-editable `pip install .` ships every .po (setuptools package-data of the bot and adapters packages)."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for catalogues_, _ in ALL.values():
        package = catalogues_.directory.resolve().relative_to(ROOT).parts[0]
        patterns = pyproject["tool"]["setuptools"]["package-data"][package]
        catalogues = sorted(catalogues_.directory.glob("*/LC_MESSAGES/*.po"))
        assert len(catalogues) == len(LANGS)
        for po in catalogues:
            relative = po.resolve().relative_to(ROOT / package)
            assert any(relative.match(pattern) for pattern in patterns), relative
    assert any(dep.lower().startswith("babel") for dep in pyproject["project"]["dependencies"])


# -- typography: one rule, applied when the catalogues load; answers and alerts use the same labels --------------

def test_french_punctuation_gets_a_narrow_no_break_space_and_english_is_untouched() -> None:
    assert t("show_usage", "fr") == "Quel élément\u202f? Par exemple\u202f: voir 2.12"
    assert t("show_usage", "en") == "Which item? For example: show 2.12"
    assert t("unknown_command", "fr", command="x ?") == (
        "Je ne connais pas la commande «\u202fx ?\u202f». Tapez «\u202faide\u202f» pour voir les commandes.")
    for catalogues, _ in ALL.values():
        for lang in LANGS:
            for key, entry in catalogues.messages().items():
                assert not re.search(r"[ \u00a0][;:!?»]|«[ \u00a0]", entry[lang]), (key, lang)


def test_an_alert_and_an_answer_space_french_punctuation_alike() -> None:
    kb = default_knowledge()
    url = "https://example.org/report"
    answer = present.status_text(CurrentStatus(Level.LIMITED, "Note", url, date(2026, 3, 1)), "fr")
    change = StatusChange(action_id="2.12", status=Level.LIMITED, previous_status=Level.NO_EVIDENCE, note="Note",
                          source_url=url, effective_date=date(2026, 3, 1), set_by="test", assessed_by="maintainers")
    alert = "\n".join(block.text for block in AlertRenderer(kb).change_lines(change, "fr"))
    assert f"source\u202f: {url}" in answer and f"source\u202f: {url}" in alert
    english = "\n".join(block.text for block in AlertRenderer(kb).change_lines(change, "en"))
    assert f"source: {url}" in english and f"source: {url}" in present.status_text(
        CurrentStatus(Level.LIMITED, "Note", url, date(2026, 3, 1)), "en")


def test_typography_lives_in_one_place() -> None:
    """No module but bot/i18n.py writes a narrow no-break space or a French colon of its own."""
    offenders = []
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            if path == ROOT / "bot" / "i18n.py":
                continue
            source = path.read_text(encoding="utf-8")
            if "\\u202f" in source or "\u202f" in source or re.search(r"""["'] ?\\u00a0?:["']""", source):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == [] or offenders == ["bot/plan/text.py"], offenders  # text.py reads numbers written with one
