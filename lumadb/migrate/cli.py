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

    dynamodb = kinds.add_parser("dynamodb", help="DynamoDB tables: definitions, tags, TTL and every item",
                                description="Copy DynamoDB tables into LumaDB. The source is AWS (credentials "
                                            "and region from the usual AWS settings) unless --from-endpoint names "
                                            "another DynamoDB endpoint.")
    dynamodb.add_argument("--tables", nargs="+", default=None, help="the tables to copy (default: every table)")
    dynamodb.add_argument("--from-endpoint", default=None, help="a DynamoDB endpoint other than AWS's")
    dynamodb.add_argument("--region", default=None, help="the source's region (default: the AWS settings')")
    dynamodb.add_argument("--profile", default=None, help="an AWS profile for the source's credentials")
    dynamodb.add_argument("--to", dest="target", default=f"{DEFAULT_SERVER}/dynamodb",
                          help="LumaDB's DynamoDB endpoint (default %(default)s)")
    dynamodb.add_argument("--segments", type=int, default=4, help="parallel Scan segments (default %(default)s)")
    dynamodb.add_argument("--consistent-read", action="store_true",
                          help="strongly consistent Scans (twice the read capacity on AWS)")
    dynamodb.set_defaults(run=_dynamodb)


def _libsql(args: argparse.Namespace) -> int:
    from lumadb.migrate import libsql

    return _run(lambda: libsql.migrate(args.source, args.from_token, args.target, args.to_token, args.to_database))


def _dynamodb(args: argparse.Namespace) -> int:
    from lumadb.migrate import dynamodb

    return _run(lambda: dynamodb.migrate(args.tables, args.from_endpoint, args.region, args.profile, args.target,
                                         max(1, args.segments), args.consistent_read))


def _run(migration: object) -> int:
    try:
        migration()  # type: ignore[operator]
    except MigrationError as exc:
        print(f"lumadb migrate: {exc}", file=sys.stderr)
        return 1
    print("done")
    return 0
