"""Every user-facing sentence comes from a gettext catalogue: `t(key, lang, **values)` picks and fills one,
`tn(key, lang, n, **values)` one whose words agree with a number.

The core's catalogues are bot/locales/<lang>/LC_MESSAGES/messages.po, one per language, read with Babel when this
module is imported (no compiled .mo to forget). A msgid is the message's key, the same in every language
("follow_done"); its msgstr is the text, with str.format placeholders ("{target}"). The languages are the
catalogues found in bot/locales: a new .po there is a new language (README, "Messages and languages").

A platform's own messages (its command menus, its notices) live with its adapter, in the same form:
adapters/<platform>/locales, read by a `Catalogues` of their own (adapters/<platform>/i18n.py has its `t`).

Typography is applied here and nowhere else: on loading, a space before ; : ! ? » or after « becomes a narrow
no-break space (U+202F), so French punctuation never starts a line, in answers, alerts and menus alike. A label
followed by its value uses `colon(lang)`, which is itself a message ("colon": ":" in English, " :" in French).
"""

from __future__ import annotations

import gettext
import io
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from knowledge.schema import Localized

LOCALES = Path(__file__).with_name("locales")
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"  # the catalogue every other one falls back to, and the first language listed

# The keywords Babel's extractor looks for (`pybabel extract -k ...`, README): t/tr/labelled for a message, tn/trn
# for a message with plural forms (its key is both msgid and msgid_plural), N_ to mark a key chosen at run time,
# L for a Discord menu text (adapters/discord/translate.py), _ in the public pages' Jinja2 templates.
EXTRACT_KEYWORDS = ("t", "tr", "tn:1,1", "trn:1,1", "labelled", "N_", "L", "_")

NARROW_NBSP = "\u202f"
_SPACE_BEFORE = re.compile(r"[ \u00a0\u202f]([;:!?»])")
_SPACE_AFTER = re.compile(r"«[ \u00a0\u202f]")


def typeset(text: str) -> str:
    """The one typography rule: no line break between a word and its ; : ! ? », nor between « and its word."""
    return _SPACE_AFTER.sub("«" + NARROW_NBSP, _SPACE_BEFORE.sub(NARROW_NBSP + r"\1", text))


def N_(key: str) -> str:
    """Marks a key that the code picks at run time, so that `pybabel extract` (and the tests) find it."""
    return key


class Catalogues:
    """The messages of every language found in `directory` (<lang>/LC_MESSAGES/messages.po)."""

    def __init__(self, directory: Path = LOCALES, source: str = SOURCE_LANGUAGE):
        directory = Path(directory)
        found = sorted(p.parent.parent.name for p in directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
        if source not in found:
            raise FileNotFoundError(f"no {source} catalogue in {directory}")
        self.languages: tuple[str, ...] = (source, *(lang for lang in found if lang != source))
        self.directory = directory
        self.source = source
        self._translations: dict[str, gettext.GNUTranslations] = {}
        self.keys: tuple[str, ...] = ()
        self.plural_keys: frozenset[str] = frozenset()
        for lang in self.languages:
            catalog = self._read(directory / lang / "LC_MESSAGES" / f"{DOMAIN}.po", lang)
            if lang == source:
                self.keys = tuple(m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id)
                self.plural_keys = frozenset(m.id[0] for m in catalog if m.id and m.pluralizable)
            buffer = io.BytesIO()
            write_mo(buffer, catalog)  # only translated messages: a missing one falls back to the source
            buffer.seek(0)
            translations = gettext.GNUTranslations(buffer)
            if lang != source:
                translations.add_fallback(self._translations[source])
            self._translations[lang] = translations

    @classmethod
    def beside(cls, module_file: str) -> Catalogues:
        """The catalogues of the `locales` folder next to a module: an adapter's own messages (its menus), e.g.
        `Catalogues.beside(__file__)` in adapters/discord/i18n.py for adapters/discord/locales."""
        return cls(Path(module_file).with_name("locales"))

    @staticmethod
    def _read(path: Path, lang: str):
        with path.open("rb") as f:
            catalog = read_po(f, locale=lang, domain=DOMAIN)
        for message in catalog:
            if not message.id:
                continue
            if isinstance(message.string, tuple):
                message.string = tuple(typeset(s) for s in message.string)
            elif message.string:
                message.string = typeset(message.string)
        return catalog

    def _for(self, lang: str) -> gettext.GNUTranslations:
        return self._translations.get(lang) or self._translations[self.source]

    def template(self, key: str, lang: str, n: int | None = None) -> str:
        """The message's text, placeholders unfilled; for a message with plural forms, the form for n."""
        if (n is None) == (key in self.plural_keys):
            if key in self.plural_keys:
                raise TypeError(f"message {key!r} has plural forms: use tn({key!r}, lang, n)")
            raise KeyError(key)
        if n is not None:
            return self._for(lang).ngettext(key, key, n)
        text = self._for(lang).gettext(key)
        if text == key and key not in self.keys:
            raise KeyError(key)
        return text

    def t(self, key: str, lang: str, **values: object) -> str:
        text = self.template(key, lang)
        return text.format(**values) if values else text

    def tn(self, key: str, lang: str, n: int, **values: object) -> str:
        return self.template(key, lang, n).format(n=n, **values)

    def messages(self) -> dict[str, dict[str, str]]:
        """Every message as {key: {lang: text}} (a plural message: its form for 2), for checks and benchmarks."""
        return {key: {lang: self.template(key, lang, 2 if key in self.plural_keys else None)
                      for lang in self.languages} for key in self.keys}


CATALOGUES = Catalogues()
UI_LANGUAGES = CATALOGUES.languages  # the core catalogue's (each adapter's own has the same: tests/test_i18n.py)
# The languages a chat can choose for its replies: a catalogue, and the plan's content in that language
# (knowledge.schema.Localized has one field per language).
LANGUAGES = tuple(lang for lang in UI_LANGUAGES if lang in Localized.model_fields)
# MESSAGES[key][lang]: every text, placeholders unfilled (for checks and benchmarks that read them all).
MESSAGES: Mapping[str, dict[str, str]] = MappingProxyType(CATALOGUES.messages())


def t(key: str, lang: str, **values: object) -> str:
    return CATALOGUES.t(key, lang, **values)


def tn(key: str, lang: str, n: int, **values: object) -> str:
    return CATALOGUES.tn(key, lang, n, **values)


def colon(lang: str) -> str:
    """Between a label and its value: "Status:" in English, "Statut :" (narrow no-break space) in French."""
    return t("colon", lang)


def language_name(code: str, lang: str) -> str:
    """A language's name in `lang`, from Babel's CLDR data: ("fr", "en") -> "French", ("en", "fr") -> "anglais"."""
    return Locale.parse(code).get_language_name(lang) or code


def labelled(key: str, lang: str, **values: object) -> str:
    """A message used as a label, with its colon: "Led by:" / "Pilotage :"; the caller adds the value."""
    return t(key, lang, **values) + colon(lang)


def pick_language(*candidates: str | None, default: str = "en", choices: Iterable[str] = LANGUAGES) -> str:
    """First candidate that is (or starts with) a supported language: 'fr-FR' -> 'fr'."""
    choices = tuple(choices)
    for candidate in candidates:
        if candidate:
            code = candidate.strip().lower()[:2]
            if code in choices:
                return code
    return default
