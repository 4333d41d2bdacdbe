"""Scenario suites: YAML files under `conformance/cases/<protocol>/`, each a list of
scenarios made of ordered raw HTTP steps. See conformance/README.md for the format."""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CASES_DIR = Path(__file__).resolve().parent / "cases"

# Keys of a step that describe the request; everything else is an option of the runner.
REQUEST_KEYS = {
    "op", "body", "method", "path", "get", "post", "put", "patch", "delete", "json", "text",
    "raw", "headers", "api", "query", "sign", "database", "websocket",
}
OPTION_KEYS = {
    "save", "compare", "ignore", "unordered", "select", "wait", "expect", "patch", "expect_reason", "note",
}
COMPARE_MODES = {"full", "status", "none"}


class SuiteError(ValueError):
    pass


@dataclass
class Step:
    request: dict[str, Any]
    save: dict[str, str] = field(default_factory=dict)
    compare: str = "full"
    ignore: list[str] = field(default_factory=list)
    unordered: list[str] = field(default_factory=list)
    select: list[str] = field(default_factory=list)  # compare only these paths of the body
    wait: dict[str, Any] | None = None
    expect: dict[str, Any] | None = None  # a hand-written normalised response (the reference)
    patch: dict[str, Any] = field(default_factory=dict)  # path in the peer's record -> value the service gives
    expect_reason: str = ""
    note: str = ""


@dataclass
class Scenario:
    id: str  # "<suite>/<name>"
    name: str
    area: str
    doc: str
    steps: list[Step]
    cleanup: list[Step] = field(default_factory=list)
    variables: dict[str, Any] = field(default_factory=dict)
    reference: str | None = None  # which recorded peer is right when peers disagree
    peers: dict[str, str] = field(default_factory=dict)  # peer -> how it deviates from the real service
    lumadb: dict[str, str] | None = None  # a kept difference: {"compat": phrase, "reason": text}
    only_targets: list[str] = field(default_factory=list)
    fingerprint: str = ""


@dataclass
class Suite:
    protocol: str
    name: str
    area: str
    doc: str
    setup: list[Step]
    teardown: list[Step]
    scenarios: list[Scenario]


def _check_keys(value: Any, where: str) -> None:
    """YAML reads an unquoted NULL, true or on as a non-string key: almost always a typo."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise SuiteError(f"{where}: map key {key!r} is not a string (quote it in the YAML)")
            _check_keys(item, where)
    elif isinstance(value, list):
        for item in value:
            _check_keys(item, where)


def parse_step(raw: dict[str, Any], fixtures: dict[str, list[dict[str, Any]]], where: str) -> list[Step]:
    if not isinstance(raw, dict):
        raise SuiteError(f"{where}: a step must be a mapping, got {raw!r}")
    if "use" in raw:
        name = raw["use"]
        if name not in fixtures:
            raise SuiteError(f"{where}: unknown fixture {name!r}")
        steps: list[Step] = []
        for item in fixtures[name]:
            item = {"compare": "status", **item}  # fixture steps prepare; their details are not the test
            steps.extend(parse_step(item, fixtures, f"{where} (fixture {name})"))
        return steps
    _check_keys(raw, where)
    unknown = set(raw) - REQUEST_KEYS - OPTION_KEYS
    if unknown:
        raise SuiteError(f"{where}: unknown step keys {sorted(unknown)}")
    step = Step(
        request={k: v for k, v in raw.items() if k in REQUEST_KEYS},
        save=dict(raw.get("save") or {}),
        compare=raw.get("compare", "full"),
        ignore=list(raw.get("ignore") or []),
        unordered=list(raw.get("unordered") or []),
        select=list(raw.get("select") or []),
        wait=raw.get("wait"),
        expect=raw.get("expect"),
        patch=dict(raw.get("patch") or {}),
        expect_reason=raw.get("expect_reason", ""),
        note=raw.get("note", ""),
    )
    if step.compare not in COMPARE_MODES:
        raise SuiteError(f"{where}: compare must be one of {sorted(COMPARE_MODES)}")
    if (step.expect is not None or step.patch) and not step.expect_reason:
        raise SuiteError(f"{where}: a hand-written expect or patch needs expect_reason")
    return [step]


def parse_steps(raws: list[Any] | None, fixtures: dict[str, list[dict[str, Any]]], where: str) -> list[Step]:
    steps: list[Step] = []
    for index, raw in enumerate(raws or []):
        steps.extend(parse_step(raw, fixtures, f"{where} step {index + 1}"))
    return steps


def _expand(raw: dict[str, Any]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """A scenario with `each:` becomes one scenario per case; the case's keys are variables."""
    cases = raw.get("each")
    if not cases:
        return [(raw["name"], raw, {})]
    out = []
    for case in cases:
        out.append((raw["name"].format(**case), raw, dict(case)))
    return out


