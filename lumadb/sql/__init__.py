"""Protocol-neutral SQL helpers shared by the D1 and libSQL front ends.

- `split.split_statements(sql)` / `count_statements` / `is_blank`: statements as SQLite
  reads them (`sqlite3_complete` semantics; triggers keep their inner `;`).
- `split.statement_kind(sql)`: select | insert | update | delete | explain | other.
- `errors.error_info(exc)`: an apsw exception as (`SQLITE_CONSTRAINT`,
  `SQLITE_CONSTRAINT_UNIQUE`, SQLite's message, error offset or None).
- `execute.execute_statement(conn, sql, bindings)`: columns + declared types, rows,
  changes, last_insert_rowid, rows_read / rows_written (policy in execute.py), duration.
- `describe.describe(conn, sql)`: parameters with prefixes, columns with decltype,
  is_explain, is_readonly, without running the statement; `describe.statement_info` is the
  cached, schema-independent part (parameters, read-only).
"""

from lumadb.sql.describe import Column, Description, StatementInfo, describe, statement_info
from lumadb.sql.errors import SqlError, error_info
from lumadb.sql.execute import ManyStatements, NotReadOnly, ResultTooLarge, StatementResult, execute_statement
from lumadb.sql.split import count_statements, is_blank, split_statements, statement_kind

__all__ = [
    "Column",
    "Description",
    "ManyStatements",
    "NotReadOnly",
    "ResultTooLarge",
    "SqlError",
    "StatementInfo",
    "StatementResult",
    "count_statements",
    "describe",
    "error_info",
    "execute_statement",
    "is_blank",
    "split_statements",
    "statement_info",
    "statement_kind",
]
