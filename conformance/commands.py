"""The `lumadb conformance` subcommands: run a suite against a target (and record it),
record every local reference peer, and write the Markdown and HTML reports."""

from __future__ import annotations

import argparse
import fnmatch
import functools
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conformance.protocols import NAMES

if TYPE_CHECKING:
    from conformance.evaluate import ProtocolReport
    from conformance.targets import Target

# Imports of the engine happen inside the commands: `lumadb serve` builds this parser too.
REPORT_DIR = Path(__file__).resolve().parent
SUBJECT = "lumadb"
PASS, EXPLAINED, FAIL = "pass", "explained", "fail"
PEERS = {"dynamodb": ("dynalite", "moto"), "libsql": ("sqld",), "d1": ("miniflare",)}


def _progress(verbose: bool) -> Any:
    def show(scenario_id: str, outcome: str) -> None:
        if verbose:
            print(f"  {outcome:8} {scenario_id}", file=sys.stderr)
        else:
            print("." if outcome == "ran" else "s", end="", file=sys.stderr, flush=True)

    return show


def _selector(patterns: list[str] | None) -> Any:
    if not patterns:
        return None
    return lambda s: any(fnmatch.fnmatch(s.id, p) or fnmatch.fnmatch(s.name, p) for p in patterns)


def record_target(target: Target, name: str, patterns: list[str] | None = None, verbose: bool = False,
                  save: bool = True) -> dict[str, Any]:
    """Replay the protocol's suites against a target; optionally save the recording as `name`."""
    from conformance import recording
    from conformance.runner import Runner
    from conformance.scenario import load_suites

    suites = load_suites(target.protocol)
    runner = Runner(target, _progress(verbose))
    try:
        # probes send every operation with made-up arguments: not something to aim at a real account
        probes = target.kind not in ("aws", "cloudflare", "turso")
        result = runner.run(suites, _selector(patterns), name=name, probes=probes)
    finally:
        target.close()
        print(file=sys.stderr)
    if save:
        old = recording.load(target.protocol, name) if patterns else None
        path = recording.save(recording.merge(old, result), target.protocol, name)
        print(f"recorded {len(result['scenarios'])} scenarios to {path}", file=sys.stderr)
    return result


def run(args: argparse.Namespace) -> int:
    from conformance import evaluate, peers
    from conformance.targets import resolve

    with ExitStack() as stack:
        if args.target in PEERS.get(args.protocol, ()):
            url, description = stack.enter_context(peers.running(args.target))
            target = resolve(args.protocol, url, args.token, args.account, args.region)
            target.kind, target.description = args.target, description
        else:
            target = resolve(args.protocol, args.target, args.token, args.account, args.region)
        name = args.record or SUBJECT
        result = record_target(target, name, args.scenario, args.verbose, save=bool(args.record))
    report = evaluate.build(args.protocol, subject=name, extra=None if args.record else {name: result})
    return _summarise(report, patterns=args.scenario)


def _summarise(report: ProtocolReport, patterns: list[str] | None = None) -> int:
    select = _selector(patterns)
    results = [r for r in report.results if select is None or select(r.scenario)]
    counts = report.totals(results)
    print(f"{report.name}: " + ", ".join(f"{counts.get(s, 0)} {s}" for s in counts))
    for result in results:
        if result.status == FAIL:
            paths = "; ".join(f"step {d.index + 1} {d.op}: {', '.join(d.paths[:4])}" for d in result.diffs)
            print(f"  FAIL {result.scenario.id} (vs {result.reference}): {paths or result.explanation}")
    if report.subject in report.protocol.peers or report.subject == report.protocol.real_service:
        for sid, steps in report.undecided:
            print(f"  peers disagree, no reference chosen: {sid} steps {[i + 1 for i in steps]}")
        return 0
    return 1 if counts.get(FAIL) else 0


def record_peers(args: argparse.Namespace) -> int:
    from conformance import peers
    from conformance.targets import resolve

    protocols = [args.protocol] if args.protocol else list(NAMES)
    for protocol in protocols:
        for peer in PEERS[protocol]:
            print(f"recording {protocol} against {peer}", file=sys.stderr)
            with peers.running(peer) as (url, description):
                target = resolve(protocol, url)
                target.kind, target.description = peer, description
                record_target(target, peer, args.scenario, args.verbose)
    return 0


