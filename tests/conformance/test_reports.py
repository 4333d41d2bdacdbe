"""LumaDB against the committed reference recordings: every protocol's suites are replayed
against the session's server and any difference not explained in docs/compatibility.md fails.
The HTML report is rendered in headless Chromium to prove it displays."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conformance import evaluate, report_html, report_md
from conformance.compare import FAIL, NO_REFERENCE
from conformance.runner import Runner
from conformance.scenario import load_suites
from conformance.targets import for_url

BASES = {"dynamodb": "/dynamodb", "libsql": "/turso", "d1": "/d1"}
# The lead removes a protocol from here once its conformance report is clean.
NOT_IMPLEMENTED_YET: set[str] = set()


def _protocols() -> list[object]:
    return [
        pytest.param(
            name,
            marks=pytest.mark.xfail(strict=False, reason="protocol not implemented yet")
            if name in NOT_IMPLEMENTED_YET else (),
        )
        for name in BASES
    ]


def _describe(report: evaluate.ProtocolReport) -> str:
    lines = []
    for result in report.unexplained():
        where = "; ".join(f"step {d.index + 1} {d.op}: {', '.join(d.paths[:5])}" for d in result.diffs)
        lines.append(f"{result.scenario.id} (vs {result.reference}): {where or result.explanation}")
    return "\n".join(lines)


@pytest.mark.parametrize("protocol", _protocols())
def test_lumadb_matches_the_references(server, protocol: str) -> None:
    target = for_url(protocol, server.url + BASES[protocol])
    recording = Runner(target).run(load_suites(protocol), name=evaluate.SUBJECT)
    target.close()
    report = evaluate.build(protocol, extra={evaluate.SUBJECT: recording})
    counts = report.totals()
    assert counts.get(NO_REFERENCE, 0) == 0
    assert not report.unexplained(), (
        f"{counts.get(FAIL)} of {len(report.results)} {protocol} scenarios differ from the references without "
        f"an entry in docs/compatibility.md:\n{_describe(report)}"
    )


@pytest.mark.parametrize("protocol", list(BASES))
def test_every_scenario_has_a_decided_reference(protocol: str) -> None:
    """Where the recorded peers disagree, the suite says which one the real service agrees with."""
    report = evaluate.build(protocol)
    assert report.references(), f"no reference recording for {protocol}"
    assert report.undecided == [], f"peers disagree and no reference was chosen: {report.undecided}"
    missing = [r.scenario.id for r in report.results if r.status == NO_REFERENCE]
    assert missing == [], f"scenarios without a reference response: {missing}"


@pytest.mark.parametrize("protocol", list(BASES))
def test_recordings_are_current(protocol: str) -> None:
    """A scenario edited since its reference was recorded must be re-recorded."""
    report = evaluate.build(protocol)
    stale = {name: ids for name, ids in report.stale.items() if name != evaluate.SUBJECT}
    assert stale == {}, f"re-record with `lumadb conformance record-peers --protocol {protocol}`: {stale}"
    recorded = set()
    for name in report.references():
        recorded |= set(report.recordings[name]["scenarios"])
    unrecorded = [r.scenario.id for r in report.results if r.scenario.id not in recorded]
    assert unrecorded == [], f"scenarios never recorded against a reference: {unrecorded}"


@pytest.mark.parametrize("protocol", list(BASES))
def test_kept_differences_name_a_compatibility_entry(protocol: str) -> None:
    from conformance.compat import Compatibility

    compat = Compatibility()
    missing = [
        (scenario.id, scenario.lumadb["compat"])
        for suite in load_suites(protocol) for scenario in suite.scenarios
        if scenario.lumadb and not compat.names(protocol, scenario.lumadb["compat"])
    ]
    assert missing == [], f"docs/compatibility.md does not contain these phrases: {missing}"


def test_suites_are_large_enough() -> None:
    sizes = {p: sum(len(s.scenarios) for s in load_suites(p)) for p in BASES}
    assert sizes["dynamodb"] >= 150 and sizes["libsql"] >= 60 and sizes["d1"] >= 60, sizes


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def test_html_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    browser = _chromium()
    if browser is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    reports = [evaluate.build(p) for p in BASES]
    html = tmp_path / "report.html"
    html.write_text(report_html.render(reports))
    assert "<script" not in html.read_text() or "src=" not in html.read_text()  # self-contained
    (tmp_path / "report.md").write_text(report_md.render(reports))
    screenshot = tmp_path / "report.png"
    profile = tmp_path / "profile"
    proc = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
         "--hide-scrollbars", "--window-size=1280,2000", f"--screenshot={screenshot}", html.as_uri()],
        capture_output=True, text=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)},
    )
    assert screenshot.exists(), f"no screenshot ({proc.returncode}):\n{proc.stderr[-2000:]}"
    data = screenshot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000, "the screenshot is not a rendered page"
    keep = os.environ.get("LUMADB_REPORT_SCREENSHOT")
    if keep:
        shutil.copy(screenshot, keep)
