"""The slash command menu in every catalogue language (texts from adapters/discord/locales) and autocomplete over
the plan's items."""

from __future__ import annotations

import discord
from discord import app_commands

from adapters.discord.i18n import CATALOGUES, UI_LANGUAGES, t
from bot.plan.text import fold
from knowledge.loader import KnowledgeBase

CHOICES_LIMIT = 25
CHOICE_NAME_LIMIT = 100


def L(key: str) -> app_commands.locale_str:
    """A menu text in English, translated by CoreTranslator from the same message key."""
    return app_commands.locale_str(t(key, CATALOGUES.source), key=key)


def L_fixed(en: str, fr: str) -> app_commands.locale_str:
    """A menu text whose French is given here (labels owned by the core, e.g. status levels)."""
    return app_commands.locale_str(en, fr=fr)


class CoreTranslator(app_commands.Translator):
    """Gives Discord every description, option description and choice in each catalogue language other than
    English (Discord locale "fr" -> catalogue "fr"; "pt-BR" -> "pt")."""

    async def translate(
        self, string: app_commands.locale_str, locale: discord.Locale, context: app_commands.TranslationContext
    ) -> str | None:
        lang = locale.value.split("-")[0].lower()
        if lang == CATALOGUES.source or lang not in UI_LANGUAGES:
            return None
        key = string.extras.get("key")
        return t(key, lang) if key else string.extras.get(lang)


def _label(item_id: str, title: str) -> str:
    name = f"{item_id} · {' '.join(title.split())}"
    return name if len(name) <= CHOICE_NAME_LIMIT else name[: CHOICE_NAME_LIMIT - 1] + "…"


def _rank(query: str, item_id: str, title: str) -> int | None:
    """0: the id starts with what was typed; 1: a word of the title does; 2: the title contains it."""
    if not query:
        return 1
    if item_id.casefold().startswith(query):
        return 0
    folded = fold(title)
    if any(word.startswith(query) for word in folded.split()):
        return 1
    return 2 if query in folded else None


def item_choices(
    kb: KnowledgeBase, current: str, lang: str, *, institutions: bool = False
) -> list[app_commands.Choice[str]]:
    """Commitments, actions and topics (and institutions, to follow them) matching what the user typed."""
    query = fold(current).strip()
    entries: list[tuple[str, str, str]] = []  # (id shown, title, value sent)
    entries += [(c.id, getattr(c.title, lang), c.id) for c in kb.commitments.values()]
    entries += [(a.id, getattr(a.title, lang), a.id) for a in kb.actions.values()]
    if institutions:
        entries.append(("all", t("dc_choice_all", lang), "all"))
        for inst in kb.institutions.values():
            short = inst.acronyms[0] if inst.acronyms else inst.id
            entries.append((short, getattr(inst.name, lang), short))
    else:
        entries += [(tp.id, getattr(tp.title, lang), tp.id) for tp in kb.topics.values()]
    ranked = []
    for order, (shown, title, value) in enumerate(entries):
        rank = _rank(query, shown, title)
        if rank is not None:
            ranked.append((rank, order, shown, title, value))
    ranked.sort()
    return [app_commands.Choice(name=_label(shown, title), value=value) for _, _, shown, title, value in ranked][
        :CHOICES_LIMIT
    ]
