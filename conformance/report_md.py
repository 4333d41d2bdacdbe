"""The Markdown conformance report (`conformance/report.md`)."""

from __future__ import annotations

from collections import Counter

from conformance.compare import EXPLAINED, FAIL, NO_REFERENCE, NOT_RUN, PASS, SKIPPED
from conformance.evaluate import ProtocolReport

STATUSES = (PASS, EXPLAINED, FAIL, NOT_RUN, SKIPPED, NO_REFERENCE)
TITLES = {"dynamodb": "DynamoDB", "libsql": "libSQL / Turso (Hrana over HTTP)", "d1": "Cloudflare D1"}


def _cells(counts: Counter[str]) -> str:
    return " | ".join(str(counts.get(s, 0)) for s in STATUSES)


def _mark(value: bool | None) -> str:
    return "—" if value is None else ("yes" if value else "no")


def render(reports: list[ProtocolReport]) -> str:
    out = [
        "# LumaDB conformance report",
        "",
        "LumaDB replayed the scenario suites of `conformance/cases/`; each response is normalised (request ids,",
        "timestamps, ARNs, account ids, uuids, batons and durations do not count) and compared with the",
        "reference recording. *explained* = a kept difference named in docs/compatibility.md.",
        "",
        "| protocol | scenarios | " + " | ".join(STATUSES) + " |",
        "| --- | ---: | " + " | ".join("---:" for _ in STATUSES) + " |",
    ]
    for report in reports:
        out.append(f"| {TITLES[report.name]} | {len(report.results)} | {_cells(report.totals())} |")
    for report in reports:
        out += ["", *_protocol(report)]
    return "\n".join(out) + "\n"


def _protocol(report: ProtocolReport) -> list[str]:
    out = [f"## {TITLES[report.name]}", ""]
    for name in report.references():
        description = report.recordings[name].get("description", "")
        out.append(f"- reference recording `{name}`: {description}")
    for peer, fixups in report.protocol.fixups.items():
        for fixup in fixups:
            out.append(f"- fix-up applied to `{peer}`: {fixup.description}")
    subject = report.recordings.get(report.subject)
    out.append(f"- compared: `{report.subject}`" + (f" ({subject.get('description', '')})" if subject else " (no recording)"))
    out += ["", "### Totals per feature area", "", "| area | " + " | ".join(STATUSES) + " |",
            "| --- | " + " | ".join("---:" for _ in STATUSES) + " |"]
    for area, counts in report.areas().items():
        out.append(f"| {area} | {_cells(counts)} |")
    names = [*report.references(), report.subject]
    out += ["", "### Operation support", "",
            "| operation | " + " | ".join(names) + f" | {report.subject} scenarios passing |",
            "| --- | " + " | ".join("---" for _ in names) + " | ---: |"]
    for op, support, usage in report.matrix():
        used = sum(usage.values())
        passing = usage.get(PASS, 0) + usage.get(EXPLAINED, 0)
        out.append(f"| {op} | " + " | ".join(_mark(support[n]) for n in names) + f" | {passing}/{used} |")
    differing = [r for r in report.results if r.status in (FAIL, EXPLAINED)]
    if differing:
        out += ["", "### Differences", ""]
        for result in differing:
            out.append(f"- **{result.status}** `{result.scenario.id}` (reference: {result.reference})"
                       + (f" — {result.explanation}" if result.explanation else ""))
            for diff in result.diffs:
                out.append(f"  - step {diff.index + 1} `{diff.op}`: " + ", ".join(f"`{p}`" for p in diff.paths))
    if report.peer_results:
        out += ["", "### How the reference peers deviate", "", "| peer | pass | differs from the reference |",
                "| --- | ---: | ---: |"]
        for peer, results in report.peer_results.items():
            counts = Counter(r.status for r in results)
            out.append(f"| {peer} | {counts.get(PASS, 0)} | {counts.get(FAIL, 0)} |")
        noted = [(s.id, peer, text) for s in (r.scenario for r in report.results) for peer, text in s.peers.items()]
        if noted:
            out += ["", "Known deviations noted in the suites:", ""]
            out += [f"- `{sid}` — {peer}: {text}" for sid, peer, text in noted]
    if report.undecided:
        out += ["", "### Peers disagree and no reference was chosen", ""]
        out += [f"- `{sid}` steps {', '.join(str(i + 1) for i in steps)}" for sid, steps in report.undecided]
    if report.stale:
        out += ["", "### Recordings older than their scenarios (re-record)", ""]
        out += [f"- `{name}`: {len(ids)} scenarios" for name, ids in report.stale.items()]
    return out
