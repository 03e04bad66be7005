"""The public pages and feeds as aiohttp routes: `add_public_routes(app, kb=, db=, settings=)`.

Every answer is cached per (page, language) and data version: a request costs one small query (has any status
changed?) and, when nothing has, no rendering. Pages and feeds carry an ETag, Last-Modified and Cache-Control;
a client that has the current copy gets 304.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from datetime import UTC, datetime
from functools import partial
from importlib import resources
from pathlib import Path

from aiohttp import web
from cachetools import LRUCache
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.web.public import feeds
from adapters.web.public.http_cache import Rendered, respond
from adapters.web.public.pages import STYLESHEET, PageData, chart_path, environment, feed_path
from bot.following.status_reads import current_statuses
from bot.i18n import LANGUAGES, t
from bot.plan.pages import index_path, item_path, lang_prefix
from bot.presentation.chart import ChartCache, preload, progress_png
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.models import EvidenceRecord, StatusChange, utcnow
from knowledge.loader import KnowledgeBase

# Pages and the chart are revalidated on every view (a 304 when nothing changed), so a status change shows at once;
# feed readers poll, and may keep a feed a minute.
PAGE_CACHE = "public, no-cache"
FEED_CACHE = "public, max-age=60"
STATIC_CACHE = "public, max-age=86400"
HTML = "text/html; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
CACHE_BYTES = 32 * 2**20
# No script, no frame, nothing from elsewhere: the pages need none of it.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
                               "form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
Version = tuple[tuple[int, int | None, datetime | None], ...]  # per table: rows, latest id, latest time


def content_epoch() -> datetime:
    """When what the pages say last changed apart from statuses: the newest of the installed plan data,
    templates, stylesheet and texts (the same in every process of one installation)."""
    here = Path(__file__).parent
    roots = [here, Path(resources.files("knowledge")) / "data", Path(resources.files("bot"))]
    newest = max(p.stat().st_mtime for root in roots for p in root.rglob("*")
                 if p.suffix in (".py", ".yaml", ".html", ".css") and p.is_file())
    return datetime.fromtimestamp(int(newest), UTC)


def preferred_language(header: str | None, default: str) -> str:
    """The first of LANGUAGES by the Accept-Language q-values ('fr-CA,fr;q=0.9,en;q=0.8' -> 'fr')."""
    best, best_q = default, 0.0
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        code = tag.strip().lower()[:2]
        try:
            q = float(params.strip()[2:]) if params.strip().startswith("q=") else 1.0
        except ValueError:
            q = 0.0
        q -= position * 1e-6  # equal weights: the first listed wins
        if code in LANGUAGES and q > best_q:
            best, best_q = code, q
    return best


class PublicSite:
    def __init__(self, kb: KnowledgeBase, db: Database, settings: Settings):
        self.kb, self.db, self.settings = kb, db, settings
        self.data = PageData(kb, settings.telegram_bot_username)
        self.env = environment()
        # bounded in bytes: without PUBLIC_URL, feeds are kept per Host header, which clients choose
        self.rendered: LRUCache[Hashable, Rendered] = LRUCache(CACHE_BYTES, getsizeof=lambda r: len(r.body) + 500)
        self.charts = ChartCache()
        self._reading: asyncio.Future[Version] | None = None
        self._rendering: dict[Hashable, asyncio.Future[Rendered]] = {}
        self.epoch = content_epoch()
        self.stylesheet = Rendered(0, resources.files(__package__).joinpath("static/style.css").read_bytes(),
                                   "text/css; charset=utf-8", self.epoch)

    # -- the cache -----------------------------------------------------------------------------------------
    async def version(self) -> Version:
        """The data version now. Requests that arrive while it is being read share that one read."""
        if self._reading is None:
            self._reading = asyncio.ensure_future(self._read_version())
            self._reading.add_done_callback(self._version_read)
        return await asyncio.shield(self._reading)

    def _version_read(self, done: asyncio.Future) -> None:
        if self._reading is done:
            self._reading = None

    async def _read_version(self) -> Version:
        """Rows are only ever added to these tables: their counts, latest ids and times change with any commit."""
        async with self.db.session() as session:
            versions = []
            for table in (StatusChange, EvidenceRecord):
                versions.append(tuple((await session.execute(
                    select(func.count(table.id), func.max(table.id), func.max(table.created_at)))).one()))
        # Whether a promise is overdue changes with the date: a new day is a new version (Last-Modified: midnight).
        today = utcnow().date()
        versions.append((0, today.toordinal(), datetime(today.year, today.month, today.day, tzinfo=UTC)))
        return tuple(versions)

    def last_modified(self, version: Version) -> datetime:
        times = [newest.replace(tzinfo=UTC) if newest.tzinfo is None else newest
                 for _, _, newest in version if newest is not None]
        return max([self.epoch, *times])

    async def serve(self, request: web.Request, key: Hashable,
                    make: Callable[[AsyncSession, Version], Awaitable[tuple[bytes, str]]],
                    *, vary: str | None = None, cache_control: str = PAGE_CACHE) -> web.Response:
        version = await self.version()
        cached = self.rendered.get(key)
        if cached is None or cached.version != version:
            rendering = self._rendering.get((key, version))
            if rendering is None:  # one rendering per page and version, however many ask for it at once
                rendering = self._rendering[key, version] = asyncio.ensure_future(self._render(key, version, make))
                rendering.add_done_callback(lambda _: self._rendering.pop((key, version), None))
            cached = await asyncio.shield(rendering)  # a client that goes away does not cancel it for the others
        return secured(respond(request, cached, cache_control=cache_control, vary=vary))

    async def _render(self, key: Hashable, version: Version, make) -> Rendered:
        async with self.db.session() as session:
            body, content_type = await make(session, version)
        rendered = self.rendered[key] = Rendered(version, body, content_type, self.last_modified(version))
        return rendered

    def html(self, template: str, context: dict) -> tuple[bytes, str]:
        return self.env.get_template(template).render(context).encode(), HTML

    # -- pages ---------------------------------------------------------------------------------------------
    async def root(self, request: web.Request) -> web.Response:
        lang = preferred_language(request.headers.get("Accept-Language"), self.settings.default_language)
        response = await self.index(request, lang, vary="Accept-Language")
        response.headers["Content-Language"] = lang
        return response

    async def index(self, request: web.Request, lang: str, *, vary: str | None = None) -> web.Response:
        async def make(session, _version):
            return self.html("index.html", await self.data.index(session, lang))
        return await self.serve(request, ("index", lang), make, vary=vary)

    async def item(self, request: web.Request, lang: str, section: str) -> web.Response:
        item_id = request.match_info["id"]
        found = getattr(self.kb, section).get(item_id)
        if found is None:
            raise web.HTTPNotFound()

        async def make(session, _version):
            if section == "actions":
                return self.html("action.html", await self.data.action(session, found, lang))
            if section == "commitments":
                return self.html("commitment.html", await self.data.commitment(session, found, lang))
            return self.html("topic.html", self.data.topic(found, lang))
        return await self.serve(request, (section, item_id, lang), make)

    def not_found(self, lang: str) -> web.Response:
        body, _ = self.html("not_found.html", self.data.not_found(lang))
        return secured(web.Response(status=404, body=body, content_type="text/html", charset="utf-8",
                                    headers={"Cache-Control": PAGE_CACHE}))

    @web.middleware
    async def not_found_page(self, request: web.Request, handler) -> web.StreamResponse:
        """Any 404 of the application (unknown id, unknown path) is a page in the path's language."""
        try:
            return await handler(request)
        except web.HTTPNotFound:
            lang = "fr" if request.path == "/fr" or request.path.startswith("/fr/") else "en"
            return self.not_found(lang)

    # -- feeds and the chart -------------------------------------------------------------------------------
    def base_url(self, request: web.Request) -> str:
        """PUBLIC_URL; without it (development) the address the request came to."""
        return self.settings.public_url or f"{request.scheme}://{request.host}"

    async def feed(self, request: web.Request, lang: str, *, action: bool = False) -> web.Response:
        action_id = request.match_info["id"] if action else None
        if action_id is not None and action_id not in self.kb.actions:
            raise web.HTTPNotFound()
        base = self.base_url(request)

        async def make(session, version):
            entries = await feeds.recent_entries(session, self.kb, action_id)
            if action_id:
                found = self.kb.actions[action_id]
                title = t("web_feed_action_title", lang, id=action_id, title=getattr(found.title, lang))
                page = item_path(self.kb, action_id, lang)
            else:
                title, page = t("web_feed_title", lang), index_path(lang)
            body = feeds.atom(self.kb, entries, lang, base=base, self_path=feed_path(lang, action_id),
                              page_path=page, title=title, updated=self.last_modified(version))
            return body, ATOM
        return await self.serve(request, ("feed", action_id, lang, base), make, cache_control=FEED_CACHE)

    async def chart(self, request: web.Request, lang: str) -> web.Response:
        async def make(session, version):
            statuses = await current_statuses(session)

            async def draw() -> tuple[bytes, bool]:
                return await asyncio.to_thread(progress_png, self.kb, statuses, lang), True
            return await self.charts.get((version, lang), draw), "image/png"
        return await self.serve(request, ("chart", lang), make)

    async def style(self, request: web.Request) -> web.Response:
        return secured(respond(request, self.stylesheet, cache_control=STATIC_CACHE))


