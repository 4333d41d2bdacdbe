"""`lumadb db create|list|delete`: manage libSQL databases in a data directory.

The files are the ones a running server serves (`<data>/libsql/<name>.sqlite`); while one runs
on the directory, `delete` refuses (storage/serving.py) and points to the server's admin
endpoint (`DELETE /v1/namespaces/:ns`).
"""

from __future__ import annotations

import argparse
import sys

from lumadb.config import Config
from lumadb.storage import serving
from lumadb.storage.databases import DatabaseRegistry, InvalidDatabaseName, validate_name

KIND = "libsql"


def register(subparsers: argparse._SubParsersAction) -> None:
    env = Config.from_env()
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", default=str(env.data_dir), help="LUMADB_DATA_DIR (default %(default)s)")
    parser = subparsers.add_parser("db", help="create, list and delete libSQL databases")
    actions = parser.add_subparsers(dest="db_command", required=True)
    create = actions.add_parser("create", parents=[common], help="create an empty database")
    create.add_argument("name")
    create.set_defaults(run=_create)
    listing = actions.add_parser("list", parents=[common], help="list the databases")
    listing.set_defaults(run=_list)
    delete = actions.add_parser("delete", parents=[common], help="delete a database and its files")
    delete.add_argument("name")
    delete.set_defaults(run=_delete)


def _registry(args: argparse.Namespace) -> DatabaseRegistry:
    return DatabaseRegistry(Config.from_env().replace(data_dir=args.data_dir, memory=False))


def _valid(name: str) -> bool:
    try:
        validate_name(name)
        return True
    except InvalidDatabaseName as exc:
        print(f"lumadb: invalid database name {name!r}: {exc}", file=sys.stderr)
        return False


def _create(args: argparse.Namespace) -> int:
    if not _valid(args.name):
        return 2
    registry = _registry(args)
    if registry.path_for(KIND, args.name).exists():
        print(f"lumadb: database {args.name!r} already exists", file=sys.stderr)
        return 1
    db = registry.open(KIND, args.name)
    db.write_blocking(lambda conn: conn.pragma("user_version"))
    registry.close_all()
    print(f"created {args.name}")
    return 0


def _list(args: argparse.Namespace) -> int:
    for name in _registry(args).names(KIND):
        print(name)
    return 0


def _delete(args: argparse.Namespace) -> int:
    if not _valid(args.name):
        return 2
    registry = _registry(args)
    with serving.unserved(registry.root) as unserved:
        if not unserved:
            print(f"lumadb: a server is running on {registry.root}: delete the database through it "
                  f"(DELETE /turso/v1/namespaces/{args.name})", file=sys.stderr)
            return 1
        if not registry.delete(KIND, args.name):
            print(f"lumadb: database {args.name!r} does not exist", file=sys.stderr)
            return 1
    print(f"deleted {args.name}")
    return 0
