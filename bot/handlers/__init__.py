"""Command handlers, grouped by use case; `register_all` wires them into an Assistant."""

from __future__ import annotations


def register_all(assistant) -> None:
    from bot.handlers import admin, follow, plan, server

    plan.register(assistant)
    follow.register(assistant)
    admin.register(assistant)
    server.register(assistant)
