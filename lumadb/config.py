"""Server settings: command-line flags, mirrored by `LUMADB_*` environment variables.

The CLI writes its flags into the environment so that every uvicorn worker process
builds the same `Config` from `Config.from_env()`.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATA_DIR = "./lumadb-data"
DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024


def _truthy(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Config:
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path(DEFAULT_DATA_DIR)
    memory: bool = False
    workers: int = 1
    log_level: str = "info"
    durability: str = "full"  # "full" (fsync on commit) or "normal" (WAL, fsync at checkpoint)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    statement_timeout_ms: int = 30_000
    busy_timeout_ms: int = 5_000
    query_cache_entries: int = 2048
    libsql_jwt_keys: tuple[str, ...] = ()
    dynamodb_credentials: tuple[str, ...] = ()  # KEY_ID:SECRET[:TOKEN]: then requests must be signed
    d1_api_tokens: tuple[str, ...] = ()  # then D1 requests must carry one
    libsql_auto_create: bool = False
    libsql_stream_idle_seconds: float = 300.0
    ttl_sweep_seconds: float = 2.0
    idle_database_seconds: float = 60.0  # a D1 or libSQL database unused this long is let go; 0: never
    idle_poll_us: float = 200.0  # lumadb/idle_poll.py; 0: sleep as soon as idle
    secret: str = ""  # HMAC key for batons and tokens; random per data dir when empty
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def debug(self) -> bool:
        return self.log_level == "debug"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Config:
        env = dict(os.environ if env is None else env)
        log_level = env.get("LUMADB_LOG_LEVEL", "info").lower()
        # LUMADB_LOG=debug, and RUST_LOG=debug for users coming from sqld, switch on
        # request and SQL logging.
        for var in ("LUMADB_LOG", "RUST_LOG"):
            if env.get(var, "").strip().lower() in {"debug", "trace"}:
                log_level = "debug"
        keys = tuple(k for k in env.get("LUMADB_LIBSQL_JWT_KEY", "").split(",") if k.strip())
        return cls(
            host=env.get("LUMADB_HOST", cls.host),
            port=int(env.get("LUMADB_PORT", cls.port)),
            data_dir=Path(env.get("LUMADB_DATA_DIR", DEFAULT_DATA_DIR)),
            memory=_truthy(env.get("LUMADB_MEMORY", "0")),
            workers=int(env.get("LUMADB_WORKERS", cls.workers)),
            log_level=log_level,
            durability=env.get("LUMADB_DURABILITY", cls.durability).lower(),
            max_body_bytes=int(env.get("LUMADB_MAX_BODY_BYTES", cls.max_body_bytes)),
            statement_timeout_ms=int(env.get("LUMADB_STATEMENT_TIMEOUT_MS", cls.statement_timeout_ms)),
            busy_timeout_ms=int(env.get("LUMADB_BUSY_TIMEOUT_MS", cls.busy_timeout_ms)),
            query_cache_entries=int(env.get("LUMADB_QUERY_CACHE_ENTRIES", cls.query_cache_entries)),
            libsql_jwt_keys=keys,
            dynamodb_credentials=tuple(
                c for c in env.get("LUMADB_DYNAMODB_CREDENTIALS", "").split(",") if c.strip()
            ),
            d1_api_tokens=tuple(t.strip() for t in env.get("LUMADB_D1_API_TOKENS", "").split(",") if t.strip()),
            libsql_auto_create=_truthy(env.get("LUMADB_LIBSQL_AUTO_CREATE", "0")),
            libsql_stream_idle_seconds=float(
                env.get("LUMADB_LIBSQL_STREAM_IDLE_SECONDS", cls.libsql_stream_idle_seconds)
            ),
            ttl_sweep_seconds=float(env.get("LUMADB_TTL_SWEEP_SECONDS", cls.ttl_sweep_seconds)),
            idle_database_seconds=float(env.get("LUMADB_IDLE_DATABASE_SECONDS", cls.idle_database_seconds)),
            idle_poll_us=float(env.get("LUMADB_IDLE_POLL_US", cls.idle_poll_us)),
            secret=env.get("LUMADB_SECRET", ""),
        )

    def replace(self, **changes: object) -> Config:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]
