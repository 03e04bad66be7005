"""Process types (issue 12): `web` serves the webhook, probes and metrics; `worker` only sends; the real
python-telegram-bot and discord.py against the fakes in tests/fakes."""

from __future__ import annotations

import asyncio
import contextlib

import aiohttp
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from adapters.bootstrap import bootstrap, pool_options
from adapters.runner import run_all, run_web, run_worker
from adapters.web.app import WebServer, build_web_app
from bot.following.levels import Level
from bot.following.status_updates import StatusUpdate, apply_status
from bot.storage.db import Database, head_revision
from tests.discord_support import ALICE, GUILD
from tests.fakes.discord_api import FakeDiscord
from tests.http_support import free_port
from tests.outbox_support import say
from tests.telegram_support import ADMIN, USER

pytest_plugins = ["tests.telegram_fixtures"]



async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as resp:
        return resp.status, await resp.text()


async def scrape(base: str) -> dict[tuple[str, frozenset], float]:
    status, body = await get(f"{base}/metrics")
    assert status == 200
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(body) for sample in family.samples}


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def until(predicate, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def running(coro_fn, *args, **kwargs):
    stop = asyncio.Event()
    task = asyncio.create_task(coro_fn(*args, stop=stop, **kwargs))
    try:
        yield task
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)


async def status_change(app, level: Level = Level.LIMITED, note: str = "Consultation opened") -> None:
    async with app.db.session() as session, session.begin():
        await apply_status(session, app.kb, StatusUpdate("2.12", level, note), "test")


async def test_web_answers_webhooks_and_serves_probes_and_metrics_a_worker_delivers(tg, tg_settings) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = tg_settings.model_copy(update={
        "telegram_webhook_url": f"{base}/tg/hook", "telegram_webhook_secret": SecretStr("s3cret-hook"),
        "port": port,
    })
    web_app = await bootstrap(settings, process="web")
    worker_app = await bootstrap(settings, process="worker")
    try:
        async with running(run_web, web_app, host="127.0.0.1"):
            await tg.wait_for(lambda calls: tg.webhook["url"], timeout=10)
            await until(lambda: "telegram" in web_app.running)
            assert (await get(f"{base}/healthz"))[0] == 200
            status, body = await get(f"{base}/readyz")
            assert status == 200 and head_revision() in body
            before = await scrape(base)

            assert await tg.post_webhook(tg.make_update_json(USER, USER, "/follow 2.12")) == 200
            await tg.wait_for_message(USER, contains="2.12", timeout=10)
            assert await tg.post_webhook(tg.make_update_json(USER, USER, "/help"), secret_token="wrong") == 403
            assert await tg.post_webhook("not json at all") == 400
            await status_change(web_app)
            queued = await scrape(base)
            assert value(queued, "opengov_outbox_notifications", state="pending") == 1
            assert value(queued, "opengov_oldest_pending_alert_age_seconds") >= 0

            # A worker delivers the alert: it sends, it never receives.
            commands_published = len(tg.calls_to("setMyCommands"))
            async with running(run_worker, worker_app, once=False):
                alert = await tg.wait_for_message(USER, contains="Consultation opened", timeout=15)
            assert "Limited" in alert["text"]
            assert len(tg.calls_to("setMyCommands")) == commands_published
            after = await scrape(base)
        assert not tg.calls_to("getUpdates")
    finally:
        await worker_app.close()
        await web_app.close()

    answered = value(after, "opengov_messages_answered_total", platform="telegram", outcome="ok") \
        - value(before, "opengov_messages_answered_total", platform="telegram", outcome="ok")
    assert answered == 1  # the forged and the malformed updates were never answered
    assert value(after, "opengov_answer_seconds_count", platform="telegram") \
        - value(before, "opengov_answer_seconds_count", platform="telegram") == 1
    # One test process plays web and worker, so the worker's counter shows in the web's scrape here.
    assert value(after, "opengov_deliveries_total", outcome="sent") \
        - value(before, "opengov_deliveries_total", outcome="sent") == 1
    assert value(after, "opengov_outbox_notifications", state="sent") == 1
    assert value(after, "opengov_outbox_notifications", state="pending") == 0
    assert value(after, "opengov_oldest_pending_alert_age_seconds") == 0
    assert ("process_resident_memory_bytes", frozenset()) in after  # the client's process collector


