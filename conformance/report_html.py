"""The self-contained HTML conformance report (`conformance/report.html`): no external
assets; per scenario the verdict, and for a difference the two responses side by side."""

from __future__ import annotations

import json
from collections import Counter
from html import escape
from typing import Any

from conformance.compare import EXPLAINED, FAIL, PASS, Result
from conformance.evaluate import ProtocolReport
from conformance.report_md import STATUSES, TITLES

MAX_PRE = 6000

CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1d2433;background:#f6f7f9}
header{background:#1d2433;color:#fff;padding:18px 28px}header h1{margin:0;font-size:22px}
main{padding:8px 28px 40px}section{background:#fff;border:1px solid #dde1e8;border-radius:8px;
padding:4px 18px 14px;margin:18px 0}h2{margin:14px 0 6px}h3{margin:18px 0 6px;font-size:15px}
table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #dde1e8;padding:3px 8px;text-align:left}
th{background:#eef1f5}td.n{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;min-width:70px;text-align:center;border-radius:10px;padding:0 8px;font-size:12px;
font-weight:600}.pass{background:#d7f5dd;color:#17642a}.explained{background:#fff1c2;color:#7a5800}
.fail{background:#fddcdc;color:#8f1d1d}.not-run,.skipped,.no-reference{background:#e7e9ee;color:#4a5263}
.yes{color:#17642a;font-weight:600}.no{color:#8f1d1d}details{border-top:1px solid #eef1f5;padding:3px 0}
summary{cursor:pointer}summary code{font-size:13px}.doc{color:#5b6475;margin-left:6px}
.side{display:grid;grid-template-columns:1fr 1fr;gap:10px;margin:6px 0 10px}
pre{background:#f6f7f9;border:1px solid #e3e6ec;border-radius:4px;padding:6px;margin:2px 0;overflow:auto;
max-height:360px;font-size:12px;white-space:pre-wrap;word-break:break-all}.paths{color:#8f1d1d;font-size:12px}
.bar{display:flex;height:10px;width:220px;border-radius:5px;overflow:hidden;background:#e7e9ee}
.bar span{display:block}.bar .pass{background:#3bb75e}.bar .explained{background:#e6b800}.bar .fail{background:#d64545}
.note{color:#5b6475;font-size:12px}
"""


def _pre(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, indent=1, ensure_ascii=False)
    if len(text) > MAX_PRE:
        text = text[:MAX_PRE] + f"\n… ({len(text) - MAX_PRE} more characters)"
    return f"<pre>{escape(text)}</pre>"


def _badge(status: str) -> str:
    return f'<span class="badge {status.replace(" ", "-")}">{escape(status)}</span>'


def _bar(counts: Counter[str]) -> str:
    total = sum(counts.values()) or 1
    spans = "".join(
        f'<span class="{s}" style="width:{100 * counts.get(s, 0) / total:.1f}%"></span>' for s in (PASS, EXPLAINED, FAIL)
    )
    return f'<div class="bar">{spans}</div>'


def _counts_row(label: str, counts: Counter[str]) -> str:
    cells = "".join(f'<td class="n">{counts.get(s, 0)}</td>' for s in STATUSES)
    return f"<tr><td>{escape(label)}</td>{cells}<td>{_bar(counts)}</td></tr>"


def _status_header() -> str:
    return "".join(f"<th>{escape(s)}</th>" for s in STATUSES)


def render(reports: list[ProtocolReport]) -> str:
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        "<meta name=viewport content='width=device-width,initial-scale=1'>",
        f"<title>LumaDB conformance report</title><style>{CSS}</style></head><body>",
        "<header><h1>LumaDB conformance report</h1></header><main><section><h2>Summary</h2>",
        "<p class=note>Each scenario's responses are normalised (request ids, timestamps, ARNs, account ids, uuids,"
        " batons, durations do not count) and compared with the reference recording. <b>explained</b> = a kept"
        " difference named in docs/compatibility.md.</p>",
        f"<table><tr><th>protocol</th>{_status_header()}<th></th></tr>",
    ]
    parts += [_counts_row(TITLES[r.name], r.totals()) for r in reports]
    parts.append("</table></section>")
    parts += [_protocol(r) for r in reports]
    parts.append("</main></body></html>")
    return "".join(parts)


def _protocol(report: ProtocolReport) -> str:
    out = [f"<section id={report.name}><h2>{escape(TITLES[report.name])}</h2><ul class=note>"]
    for name in report.references():
        out.append(f"<li>reference <code>{escape(name)}</code>: {escape(report.recordings[name].get('description', ''))}</li>")
    for peer, fixups in report.protocol.fixups.items():
        out += [f"<li>fix-up applied to <code>{escape(peer)}</code>: {escape(f.description)}</li>" for f in fixups]
    out.append(f"<li>compared: <code>{escape(report.subject)}</code></li></ul>")
    out.append(f"<h3>Totals per feature area</h3><table><tr><th>area</th>{_status_header()}<th></th></tr>")
    out += [_counts_row(area, counts) for area, counts in report.areas().items()]
    out.append("</table>")
    out.append(_matrix(report))
    out.append("<h3>Scenarios</h3>")
    recorded = report.recordings.get(report.subject, {}).get("scenarios", {})
    out += [_scenario(result, recorded.get(result.scenario.id)) for result in report.results]
    if report.peer_results:
        out.append("<h3>How the reference peers deviate</h3><table><tr><th>peer</th><th>pass</th><th>differs</th></tr>")
        for peer, results in report.peer_results.items():
            counts = Counter(r.status for r in results)
            out.append(f"<tr><td>{escape(peer)}</td><td class=n>{counts.get(PASS, 0)}</td>"
                       f"<td class=n>{counts.get(FAIL, 0)}</td></tr>")
        out.append("</table>")
    out.append("</section>")
    return "".join(out)


def _matrix(report: ProtocolReport) -> str:
    names = [*report.references(), report.subject]
    out = ["<h3>Operation support</h3><table><tr><th>operation</th>"]
    out += [f"<th>{escape(n)}</th>" for n in names]
    out.append(f"<th>{escape(report.subject)} scenarios passing</th></tr>")
    for op, support, usage in report.matrix():
        cells = "".join(
            "<td>—</td>" if support[n] is None else (
                "<td class=yes>yes</td>" if support[n] else "<td class=no>no</td>") for n in names
        )
        used = sum(usage.values())
        passing = usage.get(PASS, 0) + usage.get(EXPLAINED, 0)
        out.append(f"<tr><td><code>{escape(op)}</code></td>{cells}<td class=n>{passing}/{used}</td></tr>")
    out.append("</table>")
    return "".join(out)


def _scenario(result: Result, recorded: dict[str, Any] | None) -> str:
    scenario = result.scenario
    head = (f"<summary>{_badge(result.status)} <code>{escape(scenario.id)}</code>"
            f"<span class=doc>{escape(scenario.doc)}</span></summary>")
    body = []
    if result.explanation:
        body.append(f"<p class=note>{escape(result.explanation)}</p>")
    for text in result.notes:
        body.append(f"<p class=note>{escape(text)}</p>")
    for peer, text in scenario.peers.items():
        body.append(f"<p class=note>{escape(peer)} deviates: {escape(text)}</p>")
    differing = {diff.index: diff for diff in result.diffs}
    steps = (recorded or {}).get("steps") or []
    for index, step in enumerate(scenario.steps):
        body.append(f"<p><b>step {index + 1}</b> request</p>{_pre(step.request)}")
        diff = differing.get(index)
        if diff is not None:
            body.append(f"<p class=paths>differs at: {escape(', '.join(diff.paths))}</p><div class=side>"
                        f"<div><b>expected</b> ({escape(diff.source)}){_pre(diff.expected)}</div>"
                        f"<div><b>LumaDB</b>{_pre(diff.actual)}</div></div>")
        elif index < len(steps):
            body.append(f"<p class=note>response</p>{_pre(steps[index])}")
    return f"<details>{head}{''.join(body)}</details>"
