"""The Discord adapter end to end: the real discord.py against FakeDiscord on 127.0.0.1, the real core."""

from __future__ import annotations

import asyncio
import json

import discord.gateway
import discord.http

from adapters.runner import make_discord_service
from bot.following.subscriptions import list_targets
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
    start_service,
)

pytest_plugins = ["tests.discord_fixtures"]  # its fixtures: fake, discord_settings, discord_app, discord_service

EPHEMERAL = 64


async def test_commands_synced_with_french_localisations(fake, discord_service):
    sent = {c["name"]: c for c in fake.registered_commands[None]}
    assert {"ask", "browse", "show", "status", "progress", "follow", "unfollow", "subscriptions", "frequency",
            "language", "about", "privacy", "forget", "setup", "setstatus", "announce", "stats"} <= set(sent)
    assert sent["ask"]["description_localizations"]["fr"].startswith("Poser une question")
    question = sent["ask"]["options"][0]
    assert question["name"] == "question" and question["description_localizations"]["fr"]
    scope = next(o for o in sent["follow"]["options"] if o["name"] == "for")
    assert [c["name_localizations"]["fr"] for c in scope["choices"]] == ["moi", "ce serveur"]
    assert next(o for o in sent["show"]["options"] if o["name"] == "item")["autocomplete"] is True
    assert str(sent["setup"]["default_member_permissions"]) == MANAGE_GUILD


async def test_dev_guild_sync_and_class_attributes_restored(fake, discord_app):
    discord_app.settings = discord_app.settings.model_copy(update={"discord_dev_guild_id": GUILD})
    running = await start_service(discord_app)
    assert discord.http.Route.BASE == fake.api_base
    assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == fake.gateway_url
    await running.stop()
    assert "ask" in {c["name"] for c in fake.registered_commands[GUILD]} and None not in fake.registered_commands
    assert discord.http.Route.BASE == "https://discord.com/api/v10"
    assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == "wss://gateway.discord.gg/"


async def test_ask_is_answered_as_an_embed_in_the_users_language(fake, discord_service):
    rec = await fake.slash("ask", {"question": "transparence du lobbying"}, user_id=ALICE, guild_id=GUILD,
                           locale="fr")
    cb = await fake.wait_response(rec, followups=1)
    assert cb["type"] == 5  # "thinking…" at once, then the answer
    answer = rec.followups[0]["json"]
    assert "Action 2.12 · Renforcer la transparence du lobbying" in answer["embeds"][0]["description"]
    assert {"og:follow 2.12", "og:plan 2.12"} <= set(buttons(answer))
    message = fake.messages[rec.original_message_id]
    assert message["embeds"] and not message["flags"] & EPHEMERAL  # a plan answer is public


async def test_browse_show_follow_by_buttons(fake, discord_service, discord_app):
    rec = await fake.slash("browse", user_id=ALICE, guild_id=GUILD)
    cb = await fake.wait_response(rec)
    assert cb["type"] == 4 and "og:browse 2" in buttons(cb["data"])

    step = await fake.click("og:browse 2", message_id=rec.original_message_id, user_id=ALICE)
    cb = await fake.wait_response(step)
    assert cb["type"] == 7  # browsing edits the message in place
    assert fake.messages[rec.original_message_id]["embeds"][0]["title"] == "Actions of commitment 2"
    assert "og:show 2.12" in buttons(cb["data"])

    show = await fake.click("og:show 2.12", message_id=rec.original_message_id, user_id=ALICE)
    cb = await fake.wait_response(show)
    assert cb["type"] == 4 and cb["data"]["flags"] & EPHEMERAL  # a new message, just for the clicker
    assert cb["data"]["embeds"][0]["title"].startswith("Action 2.12")

    follow = await fake.click("og:follow 2.12", message_id=show.original_message_id, user_id=ALICE)
    cb = await fake.wait_response(follow)
    assert cb["type"] == 4 and cb["data"]["flags"] & EPHEMERAL
    assert "og:unfollow 2.12" in buttons(cb["data"])
    chat = await chat_record(discord_app, f"user:{ALICE}")
    async with discord_app.db.session() as session:
        assert [t.id for t in await list_targets(session, chat)] == ["2.12"]
    assert chat.origin == str(GENERAL)  # where to explain an undeliverable DM


async def test_a_click_after_a_restart_is_still_answered(fake, discord_app):
    first = await start_service(discord_app)
    rec = await fake.slash("browse", user_id=ALICE, guild_id=GUILD)
    await fake.wait_response(rec)
    await first.stop()

    restarted = await start_service(discord_app)  # a new process: only the dynamic item knows "og:"
    try:
        click = await fake.click("og:browse 3", message_id=rec.original_message_id, user_id=BOB)
        cb = await fake.wait_response(click)
        assert cb["type"] == 7 and cb["data"]["embeds"][0]["title"] == "Actions of commitment 3"
    finally:
        await restarted.stop()


