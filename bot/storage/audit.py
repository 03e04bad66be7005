"""The audit log of admin actions."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import IncomingMessage
from bot.storage.models import AuditEntry


async def audit(session: AsyncSession, msg: IncomingMessage | None, action: str, detail: dict,
                *, platform: str = "cli", user_id: str | None = None) -> None:
    session.add(AuditEntry(
        platform=msg.chat.platform if msg else platform,
        user_id=msg.user_id if msg else user_id,
        action=action,
        detail=detail,
    ))
