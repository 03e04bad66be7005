"""Where an item's public page is (issue 13): the one URL scheme shared by the web pages and the chat replies."""

from __future__ import annotations

from knowledge.loader import KnowledgeBase


def lang_prefix(lang: str) -> str:
    """English pages have no prefix; French ones live under /fr."""
    return "/fr" if lang == "fr" else ""


def section_of(kb: KnowledgeBase, item_id: str) -> str | None:
    if item_id in kb.actions:
        return "actions"
    if item_id in kb.commitments:
        return "commitments"
    if item_id in kb.topics:
        return "topics"
    return None


def item_path(kb: KnowledgeBase, item_id: str, lang: str) -> str | None:
    """'/actions/2.12', '/fr/commitments/3', '/topics/about.ogp'; None for an unknown id."""
    section = section_of(kb, item_id)
    return f"{lang_prefix(lang)}/{section}/{item_id}" if section else None


def index_path(lang: str) -> str:
    return "/fr/" if lang == "fr" else "/en/"


def page_url(public_url: str | None, kb: KnowledgeBase, item_id: str, lang: str) -> str | None:
    """The item's page at PUBLIC_URL, or None when PUBLIC_URL is not set (links then go to the plan's passage)."""
    path = item_path(kb, item_id, lang)
    return f"{public_url.rstrip('/')}{path}" if public_url and path else None
