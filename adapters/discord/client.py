"""The discord.py client: turns interactions into IncomingMessages for the core and renders its replies."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import discord
from discord import app_commands

from adapters.discord.capabilities import server_chat, user_chat
from adapters.discord.i18n import t
from adapters.discord.rendering import Outgoing, render_reply
from adapters.discord.translate import CoreTranslator
from adapters.discord.views import SERVER_SCOPE, CommandButton
from bot.conversation.assistant import Assistant
from bot.domain import Block, CommandCall, IncomingMessage, Reply
from bot.i18n import pick_language
from bot.i18n import t as core_t  # the core's messages (bot/locales), not this adapter's
from bot.settings import Settings

log = logging.getLogger(__name__)

ACK_BUDGET = 2.0  # seconds the core may take before we defer: Discord wants an answer within 3 s


def manages_server(interaction: discord.Interaction) -> bool:
    """Manage Server (or Administrator) in the server where the interaction happened."""
    perms = interaction.permissions
    return interaction.guild_id is not None and (perms.manage_guild or perms.administrator)


def language_of(interaction: discord.Interaction, default: str = "en") -> str:
    return pick_language(interaction.locale.value, default=default)


def incoming(
    interaction: discord.Interaction, text: str, *, server: bool = False, via_button: bool = False,
    command: CommandCall | None = None,
) -> IncomingMessage:
    """Personal messages belong to the person's DM chat (alerts by DM; `origin` remembers the channel they
    wrote from); server messages belong to the server's chat, which managers may change."""
    user_id = str(interaction.user.id)
    locale = interaction.locale.value
    if server and interaction.guild_id is not None:
        return IncomingMessage(
            server_chat(interaction.guild_id), user_id, text, locale=locale, is_group=True,
            can_manage_chat=manages_server(interaction), via_button=via_button, command=command,
        )
    origin = str(interaction.channel_id) if interaction.guild_id is not None and interaction.channel_id else None
    return IncomingMessage(
        user_chat(interaction.user.id), user_id, text, locale=locale, via_button=via_button, origin=origin,
        command=command,
    )


class CoreCommandTree(app_commands.CommandTree):
    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        name = interaction.command.name if interaction.command else "?"
        log.error("Discord command /%s failed: %r", name, error, exc_info=error)
        await apologise(interaction)


async def apologise(interaction: discord.Interaction) -> None:
    """A polite apology in the user's language, never a traceback."""
    text = core_t("error", language_of(interaction))
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except (discord.HTTPException, aiohttp.ClientError, RuntimeError) as exc:
        # RuntimeError: aiohttp's "Session is closed" when the client closed meanwhile (a dead gateway, a stop);
        # raising here would leave discord.py's invoker task with an exception nobody retrieves.
        log.warning("could not tell a Discord user about an error: %s", type(exc).__name__)


