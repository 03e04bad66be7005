"""Conditional GET (RFC 9110 §13): a strong ETag from the body, Last-Modified, and 304 when the client has it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from aiohttp import web


@dataclass(frozen=True)
class Rendered:
    """A page or feed ready to send; `version` is the data it was made from."""

    version: object
    body: bytes
    content_type: str
    last_modified: datetime | None
    etag: str = ""

    def __post_init__(self) -> None:
        if not self.etag:  # the same bytes give the same tag in every process behind a load balancer
            object.__setattr__(self, "etag", '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"')


def _tags(header: str) -> list[str]:
    return [tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()]


def is_fresh(request: web.BaseRequest, etag: str, last_modified: datetime | None) -> bool:
    """Whether the client's copy is current: If-None-Match (weak comparison) decides when present; else
    If-Modified-Since against Last-Modified (to the second)."""
    none_match = request.headers.get("If-None-Match")
    if none_match is not None:
        return none_match.strip() == "*" or etag in _tags(none_match)
    since = request.if_modified_since
    if since is None or last_modified is None:
        return False
    return last_modified.astimezone(UTC).replace(microsecond=0) <= since


def respond(request: web.BaseRequest, rendered: Rendered, *, cache_control: str, status: int = 200,
            vary: str | None = None) -> web.Response:
    """200 with the body, or 304 without it when the client's copy is current (never for errors)."""
    headers = {"Cache-Control": cache_control, "ETag": rendered.etag}
    if vary:
        headers["Vary"] = vary
    if status == 200 and is_fresh(request, rendered.etag, rendered.last_modified):
        response = web.Response(status=304, headers=headers)
    else:
        response = web.Response(status=status, body=rendered.body, headers=headers)
        response.content_type = rendered.content_type.split(";")[0]
        if "charset=" in rendered.content_type:
            response.charset = rendered.content_type.split("charset=")[1]
    if rendered.last_modified is not None:
        response.last_modified = rendered.last_modified
    return response
