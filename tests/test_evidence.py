"""Issue 11: evidence (shipped in knowledge/data/evidence.yaml, or recorded by the feed and admins), statuses by
source with their divergence, answers to progress questions, and the plan's time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from adapters.cli import main as cli_main
from bot.following.evidence import evidence_counts
from bot.following.feed import import_feed
from bot.following.status_reads import disagreement, statuses_by_source
from bot.presentation.chart import evidenced
from bot.storage.models import EvidenceRecord, Notification, StatusChange
from jobs.digests import build_digests
from knowledge.loader import DATA_DIR, KnowledgeError, load, validate_file
from tests.outbox_support import RecordingOutbound, count, follow, make_worker, notifications, say, text_of

GOOD = """\
evidence:
  - action: "2.3"
    date: 2022-04-21
    text: {en: "Appeal court decisions opened.", fr: "Décisions des cours d'appel ouvertes."}
    source: https://www.courdecassation.fr/
    publisher: Cour de cassation
    reported_by: government
"""


def _entry(action="2.3", date="2022-04-21", text='{en: "Done.", fr: "Fait."}', source="https://example.org/a",
           reported_by="press") -> str:
    return (f'  - action: "{action}"\n    date: {date}\n    text: {text}\n    source: {source}\n'
            f"    publisher: Example\n    reported_by: {reported_by}\n")


# -- the shipped file and its validation ----------------------------------------------------------------------


def test_the_shipped_evidence_is_valid_sourced_and_on_known_actions() -> None:
    kb = load(DATA_DIR)
    facts = [fact for facts in kb.evidence.values() for fact in facts]
    assert len(facts) >= 10 and len(kb.evidence) >= 8
    for fact in facts:
        assert fact.action in kb.actions
        assert fact.source.startswith("https://") and fact.text.en and fact.text.fr and fact.publisher
    assert [f.date.isoformat() for f in kb.evidence["2.3"]] == ["2021-10-01", "2022-04-21"]  # oldest first


@pytest.mark.parametrize(("entry", "expected"), [
    (_entry(source="www.example.org/no-scheme"), "evidence[0] (action 2.3): field source: Value error, not an http(s) web address"),
    (_entry(date="2020-12-31"), "evidence[0] (action 2.3): field date: Value error, before the plan (its drafting began on 2021-02-13)"),
    (_entry(text='{en: "Done."}'), "evidence[0] (action 2.3): field text.fr: Field required"),
    (_entry(action="9.9"), "evidence[0] (action 9.9): field action: unknown action id '9.9'"),
    (_entry(reported_by="blog"), "evidence[0] (action 2.3): field reported_by: Input should be"),
    (_entry(date="2099-01-01"), "evidence[0] (action 2.3): field date: Value error, in the future"),
])
def test_invalid_evidence_is_refused_with_its_file_item_and_field(tmp_path, entry, expected) -> None:
    path = tmp_path / "evidence.yaml"
    path.write_text("evidence:\n" + entry, encoding="utf-8")
    with pytest.raises(KnowledgeError) as caught:
        validate_file(path)
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith(f"{path}: "), caught.value.problems
    assert expected in caught.value.problems[0], caught.value.problems


def test_kb_validate_reports_every_problem_and_exits_1(tmp_path, capsys) -> None:
    path = tmp_path / "evidence.yaml"
    path.write_text("evidence:\n" + _entry(source="ftp://x") + _entry(date="2020-01-01"), encoding="utf-8")
    assert cli_main(["kb", "validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "2 problem(s)" in err and "evidence[0] (action 2.3): field source" in err
    assert "evidence[1] (action 2.3): field date" in err
    path.write_text(GOOD, encoding="utf-8")
    assert cli_main(["kb", "validate", str(path)]) == 0
    assert "1 pieces of evidence on 1 actions" in capsys.readouterr().out


def test_the_same_fact_twice_is_refused(tmp_path) -> None:
    path = tmp_path / "evidence.yaml"
    path.write_text("evidence:\n" + _entry() + _entry(), encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"evidence\[1\] \(action 2.3\): the same action, date and source"):
        validate_file(path)


# -- the feed: statuses by source and evidence, all or nothing -------------------------------------------------

FEED = [
    {"id": "2.12", "status": "complete", "assessed_by": "government", "source": "https://www.hatvp.fr/a",
     "date": "2024-06-01", "note": "Self-assessment"},
    {"id": "2.12", "status": "limited", "assessed_by": "irm", "source": "https://www.opengovpartnership.org/r",
     "date": "2024-09-01"},
    {"kind": "evidence", "id": "2.12", "date": "2023-06-30", "note": "Lobbying data analysis published",
     "note_fr": "Analyse des données du lobbying publiée", "source": "https://www.hatvp.fr/b", "publisher": "HATVP",
     "reported_by": "government"},
]


async def _import(app, tmp_path, rows, name="feed.json"):
    path = tmp_path / name
    path.write_text(json.dumps(rows), encoding="utf-8")
    return await import_feed(app.db, app.kb, app.settings, str(path), capabilities=app.capabilities)


@pytest.mark.parametrize("bad", [
    {"kind": "evidence", "id": "2.11", "date": "2023-01-01", "note": "no source"},
    {"kind": "evidence", "id": "2.11", "date": "2020-01-01", "note": "too early", "source": "https://example.org/"},
    {"id": "2.11", "status": "complete", "assessed_by": "the minister"},
    {"kind": "rumour", "id": "2.11"},
])
async def test_one_bad_row_and_nothing_of_the_feed_is_applied(app, tmp_path, bad) -> None:
    await say(app, "alice", "follow all")
    result = await _import(app, tmp_path, [*FEED, bad])
    assert not result.ok and result.changed == 0
    assert result.problems[0].startswith("row 4: ")
    assert await count(app, StatusChange) == 0 and await count(app, EvidenceRecord) == 0
    assert await count(app, Notification, Notification.kind == "alert") == 0


async def test_a_feed_of_statuses_by_source_and_evidence_is_applied_and_the_divergence_told_once(app, tmp_path) -> None:
    await say(app, "alice", "follow 2.12")
    await say(app, "amelie", "language fr")
    await say(app, "amelie", "follow 2.12")
    result = await _import(app, tmp_path, FEED)
    assert result.ok and (result.changed, result.unchanged) == (3, 0)
    async with app.db.session() as session:
        by_source = await statuses_by_source(session, "2.12")
    assert {s.value: c.level.value for s, c in by_source.items()} == {"irm": "limited", "government": "complete"}
    assert {s.value: v.value for s, v in disagreement(by_source).items()} == {"irm": "limited", "government": "complete"}

    # alice: one alert per status change and one for the evidence; the divergence rides on the change making it
    keys = [n.key.rsplit(":", 1)[0].split(":")[0] for n in await notifications(app)]
    assert sorted(keys) == ["evidence", "evidence", "status", "status", "status", "status"]
    outbound = RecordingOutbound()
    await make_worker(app, outbound).run_once()
    alice = [s.text for s in outbound.to("alice")]
    assert len(alice) == 3
    assert sum("The sources disagree" in text for text in alice) == 1
    assert any("IRM: 🟠 Limited · Government: 🟢 Complete" in text for text in alice)
    assert any("assessed by OGP Independent Reporting Mechanism" in text for text in alice)
    evidence = next(text for text in alice if "New evidence" in text)
    assert "2023-06-30 — Lobbying data analysis published (HATVP; reported by: government)" in evidence
    french = [s.text for s in outbound.to("amelie")]
    assert sum("Les sources divergent" in text for text in french) == 1
    assert any("Analyse des données du lobbying publiée" in text for text in french)

    # the same feed again, and a longer one repeating these rows: nothing new, no second alert
    again = await _import(app, tmp_path, FEED)
    assert again.ok and again.not_modified
    more = await _import(app, tmp_path, [*FEED, {"id": "1.1", "status": "limited"}], name="more.csv.json")
    assert more.ok and (more.changed, more.unchanged) == (1, 3)
    await make_worker(app, outbound).run_once()
    assert len(outbound.to("alice")) == 3


async def test_a_divergence_arriving_in_two_feeds_is_told_once(app, tmp_path) -> None:
    await say(app, "alice", "follow 2.12")
    await _import(app, tmp_path, FEED[:1], name="government.json")
    await _import(app, tmp_path, FEED[1:2], name="irm.json")
    changed = dict(FEED[1], note="the same level, another note")
    await _import(app, tmp_path, [changed], name="irm.json")  # the IRM says the same: nothing to tell
    payloads = [n.payload for n in await notifications(app)]
    assert [p.get("divergence") for p in payloads] == [None, {"irm": "limited", "government": "complete"}]


async def test_the_csv_feed_takes_assessed_by_and_evidence_rows(app, tmp_path) -> None:
    path = tmp_path / "feed.csv"
    path.write_text(
        "kind,id,status,assessed_by,note,note_fr,source,publisher,reported_by,date\n"
        "status,2.12,complete,government,Self-assessment,,https://www.hatvp.fr/a,,,2024-06-01\n"
        ",2.11,limited,,,,,,,2024-01-01\n"
        "evidence,2.12,,,Data published,Données publiées,https://www.hatvp.fr/b,HATVP,government,2023-06-30\n",
        encoding="utf-8")
    result = await import_feed(app.db, app.kb, app.settings, str(path), capabilities=app.capabilities)
    assert result.ok and result.changed == 3
    async with app.db.session() as session:
        rows = list(await session.scalars(select(StatusChange).order_by(StatusChange.id)))
        fact = await session.scalar(select(EvidenceRecord))
    assert [(r.action_id, r.assessed_by) for r in rows] == [("2.12", "government"), ("2.11", "maintainers")]
    assert (fact.note_fr, fact.publisher, fact.reported_by) == ("Données publiées", "HATVP", "government")


EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.parametrize("name", ["status-feed.json", "status-feed.csv"])
async def test_the_examples_carry_sources_and_evidence(app, name) -> None:
    result = await import_feed(app.db, app.kb, app.settings, str(EXAMPLES / name), capabilities=app.capabilities)
    assert result.ok
    async with app.db.session() as session:
        sources = sorted(str(s) for s in await session.scalars(select(StatusChange.assessed_by)))
        facts = await count(app, EvidenceRecord)
    assert sources == ["government", "irm", "maintainers", "maintainers", "maintainers"]
    assert facts == 1


# -- show, answers, follow-ups ----------------------------------------------------------------------------------


async def test_show_lists_the_evidence_and_the_status_of_each_source(app, tmp_path) -> None:
    shown = (await say(app, "alice", "show 2.3"))[0]
    text = shown.plain_text
    assert "What happened (latest first):" in text
    assert text.index("2022-04-21 — ") < text.index("2021-10-01 — ")  # newest first
    assert any(b.url and b.url.startswith("https://www.courdecassation.fr/") for b in shown.blocks)
    assert "Status by source" not in text  # no source has rated it

    await _import(app, tmp_path, FEED)
    shown = (await say(app, "alice", "show 2.12"))[0]
    text = shown.plain_text
    assert "Status by source:" in text
    assert "• IRM: 🟠 Limited — 2024-09-01" in text and "• Government: 🟢 Complete — 2024-06-01" in text
    assert "⚠️ The sources disagree: IRM: 🟠 Limited · Government: 🟢 Complete" in text
    assert "https://www.opengovpartnership.org/r" in [b.url for b in shown.blocks]
    assert "2023-06-30 — Lobbying data analysis published (HATVP)" in text
    french = text_of(await say(app, "amelie", "voir 2.12", language="fr"))
    assert "Statut selon la source" in french and "Les sources divergent" in french
    assert "Analyse des données du lobbying publiée" in french


@pytest.mark.parametrize(("question", "lang", "lead"), [
    ("Has FR-Alert been launched?", "en", "Latest recorded (2022-06-21, Phonandroid): The government launched FR-Alert"),
    ("what happened to the Judilibre open data of court decisions?", "en",
     "Latest recorded (2022-04-21, Cour de cassation): The civil, social and commercial decisions"),
    ("FR-Alert, ça a abouti ?", "fr", "Dernier fait enregistré (2022-06-21, Phonandroid)\u202f: Le gouvernement a lancé"),
    ("où en est la stratégie nationale biodiversité ?", "fr", "Dernier fait enregistré (2023-11-27, Euractiv France)"),
])
async def test_progress_questions_lead_with_the_latest_evidence(app, question, lang, lead) -> None:
    reply = (await say(app, "alice", question))[0]
    assert reply.blocks[0].text.startswith(lead), reply.blocks[0].text
    assert reply.blocks[0].url and reply.blocks[0].url.startswith("https://")


async def test_a_fact_question_keeps_the_plans_sentence_and_new_evidence_leads(app) -> None:
    plain = (await say(app, "alice", "what is FR-Alert?"))[0]
    assert not plain.blocks[0].text.startswith("Latest recorded")
    await say(app, "admin", 'evidence 5.10 2023-10-12 https://example.org/fr-alert "A nationwide exercise was run"')
    reply = (await say(app, "alice", "Has FR-Alert been launched?"))[0]
    assert reply.blocks[0].text.startswith("Latest recorded (2023-10-12, example.org): A nationwide exercise")


async def test_is_it_finished_after_an_item_leads_with_its_evidence(app) -> None:
    await say(app, "alice", "show 3.4")
    reply = (await say(app, "alice", "is it finished?"))[0]
    assert "Latest recorded (2023-07-07, Système de Design de l'État)" in reply.plain_text


# -- the admin command and the command line --------------------------------------------------------------------


async def test_admins_add_evidence_once_and_followers_are_alerted(app) -> None:
    await say(app, "alice", "follow 2.9")
    args = '2.9 2023-01-10 https://example.org/rdg "More datasets deposited" "Example News"'
    assert "admin" in text_of(await say(app, "bob", f"/evidence {args}")).lower()  # not an admin
    assert "Evidence recorded for 2.9 (2023-01-10). Alerts queued: 1." in text_of(await say(app, "admin", f"evidence {args}"))
    assert "already recorded" in text_of(await say(app, "admin", f"evidence {args}"))
    assert "YYYY-MM-DD" in text_of(await say(app, "admin", 'evidence 2.9 2020-01-01 https://example.org/x "early"'))
    assert "http:// or https://" in text_of(await say(app, "admin", 'evidence 2.9 2023-01-10 example.org "no scheme"'))
    # repeating a shipped fact records nothing
    shipped = app.kb.evidence["2.9"][0]
    repeat = f'evidence 2.9 {shipped.date} {shipped.source} "again"'
    assert "already recorded" in text_of(await say(app, "admin", repeat))
    alerts = await notifications(app, Notification.kind == "alert")
    assert [n.payload["type"] for n in alerts] == ["evidence"]
    listing = text_of(await say(app, "alice", "evidence 2.9"))
    assert listing.index("2023-01-10 — More datasets deposited (Example News; reported by: this bot's maintainers)") < (
        listing.index("2022-07-08 — The Minister for Higher Education and Research inaugurated Recherche Data Gouv"))
    assert "(Ministry of Higher Education and Research; reported by: government)" in listing


def test_the_command_line_adds_and_lists_evidence(settings, capsys, monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CONSOLE_ADMIN_IDS", "admin")
    add = ["evidence", "add", "4.1", "--date", "2023-02-16", "--source", "https://example.org/energy",
           "--note", "The consultation's conclusions were published", "--note-fr", "Conclusions publiées",
           "--reported-by", "press"]
    assert cli_main(add) == 0 and "recorded" in capsys.readouterr().out
    assert cli_main(add) == 0 and "already recorded" in capsys.readouterr().out
    assert cli_main(["evidence", "add", "4.1", "--date", "2023-02-16", "--source", "https://x.org/",
                     "--note", "n", "--reported-by", "blog"]) == 1
    assert cli_main(["evidence", "list", "4.1"]) == 0
    out = capsys.readouterr().out
    assert out.index("2023-02-16 The consultation's conclusions") < out.index("2022-10-20")


# -- digests, the chart, the plan's time -------------------------------------------------------------------------


async def test_a_daily_digest_carries_new_evidence(app) -> None:
    await follow(app, "dave", "2.9", "daily")
    await say(app, "admin", 'evidence 2.9 2023-01-10 https://example.org/rdg "More datasets deposited"')
    assert await build_digests(app.db, app.settings, force=True) == 1
    outbound = RecordingOutbound()
    await make_worker(app, outbound).run_once()
    (digest,) = outbound.to("dave")
    assert "Your digest: 1 new fact\n" in digest.text and "More datasets deposited" in digest.text


async def test_the_chart_counts_actions_with_evidence_per_commitment(app) -> None:
    async with app.db.session() as session:
        counts = await evidence_counts(session, app.kb)
    assert evidenced(app.kb, counts, "2") == (2, 15)  # 2.3 and 2.9
    await say(app, "admin", 'evidence 2.12 2023-01-10 https://example.org/h "Analysis published"')
    async with app.db.session() as session:
        counts = await evidence_counts(session, app.kb)
    assert evidenced(app.kb, counts, "2") == (3, 15)
    replies = await say(app, "alice", "progress")
    assert replies[0].image is not None and replies[0].image.data.startswith(b"\x89PNG")


async def test_about_and_the_plan_topic_say_the_plan_has_ended_and_what_came_next(app) -> None:
    about = text_of(await say(app, "alice", "about"))
    assert "ran from 2021 to 2023 and has ended" in about and "now presents France's next plan" in about
    topic = (await say(app, "alice", "show about.plan"))[0]
    assert "Since the plan:" in topic.plain_text and "17 commitments" in topic.plain_text
    assert "no longer lists these actions" in topic.plain_text
    urls = [b.url for b in topic.blocks if b.url]
    assert "https://www.opengovpartnership.org/documents/france-action-plan-review-2023-2025/" in urls
    french = text_of(await say(app, "amelie", "voir about.plan", language="fr"))
    assert "Depuis le plan" in french and "il est terminé" in french