def report(args: argparse.Namespace) -> int:
    from conformance import evaluate, report_html, report_md

    reports = [evaluate.build(p, subject=args.subject) for p in (args.protocol or list(NAMES))]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.md").write_text(report_md.render(reports))
    (out / "report.html").write_text(report_html.render(reports))
    for item in reports:
        counts = item.totals()
        print(f"{item.name}: {counts.get(PASS, 0)} pass, {counts.get(EXPLAINED, 0)} explained, "
              f"{counts.get(FAIL, 0)} fail, {len(item.results)} scenarios")
    print(f"wrote {out / 'report.md'} and {out / 'report.html'}")
    return 0


def list_scenarios(args: argparse.Namespace) -> int:
    from conformance.scenario import Scenario, load_suites

    for protocol in args.protocol or list(NAMES):
        scenarios: list[Scenario] = [s for suite in load_suites(protocol) for s in suite.scenarios]
        for scenario in scenarios:
            print(f"{protocol}\t{scenario.id}\t{scenario.doc}")
    return 0


def show(args: argparse.Namespace) -> int:
    """Print what each recording holds for the matching scenarios, step by step."""
    import json

    from conformance import recording
    from conformance.compare import Comparer
    from conformance.protocols import get as get_protocol
    from conformance.scenario import load_suites

    select = _selector(args.scenario)
    names = args.recording or recording.available(args.protocol)
    data = {n: recording.load(args.protocol, n) or {} for n in names}
    comparer = Comparer(get_protocol(args.protocol), data)
    for suite in load_suites(args.protocol):
        for scenario in suite.scenarios:
            if select is not None and not select(scenario):
                continue
            disagree = comparer.peers_disagree(scenario) if args.disagree else None
            if disagree == []:
                continue
            print(f"== {scenario.id}: {scenario.doc}" + (f" [reference {scenario.reference}]" if scenario.reference else ""))
            for index, step in enumerate(scenario.steps):
                if disagree is not None and index not in disagree:
                    continue
                print(f"-- step {index + 1}: {json.dumps(step.request)[:300]}")
                for name in names:
                    steps = comparer.peer_steps(name, scenario) or []
                    entry = data[name].get("scenarios", {}).get(scenario.id, {})
                    shown = steps[index] if index < len(steps) else entry.get("skipped", "(not recorded)")
                    if isinstance(shown, dict) and args.disagree:
                        shown = {k: shown.get(k) for k in ("status", "body")}
                    print(f"   {name:10} {json.dumps(shown, ensure_ascii=False)[:args.width]}")
    return 0


