"""The shape every protocol error class shares: a status, headers and a body in the
protocol's own envelope. Each protocol subclasses it with named constructors."""

from __future__ import annotations


class ProtocolError(Exception):
    """An error rendered in its protocol's envelope; never a traceback."""

    status: int = 400

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status

    def body(self) -> bytes:
        raise NotImplementedError

    def content_type(self) -> bytes:
        return b"application/json"

    def headers(self) -> list[tuple[bytes, bytes]]:
        return []
