"""Turning an outbox notification into the Reply its recipient reads, in the recipient's language."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import Block, Button, Reply, Style
from bot.i18n import t
from bot.pages import page_url
from bot.present import citation, short
from bot.status import EMOJI, Level, label
from bot.storage.models import Announcement, Chat, Notification, StatusChange
from bot.subscriptions import TargetIndex, list_targets
from knowledge.loader import KnowledgeBase

PASSAGE_LIMIT = 500


class AlertRenderer:
    def __init__(self, kb: KnowledgeBase, default_language: str = "en", public_url: str | None = None):
        """`public_url` (PUBLIC_URL): alerts link to the action's public page instead of the plan's passage."""
        self.kb = kb
        self.public_url = public_url
        self.targets = TargetIndex(kb)
        self.default_language = default_language

    async def render(self, session: AsyncSession, chat: Chat, notification: Notification) -> Reply:
        lang = chat.language or self.default_language
        payload = notification.payload
        kind = payload.get("type")
        if kind == "status":
            change = await session.get(StatusChange, payload["change_id"])
            return await self._status(session, chat, change, lang)
        if kind == "digest":
            return await self._digest(session, chat, payload["change_ids"], lang)
        if kind == "announcement":
            announcement = await session.get(Announcement, payload["announcement_id"])
            return self._announcement(announcement, lang)
        if kind == "notice":
            text = payload["text"].get(lang) or payload["text"]["en"]
            return Reply((Block(text),))
        raise ValueError(f"unknown notification payload {kind!r}")

    def page(self, item_id: str, lang: str) -> str | None:
        return page_url(self.public_url, self.kb, item_id, lang)

    def change_lines(self, change: StatusChange, lang: str) -> list[Block]:
        action = self.kb.actions[change.action_id]
        old, new = Level(change.previous_status), Level(change.status)
        lines = [
            Block(f"{action.id} · {getattr(action.title, lang)}", Style.HEADING, self.page(action.id, lang)),
            Block(f"{EMOJI[old]} {label(old, lang)} → {EMOJI[new]} {label(new, lang)} "
                  f"({t('status_since', lang, date=change.effective_date.isoformat())})"),
        ]
        if change.note:
            lines.append(Block(change.note))
        if change.source_url:
            lines.append(Block(f"{t('status_source', lang)}: {change.source_url}", Style.META))
        return lines

    async def _status(self, session: AsyncSession, chat: Chat, change: StatusChange, lang: str) -> Reply:
        action = self.kb.actions[change.action_id]
        text = action.text.fr if lang == "fr" and action.text.fr else action.text.en
        blocks = [Block(t("alert_title", lang), Style.META), *self.change_lines(change, lang)]
        blocks.append(Block(short(text, PASSAGE_LIMIT), Style.QUOTE))
        blocks.append(citation(action.source, lang, page=self.page(action.id, lang)))
        buttons = [(Button(t("btn_more", lang) + f" · {action.id}", f"show {action.id}"),)]
        buttons += await self._unfollow_buttons(session, chat, [change.action_id], lang)
        return Reply(tuple(blocks), tuple(buttons))

    async def _digest(self, session: AsyncSession, chat: Chat, change_ids: list[int], lang: str) -> Reply:
        rows = await session.scalars(select(StatusChange).where(StatusChange.id.in_(change_ids)).order_by(StatusChange.id))
        changes = list(rows)
        blocks = [Block(t("digest_title", lang, n=len(changes)), Style.HEADING)]
        for change in changes:
            blocks += self.change_lines(change, lang)
            blocks.append(citation(self.kb.actions[change.action_id].source, lang,
                                   page=self.page(change.action_id, lang)))
        buttons = await self._unfollow_buttons(session, chat, [c.action_id for c in changes], lang)
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
