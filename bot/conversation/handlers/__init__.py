"""Command handlers, grouped by use case. Each module lists its COMMANDS; the bootstrap builds the registry."""

from __future__ import annotations

from bot.conversation.commands import CommandRegistry
from bot.conversation.handlers import admin, follow, plan, server


def default_commands() -> CommandRegistry:
    """Every command the assistant knows, by name and alias."""
    return CommandRegistry([*plan.COMMANDS, *follow.COMMANDS, *admin.COMMANDS, *server.COMMANDS])
