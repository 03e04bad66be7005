"""DiscordOutbound against FakeDiscord: DMs, server channels with a role mention, and every error mapping."""

from __future__ import annotations

import pytest

from adapters.discord.outbound import DiscordOutbound
from adapters.discord.rendering import CONTENT_LIMIT, EMBED_TOTAL_LIMIT
from bot.domain import (
    Block,
    Button,
    ChatRef,
    PermanentDeliveryError,
    Recipient,
    Reply,
    Style,
    TemporaryDeliveryError,
)
from tests.discord_support import (
    ALERTS,
    ALICE,
    BOB,
    GENERAL,
    GUILD,
    ROLE,
    buttons,
)

pytest_plugins = ["tests.discord_fixtures"]  # its fixtures: fake, discord_settings, discord_app, discord_service

ALERT = Reply(
    (Block("🔔 Status change", Style.META), Block("2.12 · Lobbying", Style.HEADING), Block("Limited → Complete")),
    ((Button("📄 Details · 2.12", "show 2.12"),), (Button("🔕 Unfollow", "unfollow 2.12"),)),
)


def person(user_id: int, origin: int | None = GENERAL) -> Recipient:
    return Recipient(ChatRef("discord", f"user:{user_id}"), origin=str(origin) if origin else None)


def server(target: int | None = ALERTS, mention: int | None = ROLE) -> Recipient:
    return Recipient(ChatRef("discord", f"guild:{GUILD}"), target=str(target) if target else None,
                     mention=str(mention) if mention else None)


async def test_dm_delivered(fake, discord_service):
    result = await discord_service.outbound.send(person(ALICE), ALERT, key="status:1:1")
    [message] = fake.dms[ALICE]
    assert result.message_ids == (message["id"],)
    embed = message["embeds"][0]
    assert embed["author"]["name"] == "🔔 Status change" and embed["title"] == "2.12 · Lobbying"
    assert buttons(message) == ["og:show 2.12", "og:unfollow 2.12"]
    assert message["nonce"] and message["content"] == ""
    await discord_service.outbound.send(person(ALICE), ALERT, key="status:2:1")
    assert len(fake.calls_to("POST", r"^/users/@me/channels$")) == 1  # the DM channel is remembered


async def test_the_least_recently_used_dm_channel_is_forgotten_first(fake, discord_service, monkeypatch):
    monkeypatch.setattr("adapters.discord.outbound.DM_CACHE_SIZE", 2)
    outbound = DiscordOutbound(discord_service.outbound.client)
    carol, dave = ALICE + 50, ALICE + 51
    opened = []
    for user in (ALICE, carol, ALICE, dave, ALICE, carol):
        await outbound.send(person(user), ALERT, key=f"status:{len(opened)}:1")
        opened.append(len(fake.calls_to("POST", r"^/users/@me/channels$")))
    assert opened == [1, 2, 2, 3, 3, 4]  # dave took carol's place, not the recently used alice's


async def test_server_channel_with_role_mention(fake, discord_service):
    await discord_service.outbound.send(server(), ALERT, key="status:1:2")
    [message] = fake.channel_messages[ALERTS]
    assert message["content"] == f"<@&{ROLE}>"
    call = fake.calls_to("POST", rf"^/channels/{ALERTS}/messages$")[0]
    assert call.json["allowed_mentions"] == {"parse": [], "roles": [ROLE]}  # only that role is pinged
    assert buttons(message) == ["ogs:show 2.12", "ogs:unfollow 2.12"]  # buttons act for the server

    await discord_service.outbound.send(server(mention=None), ALERT, key="status:2:2")
    assert fake.channel_messages[ALERTS][1]["content"] == ""


