"""The DynamoDB front end: which requests are DynamoDB's (`/dynamodb`, `/dynamodb/...`, and
`POST /` with an X-Amz-Target header), the health check, and the router's error envelopes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumadb.dynamodb import extensions, target
from lumadb.dynamodb.errors import DynamoError
from lumadb.dynamodb.service import DynamoService
from lumadb.errors import ProtocolError
from lumadb.http import Handler, Request, Response

if TYPE_CHECKING:
    from lumadb.server import Server

PREFIX = "/dynamodb"


class DynamoFrontEnd:
    name = "dynamodb"

    def __init__(self) -> None:
        self.service: DynamoService | None = None
        self.background: extensions.Background | None = None

    def resolve(self, method: str, path: str, headers: dict[str, str]) -> Handler | None:
        if path == PREFIX or path == "/dynamodb/":
            if method == "GET":
                return self.health
            return self.options if method == "OPTIONS" else self.dispatch
        if path.startswith("/dynamodb/"):
            # /dynamodb/<Operation>: the X-Amz-Target header decides, as on the root path
            if method == "POST":
                return self.dispatch
            return self.options if method == "OPTIONS" else self.not_found
        if path == "/" and "x-amz-target" in headers:
            return self.options if method == "OPTIONS" else self.dispatch
        return None

    async def dispatch(self, request: Request) -> Response:
        assert self.service is not None, "the DynamoDB front end was not started"
        return await target.dispatch(self.service, request)

    async def health(self, request: Request) -> Response:
        # DynamoDB answers GET on its endpoint with `healthy: <endpoint>`.
        # DynamoDB answers `healthy: <endpoint> ` (with its trailing blank).
        host = request.host or "localhost"
        body = f"healthy: {host}{PREFIX} ".encode()
        return Response(200, body, b"text/plain", target.response_headers(request, body))

    async def not_found(self, request: Request) -> Response:
        return target.render_error(
            request, DynamoError("com.amazon.coral.service#UnknownOperationException", None, status=404)
        )

    async def options(self, request: Request) -> Response:
        if "origin" not in request.headers:  # not a CORS preflight: DynamoDB answers 404 (dynalite's tests)
            return await self.not_found(request)
        return target.preflight(request)

    def too_large(self, limit: int) -> ProtocolError:
        return DynamoError.request_too_large(limit)

    def internal(self, request_id: str, cause: str = "") -> ProtocolError:
        return DynamoError.internal(request_id, cause)

    async def startup(self, server: Server) -> None:
        self.service = DynamoService(server)
        await self.service.startup()
        self.background = await extensions.start(self.service)  # TTL sweeps, stream retention

    async def shutdown(self) -> None:
        if self.background is not None:
            await self.background.stop()
        self.service = None


def create_front_end() -> DynamoFrontEnd:
    return DynamoFrontEnd()
