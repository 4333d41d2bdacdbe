"""`lumadb` command line: `serve`, plus the subcommands each protocol package adds
(`db`, `workerd-config`, `conformance`, ...) through a `register(subparsers)` function."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence

from lumadb import __version__
from lumadb.config import Config
from lumadb.storage import serving
from lumadb.supervisor import SUPERVISOR_PID_VARIABLE

# Modules that may add subcommands; a module not written yet is skipped.
SUBCOMMAND_MODULES = (
    "lumadb.libsql.cli",
    "lumadb.d1.cli",
    "lumadb.conformance_cli",
    "lumadb.migrate.cli",
)


def _add_serve(sub: argparse._SubParsersAction) -> None:
    env = Config.from_env()
    p = sub.add_parser("serve", help="run the server (every flag has a LUMADB_* environment variable)")
    p.add_argument("--host", default=env.host, help="LUMADB_HOST (default %(default)s)")
    p.add_argument("--port", type=int, default=env.port, help="LUMADB_PORT (default %(default)s)")
    p.add_argument("--data-dir", default=str(env.data_dir), help="LUMADB_DATA_DIR (default %(default)s)")
    p.add_argument("--memory", action="store_true", default=env.memory,
                   help="LUMADB_MEMORY: keep data in a temporary directory removed at exit")
    p.add_argument("--workers", type=int, default=env.workers, help="LUMADB_WORKERS: worker processes")
    p.add_argument("--log-level", default=env.log_level, choices=["debug", "info", "warning", "error"],
                   help="LUMADB_LOG_LEVEL; LUMADB_LOG=debug or RUST_LOG=debug also switch on request and SQL logs")
    p.add_argument("--durability", default=env.durability, choices=["full", "normal"],
                   help="LUMADB_DURABILITY: full = fsync every commit (default); normal = survive a "
                        "process crash, not a power loss")
    p.add_argument("--max-body-bytes", type=int, default=env.max_body_bytes, help="LUMADB_MAX_BODY_BYTES")
    p.add_argument("--statement-timeout-ms", type=int, default=env.statement_timeout_ms,
                   help="LUMADB_STATEMENT_TIMEOUT_MS")
    p.add_argument("--busy-timeout-ms", type=int, default=env.busy_timeout_ms,
                   help="LUMADB_BUSY_TIMEOUT_MS: how long a write waits for another writer's lock")
    p.add_argument("--libsql-jwt-key", action="append", default=list(env.libsql_jwt_keys),
                   help="LUMADB_LIBSQL_JWT_KEY (comma-separated): Ed25519 public key(s), raw base64url or "
                        "PEM (`--libsql-jwt-key=KEY` for a key that begins with '-'); when set, libSQL "
                        "requests need a JWT")
    p.add_argument("--dynamodb-credentials", action="append", default=list(env.dynamodb_credentials),
                   help="LUMADB_DYNAMODB_CREDENTIALS (comma-separated): KEY_ID:SECRET[:SESSION_TOKEN]; when set, "
                        "DynamoDB requests must be signed (SigV4) with one of them")
    p.add_argument("--d1-api-token", action="append", default=list(env.d1_api_tokens),
                   help="LUMADB_D1_API_TOKENS (comma-separated): when set, D1 REST and binding requests "
                        "must carry one (Authorization: Bearer, as Cloudflare's clients send it)")
    p.add_argument("--libsql-auto-create", action="store_true", default=env.libsql_auto_create,
                   help="LUMADB_LIBSQL_AUTO_CREATE: create unknown libSQL databases on first use")
    p.add_argument("--libsql-stream-idle-seconds", type=float, default=env.libsql_stream_idle_seconds,
                   help="LUMADB_LIBSQL_STREAM_IDLE_SECONDS")
    p.add_argument("--ttl-sweep-seconds", type=float, default=env.ttl_sweep_seconds,
                   help="LUMADB_TTL_SWEEP_SECONDS: how often expired DynamoDB items are deleted")
    p.add_argument("--idle-database-seconds", type=float, default=env.idle_database_seconds,
                   help="LUMADB_IDLE_DATABASE_SECONDS: close the files and stop the thread of a D1 or libSQL "
                        "database unused this long; its next request opens it again; 0 = never "
                        "(default %(default)s)")
    p.add_argument("--idle-poll-us", type=float, default=env.idle_poll_us,
                   help="LUMADB_IDLE_POLL_US: after a response, poll for the next request this long "
                        "(at most, adaptive) before sleeping; 0 = never (default %(default)s)")
    p.set_defaults(run=_serve)


def _raise_open_files_limit() -> None:
    """Each open database holds ~9 file descriptors (its connections' database, WAL and shared
    memory files) until it has been idle for `--idle-database-seconds`: with the usual soft
    limit of 1,024, ~100 D1 or libSQL databases in use within that time would end in `unable to
    open database file`. Raise it to the hard limit, as Go's runtime does for every program."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    if soft != resource.RLIM_INFINITY and soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from lumadb.dynamodb.signing import Credentials

    try:  # a bad entry is the command line's error, before anything starts
        Credentials(c for entry in args.dynamodb_credentials for c in entry.split(",") if c.strip())
    except ValueError as exc:
        print(f"lumadb serve: {exc}", file=sys.stderr)
        return 2
    # Worker processes rebuild the configuration from the environment.
    settings = {
        "LUMADB_HOST": args.host,
        "LUMADB_PORT": str(args.port),
        "LUMADB_DATA_DIR": args.data_dir,
        "LUMADB_MEMORY": "1" if args.memory else "0",
        "LUMADB_WORKERS": str(args.workers),
        "LUMADB_LOG_LEVEL": args.log_level,
        "LUMADB_DURABILITY": args.durability,
        "LUMADB_MAX_BODY_BYTES": str(args.max_body_bytes),
        "LUMADB_STATEMENT_TIMEOUT_MS": str(args.statement_timeout_ms),
        "LUMADB_BUSY_TIMEOUT_MS": str(args.busy_timeout_ms),
        "LUMADB_LIBSQL_JWT_KEY": ",".join(args.libsql_jwt_key),
        "LUMADB_DYNAMODB_CREDENTIALS": ",".join(args.dynamodb_credentials),
        "LUMADB_D1_API_TOKENS": ",".join(args.d1_api_token),
        "LUMADB_LIBSQL_AUTO_CREATE": "1" if args.libsql_auto_create else "0",
        "LUMADB_LIBSQL_STREAM_IDLE_SECONDS": str(args.libsql_stream_idle_seconds),
        "LUMADB_TTL_SWEEP_SECONDS": str(args.ttl_sweep_seconds),
        "LUMADB_IDLE_DATABASE_SECONDS": str(args.idle_database_seconds),
        "LUMADB_IDLE_POLL_US": str(args.idle_poll_us),
    }
    os.environ.update(settings)
    config = Config.from_env()
    if args.memory and args.workers > 1:
        print("lumadb: --memory keeps data per process; use one worker", file=sys.stderr)
        return 2
    if not args.memory:
        try:
            serving.claim(config.data_dir)  # held until the process ends
        except serving.DirectoryServed as exc:
            print(f"lumadb: {exc}", file=sys.stderr)
            return 1
    _raise_open_files_limit()
    if config.workers > 1:
        os.environ[SUPERVISOR_PID_VARIABLE] = str(os.getpid())
    uvicorn.run(
        "lumadb.app:create_app_from_env",
        factory=True,
        host=config.host,
        port=config.port,
        workers=config.workers if config.workers > 1 else None,
        loop="uvloop",
        http="lumadb.http_protocol:LumaHttpProtocol",  # httptools, without ASGI's per-request cost
        proxy_headers=False,
        server_header=False,
        log_level="debug" if config.debug else config.log_level,
        access_log=False,  # LUMADB_LOG=debug logs requests with their durations instead
        timeout_graceful_shutdown=30,
        lifespan="on",
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lumadb", description="DynamoDB, Cloudflare D1 and libSQL on SQLite.")
    parser.add_argument("--version", action="version", version=f"lumadb {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_serve(sub)
    for module in SUBCOMMAND_MODULES:
        try:
            importlib.import_module(module).register(sub)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
