"""Platform details live at the edges: each adapter's Capabilities (mentions, servers, admins' chats, message
limits), handed to the core by the composition root; the core's own code knows no platform."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from adapters.bootstrap import CAPABILITIES
from adapters.console import CAPABILITIES as CONSOLE
from adapters.discord.capabilities import CAPABILITIES as DISCORD
from adapters.discord.capabilities import server_chat, user_chat
from adapters.discord.rendering import CONTENT_LIMIT, plain_chunks
from adapters.telegram.capabilities import CAPABILITIES as TELEGRAM
from adapters.telegram.rendering import render_text
from bot.conversation.commands import Context
from bot.domain import Block, Capabilities, ChatRef, IncomingMessage, Platform, capabilities_of

ROOT = Path(__file__).resolve().parent.parent


def test_discord_mentions_servers_and_admins() -> None:
    assert DISCORD.platform == "discord" and DISCORD.message_limit == 2000
    assert DISCORD.mention_channel("1") == "<#1>"
    assert DISCORD.mention_role("2") == "<@&2>"
    assert DISCORD.is_server_chat("guild:42") and not DISCORD.is_server_chat("user:7")
    assert DISCORD.admin_chat("2001") == ChatRef("discord", "user:2001")
    assert user_chat(7) == ChatRef("discord", "user:7") and server_chat(42) == ChatRef("discord", "guild:42")
    assert DISCORD.is_server_chat(server_chat(42).chat_id) and not DISCORD.is_server_chat(user_chat(42).chat_id)


def test_telegram_has_no_servers_and_reaches_an_admin_by_their_user_id() -> None:
    assert TELEGRAM.platform == "telegram" and TELEGRAM.message_limit == 4096
    assert TELEGRAM.admin_chat("1001") == ChatRef("telegram", "1001")
    assert TELEGRAM.mention_channel("1") == "1" and TELEGRAM.mention_role("2") == "2"
    assert not TELEGRAM.is_server_chat("-1001234") and not TELEGRAM.is_server_chat("1001")


def test_the_console_and_an_unknown_platform_get_the_plain_default() -> None:
    assert CONSOLE == Capabilities(Platform.CONSOLE)
    assert CONSOLE.admin_chat("admin") == ChatRef("console", "admin")
    assert CONSOLE.mention_channel("general") == "general" and CONSOLE.mention_role("team") == "team"
    assert not CONSOLE.is_server_chat("guild:42")
    assert CONSOLE.message_limit >= 100_000
    plain = capabilities_of(CAPABILITIES, "matrix")
    assert plain == Capabilities("matrix") and plain.admin_chat("u") == ChatRef("matrix", "u")


def test_the_composition_root_hands_every_platform_its_adapters_capabilities(app) -> None:
    assert dict(CAPABILITIES) == {"console": CONSOLE, "telegram": TELEGRAM, "discord": DISCORD}
    assert set(CAPABILITIES) == set(Platform)
    assert app.capabilities is CAPABILITIES and app.assistant.services.capabilities is CAPABILITIES


async def test_a_handler_sees_its_messages_platform(app) -> None:
    for platform, expected in (("discord", DISCORD), ("telegram", TELEGRAM), ("console", CONSOLE)):
        msg = IncomingMessage(ChatRef(platform, "x"), "x", "hello")
        assert Context(app.assistant.services, msg, None, None, "en", False).capabilities is expected


def test_each_adapter_renders_to_its_own_limit() -> None:
    text = "\n\n".join("word " * 150 for _ in range(40))  # ~30,000 characters
    assert CONTENT_LIMIT == DISCORD.message_limit
    assert max(len(chunk) for chunk in plain_chunks(text)) <= DISCORD.message_limit
    chunks = render_text((Block(text),))
    assert len(chunks) > 1 and max(len(chunk) for chunk in chunks) <= TELEGRAM.message_limit
    assert max(len(chunk) for chunk in chunks) > DISCORD.message_limit  # Telegram's own, not Discord's


def test_the_capabilities_do_not_load_the_platforms_libraries() -> None:
    """The composition root reads them in every process (clock, commands), which need neither library."""
    code = ("import sys, adapters.bootstrap; "
            "print(sorted(m for m in ('discord', 'telegram') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# Platform knowledge the core must not have: how Discord writes a mention, names a server or a person's DMs, and
# which platform is which (outside the Platform enum).
MENTIONS = ("<#", "<@&", "<@")
CHAT_IDS = ("guild:", "user:")
NAMES = {"discord", "telegram"}
# bot/pacing.py: Telegram's replies share its rate limit with the alerts, so they may run one send ahead; a
# pacing policy of the Pacer that the delivery worker also builds from settings alone (left there, on purpose).
ALLOWED = {("bot/pacing.py", "Platform.TELEGRAM")}


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _platform_knowledge(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    if path.name == "domain.py":  # the Platform enum names the platforms
        skip |= {id(n) for c in ast.walk(tree) if isinstance(c, ast.ClassDef) and c.name == "Platform"
                 for n in ast.walk(c)}
    found = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if text.casefold() in NAMES or any(m in text for m in MENTIONS) or text.startswith(CHAT_IDS) or any(
                    f'"{c}' in text or f"'{c}" in text for c in CHAT_IDS):
                found.append(f"{node.lineno}: {text!r}")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Platform" \
                and node.attr != "CONSOLE":
            found.append(f"{node.lineno}: Platform.{node.attr}")
    return found


def test_the_core_knows_no_platform() -> None:
    offenders = {}
    for path in sorted((ROOT / "bot").rglob("*.py")):
        relative = str(path.relative_to(ROOT))
        found = [f for f in _platform_knowledge(path) if (relative, f.split(": ", 1)[1]) not in ALLOWED]
        if found:
            offenders[relative] = found
    assert offenders == {}


def test_the_scan_sees_what_the_core_used_to_hold(tmp_path) -> None:
    before = tmp_path / "server.py"
    before.write_text('"""Doc: Discord\'s <#id> and guild:1 are fine here."""\n'
                      'def f(chat, i):\n'
                      '    """<@&id> in a docstring is prose."""\n'
                      '    if chat.platform == "discord" and chat.chat_id.startswith("guild:"):\n'
                      '        return f"<#{i}>", f"<@&{i}>", f"user:{i}", Platform.DISCORD\n', encoding="utf-8")
    found = [f.split(": ", 1)[1] for f in _platform_knowledge(before)]
    assert sorted(found) == sorted(["'discord'", "'guild:'", "'<#'", "'<@&'", "'user:'", "Platform.DISCORD"])
