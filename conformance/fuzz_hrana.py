"""Random Hrana protocol scenarios for `lumadb conformance fuzz --protocol libsql`: one pipeline
with a table and rows, then a `batch` whose steps run under conditions on the earlier steps (ok,
error, not, and, or, is_autocommit), some of which fail (a duplicate key, a missing table, a
syntax error, a constraint) or open and end a transaction, then `get_autocommit`, a SELECT of what
the batch left and `close`. Batch conditions and a failing step's effect on the rest are where
servers of the protocol part ways. Drawn from a random stream of their own, as the DynamoDB
batches."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conformance.fuzz_libsql import Generator

SHARE = 0.3  # of the scenario numbers that get a Hrana scenario besides

_STATEMENTS = [
    "INSERT INTO {t} (id, c0) VALUES (1, 'again')",  # a duplicate key
    "INSERT INTO {t} (id, c0) VALUES ({n}, 'new')",
    "UPDATE {t} SET c0 = 'changed' WHERE id = 1",
    "DELETE FROM {t} WHERE id = 2",
    "SELECT count(*) FROM {t}",
    "SELECT * FROM {t}_missing",  # no such table
    "SELEC 1",  # a syntax error
    "INSERT INTO {t} (id, c0) VALUES (NULL, NULL)",  # c0 is NOT NULL
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
]


def _condition(generator: Generator, before: int, depth: int = 0) -> dict[str, Any] | None:
    rng = generator.rng
    r = rng.random()
    if before == 0 or r < 0.25:
        return None if rng.random() < 0.7 else {"type": "is_autocommit"}
    if depth < 2 and r < 0.4:
        return {"type": "not", "cond": _condition(generator, before, depth + 1) or {"type": "ok", "step": 0}}
    if depth < 2 and r < 0.55:
        kind = rng.choice(["and", "or"])
        conds = [_condition(generator, before, depth + 1) or {"type": "ok", "step": 0} for _ in range(rng.randint(0, 3))]
        return {"type": kind, "conds": conds}
    return {"type": rng.choice(["ok", "error"]), "step": rng.randrange(before)}


def requests(generator: Generator, table: str) -> list[dict[str, Any]]:
    rng = generator.rng
    setup = [f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, c0 TEXT NOT NULL)",
             f"INSERT INTO {table} (id, c0) VALUES (1, 'one'), (2, 'two')"]  # fmt: skip
    out: list[dict[str, Any]] = [{"type": "execute", "stmt": {"sql": sql}} for sql in setup]
    steps = []
    for index in range(rng.randint(1, 6)):
        sql = rng.choice(_STATEMENTS).format(t=table, n=10 + index)
        step: dict[str, Any] = {"stmt": {"sql": sql}}
        condition = _condition(generator, index)
        if condition is not None:
            step["condition"] = condition
        steps.append(step)
    out.append({"type": "batch", "batch": {"steps": steps}})
    out.append({"type": "get_autocommit"})
    out.append({"type": "execute", "stmt": {"sql": f"SELECT id, c0 FROM {table} ORDER BY id"}})
    if rng.random() < 0.5:
        out.append({"type": "execute", "stmt": {"sql": "ROLLBACK"}})  # whatever the batch left open
    out.append({"type": "close"})
    return out


TRANSACTION_SHARE = 0.3  # of the scenario numbers that get a write-transaction scenario besides
_BEGINS = ["BEGIN IMMEDIATE", "BEGIN", "BEGIN DEFERRED", "begin exclusive transaction"]
ABANDONED_SHARE = 0.15  # of the transactions, one opened and closed before it touched a table


def transaction(generator: Generator, table: str) -> list[list[dict[str, Any]]]:
    """Four pipelines: a table and rows; a whole transaction in one request, then close (what
    @libsql/client's `batch()` sends, and what LumaDB runs in its group commit): BEGIN, random
    steps (a failing one now and then, now and then a stray COMMIT, ROLLBACK or BEGIN), COMMIT
    if all before it succeeded, ROLLBACK unless the COMMIT did (each part left out now and then,
    a v3 `is_autocommit` guard now and then; now and then a transaction or SAVEPOINT opened and
    left untouched); then two writes on a stream of their own (whatever
    the batch's stream left open must not hold them), and what the table holds."""
    rng = generator.rng
    setup = [f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, c0 TEXT NOT NULL)",
             f"INSERT INTO {table} (id, c0) VALUES (1, 'one'), (2, 'two')"]  # fmt: skip
    steps: list[dict[str, Any]] = [{"stmt": {"sql": rng.choice(_BEGINS)}}]

    def guarded() -> dict[str, Any]:
        condition: dict[str, Any] = {"type": "ok", "step": len(steps) - 1}
        if rng.random() < 0.3:
            condition = {"type": "and", "conds": [condition, {"type": "not", "cond": {"type": "is_autocommit"}}]}
        return condition

    if rng.random() < ABANDONED_SHARE:  # opened, then left before it touched a table
        steps = [{"stmt": {"sql": rng.choice([*_BEGINS[1:3], "SAVEPOINT s"])}}]
        steps += [{"stmt": {"sql": sql}} for sql in rng.sample(["SELECT 1", "SELEC 1", "SAVEPOINT t"], rng.randint(0, 2))]
        return _transaction_pipelines(setup, steps, table)
    for index in range(rng.randint(1, 5)):
        sql = rng.choice(_STATEMENTS[:8] if rng.random() < 0.85 else _STATEMENTS).format(t=table, n=10 + index)
        step: dict[str, Any] = {"stmt": {"sql": sql}}
        if rng.random() < 0.8:
            step["condition"] = guarded()
        steps.append(step)
    if rng.random() < 0.9:
        steps.append({"stmt": {"sql": rng.choice(["COMMIT", "END", "commit transaction"])}, "condition": guarded()})
    if rng.random() < 0.8:
        steps.append({"stmt": {"sql": "ROLLBACK"},
                      "condition": {"type": "not", "cond": {"type": "ok", "step": len(steps) - 1}}})
    return _transaction_pipelines(setup, steps, table)


def _transaction_pipelines(setup: list[str], steps: list[dict[str, Any]], table: str) -> list[list[dict[str, Any]]]:
    return [
        [*({"type": "execute", "stmt": {"sql": sql}} for sql in setup), {"type": "close"}],
        [{"type": "batch", "batch": {"steps": steps}}, {"type": "close"}],
        [*({"type": "execute", "stmt": {"sql": f"INSERT INTO {table} (id, c0) VALUES ({i}, 'after')"}} for i in (98, 99)),
         {"type": "close"}],
        [{"type": "execute", "stmt": {"sql": f"SELECT id, c0 FROM {table} ORDER BY id"}}, {"type": "close"}],
    ]
