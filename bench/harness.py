"""Side-by-side measurement: servers pinned to core 0, wrk pinned to core 1, configurations
run round-robin, medians of the rounds, per-round ratios, server CPU µs per request.

Server CPU is utime+stime of the server's process tree (from /proc) over the wrk run,
divided by the requests wrk completed: neighbours disturb it far less than requests/s.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
TICKS = os.sysconf("SC_CLK_TCK")
SERVER_CPU = os.environ.get("BENCH_SERVER_CPU", "0")
LOAD_CPU = os.environ.get("BENCH_LOAD_CPU", "1")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        try:
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            children = []
        todo.extend(int(c) for c in children)
    return pids


def cpu_seconds(pid: int) -> float:
    total = 0
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


@dataclass
class Server:
    """A server under test: how to start it and what to wait for."""

    name: str
    command: Callable[[int, Path], list[str]]
    ready_path: str = "/health"
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path = ROOT
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    workdir: Path | None = None

    def start(self) -> Server:
        self.port = free_port()
        self.workdir = Path(tempfile.mkdtemp(prefix=f"bench-{self.name}-"))
        cmd = ["taskset", "-c", SERVER_CPU, *self.command(self.port, self.workdir)]
        self.log = open(self.workdir / "server.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(cmd, cwd=self.cwd, env={**os.environ, **self.env},
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + self.ready_path, timeout=1)
                return self
            except urllib.error.HTTPError:
                return self  # it answers: good enough
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start: {(self.workdir / 'server.log').read_text()[-2000:]}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc = None
            self.log.close()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)


def wrk(url: str, script: Path, env: dict[str, str], connections: int, seconds: float) -> dict:
    cmd = ["taskset", "-c", LOAD_CPU, "wrk", "-t1", f"-c{connections}", f"-d{int(seconds)}s", "--latency",
           "-s", str(script), url]
    out = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True, timeout=seconds + 60)
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise RuntimeError(f"wrk printed no RESULT line:\n{out.stdout}\n{out.stderr}")


def measure(server: Server, path: str, script: Path, env: dict[str, str], connections: int, seconds: float) -> dict:
    assert server.proc is not None
    before = cpu_seconds(server.proc.pid)
    result = wrk(server.url + path, script, env, connections, seconds)
    used = cpu_seconds(server.proc.pid) - before
    requests = result.get("requests") or result["rps"] * seconds
    result["cpu_us_per_request"] = used * 1e6 / max(requests, 1)
    return result


def median_table(rounds: dict[str, list[dict]], baseline: str, key: str = "rps") -> list[dict]:
    """Median per configuration plus the median of the per-round ratios to `baseline`."""
    rows = []
    for name, results in rounds.items():
        ratios = [r[key] / b[key] for r, b in zip(results, rounds[baseline], strict=False) if b[key]]
        rows.append({
            "config": name,
            "rps": statistics.median(r["rps"] for r in results),
            "cpu_us": statistics.median(r["cpu_us_per_request"] for r in results),
            "p99_us": statistics.median(r.get("p99_us", 0) for r in results),
            f"ratio_vs_{baseline}": statistics.median(ratios) if ratios else None,
            "rounds": len(results),
        })
    return rows


def markdown(rows: list[dict]) -> str:
    if not rows:
        return ""
    keys = list(rows[0])
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    for row in rows:
        cells = [f"{v:,.1f}" if isinstance(v, float) else str(v) for v in row.values()]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def lumadb(name: str = "lumadb", *flags: str, env: dict[str, str] | None = None) -> Server:
    py = str(ROOT / ".venv" / "bin" / "python")
    return Server(name, lambda port, work: [py, "-m", "lumadb.cli", "serve", "--host", "127.0.0.1",
                                           "--port", str(port), "--data-dir", str(work / "data"), *flags],
                  env={"LUMADB_LOG_LEVEL": "warning", **(env or {})})
