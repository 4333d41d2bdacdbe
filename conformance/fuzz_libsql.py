"""Random SQL scenarios for `lumadb conformance fuzz --protocol libsql` (and `d1`): a table of
random column types, rows of random values (as literals and as arguments), then random SELECTs,
UPDATEs and DELETEs over it, errors included; for libSQL one Hrana pipeline per scenario, for D1
one Workers-binding request per statement. Functions are the ones every SQLite of the last years
has, so that the reference's SQLite (sqld's, workerd's) and LumaDB's answer alike; see fuzz.py
for the rest of the command."""

from __future__ import annotations

import base64
import random
from typing import Any

from conformance import fuzz_d1_pragmas, fuzz_hrana
from conformance.scenario import Scenario, Step, Suite

TYPES = ["INTEGER", "REAL", "TEXT", "BLOB", "", "NUMERIC", "INTEGER NOT NULL", "TEXT UNIQUE"]
FUNCTIONS = ["abs", "length", "lower", "upper", "typeof", "hex", "quote", "trim", "round", "unicode"]


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def literal(self) -> str:
        r = self.rng.random()
        if r < 0.25:
            return str(self.rng.choice([0, 1, -1, 42, 2**31, -(2**53), 2**62, 9223372036854775807]))
        if r < 0.45:
            return self.rng.choice(["0.5", "-1.25", "1e10", "3.0", "1e-7", "123456.789"])
        if r < 0.7:
            return "'" + self.rng.choice(["", "a", "abc", "é", "x'y".replace("'", "''"), "12", "1.5"]) + "'"
        if r < 0.85:
            return "x'" + self.rng.choice(["", "00", "ff", "0102"]) + "'"
        return "NULL"

    def argument(self) -> dict[str, Any]:
        r = self.rng.random()
        if r < 0.3:
            return {"type": "integer", "value": str(self.rng.choice([0, 7, -3, 2**40, 9223372036854775807]))}
        if r < 0.5:
            return {"type": "float", "value": self.rng.choice([0.5, -2.0, 1e20, 3.25])}
        if r < 0.75:
            return {"type": "text", "value": self.rng.choice(["", "b", "hello", "ü"])}
        if r < 0.9:
            return {"type": "blob", "base64": base64.b64encode(bytes([self.rng.randint(0, 255)])).decode()}
        return {"type": "null"}

    def expression(self, columns: list[str], depth: int = 0) -> str:
        r = self.rng.random()
        if depth < 2 and r < 0.2:
            op = self.rng.choice(["+", "-", "*", "/", "%", "||", "=", "<", "<>", "AND", "OR", "IS", "IS NOT"])
            return f"({self.expression(columns, depth + 1)} {op} {self.expression(columns, depth + 1)})"
        if depth < 2 and r < 0.35:
            return f"{self.rng.choice(FUNCTIONS)}({self.expression(columns, depth + 1)})"
        if depth < 2 and r < 0.42:
            kind = self.rng.choice(["INTEGER", "REAL", "TEXT", "BLOB", "NUMERIC"])
            return f"CAST({self.expression(columns, depth + 1)} AS {kind})"
        if r < 0.7:
            return self.rng.choice(columns)
        return self.literal()

    def statements(self, table: str) -> list[dict[str, Any]]:
        count = self.rng.randint(1, 3)
        columns = [f"c{i}" for i in range(count)]
        definitions = ", ".join(f"{name} {self.rng.choice(TYPES)}".strip() for name in columns)
        stmts: list[dict[str, Any]] = [{"sql": f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, {definitions})"}]
        for _ in range(self.rng.randint(1, 4)):
            if self.rng.random() < 0.5:
                values = ", ".join(self.literal() for _ in columns)
                stmts.append({"sql": f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({values})"})
            else:
                marks = ", ".join("?" for _ in columns)
                stmts.append({"sql": f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                              "args": [self.argument() for _ in columns]})  # fmt: skip
        for _ in range(self.rng.randint(1, 3)):
            r = self.rng.random()
            if r < 0.6:
                selected = ", ".join(self.expression(columns) for _ in range(self.rng.randint(1, 3)))
                stmts.append({"sql": f"SELECT {selected} FROM {table} ORDER BY id"})
            elif r < 0.8:
                target = self.rng.choice(columns)
                stmts.append({"sql": f"UPDATE {table} SET {target} = {self.expression(columns)} "
                                     f"WHERE {self.expression(columns)}"})  # fmt: skip
            else:
                stmts.append({"sql": f"DELETE FROM {table} WHERE {self.expression(columns)}"})
        return stmts


def suite(seed: int, count: int, first: int = 0) -> Suite:
    """Random scenarios `first` to `first + count - 1` of a seed."""
    generator = Generator(seed)
    scenarios = []
    for number in range(first + count):
        requests = [{"type": "execute", "stmt": stmt} for stmt in generator.statements("{{u}}")]
        if number < first:
            continue
        step = Step({"post": "/v2/pipeline", "json": {"requests": [*requests, {"type": "close"}]}})
        name = f"case-{seed}-{number}"
        scenarios.append(Scenario(id=f"fuzz/{name}", name=name, area="fuzz", doc="", steps=[step]))
        protocol = Generator(seed * 1_000_003 + number)  # a stream of its own: the scenarios above stay the same
        if protocol.rng.random() < fuzz_hrana.SHARE:
            pipeline = Step({"post": "/v3/pipeline", "json": {"requests": fuzz_hrana.requests(protocol, "{{u}}")}})
            scenarios.append(Scenario(id=f"fuzz/{name}h", name=f"{name}h", area="fuzz", doc="", steps=[pipeline]))
        written = Generator(seed * 1_000_003 + number + 500_009)  # and another
        if written.rng.random() < fuzz_hrana.TRANSACTION_SHARE:
            pipelines = [Step({"post": "/v3/pipeline", "json": {"requests": requests}})
                         for requests in fuzz_hrana.transaction(written, "{{u}}")]
            scenarios.append(Scenario(id=f"fuzz/{name}t", name=f"{name}t", area="fuzz", doc="", steps=pipelines))
    return Suite("libsql", "fuzz", "fuzz", "random scenarios", [], [], scenarios)


def _d1_param(argument: dict[str, Any]) -> Any:
    """A Hrana argument as the Workers binding sends it (a blob as its bytes)."""
    kind = argument["type"]
    if kind == "integer":
        return int(argument["value"])
    if kind == "blob":
        return list(base64.b64decode(argument["base64"]))
    return None if kind == "null" else argument["value"]


def d1_suite(seed: int, count: int, first: int = 0) -> Suite:
    """The same statements as `suite`, each a binding request to the scenario's database; and,
    for about one scenario in three, the same statements once more as one request of a
    database of its own (`_d1_batch`); and now and then a PRAGMA (`fuzz_d1_pragmas.py`)."""
    generator = Generator(seed)
    scenarios = []
    for number in range(first + count):
        statements = generator.statements("t")
        if number < first:
            continue
        entries = [{"sql": stmt["sql"], "params": [_d1_param(a) for a in stmt.get("args", [])]} for stmt in statements]
        steps = [Step({"post": "/query?resultsFormat=ROWS_AND_COLUMNS", "json": entry}) for entry in entries]
        name = f"case-{seed}-{number}"
        scenarios.append(Scenario(id=f"fuzz/{name}", name=name, area="fuzz", doc="", steps=steps))
        batched = Generator(seed * 1_000_003 + number + 700_001)  # a stream of its own: the scenarios above stay
        if batched.rng.random() < D1_BATCH_SHARE:
            scenarios.append(Scenario(id=f"fuzz/{name}b", name=f"{name}b", area="fuzz", doc="",
                                      steps=_d1_batch(batched, entries)))
        pragmas = random.Random(seed * 1_000_033 + number + 900_001)  # and one more
        if pragmas.random() < fuzz_d1_pragmas.SHARE:
            scenarios.append(Scenario(id=f"fuzz/{name}p", name=f"{name}p", area="fuzz", doc="",
                                      steps=fuzz_d1_pragmas.steps(pragmas)))
    return Suite("d1", "fuzz", "fuzz", "random scenarios", [], [], scenarios)


D1_BATCH_SHARE = 0.35
# statements that fail as a batch runs (a constraint, a missing table, a type, a parse error)
_D1_FAILING = [
    "INSERT INTO t (id) VALUES (1), (1)", "SELECT * FROM no_such_table", "INSERT INTO t (id) VALUES ('x')",
    "SELEC 1", "UPDATE t SET id = NULL", "DELETE FROM no_such_table",
]


def _d1_batch(generator: Generator, entries: list[dict[str, Any]]) -> list[Step]:
    """The statements as one request, all or nothing (a Worker's `db.batch()`: an array body;
    without parameters sometimes `db.exec()`: the statements joined by `;`), now and then with
    a failing statement among them; then what the table holds."""
    rng = generator.rng
    entries = list(entries)
    if rng.random() < 0.5:
        entries.insert(rng.randint(1, len(entries)), {"sql": rng.choice(_D1_FAILING), "params": []})
    if rng.random() < 0.3 and not any(entry["params"] for entry in entries):
        request = Step({"post": "/execute?resultsFormat=NONE",
                        "json": {"sql": "; ".join(entry["sql"] for entry in entries), "params": []}})
    else:
        request = Step({"post": "/query?resultsFormat=ROWS_AND_COLUMNS", "json": entries})
    after = Step({"post": "/query?resultsFormat=ROWS_AND_COLUMNS", "json": {"sql": "SELECT * FROM t ORDER BY id", "params": []}})
    return [request, after]
