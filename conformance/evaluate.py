"""Everything a report shows for one protocol, computed from the suites and the recordings:
per-scenario results, totals per feature area, how each peer deviates from the reference,
and the operation support matrix."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from conformance import recording as recordings_store
from conformance.compare import EXPLAINED, FAIL, Comparer, Result
from conformance.compat import Compatibility
from conformance.protocols import get as get_protocol
from conformance.protocols.base import Protocol
from conformance.scenario import Suite, all_scenarios, load_suites

SUBJECT = "lumadb"


@dataclass
class ProtocolReport:
    protocol: Protocol
    suites: list[Suite]
    recordings: dict[str, dict[str, Any]]
    subject: str
    results: list[Result] = field(default_factory=list)
    peer_results: dict[str, list[Result]] = field(default_factory=dict)
    undecided: list[tuple[str, list[int]]] = field(default_factory=list)
    stale: dict[str, list[str]] = field(default_factory=dict)  # recording -> scenarios recorded from older steps

    @property
    def name(self) -> str:
        return self.protocol.name

    def totals(self, results: list[Result] | None = None) -> Counter[str]:
        return Counter(r.status for r in (self.results if results is None else results))

    def areas(self) -> dict[str, Counter[str]]:
        out: dict[str, Counter[str]] = defaultdict(Counter)
        for result in self.results:
            out[result.scenario.area][result.status] += 1
        return dict(sorted(out.items()))

    def unexplained(self) -> list[Result]:
        return [r for r in self.results if r.status == FAIL]

    def references(self) -> list[str]:
        return [n for n in (self.protocol.real_service, *self.protocol.peers) if n in self.recordings]

    def matrix(self) -> list[tuple[str, dict[str, bool | None], Counter[str]]]:
        """(operation, {recording: supported?}, subject's scenario results using it)."""
        names = [*self.references(), self.subject]
        usage: dict[str, Counter[str]] = defaultdict(Counter)
        subject = self.recordings.get(self.subject, {}).get("scenarios", {})
        for result in self.results:
            steps = subject.get(result.scenario.id, {}).get("steps") or []
            for op in {s.get("op", "") for s in steps if s.get("op")}:
                usage[op][result.status] += 1
        operations = list(dict.fromkeys([*self.protocol.operations(), *sorted(usage)]))
        answered = {name: self._answered(name) for name in names}
        rows = []
        for op in operations:
            support: dict[str, bool | None] = {}
            for name in names:
                probe = self.recordings.get(name, {}).get("probes", {}).get(op)
                probed = None if probe is None else self.protocol.supported(probe)
                # a probe with an empty request can fail where real use works: a success counts too
                support[name] = True if op in answered[name] else probed
            rows.append((op, support, usage.get(op, Counter())))
        return rows

    def _answered(self, name: str) -> set[str]:
        """Operations that answered some scenario step of this recording with a 2xx."""
        found = set()
        for entry in self.recordings.get(name, {}).get("scenarios", {}).values():
            for step in entry.get("steps") or []:
                if 200 <= step.get("status", 0) < 300 and step.get("op"):
                    found.add(step["op"])
        return found


def build(protocol_name: str, subject: str = SUBJECT, extra: dict[str, dict[str, Any]] | None = None,
          compat: Compatibility | None = None) -> ProtocolReport:
    """Compare `subject` (a recording on disk, or one of `extra`) with the references."""
    protocol = get_protocol(protocol_name)
    suites = load_suites(protocol_name)
    recordings: dict[str, dict[str, Any]] = {}
    for name in recordings_store.available(protocol_name):
        loaded = recordings_store.load(protocol_name, name)
        if loaded is not None:
            recordings[name] = loaded
    recordings.update(extra or {})
    report = ProtocolReport(protocol, suites, recordings, subject)
    comparer = Comparer(protocol, recordings, compat)
    scenarios = all_scenarios(suites)
    report.results = [comparer.compare(s, subject) for s in scenarios]
    for peer in protocol.peers:
        if peer in recordings:
            report.peer_results[peer] = [_peer_result(comparer, s, peer) for s in scenarios]
    report.undecided = [
        (s.id, steps) for s in scenarios if s.reference is None and (steps := comparer.peers_disagree(s))
    ]
    fingerprints = {s.id: s.fingerprint for s in scenarios}
    for name, data in recordings.items():
        old = [sid for sid, entry in data.get("scenarios", {}).items()
               if sid in fingerprints and entry.get("fingerprint") != fingerprints[sid]]
        if old:
            report.stale[name] = old
    return report


def _peer_result(comparer: Comparer, scenario: Any, peer: str) -> Result:
    """How a peer fares against the reference (its own recording with its fix-ups applied)."""
    fixed = comparer.peer_steps(peer, scenario)
    if fixed is None:
        return comparer.compare(scenario, peer)  # not run or skipped
    recordings = {**comparer.recordings, "__peer__": {"scenarios": {scenario.id: {"steps": fixed}}}}
    result = Comparer(comparer.protocol, recordings, comparer.compat).compare(scenario, "__peer__")
    if result.status == EXPLAINED:  # LumaDB's kept differences explain nothing about a peer
        result.status, result.explanation = FAIL, ""
    return result
