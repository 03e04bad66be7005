"""Turning an outbox notification into the Reply its recipient reads, in the recipient's language."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import Block, Button, Reply, Style
from bot.evidence import recorded_fact
from bot.i18n import labelled, t, tn
from bot.overdue import promise_of
from bot.present import citation, divergence_text, fact_block, short, tracked
from bot.status import ASSESSOR_LABELS, EMOJI, Assessor, Level, label
from bot.storage.models import Announcement, Chat, EvidenceRecord, Notification, StatusChange
from bot.subscriptions import TargetIndex, list_targets
from knowledge.loader import KnowledgeBase

PASSAGE_LIMIT = 500


class AlertRenderer:
    def __init__(self, kb: KnowledgeBase, default_language: str = "en"):
        self.kb = kb
        self.targets = TargetIndex(kb)
        self.default_language = default_language

    async def render(self, session: AsyncSession, chat: Chat, notification: Notification) -> Reply:
        lang = chat.language or self.default_language
        payload = notification.payload
        kind = payload.get("type")
        if kind == "status":
            change = await session.get(StatusChange, payload["change_id"])
            return await self._status(session, chat, change, lang, payload.get("divergence"))
        if kind == "evidence":
            record = await session.get(EvidenceRecord, payload["evidence_id"])
            return await self._evidence(session, chat, record, lang)
        if kind == "digest":
            return await self._digest(session, chat, payload.get("change_ids", []), lang,
                                      payload.get("evidence_ids", []), payload.get("divergence", {}),
                                      payload.get("deadlines", []))
        if kind == "deadline":
            return await self._deadline(session, chat, payload["action_id"], payload["deadline"], lang)
        if kind == "announcement":
            announcement = await session.get(Announcement, payload["announcement_id"])
            return self._announcement(announcement, lang)
        if kind == "notice":
            text = payload["text"].get(lang) or payload["text"]["en"]
            return Reply((Block(text),))
        raise ValueError(f"unknown notification payload {kind!r}")

    def change_lines(self, change: StatusChange, lang: str, divergence: dict[str, str] | None = None) -> list[Block]:
        action = self.kb.actions[change.action_id]
        old, new = Level(change.previous_status), Level(change.status)
        assessor = Assessor(change.assessed_by)
        by = ("; " + t("status_assessed_by", lang, who=ASSESSOR_LABELS[assessor][lang])
              if assessor != Assessor.MAINTAINERS else "")
        lines = [
            Block(f"{action.id} · {getattr(action.title, lang)}", Style.HEADING),
            Block(f"{EMOJI[old]} {label(old, lang)} → {EMOJI[new]} {label(new, lang)} "
                  + "(" + t("status_since", lang, date=change.effective_date.isoformat()) + f"{by})"
                  + tracked(change, lang)),
        ]
        if divergence:
            lines.append(Block(divergence_text({Assessor(s): Level(v) for s, v in divergence.items()}, lang)))
        if change.note:
            lines.append(Block(change.note))
        if change.source_url:
            lines.append(Block(labelled("status_source", lang) + f" {change.source_url}", Style.META))
        return lines

    def evidence_lines(self, record: EvidenceRecord, lang: str) -> list[Block]:
        action = self.kb.actions[record.action_id]
        return [Block(f"{action.id} · {getattr(action.title, lang)}", Style.HEADING),
                fact_block(recorded_fact(record), lang, reporter=True)]

    async def _evidence(self, session: AsyncSession, chat: Chat, record: EvidenceRecord, lang: str) -> Reply:
        blocks = [Block(t("alert_evidence_title", lang), Style.META), *self.evidence_lines(record, lang)]
        buttons = [(Button(t("btn_more", lang) + f" · {record.action_id}", f"show {record.action_id}"),)]
        buttons += await self._unfollow_buttons(session, chat, [record.action_id], lang)
        return Reply(tuple(blocks), tuple(buttons))

    async def _status(self, session: AsyncSession, chat: Chat, change: StatusChange, lang: str,
                      divergence: dict[str, str] | None = None) -> Reply:
        action = self.kb.actions[change.action_id]
        text = action.text.fr if lang == "fr" and action.text.fr else action.text.en
        blocks = [Block(t("alert_title", lang), Style.META), *self.change_lines(change, lang, divergence)]
        blocks.append(Block(short(text, PASSAGE_LIMIT), Style.QUOTE))
        blocks.append(citation(action.source, lang))
        buttons = [(Button(t("btn_more", lang) + f" · {action.id}", f"show {action.id}"),)]
        buttons += await self._unfollow_buttons(session, chat, [change.action_id], lang)
        return Reply(tuple(blocks), tuple(buttons))

    async def _digest(self, session: AsyncSession, chat: Chat, change_ids: list[int], lang: str,
                      evidence_ids: list[int] = (), divergence: dict[str, dict[str, str]] | None = None,
                      deadlines: list[list[str]] = ()) -> Reply:
        rows = await session.scalars(select(StatusChange).where(StatusChange.id.in_(change_ids)).order_by(StatusChange.id))
        changes = list(rows)
        records = list(await session.scalars(
            select(EvidenceRecord).where(EvidenceRecord.id.in_(list(evidence_ids))).order_by(EvidenceRecord.id)))
        news = len(changes) + len(deadlines)
        blocks = [Block(tn("digest_title", lang, news) if news else
                        tn("digest_title_evidence", lang, len(records)), Style.HEADING)]
        for change in changes:
            blocks += self.change_lines(change, lang, (divergence or {}).get(str(change.id)))
            blocks.append(citation(self.kb.actions[change.action_id].source, lang))
        for action_id, deadline in deadlines:
            blocks += self.deadline_lines(action_id, deadline, lang)
        if records:
            blocks.append(Block(t("digest_evidence", lang, n=len(records)), Style.META))
            for record in records:
                blocks += self.evidence_lines(record, lang)
        action_ids = ([c.action_id for c in changes] + [action_id for action_id, _ in deadlines]
                      + [r.action_id for r in records])
        buttons = await self._unfollow_buttons(session, chat, action_ids, lang)
        return Reply(tuple(blocks), tuple(buttons))

    def deadline_lines(self, action_id: str, deadline: str, lang: str) -> list[Block]:
        """A passed deadline of a promise (bot/overdue.py): the action, the promise, nothing since."""
        action = self.kb.actions[action_id]
        promise = promise_of(self.kb, action_id, date.fromisoformat(deadline))
        lines = [Block(f"{action.id} · {getattr(action.title, lang)}", Style.HEADING)]
        if promise is not None:
            lines.append(Block(t("overdue_alert_body", lang, promise=getattr(promise, lang),
                                 label=getattr(promise.deadline.label, lang))))
        lines.append(citation(action.source, lang))
        return lines

    async def _deadline(self, session: AsyncSession, chat: Chat, action_id: str, deadline: str, lang: str) -> Reply:
        blocks = [Block(t("overdue_alert_title", lang), Style.META), *self.deadline_lines(action_id, deadline, lang)]
        buttons = [(Button(t("btn_more", lang) + f" · {action_id}", f"show {action_id}"),)]
        buttons += await self._unfollow_buttons(session, chat, [action_id], lang)
        return Reply(tuple(blocks), tuple(buttons))

    def _announcement(self, announcement: Announcement, lang: str) -> Reply:
        return Reply((Block(t("announcement_title", lang), Style.HEADING), Block(pick_text(announcement.text, lang))))

    async def _unfollow_buttons(self, session, chat: Chat, action_ids: list[str], lang: str) -> list[tuple[Button, ...]]:
        """One unfollow button per follow of this chat that caused the alert (at most five)."""
        covering = []
        for target in await list_targets(session, chat):
            if any(target.covers(self.kb, a) for a in action_ids) and target not in covering:
                covering.append(target)
        buttons = []
        for target in covering[:5]:
            name = "all" if target.kind == "all" else target.id
            buttons.append((Button(t("btn_unfollow", lang, id=short(self.targets.describe(target, lang), 40)),
                                   f"unfollow {name}"),))
        return buttons


def pick_text(text: str, lang: str) -> str:
    """Announcements may carry both languages as 'English text || texte français'."""
    if "||" in text:
        english, _, french = text.partition("||")
        return (french if lang == "fr" else english).strip() or text.replace("||", "").strip()
    return text
