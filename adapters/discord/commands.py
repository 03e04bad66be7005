"""The slash commands. Each builds the core's text command ("show 2.12", "follow HATVP") and lets the client
answer; descriptions come from the catalogues (bot/locales) in every language."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.app_commands import Choice, Range

from adapters.discord.client import OpenGovClient, language_of, manages_server
from adapters.discord.i18n import t
from adapters.discord.translate import L, L_fixed, item_choices
from bot.conversation.handlers.admin import AddEvidenceArgs, AnnounceArgs
from bot.conversation.handlers.server import SetupArgs
from bot.domain import Block, Reply
from bot.following.levels import LABELS, Level
from bot.following.status_updates import StatusUpdate
from bot.i18n import LANGUAGES, language_name
from bot.plan.ids import ID_PATTERN, normalise_id
from bot.storage.models import Frequency
from knowledge.loader import KnowledgeBase

FOR_CHOICES = [Choice(name=L("dc_choice_me"), value="me"), Choice(name=L("dc_choice_server"), value="server")]
FREQUENCY_CHOICES = [Choice(name=L("dc_choice_immediately"), value="immediately"),
                     Choice(name=L("dc_choice_daily"), value="daily"), Choice(name=L("dc_choice_weekly"), value="weekly")]
# Each language by its own name ("English", "Français"), from Babel's CLDR data.
LANGUAGE_CHOICES = [Choice(name=language_name(code, code).capitalize(), value=code) for code in LANGUAGES]
LEVEL_CHOICES = [Choice(name=L_fixed(LABELS[lv]["en"], LABELS[lv]["fr"]), value=lv.value) for lv in Level]
AUDIENCE_CHOICES = [
    Choice(name=L("dc_choice_everyone"), value="all"),
    Choice(name="Discord", value="platform:discord"),
    Choice(name="Telegram", value="platform:telegram"),
    Choice(name=L("dc_choice_server"), value="server"),
]


def setup_warnings(
    interaction: discord.Interaction, channel: discord.abc.GuildChannel | None, role: discord.Role | None, lang: str
) -> list[str]:
    """What would stop alerts from working, seen from the server's cache: missing permissions, a silent role."""
    guild = interaction.guild
    me = guild.me if guild is not None else None
    if me is None:
        return []
    notes = []
    if channel is not None:
        perms = channel.permissions_for(me)
        if not (perms.view_channel and perms.send_messages and perms.embed_links):
            notes.append(t("dc_setup_cannot_post", lang, channel=channel.mention))
    if role is not None and not role.mentionable and not me.guild_permissions.mention_everyone:
        notes.append(t("dc_setup_role_silent", lang, role=role.mention))
    return notes


