"""The open-data page and the downloads.

Every download is a file of the scope's current export (see
:mod:`opendata.exports`), sent in chunks by :class:`CachedFileResponse`; the
ETag is the scope's data fingerprint, so a client that has the current file
gets ``304 Not Modified`` without the export being touched.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.http import http_date, parse_etags
from django.views.decorators.http import require_safe

from common import ratelimit
from opendata import exports, scopes
from opendata.tables import BY_NAME, tables_for

CHUNK_SIZE = 64 * 1024
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "zip": "application/zip",
}


class CachedFileResponse(StreamingHttpResponse):
    """A file sent in chunks, never read whole into memory.

    Django's ASGI handler reads a *synchronous* streaming body into a list
    before sending it (``StreamingHttpResponse.__aiter__``), which would put
    the whole file in memory under daphne; this response therefore also reads
    the file asynchronously, chunk by chunk, when served over ASGI.
    """

    def __init__(self, path: Path, **kwargs: Any) -> None:
        self.path = path
        # Opened now: the export may be replaced while it is being sent, and
        # an open file stays readable after it is removed.
        self._file = path.open("rb")
        super().__init__(streaming_content=self._read(), **kwargs)
        self["Content-Length"] = str(path.stat().st_size)

    def _read(self) -> Iterator[bytes]:
        try:
            while chunk := self._file.read(CHUNK_SIZE):
                yield chunk
        finally:
            self._file.close()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            while chunk := await asyncio.to_thread(self._file.read, CHUNK_SIZE):
                yield chunk
        finally:
            self._file.close()

    def close(self) -> None:
        self._file.close()
        super().close()


def _licence_link() -> str:
    return f'<{settings.AGORA_DATA_LICENCE["path"]}>; rel="license"'


def _serve(
    request: HttpRequest, scope: scopes.Scope, kind: str, table: str = ""
) -> HttpResponseBase:
    if table and (table not in BY_NAME or not BY_NAME[table].applies_to(scope)):
        raise Http404
    print_ = scopes.fingerprint(scope)

    def etag(fingerprint: str) -> str:
        return f'"{fingerprint}-{table or "zip"}-{kind}"'

    headers = {"Link": _licence_link(), "Cache-Control": "no-cache"}
    if etag(print_) in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
        response["ETag"] = etag(print_)
        for name, value in headers.items():
            response[name] = value
        return response
    client = f"ip:{request.META.get('REMOTE_ADDR', '')}"
    try:
        built = exports.current(scope, print_, client=client)
    except ratelimit.RateLimited as exc:
        refused = HttpResponse(
            str(exc), status=429, content_type="text/plain; charset=utf-8"
        )
        refused["Retry-After"] = str(exc.retry_after)
        return refused
    headers["ETag"] = etag(built.fingerprint)  # an older export's own tag
    if kind == "zip":
        path, filename = built.zip, f"agora-{scope.name}.zip"
    elif kind == "csv":
        path, filename = built.csv(table), f"agora-{scope.name}-{table}.csv"
    else:
        path, filename = built.json(table), f"agora-{scope.name}-{table}.json"
    streamed = CachedFileResponse(path, content_type=CONTENT_TYPES[kind])
    streamed["Content-Disposition"] = f'attachment; filename="{filename}"'
    streamed["Last-Modified"] = http_date(built.generated_at.timestamp())
    for name, value in headers.items():
        streamed[name] = value
    return streamed


@require_safe
def site_zip(request: HttpRequest) -> HttpResponseBase:
    return _serve(request, scopes.site_scope(), "zip")


@require_safe
def site_table(request: HttpRequest, table: str, fmt: str) -> HttpResponseBase:
    return _serve(request, scopes.site_scope(), fmt, table)


@require_safe
def scope_zip(request: HttpRequest, kind: str, key: str) -> HttpResponseBase:
    return _serve(request, scopes.get_scope(kind, key), "zip")


@require_safe
def scope_table(
    request: HttpRequest, kind: str, key: str, table: str, fmt: str
) -> HttpResponseBase:
    return _serve(request, scopes.get_scope(kind, key), fmt, table)


def _entry(scope: scopes.Scope) -> dict[str, Any]:
    built = exports.latest(scope)
    return {
        "scope": scope,
        "tables": [t.name for t in tables_for(scope)],
        "formats": ["csv", "json"],
        "generated_at": built.generated_at if built else None,
    }


@require_safe
def open_data(request: HttpRequest) -> HttpResponse:
    """Every public scope with its downloads and the date its files were
    last generated (the files are regenerated on the first download after
    the data changes)."""
    site = scopes.site_scope()
    return render(
        request,
        "open_data.html",
        {
            "site": _entry(site),
            "plans": [_entry(scopes.scope_of(scopes.PLAN, p)) for p in site.plans],
            "sessions": [
                _entry(scopes.scope_of(scopes.SESSION, s)) for s in site.sessions
            ],
            "conversations": [
                _entry(scopes.scope_of(scopes.CONVERSATION, c))
                for c in site.conversations
            ],
            "licence": settings.AGORA_DATA_LICENCE,
        },
    )
