"""`lumadb workerd-config`: write a workerd config whose D1 bindings talk to LumaDB.

    lumadb workerd-config --wrangler-toml wrangler.toml --out config.capnp
    workerd serve config.capnp

Without a wrangler.toml: `--main worker.js --d1 DB=mydb [--d1 OTHER=otherdb]`.
The Worker must be one ES module (bundle it first if it imports others).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lumadb.d1.workerd_config import ConfigError, D1Binding, WorkerSpec, from_wrangler, render


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "workerd-config",
        help="write a workerd config running a Worker whose D1 bindings use LumaDB",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--wrangler-toml", type=Path, help="read main, compatibility date/flags, vars and [[d1_databases]]")
    p.add_argument("--env", help="use the [env.<name>] section of the wrangler.toml")
    p.add_argument("--main", type=Path, help="the Worker's ES module (overrides the wrangler.toml's main)")
    p.add_argument("--d1", action="append", default=[], metavar="BINDING=DATABASE",
                   help="a D1 binding and the LumaDB database it uses (repeatable; adds to the wrangler.toml's)")
    p.add_argument("--lumadb-url", default="http://127.0.0.1:8000", help="where LumaDB listens (default %(default)s)")
    p.add_argument("--listen", default="127.0.0.1:8787", help="where workerd serves the Worker (default %(default)s)")
    p.add_argument("--token", help="sent as `Authorization: Bearer <token>` with every D1 request")
    p.add_argument("--compatibility-date", help="overrides the wrangler.toml's")
    p.add_argument("--out", type=Path, help="the config file to write (default: standard output)")
    p.set_defaults(run=_run)


def _spec(args: argparse.Namespace) -> WorkerSpec:
    if args.wrangler_toml:
        spec = from_wrangler(args.wrangler_toml, args.env)
    elif args.main:
        spec = WorkerSpec(main=args.main.resolve())
    else:
        raise ConfigError("give --wrangler-toml or --main")
    if args.main:
        spec.main = args.main.resolve()
    for item in args.d1:
        binding, sep, database = item.partition("=")
        if not sep or not binding or not database:
            raise ConfigError(f"--d1 takes BINDING=DATABASE, not {item!r}")
        spec.d1.append(D1Binding(binding, database))
    if args.compatibility_date:
        spec.compatibility_date = args.compatibility_date
    if not spec.d1:
        raise ConfigError("no D1 binding: add [[d1_databases]] to the wrangler.toml or pass --d1")
    return spec


def _run(args: argparse.Namespace) -> int:
    try:
        spec = _spec(args)
        config_dir = (args.out.resolve().parent if args.out else Path.cwd())
        text = render(spec, lumadb_url=args.lumadb_url, listen=args.listen, token=args.token, config_dir=config_dir)
    except ConfigError as exc:
        print(f"lumadb workerd-config: {exc}", file=sys.stderr)
        return 2
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
