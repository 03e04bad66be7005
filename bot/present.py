"""The one place that turns plan items and statuses into replies, in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain import Block, Button, Reply, Style
from bot.i18n import t
from bot.status import EMOJI, Level, label
from bot.statuses import NO_EVIDENCE, CurrentStatus, count_levels
from knowledge.loader import KnowledgeBase
from knowledge.schema import PLAN_DOCUMENT, Action, Commitment, Source, Topic

QUOTE_LIMIT = 1500
BUTTON_LABEL = 60


def colon(lang: str) -> str:
    """French typography puts a (narrow) space before a colon."""
    return "\u202f:" if lang == "fr" else ":"


def short(text: str, limit: int = BUTTON_LABEL) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,;:.") + "…"


def item_label(item: Commitment | Action | Topic, lang: str) -> str:
    return f"{item.id} · {short(getattr(item.title, lang))}"


def status_text(status: CurrentStatus, lang: str) -> str:
    if not status.recorded:
        # Not "No evidence available": for a plan that ended in 2023 that reads as "nothing was done".
        return f"{EMOJI[status.level]} " + t("status_unrated", lang)
    line = f"{EMOJI[status.level]} " + t("status_line", lang, label=label(status.level, lang))
    parts = [line + " — " + t("status_since", lang, date=status.effective_date.isoformat())]
    if status.note:
        parts.append(status.note)
    if status.source_url:
        parts.append(f"{t('status_source', lang)}{colon(lang)} {status.source_url}")
    return "\n".join(parts)


def level_counts_text(counts: dict[Level, int], lang: str) -> str:
    return " · ".join(f"{EMOJI[level]} {label(level, lang)}{colon(lang)} {counts[level]}" for level in Level if counts.get(level))


# The plan's section names are English; a French reader gets them in French. A roadmap heading is the French
# title of the action's aim when the caller gives it; any other English heading is quoted as the document's.
_SECTION_WORDS_FR = {
    "Commitment": "Engagement", "Roadmap": "Feuille de route", "Issues": "Enjeux", "Introduction": "Introduction",
    "Appendices": "Annexes", "Appendix": "Annexe", "and": "et",
    "Action plan drafting process": "Élaboration du plan d'action",
    "What is a commitment?": "Qu'est-ce qu'un engagement ?", "Open d'Etat forums": "Forums Open d'État",
}


def _section(section: str, lang: str, heading: str | None = None) -> str:
    if lang != "fr":
        return section
    parts = [part.strip() for part in section.split("›")]
    out = []
    for i, part in enumerate(parts):
        if heading and i == len(parts) - 1 and i >= 2:
            out.append(heading)
            continue
        if part in _SECTION_WORDS_FR:
            out.append(_SECTION_WORDS_FR[part])
            continue
        words = part.split()
        if words and words[0] in _SECTION_WORDS_FR:
            out.append(" ".join(_SECTION_WORDS_FR.get(w, w) for w in words))
        else:
            out.append(f"« {part} »")
    return " › ".join(out)


def citation(source: Source, lang: str, heading: str | None = None, page: str | None = None) -> Block:
    """The source line; `heading`: the French title of the section's last heading, when known. It links to the
    item's public `page` when there is one (PUBLIC_URL), else to the plan's source."""
    document = t("plan_document", lang, document=source.document) if source.document == PLAN_DOCUMENT else source.document
    section = _section(source.section, lang, heading)
    return Block(t("citation", lang, document=document, section=section), Style.META, page or source.url)


def _plan_quote(english: str, french: str | None, lang: str) -> Block:
    text = french if lang == "fr" and french else english
    if len(text) > QUOTE_LIMIT:
        text = text[:QUOTE_LIMIT].rsplit(" ", 1)[0] + " […]"
    return Block(text, Style.QUOTE)


def follow_button(item_id: str, lang: str, following: bool = False) -> Button:
    key = "btn_unfollow" if following else "btn_follow"
    return Button(t(key, lang, id=item_id), f"{'unfollow' if following else 'follow'} {item_id}")


def show_action(
    kb: KnowledgeBase, action: Action, status: CurrentStatus, lang: str, following: bool = False,
    *, page: str | None = None,
) -> Reply:
    commitment = kb.commitments[action.commitment]
    institutions = ", ".join(_institution_name(i, lang) for i in kb.institutions_of(action))
    blocks = [
        Block(f"{t('action_label', lang, id=action.id)} — {getattr(action.title, lang)}", Style.HEADING),
        Block(getattr(action.summary, lang)),
        Block(f"{t('commitment_label', lang, id=commitment.id)}{colon(lang)} {getattr(commitment.title, lang)}", Style.META),
        Block(f"{t('implemented_by', lang)}{colon(lang)} {institutions}"),
    ]
    if action.promises:
        promised = "\n".join(f"• {getattr(p, lang)}" for p in action.promises)
        blocks.append(Block(f"{t('promises', lang)}{colon(lang)}\n{promised}"))
    blocks.append(Block(status_text(status, lang)))
    blocks.append(Block(t("plan_says", lang) + colon(lang), Style.META))
    blocks.append(_plan_quote(action.text.en, action.text.fr, lang))
    blocks.append(citation(action.source, lang, action.aim.fr, page))
    buttons = (
        (follow_button(action.id, lang, following),),
        (Button(t("btn_back", lang) + f" · {commitment.id}", f"browse {commitment.id}"), _browse_button(lang)),
    )
    return Reply(tuple(blocks), buttons)


def show_commitment(
    kb: KnowledgeBase, commitment: Commitment, statuses: dict[str, CurrentStatus], lang: str,
    following: bool = False, *, page: str | None = None,
) -> Reply:
    actions = kb.actions_of(commitment.id)
    leads = ", ".join(_institution_name(i, lang) for i in kb.institutions_of(commitment))
    aims = "\n".join(f"• {getattr(aim, lang)}" for aim in commitment.aims)
    counts = count_levels(statuses, [a.id for a in actions])
    blocks = [
        Block(f"{t('commitment_label', lang, id=commitment.id)} — {getattr(commitment.title, lang)}", Style.HEADING),
        Block(getattr(commitment.summary, lang)),
        Block(f"{t('lead', lang)}{colon(lang)} {leads}"),
        Block(f"{t('aims', lang)}{colon(lang)}\n{aims}"),
        Block(f"{t('status_counts', lang, n=len(actions))}{colon(lang)} {level_counts_text(counts, lang)}"),
        Block(t("plan_says", lang) + colon(lang), Style.META),
        _plan_quote(commitment.issues.en, commitment.issues.fr, lang),
        citation(commitment.source, lang, page=page),
    ]
    buttons = [(follow_button(commitment.id, lang, following),)]
    buttons += [(Button(item_label(a, lang), f"show {a.id}"),) for a in actions]
    buttons.append((_browse_button(lang),))
    return Reply(tuple(blocks), tuple(buttons))


def show_topic(topic: Topic, lang: str, *, page: str | None = None) -> Reply:
    blocks = (
        Block(f"{t('topic_label', lang)} ({topic.id}) — {getattr(topic.title, lang)}", Style.HEADING),
        Block(getattr(topic.answer, lang)),
        citation(topic.source, lang, page=page),
    )
    return Reply(blocks, ((_browse_button(lang),),))


def browse(kb: KnowledgeBase, lang: str, *, edit: bool = False) -> Reply:
    blocks = (Block(t("browse_title", lang), Style.HEADING), Block(t("browse_pick", lang)))
    buttons = tuple((Button(item_label(c, lang), f"browse {c.id}"),) for c in kb.commitments.values())
    return Reply(blocks, buttons, edit=edit)


def browse_commitment(kb: KnowledgeBase, commitment: Commitment, lang: str, *, edit: bool = False) -> Reply:
    blocks = (
        Block(t("commitment_actions", lang, id=commitment.id), Style.HEADING),
        Block(getattr(commitment.title, lang)),
    )
    buttons = [(Button(item_label(a, lang), f"show {a.id}"),) for a in kb.actions_of(commitment.id)]
    buttons.append((Button(t("btn_more", lang) + f" · {commitment.id}", f"show {commitment.id}"),))
    buttons.append((Button(t("btn_back", lang), "browse"),))
    return Reply(blocks, tuple(buttons), edit=edit)


def status_overview(kb: KnowledgeBase, statuses: dict[str, CurrentStatus], lang: str) -> Reply:
    blocks = [Block(t("status_title", lang), Style.HEADING)]
    total = count_levels(statuses, list(kb.actions))
    blocks.append(Block(level_counts_text(total, lang)))
    if not statuses:
        blocks.append(Block(t("status_overview_none", lang)))
    for c in kb.commitments.values():
        actions = kb.actions_of(c.id)
        lines = [f"{c.id} · {getattr(c.title, lang)}"]
        lines += [
            f"  {EMOJI[statuses.get(a.id, NO_EVIDENCE).level]} {a.id} {short(getattr(a.title, lang), 70)}"
            for a in actions
        ]
        blocks.append(Block("\n".join(lines), Style.ITEM))
    return Reply(tuple(blocks), ((Button("📊 " + t("progress_title", lang), "progress"),),))


def not_sure(kb: KnowledgeBase, suggestion_ids: Iterable[str], lang: str, *, close: str | None = None) -> Reply:
    """The plan doesn't answer: offer the close item (a point it doesn't cover), relevant suggestions, or
    browsing and an example question when nothing in the plan is near."""
    close_item = kb.get(close) if close else None
    if close_item:
        return Reply((Block(t("not_covered", lang)),),
                     ((Button(item_label(close_item, lang), f"show {close_item.id}"),), (_browse_button(lang),)))
    items = [kb.get(i) for i in suggestion_ids]
    buttons = [(Button(item_label(item, lang), f"show {item.id}"),) for item in items if item][:3]
    if not buttons:
        return Reply((Block(t("not_found", lang)), Block(t("not_found_example", lang), Style.META)),
                     ((_browse_button(lang),),))
    blocks = (Block(t("not_sure", lang)), Block(t("browse_hint", lang), Style.META))
    return Reply(blocks, (*buttons, (_browse_button(lang),)))


# -- a question's answer: the answering sentence and one line; the rest behind buttons (issue 8) ------------
LEADS_SHOWN = 2  # institutions named on the answer's line; the others are counted


def kind_label(item: Commitment | Action | Topic, lang: str) -> str:
    if isinstance(item, Action):
        return t("action_label", lang, id=item.id)
    if isinstance(item, Commitment):
        return t("commitment_label", lang, id=item.id)
    return f"{t('topic_label', lang)} ({item.id})"


def short_leads(kb: KnowledgeBase, item: Commitment | Action | Topic, lang: str) -> str:
    """Who leads it, briefly: one institution by its name, several by their acronyms where they have one (at
    most LEADS_SHOWN of them, and how many more)."""
    institutions = kb.institutions_of(item)
    if len(institutions) == 1:
        return _institution_name(institutions[0], lang)
    names = [inst.acronyms[0] if inst.acronyms else getattr(inst.name, lang) for inst in institutions]
    if len(names) > LEADS_SHOWN:
        return ", ".join(names[:LEADS_SHOWN]) + " " + t("and_more", lang, n=len(names) - LEADS_SHOWN)
    return ", ".join(names)


def answer_buttons(item: Commitment | Action | Topic, lang: str, *, following: bool = False,
                   related_ids: Iterable[str] = ()) -> tuple[tuple[Button, ...], ...]:
    """Plan text, related items (the question's other matches ride along), follow, browse."""
    related_command = " ".join(["related", item.id, *related_ids])
    rows = [(Button(t("btn_plan_text", lang), f"plan {item.id}"), Button(t("btn_related", lang), related_command))]
    if isinstance(item, Topic):
        rows.append((_browse_button(lang),))
    else:
        rows.append((follow_button(item.id, lang, following), _browse_button(lang)))
    return tuple(rows)


def answer(kb: KnowledgeBase, item: Commitment | Action | Topic, lead: str, status_line: str | None, lang: str,
           *, following: bool = False, related_ids: Iterable[str] = (), page: str | None = None) -> Reply:
    """A question's reply: the sentence that answers it, then one line — id, title, who leads it, status (a
    link to the item's public `page` when there is one)."""
    parts = [kind_label(item, lang), short(getattr(item.title, lang), 90)]
    leads = short_leads(kb, item, lang)
    if leads:
        parts.append(leads)
    if status_line:
        parts.append(status_line)
    blocks = (Block(lead), Block(" · ".join(parts), Style.META, page))
    return Reply(blocks, answer_buttons(item, lang, following=following, related_ids=related_ids))


def short_status(status: CurrentStatus, lang: str) -> str:
    """The first line of status_text: the level (and since when), without the note and the source."""
    if not status.recorded:
        return f"{EMOJI[status.level]} " + t("status_unrated_short", lang)
    return status_text(status, lang).split("\n", 1)[0]


def plan_text(kb: KnowledgeBase, item: Commitment | Action | Topic, lang: str, following: bool = False,
              *, page: str | None = None) -> Reply:
    """What the plan itself says about an item: its passage, what it promises (or aims at), the source."""
    blocks = [Block(f"{kind_label(item, lang)} — {getattr(item.title, lang)}", Style.HEADING)]
    if isinstance(item, Topic):
        blocks.append(Block(getattr(item.answer, lang)))
    else:
        passage = item.text if isinstance(item, Action) else item.issues
        blocks.append(Block(t("plan_says", lang) + colon(lang), Style.META))
        blocks.append(Block(passage.fr if lang == "fr" and passage.fr else passage.en, Style.QUOTE))
        listed = item.promises if isinstance(item, Action) else item.aims
        if listed:
            heading = t("promises" if isinstance(item, Action) else "aims", lang)
            blocks.append(Block(f"{heading}{colon(lang)}\n" + "\n".join(f"• {getattr(p, lang)}" for p in listed)))
    blocks.append(citation(item.source, lang, page=page))
    rows = [(Button(t("btn_related", lang), f"related {item.id}"), Button(t("btn_more", lang), f"show {item.id}"))]
    if not isinstance(item, Topic):
        rows.append((follow_button(item.id, lang, following),))
    return Reply(tuple(blocks), tuple(rows))


def related_items(kb: KnowledgeBase, item: Commitment | Action | Topic, ids: Iterable[str], lang: str) -> Reply:
    """Items close to this one, each a button: first the ones given (a question's other matches)."""
    items = [other for other in (kb.get(i) for i in ids) if other is not None and other.id != item.id]
    blocks = [Block(t("related_title", lang, item=f"{item.id} · {short(getattr(item.title, lang), 70)}"),
                    Style.HEADING)]
    if not items:
        blocks.append(Block(t("related_none", lang)))
    buttons = [(Button(item_label(other, lang), f"show {other.id}"),) for other in items]
    buttons.append((Button(t("btn_back", lang) + f" · {item.id}", f"show {item.id}"), _browse_button(lang)))
    return Reply(tuple(blocks), tuple(buttons))


def _browse_button(lang: str) -> Button:
    return Button(t("btn_browse", lang), "browse")


def _institution_name(inst, lang: str) -> str:
    name = getattr(inst.name, lang)
    return f"{name} ({inst.acronyms[0]})" if inst.acronyms else name


institution_name = _institution_name  # for the follow-up answers (bot/handlers/context.py)