def fuzz(args: argparse.Namespace) -> int:
    """Random scenarios against a reference and LumaDB; the differing ones printed."""
    from conformance import fuzz as fuzzing
    from conformance import fuzz_known, fuzz_libsql, fuzz_websocket, peers
    from conformance.protocols import get as get_protocol
    from conformance.runner import Runner
    from conformance.targets import resolve

    protocol = args.protocol
    reference = args.reference or PEERS[protocol][0]
    generate = {"dynamodb": fuzzing.suite, "libsql": fuzz_libsql.suite, "d1": fuzz_libsql.d1_suite}[protocol]
    if protocol == "dynamodb" and reference != "dynalite":  # dynalite has no transactions
        generate = functools.partial(fuzzing.suite, transactions=True)
    websocket = args.transport == "websocket"
    if websocket and protocol != "libsql":
        raise SystemExit("--transport websocket is libSQL's (Hrana over WebSocket)")
    rules = get_protocol(protocol)
    fixups, approximated = rules.fixups.get(reference, []), frozenset(rules.field_rules)
    found = []
    total = 0  # scenarios drawn (with transactions, a round draws more than its cases)
    # In rounds, each with a fresh local peer: a peer that crashes on one request (dynalite does
    # on some expressions) costs only the rest of its round.
    for first in range(0, args.cases, fuzzing.ROUND):
        generated = generate(args.seed, min(fuzzing.ROUND, args.cases - first), first)
        sent = fuzz_websocket.over_websocket(generated) if websocket else generated
        total += len(sent.scenarios)
        recordings = []
        with ExitStack() as stack:
            for given in (reference, args.target):
                if given in PEERS[protocol]:
                    url, description = stack.enter_context(peers.running(given))
                    target = resolve(protocol, url, args.token, None, args.region)
                    target.kind, target.description = given, description
                else:
                    target = resolve(protocol, given, args.token, None, args.region)
                try:
                    recording = Runner(target, _progress(args.verbose)).run([sent], probes=False)
                finally:
                    target.close()
                recordings.append(fuzz_websocket.as_pipeline_records(recording) if websocket else recording)
        found.extend(fuzzing.differences(generated, recordings[0], recordings[1], fixups, approximated))
    print(file=sys.stderr)
    explained: dict[str, int] = {}
    shown = 0
    for difference in found:
        known = fuzz_known.known_deviation(reference, difference)
        if known is not None and not args.all:
            explained[known] = explained.get(known, 0) + 1
            continue
        print(fuzzing.as_yaml(difference))
        shown += 1
    for known, count in explained.items():
        print(f"  {count} not shown: {reference} {known} (--all shows them)", file=sys.stderr)
    print(f"{len(found)} of {total} scenarios ({args.cases} cases) differ (seed {args.seed}), {shown} shown", file=sys.stderr)
    return 1 if shown else 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("conformance", help="replay conformance suites, record references, write reports")
    sub = parser.add_subparsers(dest="conformance_command", required=True)

    p = sub.add_parser("run", help="replay a protocol's suites against a target")
    p.add_argument("--protocol", required=True, choices=NAMES)
    p.add_argument("--target", required=True,
                   help="a URL (LumaDB: http://127.0.0.1:8000/dynamodb, .../turso, .../d1), 'aws[:region]', "
                        "'cloudflare', or a local peer to start: dynalite, moto, sqld, miniflare")
    p.add_argument("--record", metavar="NAME", help="save the recording as conformance/recordings/<protocol>/NAME.json")
    p.add_argument("--scenario", action="append", metavar="GLOB", help="only scenarios whose id matches")
    p.add_argument("--token", help="libSQL auth token / Cloudflare API token")
    p.add_argument("--account", help="Cloudflare account id (default CLOUDFLARE_ACCOUNT_ID)")
    p.add_argument("--region", help="AWS region (default from the AWS configuration)")
    p.add_argument("-v", "--verbose", action="store_true")
    p.set_defaults(run=run)

    p = sub.add_parser("record-peers", help="start each local reference peer and record the suites against it")
    p.add_argument("--protocol", choices=NAMES)
    p.add_argument("--scenario", action="append", metavar="GLOB")
    p.add_argument("-v", "--verbose", action="store_true")
    p.set_defaults(run=record_peers)

    p = sub.add_parser("report", help="write conformance/report.md and report.html from the recordings")
    p.add_argument("--protocol", action="append", choices=NAMES)
    p.add_argument("--subject", default=SUBJECT, help="the recording compared with the references")
    p.add_argument("--out", default=str(REPORT_DIR))
    p.set_defaults(run=report)

    p = sub.add_parser("show", help="print the recorded responses of scenarios side by side")
    p.add_argument("--protocol", required=True, choices=NAMES)
    p.add_argument("--scenario", action="append", metavar="GLOB")
    p.add_argument("--recording", action="append", metavar="NAME")
    p.add_argument("--width", type=int, default=1200)
    p.add_argument("--disagree", action="store_true", help="only steps on which the reference peers differ")
    p.set_defaults(run=show)

    p = sub.add_parser("fuzz", help="random scenarios against a reference and LumaDB, differences printed")
    p.add_argument("--protocol", default="dynamodb", choices=NAMES)
    p.add_argument("--target", required=True, help="LumaDB's URL, e.g. http://127.0.0.1:8000/dynamodb, .../turso, .../d1")
    p.add_argument("--reference", help="dynalite (the default), moto or 'aws[:region]'; sqld (the default) or a "
                                       "libsql:// URL with --token; miniflare (the default); or a URL")
    p.add_argument("--token", help="libSQL auth token of the reference")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--cases", type=int, default=200)
    p.add_argument("--region", help="AWS region (default from the AWS configuration)")
    p.add_argument("--all", action="store_true", help="also the differences the reference's known deviations explain")
    p.add_argument("--transport", choices=["http", "websocket"], default="http",
                   help="libSQL: the pipelines over HTTP, or over WebSocket (Hrana over WebSocket) to both servers")
    p.add_argument("-v", "--verbose", action="store_true")
    p.set_defaults(run=fuzz)

    p = sub.add_parser("list", help="list the scenarios")
    p.add_argument("--protocol", action="append", choices=NAMES)
    p.set_defaults(run=list_scenarios)
