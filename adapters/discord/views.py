"""Buttons that survive restarts: the core command rides in the custom_id ("og:show 2.12"), so any process that
registered CommandButton (client.add_dynamic_items) can answer a click on any message, however old."""

from __future__ import annotations

import logging
import re

import discord

from bot.domain import Button

log = logging.getLogger(__name__)

PREFIX = "og"
SERVER_SCOPE = "s"  # "ogs:…": the button acts for the server (a server alert, /subscriptions for: server)
CUSTOM_ID_LIMIT = 100
LABEL_LIMIT = 80


def custom_id(command: str, scope: str = "") -> str:
    return f"{PREFIX}{scope}:{command}"


def _style(command: str) -> discord.ButtonStyle:
    verb = command.split(" ", 1)[0]
    if verb == "follow":
        return discord.ButtonStyle.success
    if verb in ("unfollow", "stop", "forget"):
        return discord.ButtonStyle.danger
    if verb in ("show", "browse", "language", "progress", "frequency"):
        return discord.ButtonStyle.secondary
    return discord.ButtonStyle.primary


class CommandButton(discord.ui.DynamicItem[discord.ui.Button], template=r"og(?P<scope>s?):(?P<command>.+)"):
    """A button whose press sends its command to the core, like typing it (with via_button=True)."""

    def __init__(self, label: str, command: str, scope: str = "", row: int | None = None) -> None:
        label = label if len(label) <= LABEL_LIMIT else label[: LABEL_LIMIT - 1] + "…"
        button = discord.ui.Button(label=label, custom_id=custom_id(command, scope), style=_style(command))
        super().__init__(button, row=row)
        self.command = command
        self.scope = scope

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> CommandButton:
        return cls(item.label or "", match["command"], match["scope"])

    async def callback(self, interaction: discord.Interaction) -> None:
        handler = getattr(interaction.client, "handle_button", None)
        if handler is None:
            log.warning("a command button was pressed but this client cannot answer it")
            return
        await handler(interaction, self.command, server=self.scope == SERVER_SCOPE)


def command_view(rows: list[list[Button]], scope: str = "") -> discord.ui.View | None:
    """A persistent view (no timeout) of the buttons; unusable ones (too long, duplicates) are left out."""
    view = discord.ui.View(timeout=None)
    seen: set[str] = set()
    for index, row in enumerate(rows):
        for button in row:
            cid = custom_id(button.command, scope)
            if len(cid) > CUSTOM_ID_LIMIT or cid in seen:
                if cid not in seen:
                    log.warning("button command too long for Discord, left out: %.40s…", button.command)
                continue
            seen.add(cid)
            view.add_item(CommandButton(button.label, button.command, scope, row=index))
    return view if view.children else None
