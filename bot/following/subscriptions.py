"""Who follows what: resolving a follow target, storing follows, and finding the followers of an action."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process
from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.plan.ids import normalise_id
from bot.plan.text import compact
from bot.storage.models import Chat, Subscription, TargetKind
from knowledge.loader import KnowledgeBase

ALL_WORDS = {"all", "everything", "tout", "tous", "toutes", "*"}


@dataclass(frozen=True)
class Target:
    kind: TargetKind
    id: str

    def covers(self, kb: KnowledgeBase, action_id: str) -> bool:
        action = kb.actions[action_id]
        return (
            self.kind == TargetKind.ALL
            or (self.kind == TargetKind.ACTION and self.id == action_id)
            or (self.kind == TargetKind.COMMITMENT and self.id == action.commitment)
            or (self.kind == TargetKind.INSTITUTION and self.id in action.institutions)
        )


class TargetIndex:
    """Finds what a user means by 'follow X': an id, 'all', or an institution by id, name or acronym."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.names: dict[str, str] = {}
        for inst in kb.institutions.values():
            for name in (inst.id, inst.name.en, inst.name.fr, *inst.acronyms, *inst.aliases.all()):
                self.names.setdefault(compact(name), inst.id)
        self._choices = [n for n in self.names if len(n) >= 5]

    def resolve(self, text: str) -> Target | None:
        raw = text.strip()
        if raw.casefold() in ALL_WORDS:
            return Target(TargetKind.ALL, "*")
        item_id = normalise_id(raw)
        if item_id in self.kb.actions:
            return Target(TargetKind.ACTION, item_id)
        if item_id in self.kb.commitments:
            return Target(TargetKind.COMMITMENT, item_id)
        key = compact(raw)
        if key in self.names:
            return Target(TargetKind.INSTITUTION, self.names[key])
        if len(key) >= 6:
            found = process.extractOne(key, self._choices, scorer=fuzz.ratio, score_cutoff=88)
            if found:
                return Target(TargetKind.INSTITUTION, self.names[found[0]])
        return None

    def describe(self, target: Target, lang: str) -> str:
        if target.kind == TargetKind.ALL:
            return {"en": "the whole plan", "fr": "tout le plan"}[lang]
        if target.kind == TargetKind.INSTITUTION:
            inst = self.kb.institutions[target.id]
            name = getattr(inst.name, lang)
            return f"{name} ({inst.acronyms[0]})" if inst.acronyms else name
        item = self.kb.get(target.id)
        return f"{target.id} · {getattr(item.title, lang)}"


async def follow(session: AsyncSession, chat: Chat, target: Target) -> bool:
    """Add a follow; False when it already existed."""
    if await _find(session, chat, target):
        return False
    session.add(Subscription(chat_pk=chat.id, target_kind=target.kind, target_id=target.id))
    await session.flush()
    return True


async def unfollow(session: AsyncSession, chat: Chat, target: Target) -> bool:
    result = await session.execute(
        delete(Subscription).where(
            Subscription.chat_pk == chat.id,
            Subscription.target_kind == target.kind,
            Subscription.target_id == target.id,
        )
    )
    return result.rowcount > 0


async def unfollow_all(session: AsyncSession, chat: Chat) -> int:
    result = await session.execute(delete(Subscription).where(Subscription.chat_pk == chat.id))
    return result.rowcount


async def list_targets(session: AsyncSession, chat: Chat) -> list[Target]:
    rows = await session.scalars(
        select(Subscription).where(Subscription.chat_pk == chat.id).order_by(Subscription.id)
    )
    return [Target(r.target_kind, r.target_id) for r in rows]


async def follows_directly(session: AsyncSession, chat: Chat, item_id: str) -> bool:
    if chat.id is None:
        return False
    kind = TargetKind.ACTION if "." in item_id else TargetKind.COMMITMENT
    return await _find(session, chat, Target(kind, item_id)) is not None


async def _find(session: AsyncSession, chat: Chat, target: Target) -> Subscription | None:
    return await session.scalar(
        select(Subscription).where(
            Subscription.chat_pk == chat.id,
            Subscription.target_kind == target.kind,
            Subscription.target_id == target.id,
        )
    )


def followers_condition(kb: KnowledgeBase, action_id: str):
    """SQL condition on Subscription selecting every follow that covers this action."""
    action = kb.actions[action_id]
    return or_(
        Subscription.target_kind == TargetKind.ALL,
        (Subscription.target_kind == TargetKind.ACTION) & (Subscription.target_id == action_id),
        (Subscription.target_kind == TargetKind.COMMITMENT) & (Subscription.target_id == action.commitment),
        (Subscription.target_kind == TargetKind.INSTITUTION) & (Subscription.target_id.in_(action.institutions)),
    )


def item_followers_condition(kb: KnowledgeBase, target: Target):
    """SQL condition selecting the follows of an item or institution, for announcements to its followers."""
    if target.kind == TargetKind.ACTION:
        return followers_condition(kb, target.id)
    if target.kind == TargetKind.COMMITMENT:
        action_ids = [a.id for a in kb.actions_of(target.id)]
        return or_(
            Subscription.target_kind == TargetKind.ALL,
            (Subscription.target_kind == TargetKind.COMMITMENT) & (Subscription.target_id == target.id),
            (Subscription.target_kind == TargetKind.ACTION) & (Subscription.target_id.in_(action_ids)),
        )
    if target.kind == TargetKind.INSTITUTION:
        return (Subscription.target_kind == TargetKind.INSTITUTION) & (Subscription.target_id == target.id)
    return Subscription.id.is_not(None)
