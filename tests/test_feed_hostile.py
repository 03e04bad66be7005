"""Hostile status feeds: a clear error, nothing changed, admins told once, and bounded time and memory
(a local aiohttp server on 127.0.0.1 plays the hostile feed host)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import threading
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web
from sqlalchemy import select

from bot.following.feed import MAX_FEED_BYTES, import_feed
from bot.storage.models import AuditEntry, Notification, StatusChange
from tests.http_support import serve
from tests.outbox_support import count, say

VALID_CSV = b"id,status,note,source,date\n2.12,limited,first step,https://example.org/a,2026-01-15\n"
CHUNK = b"x" * 65536


async def run(app, source, **settings) -> object:
    return await import_feed(app.db, app.kb, app.settings.model_copy(update=settings), str(source),
                             capabilities=app.capabilities)


async def notices(app) -> int:
    return await count(app, Notification, Notification.kind == "notice")


# -- malformed content: a clear error, not a crash ------------------------------------------------------------

HOSTILE = {
    "integer of 5,000 digits": ('[{"id": ' + "9" * 5000 + ', "status": "limited"}]',
                                ["row 1: id is longer than 20 characters"]),
    "5,000-digit status": ('[{"id": "2.12", "status": ' + "7" * 5000 + "}]", ["row 1: status is longer than 40"]),
    "JSON nested 100,000 deep": ("[" * 100_000 + "]" * 100_000, ["malformed JSON: nested too deeply"]),
    "NUL in a note": (json.dumps([{"id": "2.12", "status": "limited", "note": "budget\x00voted"}]),
                      ["row 1: note contains a NUL character"]),
    "note that is a list": ('[{"id": "2.12", "status": "limited", "note": ["a"]}]', ["row 1: note must be text"]),
    "rows without id or status": ('[{}, {"id": "2.12"}]', ["row 1: unknown action id ''", "row 1: unknown status None",
                                                           "row 2: unknown status None"]),
    "2,000 empty rows": ("[" + ",".join(["{}"] * 2000) + "]", ["too many rows (2000; the plan has 58 actions)"]),
}


async def test_hostile_content_is_refused_clearly_and_admins_are_told_once(app, tmp_path) -> None:
    await say(app, "admin", "hello")
    for told, (case, (content, expected)) in enumerate(HOSTILE.items(), start=1):
        feed = tmp_path / f"feed{told}.json"
        feed.write_text(content)
        for _ in range(2):  # two polls: the same clear error, one notice
            result = await run(app, feed)
            assert not result.ok and len(result.problems) == len(expected), (case, result.problems)
            for problem, start in zip(result.problems, expected):
                assert problem.startswith(start), (case, problem, start)
        assert await notices(app) == told, case
    assert await count(app, StatusChange) == 0


async def test_a_file_feed_is_read_only_up_to_the_limit(app, tmp_path) -> None:
    """A pipe (or a device) reports a size of 0: the read itself must stop at the limit."""
    pipe = tmp_path / "feed.csv"
    os.mkfifo(pipe)
    written: list[int] = []

    def writer() -> None:
        with contextlib.suppress(BrokenPipeError), pipe.open("wb") as end:
            for _ in range(2 * MAX_FEED_BYTES // len(CHUNK)):
                end.write(CHUNK)
                written.append(len(CHUNK))

    feeding = threading.Thread(target=writer, daemon=True)
    feeding.start()
    result = await run(app, pipe)
    feeding.join(5)
    assert result.problems == [f"feed larger than {MAX_FEED_BYTES} bytes"]
    assert sum(written) < 2 * MAX_FEED_BYTES  # the reader stopped reading


# -- hostile servers --------------------------------------------------------------------------------------------


@dataclass
class Hostile:
    """Routes: /feed.csv (valid), /big (50 MB, chunked), /declared (Content-Length 50 MB), /bomb (gzip of
    50 MB of zeros), /drip (one byte every 2 s), /moved (same host), /elsewhere (another host), /loop."""

    url: str = ""
    other_host: str = ""
    written: dict[str, int] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)
    bomb: bytes = b""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        self.paths.append(path)
        if path == "/feed.csv":
            return web.Response(body=VALID_CSV, content_type="text/csv")
        if path == "/moved":
            raise web.HTTPFound("/feed.csv")
        if path == "/elsewhere":
            raise web.HTTPFound(f"{self.other_host}/feed.csv")
        if path == "/loop":
            raise web.HTTPFound("/loop")
        if path == "/bomb":
            return web.Response(body=self.bomb, headers={"Content-Encoding": "gzip", "Content-Type": "text/csv"})
        if path == "/declared":
            response = web.StreamResponse(headers={"Content-Length": str(50_000_000)})
            await response.prepare(request)
            await response.write(CHUNK)
            return response
        response = web.StreamResponse(headers={"Content-Type": "text/csv"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        self.written[path] = 0
        if path == "/drip":
            for _ in range(5):
                await response.write(b"i")
                self.written[path] += 1
                await asyncio.sleep(2)
            return response
        while self.written[path] < 50_000_000:  # /big
            await response.write(CHUNK)
            self.written[path] += len(CHUNK)
        return response


def _gzip_of_zeros(size: int) -> bytes:
    packer, block = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS), bytes(1 << 20)
    return b"".join(packer.compress(block) for _ in range(size >> 20)) + packer.flush()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return _gzip_of_zeros(50 << 20)


@pytest.fixture
async def hostile(bomb) -> AsyncIterator[Hostile]:
    server = Hostile(bomb=bomb)
    async with serve("/{tail:.*}", server.handle) as port:
        server.url, server.other_host = f"http://127.0.0.1:{port}", f"http://localhost:{port}"
        yield server


async def _peak_memory(job) -> tuple[object, int]:
    tracemalloc.start()
    try:
        result = await job
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("path", ["/big", "/bomb", "/declared"])
async def test_the_size_limit_holds_while_streaming_and_decompressing(app, hostile, path) -> None:
    result, peak = await _peak_memory(run(app, hostile.url + path))
    assert result.problems == [f"feed larger than {MAX_FEED_BYTES} bytes"]
    assert peak < 3 * MAX_FEED_BYTES, f"{peak / 1e6:.0f} MB held to refuse a feed"
    assert hostile.written.get(path, 0) < 50_000_000  # the body was not read to its end
    assert await count(app, StatusChange) == 0


async def test_a_dripping_server_is_cut_off_at_the_deadline(app, hostile) -> None:
    started = time.monotonic()
    result = await run(app, hostile.url + "/drip", status_feed_timeout=1.0)
    elapsed = time.monotonic() - started
    assert result.problems == ["cannot fetch: no complete answer within 1 s (STATUS_FEED_TIMEOUT)"]
    assert elapsed < 3, elapsed


async def test_redirects_only_on_the_same_host(app, hostile) -> None:
    await say(app, "admin", "hello")
    refused = await run(app, hostile.url + "/elsewhere")
    assert refused.problems == [(f"cannot fetch: redirected to another host or scheme ({hostile.other_host}"
                                 "/feed.csv): set STATUS_FEED_URL to the feed's real address")]
    assert hostile.paths == ["/elsewhere"]  # the other host was never asked
    looping = await run(app, hostile.url + "/loop")
    assert looping.problems == ["cannot fetch: more than 5 redirects"] and hostile.paths.count("/loop") == 6
    assert await count(app, StatusChange) == 0 and await notices(app) == 2
    followed = await run(app, hostile.url + "/moved")
    assert followed.ok and followed.changed == 1


async def test_a_token_in_the_feed_url_is_never_stored_nor_shown(app, hostile) -> None:
    await say(app, "admin", "hello")
    secret = "s3cr3t-feed-key"
    assert (await run(app, f"{hostile.url}/feed.csv?token={secret}")).ok
    refused = await run(app, f"{hostile.url}/loop?token={secret}")
    assert refused.problems == ["cannot fetch: more than 5 redirects"]
    async with app.db.session() as session:
        audited = [entry.detail for entry in await session.scalars(select(AuditEntry))]
        told = [n.payload for n in await session.scalars(select(Notification).where(Notification.kind == "notice"))]
    assert audited and all(entry["source"].endswith("/feed.csv?token=***") for entry in audited)
    assert len(told) == 1 and "/loop?token=***" in json.dumps(told)
    assert secret not in json.dumps(audited) + json.dumps(told)
