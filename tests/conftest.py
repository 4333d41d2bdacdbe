"""Shared fixtures: a real LumaDB server subprocess, and Node scripts run against it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.lumadb_server import ROOT, LumaServer

NODE_DIR = ROOT / "tests" / "node"
GO_DIR = ROOT / "tests" / "go"
# Go programs build against Debian's packaged AWS SDKs for Go, v2 and v1 (scripts/test installs
# them): GOPATH mode, no module download.
GO_PATH = "/usr/share/gocode"


@pytest.fixture(scope="session")
def server() -> Iterator[LumaServer]:
    """One server for the whole session; tests use unique table/database names."""
    srv = LumaServer().start()
    yield srv
    srv.cleanup()


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator:
    """Factory for a server with its own flags: `start_server("--libsql-auto-create")`."""
    started: list[LumaServer] = []

    def start(*flags: str, env: dict[str, str] | None = None, data_dir: Path | None = None) -> LumaServer:
        srv = LumaServer(*flags, env=env, data_dir=data_dir).start()
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.cleanup()


@pytest.fixture
def unique_name() -> str:
    return "t" + uuid.uuid4().hex[:12]


def node_available() -> bool:
    return shutil.which("node") is not None and (NODE_DIR / "node_modules").is_dir()


def run_node(script: str, url: str, *args: str, env: dict[str, str] | None = None, timeout: float = 120) -> object:
    """Run `tests/node/<script>` with LUMADB_URL set; the script prints one JSON document."""
    if not node_available():
        pytest.fail("node and tests/node/node_modules are required (run scripts/test)")
    full_env = {**os.environ, "LUMADB_URL": url, **(env or {})}
    proc = subprocess.run(
        ["node", str(NODE_DIR / script), *args], cwd=NODE_DIR, env=full_env,
        capture_output=True, text=True, timeout=timeout,
    )
    if proc.returncode != 0:
        raise AssertionError(f"node {script} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def go_programs(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Build `tests/go/<name>` once per session; the path of its binary."""
    built: dict[str, Path] = {}
    out_dir = tmp_path_factory.mktemp("go")

    def build(name: str) -> Path:
        if name not in built:
            sdks = [Path(GO_PATH) / "src/github.com/aws" / sdk for sdk in ("aws-sdk-go-v2", "aws-sdk-go")]
            if shutil.which("go") is None or not all(sdk.is_dir() for sdk in sdks):
                pytest.fail("go and Debian's AWS SDKs for Go are required (run scripts/test)")
            binary = out_dir / name
            env = {**os.environ, "GO111MODULE": "off", "GOPATH": GO_PATH}
            proc = subprocess.run(
                ["go", "build", "-o", str(binary), "."], cwd=GO_DIR / name, env=env,
                capture_output=True, text=True, timeout=600,
            )
            if proc.returncode != 0:
                raise AssertionError(f"go build {name} failed:\n{proc.stdout}\n{proc.stderr}")
            built[name] = binary
        return built[name]

    return build


def run_go(binary: Path, *args: str, timeout: float = 120) -> object:
    """Run a built Go program; it prints one JSON document on its last line."""
    proc = subprocess.run([str(binary), *args], capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f"{binary.name} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])
