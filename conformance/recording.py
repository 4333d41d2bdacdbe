"""Recordings on disk: one JSON file per protocol and target under
`conformance/recordings/<protocol>/<target>.json`, formatted stably so that re-recording an
unchanged service gives an unchanged file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RECORDINGS_DIR = Path(__file__).resolve().parent / "recordings"


def path_for(protocol: str, name: str, root: Path = RECORDINGS_DIR) -> Path:
    if not name.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"recording names are letters, digits, - and _: {name!r}")
    return root / protocol / f"{name}.json"


def dumps(recording: dict[str, Any]) -> str:
    return json.dumps(recording, indent=1, ensure_ascii=False) + "\n"


def save(recording: dict[str, Any], protocol: str, name: str, root: Path = RECORDINGS_DIR) -> Path:
    path = path_for(protocol, name, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    recording = {**recording, "target": name, "scenarios": dict(sorted(recording["scenarios"].items()))}
    path.write_text(dumps(recording))
    return path


def merge(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """A partial re-run (`--scenario`) replaces only the scenarios it ran."""
    if old is None:
        return new
    scenarios = {**old.get("scenarios", {}), **new["scenarios"]}
    probes = new.get("probes") or old.get("probes", {})
    return {**old, **new, "probes": probes, "scenarios": scenarios}


def load(protocol: str, name: str, root: Path = RECORDINGS_DIR) -> dict[str, Any] | None:
    path = path_for(protocol, name, root)
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def available(protocol: str, root: Path = RECORDINGS_DIR) -> list[str]:
    directory = root / protocol
    return sorted(p.stem for p in directory.glob("*.json")) if directory.is_dir() else []
