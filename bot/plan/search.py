"""Turn the knowledge base into matcher documents: which text of an item goes into which weighted field."""

from __future__ import annotations

from bot.plan.matcher import Document, Matcher
from knowledge.loader import KnowledgeBase
from knowledge.schema import Institution, Localized


def _both(text: Localized) -> list[str]:
    return [text.en, text.fr]


def _institution_names(institutions: list[Institution]) -> list[str]:
    names: list[str] = []
    for inst in institutions:
        names += [inst.name.en, inst.name.fr, *inst.acronyms, *inst.aliases.all()]
    return names


def documents(kb: KnowledgeBase) -> list[Document]:
    docs: list[Document] = []
    for c in kb.commitments.values():
        institutions = _institution_names(kb.institutions_of(c))
        docs.append(
            Document(
                id=c.id,
                kind="commitment",
                title=c.title.en,
                fields={
                    "title": _both(c.title),
                    "keyword": c.keywords.all(),
                    "summary": _both(c.summary),
                    "aim": [text for aim in c.aims for text in _both(aim)],
                    "text": [c.issues.en, c.issues.fr or ""],
                    "institution": institutions,
                },
                phrases={"keyword": c.keywords.all(), "title": _both(c.title)},
            )
        )
    for a in kb.actions.values():
        institutions = _institution_names(kb.institutions_of(a))
        docs.append(
            Document(
                id=a.id,
                kind="action",
                title=a.title.en,
                fields={
                    "title": _both(a.title),
                    "alias": a.aliases.all(),
                    "keyword": a.keywords.all(),
                    "summary": [*_both(a.summary), *(t for p in a.promises for t in _both(p))],
                    "aim": _both(a.aim),
                    "text": [a.text.en, a.text.fr or ""],
                    "institution": institutions,
                },
                phrases={
                    "alias": a.aliases.all(),
                    "keyword": a.keywords.all(),
                    "title": _both(a.title),
                    "institution": institutions,
                },
            )
        )
    for topic in kb.topics.values():
        docs.append(
            Document(
                id=topic.id,
                kind="topic",
                title=topic.title.en,
                fields={"title": _both(topic.title), "keyword": topic.keywords.all(), "summary": _both(topic.answer)},
                phrases={"keyword": topic.keywords.all(), "title": _both(topic.title)},
            )
        )
    return docs


def build_matcher(kb: KnowledgeBase) -> Matcher:
    return Matcher(documents(kb))
