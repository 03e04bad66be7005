"""A fake Decidim on 127.0.0.1: `/open-data/download` redirects, as Decidim's OpenDataController does, to the
stored open-data ZIP, which holds `<host>-open-data-results.csv` in the format Decidim's CSV exporter writes
(ResultSerializer's hash flattened with "/" separators, ";" between cells) — with ETag / Last-Modified and 304s.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from dataclasses import dataclass, field

from aiohttp import web

HOST = "decidim.example.org"
# ResultSerializer's keys, in its order, after Decidim::Exporters::CSV flattens them (locales en, fr). Recent
# versions (taxonomies instead of category/scope; their flattened taxonomy columns are left out here):
COLUMNS = [
    "id", "parent/id", "title/en", "title/fr", "description/en", "description/fr",
    "start_date", "end_date", "status/id", "status/key", "status/name/en", "status/name/fr", "progress",
    "created_at", "updated_at", "url", "component/id", "proposal_urls", "reference", "children_count",
    "comments_count", "address", "latitude", "longitude",
]
# Earlier versions (0.27 and before): category and scope, no updated_at
COLUMNS_OLD = [
    "id", "category/id", "category/name/en", "category/name/fr", "scope/id", "scope/name/en", "scope/name/fr",
    "parent/id", "title/en", "title/fr", "description/en", "description/fr", "start_date", "end_date",
    "status/id", "status/key", "status/name/en", "status/name/fr", "progress", "created_at", "url", "component/id",
    "proposal_urls",
]
STATUS_NAMES = {"planned": ("Planned", "Planifié"), "ongoing": ("Ongoing", "En cours"),
                "in_progress": ("In progress", "En cours de réalisation"), "finished": ("Finished", "Terminé")}


def result(result_id: int, key: str, progress: float | None, updated: str = "2023-06-30 10:00:00 +0200",
           title: str = "A result") -> dict[str, str]:
    en, fr = STATUS_NAMES.get(key, (key, key))
    return {
        "id": str(result_id), "title/en": title, "title/fr": title, "status/id": "7", "status/key": key,
        "status/name/en": en, "status/name/fr": fr, "progress": "" if progress is None else str(progress),
        "created_at": "2022-01-10 09:00:00 +0100", "updated_at": updated,
        "url": f"https://{HOST}/processes/pgo/f/12/results/{result_id}", "component/id": "12",
        "parent/id": "100" if result_id != 100 else "", "children_count": "0", "comments_count": "0",
    }


def results_csv(rows: list[dict[str, str]], sep: str = ";", columns: list[str] = COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return out.getvalue().encode()


def open_data_zip(rows: list[dict[str, str]], sep: str = ";") -> bytes:
    """Decidim's OpenDataExporter: one CSV per open-data resource, plus README.md and LICENSE.md."""
    buffer = io.BytesIO()
    files = {f"{HOST}-open-data-proposals.csv": "id;title/en\n1;A proposal\n",
             f"{HOST}-open-data-results.csv": results_csv(rows, sep),
             f"{HOST}-open-data-meetings.csv": "id;title/en\n", "README.md": "# Open data\n", "LICENSE.md": "ODbL\n"}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():  # a fixed timestamp: the same rows make the same bytes (and ETag)
            archive.writestr(zipfile.ZipInfo(name, date_time=(2023, 6, 30, 8, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


@dataclass
class FakeDecidim:
    rows: list[dict[str, str]] = field(default_factory=list)
    body: bytes | None = None  # served as is instead of the ZIP built from rows
    requests: list[dict[str, str]] = field(default_factory=list)
    last_modified: str = "Fri, 30 Jun 2023 08:00:00 GMT"

    def content(self) -> bytes:
        return self.body if self.body is not None else open_data_zip(self.rows)

    async def download(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound(f"/uploads/{HOST}-open-data.zip")

    async def file(self, request: web.Request) -> web.StreamResponse:
        content = self.content()
        etag = '"' + hashlib.sha256(content).hexdigest()[:20] + '"'
        self.requests.append({k: request.headers.get(k, "") for k in ("If-None-Match", "If-Modified-Since")})
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=content, content_type="application/zip",
                            headers={"ETag": etag, "Last-Modified": self.last_modified})

    def application(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/open-data/download", self.download)
        app.router.add_get(f"/uploads/{HOST}-open-data.zip", self.file)
        return app
