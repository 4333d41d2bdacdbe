"""Shared pieces of the schemathesis fuzzing: one in-process LumaDB app and ASGI client per
module (so the app's lifespan runs once), the checks every response must pass, and a count
of the cases each spec got, printed at the end of the run.

`LUMADB_FUZZ_EXAMPLES` sets the examples per operation (default 3, about a minute for all
three specs); `LUMADB_FUZZ_EXAMPLES=200` is the long run (10+ minutes).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = int(os.environ.get("LUMADB_FUZZ_EXAMPLES", "3"))
STATEFUL_RUNS = max(25, 5 * EXAMPLES)  # state machine runs of up to 20 steps
SPEC_URLS = {"dynamodb": "/dynamodb/openapi.json", "d1": "/d1/openapi.json", "libsql": "/turso/openapi.json"}

# Failures already reported (each has a regression test in test_regressions.py, xfail until
# fixed): (spec, operation path fragment, failure class name or text). Fuzzing goes on past them.
KNOWN_FAILURES: list[tuple[str, str, str]] = []

CASES: Counter[str] = Counter()  # spec -> cases sent
STATUSES: dict[str, Counter[int]] = {name: Counter() for name in SPEC_URLS}


def spec_file(protocol: str) -> Path:
    from lumadb.specs import SPEC_DIR, SPECS

    return SPEC_DIR / SPECS[protocol][0]


def operation_labels(protocol: str) -> list[str]:
    """`METHOD path` of every operation in a spec file (for test ids at collection time)."""
    if not spec_file(protocol).exists():
        return []
    from lumadb.specs import load_spec

    methods = {"get", "put", "post", "delete", "patch", "head", "options"}
    return [f"{m.upper()} {path}" for path, item in load_spec(protocol)["paths"].items() for m in item if m in methods]


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from lumadb.app import create_app
    from lumadb.config import Config

    return create_app(Config(data_dir=tmp_path_factory.mktemp("fuzz-data")))


@pytest.fixture(scope="module")
def client(fuzz_app: Any) -> Iterator[Any]:
    from schemathesis.python import asgi

    with asgi.get_client(fuzz_app) as session:
        yield session


def load_schema(protocol: str, app: Any) -> Any:
    if not spec_file(protocol).exists():
        pytest.skip(f"{spec_file(protocol).name} does not exist yet")
    import schemathesis

    return schemathesis.openapi.from_asgi(SPEC_URLS[protocol], app)


def header(response: Any, name: str) -> str:
    """A response header as text (schemathesis keeps each header as a list of values)."""
    value = response.headers.get(name, "")
    return ", ".join(value) if isinstance(value, list) else str(value)


def _json(response: Any) -> Any:
    try:
        return json.loads(response.content or b"null")
    except ValueError:
        return None


def dynamodb_envelope(response: Any) -> str | None:
    """DynamoDB errors: JSON 1.0 with a `__type` (a message is optional, as for SerializationException)."""
    if response.status_code < 400:
        return None
    body = _json(response)
    if not isinstance(body, dict) or not isinstance(body.get("__type"), str):
        return f"error without DynamoDB's envelope: {response.content[:300]!r}"
    return None


def d1_envelope(response: Any, path: str) -> str | None:
    """D1 REST errors carry Cloudflare's envelope; binding errors `{success: false, error}`."""
    body = _json(response)
    if path.startswith("/d1/client/v4/") or path.startswith("/client/v4/"):
        if response.status_code >= 400 and not (
            isinstance(body, dict) and body.get("success") is False and isinstance(body.get("errors"), list)
            and all(isinstance(e, dict) and isinstance(e.get("code"), int) and isinstance(e.get("message"), str)
                    for e in body["errors"]) and body["errors"]
        ):
            return f"REST error without Cloudflare's envelope: {response.content[:300]!r}"
        return None
    binding = path.rstrip("/").endswith(("/query", "/execute"))
    if binding and isinstance(body, dict) and body.get("success") is False and not isinstance(body.get("error"), str):
        return f"binding error without an error text: {response.content[:300]!r}"
    return None


def libsql_envelope(response: Any) -> str | None:
    """sqld's shapes: text/plain protocol errors, JSON `{message, code}` or `{error}`; bare 404/405."""
    if response.status_code < 400 or (response.status_code in (404, 405) and not response.content):
        return None
    content_type = header(response, "content-type")
    if "json" in content_type:
        body = _json(response)
        ok = isinstance(body, dict) and (
            (isinstance(body.get("message"), str) and isinstance(body.get("code"), str))
            or isinstance(body.get("error"), str)
        )
        return None if ok else f"JSON error without libSQL's envelope: {response.content[:300]!r}"
    if content_type.startswith("text/plain") and response.content:
        return None
    return f"error without a message ({content_type!r}): {response.content[:300]!r}"


def checks() -> list[Callable[..., Any]]:
    from schemathesis.checks import (
        content_type_conformance,
        not_a_server_error,
        response_schema_conformance,
        status_code_conformance,
    )

    return [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def call_and_check(protocol: str, case: Any, client: Any, envelope: Callable[[Any], str | None]) -> Any:
    """Send a case, count it, and fail on a 5xx, a response the spec does not describe, or a
    wrong error envelope."""
    response = case.call(session=client)
    CASES[protocol] += 1
    STATUSES[protocol][response.status_code] += 1
    wanted = checks()
    if _statement_error_500(protocol, case, response):
        wanted = [check for check in wanted if check.__name__ != "not_a_server_error"]
    try:
        case.validate_response(response, checks=wanted)
    except BaseExceptionGroup as group:
        unknown = [f for f in group.exceptions if not _known(protocol, case, f)]
        if unknown:
            raise BaseExceptionGroup(str(group), unknown) from None
    problem = envelope(response)
    assert problem is None, f"{case.method} {case.formatted_path}: {problem}"
    return response


def _statement_error_500(protocol: str, case: Any, response: Any) -> bool:
    """sqld answers SQLite's own errors on Hrana v1 (`/v1/execute`, `/v1/batch`) with HTTP 500 and
    the statement error's JSON (`COMMIT` outside a transaction, a missing table: observed side
    by side, and in specs/libsql.yaml): the protocol's answer, not a server failure."""
    path = case.operation.path if getattr(case, "operation", None) is not None else case.path
    if protocol != "libsql" or response.status_code != 500 or path not in ("/v1/execute", "/v1/batch"):
        return False
    body = _json(response)
    return (isinstance(body, dict) and str(body.get("code", "")).startswith("SQLITE_")
            and str(body.get("message", "")).startswith("SQLite error: "))


def _known(protocol: str, case: Any, failure: BaseException) -> bool:
    text = " ".join([type(failure).__name__, str(failure), str(getattr(failure, "message", ""))])
    path = case.operation.path if getattr(case, "operation", None) is not None else case.path
    return any(spec == protocol and fragment in path and marker in text for spec, fragment, marker in KNOWN_FAILURES)


def hypothesis_settings(examples: int = EXAMPLES, **extra: Any) -> Any:
    from hypothesis import HealthCheck, Phase, settings

    return settings(max_examples=examples, deadline=None, database=None, derandomize=False,
                    suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate], **extra)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not CASES:
        return
    terminalreporter.section("schemathesis cases per spec")
    for protocol, count in sorted(CASES.items()):
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(STATUSES[protocol].items()))
        terminalreporter.write_line(f"{protocol}: {count} cases ({statuses})")