async def test_closed_dms_notice_once_then_permanent(fake, discord_service):
    for key in ("status:1:3", "status:2:3"):
        with pytest.raises(PermanentDeliveryError, match="50007"):
            await discord_service.outbound.send(person(BOB), ALERT, key=key)
    [notice] = fake.channel_messages[GENERAL]
    assert notice["content"].startswith(f"🇬🇧 <@{BOB}>") and "🇫🇷" in notice["content"]
    assert len(notice["content"]) <= CONTENT_LIMIT
    call = fake.calls_to("POST", rf"^/channels/{GENERAL}/messages$")[0]
    assert call.json["allowed_mentions"] == {"parse": [], "users": [BOB]}
    assert fake.dms[BOB] == []


async def test_closed_dms_without_origin(fake, discord_service):
    with pytest.raises(PermanentDeliveryError):
        await discord_service.outbound.send(person(BOB, origin=None), ALERT, key="status:1:4")
    assert not fake.channel_messages


async def test_a_429_is_retried_by_discord_py_and_delivered_once(fake, discord_service):
    fake.fail_next("POST", rf"^/channels/{ALERTS}/messages$", 429, retry_after=0.05)
    await discord_service.outbound.send(server(), ALERT, key="status:1:5")
    assert len(fake.channel_messages[ALERTS]) == 1
    assert [c.status for c in fake.calls_to("POST", rf"^/channels/{ALERTS}/messages$")] == [429, 200]


async def test_rate_limits_that_surface_are_temporary(fake, discord_service):
    fake.fail_next("POST", rf"^/channels/{ALERTS}/messages$", 429, retry_after=120)  # too long to wait here
    with pytest.raises(TemporaryDeliveryError) as info:
        await discord_service.outbound.send(server(), ALERT, key="status:1:6")
    assert info.value.retry_after == pytest.approx(120)
    fake.fail_next("POST", rf"^/channels/{ALERTS}/messages$", 429, via_header=False)  # a Cloudflare 429
    with pytest.raises(TemporaryDeliveryError):
        await discord_service.outbound.send(server(), ALERT, key="status:1:6")
    assert not fake.channel_messages[ALERTS]


@pytest.mark.parametrize(("status", "body", "error"), [
    (403, {"code": 50001, "message": "Missing Access"}, PermanentDeliveryError),
    (403, {"code": 50013, "message": "Missing Permissions"}, PermanentDeliveryError),
    (404, {"code": 10003, "message": "Unknown Channel"}, PermanentDeliveryError),
    (503, {"code": 0, "message": "Service Unavailable"}, TemporaryDeliveryError),
    (400, {"code": 50035, "message": "Invalid Form Body"}, TemporaryDeliveryError),
])
async def test_error_mapping(fake, discord_service, status, body, error):
    fake.fail_next("POST", rf"^/channels/{ALERTS}/messages$", status, body)
    with pytest.raises(error):
        await discord_service.outbound.send(server(), ALERT, key="status:1:7")


async def test_recipients_that_cannot_be_delivered(discord_service):
    with pytest.raises(PermanentDeliveryError, match="/setup"):
        await discord_service.outbound.send(server(target=None), ALERT, key="k")
    with pytest.raises(PermanentDeliveryError):
        await discord_service.outbound.send(Recipient(ChatRef("discord", "channel:12")), ALERT, key="k")


async def test_long_alerts_are_split_within_limits(fake, discord_service):
    long = Reply((Block("Digest", Style.HEADING), *(Block("word " * 900) for _ in range(8))), ALERT.buttons)
    result = await discord_service.outbound.send(server(), long, key="digest:1")
    messages = fake.channel_messages[ALERTS]
    assert len(result.message_ids) == len(messages) >= 2
    assert [m["content"] for m in messages] == [f"<@&{ROLE}>"] + [""] * (len(messages) - 1)  # mention once
    for message in messages:
        assert sum(len(e.get("title", "")) + len(e.get("description", "")) for e in message["embeds"]) \
            <= EMBED_TOTAL_LIMIT
    assert buttons(messages[-1]) and not buttons(messages[0])
    assert len({m["nonce"] for m in messages}) == len(messages)
