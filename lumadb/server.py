"""Process-wide state: settings, database files, the query cache and the protocol front ends."""

from __future__ import annotations

import asyncio
import logging
import secrets
from pathlib import Path

from lumadb.config import Config
from lumadb.frontend import FrontEnd
from lumadb.http import Handler
from lumadb.sibling_workers import SiblingWorkers
from lumadb.storage import serving
from lumadb.storage.cache import QueryCache
from lumadb.storage.databases import DatabaseRegistry
from lumadb.websocket import Upgrade

log = logging.getLogger("lumadb")


def _load_front_ends() -> list[FrontEnd]:
    """Each protocol package's `frontend` module exposes `create_front_end()`."""
    import importlib

    found: list[FrontEnd] = []
    for module in ("lumadb.dynamodb.frontend", "lumadb.d1.frontend", "lumadb.libsql.frontend"):
        try:
            found.append(importlib.import_module(module).create_front_end())
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            log.debug("protocol module %s not present", module)
    return found


class Server:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.cache = QueryCache(config.query_cache_entries)
        self.databases = DatabaseRegistry(config, self.cache)
        self.secret = self._load_secret(config)
        self._serving: int | None = serving.hold(self.databases.root)  # `lumadb db delete` refuses meanwhile
        # with --workers N, each worker passes requests for another's libSQL streams to it
        self.siblings = SiblingWorkers(self.secret, str(self.databases.root)) if config.workers > 1 else None
        self.front_ends = _load_front_ends()
        self._sweep_timer: asyncio.TimerHandle | None = None
        self._sweeping: asyncio.Task | None = None

    def _load_secret(self, config: Config) -> bytes:
        """A key for batons, tokens and signed URLs, shared by all worker processes."""
        if config.secret:
            return config.secret.encode()
        path = Path(self.databases.root) / ".secret"
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(secrets.token_bytes(32))
            try:
                tmp.rename(path) if not path.exists() else tmp.unlink()
            except OSError:
                pass
        return path.read_bytes()

    def resolve(self, method: str, path: str, headers: dict[str, str]) -> tuple[Handler, FrontEnd] | None:
        for front_end in self.front_ends:
            handler = front_end.resolve(method, path, headers)
            if handler is not None:
                return handler, front_end
        return None

    def websocket(self, method: str, path: str, headers: dict[str, str]) -> Upgrade | None:
        """The session of the front end that serves WebSocket at this path (one with a
        `websocket` method: libSQL's), for a request asking to upgrade."""
        for front_end in self.front_ends:
            websocket = getattr(front_end, "websocket", None)
            upgrade = websocket(method, path, headers) if websocket is not None else None
            if upgrade is not None:
                return upgrade
        return None

    async def startup(self) -> None:
        for front_end in self.front_ends:
            await front_end.startup(self)
        if self.config.idle_database_seconds > 0:
            self._schedule_sweep(asyncio.get_running_loop())

    def _schedule_sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        # two sweeps in a row must find a database unused: it was idle for at least the setting
        self._sweep_timer = loop.call_later(self.config.idle_database_seconds / 2, self._sweep, loop)

    def _sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        self._sweeping = loop.create_task(self._sweep_once(loop))

    async def _sweep_once(self, loop: asyncio.AbstractEventLoop) -> None:
        try:
            released = await self.databases.sweep(sweeps_idle=2)
            if released:
                log.debug("let go of %d idle databases", released)
        except Exception:
            log.exception("letting go of idle databases")
        self._sweeping = None
        self._schedule_sweep(loop)

    async def shutdown(self) -> None:
        if self._sweep_timer is not None:
            self._sweep_timer.cancel()
            self._sweep_timer = None
        if self._sweeping is not None:
            self._sweeping.cancel()
            self._sweeping = None
        for front_end in reversed(self.front_ends):
            try:
                await front_end.shutdown()
            except Exception:
                log.exception("shutting down %s", front_end.name)
        self.databases.close_all()
        if self._serving is not None:
            serving.let_go(self._serving)
            self._serving = None
