"""Routes that belong to the server, not to a protocol: health, version, metrics, specs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumadb import __version__
from lumadb.http import Handler, Request, Response
from lumadb.specs import SPEC_URLS, spec_json
from lumadb.storage.sqlite import SQLITE_VERSION

if TYPE_CHECKING:
    from lumadb.server import Server


def server_routes(server: Server) -> dict[tuple[str, str], Handler]:
    async def health(_: Request) -> Response:
        # sqld answers 200 with an empty body; monitors only look at the status.
        return Response(200, b"", None)

    async def version(_: Request) -> Response:
        return Response.text(f"lumadb {__version__} (sqlite {SQLITE_VERSION})")

    async def metrics(_: Request) -> Response:
        cache = server.cache
        lines = [
            "# TYPE lumadb_query_cache_hits_total counter",
            f"lumadb_query_cache_hits_total {cache.hits}",
            "# TYPE lumadb_query_cache_misses_total counter",
            f"lumadb_query_cache_misses_total {cache.misses}",
            "# TYPE lumadb_write_commits_total counter",
            f"lumadb_write_commits_total {sum(db.commits for db in server.databases.opened())}",
            "# TYPE lumadb_write_jobs_total counter",
            f"lumadb_write_jobs_total {sum(db.jobs for db in server.databases.opened())}",
        ]
        return Response.text("\n".join(lines) + "\n", content_type=b"text/plain; version=0.0.4")

    def spec(protocol: str) -> Handler:
        async def serve(_: Request) -> Response:
            return Response(200, spec_json(protocol), b"application/json")

        return serve

    routes: dict[tuple[str, str], Handler] = {
        ("GET", "/health"): health,
        ("GET", "/version"): version,
        ("GET", "/metrics"): metrics,
    }
    for url, protocol in SPEC_URLS.items():
        routes[("GET", url)] = spec(protocol)
    return routes
