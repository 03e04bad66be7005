"""The Telegram adapter's own messages (its menus and notices), in
adapters/telegram/locales/<lang>/LC_MESSAGES/messages.po and read like the core's (bot/i18n.py; README,
"Messages and languages"). The core's messages stay bot.i18n's."""

from __future__ import annotations

from bot.i18n import Catalogues

CATALOGUES = Catalogues.beside(__file__)
UI_LANGUAGES = CATALOGUES.languages  # the menus are published in each
t = CATALOGUES.t
