"""A workerd config (Cap'n Proto text) that runs a Worker with its D1 bindings on LumaDB.

Each `[[d1_databases]]` binding becomes workerd's own D1 binding (the wrapped module
`cloudflare-internal:d1-api`) whose inner `fetcher` is an external service pointing at
LumaDB; `injectRequestHeaders` adds `X-LumaDB-Database` (which database) and, when a
token is given, `Authorization`. The Worker itself is unchanged.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEFAULT_COMPATIBILITY_DATE = "2025-06-01"


@dataclass(frozen=True)
class D1Binding:
    binding: str  # the name the Worker sees (env.DB)
    database: str  # sent as X-LumaDB-Database: a database name (or uuid)


@dataclass
class WorkerSpec:
    main: Path
    d1: list[D1Binding] = field(default_factory=list)
    compatibility_date: str = DEFAULT_COMPATIBILITY_DATE
    compatibility_flags: list[str] = field(default_factory=list)
    vars: dict[str, Any] = field(default_factory=dict)


class ConfigError(ValueError):
    pass


def from_wrangler(path: Path, env: str | None = None) -> WorkerSpec:
    """The parts of a wrangler.toml workerd needs (`main`, dates, flags, vars, D1)."""
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    if env:
        section = data.get("env", {}).get(env)
        if section is None:
            raise ConfigError(f"{path} has no [env.{env}] section")
        data = {**data, **section}
    main = data.get("main")
    if not isinstance(main, str):
        raise ConfigError(f"{path} has no `main` (the Worker's entry module)")
    bindings = []
    for item in data.get("d1_databases", []):
        name = item.get("binding")
        if not isinstance(name, str):
            raise ConfigError("every [[d1_databases]] entry needs a `binding`")
        database = item.get("database_name") or item.get("database_id") or name
        bindings.append(D1Binding(name, str(database)))
    return WorkerSpec(
        main=(path.parent / main).resolve(),
        d1=bindings,
        compatibility_date=str(data.get("compatibility_date", DEFAULT_COMPATIBILITY_DATE)),
        compatibility_flags=[str(f) for f in data.get("compatibility_flags", [])],
        vars=dict(data.get("vars", {})),
    )


def text(value: str) -> str:
    """A Cap'n Proto text literal."""
    return json.dumps(value)


def _service_name(binding: str) -> str:
    return "lumadb-d1-" + re.sub(r"[^A-Za-z0-9_-]", "-", binding)


def _external(url: str, headers: list[tuple[str, str]]) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"the LumaDB URL must be http(s)://host[:port], not {url!r}")
    if parts.path not in ("", "/", "/d1", "/d1/"):
        raise ConfigError("the binding protocol is served at the root or under /d1; drop the URL path")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    inject = ", ".join(f"(name = {text(k)}, value = {text(v)})" for k, v in headers)
    options = f"(injectRequestHeaders = [{inject}])"
    if parts.scheme == "https":
        protocol = f"https = (options = {options}, certificateHost = {text(parts.hostname)})"
    else:
        protocol = f"http = {options}"
    return f"external = (address = {text(f'{host}:{port}')}, {protocol})"


def _var(name: str, value: Any) -> str:
    if isinstance(value, str):
        return f"(name = {text(name)}, text = {text(value)})"
    return f"(name = {text(name)}, json = {text(json.dumps(value))})"


def render(spec: WorkerSpec, *, lumadb_url: str, listen: str, token: str | None, config_dir: Path) -> str:
    """The config text; `embed` paths are relative to `config_dir` (where the file goes)."""
    if spec.main.suffix in (".ts", ".tsx", ".mts", ".cts"):
        raise ConfigError(f"workerd runs JavaScript, not {spec.main.name}: bundle the Worker first "
                          "(`wrangler deploy --dry-run --outdir dist`) and pass --main dist/<entry>.js")
    services = ['    (name = "main", worker = .mainWorker),']
    bindings = []
    for d1 in spec.d1:
        headers = [("x-lumadb-database", d1.database)]
        if token:
            headers.append(("authorization", f"Bearer {token}"))
        service = _service_name(d1.binding)
        services.append(f"    (name = {text(service)}, {_external(lumadb_url, headers)}),")
        bindings.append(
            f"    (name = {text(d1.binding)}, wrapped = (moduleName = \"cloudflare-internal:d1-api\", "
            f"innerBindings = [(name = \"fetcher\", service = {text(service)})])),"
        )
    bindings.extend(f"    {_var(k, v)}," for k, v in spec.vars.items())
    embed = os.path.relpath(spec.main, config_dir)
    flags = ", ".join(text(f) for f in spec.compatibility_flags)
    return "\n".join([
        "# Generated by `lumadb workerd-config`: the Worker's D1 bindings use LumaDB.",
        'using Workerd = import "/workerd/workerd.capnp";',
        "",
        "const config :Workerd.Config = (",
        "  services = [",
        *services,
        "  ],",
        f"  sockets = [ (name = \"http\", address = {text(listen)}, http = (), service = \"main\") ],",
        ");",
        "",
        "const mainWorker :Workerd.Worker = (",
        f"  modules = [ (name = \"worker\", esModule = embed {text(embed)}) ],",
        f"  compatibilityDate = {text(spec.compatibility_date)},",
        f"  compatibilityFlags = [{flags}],",
        "  bindings = [",
        *bindings,
        "  ],",
        ");",
        "",
    ])
