"""`lumadb conformance fuzz --protocol libsql --transport websocket`: the random Hrana pipelines
of fuzz_libsql.py sent over WebSocket instead (hello, a stream opened, the pipeline's requests on
it, `close` as close_stream), to the reference's WebSocket and LumaDB's. The replies are read back
as a pipeline's results (`as_pipeline_records`), so that the differences, the reference's
documented fix-ups and its known deviations (fuzz_known_sql.py) are those of the HTTP run.
Scenarios of several pipelines (a transaction carried by batons) have no WebSocket form."""

from __future__ import annotations

from typing import Any

from conformance.scenario import Scenario, Step, Suite

_OPEN = 0  # the request id of the stream's open_stream; the pipeline's requests follow from 1
CLOSED = "<the connection was closed with a close frame>"
DROPPED = "<the connection was dropped without a close frame>"


def over_websocket(suite: Suite) -> Suite:
    """The suite's one-pipeline scenarios as WebSocket conversations, ids unchanged."""
    scenarios = []
    for scenario in suite.scenarios:
        if len(scenario.steps) != 1 or not str(scenario.steps[0].request.get("post", "")).endswith("/pipeline"):
            continue
        request = scenario.steps[0].request
        messages: list[dict[str, Any]] = [{"type": "hello"}, _request(_OPEN, {"type": "open_stream"})]
        for number, item in enumerate(request["json"]["requests"], start=1):
            item = {"type": "close_stream"} if item.get("type") == "close" else item
            messages.append(_request(number, item))
        subprotocol = "hrana3" if request["post"].startswith("/v3") else "hrana2"
        step = Step({"websocket": {"subprotocols": [subprotocol], "messages": messages}})
        scenarios.append(Scenario(id=scenario.id, name=scenario.name, area=scenario.area, doc=scenario.doc,
                                  steps=[step]))
    return Suite(suite.protocol, suite.name, suite.area, suite.doc, suite.setup, suite.teardown, scenarios)


def _request(request_id: int, item: dict[str, Any]) -> dict[str, Any]:
    needs_stream = item.get("type") not in ("store_sql", "close_sql")
    return {"type": "request", "request_id": request_id,
            "request": {**item, "stream_id": 1} if needs_stream else item}


def as_pipeline_records(recording: dict[str, Any]) -> dict[str, Any]:
    """A recording of WebSocket conversations with each step's replies as the pipeline's answer
    would be: 200 and `results` in order, `close_stream` as `close`; a connection closed with a
    close frame (a protocol error) as a 400, one dropped without (sqld's failures) as a 500."""
    scenarios = {}
    for scenario_id, entry in recording["scenarios"].items():
        steps = [_as_pipeline(record) for record in entry.get("steps") or []]
        scenarios[scenario_id] = {**entry, "steps": steps} if "steps" in entry else entry
    return {**recording, "scenarios": scenarios}


def _as_pipeline(record: dict[str, Any]) -> dict[str, Any]:
    replies = record.get("body")
    if record.get("status") != 101 or not isinstance(replies, list):
        return record
    closes = [reply["close"] for reply in replies if isinstance(reply, dict) and "close" in reply]
    if closes:  # a protocol error, as HTTP's 400; a connection dropped without a word, as its 500
        return {**record, "status": 400 if closes[0] else 500, "format": "text", "body": CLOSED if closes[0] else DROPPED}
    results = []
    for reply in replies:
        if not isinstance(reply, dict) or reply.get("request_id", _OPEN) == _OPEN:
            continue  # hello_ok, open_stream
        if reply.get("type") == "response_error":
            results.append({"type": "error", "error": reply.get("error")})
            continue
        response = reply.get("response") or {}
        results.append({"type": "ok", "response": {"type": "close"} if response.get("type") == "close_stream"
                        else response})  # fmt: skip
    return {**record, "status": 200, "format": "json", "body": {"baton": None, "base_url": None, "results": results}}