async def test_progress_attaches_the_chart(fake, discord_service):
    rec = await fake.slash("progress", user_id=ALICE, locale="fr")  # in a DM
    cb = await fake.wait_response(rec, followups=1)
    assert cb["type"] == 5
    followup = rec.followups[0]
    [png] = followup["files"]
    assert png["filename"] == "progress.png" and png["data"].startswith(b"\x89PNG")
    assert followup["json"]["embeds"][0]["image"]["url"] == "attachment://progress.png"
    assert "Statut des actions" in followup["json"]["embeds"][0]["description"]


async def test_show_autocomplete_in_french(fake, discord_service):
    rec = await fake.autocomplete("show", {"item": "lobby"}, user_id=ALICE, guild_id=GUILD, locale="fr")
    cb = await fake.wait_response(rec)
    first = cb["data"]["choices"][0]
    assert cb["type"] == 8 and first["value"] == "2.12" and "Renforcer" in first["name"]


async def test_free_text_in_show_is_taken_as_a_question(fake, discord_service):
    rec = await fake.slash("show", {"item": "open data in health"}, user_id=ALICE, guild_id=GUILD)
    await fake.wait_response(rec, followups=1)
    assert rec.followups[0]["json"]["embeds"]


async def test_personal_settings_are_ephemeral_in_servers(fake, discord_service, discord_app):
    rec = await fake.slash("language", [{"name": "value", "type": 3, "value": "fr"}], user_id=ALICE, guild_id=GUILD)
    cb = await fake.wait_response(rec)
    assert cb["data"]["flags"] & EPHEMERAL and "français" in embed_text(cb["data"])
    assert (await chat_record(discord_app, f"user:{ALICE}")).language == "fr"


async def test_setup_needs_manage_server(fake, discord_service, discord_app):
    options = [{"name": "channel", "type": 7, "value": ALERTS}, {"name": "role", "type": 8, "value": ROLE}]
    refused = await fake.slash("setup", options, user_id=ALICE, guild_id=GUILD, permissions="0")
    cb = await fake.wait_response(refused)
    assert cb["data"]["flags"] & EPHEMERAL and "Manage Server" in embed_text(cb["data"])
    assert await chat_record(discord_app, f"guild:{GUILD}") is None

    accepted = await fake.slash("setup", [*options, {"name": "language", "type": 3, "value": "fr"}],
                                user_id=ALICE, guild_id=GUILD, permissions=MANAGE_GUILD)
    cb = await fake.wait_response(accepted)
    assert cb["data"]["flags"] & EPHEMERAL
    assert f"<#{ALERTS}>" in embed_text(cb["data"]) and f"<@&{ROLE}>" in embed_text(cb["data"])
    chat = await chat_record(discord_app, f"guild:{GUILD}")
    assert (chat.delivery_target, chat.mention, chat.language, chat.is_group) == (str(ALERTS), str(ROLE), "fr", True)

    shown = await fake.slash("setup", {"show": True}, user_id=ALICE, guild_id=GUILD, permissions="8")
    assert f"<#{ALERTS}>" in embed_text((await fake.wait_response(shown))["data"])
    reset = await fake.slash("setup", {"reset": True}, user_id=ALICE, guild_id=GUILD, permissions=MANAGE_GUILD)
    await fake.wait_response(reset)
    chat = await chat_record(discord_app, f"guild:{GUILD}")
    assert chat.delivery_target is None and chat.mention is None


async def test_setup_warns_about_a_silent_role(fake, discord_service):
    options = [{"name": "channel", "type": 7, "value": ALERTS}, {"name": "role", "type": 8, "value": ROLE}]
    rec = await fake.slash("setup", options, user_id=ALICE, guild_id=GUILD, permissions=MANAGE_GUILD)
    await fake.wait_response(rec, followups=1)
    assert "not mentionable" in embed_text(rec.followups[0]["json"])


