"""Hrana batches: steps with conditions, run one after another; a failing step does not
stop the batch, it only makes the conditions that depend on it false. Also `sequence`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lumadb.libsql import unsupported
from lumadb.libsql.errors import HranaError, StmtError, invalid_type
from lumadb.libsql.stmt import (
    Access,
    Query,
    StmtSpec,
    optional_int,
    parse_stmt,
    read_query,
    required,
    run_query,
    to_query,
)
from lumadb.sql import older_sqlite, split_statements
from lumadb.sql.execute import ResultBudget
from lumadb.sql.split import tokens, until_nul
from lumadb.sql.syntax import syntax_error
from lumadb.storage.sqlite import apsw

COND_TYPES = "`ok`, `error`, `not`, `and`, `or`, `is_autocommit`"

# A condition: ("ok", step) | ("error", step) | ("not", cond) | ("and", [cond]) | ("or", [cond])
# | ("is_autocommit",)
Cond = tuple


@dataclass(slots=True)
class StepSpec:
    stmt: StmtSpec
    condition: Cond | None


@dataclass(slots=True)
class Step:
    query: Query
    condition: Cond | None


MAX_COND_DEPTH = 128  # serde_json's recursion limit


def parse_cond(value: Any, depth: int = 0) -> Cond:
    if depth > MAX_COND_DEPTH:
        raise HranaError.json("recursion limit exceeded")
    if not isinstance(value, dict):
        raise invalid_type(value, "internally tagged enum BatchCond")
    kind = value.get("type")
    if kind in ("ok", "error"):
        step = optional_int(value, "step", signed=False)
        if step is None:
            raise HranaError.json("missing field `step`")
        return (kind, step)
    if kind == "not":
        return ("not", parse_cond(required(value, "cond"), depth + 1))
    if kind in ("and", "or"):
        conds = required(value, "conds")
        if not isinstance(conds, list):
            raise invalid_type(conds, "a sequence")
        return (kind, [parse_cond(c, depth + 1) for c in conds])
    if kind == "is_autocommit":
        return ("is_autocommit",)
    if kind is None:
        raise HranaError.json("missing field `type`")
    raise HranaError.json(f"unknown variant `{kind}`, expected one of {COND_TYPES}")


def parse_batch(value: Any) -> list[StepSpec]:
    if not isinstance(value, dict):
        raise invalid_type(value, "struct Batch", fields=1)
    steps = required(value, "steps")
    if not isinstance(steps, list):
        raise invalid_type(steps, "a sequence")
    parsed = []
    for step in steps:
        if not isinstance(step, dict):
            raise invalid_type(step, "struct BatchStep", fields=2)
        condition = step.get("condition")
        parsed.append(StepSpec(parse_stmt(required(step, "stmt")),
                               None if condition is None else parse_cond(condition)))
    return parsed


def _check_cond(cond: Cond, version: int, limit: int) -> None:
    kind = cond[0]
    if kind in ("ok", "error"):
        if cond[1] >= limit:
            raise HranaError.bad_step()
    elif kind == "not":
        _check_cond(cond[1], version, limit)
    elif kind in ("and", "or"):
        for inner in cond[1]:
            _check_cond(inner, version, limit)
    elif version < 3:
        raise HranaError.not_supported("BatchCond of type `is_autocommit`", 3)


def to_program(specs: list[StepSpec], sqls: dict[int, str], version: int, budget: ResultBudget | None) -> list[Step]:
    """The batch's steps, checked the way sqld converts a batch before running any of it; they
    share one limit on the size of their results (response_size.py)."""
    program = []
    for index, spec in enumerate(specs):
        query = to_query(spec.stmt, sqls, version, budget)
        if spec.condition is not None:
            _check_cond(spec.condition, version, index)
        program.append(Step(query, spec.condition))
    return program


def evaluate(cond: Cond, outcomes: list[bool | None], is_autocommit: Callable[[], bool]) -> bool:
    """outcomes[i]: True = step i succeeded, False = failed, None = skipped."""
    kind = cond[0]
    if kind == "ok":
        return outcomes[cond[1]] is True
    if kind == "error":
        return outcomes[cond[1]] is False
    if kind == "not":
        return not evaluate(cond[1], outcomes, is_autocommit)
    if kind == "and":
        return all(evaluate(c, outcomes, is_autocommit) for c in cond[1])
    if kind == "or":
        return any(evaluate(c, outcomes, is_autocommit) for c in cond[1])
    return is_autocommit()


# transaction control as @libsql/client writes it (the fast paths of write_batch.py, read_batch.py
# and execution.py recognise it by its text)
COMMIT = re.compile(r"\s*(COMMIT|END)(\s+TRANSACTION)?\s*;?\s*", re.IGNORECASE)
ROLLBACK = re.compile(r"\s*ROLLBACK(\s+TRANSACTION)?\s*;?\s*", re.IGNORECASE)


def is_control(query: Query, pattern: re.Pattern[str]) -> bool:
    return not query.args and not query.named and pattern.fullmatch(query.sql) is not None


def control(step: Step, pattern: re.Pattern[str]) -> bool:
    return is_control(step.query, pattern)


# runs step `index` of a batch: (its result, None) or (None, its error)
StepRunner = Callable[[int, Step], "tuple[dict | None, dict | None]"]


def play(program: list[Step], is_autocommit: Callable[[], bool], run_step: StepRunner) -> dict[str, Any]:
    """The batch's steps in order, each run unless its condition says otherwise: its result
    (sqld's BatchResult)."""
    results: list[dict | None] = []
    errors: list[dict | None] = []
    outcomes: list[bool | None] = []
    for index, step in enumerate(program):
        result = error = None
        outcome: bool | None = None
        if step.condition is None or evaluate(step.condition, outcomes, is_autocommit):
            result, error = run_step(index, step)
            outcome = error is None
        results.append(result)
        errors.append(error)
        outcomes.append(outcome)
    return batch_result(results, errors)


def run_batch(conn: apsw.Connection, program: list[Step], access: Access, reads: bool = False) -> dict[str, Any]:
    """Run a batch on one connection (the stream's own, on its thread; with `reads`, a batch of
    reads on the event loop: `stmt.read_query`)."""
    run = read_query if reads else run_query

    def run_step(_index: int, step: Step) -> tuple[dict | None, dict | None]:
        try:
            return run(conn, step.query, access), None
        except StmtError as exc:
            return None, exc.as_dict()

    return play(program, lambda: not conn.in_transaction, run_step)


def batch_result(results: list[dict | None], errors: list[dict | None]) -> dict[str, Any]:
    return {"step_results": results, "step_errors": errors, "replication_index": None}


def sequence_statements(sql: str) -> list[tuple[str, int]]:
    """The statements of a `sequence`, all checked for syntax before any runs, each with the
    bytes of text before it since the `;` that ended the one before (blanks, comments, empty
    statements): sqld prepares the text from there, so its error offsets count them."""
    sql = until_nul(sql)
    out: list[tuple[str, int]] = []
    cursor = 0
    for statement in split_statements(sql):
        problem = syntax_error(statement)
        if problem is not None:
            raise StmtError.parse(problem.message)
        newer = older_sqlite.syntax_problem(statement)
        if newer is not None:
            raise StmtError.parse(newer.detail)
        if unsupported.refused(statement):
            raise StmtError.parse(f"unsupported statement: {sql}")
        position = sql.find(statement, cursor)
        start = cursor + next((t.start + 1 for t in tokens(sql[cursor:position]) if t.kind == "semi"), 0)
        out.append((statement, len(sql[start:position].encode())))
        cursor = position + len(statement)
    return out


def run_sequence(conn: apsw.Connection, statements: list[tuple[str, int]], access: Access) -> None:
    """Run statements in order without arguments, ignoring rows; stop at the first error
    (the ones before it stay applied)."""
    for statement, lead in statements:
        try:
            run_query(conn, Query(statement, [], None), access)
        except StmtError as error:
            raise error.shifted(lead) from None
