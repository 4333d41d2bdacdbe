"""Unit tests of the conformance engine's pure parts: templating, normalisation, comparison,
suite loading."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.compare import EXPLAINED, FAIL, PASS, Comparer, diff_paths
from conformance.compat import Compatibility
from conformance.normalise import ignore_paths, mask_keys, parse_body, select_paths, shorten, sort_paths
from conformance.protocols import get as get_protocol
from conformance.protocols.base import HttpResponse
from conformance.scenario import Step, SuiteError, load_suite
from conformance.template import MISSING, TemplateError, extract, fill, replacements_for, split_path, unfill


def test_fill_keeps_the_type_of_a_whole_placeholder() -> None:
    variables = {"lek": {"pk": {"S": "a"}}, "u": "cf1234abcd001"}
    assert fill({"ExclusiveStartKey": "{{lek}}", "T": "{{u}}-b"}, variables) == {
        "ExclusiveStartKey": {"pk": {"S": "a"}}, "T": "cf1234abcd001-b",
    }


def test_fill_expands_nested_placeholders_repeat_and_list() -> None:
    variables = {"u": "cfx", "values": {":p": {"S": "{{u}}"}}}
    assert fill("{{values}}", variables) == {":p": {"S": "cfx"}}
    assert fill({"$repeat": ["ab", 3]}, {}) == "ababab"
    assert fill({"$list": [3, {"k": "{{u}}-{{i}}"}]}, variables) == [{"k": "cfx-0"}, {"k": "cfx-1"}, {"k": "cfx-2"}]


def test_fill_reports_an_undefined_variable() -> None:
    with pytest.raises(TemplateError, match="baton"):
        fill({"baton": "{{baton}}"}, {})


def test_paths_extract_and_unfill() -> None:
    assert split_path("results[0].response.rows[2]") == ["results", 0, "response", "rows", 2]
    assert extract({"a": [{"b": 1}]}, "a[0].b") == 1
    assert extract({"a": []}, "a[0].b") is MISSING
    pairs = replacements_for({"u": "cf1234abcd001", "short": "x", "n": 5}, ["u", "short", "n"])
    assert pairs == [("cf1234abcd001", "{{u}}")]
    body = {"Responses": {"cf1234abcd001": ["Table: cf1234abcd001-b not found"]}}
    assert unfill(body, pairs) == {"Responses": {"{{u}}": ["Table: {{u}}-b not found"]}}


def test_masks_keep_presence_and_null() -> None:
    masks = {"TableId": "<uuid>", "replication_index": "<index>"}
    assert mask_keys({"TableId": "x", "Other": 1}, masks) == {"TableId": "<uuid>", "Other": 1}
    assert mask_keys({"TableId": None}, masks) == {"TableId": None}
    assert mask_keys({"replication_index": None}, masks, always=frozenset({"replication_index"})) == {
        "replication_index": "<index>"
    }
    assert mask_keys({"served_by": "x", "a": 1}, {}, drop=frozenset({"served_by"})) == {"a": 1}


def test_ignore_sort_select_and_shorten() -> None:
    assert ignore_paths({"Items": [1], "Count": 1}, ["Items"]) == {"Items": "<ignored>", "Count": 1}
    assert sort_paths({"R": {"t": [{"b": 1}, {"a": 2}]}}, ["R.t"]) == {"R": {"t": [{"a": 2}, {"b": 1}]}}
    assert select_paths({"a": {"b": 1}}, ["a.b", "a.c"]) == {"a.b": 1, "a.c": "<absent>"}
    assert shorten("x" * 6000).startswith("<6000 chars sha1=")


def test_parse_body_kinds() -> None:
    assert parse_body("application/json", b'{"a": 1}') == ("json", {"a": 1})
    assert parse_body("text/plain", b'{"baton": null}\n{"type": "row"}\n') == (
        "jsonl", [{"baton": None}, {"type": "row"}]
    )
    assert parse_body("text/plain", b"healthy") == ("text", "healthy")
    assert parse_body("", b"") == ("empty", None)


def test_dynamodb_normaliser_masks_ids_and_counts() -> None:
    protocol = get_protocol("dynamodb")
    body = (b'{"Table": {"TableArn": "arn:aws:dynamodb:us-east-1:123456789012:table/t", "ItemCount": 3, '
            b'"TableId": "0b5c4f7e-1d2a-4c3b-9a8d-7e6f5a4b3c2d", "CapacityUnits": 1.0}}')
    response = HttpResponse(200, {"content-type": "application/x-amz-json-1.0", "x-amzn-requestid": "abc"}, body)
    record = protocol.normalise(response, Step(request={}), [], ["DescribeTable"])
    assert record["body"] == {"Table": {"TableArn": "<arn>", "ItemCount": "<count:number>", "TableId": "<uuid>",
                                        "CapacityUnits": 1}}
    assert record["headers"] == {"content-type": "application/x-amz-json-1.0", "x-amzn-requestid": "<present>"}


def test_libsql_normaliser_masks_batons_durations_and_serde_positions() -> None:
    protocol = get_protocol("libsql")
    body = b'{"baton": "abc", "results": [{"query_duration_ms": 0.3, "replication_index": null}]}'
    record = protocol.normalise(HttpResponse(200, {"content-type": "application/json"}, body), Step(request={}), [],
                                ["POST /v2/pipeline"])
    assert record["body"] == {"baton": "<baton>", "results": [{"query_duration_ms": "<ms:number>",
                                                               "replication_index": "<index>"}]}
    text = b"Cannot deserialize client message from JSON: key must be a string at line 1 column 2"
    record = protocol.normalise(HttpResponse(400, {"content-type": "text/plain"}, text), Step(request={}), [], ["x"])
    assert record["body"] == "Cannot deserialize client message from JSON: key must be a string"


def test_d1_normaliser_drops_placement_and_masks_sizes() -> None:
    protocol = get_protocol("d1")
    body = (b'[{"success": true, "results": [], "meta": {"served_by": "miniflare.db", "duration": 0.1, '
            b'"size_after": 8192, "changes": 1}}]')
    record = protocol.normalise(HttpResponse(200, {"content-type": "application/json"}, body), Step(request={}), [],
                                ["binding POST /query"])
    assert record["body"] == [{"success": True, "results": [], "meta": {"duration": "<ms:number>",
                                                                        "size_after": "<bytes:number>", "changes": 1}}]


def test_diff_paths_names_each_difference() -> None:
    assert diff_paths({"a": 1, "b": [1, 2]}, {"a": 1, "b": [1, 3], "c": 0}) == ["b[1]", "c (unexpected)"]
    assert diff_paths({"n": 1}, {"n": 1.0}) == ["n"]  # an integer and a real differ (D1, libSQL)


def _write_suite(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "suite.yaml"
    path.write_text(text)
    return path


def test_suite_loader_refuses_yaml_null_keys_and_unknown_options(tmp_path: Path) -> None:
    with pytest.raises(SuiteError, match="not a string"):
        load_suite(_write_suite(tmp_path, "scenarios:\n  - name: a\n    steps:\n      - op: PutItem\n"
                                          "        body: {Item: {a: {NULL: true}}}\n"), "dynamodb")
    with pytest.raises(SuiteError, match="unknown step keys"):
        load_suite(_write_suite(tmp_path, "scenarios:\n  - name: a\n    steps:\n      - {op: X, frobnicate: 1}\n"),
                   "dynamodb")
    with pytest.raises(SuiteError, match="expect_reason"):
        load_suite(_write_suite(tmp_path, "scenarios:\n  - name: a\n    steps:\n      - {op: X, expect: {status: 200}}\n"),
                   "dynamodb")


def test_each_expands_into_scenarios(tmp_path: Path) -> None:
    suite = load_suite(_write_suite(tmp_path, (
        "scenarios:\n  - name: n-{case}\n    doc: 'case {case}'\n    each: [{case: a, v: '1'}, {case: b, v: '2'}]\n"
        "    steps:\n      - {op: PutItem, body: {N: '{{v}}'}}\n")), "dynamodb")
    assert [s.id for s in suite.scenarios] == ["suite/n-a", "suite/n-b"]
    assert suite.scenarios[1].variables == {"case": "b", "v": "2"}
    assert suite.scenarios[0].fingerprint != suite.scenarios[1].fingerprint


def _comparer(tmp_path: Path, compat_text: str, scenario_yaml: str, reference: dict, subject: dict):
    suite = load_suite(_write_suite(tmp_path, scenario_yaml), "libsql")
    compat_path = tmp_path / "compatibility.md"
    compat_path.write_text(compat_text)
    recordings = {
        "sqld": {"scenarios": {"suite/a": {"steps": [reference]}}},
        "lumadb": {"scenarios": {"suite/a": {"steps": [subject]}}},
    }
    return Comparer(get_protocol("libsql"), recordings, Compatibility(compat_path)), suite.scenarios[0]


def test_counter_only_differences_are_explained_by_the_compatibility_page(tmp_path: Path) -> None:
    scenario = "scenarios:\n  - name: a\n    steps:\n      - {post: /v2/pipeline, json: {}}\n"
    ref = {"status": 200, "body": {"rows_read": 1, "x": 1}}
    got = {"status": 200, "body": {"rows_read": 2, "x": 1}}
    comparer, sc = _comparer(tmp_path, "## libSQL / Turso\n- rows_read is approximated\n", scenario, ref, got)
    assert comparer.compare(sc, "lumadb").status == EXPLAINED
    comparer, sc = _comparer(tmp_path, "## libSQL / Turso\n", scenario, ref, got)
    assert comparer.compare(sc, "lumadb").status == FAIL
    comparer, sc = _comparer(tmp_path, "## libSQL / Turso\n", scenario, ref, {"status": 200, "body": {"rows_read": 2,
                                                                                                      "x": 2}})
    assert comparer.compare(sc, "lumadb").status == FAIL


def test_a_kept_difference_needs_its_entry(tmp_path: Path) -> None:
    scenario = ("scenarios:\n  - name: a\n    lumadb: {compat: 'v3-protobuf answers 404', reason: r}\n"
                "    steps:\n      - {get: /v3-protobuf}\n")
    ref, got = {"status": 200, "body": "x"}, {"status": 404, "body": None}
    comparer, sc = _comparer(tmp_path, "## libSQL / Turso\n- Protobuf is not served\n", scenario, ref, got)
    assert comparer.compare(sc, "lumadb").status == FAIL  # the phrase is not in the page
    comparer, sc = _comparer(tmp_path, "## libSQL / Turso\n- v3-protobuf answers 404\n", scenario, ref, got)
    assert comparer.compare(sc, "lumadb").status == EXPLAINED
    comparer, sc = _comparer(tmp_path, "## libSQL / Turso\n", scenario, ref, ref)
    assert comparer.compare(sc, "lumadb").status == PASS


def test_sqld_fixups_follow_the_spec() -> None:
    comparer = Comparer(get_protocol("libsql"), {})
    fixups = comparer.protocol.fixups["sqld"]
    record = {"format": "jsonl", "body": [{"type": "step_end", "last_insert_rowid": 7},
                                          {"type": "replication_index", "replication_index": "1"},
                                          {"error": {"code": "SQLITE_UNKNOWN"}}]}
    for fixup in fixups:
        record = fixup.apply(record, {})
    assert record["body"] == [{"type": "step_end", "last_insert_rowid": "7"}, {"error": {"code": "SQLITE_ERROR"}}]
