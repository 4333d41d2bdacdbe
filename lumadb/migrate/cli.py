"""`lumadb migrate dynamodb|d1|libsql`: the command line of the migrations."""

from __future__ import annotations

import argparse
import os
import sys

from lumadb.migrate.web import MigrationError

DEFAULT_SERVER = "http://localhost:8000"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "migrate", help="copy tables and data from DynamoDB, Cloudflare D1 or Turso/libSQL into a running LumaDB")
    kinds = parser.add_subparsers(dest="migrate_command", required=True)

    libsql = kinds.add_parser("libsql", help="a libSQL database (Turso, sqld) through its SQL dump",
                              description="Copy a libSQL database into an empty LumaDB libSQL database.")
    libsql.add_argument("--from", dest="source", required=True,
                        help="the database URL (libsql://..., https://..., http://...)")
    libsql.add_argument("--from-token", default=os.environ.get("TURSO_AUTH_TOKEN"),
                        help="its auth token (default: $TURSO_AUTH_TOKEN)")
    libsql.add_argument("--to", dest="target", default=f"{DEFAULT_SERVER}/turso",
                        help="LumaDB's libSQL URL (default %(default)s)")
    libsql.add_argument("--to-token", default=None, help="a LumaDB token, when it checks JWTs")
    libsql.add_argument("--to-database", default=None,
                        help="copy into this database (created if missing) instead of `default`")
    libsql.set_defaults(run=_libsql)


def _libsql(args: argparse.Namespace) -> int:
    from lumadb.migrate import libsql

    return _run(lambda: libsql.migrate(args.source, args.from_token, args.target, args.to_token, args.to_database))


def _run(migration: object) -> int:
    try:
        migration()  # type: ignore[operator]
    except MigrationError as exc:
        print(f"lumadb migrate: {exc}", file=sys.stderr)
        return 1
    print("done")
    return 0
