"""The D1 front end: which requests are D1's, and the envelopes the router needs.

REST: `/d1/client/v4/...`, `/client/v4/...`, `/d1/accounts/...`, `/accounts/...` (and
`.../graphql`).
Binding: `POST /query`, `/execute`, `/dump`, also under `/d1/`; `/dump` at the root only
with an `X-LumaDB-Database` header (without one it is libSQL's).
Signed transfer URLs: `/d1/signed/...`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lumadb.d1 import binding, rest, signed, transfer
from lumadb.d1.errors import D1ApiError, D1BindingError
from lumadb.d1.service import D1Service
from lumadb.errors import ProtocolError
from lumadb.http import Handler, Request, Response

if TYPE_CHECKING:
    from lumadb.server import Server

_BINDING = {"/query": "query", "/execute": "query", "/dump": "dump",
            "/d1/query": "query", "/d1/execute": "query", "/d1/dump": "dump"}


_ROOT_REST = frozenset(("/accounts", "/memberships", "/graphql"))


class _BindingMethodError(D1BindingError):
    def headers(self) -> list[tuple[bytes, bytes]]:
        return [(b"allow", b"POST")]


class D1FrontEnd:
    name = "d1"

    def __init__(self) -> None:
        self.service: D1Service | None = None
        self.tokens: frozenset[str] = frozenset()  # --d1-api-token: none, no check

    def resolve(self, method: str, path: str, headers: dict[str, str]) -> Handler | None:
        kind = _BINDING.get(path)
        if kind is not None:
            if path == "/dump" and binding.DATABASE_HEADER not in headers:
                return None  # libSQL's GET /dump
            if method != "POST":
                return self.binding_wrong_method
            return self.binding_query if kind == "query" else self.binding_dump
        if path.startswith(("/d1/", "/client/v4/")):
            if path.startswith(signed.PREFIX):
                return self.signed
            return self.rest
        if path == "/d1" or path.startswith("/accounts/") or path in _ROOT_REST:
            return self.rest  # (a base URL without /client/v4)
        return None

    def _service(self) -> D1Service:
        assert self.service is not None, "the D1 front end was not started"
        return self.service

    def _refused(self, request: Request) -> bool:
        """With API tokens configured, whether a request carries none of them, in any of the forms
        Cloudflare's clients send: `Authorization: Bearer`, `X-Auth-Key` (with `X-Auth-Email`) or
        `X-Auth-User-Service-Key`. (Callers test `self.tokens` first: nothing to do without any.)"""
        headers = request.headers
        bearer = headers.get("authorization", "")
        sent = (bearer[7:].strip() if bearer[:7].lower() == "bearer " else None,
                headers.get("x-auth-key"), headers.get("x-auth-user-service-key"))
        return not any(token in self.tokens for token in sent if token)

    async def binding_query(self, request: Request) -> Response:
        if self.tokens and self._refused(request):
            raise D1BindingError("Authentication error", 403)
        return await binding.query(self._service(), request)

    async def binding_dump(self, request: Request) -> Response:
        if self.tokens and self._refused(request):
            raise D1BindingError("Authentication error", 403)
        return await binding.dump(self._service(), request)

    async def binding_wrong_method(self, request: Request) -> Response:
        raise _BindingMethodError(f"Method {request.method} is not allowed; the D1 binding protocol uses POST", 405)

    async def rest(self, request: Request) -> Response:
        if self.tokens and self._refused(request):
            raise D1ApiError.unauthorized()
        return await rest.dispatch(self._service(), request)

    async def signed(self, request: Request) -> Response:
        return await transfer.serve_signed(self._service(), request)

    def too_large(self, limit: int) -> ProtocolError:
        return D1ApiError.too_large(limit)

    def internal(self, request_id: str, cause: str = "") -> ProtocolError:
        return D1ApiError.internal(request_id, cause)

    async def startup(self, server: Server) -> None:
        self.service = D1Service(server)
        self.tokens = frozenset(server.config.d1_api_tokens)

    async def shutdown(self) -> None:
        self.service = None


def create_front_end() -> D1FrontEnd:
    return D1FrontEnd()
