"""The bulk helpers that tests and benchmarks share build what they claim to (issue 12 item 8)."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.storage.models import Chat, Subscription
from tests.outbox_support import add_followers, count


async def test_add_followers_builds_every_follow_beyond_ten_thousand(app) -> None:
    names = await add_followers(app, 10_003)
    assert len(names) == len(set(names)) == 10_003
    assert await count(app, Chat) == 10_003
    assert await count(app, Subscription, Subscription.target_id == "2.12") == 10_003
    # a second batch with another prefix follows too, without touching the first one's follows
    await add_followers(app, 2, prefix="other", target_id="1.1")
    assert await count(app, Subscription) == 10_005
    async with app.db.session() as session:
        followers = await session.scalar(select(func.count(func.distinct(Subscription.chat_pk))))
    assert followers == 10_005  # one follow per chat
