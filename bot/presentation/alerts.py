"""Turning an outbox notification into the Reply its recipient reads, in the recipient's language."""

from __future__ import annotations

import json
from datetime import date

from cachetools import LRUCache
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import Block, Button, Reply, Style
from bot.following.evidence import recorded_fact
from bot.following.levels import ASSESSOR_LABELS, EMOJI, Assessor, Level, label
from bot.following.overdue import promise_of
from bot.following.subscriptions import Target, TargetIndex, list_targets
from bot.i18n import N_, labelled, t, tn
from bot.plan.pages import page_url
from bot.presentation.answers import citation, divergence_text, fact_block, more_button, short, tracked
from bot.storage.models import Announcement, EvidenceRecord, StatusChange, Subscription
from knowledge.loader import KnowledgeBase

PASSAGE_LIMIT = 500


CACHE_LIMIT = 4096  # rendered bodies, status changes, facts and announcements kept between batches (they never change)
FOLLOWED_KINDS = {"status", "digest", "evidence", "deadline"}  # alerts with unfollow buttons


class AlertRenderer:
    """Renders alerts, once per (status change, fact or deadline, language) whatever the number of recipients.

    A delivery batch first calls `prepare` (the status changes, facts and announcements it names that are not
    cached yet, and every recipient's follows: a few statements for the whole batch); `render` then only reads
    memory, apart from what a caller did not prepare (one notification rendered alone), which it loads itself.
    With `public_url` (PUBLIC_URL), alerts link to the action's public page instead of the plan's passage.
    """

    def __init__(self, kb: KnowledgeBase, default_language: str = "en", public_url: str | None = None):
        self.kb = kb
        self.public_url = public_url
        self.targets = TargetIndex(kb)
        self.default_language = default_language
        self._changes: LRUCache[int, StatusChange] = LRUCache(CACHE_LIMIT)
        self._records: LRUCache[int, EvidenceRecord] = LRUCache(CACHE_LIMIT)
        self._announcements: LRUCache[int, Announcement] = LRUCache(CACHE_LIMIT)
        self._bodies: LRUCache[tuple, tuple[tuple[Block, ...], tuple[tuple[Button, ...], ...]]] = LRUCache(CACHE_LIMIT)

    async def prepare(self, session: AsyncSession, notifications: list) -> None:
        """Load what rendering `notifications` needs, for the whole batch at once.

        Each notification is an object with `payload` and `chat_pk`; its recipient's follows are set on it as
        `follows` (a list of Targets) when its alert has unfollow buttons.
        """
        change_ids: set[int] = set()
        evidence_ids: set[int] = set()
        announcement_ids: set[int] = set()
        followers: set[int] = set()
        for notification in notifications:
            payload = notification.payload
            kind = payload.get("type")
            if kind == "status":
                change_ids.add(payload["change_id"])
            elif kind == "evidence":
                evidence_ids.add(payload["evidence_id"])
            elif kind == "digest":
                change_ids.update(payload.get("change_ids", []))
                evidence_ids.update(payload.get("evidence_ids", []))
            elif kind == "announcement":
                announcement_ids.add(payload["announcement_id"])
            if kind in FOLLOWED_KINDS:
                followers.add(notification.chat_pk)
        change_ids -= self._changes.keys()
        evidence_ids -= self._records.keys()
        announcement_ids -= self._announcements.keys()
        if change_ids:
            for change in await session.scalars(select(StatusChange).where(StatusChange.id.in_(change_ids))):
                self._changes[change.id] = change
        if evidence_ids:
            for record in await session.scalars(select(EvidenceRecord).where(EvidenceRecord.id.in_(evidence_ids))):
                self._records[record.id] = record
        if announcement_ids:
            query = select(Announcement).where(Announcement.id.in_(announcement_ids))
            for announcement in await session.scalars(query):
                self._announcements[announcement.id] = announcement
        if followers:
            follows: dict[int, list[Target]] = {pk: [] for pk in followers}
            rows = await session.execute(
                select(Subscription.chat_pk, Subscription.target_kind, Subscription.target_id)
                .where(Subscription.chat_pk.in_(followers)).order_by(Subscription.id))
            for chat_pk, kind, target_id in rows:
                follows[chat_pk].append(Target(kind, target_id))
            for notification in notifications:
                if notification.chat_pk in follows:
                    notification.follows = follows[notification.chat_pk]

    async def render(self, session: AsyncSession, chat, notification) -> Reply:
        """The Reply for `notification` to `chat` (a Chat, or any object with its `id` and `language`)."""
        lang = chat.language or self.default_language
        payload = notification.payload
        kind = payload.get("type")
        if kind == "status":
            change = await self._change(session, payload["change_id"])
            divergence = payload.get("divergence")
            key = ("status", change.id, _frozen(divergence), lang)
            blocks, buttons = self._cached(key, lambda: self._status(change, lang, divergence))
            return Reply(blocks, buttons + await self._unfollow_buttons(session, chat, notification,
                                                                        [change.action_id], lang))
        if kind == "evidence":
            record = await self._record(session, payload["evidence_id"])
            blocks, buttons = self._cached(("evidence", record.id, lang), lambda: self._evidence(record, lang))
            return Reply(blocks, buttons + await self._unfollow_buttons(session, chat, notification,
                                                                        [record.action_id], lang))
        if kind == "deadline":
            action_id, deadline = payload["action_id"], payload["deadline"]
            blocks, buttons = self._cached(("deadline", action_id, deadline, lang),
                                           lambda: self._deadline(action_id, deadline, lang))
            return Reply(blocks, buttons + await self._unfollow_buttons(session, chat, notification,
                                                                        [action_id], lang))
        if kind == "digest":
            changes = [await self._change(session, i) for i in sorted(set(payload.get("change_ids", [])))]
            records = [await self._record(session, i) for i in sorted(set(payload.get("evidence_ids", [])))]
            deadlines = [tuple(d) for d in payload.get("deadlines", [])]
            divergence = payload.get("divergence") or {}
            key = ("digest", tuple(c.id for c in changes), tuple(r.id for r in records), tuple(deadlines),
                   _frozen(divergence), lang)
            blocks, _ = self._cached(key, lambda: (self._digest(changes, records, deadlines, divergence, lang), ()))
            action_ids = ([c.action_id for c in changes] + [a for a, _ in deadlines] + [r.action_id for r in records])
            return Reply(blocks, await self._unfollow_buttons(session, chat, notification, action_ids, lang))
        if kind == "announcement":
            announcement = await self._announcement_of(session, payload["announcement_id"])
            blocks, _ = self._cached(("announcement", announcement.id, lang),
                                     lambda: (self._announcement(announcement, lang), ()))
            return Reply(blocks)
        if kind == "notice":
            text = payload["text"].get(lang) or payload["text"]["en"]
            return Reply((Block(text),))
        raise ValueError(f"unknown notification payload {kind!r}")

    def page(self, item_id: str, lang: str) -> str | None:
        return page_url(self.public_url, self.kb, item_id, lang)

    def change_lines(self, change: StatusChange, lang: str, divergence: dict[str, str] | None = None) -> list[Block]:
        action = self.kb.actions[change.action_id]
        old, new = Level(change.previous_status), Level(change.status)
        assessor = Assessor(change.assessed_by)
        by = ("; " + t("status_assessed_by", lang, who=ASSESSOR_LABELS[assessor][lang])
              if assessor != Assessor.MAINTAINERS else "")
        lines = [
            Block(f"{action.id} · {getattr(action.title, lang)}", Style.HEADING, self.page(action.id, lang)),
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

    def deadline_lines(self, action_id: str, deadline: str, lang: str) -> list[Block]:
        """A passed deadline of a promise (bot/following/overdue.py): the action, the promise, nothing since."""
        action = self.kb.actions[action_id]
        promise = promise_of(self.kb, action_id, date.fromisoformat(deadline))
        lines = [Block(f"{action.id} · {getattr(action.title, lang)}", Style.HEADING)]
        if promise is not None:
            lines.append(Block(t("overdue_alert_body", lang, promise=getattr(promise, lang),
                                 label=getattr(promise.deadline.label, lang))))
        lines.append(citation(action.source, lang))
        return lines

    def _cached(self, key: tuple, make):
        body = self._bodies.get(key)
        if body is None:
            body = self._bodies[key] = make()
        return body

    async def _change(self, session: AsyncSession, change_id: int) -> StatusChange:
        return await _loaded(session, self._changes, StatusChange, change_id)

    async def _record(self, session: AsyncSession, evidence_id: int) -> EvidenceRecord:
        return await _loaded(session, self._records, EvidenceRecord, evidence_id)

    async def _announcement_of(self, session: AsyncSession, announcement_id: int) -> Announcement:
        return await _loaded(session, self._announcements, Announcement, announcement_id)

    def _more(self, action_id: str, lang: str) -> tuple[tuple[Button, ...], ...]:
        return ((more_button(action_id, lang),),)

    def _status(self, change: StatusChange, lang: str, divergence: dict[str, str] | None = None,
                ) -> tuple[tuple[Block, ...], tuple[tuple[Button, ...], ...]]:
        action = self.kb.actions[change.action_id]
        text = action.text.fr if lang == "fr" and action.text.fr else action.text.en
        blocks = [Block(t("alert_title", lang), Style.META), *self.change_lines(change, lang, divergence)]
        blocks.append(Block(short(text, PASSAGE_LIMIT), Style.QUOTE))
        blocks.append(citation(action.source, lang, page=self.page(action.id, lang)))
        return tuple(blocks), self._more(action.id, lang)

    def _evidence(self, record: EvidenceRecord, lang: str) -> tuple[tuple[Block, ...], tuple[tuple[Button, ...], ...]]:
        blocks = (Block(t("alert_evidence_title", lang), Style.META), *self.evidence_lines(record, lang))
        return blocks, self._more(record.action_id, lang)

    def _deadline(self, action_id: str, deadline: str, lang: str,
                  ) -> tuple[tuple[Block, ...], tuple[tuple[Button, ...], ...]]:
        blocks = (Block(t("overdue_alert_title", lang), Style.META), *self.deadline_lines(action_id, deadline, lang))
        return blocks, self._more(action_id, lang)

    def _digest(self, changes: list[StatusChange], records: list[EvidenceRecord], deadlines: list[tuple[str, str]],
                divergence: dict[str, dict[str, str]], lang: str) -> tuple[Block, ...]:
        # What it holds, by kind: "1 status change, 1 passed deadline" (the facts have their own heading below).
        held = [tn(key, lang, n) for key, n in ((N_("digest_changes"), len(changes)),
                                                         (N_("digest_deadlines"), len(deadlines)))
                if n] or [tn("digest_facts", lang, len(records))]
        blocks = [Block(t("digest_heading", lang, what=", ".join(held)), Style.HEADING)]
        for change in changes:
            blocks += self.change_lines(change, lang, divergence.get(str(change.id)))
            blocks.append(citation(self.kb.actions[change.action_id].source, lang,
                                   page=self.page(change.action_id, lang)))
        for action_id, deadline in deadlines:
            blocks += self.deadline_lines(action_id, deadline, lang)
        if records:
            blocks.append(Block(t("digest_evidence", lang, n=len(records)), Style.META))
            for record in records:
                blocks += self.evidence_lines(record, lang)
        return tuple(blocks)

    def _announcement(self, announcement: Announcement, lang: str) -> tuple[Block, ...]:
        return (Block(t("announcement_title", lang), Style.HEADING), Block(pick_text(announcement.text, lang)))

    async def _unfollow_buttons(self, session, chat, notification, action_ids: list[str],
                                lang: str) -> tuple[tuple[Button, ...], ...]:
        """One unfollow button per follow of this chat that caused the alert (at most five)."""
        follows = getattr(notification, "follows", None)
        if follows is None:
            follows = await list_targets(session, chat)
        covering = []
        for target in follows:
            if any(target.covers(self.kb, a) for a in action_ids) and target not in covering:
                covering.append(target)
        buttons = []
        for target in covering[:5]:
            name = "all" if target.kind == "all" else target.id
            buttons.append((Button(t("btn_unfollow", lang, id=short(self.targets.describe(target, lang), 40)),
                                   f"unfollow {name}"),))
        return tuple(buttons)


def _frozen(value) -> str:
    """A payload part as a cache-key component (dicts are not hashable)."""
    return json.dumps(value, sort_keys=True) if value else ""


async def _loaded(session: AsyncSession, cache: LRUCache, model, row_id: int):
    """A row that never changes (status change, fact, announcement), from the cache or loaded once."""
    row = cache.get(row_id)
    if row is None:
        row = await session.get(model, row_id)
        if row is None:
            raise LookupError(f"{model.__tablename__} row {row_id} not found")
        cache[row_id] = row
    return row


def pick_text(text: str, lang: str) -> str:
    """Announcements may carry both languages as 'English text || texte français'."""
    if "||" in text:
        english, _, french = text.partition("||")
        return (french if lang == "fr" else english).strip() or text.replace("||", "").strip()
    return text
