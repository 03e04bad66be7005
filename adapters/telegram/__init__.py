"""Telegram: python-telegram-bot polling or webhook, HTML replies with inline keyboards, alert delivery.

The package itself imports nothing: `adapters.telegram.capabilities` (read by the bootstrap in every process)
must not load python-telegram-bot. The service is `adapters.telegram.service.TelegramService`."""
