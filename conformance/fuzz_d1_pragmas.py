"""Random PRAGMAs for `lumadb conformance fuzz --protocol d1`: what D1's authorizer lets through
depends on the pragma and on how its argument is written (a boolean word, a quoted one, a
number, hex, a name, a schema prefix), so each scenario sends one, written one of those ways,
with a statement that shows its effect, in one request (a setting lasts for the rest of the
request on both sides; D1 keeps it longer: docs/compatibility.md).
"""

from __future__ import annotations

import random
from typing import Any

from conformance.scenario import Step

SHARE = 0.15  # of the D1 scenarios, besides the others

# D1's allowlist, pragmas it refuses, and names it does not know
_PRAGMAS = [
    "foreign_keys", "defer_foreign_keys", "case_sensitive_like", "ignore_check_constraints", "legacy_alter_table",
    "recursive_triggers", "reverse_unordered_selects", "foreign_key_check", "foreign_key_list", "index_info",
    "index_list", "index_xinfo", "quick_check", "optimize", "table_info", "table_xinfo", "table_list",
    "data_version", "page_size", "page_count", "integrity_check", "journal_mode", "user_version", "cache_size",
    "schema_version", "compile_options", "function_list", "no_such_pragma",
]
_VALUES = [
    "ON", "OFF", "yes", "no", "true", "false", "'true'", "\"off\"", "1", "0", "-1", "2", "2147483648", "0x10",
    "0x10002", "+1", "t", "i", "'t'", "\"t\"", "_cf_KV", "sqlite_schema", "nope", "onward", "''", "1.5", "NULL",
]
_SETUP = ("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT CHECK (length(b) < 3), p INTEGER REFERENCES t(a)); "
          "CREATE INDEX i ON t (b)")
_AFTER = [
    "INSERT INTO t (a, b) VALUES (1, 'long')", "INSERT INTO t (a, p) VALUES (2, 99)",
    "SELECT 'a' LIKE 'A' AS folded", "SELECT a FROM t", "SELECT * FROM pragma_foreign_keys",
]


def pragma(rng: random.Random) -> str:
    name = rng.choice(_PRAGMAS)
    schema = "main." if rng.random() < 0.15 else ""
    form = rng.random()
    if form < 0.3:
        return f"PRAGMA {schema}{name}"
    value = rng.choice(_VALUES)
    if form < 0.7:
        return f"PRAGMA {schema}{name} = {value}"
    return f"PRAGMA {schema}{name}({value})"


def steps(rng: random.Random) -> list[Step]:
    """A table, then one request: a pragma and a statement that shows what it changed."""
    entries: list[dict[str, Any]] = [{"sql": pragma(rng), "params": []}, {"sql": rng.choice(_AFTER), "params": []}]
    setup = Step({"post": "/execute?resultsFormat=NONE", "json": {"sql": _SETUP, "params": []}}, compare="status")
    return [setup, Step({"post": "/query?resultsFormat=ROWS_AND_COLUMNS", "json": entries})]
