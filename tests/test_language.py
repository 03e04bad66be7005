"""Replying in the person's language: detection, the stored choice, French everywhere a French reader looks."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.domain import ChatRef, IncomingMessage, Reply
from bot.i18n import MESSAGES
from bot.plan.language import LanguageDetector, default_detector
from bot.storage.models import Chat
from tests.outbox_support import say, text_of

BIN = Path(sys.executable).with_name("opengov-bot")

# Short, chatty, SMS-style and mixed messages; None: nothing in the message tells its language.
DETECTION = [
    ("c koi le registre des lobbys", "fr"),
    ("jai vu un truc sur la e-santé", "fr"),
    ("y a qqch pr les handicapés sur les sites du gouv", "fr"),
    ("qd est ce que ca finit", "fr"),
    ("pkoi la france fait ca", "fr"),
    ("et c'est pour quand ?", "fr"),
    ("qui s'en occupe ?", "fr"),
    ("transparence du lobbying", "fr"),
    ("c'est quoi l'open data ?", "fr"),
    ("Bonjour ! Je suis infirmière à Lille, est-ce que les patients ont leur mot à dire ?", "fr"),
    ("données de santé", "fr"),
    ("who leads it?", "en"),
    ("is it finished?", "en"),
    ("thx", "en"),
    ("wat abt lobbying?", "en"),
    ("Hello! I'm a nurse in Lille and we keep hearing about health data — do patients get any say in it?", "en"),
    ("what does the Cour des comptes do here?", "en"),
    ("is the Haute Autorité pour la transparence de la vie publique involved?", "en"),
    ("tell me about data.gouv.fr", "en"),
    ("what is France doing on lobbying transparency?", "en"),
    ("lobbying", None),
    ("HATVP", None),
    ("2.12", None),
    ("?!", None),
]


@pytest.mark.parametrize(("text", "expected"), DETECTION)
def test_detection_on_short_and_mixed_messages(text: str, expected: str | None) -> None:
    assert default_detector().detect(text) == expected


def test_a_detector_without_names_still_works() -> None:
    detector = LanguageDetector()
    assert detector.detect("c koi le registre des lobbys") == "fr"
    assert detector.detect("what is the register of lobbyists?") == "en"


async def stored_chat(app, user: str) -> Chat:
    async with app.db.session() as session:
        return await session.scalar(select(Chat).where(Chat.chat_id == user))


async def test_a_french_first_message_gets_french_even_on_an_english_platform(app) -> None:
    replies = await say(app, "zoe", "c koi le registre des lobbys", locale="en-US")
    body = text_of(replies)
    assert "2.12" in body and "Renforcer la transparence du lobbying" in body
    assert "Statut" in body and "Status:" not in body
    chat = await stored_chat(app, "zoe")
    assert chat.language == "fr" and chat.language_chosen is False
    # a bare command then keeps the chat's language, whatever the platform says
    assert "Ce que je sais faire" in text_of(await say(app, "zoe", "help", locale="en-US"))
    assert "Bonjour" in text_of(await say(app, "zoe", "/start", locale="en-US"))
    # the next question in English is answered in English
    assert "Increase transparency surrounding lobbying" in text_of(
        await say(app, "zoe", "what is France doing on lobbying transparency?", locale="en-US"))


async def test_a_bare_command_of_a_new_chat_uses_the_platform_locale(app) -> None:
    assert "Ce que je sais faire" in text_of(await say(app, "new-fr", "help", locale="fr-FR"))
    assert "What I can do" in text_of(await say(app, "new-en", "aide", locale="en-GB"))
    assert (await stored_chat(app, "new-en")).language is None  # nothing said yet: nothing stored


async def test_a_message_without_clues_keeps_the_chat_language(app) -> None:
    await say(app, "yves", "c'est quoi le registre des lobbys ?", locale="en")
    body = text_of(await say(app, "yves", "HATVP", locale="en"))
    assert "Haute Autorité" in body and "Led by" not in body and "Implemented by" not in body


async def test_language_en_overrides_detection_and_persists(app) -> None:
    assert "je vous répondrai en français" not in text_of(await say(app, "max", "language en", locale="fr"))
    chat = await stored_chat(app, "max")
    assert chat.language == "en" and chat.language_chosen is True
    body = text_of(await say(app, "max", "c koi le registre des lobbys", locale="fr"))
    assert "Increase transparency surrounding lobbying" in body and "Statut" not in body
    # a second assistant on the same database (another process) honours the choice too
    from adapters.bootstrap import Reader, build_assistant

    other = build_assistant(Reader(app.kb, app.assistant.services.matcher, app.assistant.detector), app.db, app.settings)
    replies = await other.handle(IncomingMessage(ChatRef("console", "max"), "max", "qui pilote les données ouvertes ?"))
    assert "Status" in text_of(replies) and "Statut" not in text_of(replies)
    # "language auto" goes back to following each message
    await say(app, "max", "langue auto")
    assert (await stored_chat(app, "max")).language_chosen is False
    assert "Renforcer la transparence du lobbying" in text_of(await say(app, "max", "c koi le registre des lobbys"))


async def test_the_cli_flag_forces_the_reply_language_without_storing_it(app) -> None:
    body = text_of(await say(app, "cli", "c koi le registre des lobbys", language="en"))
    assert "Increase transparency surrounding lobbying" in body
    assert (await stored_chat(app, "cli")).language_chosen is False


FRENCH_COMMAND_NAMES = ("aide", "parcourir", "voir", "suivre", "ne plus suivre", "abonnements", "fréquence",
                        "langue", "apropos", "confidentialité", "oublier", "arrêter", "statut", "avancement")


async def test_the_french_help_lists_french_command_names_that_work(app) -> None:
    body = text_of(await say(app, "lea", "aide", locale="fr"))
    for name in FRENCH_COMMAND_NAMES:
        assert f"• {name}" in body or f"· {name}" in body or f"{name} ·" in body, name
    for english in ("• browse", "• show", "• follow", "• unfollow", "• subscriptions", "• frequency", "• language"):
        assert english not in body
    # every one of them is a command of the core
    commands = {
        "aide": "What I can do|Ce que je sais faire", "parcourir": "engagements", "voir 2.12": "2.12",
        "suivre 2.12": "Vous suivez", "ne plus suivre 2.12": "Vous ne suivez plus", "abonnements": "Vous ne suivez rien",
        "fréquence quotidien": "résumé quotidien", "fréquence immédiat": "immédiatement",
        "apropos": "À propos", "confidentialité": "Vos données", "arrêter": "suivi\\(s\\)|supprimé|Vous ne recevrez",
    }
    for command, expected in commands.items():
        reply = text_of(await say(app, "lea", command, locale="fr"))
        assert re.search(expected, reply), (command, reply[:200])


def _english_ui_fragments() -> set[str]:
    """Literal pieces (12+ characters) of every English UI sentence that differs from its French one."""
    fragments = set()
    for key, entry in MESSAGES.items():
        english, french = entry.get("en", ""), entry.get("fr", "")
        if not english or english == french or key.startswith(("dc_", "tg_")):
            continue
        for piece in re.split(r"\{[a-z_]+\}", english):
            piece = piece.strip(" :.,—()“”")
            if len(piece) >= 12:
                fragments.add(piece)
    return fragments


def _all_visible(replies: list[Reply]) -> str:
    labels = "\n".join(b.label for r in replies for row in r.buttons for b in row)
    return text_of(replies) + "\n" + labels


ENGLISH_LABELS = ("Browse", "Follow", "Status:", "Source:", "Led by", "Implemented by", "Promised", "Details",
                  "Back", "Also related", "Commitment ", "Roadmap", "Summary of France", "“browse”", "“help”",
                  "No evidence available", "not rated")


async def test_french_replies_carry_no_english_ui_strings(app) -> None:
    fragments = _english_ui_fragments()
    conversation = [
        "c koi le registre des lobbys", "qui s'en occupe ?", "c'est fini ?", "et c'est pour quand ?",
        "voir 2", "voir about.ogp", "aide", "parcourir", "parcourir 3", "statut", "suivre", "suivre ça",
        "abonnements", "fréquence", "confidentialité", "oublier", "apropos", "langue",
        "quel temps fera-t-il demain à Brest ?", "/inconnue", "voir 9.99", "voir",
    ]
    for text in conversation:
        replies = await say(app, "fr-reader", text, locale="fr-FR")
        visible = _all_visible(replies)
        leaked = [f for f in fragments if f in visible] + [w for w in ENGLISH_LABELS if w in visible]
        assert not leaked, (text, leaked)


async def test_the_french_source_line_is_in_french(app) -> None:
    body = text_of(await say(app, "src", "voir 2.12", locale="fr"))
    line = next(line for line in body.splitlines() if line.startswith("Source"))
    assert line.startswith("Source\u202f: résumé en anglais du plan d'action national 2021-2023")
    assert "Engagement 2 › Feuille de route ›" in line and "Roadmap" not in line and "Commitment" not in line


async def test_status_line_says_no_rating_is_recorded_not_that_nothing_happened(app) -> None:
    english = text_of(await say(app, "st-en", "show 2.12"))
    french = text_of(await say(app, "st-fr", "voir 2.12", locale="fr"))
    assert "⚪ Status: not rated yet — no assessment of this action is recorded in my sources" in english
    assert "2021–2023" in english and "No evidence available" not in english
    assert "⚪ Statut\u202f: pas encore évalué — aucune évaluation de cette action n'est enregistrée" in french
    assert "2021-2023" in french and "Aucune information disponible" not in french
    # a recorded status still reads as its IRM level
    await say(app, "admin", 'setstatus 2.12 limited "IRM report" https://example.org 2024-01-10')
    assert "Status: Limited — since 2024-01-10" in text_of(await say(app, "st-en", "show 2.12"))
    # and the overview names the level where levels are listed, explaining what "unrated" means
    overview = text_of(await say(app, "st-en2", "status"))
    assert "No evidence available" in overview


# -- the command line -----------------------------------------------------------------------------------------


def _cli(*args: str, stdin: str = "", env_db: str) -> subprocess.CompletedProcess:
    import os

    env = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
    env.update(DATABASE_URL=env_db, LANG="C.UTF-8")
    return subprocess.run([str(BIN), *args], check=False, input=stdin, capture_output=True, text=True, env=env, timeout=120)


def test_ask_detects_the_language_and_json_reports_it(tmp_path) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    french = _cli("ask", "c koi le registre des lobbys", env_db=db)
    assert french.returncode == 0, french.stderr
    assert "Renforcer la transparence du lobbying" in french.stdout
    english = _cli("ask", "what is France doing on lobbying transparency?", env_db=db)
    assert "Increase transparency surrounding lobbying" in english.stdout
    forced = _cli("ask", "c koi le registre des lobbys", "--lang", "en", env_db=db)
    assert "Increase transparency surrounding lobbying" in forced.stdout
    lines = _cli("ask", "--json", "-", stdin="c koi le registre des lobbys\nwho leads it?\nHATVP\n", env_db=db)
    assert [json.loads(line)["language"] for line in lines.stdout.splitlines()] == ["fr", "en", "en"]


@pytest.mark.parametrize("args", [("ask", "--json", "-"), ("chat", "--as", "piped")])
def test_a_closed_pipe_ends_quietly(tmp_path, args) -> None:
    """`opengov-bot ask --json - | head -1` and `… chat | head -1`: no traceback, the status of SIGPIPE."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
    env.update(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'pipe.db'}", LANG="C.UTF-8")
    questions = "".join(f"show 2.{i % 9 + 1}\n" for i in range(400))
    producer = subprocess.Popen([str(BIN), *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, cwd=tmp_path)
    producer.stdin.write(questions.encode())
    producer.stdin.close()
    first = producer.stdout.readline()  # the reader takes one line, then goes away
    producer.stdout.close()
    err = producer.stderr.read().decode()
    code = producer.wait(timeout=120)
    assert first
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert code in (0, 141), (code, err)
