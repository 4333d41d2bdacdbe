"""Compare a recording (normally LumaDB's) with the reference: the real service's recording
when there is one, else the scenario's chosen peer with its documented fix-ups, with
hand-written expectations taking precedence step by step."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from conformance.compat import Compatibility
from conformance.normalise import canonical
from conformance.protocols.base import Protocol
from conformance.scenario import Scenario
from conformance.template import fill, split_path

MAX_PATHS = 12

PASS, EXPLAINED, FAIL, NOT_RUN, SKIPPED, NO_REFERENCE = (
    "pass", "explained", "fail", "not run", "skipped", "no reference",
)


@dataclass
class StepDiff:
    index: int
    op: str
    expected: dict[str, Any]
    actual: dict[str, Any]
    paths: list[str]
    source: str


@dataclass
class Result:
    scenario: Scenario
    status: str
    reference: str = ""
    diffs: list[StepDiff] = field(default_factory=list)
    explanation: str = ""
    notes: list[str] = field(default_factory=list)


def diff_paths(expected: Any, actual: Any, path: str = "", out: list[str] | None = None) -> list[str]:
    """Paths where two normalised values differ (map key order does not count)."""
    out = [] if out is None else out
    if len(out) >= MAX_PATHS:
        return out
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in list(expected) + [k for k in actual if k not in expected]:
            sub = f"{path}.{key}" if path else str(key)
            if key not in actual:
                out.append(sub + " (missing)")
            elif key not in expected:
                out.append(sub + " (unexpected)")
            else:
                diff_paths(expected[key], actual[key], sub, out)
        return out
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            out.append(f"{path} (length {len(expected)} vs {len(actual)})")
            return out
        for index, (a, b) in enumerate(zip(expected, actual, strict=True)):
            diff_paths(a, b, f"{path}[{index}]", out)
        return out
    if type(expected) is not type(actual) or expected != actual:
        out.append(path or "(value)")
    return out


def compare_step(expected: dict[str, Any], actual: dict[str, Any], mode: str, partial: bool) -> list[str]:
    if mode == "none":
        return []
    if "error" in actual and "error" not in expected:
        return [f"not answered: {actual['error']}"]
    if mode == "status":
        return [] if expected.get("status") == actual.get("status") else ["status"]
    keys = [k for k in ("status", "format", "headers", "body") if not partial or k in expected]
    return diff_paths({k: expected.get(k) for k in keys}, {k: actual.get(k) for k in keys})


ABSENT = {"$absent": True}  # a patch value: the service's answer has no such key


def patched(record: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """A peer's record with the values at the given paths replaced by the service's."""
    out = copy.deepcopy(record)
    for path, value in patch.items():
        parts = split_path(path)
        target: Any = out
        for part in parts[:-1]:
            target = target[part]
        if value == ABSENT:
            target.pop(parts[-1], None)
        else:
            target[parts[-1]] = value
    return out


class Comparer:
    def __init__(self, protocol: Protocol, recordings: dict[str, dict[str, Any]],
                 compat: Compatibility | None = None) -> None:
        self.protocol = protocol
        self.recordings = recordings
        self.compat = compat or Compatibility()

    def _recorded(self, name: str, scenario: Scenario) -> dict[str, Any] | None:
        entry = self.recordings.get(name, {}).get("scenarios", {}).get(scenario.id)
        if entry is None or "skipped" in entry or "steps" not in entry:
            return None
        return entry

    def peer_steps(self, name: str, scenario: Scenario) -> list[dict[str, Any]] | None:
        """A peer's recorded steps with that peer's documented fix-ups applied."""
        entry = self._recorded(name, scenario)
        if entry is None:
            return None
        steps = entry["steps"]
        requests = [step.request for step in scenario.steps]
        for fixup in self.protocol.fixups.get(name, []):
            steps = [fixup.apply(record, requests[i] if i < len(requests) else {}) for i, record in enumerate(steps)]
        return steps

    def reference(self, scenario: Scenario) -> tuple[str, list[dict[str, Any]] | None, list[str]]:
        notes: list[str] = []
        real = self.protocol.real_service
        if self._recorded(real, scenario) is not None:
            return real, self._recorded(real, scenario)["steps"], notes  # type: ignore[index]
        chosen = scenario.reference or next(
            (p for p in self.protocol.peers if self._recorded(p, scenario) is not None), None
        )
        if chosen == "hand" or chosen is None:
            return "hand", None, notes
        steps = self.peer_steps(chosen, scenario)
        for fixup in self.protocol.fixups.get(chosen, []):
            notes.append(f"{chosen} fix-up: {fixup.description}")
        return chosen, steps, notes

    def expected_steps(self, scenario: Scenario) -> tuple[str, list[tuple[dict[str, Any] | None, str, bool]], list[str]]:
        """Per step: (expected record or None, its source, whether it is a partial hand-written one)."""
        name, steps, notes = self.reference(scenario)
        out: list[tuple[dict[str, Any] | None, str, bool]] = []
        for index, step in enumerate(scenario.steps):
            if step.expect is not None and name != self.protocol.real_service:
                out.append((step.expect, f"written from the service's documentation: {step.expect_reason}", True))
            elif steps is not None and index < len(steps) and step.patch and name != self.protocol.real_service:
                patch = fill(step.patch, scenario.variables)  # an `each` case's values
                out.append((patched(steps[index], patch), f"{name}, corrected: {step.expect_reason}", False))
            elif steps is not None and index < len(steps):
                out.append((steps[index], name, False))
            else:
                out.append((None, name, False))
        return name, out, notes

    def peers_disagree(self, scenario: Scenario) -> list[int]:
        """Steps on which the recorded peers differ (after fix-ups)."""
        recorded = [s for s in (self.peer_steps(p, scenario) for p in self.protocol.peers) if s is not None]
        if len(recorded) < 2:
            return []
        disagree = []
        for index, step in enumerate(scenario.steps):
            if step.compare == "none" or step.expect is not None:
                continue
            records = [steps[index] for steps in recorded if index < len(steps)]
            if step.compare == "status":
                values = {r.get("status") for r in records}
            else:
                values = {canonical({k: r.get(k) for k in ("status", "format", "body")}) for r in records}
            if len(values) > 1:
                disagree.append(index)
        return disagree

    def compare(self, scenario: Scenario, subject: str) -> Result:
        entry = self.recordings.get(subject, {}).get("scenarios", {}).get(scenario.id)
        if entry is None:
            return Result(scenario, NOT_RUN)
        if "skipped" in entry:
            return Result(scenario, SKIPPED, explanation=entry["skipped"])
        name, expected, notes = self.expected_steps(scenario)
        if all(e is None for e, _, _ in expected):
            return Result(scenario, NO_REFERENCE, name, notes=notes)
        diffs: list[StepDiff] = []
        for index, (step, (want, source, partial)) in enumerate(zip(scenario.steps, expected, strict=True)):
            got = entry["steps"][index] if index < len(entry["steps"]) else {"error": "step not recorded"}
            if want is None:
                continue
            paths = compare_step(want, got, step.compare, partial)
            if paths:
                diffs.append(StepDiff(index, got.get("op") or want.get("op", ""), want, got, paths, source))
        if not diffs:
            return Result(scenario, PASS, name, notes=notes)
        return self._explain(Result(scenario, FAIL, name, diffs, notes=notes))

    def _explain(self, result: Result) -> Result:
        protocol = self.protocol.name
        kept = result.scenario.lumadb
        if kept:
            if self.compat.names(protocol, kept["compat"]):
                result.status, result.explanation = EXPLAINED, f"{kept['reason']} (docs/compatibility.md: {kept['compat']})"
            else:
                result.explanation = f"kept difference not written in docs/compatibility.md: {kept['compat']!r}"
            return result
        fields = {self._leaf(path) for diff in result.diffs for path in diff.paths}
        rules = self.protocol.field_rules
        if fields and fields <= set(rules):
            phrases = sorted({rules[f] for f in fields})
            if all(self.compat.names(protocol, p) for p in phrases):
                result.status = EXPLAINED
                result.explanation = "differs only in " + ", ".join(sorted(fields)) + \
                    " (docs/compatibility.md: " + "; ".join(phrases) + ")"
        return result

    @staticmethod
    def _leaf(path: str) -> str:
        last = path.split(" (")[0].rsplit(".", 1)[-1]
        return last.split("[")[0]
