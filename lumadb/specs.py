"""Where the three OpenAPI specs live, and the Connexion app that hosts them.

Connexion serves each spec's documentation page at `/docs/<protocol>/ui/`; the specs
themselves are served as files at `/dynamodb/openapi.json`, `/d1/openapi.json` and
`/turso/openapi.json` (Connexion 3.3 cannot serve the recursive DynamoDB spec itself).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

SPEC_DIR = Path(__file__).resolve().parent.parent / "specs"

# protocol -> (spec file, base path under which the spec's paths are served)
SPECS = {
    "dynamodb": ("dynamodb.json", ""),
    "d1": ("d1.yaml", "/d1"),
    "libsql": ("libsql.yaml", "/turso"),
}
SPEC_URLS = {"/dynamodb/openapi.json": "dynamodb", "/d1/openapi.json": "d1", "/turso/openapi.json": "libsql"}
DOCS_URLS = {"dynamodb": "/docs/dynamodb/ui/", "d1": "/docs/d1/ui/", "libsql": "/docs/turso/ui/"}


@cache
def load_spec(protocol: str) -> dict[str, Any]:
    """The spec as a dict (parsed once per process)."""
    import orjson
    import yaml

    path = SPEC_DIR / SPECS[protocol][0]
    text = path.read_bytes()
    return orjson.loads(text) if path.suffix == ".json" else yaml.safe_load(text)


@cache
def spec_json(protocol: str) -> bytes:
    import orjson

    return orjson.dumps(load_spec(protocol))


def available() -> list[str]:
    return [name for name, (file, _) in SPECS.items() if (SPEC_DIR / file).exists()]


def _unrouted(*_args: Any, **_kwargs: Any) -> Any:
    # Protocol requests are routed by lumadb.app before Connexion sees them.
    raise RuntimeError("not routed through Connexion")


def build_connexion_app() -> Any:
    """Connexion hosting every spec present, for its documentation pages under /docs/."""
    import connexion
    from connexion.options import SwaggerUIOptions
    from connexion.resolver import Resolver

    spec_urls = {protocol: url for url, protocol in SPEC_URLS.items()}
    app = connexion.AsyncApp(__name__)
    for protocol in available():
        file, _ = SPECS[protocol]
        app.add_api(
            SPEC_DIR / file,
            base_path=DOCS_URLS[protocol].removesuffix("/ui/"),
            resolver=Resolver(function_resolver=lambda _operation_id: _unrouted),
            validate_responses=False,
            strict_validation=False,
            # the page loads the spec LumaDB serves itself
            swagger_ui_options=SwaggerUIOptions(serve_spec=False, swagger_ui_config={"url": spec_urls[protocol]}),
        )
    return app
