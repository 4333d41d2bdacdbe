"""What the router needs from each protocol: which requests it claims, and how its
envelope renders the failures the router itself detects."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from lumadb.errors import ProtocolError
from lumadb.http import Handler

if TYPE_CHECKING:
    from lumadb.server import Server


class FrontEnd(Protocol):
    name: str

    def resolve(self, method: str, path: str, headers: dict[str, str]) -> Handler | None:
        """The handler for this request, or None when the request is not this protocol's.
        Paths under the protocol's own prefix that match nothing resolve to a handler that
        answers the protocol's not-found / wrong-method error."""
        ...

    def too_large(self, limit: int) -> ProtocolError: ...

    def internal(self, request_id: str, cause: str = "") -> ProtocolError:
        """The protocol's internal error; `cause`, when known, says what went wrong."""
        ...

    async def startup(self, server: Server) -> None: ...

    async def shutdown(self) -> None: ...
