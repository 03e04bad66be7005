"""Alerts end to end: follows made with slash commands, a status change, the delivery worker, Discord."""

from __future__ import annotations

from tests.discord_support import (
    ADMIN,
    ALERTS,
    ALICE,
    BOB,
    GENERAL,
    GUILD,
    MANAGE_GUILD,
    ROLE,
    buttons,
    chat_record,
    embed_text,
)

pytest_plugins = ["tests.discord_fixtures"]  # its fixtures: fake, discord_settings, discord_app, discord_service


async def slash(fake, name, options, **kwargs):
    rec = await fake.slash(name, options, **kwargs)
    await fake.wait_response(rec)
    return rec


async def test_status_change_reaches_server_channel_and_dms(fake, discord_service, discord_app):
    await slash(fake, "setup", [{"name": "channel", "type": 7, "value": ALERTS},
                                {"name": "role", "type": 8, "value": ROLE},
                                {"name": "language", "type": 3, "value": "fr"}],
                user_id=ALICE, guild_id=GUILD, permissions=MANAGE_GUILD)
    await slash(fake, "follow", {"target": "2.12", "for": "server"}, user_id=ALICE, guild_id=GUILD,
                permissions=MANAGE_GUILD)
    await slash(fake, "follow", {"target": "2.12"}, user_id=ALICE, guild_id=GUILD)
    await slash(fake, "follow", {"target": "HATVP"}, user_id=BOB, guild_id=GUILD, channel_id=GENERAL)
    await slash(fake, "setstatus", {"item": "2.12", "level": "complete", "note": "Register extended"},
                user_id=ADMIN)

    stats = await discord_app.worker.run_once()
    assert stats["sent"] == 2 and stats["failed"] == 1

    [to_server] = fake.channel_messages[ALERTS]
    assert to_server["content"] == f"<@&{ROLE}>"
    assert to_server["embeds"][0]["title"].startswith("2.12 · Renforcer")  # the server chose French
    assert "ogs:show 2.12" in buttons(to_server)
    [to_alice] = fake.dms[ALICE]
    assert to_alice["embeds"][0]["title"].startswith("2.12 · Increase transparency")
    assert "og:unfollow 2.12" in buttons(to_alice)

    # Bob's DMs are closed: told once where he used the bot, and his chat is paused.
    [notice] = fake.channel_messages[GENERAL]
    assert f"<@{BOB}>" in notice["content"]
    bob = await chat_record(discord_app, f"user:{BOB}")
    assert not bob.active and "50007" in bob.inactive_reason
    assert await discord_app.worker.run_once() == {}  # nothing more is tried

    # Talking to the bot again resumes his alerts.
    await slash(fake, "subscriptions", None, user_id=BOB, guild_id=GUILD)
    assert (await chat_record(discord_app, f"user:{BOB}")).active


async def test_a_server_alert_button_acts_for_the_server(fake, discord_service, discord_app):
    await slash(fake, "setup", [{"name": "channel", "type": 7, "value": ALERTS}], user_id=ALICE, guild_id=GUILD,
                permissions=MANAGE_GUILD)
    await slash(fake, "follow", {"target": "2.12", "for": "server"}, user_id=ALICE, guild_id=GUILD,
                permissions=MANAGE_GUILD)
    await slash(fake, "setstatus", {"item": "2.12", "level": "limited", "note": "Started"}, user_id=ADMIN)
    await discord_app.worker.run_once()
    [alert] = fake.channel_messages[ALERTS]

    member = await fake.click("ogs:unfollow 2.12", message_id=int(alert["id"]), user_id=BOB)
    assert "administrators" in embed_text((await fake.wait_response(member))["data"])  # the core refuses
    manager = await fake.click("ogs:unfollow 2.12", message_id=int(alert["id"]), user_id=ALICE,
                               permissions=MANAGE_GUILD)
    cb = await fake.wait_response(manager)
    assert cb["data"]["flags"] & 64 and "2.12" in embed_text(cb["data"])
    shown = await fake.click("ogs:show 2.12", message_id=int(alert["id"]), user_id=BOB)
    cb = await fake.wait_response(shown)
    assert cb["data"]["embeds"][0]["title"].startswith("Action 2.12")