async def test_a_worker_never_receives_on_either_platform(tg, tg_settings) -> None:
    async with FakeDiscord() as dc:
        dc.add_guild(GUILD, "OGP France", channels=[(1, "general")])
        dc.add_user(ALICE, "alice")
        settings = tg_settings.model_copy(update={
            "discord_token": SecretStr(dc.token), "discord_api_base": dc.api_base,
            "discord_gateway_url": dc.gateway_url,
        })
        # answers=True: the follows below are made through the core, as a web process would make them
        app = await bootstrap(settings, process="worker", answers=True)
        try:
            await say(app, str(USER), "/follow 2.12", platform="telegram", chat_id=str(USER))
            await say(app, str(ALICE), "/follow 2.12", platform="discord", chat_id=f"user:{ALICE}")
            await status_change(app)
            async with running(run_worker, app, once=False):
                await tg.wait_for_message(USER, contains="Consultation opened", timeout=15)
                await dc.wait_for(lambda *_: dc.dms.get(ALICE), timeout=15)
                await asyncio.sleep(0.3)  # time enough for a stray poll or IDENTIFY to show
        finally:
            await app.close()
        assert "Consultation opened" in str(dc.dms[ALICE][-1])
        assert not tg.calls_to("getUpdates") and not tg.calls_to("setWebhook")
        assert not tg.calls_to("deleteWebhook") and not tg.calls_to("setMyCommands")
        assert not dc.gateway_received, "the worker opened Discord's gateway"
        assert not dc.calls_to("PUT", r"/commands"), "the worker published Discord commands"


async def test_readyz_is_503_when_the_database_is_unreachable_or_not_migrated(tmp_path) -> None:
    unreachable = Database("postgresql+asyncpg://nobody@127.0.0.1:1/nothing")
    blank = Database(f"sqlite+aiosqlite:///{tmp_path / 'blank.db'}")  # reachable, never migrated
    servers = [WebServer(lambda db=db: build_web_app(db), "127.0.0.1", 0) for db in (unreachable, blank)]
    try:
        for server in servers:
            await server.start()
            base = f"http://127.0.0.1:{server.port}"
            assert (await get(f"{base}/healthz"))[0] == 200  # alive, though not ready
            status, _ = await get(f"{base}/readyz")
            assert status == 503
            assert (await get(f"{base}/metrics"))[0] == 200  # the process's own counters are still served
    finally:
        for server in servers:
            await server.stop()
        await unreachable.close()
        await blank.close()


async def test_run_serves_the_web_app_when_port_is_set(tg, tg_settings) -> None:
    port = free_port()
    app = await bootstrap(tg_settings.model_copy(update={"port": port}))
    try:
        async with running(run_all, app, web_options={"host": "127.0.0.1"},
                           telegram_options={"poll_timeout": 1}):
            await tg.wait_for(lambda calls: any(c.method == "getUpdates" for c in calls), timeout=10)
            await until(lambda: "telegram" in app.running)
            for _ in range(100):
                with contextlib.suppress(aiohttp.ClientError):
                    if (await get(f"http://127.0.0.1:{port}/healthz"))[0] == 200:
                        break
                await asyncio.sleep(0.05)
            assert (await get(f"http://127.0.0.1:{port}/readyz"))[0] == 200
            tg.inject_message(ADMIN, ADMIN, "/help")
            await tg.wait_for_message(ADMIN, contains="What I can do", timeout=10)
    finally:
        await app.close()


def test_pool_sizes_follow_the_process_type(settings) -> None:
    pg = settings.model_copy(update={"database_url": "postgresql+asyncpg://u@127.0.0.1/db", "worker_concurrency": 4})
    assert pool_options(pg, "worker") == {"pool_size": 6, "max_overflow": 0}
    assert pool_options(pg, "clock") == {"pool_size": 2, "max_overflow": 1}
    assert pool_options(pg, "run") == {"pool_size": 5, "max_overflow": 10}
    assert pool_options(pg.model_copy(update={"db_pool_size": 3, "db_max_overflow": 0}), "web") == \
        {"pool_size": 3, "max_overflow": 0}
    sqlite = settings.model_copy(update={"database_url": "sqlite+aiosqlite:///x.db"})
    assert pool_options(sqlite, "web") == {}  # SQLite keeps SQLAlchemy's own pool


async def test_feed_polls_are_counted_by_outcome(app) -> None:
    from aiohttp import web
    from prometheus_client import REGISTRY

    from jobs.scheduler import poll_feed
    from tests.http_support import serve

    def polls(outcome: str) -> float:
        return REGISTRY.get_sample_value("opengov_feed_polls_total", {"outcome": outcome}) or 0.0

    async def feed(_request: web.Request) -> web.Response:
        return web.json_response([{"id": "2.12", "status": "limited", "note": "From the feed"}])

    before = {o: polls(o) for o in ("changed", "unchanged", "rejected")}
    async with serve("/feed.json", feed) as port:
        url = f"http://127.0.0.1:{port}/feed.json"
        await poll_feed(app.db, app.kb, app.settings, url, capabilities=app.capabilities)
        # the same content: unchanged
        await poll_feed(app.db, app.kb, app.settings, url, capabilities=app.capabilities)
    await poll_feed(app.db, app.kb, app.settings, url, capabilities=app.capabilities)  # gone: rejected
    assert {o: polls(o) - before[o] for o in before} == {"changed": 1, "unchanged": 1, "rejected": 1}
