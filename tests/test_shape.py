"""The shape of the code (issue 10): one bootstrap builds everything; no import is hidden inside a function to
break a cycle; the core never imports an adapter; commands are listed, not registered from constructors."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from adapters.bootstrap import bootstrap
from bot.conversation.commands import Command, CommandRegistry
from bot.conversation.handlers import admin, default_commands, follow, plan, server

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = ("bot", "adapters", "jobs", "knowledge")

# Imports deliberately made inside a function, each for start-up cost, never to break a cycle:
# the command-line entry point loads only what the chosen subcommand uses, and a platform's library
# (python-telegram-bot, discord.py) is imported only when its token is set.
LAZY_ALLOWED = {
    "adapters/cli.py": "the subcommand's own modules",
    "adapters/runner.py": "a platform's library, only when its token is set",
}


def _function_level_imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and inner.module and inner.level == 0:
                    names = [inner.module]
                elif isinstance(inner, ast.Import):
                    names = [alias.name for alias in inner.names]
                else:
                    continue
                found += [(inner.lineno, name) for name in names if name.split(".")[0] in FIRST_PARTY]
    return found


def _modules() -> list[Path]:
    return sorted(p for package in FIRST_PARTY for p in (ROOT / package).rglob("*.py")
                  if "migrations" not in p.parts)


def test_no_first_party_import_hides_inside_a_function() -> None:
    hidden = {}
    for path in _modules():
        relative = path.relative_to(ROOT).as_posix()
        if relative in LAZY_ALLOWED:
            continue
        if found := _function_level_imports(path):
            hidden[relative] = found
    assert hidden == {}, f"imports inside functions (cycle-breaking?): {hidden}"


def test_the_checker_finds_a_hidden_import(tmp_path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import os\n\ndef f():\n    from bot.storage.chats import find_chat\n    import json\n")
    assert _function_level_imports(sample) == [(4, "bot.storage.chats")]


def test_the_core_never_imports_an_adapter() -> None:
    offenders = []
    for package in ("bot", "jobs", "knowledge"):
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                module = node.module if isinstance(node, ast.ImportFrom) else None
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [module or ""]
                offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names
                              if n.split(".")[0] in ("adapters", "telegram", "discord")]
    assert offenders == []


def test_every_command_is_listed_once_and_the_registry_refuses_a_clash() -> None:
    registry = default_commands()
    listed = [*plan.COMMANDS, *follow.COMMANDS, *admin.COMMANDS, *server.COMMANDS]
    assert set(registry.commands) == set(listed) and len(registry.commands) == len(listed)
    assert registry["suivre"] is registry["follow"] and registry["annonce"].admin is False
    with pytest.raises(ValueError, match="suivre"):
        CommandRegistry([*listed, Command("other", plan.ask, ("suivre",))])


async def test_the_bootstrap_builds_the_core_only_for_processes_that_answer(settings) -> None:
    for process, answers in (("run", True), ("web", True), ("worker", False), ("clock", False)):
        app = await bootstrap(settings, process=process)
        try:
            assert (app.assistant is not None) is answers
            assert app.worker.outbounds is app.outbounds  # platforms that come up are the worker's at once
        finally:
            await app.close()


async def test_a_test_overrides_a_part_through_the_bootstrap(settings) -> None:
    only_help = CommandRegistry([c for c in plan.COMMANDS if c.name in ("help", "ask")])
    app = await bootstrap(settings, commands=only_help)
    try:
        assert app.assistant.commands is only_help
        assert "follow" not in app.assistant.commands
    finally:
        await app.close()