def _fingerprint(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def load_suite(path: Path, protocol: str) -> Suite:
    data = yaml.safe_load(path.read_text())
    if not isinstance(data, dict) or "scenarios" not in data:
        raise SuiteError(f"{path}: expected a mapping with 'scenarios'")
    suite_name = path.stem
    area = data.get("area", suite_name)
    fixtures = data.get("fixtures") or {}
    scenarios: list[Scenario] = []
    seen: set[str] = set()
    for raw in data["scenarios"]:
        for name, template, case in _expand(raw):
            where = f"{path.name}: {name}"
            if name in seen:
                raise SuiteError(f"{where}: duplicate scenario name")
            seen.add(name)
            unknown = set(template) - {
                "name", "doc", "area", "steps", "cleanup", "each", "reference", "peers", "lumadb", "targets",
            }
            if unknown:
                raise SuiteError(f"{where}: unknown scenario keys {sorted(unknown)}")
            lumadb = template.get("lumadb")
            if lumadb is not None and not {"compat", "reason"} <= set(lumadb):
                raise SuiteError(f"{where}: lumadb needs 'compat' (a phrase of docs/compatibility.md) and 'reason'")
            scenario = Scenario(
                id=f"{suite_name}/{name}",
                name=name,
                area=str(template.get("area", area)),
                doc=str(template.get("doc", "")).format(**case) if case else str(template.get("doc", "")),
                steps=parse_steps(template.get("steps"), fixtures, where),
                cleanup=parse_steps(template.get("cleanup"), fixtures, where + " cleanup"),
                variables=case,
                reference=template.get("reference", data.get("reference")),
                peers=dict(template.get("peers") or {}),
                lumadb=lumadb,
                only_targets=list(template.get("targets") or []),
            )
            if not scenario.steps:
                raise SuiteError(f"{where}: no steps")
            scenario.fingerprint = _fingerprint(
                {"steps": template.get("steps"), "case": case, "setup": data.get("setup"), "fixtures": fixtures}
            )
            scenarios.append(scenario)
    return Suite(
        protocol=protocol,
        name=suite_name,
        area=area,
        doc=str(data.get("doc", "")),
        setup=parse_steps(data.get("setup"), fixtures, f"{path.name} setup"),
        teardown=parse_steps(data.get("teardown"), fixtures, f"{path.name} teardown"),
        scenarios=scenarios,
    )


def load_suites(protocol: str, cases_dir: Path = CASES_DIR) -> list[Suite]:
    directory = cases_dir / protocol
    if not directory.is_dir():
        raise SuiteError(f"no scenario suites for {protocol!r} in {directory}")
    return [load_suite(path, protocol) for path in sorted(directory.glob("*.yaml"))]


def all_scenarios(suites: list[Suite]) -> list[Scenario]:
    return [scenario for suite in suites for scenario in suite.scenarios]


def copy_step(step: Step) -> Step:
    return copy.deepcopy(step)