def register_commands(client: OpenGovClient, kb: KnowledgeBase) -> None:
    """Add every slash command to the client's tree (the plan `kb` feeds their autocomplete)."""
    tree = client.tree

    async def items(interaction: discord.Interaction, current: str) -> list[Choice[str]]:
        return item_choices(kb, current, language_of(interaction))

    async def targets(interaction: discord.Interaction, current: str) -> list[Choice[str]]:
        return item_choices(kb, current, language_of(interaction), institutions=True)

    async def scoped(
        interaction: discord.Interaction, name: str, args: object, scope: Choice[str] | None, *, changes: bool = True
    ) -> None:
        """Personal by default; "for: this server" acts on the server's follows, for its managers."""
        server = scope is not None and scope.value == "server"
        if server:
            lang = language_of(interaction)
            if interaction.guild_id is None:
                return await client.reply_text(interaction, t("dc_server_only", lang))
            if changes and not manages_server(interaction):
                return await client.reply_text(interaction, t("dc_need_manage", lang))
        await client.run_command(interaction, name, args, server=server, personal=True)

    # -- the plan --------------------------------------------------------------------------------------------
    @tree.command(name="ask", description=L("dc_cmd_ask"))
    @app_commands.describe(question=L("dc_opt_question"))
    async def ask(interaction: discord.Interaction, question: Range[str, 1, 1000]) -> None:
        await client.run_command(interaction, "ask", question, slow=True)

    @tree.command(name="browse", description=L("dc_cmd_browse"))
    async def browse(interaction: discord.Interaction) -> None:
        await client.run_command(interaction, "browse")

    @tree.command(name="show", description=L("dc_cmd_show"))
    @app_commands.describe(item=L("dc_opt_item"))
    @app_commands.autocomplete(item=items)
    async def show(interaction: discord.Interaction, item: Range[str, 1, 200]) -> None:
        # A picked suggestion is an id; free text that is not one is answered as a question.
        is_id = ID_PATTERN.match(normalise_id(item))
        await client.run_command(interaction, "show" if is_id else "ask", item, slow=not is_id)

    @tree.command(name="plan", description=L("dc_cmd_plan"))
    @app_commands.describe(item=L("dc_opt_item"))
    @app_commands.autocomplete(item=items)
    async def plan(interaction: discord.Interaction, item: Range[str, 1, 200]) -> None:
        await client.run_command(interaction, "plan", item)

    @tree.command(name="related", description=L("dc_cmd_related"))
    @app_commands.describe(item=L("dc_opt_item"))
    @app_commands.autocomplete(item=items)
    async def related(interaction: discord.Interaction, item: Range[str, 1, 200]) -> None:
        await client.run_command(interaction, "related", item)

    @tree.command(name="status", description=L("dc_cmd_status"))
    async def status(interaction: discord.Interaction) -> None:
        await client.run_command(interaction, "status")

    @tree.command(name="progress", description=L("dc_cmd_progress"))
    async def progress(interaction: discord.Interaction) -> None:
        await client.run_command(interaction, "progress", slow=True)

    @tree.command(name="about", description=L("dc_cmd_about"))
    async def about(interaction: discord.Interaction) -> None:
        await client.run_command(interaction, "about")

    # -- following -------------------------------------------------------------------------------------------
    @tree.command(name="follow", description=L("dc_cmd_follow"))
    @app_commands.describe(target=L("dc_opt_target"), for_=L("dc_opt_for"))
    @app_commands.rename(for_="for")
    @app_commands.choices(for_=FOR_CHOICES)
    @app_commands.autocomplete(target=targets)
    async def follow(
        interaction: discord.Interaction, target: Range[str, 1, 100], for_: Choice[str] | None = None
    ) -> None:
        await scoped(interaction, "follow", target, for_)

    @tree.command(name="unfollow", description=L("dc_cmd_unfollow"))
    @app_commands.describe(target=L("dc_opt_target"), for_=L("dc_opt_for"))
    @app_commands.rename(for_="for")
    @app_commands.choices(for_=FOR_CHOICES)
    @app_commands.autocomplete(target=targets)
    async def unfollow(
        interaction: discord.Interaction, target: Range[str, 1, 100], for_: Choice[str] | None = None
    ) -> None:
        await scoped(interaction, "unfollow", target, for_)

    @tree.command(name="subscriptions", description=L("dc_cmd_subscriptions"))
    @app_commands.describe(for_=L("dc_opt_for"))
    @app_commands.rename(for_="for")
    @app_commands.choices(for_=FOR_CHOICES)
    async def subscriptions(interaction: discord.Interaction, for_: Choice[str] | None = None) -> None:
        await scoped(interaction, "subscriptions", "", for_, changes=False)

    @tree.command(name="frequency", description=L("dc_cmd_frequency"))
    @app_commands.describe(value=L("dc_opt_frequency"), for_=L("dc_opt_for"))
    @app_commands.rename(for_="for")
    @app_commands.choices(value=FREQUENCY_CHOICES, for_=FOR_CHOICES)
    async def frequency(
        interaction: discord.Interaction, value: Choice[str], for_: Choice[str] | None = None
    ) -> None:
        await scoped(interaction, "frequency", Frequency(value.value), for_)

    @tree.command(name="language", description=L("dc_cmd_language"))
    @app_commands.describe(value=L("dc_opt_language"), for_=L("dc_opt_for"))
    @app_commands.rename(for_="for")
    @app_commands.choices(value=LANGUAGE_CHOICES, for_=FOR_CHOICES)
    async def language(
        interaction: discord.Interaction, value: Choice[str], for_: Choice[str] | None = None
    ) -> None:
        await scoped(interaction, "language", value.value, for_)

    # -- privacy ---------------------------------------------------------------------------------------------
    @tree.command(name="privacy", description=L("dc_cmd_privacy"))
    async def privacy(interaction: discord.Interaction) -> None:
        await client.run_command(interaction, "privacy", personal=True)

    @tree.command(name="forget", description=L("dc_cmd_forget"))
    async def forget(interaction: discord.Interaction) -> None:
        await client.run_command(interaction, "forget", personal=True)

    # -- a server's alert channel ----------------------------------------------------------------------------
    @tree.command(name="setup", description=L("dc_cmd_setup"))
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.describe(
        channel=L("dc_opt_channel"), role=L("dc_opt_role"), language=L("dc_opt_alert_language"),
        show=L("dc_opt_show"), reset=L("dc_opt_reset"),
    )
    @app_commands.choices(language=LANGUAGE_CHOICES)
    async def setup(
        interaction: discord.Interaction,
        channel: discord.TextChannel | None = None,
        role: discord.Role | None = None,
        language: Choice[str] | None = None,
        show: bool = False,
        reset: bool = False,
    ) -> None:
        lang = language_of(interaction)
        if interaction.guild_id is None:
            return await client.reply_text(interaction, t("dc_server_only", lang))
        # Discord hides the command from others (default_permissions), but server owners can override that.
        if not manages_server(interaction):
            return await client.reply_text(interaction, t("dc_need_manage", lang))
        if role is not None and role.is_default():
            return await client.reply_text(interaction, t("dc_setup_everyone", lang))
        if reset:
            args = SetupArgs(reset=True)
        elif show or not (channel or role or language):
            args = SetupArgs(show=True)
        else:
            args = SetupArgs(channel=str(channel.id) if channel else None, role=str(role.id) if role else None,
                             language=language.value if language else None)
        await client.run_command(interaction, "setup", args, server=True, personal=True)
        notes = setup_warnings(interaction, channel, role, lang) if channel or role else []
        if notes and not reset:
            await client.deliver(interaction, [Reply(tuple(Block(n) for n in notes))], ephemeral=True)

    # -- administration --------------------------------------------------------------------------------------
    @tree.command(name="setstatus", description=L("dc_cmd_setstatus"))
    @app_commands.describe(
        item=L("dc_opt_action"), level=L("dc_opt_level"), note=L("dc_opt_note"), source=L("dc_opt_source")
    )
    @app_commands.choices(level=LEVEL_CHOICES)
    @app_commands.autocomplete(item=items)
    async def setstatus(
        interaction: discord.Interaction,
        item: Range[str, 1, 20],
        level: Choice[str],
        note: Range[str, 1, 500],
        source: Range[str, 1, 500] | None = None,
    ) -> None:
        args = StatusUpdate(item.strip(), Level(level.value), note.strip() or None, source.strip() if source else None)
        await client.run_command(interaction, "setstatus", args, personal=True)

    @tree.command(name="evidence", description=L("dc_cmd_evidence"))
    @app_commands.describe(
        item=L("dc_opt_action"), date=L("dc_opt_fact_date"), source=L("dc_opt_fact_source"),
        note=L("dc_opt_fact_note"), publisher=L("dc_opt_publisher"),
    )
    @app_commands.autocomplete(item=items)
    async def evidence(
        interaction: discord.Interaction,
        item: Range[str, 1, 20],
        date: Range[str, 1, 20] | None = None,
        source: Range[str, 1, 500] | None = None,
        note: Range[str, 1, 500] | None = None,
        publisher: Range[str, 1, 200] | None = None,
    ) -> None:
        """The facts recorded about an action; with a date, a source and a note, an admin records one."""
        if date is None and source is None and note is None and publisher is None:
            return await client.run_command(interaction, "evidence", item)
        fact = AddEvidenceArgs(item.strip(), date or "", source or "", note or "", publisher.strip() if publisher else None)
        await client.run_command(interaction, "evidence", fact, personal=True)

    @tree.command(name="announce", description=L("dc_cmd_announce"))
    @app_commands.describe(
        message=L("dc_opt_message"), audience=L("dc_opt_audience"), followers=L("dc_opt_followers"),
        at=L("dc_opt_at"), dry=L("dc_opt_dry"),
    )
    @app_commands.choices(audience=AUDIENCE_CHOICES)
    @app_commands.autocomplete(followers=targets)
    async def announce(
        interaction: discord.Interaction,
        message: Range[str, 1, 1800],
        audience: Choice[str] | None = None,
        followers: Range[str, 1, 100] | None = None,
        at: Range[str, 10, 25] | None = None,
        dry: bool = False,
    ) -> None:
        if audience is not None and audience.value == "server":
            # A server manager announces to their own server's alert channel only ("server": this chat).
            await scoped(interaction, "announce", AnnounceArgs(message.strip(), "server", dry=dry), audience)
            return
        to = f"followers:{followers.strip()}" if followers else audience.value if audience is not None else None
        args = AnnounceArgs(message.strip(), to, at.strip() if at else None, dry)
        await client.run_command(interaction, "announce", args, personal=True)

    @tree.command(name="stats", description=L("dc_cmd_stats"))
    async def stats(interaction: discord.Interaction) -> None:
        await client.run_command(interaction, "stats", personal=True)