class OpenGovClient(discord.Client):
    """One Discord connection answering through the assistant (None: sending only, no gateway). Its slash
    commands are added by the service (adapters/discord/commands.py) and published in setup_hook."""

    def __init__(self, settings: Settings, assistant: Assistant | None, *, publish_commands: bool = True,
                 **options) -> None:
        intents = discord.Intents.none()
        intents.guilds = True  # channels and roles for /setup checks
        intents.dm_messages = True  # people may also just write to the bot in DMs
        options.setdefault("intents", intents)
        options.setdefault("allowed_mentions", discord.AllowedMentions.none())
        options.setdefault("max_ratelimit_timeout", 30.0)  # longer limits surface as RateLimited
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False  # text only: no voice warnings
        super().__init__(**options)
        self.settings = settings
        self.assistant = assistant
        self.publish_commands = publish_commands
        self.tree = CoreCommandTree(self)

    async def setup_hook(self) -> None:
        await self.tree.set_translator(CoreTranslator())
        self.add_dynamic_items(CommandButton)  # clicks on any "og:" button, from any earlier run
        if self.publish_commands:
            await self.sync_commands()

    async def sync_commands(self) -> list[app_commands.AppCommand]:
        """Publish the slash commands: to the development server when set (instant), else globally."""
        guild_id = self.settings.discord_dev_guild_id
        try:
            if guild_id:
                guild = discord.Object(guild_id)
                self.tree.copy_global_to(guild=guild)
                return await self.tree.sync(guild=guild)
            return await self.tree.sync()
        except discord.HTTPException as exc:
            log.error("could not sync Discord commands: %s %s", exc.status, exc.text)
            return []

    # -- answering -------------------------------------------------------------------------------------------
    async def run_command(
        self,
        interaction: discord.Interaction,
        name: str,
        args: object = "",
        *,
        server: bool = False,
        personal: bool = False,
        slow: bool = False,
    ) -> None:
        """Send the command with its typed arguments (the options, as the handler takes them) to the core as
        this user (or their server) and answer the interaction."""
        message = incoming(interaction, f"/{name}", server=server, command=CommandCall(name, args))
        await self.answer(interaction, message, ephemeral=personal, slow=slow, server=server)

    async def handle_button(self, interaction: discord.Interaction, command: str, *, server: bool = False) -> None:
        """A pressed CommandButton: the core gets its command as if typed, with via_button=True."""
        message = incoming(interaction, command, server=server, via_button=True)
        await self.answer(interaction, message, ephemeral=True, slow=False, server=server)

    async def answer(
        self, interaction: discord.Interaction, message: IncomingMessage, *, ephemeral: bool, slow: bool,
        server: bool,
    ) -> None:
        ephemeral = ephemeral and interaction.guild_id is not None
        try:
            if slow:
                await self._acknowledge(interaction, ephemeral)
            task = asyncio.ensure_future(self.assistant.handle(message))
            if not interaction.response.is_done():
                done, _ = await asyncio.wait({task}, timeout=ACK_BUDGET)
                if not done:
                    await self._acknowledge(interaction, ephemeral)
            replies = await task
            await self.deliver(interaction, replies, ephemeral=ephemeral, scope=SERVER_SCOPE if server else "")
        except discord.HTTPException as exc:
            log.warning("could not answer a Discord interaction: %s %s", exc.status, exc.text)

    async def reply_text(self, interaction: discord.Interaction, text: str) -> None:
        """A short personal note from the adapter itself (a refusal, a hint)."""
        await self.deliver(interaction, [Reply((Block(text),))], ephemeral=interaction.guild_id is not None)

    @staticmethod
    async def _acknowledge(interaction: discord.Interaction, ephemeral: bool) -> None:
        if interaction.response.is_done():
            return
        if interaction.type is discord.InteractionType.component:
            await interaction.response.defer()  # the clicked message stays; we edit it or follow up
        else:
            await interaction.response.defer(thinking=True, ephemeral=ephemeral)

    async def deliver(
        self, interaction: discord.Interaction, replies: list[Reply], *, ephemeral: bool, scope: str = ""
    ) -> None:
        more = t("dc_more_choices", language_of(interaction, self.settings.default_language))
        clicked = interaction.type is discord.InteractionType.component
        edited = False
        for reply in replies:
            for index, out in enumerate(render_reply(reply, more_label=more)):
                in_place = clicked and reply.edit and index == 0 and not edited
                edited = edited or in_place
                await self._send(interaction, out, in_place=in_place, ephemeral=ephemeral, scope=scope)

    @staticmethod
    async def _send(
        interaction: discord.Interaction, out: Outgoing, *, in_place: bool, ephemeral: bool, scope: str
    ) -> None:
        if in_place:
            edit = {"content": out.content, "embeds": out.embeds, "view": out.view(scope),
                    "attachments": out.files()}
            if not interaction.response.is_done():
                await interaction.response.edit_message(**edit)
            else:
                await interaction.edit_original_response(**edit)
        elif not interaction.response.is_done():
            await interaction.response.send_message(**out.kwargs(scope), ephemeral=ephemeral)
        else:
            await interaction.followup.send(**out.kwargs(scope), ephemeral=ephemeral)

    # -- plain DMs -------------------------------------------------------------------------------------------
    async def on_message(self, message: discord.Message) -> None:
        """Someone wrote to the bot in a DM (e.g. answering an alert): the same conversation as the commands."""
        if message.guild is not None or message.author.bot or not message.content:
            return
        incoming_message = IncomingMessage(user_chat(message.author.id), str(message.author.id), message.content)
        replies = await self.assistant.handle(incoming_message)
        try:
            for reply in replies:
                for out in render_reply(reply):
                    await message.channel.send(**out.kwargs())
        except discord.HTTPException as exc:
            log.warning("could not answer a Discord DM: %s %s", exc.status, exc.text)


class ShardedOpenGovClient(OpenGovClient, discord.AutoShardedClient):
    """The same client over several gateway shards (DISCORD_SHARD_COUNT); DISCORD_SHARD_IDS picks the ones this
    process runs, so the shards of a large bot split across `opengov-bot gateway` processes."""
