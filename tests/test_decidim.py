"""A Decidim tracker as a status source (bot/following/decidim.py) against a fake Decidim on 127.0.0.1 serving the real
open-data export (a ZIP of ";"-separated CSVs, results flattened as Decidim's CSV exporter does): statuses mapped
by the mapping file, progress kept and shown, ETag 304s, unknown result ids and status keys refused whole."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
from datetime import date
from pathlib import Path

import pytest
from aiohttp import web
from sqlalchemy import select

from bot.following.decidim import import_decidim, load_mapping
from bot.following.status_reads import current_statuses
from bot.storage.models import FeedState, Notification, StatusChange
from tests.fakes.decidim import COLUMNS_OLD, FakeDecidim, open_data_zip, result, results_csv
from tests.outbox_support import RecordingOutbound, count, make_worker, notifications, say, text_of

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "examples" / "decidim-mapping.yaml"
BIN = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin" / "opengov-bot"
ROWS = [result(100, "ongoing", 40, title="Commitment 1"), result(101, "ongoing", 35.5),
        result(102, "in_progress", 60), result(103, "planned", 0), result(104, "finished", 100)]


@contextlib.asynccontextmanager
async def decidim(fake: FakeDecidim):
    runner = web.AppRunner(fake.application())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/open-data/download"
    finally:
        await runner.cleanup()


async def run(app, url: str, mapping: Path = MAPPING):
    return await import_decidim(app.db, app.kb, app.settings, url, capabilities=app.capabilities,
                                mapping_path=str(mapping))


async def levels(app) -> dict[str, tuple[str, int | None]]:
    async with app.db.session() as session:
        return {k: (v.level.value, v.progress) for k, v in (await current_statuses(session)).items()}


async def test_the_open_data_export_is_read_mapped_and_shown_with_its_progress(app) -> None:
    await say(app, "alice", "follow 2.12")
    fake = FakeDecidim(ROWS)
    async with decidim(fake) as url:
        imported = await run(app, url)
    assert imported.ok, imported.problems
    assert (imported.changed, imported.unchanged) == (4, 0)
    assert await levels(app) == {"1.1": ("limited", 36), "2.12": ("substantial", 60), "3.1": ("not_started", 0),
                                 "5.5": ("complete", 100)}  # result 100 is ignored by the mapping
    async with app.db.session() as session:
        change = await session.scalar(select(StatusChange).where(StatusChange.action_id == "2.12"))
    assert (change.set_by, change.note, str(change.effective_date)) == ("decidim", "En cours de réalisation",
                                                                       "2023-06-30")
    assert change.source_url.endswith("/results/102")

    body = text_of(await say(app, "bob", "show 2.12"))
    assert "Status: Substantial — since 2023-06-30 · 60 % complete (government tracker)" in body
    await say(app, "bob", "langue fr")
    body = text_of(await say(app, "bob", "voir 2.12"))
    assert "réalisé à 60 % (suivi du gouvernement)" in body
    await say(app, "bob", "language en")
    answer = text_of(await say(app, "bob", "where is the lobbying register at?"))
    assert "60 % complete (government tracker)" in answer
    outbound = RecordingOutbound()
    await make_worker(app, outbound).run_once()
    assert "60 % complete (government tracker)" in outbound.to("alice")[0].text


async def test_a_second_poll_is_conditional_and_an_unchanged_export_is_a_304(app) -> None:
    fake = FakeDecidim(ROWS)
    async with decidim(fake) as url:
        assert (await run(app, url)).changed == 4
        again = await run(app, url)
        assert again.ok and again.not_modified and again.changed == 0
        assert fake.requests[0] == {"If-None-Match": "", "If-Modified-Since": ""}
        assert fake.requests[1]["If-None-Match"].startswith('"')
        assert fake.requests[1]["If-Modified-Since"] == fake.last_modified
        # the tracker moves 2.12 from 60 % to 80 %, same status key: a new change (progress is news)
        fake.rows = [*ROWS[:2], result(102, "in_progress", 80), *ROWS[3:]]
        moved = await run(app, url)
    assert (moved.changed, moved.unchanged) == (1, 3)
    assert (await levels(app))["2.12"] == ("substantial", 80)
    assert await count(app, StatusChange) == 5


async def test_an_unknown_result_id_refuses_the_whole_import_and_admins_are_told_once(app) -> None:
    await say(app, "admin", "hello")
    fake = FakeDecidim([*ROWS, result(205, "finished", 100)])
    async with decidim(fake) as url:
        refused = await run(app, url)
        assert not refused.ok
        assert any("unknown Decidim result id '205'" in p and "line 7" in p for p in refused.problems)
        await run(app, url)  # the same problems again: not told twice
    assert await count(app, StatusChange) == 0
    told = await notifications(app, Notification.kind == "notice")
    assert len(told) == 1 and "unknown Decidim result id" in told[0].payload["text"]["en"]


async def test_status_keys_are_mapped_by_the_mapping_file_and_an_unknown_key_is_refused(app, tmp_path) -> None:
    fake = FakeDecidim([result(101, "abandoned", 10), result(102, "ongoing", None)])
    async with decidim(fake) as url:
        refused = await run(app, url)
        assert len(refused.problems) == 1
        assert "unknown status key 'abandoned'" in refused.problems[0]
        mapping = tmp_path / "mapping.yaml"
        mapping.write_text(MAPPING.read_text(encoding="utf-8").replace(
            "statuses:\n", "statuses:\n  abandoned: non commencée\n"), encoding="utf-8")
        accepted = await run(app, url, mapping)  # a new mapping reads the export anew
    assert accepted.ok, accepted.problems
    assert await levels(app) == {"1.1": ("not_started", 10), "2.12": ("limited", None)}


async def test_a_results_csv_with_commas_is_read_too(app, tmp_path) -> None:
    export = tmp_path / "results.csv"
    export.write_bytes(results_csv(ROWS[1:3], sep=","))
    assert (await run(app, str(export))).changed == 2


async def test_an_export_of_an_earlier_decidim_without_updated_at_is_dated_on_import(app, tmp_path) -> None:
    export = tmp_path / "results.csv"
    export.write_bytes(results_csv(ROWS[1:2], columns=COLUMNS_OLD))
    assert (await run(app, str(export))).changed == 1
    async with app.db.session() as session:
        change = await session.scalar(select(StatusChange))
    assert change.effective_date == date.today() and change.progress == 36


async def test_a_broken_export_or_mapping_changes_nothing(app, tmp_path) -> None:
    bad = tmp_path / "mapping.yaml"
    bad.write_text('statuses: {ongoing: halfway}\nresults: {"101": "9.9"}\n', encoding="utf-8")
    refused = await import_decidim(app.db, app.kb, app.settings, "http://127.0.0.1:9/x", capabilities=app.capabilities,
                                   mapping_path=str(bad))
    assert "is not an IRM level" in " ".join(refused.problems)
    export = tmp_path / "export.zip"
    export.write_bytes(open_data_zip([])[:200])  # truncated
    assert "not a valid ZIP" in " ".join((await run(app, str(export))).problems)
    with pytest.raises(Exception, match="unknown action id '9.9'"):
        bad.write_text('statuses: {ongoing: limited}\nresults: {"101": "9.9"}\n', encoding="utf-8")
        load_mapping(bad, app.kb)
    assert await count(app, StatusChange) == 0
    async with app.db.session() as session:
        assert all(state.content_hash is None for state in await session.scalars(select(FeedState)))


async def test_the_cli_runs_one_import(app, database_url, tmp_path) -> None:
    export = tmp_path / "decidim.example.org-open-data.zip"
    export.write_bytes(open_data_zip(ROWS))
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING", "DECIDIM_MAPPING": str(MAPPING)}
    run = await asyncio.to_thread(subprocess.run, [str(BIN), "status", "import-decidim", str(export)], cwd=tmp_path,
                                  env=env, capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    assert "imported: 4 changed, 0 unchanged" in run.stdout
    assert await count(app, StatusChange, StatusChange.set_by == "decidim") == 4


async def test_the_shipped_example_export_matches_the_shipped_mapping(app) -> None:
    imported = await run(app, str(ROOT / "examples" / "decidim-results.csv"))
    assert imported.ok and imported.changed == 4, imported.problems
    assert (await levels(app))["2.12"] == ("substantial", 60)


async def test_limits_a_redirect_to_another_host_over_http_and_an_oversized_results_file(app) -> None:
    from bot.following.decidim import results_csv as read_results
    from bot.following.feed import FeedError

    fake = FakeDecidim(ROWS)
    async with decidim(fake) as url:
        port = url.split(":")[2].split("/")[0]

        async def elsewhere(request: web.Request) -> web.StreamResponse:
            raise web.HTTPFound(f"http://localhost:{port}/uploads/x.zip")  # another host, not https

        fake.download = elsewhere
        async with decidim(fake) as redirecting:
            refused = await run(app, redirecting)
    assert any("redirected to another host" in p for p in refused.problems)
    with pytest.raises(FeedError, match="larger than 1000 bytes"):
        read_results(open_data_zip(ROWS * 20), limit=1000)
    assert await count(app, StatusChange) == 0
