"""`lumadb migrate dynamodb|d1|libsql`: the command line of the migrations."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from lumadb.migrate.web import MigrationError

DEFAULT_SERVER = "http://localhost:8000"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "migrate", help="copy tables and data from DynamoDB, Cloudflare D1 or Turso/libSQL into a running LumaDB")
    kinds = parser.add_subparsers(dest="migrate_command", required=True)

    libsql = kinds.add_parser("libsql", help="a libSQL database (Turso, sqld) through its SQL dump",
                              description="Copy a libSQL database into an empty LumaDB libSQL database.")
    origin = libsql.add_mutually_exclusive_group(required=True)
    origin.add_argument("--from", dest="source", help="the database URL (libsql://..., https://..., http://...)")
    origin.add_argument("--from-file", help="a SQL dump instead (`turso db shell DB .dump`, `sqlite3 FILE .dump`)")
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
    dynamodb.add_argument("--to-credentials", default=_first(os.environ.get("LUMADB_DYNAMODB_CREDENTIALS", "")),
                          help="KEY_ID:SECRET[:SESSION_TOKEN] for a LumaDB that checks signatures "
                               "(default: the first of LUMADB_DYNAMODB_CREDENTIALS)")
    dynamodb.add_argument("--segments", type=int, default=4, help="parallel Scan segments (default %(default)s)")
    dynamodb.add_argument("--consistent-read", action="store_true",
                          help="strongly consistent Scans (twice the read capacity on AWS)")
    dynamodb.set_defaults(run=_dynamodb)

    d1 = kinds.add_parser("d1", help="a Cloudflare D1 database through the REST API's export and import",
                          description="Copy a D1 database into a new LumaDB D1 database of the same name.")
    origin = d1.add_mutually_exclusive_group(required=True)
    origin.add_argument("--database", help="the D1 database: its id or its name")
    origin.add_argument("--from-file", help="a SQL file instead (`wrangler d1 export DB --local|--remote --output F`)"
                                            "; name the new database with --to-name")
    d1.add_argument("--account-id", default=os.environ.get("CLOUDFLARE_ACCOUNT_ID"),
                    help="the Cloudflare account (default: $CLOUDFLARE_ACCOUNT_ID)")
    d1.add_argument("--api-token", default=os.environ.get("CLOUDFLARE_API_TOKEN"),
                    help="an API token with D1 read access (default: $CLOUDFLARE_API_TOKEN)")
    d1.add_argument("--from-api", default="https://api.cloudflare.com/client/v4",
                    help="the API's base URL (default %(default)s)")
    d1.add_argument("--to", dest="target", default=f"{DEFAULT_SERVER}/client/v4",
                    help="LumaDB's D1 REST API (default %(default)s)")
    d1.add_argument("--to-name", default=None, help="the new database's name (default: the source's)")
    d1.set_defaults(run=_d1)


def _libsql(args: argparse.Namespace) -> int:
    from lumadb.migrate import libsql

    return _run(lambda: libsql.migrate(args.source, args.from_token, args.target, args.to_token, args.to_database,
                                       dump_file=args.from_file))


def _dynamodb(args: argparse.Namespace) -> int:
    from lumadb.migrate import dynamodb

    return _run(lambda: dynamodb.migrate(args.tables, args.from_endpoint, args.region, args.profile, args.target,
                                         max(1, args.segments), args.consistent_read,
                                         target_credentials=args.to_credentials or None))


def _first(credentials: str) -> str:
    return next((c.strip() for c in credentials.split(",") if c.strip()), "")


def _d1(args: argparse.Namespace) -> int:
    from lumadb.migrate import d1

    if not args.account_id and not args.from_file:
        print("lumadb migrate: --account-id (or $CLOUDFLARE_ACCOUNT_ID) is required", file=sys.stderr)
        return 2
    account = args.account_id or "local"  # LumaDB takes any account id
    source = None if args.from_file else d1.D1Api(args.from_api, account, args.api_token)
    target = d1.D1Api(args.target, account, None)
    return _run(lambda: d1.migrate(source, args.database, target, args.to_name, sql_file=args.from_file))


def _run(migration: Callable[[], object]) -> int:
    try:
        migration()
    except MigrationError as exc:
        print(f"lumadb migrate: {exc}", file=sys.stderr)
        return 1
    print("done")
    return 0
