"""Self-test of tests/fakes/discord_api.py: the real discord.py (HTTP, gateway, app commands, Views)
against the fake on 127.0.0.1.  The loopback-only network guard is the autouse fixture in conftest.py."""

from __future__ import annotations

import io

import aiohttp
import discord
import discord.gateway
import discord.http
import pytest
from discord import app_commands
from discord.ext import commands

from tests.fakes.discord_api import FakeDiscord

GUILD = 700_000_000_000_000_001
CHANNEL = 700_000_000_000_000_011
VOICE = 700_000_000_000_000_012
ROLE = 700_000_000_000_000_021
ALICE = 700_000_000_000_000_101
BOB = 700_000_000_000_000_102

FR = {"Show the control panel": "Afficher le panneau", "Topic to look up": "Sujet à chercher"}


class FrenchTranslator(app_commands.Translator):
    async def translate(self, string: app_commands.locale_str, locale: discord.Locale, context) -> str | None:
        if locale is discord.Locale.french:
            return FR.get(string.message)
        return None


class Panel(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Ping", custom_id="panel:ping", style=discord.ButtonStyle.primary)
    async def ping(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        interaction.client.clicks.append(interaction.user.id)  # type: ignore[attr-defined]
        await interaction.response.edit_message(content=f"pong for {interaction.user.id}", view=self)


class Feedback(discord.ui.Modal, title="Feedback"):
    text = discord.ui.TextInput(label="Text", custom_id="feedback:text")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"thanks: {self.text.value}", ephemeral=True)


class FakeTestBot(commands.Bot):
    def __init__(self, intents: discord.Intents | None = None) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents or discord.Intents.default(),
            guild_ready_timeout=0.05,
            help_command=None,
        )
        self.clicks: list[int] = []
        self.seen_messages: list[discord.Message] = []
        self.joined: list[int] = []

        @self.tree.command(name="panel", description=app_commands.locale_str("Show the control panel"))
        async def panel(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("Panel", view=Panel())

        @self.tree.command(name="slow", description="Deferred answer")
        async def slow(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await interaction.followup.send("done thinking")

        @self.tree.command(name="greet", description="DM someone")
        async def greet(interaction: discord.Interaction, who: discord.User, loud: bool = False) -> None:
            await who.send("HELLO" if loud else "hello")
            await interaction.response.send_message(f"greeted {who.id}", ephemeral=True)

        @self.tree.command(name="where", description="Echo a channel and a role")
        async def where(
            interaction: discord.Interaction, chan: app_commands.AppCommandChannel, role: discord.Role
        ) -> None:
            await interaction.response.send_message(f"{chan.name}/{role.name}")

        async def topics(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            return [
                app_commands.Choice(name=t, value=t)
                for t in ("budget", "justice", "open data")
                if current in t
            ]

        @self.tree.command(name="lookup", description="Look up a topic")
        @app_commands.describe(topic=app_commands.locale_str("Topic to look up"))
        @app_commands.autocomplete(topic=topics)
        async def lookup(interaction: discord.Interaction, topic: str) -> None:
            await interaction.response.send_message(topic)

        @self.tree.command(name="feedback", description="Open a modal")
        async def feedback(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(Feedback())

    async def setup_hook(self) -> None:
        await self.tree.set_translator(FrenchTranslator())
        self.add_view(Panel())

    async def on_message(self, message: discord.Message) -> None:
        self.seen_messages.append(message)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        self.joined.append(guild.id)


@pytest.fixture
async def fake():
    before = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    async with FakeDiscord() as f:
        f.add_guild(
            GUILD, "OGP", channels=[(CHANNEL, "general"), (VOICE, "voice", 2)], roles=[(ROLE, "mods")]
        )
        f.add_user(ALICE, "alice")
        f.add_user(BOB, "bob", accepts_dms=False)
        yield f
    # the fake must have put discord.py's class attributes back
    assert (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == before
    assert before[0].startswith("https://discord.com/")


@pytest.fixture
async def bot(fake):
    client = FakeTestBot()
    async with fake.connect(client):
        yield client
    assert client.is_closed()
    assert not fake.unhandled, [f"{c.method} {c.path}" for c in fake.unhandled]


async def test_login_ready_and_guild_cache(fake, bot):
    assert bot.user.id == fake.bot_user_id
    assert bot.application_id == fake.app_id
    guild = bot.get_guild(GUILD)
    assert guild is not None and guild.name == "OGP"
    assert guild.get_channel(CHANNEL).name == "general"
    assert isinstance(guild.get_channel(VOICE), discord.VoiceChannel)
    assert guild.get_role(ROLE).name == "mods"
    assert guild.me is not None and guild.me.guild_permissions.send_messages
    identify = [f for f in fake.gateway_received if f["op"] == 2]
    assert len(identify) == 1 and identify[0]["d"]["token"] == fake.token
    assert any(f["op"] == 1 for f in fake.gateway_received)  # first heartbeat right after HELLO
    assert [c.path for c in fake.calls[:2]] == ["/users/@me", "/oauth2/applications/@me"]


async def test_rest_content_type_and_auth(fake):
    async with aiohttp.ClientSession() as s:
        async with s.get(f"{fake.api_base}/users/@me", headers={"Authorization": f"Bot {fake.token}"}) as r:
            assert r.status == 200 and r.headers["Content-Type"] == "application/json"
        async with s.get(f"{fake.api_base}/users/@me", headers={"Authorization": "Bot wrong"}) as r:
            assert r.status == 401
    with pytest.raises(discord.LoginFailure):
        async with fake.connect(FakeTestBot(), token="wrong"):
            pass


async def test_sync_records_localizations(fake, bot):
    synced = await bot.tree.sync()
    assert {c.name for c in synced} >= {"panel", "slow", "greet", "lookup"}
    sent = {c["name"]: c for c in fake.registered_commands[None]}
    assert sent["panel"]["description"] == "Show the control panel"
    assert sent["panel"]["description_localizations"] == {"fr": "Afficher le panneau"}
    topic = next(o for o in sent["lookup"]["options"] if o["name"] == "topic")
    assert topic["description_localizations"] == {"fr": "Sujet à chercher"} and topic["autocomplete"] is True

    guild = discord.Object(GUILD)
    bot.tree.copy_global_to(guild=guild)
    await bot.tree.sync(guild=guild)
    assert {c["name"] for c in fake.registered_commands[GUILD]} == set(sent)
    assert fake.calls_to("PUT", rf"/applications/{fake.app_id}/guilds/{GUILD}/commands")
    fetched = await bot.tree.fetch_commands(guild=guild)
    assert {c.guild_id for c in fetched} == {GUILD}


async def test_slash_reply_with_view_then_click(fake, bot):
    await bot.tree.sync()
    rec = await fake.slash(
        "panel", user_id=ALICE, guild_id=GUILD, channel_id=CHANNEL, permissions="8", locale="fr"
    )
    cb = await fake.wait_response(rec)
    assert cb["type"] == 4 and cb["data"]["content"] == "Panel"
    button = cb["data"]["components"][0]["components"][0]
    assert button["custom_id"] == "panel:ping" and button["label"] == "Ping"
    assert rec.original_message_id == int(cb["message"]["id"])

    click = await fake.click("panel:ping", message_id=rec.original_message_id, user_id=ALICE, guild_id=GUILD)
    cb2 = await fake.wait_response(click)
    assert cb2["type"] == 7 and cb2["data"]["content"] == f"pong for {ALICE}"
    assert bot.clicks == [ALICE]
    assert fake.messages[rec.original_message_id]["content"] == f"pong for {ALICE}"
    # real Discord echoes the bot's own messages through the gateway
    await fake.wait_for(lambda: any(m.id == rec.original_message_id for m in bot.seen_messages))


async def test_persistent_view_survives_restart(fake, bot):
    rec = await fake.slash("panel", user_id=ALICE, guild_id=GUILD)
    await fake.wait_response(rec)
    await bot.close()
    restarted = FakeTestBot()  # fresh process: only bot.add_view(Panel()) knows the custom_id
    async with fake.connect(restarted):
        click = await fake.click("panel:ping", message_id=rec.original_message_id, user_id=BOB)
        cb = await fake.wait_response(click)
        assert cb["type"] == 7 and restarted.clicks == [BOB]


async def test_deferred_reply_and_followup(fake, bot):
    rec = await fake.slash("slow", user_id=ALICE, guild_id=GUILD)
    cb = await fake.wait_response(rec, followups=1)
    assert cb["type"] == 5
    assert rec.followups[0]["json"]["content"] == "done thinking"
    original = fake.messages[rec.original_message_id]
    assert original["content"] == "done thinking" and not original["flags"] & 128  # loading message replaced


async def test_dm_through_slash_user_option(fake, bot):
    rec = await fake.slash(
        "greet",
        [{"name": "who", "type": 6, "value": ALICE}, {"name": "loud", "type": 5, "value": True}],
        user_id=BOB,
        guild_id=GUILD,
    )
    cb = await fake.wait_response(rec)
    assert cb["data"]["content"] == f"greeted {ALICE}" and cb["data"]["flags"] == 64
    assert [m["content"] for m in fake.dms[ALICE]] == ["HELLO"]
    assert fake.calls_to("POST", r"^/users/@me/channels$")[0].json == {"recipient_id": ALICE}


async def test_channel_and_role_options_are_resolved(fake, bot):
    rec = await fake.slash(
        "where",
        [{"name": "chan", "type": 7, "value": CHANNEL}, {"name": "role", "type": 8, "value": ROLE}],
        user_id=ALICE,
        guild_id=GUILD,
    )
    assert (await fake.wait_response(rec))["data"]["content"] == "general/mods"


async def test_dm_slash_in_private_channel(fake, bot):
    rec = await fake.slash("panel", user_id=ALICE)  # no guild: DM context, `user` instead of `member`
    cb = await fake.wait_response(rec)
    assert cb["type"] == 4 and rec.channel_id == fake.dm_channel_id(ALICE)
    assert "user" in rec.payload and "member" not in rec.payload


async def test_forbidden_50007(fake, bot):
    alice = await bot.fetch_user(ALICE)
    fake.fail_next(
        "POST",
        r"^/channels/\d+/messages$",
        403,
        {"code": 50007, "message": "Cannot send messages to this user"},
    )
    with pytest.raises(discord.Forbidden) as info:
        await alice.send("hi")
    assert info.value.code == 50007 and info.value.status == 403
    bob = await bot.fetch_user(BOB)  # accepts_dms=False gives the same without fail_next
    with pytest.raises(discord.Forbidden) as info:
        await bob.send("hi")
    assert info.value.code == 50007
    assert fake.dms[ALICE] == [] and fake.dms[BOB] == []


async def test_429_with_via_is_retried_once(fake, bot):
    fake.fail_next("POST", rf"^/channels/{CHANNEL}/messages$", 429, retry_after=0.1)
    msg = await bot.get_channel(CHANNEL).send("after the limit")
    assert msg.content == "after the limit"
    assert [m["content"] for m in fake.channel_messages[CHANNEL]] == ["after the limit"]
    assert [c.status for c in fake.calls_to("POST", rf"/channels/{CHANNEL}/messages")] == [429, 200]

    fake.fail_next("POST", rf"^/channels/{CHANNEL}/messages$", 429, via_header=False)
    with pytest.raises(discord.HTTPException) as info:  # no Via: discord.py assumes a Cloudflare ban
        await bot.get_channel(CHANNEL).send("blocked")
    assert info.value.status == 429 and len(fake.channel_messages[CHANNEL]) == 1


async def test_file_attachment_multipart(fake, bot):
    channel = bot.get_channel(CHANNEL)
    sent = await channel.send("report", file=discord.File(io.BytesIO(b"a,b\n1,2\n"), filename="report.csv"))
    [record] = fake.channel_messages[CHANNEL]
    [att] = record["attachments"]
    assert att["filename"] == "report.csv" and att["size"] == 8
    assert fake.attachment_bytes(att) == b"a,b\n1,2\n"
    call = fake.calls_to("POST", rf"/channels/{CHANNEL}/messages")[-1]
    assert call.json["content"] == "report" and call.files[0]["field"] == "files[0]"
    assert sent.attachments[0].filename == "report.csv"
    assert await sent.attachments[0].read() == b"a,b\n1,2\n"  # served by the fake


async def test_autocomplete(fake, bot):
    rec = await fake.autocomplete("lookup", {"topic": "ju"}, user_id=ALICE, guild_id=GUILD)
    cb = await fake.wait_response(rec)
    assert cb["type"] == 8 and cb["data"]["choices"] == [{"name": "justice", "value": "justice"}]


async def test_modal_round_trip(fake, bot):
    rec = await fake.slash("feedback", user_id=ALICE, guild_id=GUILD)
    cb = await fake.wait_response(rec)
    assert cb["type"] == 9 and cb["data"]["custom_id"]
    submit = await fake.submit_modal(
        cb["data"]["custom_id"], {"feedback:text": "great"}, user_id=ALICE, guild_id=GUILD
    )
    cb2 = await fake.wait_response(submit)
    assert cb2["type"] == 4 and cb2["data"]["content"] == "thanks: great"


async def test_message_events_and_content_intent(fake):
    # default intents: no MESSAGE_CONTENT, so like Discord the fake blanks guild message content
    plain = FakeTestBot()
    async with fake.connect(plain):
        await fake.send_message_event(CHANNEL, ALICE, "hello there")
        await fake.send_message_event(CHANNEL, ALICE, "hey bot", mentions=[fake.bot_user_id])
        await fake.wait_for(lambda: len(plain.seen_messages) == 2)
        assert [m.content for m in plain.seen_messages] == ["", "hey bot"]

    intents = discord.Intents.default()
    intents.message_content = True
    reader = FakeTestBot(intents)
    async with fake.connect(reader):
        msg = await fake.send_message_event(CHANNEL, ALICE, "hello there")
        await fake.wait_for(lambda: reader.seen_messages)
        seen = reader.seen_messages[0]
        assert seen.content == "hello there" and seen.author.id == ALICE and seen.guild.id == GUILD
        reply = await seen.reply("hi alice")
        assert fake.channel_messages[CHANNEL][-1]["message_reference"]["message_id"] == int(msg["id"])
        assert reply.reference.message_id == int(msg["id"])

        dm = await fake.send_message_event(fake.dm_channel_id(ALICE), ALICE, "psst")
        await fake.wait_for(
            lambda: len(reader.seen_messages) >= 2 and reader.seen_messages[-1].id == int(dm["id"])
        )
        assert isinstance(reader.seen_messages[-1].channel, discord.DMChannel)
        await reader.seen_messages[-1].channel.send("noted")
        assert [m["content"] for m in fake.dms[ALICE]] == ["noted"]


async def test_resume_after_reconnect_and_late_guild(fake, bot):
    await fake.reconnect_clients()
    await fake.wait_for(lambda: any(f["op"] == 6 for f in fake.gateway_received))
    await fake.wait_connected()
    rec = await fake.slash("panel", user_id=ALICE, guild_id=GUILD)
    assert (await fake.wait_response(rec))["type"] == 4
    assert len([f for f in fake.gateway_received if f["op"] == 2]) == 1  # resumed, not re-identified

    fake.add_guild(GUILD + 1, "Late", channels=[(CHANNEL + 100, "late-general")])
    await fake.settle()
    await fake.wait_for(lambda: bot.joined)  # on_guild_join runs in a task after the cache update
    assert bot.joined == [GUILD + 1] and bot.get_guild(GUILD + 1).name == "Late"


async def test_interaction_protocol_errors(fake, bot):
    rec = await fake.slash("panel", user_id=ALICE, guild_id=GUILD)
    await fake.wait_response(rec)
    async with aiohttp.ClientSession() as s:  # a second callback is refused like on Discord
        url = f"{fake.api_base}/interactions/{rec.id}/{rec.token}/callback"
        async with s.post(url, json={"type": 4, "data": {"content": "again"}}) as r:
            assert r.status == 400 and (await r.json())["code"] == 40060
    assert len(rec.responses) == 1
