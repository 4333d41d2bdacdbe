"""The server itself: health, version, specs, graceful shutdown, unknown paths."""

from __future__ import annotations

import signal
import subprocess
import sys
import urllib.error
import urllib.request

from tests.lumadb_server import ROOT, LumaServer, free_port


def get(url: str) -> tuple[int, bytes, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)


def test_health_answers_200(server: LumaServer) -> None:
    status, _, _ = get(server.url + "/health")
    assert status == 200


def test_version_names_lumadb_and_sqlite(server: LumaServer) -> None:
    status, body, _ = get(server.url + "/version")
    assert status == 200
    assert body.startswith(b"lumadb ") and b"sqlite 3." in body


def test_unknown_path_is_a_json_404(server: LumaServer) -> None:
    status, body, headers = get(server.url + "/no/such/thing")
    assert status == 404
    assert headers["content-type"] == "application/json"


def test_sigterm_shuts_down_cleanly(start_server) -> None:
    srv = start_server()
    # uvicorn re-raises the signal after its graceful shutdown, so -15 is a clean exit too.
    assert srv.stop(signal.SIGTERM) in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in srv.log()


def test_a_second_server_on_the_same_data_directory_is_refused(start_server) -> None:
    """Its catalog would not see the first one's tables, and its writers would not take turns
    with the other's (storage/serving.py `claim`); --workers N is the way to more processes."""
    first = start_server("--workers", "2")
    assert first.proc is not None
    for flags in ([], ["--workers", "2"]):
        second = subprocess.run(
            [sys.executable, "-m", "lumadb.cli", "serve", "--host", "127.0.0.1", "--port", str(free_port()),
             "--data-dir", str(first.data_dir), *flags],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
        )
        assert second.returncode == 1
        assert f"is served by another lumadb server (process {first.proc.pid})" in second.stderr
    status, _, _ = get(first.url + "/health")
    assert status == 200


def test_each_spec_has_a_documentation_page_that_loads_the_served_spec(server: LumaServer) -> None:
    import json

    for docs, spec_url in (("/docs/dynamodb/ui/", "/dynamodb/openapi.json"), ("/docs/d1/ui/", "/d1/openapi.json"),
                           ("/docs/turso/ui/", "/turso/openapi.json")):
        status, body, _ = get(server.url + docs)
        assert status == 200 and b"swagger-ui" in body
        status, body, _ = get(server.url + docs + "swagger-ui-config.json")
        assert status == 200 and json.loads(body)["url"] == spec_url
        status, body, _ = get(server.url + spec_url)
        assert status == 200 and json.loads(body)["openapi"].startswith("3.0")
    assert get(server.url + "/docs/nothing")[0] == 404
