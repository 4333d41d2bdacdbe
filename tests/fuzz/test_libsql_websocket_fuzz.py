"""Random Hrana-over-WebSocket messages against a real server: whatever a client sends, each
message is answered (hello_ok / hello_error / response_ok / response_error with its request id)
or the connection is closed with a protocol code (1003, 1007, 1008; 1000 after a hello_error),
never a server error (1011), a dropped connection or a traceback in the server's log."""

from __future__ import annotations

import base64
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.conftest import STATEFUL_RUNS, hypothesis_settings
from tests.libsql.ws_client import UNTIL_CLOSED, exchange, ws_url
from tests.lumadb_server import LumaServer

# (one_of picks its branches alike: repeated branches are the likelier ones)
SMALL_IDS = st.integers(0, 3)
IDS = st.one_of(SMALL_IDS, SMALL_IDS, SMALL_IDS, SMALL_IDS, st.integers(-(2**31), 2**31 - 1), st.just(2**31),
                st.just("1"), st.none())
SQL = st.sampled_from([
    "CREATE TABLE IF NOT EXISTS wsfuzz (id INTEGER PRIMARY KEY, v UNIQUE)", "INSERT INTO wsfuzz (v) VALUES (?)",
    "SELECT * FROM wsfuzz WHERE v = ?", "SELECT ?", "BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK",
    "SELEC broken", "SELECT 1; SELECT 2", "", "PRAGMA user_version",
])
VALUES = st.one_of(
    st.just({"type": "null"}),
    st.integers(-(2**63), 2**63 - 1).map(lambda n: {"type": "integer", "value": str(n)}),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda f: {"type": "float", "value": f}),
    st.text(max_size=6).map(lambda t: {"type": "text", "value": t}),
    st.binary(max_size=6).map(lambda b: {"type": "blob", "base64": base64.b64encode(b).decode()}),
    st.just({"type": "integer", "value": 5}), st.just({"type": "mystery"}),
)
STMT = st.one_of(
    st.fixed_dictionaries({"sql": SQL}, optional={"args": st.lists(VALUES, max_size=2), "want_rows": st.booleans(),
                                                  "named_args": st.lists(st.fixed_dictionaries(
                                                      {"name": st.sampled_from(["a", ":a", "$b"]), "value": VALUES}),
                                                      max_size=1)}),
    st.fixed_dictionaries({"sql_id": IDS}), st.just({}), st.just({"sql": "SELECT 1", "sql_id": 1}),
)
CONDITION = st.recursive(
    st.one_of(st.builds(lambda kind, step: {"type": kind, "step": step}, st.sampled_from(["ok", "error"]), st.integers(0, 3)),
              st.just({"type": "is_autocommit"}), st.just({"type": "bogus"})),
    lambda inner: st.one_of(st.builds(lambda c: {"type": "not", "cond": c}, inner),
                            st.builds(lambda cs: {"type": "and", "conds": cs}, st.lists(inner, max_size=2)),
                            st.builds(lambda cs: {"type": "or", "conds": cs}, st.lists(inner, max_size=2))),
    max_leaves=3,
)
BATCH = st.fixed_dictionaries({"steps": st.lists(st.fixed_dictionaries({"stmt": STMT}, optional={"condition": CONDITION}),
                                                 max_size=3)})
REQUEST = st.one_of(
    st.fixed_dictionaries({"type": st.just("open_stream"), "stream_id": IDS}),
    st.fixed_dictionaries({"type": st.just("close_stream"), "stream_id": IDS}),
    st.fixed_dictionaries({"type": st.just("execute"), "stream_id": IDS, "stmt": STMT}),
    st.fixed_dictionaries({"type": st.just("batch"), "stream_id": IDS, "batch": BATCH}),
    st.fixed_dictionaries({"type": st.sampled_from(["sequence", "describe"]), "stream_id": IDS}, optional={"sql": SQL}),
    st.fixed_dictionaries({"type": st.just("store_sql"), "sql_id": IDS, "sql": SQL}),
    st.fixed_dictionaries({"type": st.just("close_sql"), "sql_id": IDS}),
    st.fixed_dictionaries({"type": st.just("get_autocommit"), "stream_id": IDS}),
    st.fixed_dictionaries({"type": st.just("open_cursor"), "stream_id": IDS, "cursor_id": IDS, "batch": BATCH}),
    st.fixed_dictionaries({"type": st.just("fetch_cursor"), "cursor_id": IDS, "max_count": st.integers(-1, 5)}),
    st.fixed_dictionaries({"type": st.just("close_cursor"), "cursor_id": IDS}),
    st.just({"type": "nonsense"}), st.just({}),
)
GOOD_REQUEST = st.builds(lambda rid, r: {"type": "request", "request_id": rid, "request": r}, st.integers(0, 50), REQUEST)
MESSAGE = st.one_of(
    GOOD_REQUEST, GOOD_REQUEST, GOOD_REQUEST, GOOD_REQUEST, GOOD_REQUEST, GOOD_REQUEST,
    st.builds(lambda rid, r: {"type": "request", "request_id": rid, "request": r}, IDS, REQUEST),
    st.just({"type": "hello", "jwt": None}), st.just({"type": "hello", "jwt": 5}), st.just({"type": "bye"}),
    st.just("not json"), st.just(b"\x00binary"), st.just([1, 2]),
)
OPENED = st.lists(st.integers(0, 2), max_size=2, unique=True)  # streams opened after the hello
SESSION = st.tuples(st.sampled_from([["hrana3"], ["hrana2"], None]), st.sampled_from([True, True, True, False]),
                    OPENED, st.lists(MESSAGE, min_size=1, max_size=10))
PROTOCOL_CLOSES = {1000, 1003, 1007, 1008}


def _check(replies: list[Any]) -> None:
    for reply in replies:
        if "close" in reply:
            assert reply["close"] is not None, "dropped without a close frame"
            assert reply["close"][0] in PROTOCOL_CLOSES, reply
        else:
            assert reply["type"] in ("hello_ok", "hello_error", "response_ok", "response_error"), reply


def test_random_messages_are_answered_or_refused(server: LumaServer) -> None:
    url = ws_url(server.url)

    @hypothesis_settings(examples=max(150, STATEFUL_RUNS))  # ~5 s
    @given(SESSION)
    def run(session: tuple) -> None:
        subprotocols, greet, opened, messages = session
        sent = ([{"type": "hello", "jwt": None}] if greet else []) + [
            {"type": "request", "request_id": 100 + n, "request": {"type": "open_stream", "stream_id": n}}
            for n in opened] + messages
        _check(exchange(url, sent, subprotocols, expect=UNTIL_CLOSED, timeout=0.3))

    run()
    log = server.log()
    assert "Traceback" not in log and "failed" not in log, log[-3000:]
