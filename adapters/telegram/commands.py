"""The command menu Telegram shows next to the text box, in English (the default) and French."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot.i18n import LANGUAGES, t

log = logging.getLogger(__name__)

PUBLIC = ("start", "help", "ask", "browse", "show", "status", "progress", "evidence", "follow", "unfollow",
          "subscriptions", "frequency", "language", "about", "privacy", "forget", "stop")
ADMIN = ("setstatus", "announce", "stats")
# The French menu shows the French aliases (bot/handlers); both names work in any language.
FRENCH_NAMES = {"start": "demarrer", "help": "aide", "ask": "question", "browse": "parcourir", "show": "voir",
                "status": "statut", "progress": "avancement", "evidence": "faits", "follow": "suivre", "unfollow": "desabonner",
                "subscriptions": "abonnements", "frequency": "frequence", "language": "langue",
                "about": "apropos", "privacy": "confidentialite", "forget": "oublier", "stop": "arreter"}


def menu(names: tuple[str, ...], lang: str) -> list[BotCommand]:
    shown = FRENCH_NAMES if lang == "fr" else {}
    return [BotCommand(shown.get(name, name), t(f"tg_cmd_{name}", lang)) for name in names]


async def publish_commands(bot: Bot, admin_ids: frozenset[str] = frozenset()) -> None:
    """setMyCommands for everyone (English by default, French for French-speaking clients), and the admin
    commands on top in each admin's private chat (skipped for admins who have not started the bot)."""
    for lang in LANGUAGES:
        await bot.set_my_commands(menu(PUBLIC, lang), language_code=None if lang == "en" else lang)
    for admin_id in sorted(admin_ids):
        if not admin_id.lstrip("-").isdigit():
            continue
        scope = BotCommandScopeChat(int(admin_id))
        try:
            for lang in LANGUAGES:
                await bot.set_my_commands(menu(PUBLIC + ADMIN, lang), scope=scope,
                                          language_code=None if lang == "en" else lang)
        except TelegramError as exc:
            log.info("admin command menu not set for one admin: %s", exc.message)
