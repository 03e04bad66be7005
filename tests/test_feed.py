"""The status feed (bot.following.feed): JSON and CSV imports, all-or-nothing validation, admins told once, and polling
over HTTP (a local aiohttp server on 127.0.0.1) with ETag / Last-Modified."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web
from sqlalchemy import select

from adapters.console import ConsoleOutbound, pop_inbox
from bot.following.feed import FeedError, import_feed, validate_rows
from bot.following.status_reads import current_statuses
from bot.storage.models import AuditEntry, FeedState, Notification, StatusChange
from tests.http_support import serve
from tests.outbox_support import count, make_worker, notifications, say

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
# the latest status of each action (2.12: the government's "substantial", then the IRM's "limited")
EXPECTED = {"2.12": "limited", "2.11": "complete", "1.1": "limited", "3.1": "not_started"}
VALID_CSV = "id,status,note,source,date\n2.12,limited,first step,https://example.org/a,2026-01-15\n"


async def statuses(app) -> dict[str, str]:
    async with app.db.session() as session:
        return {k: v.level.value for k, v in (await current_statuses(session)).items()}


async def run(app, source) -> object:
    return await import_feed(app.db, app.kb, app.settings, str(source), capabilities=app.capabilities)


async def nothing_changed(app, source) -> None:
    assert await count(app, StatusChange) == 0
    assert await count(app, Notification, Notification.kind != "notice") == 0
    async with app.db.session() as session:
        state = await session.get(FeedState, str(source))
    assert state is None or state.content_hash is None
    assert await count(app, AuditEntry, AuditEntry.action == "status_import") == 0


# -- the example files --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["status-feed.json", "status-feed.csv"])
async def test_the_example_feed_imports(app, name) -> None:
    await say(app, "alice", "follow 2.12")
    await say(app, "bob", "follow Cour des comptes")
    result = await run(app, EXAMPLES / name)
    # five statuses (2.12 by two sources) and one piece of evidence
    assert result.ok and (result.changed, result.unchanged, result.not_modified) == (6, 0, False)
    assert await statuses(app) == EXPECTED
    async with app.db.session() as session:
        change = await session.scalar(select(StatusChange).where(StatusChange.action_id == "2.12"))
        entry = await session.scalar(select(AuditEntry))
    assert change.note.startswith("Example row") and change.source_url == "https://www.hatvp.fr/"
    assert change.effective_date.isoformat() == "2023-06-30" and change.set_by == "feed"
    assert (entry.platform, entry.action, entry.detail["changed"]) == ("feed", "status_import", 6)
    # the same transaction queued the alerts of alice (2.12, twice) and bob (2.11 is the Cour des comptes')
    assert sorted(n.key.rsplit(":", 1)[0] for n in await notifications(app)) == sorted(
        [f"status:{change.id}", f"status:{change.id + 1}", f"status:{change.id + 2}"])

    again = await run(app, EXAMPLES / name)
    assert again.ok and again.not_modified and again.changed == 0
    assert await count(app, StatusChange) == 5


async def test_the_two_examples_say_the_same(app, tmp_path) -> None:
    await run(app, EXAMPLES / "status-feed.json")
    result = await run(app, EXAMPLES / "status-feed.csv")  # other bytes, same statuses
    assert result.ok and not result.not_modified and (result.changed, result.unchanged) == (0, 6)
    assert await count(app, StatusChange) == 5


async def test_a_json_list_french_levels_and_an_id_written_as_a_number(app, tmp_path) -> None:
    feed = tmp_path / "feed.json"
    feed.write_text('[{"id": 2.10, "status": "Achevée"}, {"id": "2.1", "status": "non commencée"}]')
    result = await run(app, feed)
    assert result.ok, result.problems
    assert await statuses(app) == {"2.10": "complete", "2.1": "not_started"}


async def test_a_csv_whose_path_mentions_json_is_still_csv(app, tmp_path) -> None:
    folder = tmp_path / "json-exports"
    folder.mkdir()
    (folder / "statuses.csv").write_text(VALID_CSV)
    result = await run(app, folder / "statuses.csv")
    assert result.ok, result.problems
    assert await statuses(app) == {"2.12": "limited"}


# -- all or nothing -----------------------------------------------------------------------------------------

HEADER_PROBLEM = "CSV header must name at least id and status, or id and kind (found: 2.12, limited)"
INVALID = {
    "unknown id": ("csv", VALID_CSV + "9.99,complete,,,\n", ["row 3: unknown action id '9.99'"]),
    "unknown status": ("csv", VALID_CSV + "2.11,finished,,,\n", ["row 3: unknown status 'finished'"]),
    "bad date": ("csv", VALID_CSV + "2.11,complete,,,2026-02-30\n",
                 ["row 3: bad date '2026-02-30' (expected YYYY-MM-DD)"]),
    "duplicate id": ("csv", VALID_CSV + "2.11,complete,,,\n2.12,complete,,,\n", ["row 4: action 2.12 appears twice"]),
    "source not a URL": ("csv", VALID_CSV + "2.11,complete,,javascript:alert(1),\n",
                         ["row 3: source is not an http(s) URL: 'javascript:alert(1)'"]),
    "too many cells": ("csv", VALID_CSV + "2.11,complete,a,https://example.org,2026-01-01,extra\n",
                       ["row 3: more cells than header columns"]),
    "no header": ("csv", "2.12,limited\n", [HEADER_PROBLEM]),
    "malformed json": ("json", '[{"id": "2.12", "status": "limited"},', ["malformed JSON"]),
    "json not a list": ("json", '{"rows": []}', ['JSON must be a list of rows or {"statuses": [...]}']),
    "json row not an object": ("json", '[{"id": "2.12", "status": "limited"}, "2.11 complete"]',
                               ["row 2: not an object"]),
    "json unknown id": ("json", '[{"id": "2.12", "status": "limited"}, {"id": "7.1", "status": "limited"}]',
                        ["row 2: unknown action id '7.1'"]),
    "empty file": ("csv", "  \n", ["file is empty"]),
    "not utf-8": ("csv", b"id,status,note\n2.12,limited,\xe9t\xe9\n", ["file is not UTF-8 text"]),
}


EVIDENCE_ROW = {"kind": "preuve", "id": "2.12", "date": "2023-01-02", "note": "n", "source": "https://example.org/e"}
CELL_PROBLEMS = [
    ({"kind": "rumour", "id": "2.12", "status": "limited"}, "unknown kind 'rumour' (status or evidence)"),
    ({"id": "2.12", "status": "limited", "assessed_by": "press"},
     "unknown assessed_by 'press' (irm, government or maintainers)"),
    ({**EVIDENCE_ROW, "reported_by": "blog"},
     "unknown reported_by 'blog' (independent_review, government, press or maintainers)"),
    ({**EVIDENCE_ROW, "publisher": "p" * 201}, "publisher is longer than 200 characters"),
    ({**EVIDENCE_ROW, "note_fr": 3}, "note_fr must be text, not int"),
    ({"id": "2.12", "status": "limited", "progress": "half"}, "progress 'half' is not a number"),
    ({"id": "2.12", "status": "limited", "progress": "120"}, "progress '120' is not a percentage (0 to 100)"),
    ({"id": "2.12", "status": "limited", "date": "2020-01-01"},
     "date '2020-01-01' is before the plan (drafting began on 2021-02-13)"),
    ({"kind": "evidence", "id": "2.12", "note": " ", "date": ""}, "an evidence row needs date, note, source"),
]


@pytest.mark.parametrize(("row", "problem"), CELL_PROBLEMS)
def test_each_cell_is_refused_with_its_own_message(app, row, problem) -> None:
    with pytest.raises(FeedError) as refused:
        validate_rows([(2, row)], app.kb)
    assert refused.value.problems == [f"row 2: {problem}"]


def test_cells_are_stripped_and_empty_ones_are_none(app) -> None:
    [status, fact] = validate_rows([(1, {"id": " 2.12 ", "status": " Limitée ", "note": "  first  ", "source": "",
                                         "progress": "50,4", "assessed_by": "IRM"}),
                                    (2, {**EVIDENCE_ROW, "status": "bogus", "publisher": " ", "note_fr": " fr "})],
                                   app.kb)
    assert (status.action_id, status.level.value, status.note, status.source_url, status.progress) == (
        "2.12", "limited", "first", None, 50)
    # an evidence row's status is ignored; an empty publisher means the source's site
    assert (fact.publisher, fact.note_fr, str(fact.fact_date)) == ("example.org", "fr", "2023-01-02")


@pytest.mark.parametrize("case", list(INVALID))
async def test_any_invalid_row_changes_nothing_at_all(app, tmp_path, case) -> None:
    await say(app, "alice", "follow all")
    kind, content, expected = INVALID[case]
    feed = tmp_path / f"feed.{kind}"
    feed.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = await run(app, feed)
    assert not result.ok and not result.changed
    assert len(result.problems) == len(expected)
    for problem, start in zip(result.problems, expected):
        assert problem.startswith(start), (problem, start)
    await nothing_changed(app, feed)


async def test_every_error_is_reported_with_its_row_and_logged(app, tmp_path, caplog) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_text("id,status,note,source,date\n"
                    "2.12,limited,,,\n"
                    "2.99,limited,,,\n"
                    "2.11,halfway,,,2026-13-01\n"
                    "1.1,complete,,,\n"
                    "2.12,complete,,,\n")
    caplog.set_level("ERROR", logger="bot.following.feed")
    result = await run(app, feed)
    assert result.problems == [
        "row 3: unknown action id '2.99'",
        "row 4: unknown status 'halfway'",
        "row 4: bad date '2026-13-01' (expected YYYY-MM-DD)",
        "row 6: action 2.12 appears twice",
    ]
    logged = [r.getMessage() for r in caplog.records if r.name == "bot.following.feed"]
    for problem in result.problems:
        assert any(problem in line for line in logged), problem
    await nothing_changed(app, feed)


async def test_a_missing_file_is_reported_and_changes_nothing(app, tmp_path) -> None:
    result = await run(app, tmp_path / "nowhere.csv")
    assert result.problems and result.problems[0].startswith("cannot fetch: FileNotFoundError")
    await nothing_changed(app, tmp_path / "nowhere.csv")


# -- admins are told once -----------------------------------------------------------------------------------


async def test_admins_are_told_once_per_distinct_problem(app, tmp_path) -> None:
    await say(app, "admin", "hello")  # console admin
    await say(app, "1001", "hello", platform="telegram")  # telegram admin
    await say(app, "alice", "hello")  # not an admin
    feed = tmp_path / "feed.csv"
    feed.write_text(VALID_CSV + "9.99,complete,,,\n")

    await run(app, feed)
    notices = await notifications(app, Notification.kind == "notice")
    assert len(notices) == 2
    await run(app, feed)  # the next poll: same problems, nobody told again
    await run(app, feed)
    assert await count(app, Notification, Notification.kind == "notice") == 2

    await make_worker(app, ConsoleOutbound(app.db)).run_once()
    [told], _ = await pop_inbox(app.db, "admin")
    assert "was rejected and changed nothing (1 problem)" in told and "row 3: unknown action id '9.99'" in told
    assert (await pop_inbox(app.db, "alice"))[0] == []

    feed.write_text(VALID_CSV + "2.11,finished,,,\n")  # another problem: told again
    await run(app, feed)
    assert await count(app, Notification, Notification.kind == "notice") == 4

    feed.write_text(VALID_CSV)  # fixed...
    assert (await run(app, feed)).changed == 1
    feed.write_text(VALID_CSV + "9.99,complete,,,\n")  # ...then broken again the first way: told again
    result = await run(app, feed)
    assert result.problems == ["row 3: unknown action id '9.99'"]
    assert await count(app, Notification, Notification.kind == "notice") == 6
    assert await count(app, StatusChange) == 1


# -- over HTTP ----------------------------------------------------------------------------------------------


@dataclass
class FeedServer:
    body: bytes = VALID_CSV.encode()
    etag: str = '"v1"'
    last_modified: str = "Mon, 02 Mar 2026 08:00:00 GMT"
    honour_validators: bool = True
    status: int = 200
    requests: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append(dict(request.headers))
        if self.status != 200:
            return web.Response(status=self.status)
        headers = {"ETag": self.etag, "Last-Modified": self.last_modified}
        if self.honour_validators:
            # RFC 9110: If-None-Match, when present, decides; If-Modified-Since only without it
            if "If-None-Match" in request.headers:
                fresh = request.headers["If-None-Match"] == self.etag
            else:
                fresh = request.headers.get("If-Modified-Since") == self.last_modified
            if fresh:
                return web.Response(status=304, headers=headers)
        return web.Response(body=self.body, headers=headers, content_type="text/csv")


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    server = FeedServer()
    async with serve("/statuses.csv", server.handle) as port:
        server.url = f"http://127.0.0.1:{port}/statuses.csv"
        yield server


async def test_http_polls_send_the_validators_back_and_304_changes_nothing(app, feed_server) -> None:
    first = await run(app, feed_server.url)
    assert first.ok and first.changed == 1
    assert "If-None-Match" not in feed_server.requests[0]
    async with app.db.session() as session:
        state = await session.get(FeedState, feed_server.url)
    assert (state.etag, state.last_modified) == ('"v1"', "Mon, 02 Mar 2026 08:00:00 GMT")

    second = await run(app, feed_server.url)
    assert second.ok and second.not_modified and second.changed == 0
    assert feed_server.requests[1]["If-None-Match"] == '"v1"'
    assert feed_server.requests[1]["If-Modified-Since"] == "Mon, 02 Mar 2026 08:00:00 GMT"
    assert await count(app, StatusChange) == 1

    # a server ignoring validators and sending the same bytes again: still nothing
    feed_server.honour_validators = False
    third = await run(app, feed_server.url)
    assert third.not_modified and await count(app, StatusChange) == 1

    # new content, new validators: imported, and the new ETag is remembered
    feed_server.body = b"id,status\n2.12,complete\n"
    feed_server.etag, feed_server.honour_validators = '"v2"', True
    feed_server.last_modified = "Tue, 03 Mar 2026 08:00:00 GMT"
    fourth = await run(app, feed_server.url)
    assert fourth.changed == 1 and await statuses(app) == {"2.12": "complete"}
    fifth = await run(app, feed_server.url)
    assert fifth.not_modified and feed_server.requests[-1]["If-None-Match"] == '"v2"'
    assert len(feed_server.requests) == 5


async def test_http_errors_are_reported_once_and_change_nothing(app, feed_server) -> None:
    await say(app, "admin", "hello")
    feed_server.status = 503
    for _ in range(2):
        result = await run(app, feed_server.url)
        assert result.problems and "HTTPStatusError" in result.problems[0] and "503" in result.problems[0]
    assert await count(app, Notification, Notification.kind == "notice") == 1
    await nothing_changed(app, feed_server.url)


async def test_an_invalid_http_feed_is_rejected_whole(app, feed_server) -> None:
    feed_server.body = json.dumps([{"id": "2.12", "status": "limited"}, {"id": "2.11", "status": "??"}]).encode()
    result = await run(app, feed_server.url)
    assert result.problems == ["row 2: unknown status '??'"]
    await nothing_changed(app, feed_server.url)


async def test_the_scheduler_polls_the_feed_and_builds_digests_at_the_configured_hour(app, settings) -> None:
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    from jobs.scheduler import build_scheduler

    app.settings = settings.model_copy(update={"status_feed_url": "https://example.org/feed.csv",
                                                "status_feed_interval": 600, "digest_hour": 7})
    jobs = {job.id: job for job in build_scheduler(app.settings, app.db, app.kb, app.capabilities).get_jobs()}
    assert set(jobs) == {"digests", "status-feed", "retention", "deadlines"}  # delivery has its own loop (DeliveryWorker.run)
    feed = jobs["status-feed"]
    assert isinstance(feed.trigger, IntervalTrigger) and feed.trigger.interval.total_seconds() == 600
    assert feed.args[-1] == "https://example.org/feed.csv"
    digests = jobs["digests"]
    assert isinstance(digests.trigger, CronTrigger) and str(digests.trigger.timezone) == "Europe/Paris"
    fields = {f.name: str(f) for f in digests.trigger.fields}
    assert (fields["hour"], fields["minute"]) == ("7", "0")

    app.settings = settings  # no feed configured: no polling job
    assert "status-feed" not in {job.id for job in build_scheduler(app.settings, app.db, app.kb, app.capabilities).get_jobs()}
    assert "decidim" not in {job.id for job in build_scheduler(app.settings, app.db, app.kb, app.capabilities).get_jobs()}

    app.settings = settings.model_copy(update={"decidim_url": "https://decidim.example.org/open-data/download",
                                                "decidim_interval": 7200})
    tracker = {job.id: job for job in build_scheduler(app.settings, app.db, app.kb, app.capabilities).get_jobs()}["decidim"]
    assert isinstance(tracker.trigger, IntervalTrigger) and tracker.trigger.interval.total_seconds() == 7200
