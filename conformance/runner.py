"""Replay suites against a target and build a recording: each step's request is filled
from the scenario's variables, sent, its values saved for later steps, and its response
normalised. Requests that cannot be built (a value an earlier step failed to return) are
recorded as errors; nothing here raises for a misbehaving server."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

from conformance.normalise import parse_body
from conformance.protocols import get as get_protocol
from conformance.protocols.base import HttpResponse, Protocol
from conformance.scenario import Scenario, Step, Suite
from conformance.targets import Target
from conformance.template import MISSING, TemplateError, extract, fill, replacements_for

FORMAT_VERSION = 1
UNFILLED_NAMES = ["u", "s", "account"]  # always put back into recordings as placeholders

Progress = Callable[[str, str], None]  # (scenario id, outcome)


class Runner:
    def __init__(self, target: Target, progress: Progress | None = None) -> None:
        self.target = target
        self.protocol: Protocol = get_protocol(target.protocol)
        self.progress = progress or (lambda _id, _outcome: None)
        # digits only: a condition on a key that holds it (`contains(pk, :v)` with "b") must come
        # out the same on every target, whose tokens differ (fuzz seed 9122 met one with a hex "b")
        self.token = f"{secrets.randbelow(10**8):08d}"

    # -- public -------------------------------------------------------------------------
    def run(self, suites: list[Suite], only: Callable[[Scenario], bool] | None = None,
            name: str = "", probes: bool = True) -> dict[str, Any]:
        self.check_reachable()
        recording: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "protocol": self.protocol.name,
            "target": name or self.target.kind,
            "description": self.target.description,
            "probes": self.run_probes() if probes else {},
            "scenarios": {},
        }
        counter = 0
        for suite_index, suite in enumerate(suites):
            chosen = [s for s in suite.scenarios if only is None or only(s)]
            if not chosen:
                continue
            suite_vars = {**self.target.variables(), "s": f"cf{self.token}s{suite_index:02d}"}
            setup = self.run_steps(suite.setup, suite_vars, list(UNFILLED_NAMES))
            for scenario in chosen:
                counter += 1
                variables = {**suite_vars, **scenario.variables, "u": f"cf{self.token}{counter:03d}"}
                entry = self.run_scenario(scenario, variables, setup)
                recording["scenarios"][scenario.id] = entry
                self.progress(scenario.id, "skipped" if "skipped" in entry else "ran")
            self.run_steps(suite.teardown, suite_vars, list(UNFILLED_NAMES))
        return recording

    def check_reachable(self) -> None:
        """Refuse to record a target that does not answer at all (a recording of errors is useless)."""
        from conformance.protocols.base import HttpRequest

        for api, _base in self.target.bases.items():
            response = self.target.send(HttpRequest("GET", "/", {}, api=api), timeout=10)
            if response.error is not None and "Connect" in response.error:
                raise SystemExit(f"{self.target.description or api}: {response.error}")

    def run_probes(self) -> dict[str, Any]:
        out = {}
        variables = self.target.variables()
        for label, request in self.protocol.probes():
            records = self.run_steps([Step(request=request)], dict(variables), list(UNFILLED_NAMES))
            out[label] = records[0]
        return out

    # -- scenarios and steps ------------------------------------------------------------
    def run_scenario(self, scenario: Scenario, variables: dict[str, Any], setup: list[dict[str, Any]]) -> dict[str, Any]:
        entry: dict[str, Any] = {"fingerprint": scenario.fingerprint}
        if scenario.only_targets and self.target.kind not in scenario.only_targets:
            entry["skipped"] = f"runs only on {', '.join(scenario.only_targets)}"
            return entry
        failed_setup = [r for r in setup if r.get("status", 0) == 0 or r.get("status", 0) >= 500]
        if failed_setup:
            entry["setup_failed"] = failed_setup[0].get("error") or f"status {failed_setup[0].get('status')}"
        names = list(UNFILLED_NAMES)
        records = self.run_steps(scenario.steps, variables, names)
        skipped = [r for r in records if "skipped" in r]
        if skipped:
            entry["skipped"] = skipped[0]["skipped"]
            return entry
        entry["steps"] = records
        self.run_steps(scenario.cleanup, variables, names)
        return entry

    def run_steps(self, steps: list[Step], variables: dict[str, Any], names: list[str]) -> list[dict[str, Any]]:
        records = []
        for step in steps:
            records.append(self.run_step(step, variables, names))
        return records

    def run_step(self, step: Step, variables: dict[str, Any], names: list[str]) -> dict[str, Any]:
        try:
            filled = fill(step.request, variables)
        except TemplateError as exc:
            return {"op": "", "status": 0, "error": f"not sent: {exc}"}
        request = self.protocol.build(filled, variables, self.target)
        if not self.target.has_api(request.api):
            return {"op": request.labels[0] if request.labels else "", "skipped": f"target has no {request.api} API"}
        response = self.send(request, step)
        kind, parsed = parse_body(response.headers.get("content-type", ""), response.body)
        for var, path in step.save.items():
            value = self._saved_value(response, parsed, path)
            if value is MISSING:
                variables.pop(var, None)
            else:
                variables[var] = value
                if var not in names:
                    names.append(var)
        return self.protocol.normalise(response, step, replacements_for(variables, names), request.labels)

    def send(self, request: Any, step: Step) -> HttpResponse:
        response = self.target.send(request)
        if not step.wait:
            return response
        deadline = time.monotonic() + min(float(step.wait.get("timeout", 120)), self.target.max_wait)
        while not self._waited(response, step.wait) and time.monotonic() < deadline:
            time.sleep(float(step.wait.get("interval", 1)))
            response = self.target.send(request)
        return response

    @staticmethod
    def _waited(response: HttpResponse, wait: dict[str, Any]) -> bool:
        if response.error is not None:
            return False
        if response.status == wait.get("or_status"):  # what is waited for will never come
            return True
        if "status" in wait and response.status != wait["status"]:
            return False
        if "path" in wait:
            _, parsed = parse_body(response.headers.get("content-type", ""), response.body)
            return extract(parsed, wait["path"]) == wait.get("equals")
        return True

    @staticmethod
    def _saved_value(response: HttpResponse, parsed: Any, path: str) -> Any:
        if path.startswith("headers."):
            return response.headers.get(path[len("headers."):].lower(), MISSING)
        if path == "status":
            return response.status
        return extract(parsed, path)