def secured(response: web.Response) -> web.Response:
    response.headers.update(SECURITY_HEADERS)
    return response


async def _preload_matplotlib(_app: web.Application) -> None:
    asyncio.get_running_loop().run_in_executor(None, preload)  # the first chart need not wait for the import


def add_public_routes(app: web.Application, *, kb: KnowledgeBase, db: Database, settings: Settings) -> PublicSite:
    """Add the pages (/, /en/, /fr/, /actions/ID, /commitments/ID, /topics/ID and their /fr/ twins), the feeds
    (/feed.atom, /actions/ID/feed.atom), the chart (/progress.png) and the stylesheet to `app`."""
    site = PublicSite(kb, db, settings)
    router = app.router
    router.add_get("/", site.root)
    for lang in LANGUAGES:
        prefix = lang_prefix(lang)
        router.add_get(index_path(lang), partial(site.index, lang=lang))
        router.add_get(index_path(lang).rstrip("/"), _redirect(index_path(lang)))
        for section in ("actions", "commitments", "topics"):
            router.add_get(f"{prefix}/{section}/{{id}}", partial(site.item, lang=lang, section=section))
        router.add_get(feed_path(lang), partial(site.feed, lang=lang))
        router.add_get(f"{prefix}/actions/{{id}}/feed.atom", partial(site.feed, lang=lang, action=True))
        router.add_get(chart_path(lang), partial(site.chart, lang=lang))
    router.add_get(STYLESHEET, site.style)
    app.middlewares.append(site.not_found_page)
    app.on_startup.append(_preload_matplotlib)
    return site


def _redirect(location: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(_request: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently(location)
    return handler
