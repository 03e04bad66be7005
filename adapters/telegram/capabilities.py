"""What the core needs to know about Telegram (bot.domain.Capabilities): a private chat's id is the person's
user id, groups have no alert channel of their own to choose, nothing to mention but ids.

Imports nothing from python-telegram-bot: the composition root reads it in every process."""

from __future__ import annotations

from bot.domain import Capabilities, Platform

MESSAGE_LIMIT = 4096  # a message's text, in UTF-16 code units (the renderer counts its HTML markup in, to be safe)

CAPABILITIES = Capabilities(Platform.TELEGRAM, message_limit=MESSAGE_LIMIT)