async def test_server_follows(fake, discord_service, discord_app):
    server = [{"name": "target", "type": 3, "value": "HATVP"}, {"name": "for", "type": 3, "value": "server"}]
    not_manager = await fake.slash("follow", server, user_id=BOB, guild_id=GUILD)
    assert "Manage Server" in embed_text((await fake.wait_response(not_manager))["data"])

    before_setup = await fake.slash("follow", server, user_id=ALICE, guild_id=GUILD, permissions=MANAGE_GUILD)
    assert "/setup" in embed_text((await fake.wait_response(before_setup))["data"])

    setup = await fake.slash("setup", [{"name": "channel", "type": 7, "value": ALERTS}], user_id=ALICE,
                             guild_id=GUILD, permissions=MANAGE_GUILD)
    await fake.wait_response(setup)
    done = await fake.slash("follow", server, user_id=ALICE, guild_id=GUILD, permissions=MANAGE_GUILD)
    cb = await fake.wait_response(done)
    assert any(cid.startswith("ogs:unfollow") for cid in buttons(cb["data"]))  # buttons act for the server
    chat = await chat_record(discord_app, f"guild:{GUILD}")
    async with discord_app.db.session() as session:
        assert [t.kind for t in await list_targets(session, chat)] == ["institution"]

    in_dm = await fake.slash("follow", server, user_id=ALICE)
    assert "only works in a server" in embed_text((await fake.wait_response(in_dm))["data"])


async def test_a_slow_core_is_deferred_within_three_seconds(fake, discord_service, discord_app, monkeypatch):
    import adapters.discord.client as client_module

    monkeypatch.setattr(client_module, "ACK_BUDGET", 0.05)
    original = discord_app.assistant.handle

    async def slow_handle(message):
        await asyncio.sleep(0.3)
        return await original(message)

    monkeypatch.setattr(discord_app.assistant, "handle", slow_handle)
    rec = await fake.slash("browse", user_id=ALICE, guild_id=GUILD)
    cb = await fake.wait_response(rec, followups=1)
    assert cb["type"] == 5 and rec.followups[0]["json"]["embeds"][0]["title"] == "The plan's 6 commitments"

    click = await fake.click("og:browse 2", message_id=rec.original_message_id, user_id=ALICE)
    cb = await fake.wait_response(click, edits=1)
    assert cb["type"] == 6  # acknowledged, then the clicked message is edited
    assert fake.messages[rec.original_message_id]["embeds"][0]["title"] == "Actions of commitment 2"


async def test_admin_commands(fake, discord_service):
    refused = await fake.slash("stats", user_id=ALICE, guild_id=GUILD)
    cb = await fake.wait_response(refused)
    assert cb["data"]["flags"] & EPHEMERAL and embed_text(cb["data"]).strip()
    stats = await fake.slash("stats", user_id=ADMIN)
    cb = await fake.wait_response(stats)
    assert "discord" in embed_text(cb["data"])
    options = [{"name": "item", "type": 3, "value": "2.12"}, {"name": "level", "type": 3, "value": "substantial"},
               {"name": "note", "type": 3, "value": "Register \"extended\" to local officials"}]
    setstatus = await fake.slash("setstatus", options, user_id=ADMIN)
    assert "2.12" in embed_text((await fake.wait_response(setstatus))["data"])
    dry = await fake.slash("announce", {"message": "Hello || Bonjour", "dry": True}, user_id=ADMIN)
    assert "would reach 2 recipient" in embed_text((await fake.wait_response(dry))["data"])


async def test_plain_dm_is_answered(fake, discord_service):
    await fake.send_message_event(fake.dm_channel_id(ALICE), ALICE, "show 2.12")
    await fake.wait_for(lambda: fake.dms[ALICE])
    assert fake.dms[ALICE][0]["embeds"][0]["title"].startswith("Action 2.12")


async def test_service_needs_a_token(app):
    try:
        make_discord_service(app)
    except ValueError as exc:
        assert "DISCORD_TOKEN" in str(exc)
    else:
        raise AssertionError("expected a ValueError")


async def test_a_failing_command_gets_a_polite_apology(fake, discord_service):
    # A channel the bot cannot resolve: discord.py's transformer fails before our code runs.
    rec = await fake.slash("setup", [{"name": "channel", "type": 7, "value": 123}], user_id=ALICE, guild_id=GUILD,
                           permissions=MANAGE_GUILD)
    cb = await fake.wait_response(rec)
    assert cb["data"]["flags"] & EPHEMERAL and cb["data"]["content"].startswith("Sorry, something went wrong")
    assert "Traceback" not in cb["data"]["content"]


async def test_a_french_question_from_an_english_client_is_answered_in_french(fake, discord_service):
    """The question's language wins over the client's locale: a French /ask gets a French embed."""
    rec = await fake.slash("ask", {"question": "c koi le registre des lobbys"}, user_id=ALICE, guild_id=GUILD,
                           locale="en-US")
    await fake.wait_response(rec, followups=1)
    embed = rec.followups[0]["json"]["embeds"][0]
    everything = json.dumps(embed, ensure_ascii=False)
    assert "Action 2.12 · Renforcer la transparence du lobbying" in everything  # the one line about the item
    assert "Statut" in everything and "Status:" not in everything
    buttons = json.dumps(rec.followups[0]["json"]["components"], ensure_ascii=False)
    assert "🔔 Suivre 2.12" in buttons and "Texte du plan" in buttons
