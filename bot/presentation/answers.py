"""The one place that turns plan items and statuses into replies, in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain import Block, Button, Reply, Style
from bot.following.evidence import Fact
from bot.following.levels import ASSESSOR_LABELS, ASSESSOR_SHORT, EMOJI, Assessor, Level, label
from bot.following.overdue import Overdue
from bot.following.status_reads import NO_EVIDENCE, CurrentStatus, count_levels
from bot.i18n import N_, colon, labelled, t, tn, typeset
from knowledge.loader import KnowledgeBase
from knowledge.schema import PLAN_DOCUMENT, Action, Commitment, Promise, Source, Topic

QUOTE_LIMIT = 1500
BUTTON_LABEL = 60


def short(text: str, limit: int = BUTTON_LABEL) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,;:.") + "…"


def item_label(item: Commitment | Action | Topic, lang: str) -> str:
    return f"{item.id} · {short(getattr(item.title, lang))}"


def more_button(item_id: str, lang: str) -> Button:
    """"More · 2.12": the item shown in full (answers, listings and alerts alike)."""
    return Button(t("btn_more", lang) + f" · {item_id}", f"show {item_id}")


def status_text(status: CurrentStatus, lang: str) -> str:
    if not status.recorded:
        # Not "No evidence available": for a plan that ended in 2023 that reads as "nothing was done".
        return f"{EMOJI[status.level]} " + t("status_unrated", lang)
    line = f"{EMOJI[status.level]} " + t("status_line", lang, label=label(status.level, lang))
    line += " — " + t("status_since", lang, date=status.effective_date.isoformat()) + tracked(status, lang)
    if status.assessed_by not in (None, Assessor.MAINTAINERS) and not is_tracker(status.set_by):
        line += " (" + t("status_assessed_by", lang, who=ASSESSOR_LABELS[status.assessed_by][lang]) + ")"
    parts = [line]
    if status.note:
        parts.append(status.note)
    if status.source_url:
        parts.append(labelled("status_source", lang) + f" {status.source_url}")
    return "\n".join(parts)


# -- what happened: evidence and statuses by source (issue 11) ----------------------------------------------
REPORTERS = {"independent_review": N_("reporter_independent_review"), "government": N_("reporter_government"),
             "press": N_("reporter_press"), "maintainers": N_("reporter_maintainers")}
EVIDENCE_SHOWN = 5  # facts listed by `show`; `evidence ID` lists them all


def fact_block(fact: Fact, lang: str, reporter: bool = False) -> Block:
    """One fact as a list entry linking to its source: date — text (publisher[; who reported it])."""
    key = N_("evidence_item_reported") if reporter else N_("evidence_item")
    return Block("• " + t(key, lang, date=fact.date.isoformat(), text=fact.text(lang), publisher=fact.publisher,
                          reporter=t(REPORTERS[fact.reported_by.value], lang)), Style.ITEM, fact.source_url)


def evidence_blocks(action_id: str, facts: list[Fact], lang: str, limit: int | None = EVIDENCE_SHOWN) -> list[Block]:
    """A short dated list, newest first, each linked to its source; nothing when there is no fact."""
    if not facts:
        return []
    shown = facts if limit is None else facts[:limit]
    blocks = [Block(labelled("evidence_heading", lang), Style.META)]
    blocks += [fact_block(fact, lang, reporter=limit is None) for fact in shown]  # the full list says who reported
    if len(facts) > len(shown):
        blocks.append(Block(tn("evidence_earlier", lang, len(facts) - len(shown), id=action_id), Style.META))
    return blocks


def evidence_lead(fact: Fact, lang: str, commitment: bool = False) -> str:
    """The opening sentence of an answer to "is it done?": the latest fact, its date and publisher."""
    key = N_("evidence_lead_commitment") if commitment else N_("evidence_lead")
    return t(key, lang, date=fact.date.isoformat(), publisher=fact.publisher, text=fact.text(lang), id=fact.action_id)


def divergence_text(levels: dict[Assessor, Level], lang: str) -> str:
    listed = " · ".join(f"{ASSESSOR_SHORT[Assessor(source)][lang]}{colon(lang)} {EMOJI[Level(level)]} "
                        f"{label(level, lang)}" for source, level in levels.items())
    return t("divergence", lang, levels=listed)


def source_status_blocks(by_source: dict[Assessor, CurrentStatus], levels: dict[Assessor, Level] | None,
                         lang: str) -> list[Block]:
    """The latest status of each source with its date and link, and a warning when they disagree; nothing when
    a single source (or none) has rated the action (its status line says it all)."""
    if len(by_source) < 2:
        return []
    blocks = [Block(labelled("status_by_source", lang), Style.META)]
    for source, status in by_source.items():
        text = (f"• {ASSESSOR_SHORT[source][lang]}{colon(lang)} {EMOJI[status.level]} {label(status.level, lang)} — "
                f"{status.effective_date.isoformat()}")
        blocks.append(Block(text, Style.ITEM, status.source_url))
    if levels:
        blocks.append(Block(divergence_text(levels, lang)))
    return blocks
def tracked(status: CurrentStatus, lang: str) -> str:
    """' · 60 % complete (government tracker)': the progress a source gives, and the tracker that gave it."""
    text = ""
    if status.progress is not None:
        text += " · " + t("progress_percent", lang, progress=status.progress)
    if is_tracker(status.set_by):
        text += " (" + t("tracker_label", lang) + ")"
    return text


def is_tracker(set_by: str | None) -> bool:
    return bool(set_by) and set_by.startswith(TRACKER_PREFIX)


TRACKER_PREFIX = "decidim"  # set_by of the statuses a Decidim tracker gave (bot/following/decidim.py)


def level_counts_text(counts: dict[Level, int], lang: str) -> str:
    return " · ".join(f"{EMOJI[level]} {label(level, lang)}{colon(lang)} {counts[level]}" for level in Level if counts.get(level))


# The plan's section names are English; a French reader gets them in French. A roadmap heading is the French
# title of the action's aim when the caller gives it; any other English heading is quoted as the document's.
_SECTION_WORDS_FR = {k: typeset(v) for k, v in {
    "Commitment": "Engagement", "Roadmap": "Feuille de route", "Issues": "Enjeux", "Introduction": "Introduction",
    "Appendices": "Annexes", "Appendix": "Annexe", "and": "et",
    "Action plan drafting process": "Élaboration du plan d'action",
    "What is a commitment?": "Qu'est-ce qu'un engagement ?", "Open d'Etat forums": "Forums Open d'État",
}.items()}


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
            out.append(t("section_quoted", lang, text=part))
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
    if following:
        return Button(t("btn_unfollow", lang, id=item_id), f"unfollow {item_id}")
    return Button(t("btn_follow", lang, id=item_id), f"follow {item_id}")


def promise_line(promise: Promise, lang: str) -> str:
    """A promise, and its deadline when the plan dates it."""
    text = getattr(promise, lang)
    if promise.deadline is not None:
        text += " (" + t("promise_due", lang, label=getattr(promise.deadline.label, lang)) + ")"
    return text


def show_action(
    kb: KnowledgeBase, action: Action, status: CurrentStatus, lang: str, following: bool = False,
    facts: list[Fact] = (), by_source: dict[Assessor, CurrentStatus] | None = None,
    disagreement: dict[Assessor, Level] | None = None, overdue: Overdue | None = None,
    *, page: str | None = None,
) -> Reply:
    commitment = kb.commitments[action.commitment]
    institutions = ", ".join(_institution_name(i, lang) for i in kb.institutions_of(action))
    blocks = [
        Block(t("action_label", lang, id=action.id) + f" — {getattr(action.title, lang)}", Style.HEADING),
        Block(getattr(action.summary, lang)),
        Block(labelled("commitment_label", lang, id=commitment.id) + f" {getattr(commitment.title, lang)}", Style.META),
        Block(labelled("implemented_by", lang) + f" {institutions}"),
    ]
    if action.promises:
        promised = "\n".join(f"• {promise_line(p, lang)}" for p in action.promises)
        blocks.append(Block(labelled("promises", lang) + f"\n{promised}"))
    blocks.append(Block(status_text(status, lang)))
    if overdue is not None:
        blocks.append(Block(t("overdue_line", lang, label=overdue.label(lang))))
    blocks += source_status_blocks(by_source or {}, disagreement, lang)
    blocks += evidence_blocks(action.id, list(facts), lang)
    blocks.append(Block(labelled("plan_says", lang), Style.META))
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
        Block(t("commitment_label", lang, id=commitment.id) + f" — {getattr(commitment.title, lang)}", Style.HEADING),
        Block(getattr(commitment.summary, lang)),
        Block(labelled("lead", lang) + f" {leads}"),
        Block(labelled("aims", lang) + f"\n{aims}"),
        Block(labelled("status_counts", lang, n=len(actions)) + f" {level_counts_text(counts, lang)}"),
        Block(labelled("plan_says", lang), Style.META),
        _plan_quote(commitment.issues.en, commitment.issues.fr, lang),
        citation(commitment.source, lang, page=page),
    ]
    buttons = [(follow_button(commitment.id, lang, following),)]
    buttons += [(Button(item_label(a, lang), f"show {a.id}"),) for a in actions]
    buttons.append((_browse_button(lang),))
    return Reply(tuple(blocks), tuple(buttons))


def show_topic(topic: Topic, lang: str, *, page: str | None = None) -> Reply:
    blocks = [
        Block(t("topic_label", lang) + f" ({topic.id}) — {getattr(topic.title, lang)}", Style.HEADING),
        Block(getattr(topic.answer, lang)),
        citation(topic.source, lang, page=page),
    ]
    blocks += after_blocks(topic, lang)
    return Reply(tuple(blocks), ((_browse_button(lang),),))


def after_blocks(topic: Topic, lang: str) -> list[Block]:
    """What came after the plan on this topic (not the plan's words), each linked to its source."""
    if not topic.after:
        return []
    blocks = [Block(labelled("since_the_plan", lang), Style.META)]
    for later in topic.after:
        dated = f"{later.date.isoformat()} — " if later.date else ""
        blocks.append(Block(f"• {dated}{getattr(later.text, lang)} ({later.publisher})", Style.ITEM, later.source))
    return blocks


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
    buttons.append((more_button(commitment.id, lang),))
    buttons.append((Button(t("btn_back", lang), "browse"),))
    return Reply(blocks, tuple(buttons), edit=edit)


def status_overview(kb: KnowledgeBase, statuses: dict[str, CurrentStatus], lang: str,
                    overdue: Iterable[Overdue] = ()) -> Reply:
    blocks = [Block(t("status_title", lang), Style.HEADING)]
    total = count_levels(statuses, list(kb.actions))
    blocks.append(Block(level_counts_text(total, lang)))
    if not statuses:
        blocks.append(Block(t("status_overview_none", lang)))
    overdue = list(overdue)
    if overdue:
        lines = [t("overdue_title", lang, n=len(overdue))]
        lines += [
            "  " + t("overdue_item", lang, id=o.action_id, title=short(getattr(kb.actions[o.action_id].title, lang), 60),
                     label=o.label(lang))
            for o in overdue
        ]
        blocks.append(Block("\n".join(lines), Style.ITEM))
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
    return t("topic_label", lang) + f" ({item.id})"


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
           *, following: bool = False, related_ids: Iterable[str] = (), lead_url: str | None = None,
           page: str | None = None) -> Reply:
    """A question's reply: the sentence that answers it (linked to its source when it is a recorded fact), then
    one line — id, title, who leads it, status (a link to the item's public `page` when there is one)."""
    parts = [kind_label(item, lang), short(getattr(item.title, lang), 90)]
    leads = short_leads(kb, item, lang)
    if leads:
        parts.append(leads)
    if status_line:
        parts.append(status_line)
    blocks = (Block(lead, url=lead_url), Block(" · ".join(parts), Style.META, page))
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
        blocks.append(Block(labelled("plan_says", lang), Style.META))
        blocks.append(Block(passage.fr if lang == "fr" and passage.fr else passage.en, Style.QUOTE))
        listed = item.promises if isinstance(item, Action) else item.aims
        if listed:
            heading = labelled("promises", lang) if isinstance(item, Action) else labelled("aims", lang)
            lines = [promise_line(p, lang) if isinstance(p, Promise) else getattr(p, lang) for p in listed]
            blocks.append(Block(heading + "\n" + "\n".join(f"• {line}" for line in lines)))
    blocks.append(citation(item.source, lang, page=page))
    rows = [(Button(t("btn_related", lang), f"related {item.id}"), Button(t("btn_more", lang), f"show {item.id}"))]
    if not isinstance(item, Topic):
        rows.append((follow_button(item.id, lang, following),))
    return Reply(tuple(blocks), tuple(rows))


def related_items(kb: KnowledgeBase, item: Commitment | Action | Topic, ids: Iterable[str], lang: str) -> Reply:
    """Items close to this one, each a button: first the ones given (a question's other matches)."""
    items = [other for other in (kb.get(i) for i in ids) if other is not None and other.id != item.id]
    name = f"{item.id} · {short(getattr(item.title, lang), 70)}"
    blocks = [Block(t("related_title", lang, item=name), Style.HEADING)]
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


institution_name = _institution_name  # for the follow-up answers (bot/conversation/handlers/followups.py)
