"""The command menu Telegram shows next to the text box, in English (the default) and French."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from adapters.telegram.i18n import UI_LANGUAGES, t
from bot.i18n import N_

log = logging.getLogger(__name__)

PUBLIC = ("start", "help", "ask", "browse", "show", "status", "progress", "evidence", "follow", "unfollow",
          "subscriptions", "frequency", "language", "about", "privacy", "forget", "stop")
ADMIN = ("setstatus", "announce", "stats")
# Each command's description in the menu: a message key (its texts are in adapters/telegram/locales).
DESCRIPTIONS = {
    "start": N_("tg_cmd_start"), "help": N_("tg_cmd_help"), "ask": N_("tg_cmd_ask"), "browse": N_("tg_cmd_browse"),
    "show": N_("tg_cmd_show"), "status": N_("tg_cmd_status"), "progress": N_("tg_cmd_progress"), "evidence": N_("tg_cmd_evidence"),
    "follow": N_("tg_cmd_follow"), "unfollow": N_("tg_cmd_unfollow"), "subscriptions": N_("tg_cmd_subscriptions"),
    "frequency": N_("tg_cmd_frequency"), "language": N_("tg_cmd_language"), "about": N_("tg_cmd_about"),
    "privacy": N_("tg_cmd_privacy"), "forget": N_("tg_cmd_forget"), "stop": N_("tg_cmd_stop"),
    "setstatus": N_("tg_cmd_setstatus"), "announce": N_("tg_cmd_announce"), "stats": N_("tg_cmd_stats"),
}
# The French menu shows the French aliases (bot/handlers); both names work in any language.
FRENCH_NAMES = {"start": "demarrer", "help": "aide", "ask": "question", "browse": "parcourir", "show": "voir",
                "status": "statut", "progress": "avancement", "evidence": "faits", "follow": "suivre", "unfollow": "desabonner",
                "subscriptions": "abonnements", "frequency": "frequence", "language": "langue",
                "about": "apropos", "privacy": "confidentialite", "forget": "oublier", "stop": "arreter"}


def menu(names: tuple[str, ...], lang: str) -> list[BotCommand]:
    shown = FRENCH_NAMES if lang == "fr" else {}
    return [BotCommand(shown.get(name, name), t(DESCRIPTIONS[name], lang)) for name in names]


async def publish_commands(bot: Bot, admin_ids: frozenset[str] = frozenset()) -> None:
    """setMyCommands for everyone (English by default, French for French-speaking clients), and the admin
    commands on top in each admin's private chat (skipped for admins who have not started the bot)."""
    for lang in UI_LANGUAGES:
        await bot.set_my_commands(menu(PUBLIC, lang), language_code=None if lang == "en" else lang)
    for admin_id in sorted(admin_ids):
        if not admin_id.lstrip("-").isdigit():
            continue
        scope = BotCommandScopeChat(int(admin_id))
        try:
            for lang in UI_LANGUAGES:
                await bot.set_my_commands(menu(PUBLIC + ADMIN, lang), scope=scope,
                                          language_code=None if lang == "en" else lang)
        except TelegramError as exc:
            log.info("admin command menu not set for one admin: %s", exc.message)
