"""Command handlers, grouped by use case; `register_all` wires them into an Assistant."""

from __future__ import annotations


def register_all(assistant) -> None:
    from bot.handlers import plan

    plan.register(assistant)
